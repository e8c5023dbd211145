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

A `Ratio` names two facts whose quotient is shown (三管 coverage %, far-away share, hours
from registration to review): it is computed where it is shown, from the two buckets, so
it is exact at every level without a bucket of its own.

Core knows nothing of areas: `value()` takes any object with the area's code prefix.
"""

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Count, Expression, Q, Sum
from django.dispatch import Signal

# Sent by a retention rule that deletes rows a fact counts (sender: the model's label,
# "stations.CheckIn"; before: the date before which rows were deleted). The rollups seal
# those periods: a rebuild never recomputes them from what is left (issue 13 §1).
raw_rows_purged = Signal()


class Measure(StrEnum):
    COUNT = "count"  # rows
    SUM = "sum"  # of `field`
    DISTINCT = "distinct"  # distinct values of `field` (never summed across buckets)
    # The middle value of `over` (the median hours to a first answer): like a distinct
    # count, never added up across buckets, computed from the raw rows of each period.
    MEDIAN = "median"


@dataclass(frozen=True)
class Fact:
    key: str  # "stations.check_in_visits": app label first, unique
    label: str  # what a dashboard calls it (a lazy translation)
    model: str  # "stations.CheckIn"
    area_path: str  # from a row to its Area: "station__area"
    measure: Measure = Measure.COUNT
    # The field SUM adds up or DISTINCT counts the values of, or an expression over the
    # row's own columns (the hours from registration to approval).
    over: str | Expression = ""
    date_field: str = ""  # the row's date for periods; empty: a state, counted as it is now
    station_path: str = ""  # from a row to its station, where the fact has one
    where: Q = dataclass_field(default_factory=Q)  # which rows count
    # What to break the figure down by, from a bounded set of values: a field path
    # ("occupation") or an expression (the local hour of day). With `breakdown_each`, the
    # field is an array and a row counts once under each of its values (services used).
    breakdown: str | Expression = ""
    breakdown_each: bool = False
    purpose: str = "read"  # areas.access purpose that reads it ("party": party-affairs only)

    @property
    def additive(self) -> bool:
        """A parent's value is the sum of its children's (not so for distinct counts and
        medians)."""
        return self.measure not in (Measure.DISTINCT, Measure.MEDIAN)

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
            # A moment is compared with the local midnights that bound the days, not its
            # day with the days: that is the same rows, and the column's index can find
            # them (a district's 30 days of check-ins: 8.5 s by the day, read from every
            # check-in of the year).
            if isinstance(self.model_class._meta.get_field(self.date_field), models.DateTimeField):
                local = ZoneInfo(settings.TIME_ZONE)
                since, until = (
                    day and dt.datetime.combine(day, dt.time.min, tzinfo=local)
                    for day in (since, until)
                )
            if since:
                rows = rows.filter(**{f"{self.date_field}__gte": since})
            if until:
                rows = rows.filter(**{f"{self.date_field}__lt": until})
        return rows

    def _aggregate(self, condition: Q | None = None):
        if self.measure == Measure.SUM:
            return Sum(self.over_expression(), filter=condition)
        if self.measure == Measure.DISTINCT:
            return Count(self.over_expression(), distinct=True, filter=condition)
        if self.measure == Measure.MEDIAN:
            return Median(self.over_expression(), filter=condition)
        return Count("pk", filter=condition)

    def value(self, *, area=None, since=None, until=None) -> int | float:
        found = self.rows(area=area, since=since, until=until).aggregate(v=self._aggregate())
        return found["v"] or 0

    @property
    def is_state(self) -> bool:
        """Counted as it is now (no date): the rollups keep a snapshot per day."""
        return not self.date_field

    def over_expression(self):
        return models.F(self.over) if isinstance(self.over, str) else self.over

    def breakdown_expression(self):
        return models.F(self.breakdown) if isinstance(self.breakdown, str) else self.breakdown

    def stored_breakdown_values(self) -> list[str] | None:
        """The breakdown values this fact's rows can be stored with, when a field with
        choices says so in advance (occupation, source), "-" for none included; None for
        an expression, an array or a foreign key."""
        if not isinstance(self.breakdown, str) or not self.breakdown or self.breakdown_each:
            return None
        field = self.model_class._meta.get_field(self.breakdown)
        if not field.choices:
            return None
        return [breakdown_key(value) for value, _label in field.choices] + [NO_BREAKDOWN_VALUE]

    def breakdown_choices(self) -> list:
        """The values an array breakdown can take (its items' choices)."""
        field = self.model_class._meta.get_field(self.breakdown)
        return [value for value, _label in field.base_field.choices]

    def broken_down(self, *, area=None, since=None, until=None) -> dict:
        """The value by each breakdown value present (empty for a fact without one); the
        keys are the values as the rollups store them (text)."""
        if not self.breakdown:
            return {}
        rows = self.rows(area=area, since=since, until=until).order_by()
        if self.breakdown_each:
            found = rows.aggregate(
                **{
                    str(value): self._aggregate(Q(**{f"{self.breakdown}__contains": [value]}))
                    for value in self.breakdown_choices()
                }
            )
            return {value: v for value, v in found.items() if v}
        return {
            breakdown_key(row["bd"]): row["v"] or 0
            for row in rows.values(bd=self.breakdown_expression()).annotate(v=self._aggregate())
        }


# The SQL of a median over a column, shared by the rollups' statements.
MEDIAN_SQL = "percentile_cont(0.5) WITHIN GROUP (ORDER BY {column})"


class Median(models.Aggregate):
    """PostgreSQL's percentile_cont(0.5): the middle value, halfway between the two middle
    ones for an even count (as the rollups compute it, reports.engine and reports.batch)."""

    template = MEDIAN_SQL.format(column="%(expressions)s")
    output_field = models.FloatField()


class HoursBetween(models.Func):
    """The hours from one of a row's datetimes to a later one, e.g. from registration to
    approval (a fact's `over`)."""

    # Rounded per row, so the rollups and a recount from the raw rows add the same numbers.
    template = "round(extract(epoch FROM (%(expressions)s)) / 3600.0, 2)"
    arg_joiner = " - "
    output_field = models.DecimalField(max_digits=20, decimal_places=2)

    def __init__(self, since: str, until: str):
        super().__init__(models.F(until), models.F(since))


class DaysBetween(HoursBetween):
    """The days (two decimals) from one of a row's datetimes to a later one, e.g. from a
    wish's publication to the day it came true."""

    template = "round(extract(epoch FROM (%(expressions)s)) / 86400.0, 2)"


class LocalDaysSince(models.Func):
    """Whole days on the local calendar from a row's datetime to today: how long a
    registration has waited (a state fact's `over`, counted at each snapshot; whole days,
    so a figure recomputed later the same day is the same)."""

    output_field = models.IntegerField()

    def __init__(self, field: str, time_zone: str):
        self.time_zone = time_zone
        super().__init__(models.F(field))

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"((now() AT TIME ZONE %s)::date - ({sql} AT TIME ZONE %s)::date)",
            [self.time_zone, *params, self.time_zone],
        )


# How a breakdown value is stored: text, with "-" for rows that have none (the total of a
# bucket has the breakdown "").
NO_BREAKDOWN_VALUE = "-"


def breakdown_key(value) -> str:
    """As SQL's value::text writes it, so the rollups' keys and `broken_down` agree."""
    if value is None or value == "":
        return NO_BREAKDOWN_VALUE
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Ratio:
    """A figure that is one fact over another, e.g. 三管 coverage = members managed /
    members. Shown as a percentage unless `percent` is off (hours per review)."""

    key: str  # unique among facts and ratios, app label first
    label: str
    numerator: str  # fact keys
    denominator: str
    percent: bool = True
    purpose: str = "read"

    def of(self, numerator, denominator) -> float | None:
        """None: a ratio of nothing, or of a figure not counted yet (reports.ranges)."""
        if numerator is None or not denominator:
            return None
        quotient = float(numerator) / float(denominator)
        return round(quotient * 100, 1) if self.percent else round(quotient, 1)
