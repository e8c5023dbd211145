"""Facts: the figures an app contributes to rollups and dashboards, described by the app
itself in its `<app>/facts.py` as a list `FACTS` of `Fact`. reports/ discovers those lists
(as the admin discovers admin.py), so no app imports reports/ and the dependencies still
run one way (DESIGN.md, "Rollups and dashboards").

A fact is a count, a sum or a distinct count over the app's own rows, placed in the tree by
the path from a row to its Area (and to its station, where there is one), dated by one of
its fields (none: a state, "stations open now"), optionally broken down by a field whose
values form a bounded set (brand, occupation, source). Its value for an area and a period
is always computed from the raw rows (`Fact.value`), never by adding increments, so a
recomputation replaces a figure and reversals, deletions and merges come out right.

Core knows nothing of areas: `value()` takes any object with the area's code prefix.
"""

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum

from django.apps import apps
from django.db import models
from django.db.models import Count, Q, Sum


class Measure(StrEnum):
    COUNT = "count"  # rows
    SUM = "sum"  # of `field`
    DISTINCT = "distinct"  # distinct values of `field` (never summed across buckets)


@dataclass(frozen=True)
class Fact:
    key: str  # "stations.check_in_visits": app label first, unique
    label: str  # what a dashboard calls it (a lazy translation)
    model: str  # "stations.CheckIn"
    area_path: str  # from a row to its Area: "station__area"
    measure: Measure = Measure.COUNT
    over: str = ""  # the field SUM adds up or DISTINCT counts the values of
    date_field: str = ""  # the row's date for periods; empty: a state, counted as it is now
    station_path: str = ""  # from a row to its station, where the fact has one
    where: Q = dataclass_field(default_factory=Q)  # which rows count
    breakdown: str = ""  # a field with a bounded set of values to break the figure down by
    purpose: str = "read"  # areas.access purpose that reads it ("party": party-affairs only)

    @property
    def additive(self) -> bool:
        """A parent's value is the sum of its children's (not so for distinct counts)."""
        return self.measure != Measure.DISTINCT

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def rows(self, *, area=None, since: dt.date | None = None, until: dt.date | None = None):
        """The rows that count, in `area` (anything with `.prefix`) and the local days
        since ≤ day < until."""
        rows = self.model_class._default_manager.filter(self.where)
        if area is not None:
            rows = rows.filter(**{f"{self.area_path}__code__startswith": area.prefix})
        if self.date_field and (since or until):
            date_field = self.model_class._meta.get_field(self.date_field)
            day = self.date_field + (
                "__date" if isinstance(date_field, models.DateTimeField) else ""
            )
            if since:
                rows = rows.filter(**{f"{day}__gte": since})
            if until:
                rows = rows.filter(**{f"{day}__lt": until})
        return rows

    def _aggregate(self):
        if self.measure == Measure.SUM:
            return Sum(self.over)
        if self.measure == Measure.DISTINCT:
            return Count(self.over, distinct=True)
        return Count("pk")

    def value(self, *, area=None, since=None, until=None) -> int | float:
        found = self.rows(area=area, since=since, until=until).aggregate(v=self._aggregate())
        return found["v"] or 0

    def broken_down(self, *, area=None, since=None, until=None) -> dict:
        """The value by each breakdown value present (empty for a fact without one)."""
        if not self.breakdown:
            return {}
        rows = self.rows(area=area, since=since, until=until).order_by()
        return {
            row[self.breakdown]: row["v"] or 0
            for row in rows.values(self.breakdown).annotate(v=self._aggregate())
        }
