"""Reads of the rollups, for the dashboards, the stats API, the monthly report and the 大屏
alike (issue 13 §2–4): one place decides which area a user may look at, which figures they
may read there, and how a figure, its comparisons, its series and its children's figures
come out of the buckets — in a fixed, small number of queries whatever the tree's size.

- A figure is read for a *node* (an area, or a station) and a *period*: a bucket's value,
  or, for a state fact (counted as it is now), the latest daily snapshot before the
  period ends. Absent buckets are 0: the engine stores no empty groups.
- A custom range (not one calendar period) adds up the buckets of the calendar periods
  that cover it, some taken away (reports.periods.signed_covering: a month less the days
  of it outside the range) for additive facts; a distinct count
  over such a range cannot be added up: a job counts it from the raw rows and keeps it
  (reports.ranges), and until then its value is None — pending, never a false 0.
- Every figure carries when it was computed, and a read says how many changes are still
  waiting for the job (`pending`), so a page can say "updated 14:03, 12 changes pending".
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import BooleanField, Case, FloatField, Max, Q, QuerySet, Sum, When
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import Http404

from areas import access
from areas.access import Purpose
from areas.models import Area, StaffGrant
from core.facts import Fact, Ratio
from stations.models import Station

from .facts import all_facts, all_ratios, part_of
from .models import AreaAncestry, Bucket, BucketRow, CoverageSnapshot, DirtyBucket
from .periods import Period, PeriodKind, signed_covering
from .ranges import read as ranges_read

# How far back a state fact's latest snapshot is looked for (reports.tasks.snapshot_states
# writes one a day).
STATE_LOOKBACK_DAYS = 31


@dataclass(frozen=True)
class Span:
    """What a figure is counted over: one calendar period, or a custom range of days
    (since ≤ day < until)."""

    since: dt.date
    until: dt.date
    period: Period | None = None

    @classmethod
    def of(cls, period: Period) -> "Span":
        return cls(period.start, period.end, period)

    @property
    def is_period(self) -> bool:
        return self.period is not None

    def previous(self) -> "Span":
        if self.period:
            return Span.of(self.period.previous())
        length = self.until - self.since
        return Span(self.since - length, self.since)

    def same_time_last_year(self) -> "Span":
        if self.period:
            return Span.of(self.period.same_period_last_year())
        return Span(_year_earlier(self.since), _year_earlier(self.until))

    @property
    def label(self) -> str:
        if self.period:
            return self.period.label
        last = self.until - dt.timedelta(days=1)
        return f"{self.since.isoformat()} – {last.isoformat()}"


def _year_earlier(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)


@dataclass
class Figure:
    key: str
    label: str
    value: float = 0.0
    previous: float | None = None
    last_year: float | None = None
    computed_at: dt.datetime | None = None
    percent: bool = False  # a ratio shown as a percentage
    is_ratio: bool = False

    @property
    def change(self) -> float | None:
        """Against the previous period, as a percentage (None when there was nothing)."""
        return _change(self.value, self.previous)

    @property
    def change_on_last_year(self) -> float | None:
        return _change(self.value, self.last_year)


def _change(now, before) -> float | None:
    """The change in per cent. A figure kept as a negative sum (points redeemed, reversed)
    compares magnitudes: redeeming 45 points after 490 is a fall, not a rise."""
    if now is None or not before:
        return None
    now, before = float(now), float(before)
    if now <= 0 and before < 0:
        now, before = -now, -before
    return round((now - before) / abs(before) * 100, 1)


# ---------------------------------------------------------------------------------------
# Who may look at what


def dashboard_area(user, code: str | None = None) -> Area:
    """The area a dashboard shows: the one named by `code` when the user reaches it (404,
    as if it did not exist, otherwise), else the widest area one of their grants names."""
    if code:
        area = Area.objects.filter(code=code).first()
        if area is None or not access.can_in(user, area, Purpose.READ):
            raise Http404
        return area
    if access.reach_of(user).everything:
        # System administration: the province of the first station (a whole country's
        # division tree is loaded, most of it without a station).
        first = Station.objects.order_by("area__code").values_list("area__code", flat=True).first()
        provinces = Area.objects.filter(parent__isnull=True).defer("boundary").order_by("code")
        area = (provinces.filter(code__startswith=first[:2]) if first else provinces).first()
    else:
        granted = [
            grant.area
            for grant in StaffGrant.objects.filter(
                user=user, role__in=access.AREA_READ_ROLES
            ).select_related("area")
        ]
        area = min(granted, key=lambda a: (len(a.prefix), a.code), default=None)
    if area is None:
        raise Http404
    return area


def may_see_dashboard(user) -> bool:
    """Staff with an area grant that reads (not a keeper of named stations only, not an
    auditor of the log only)."""
    reach = access.reach_of(user)
    return reach.everything or bool(reach.prefixes[Purpose.READ])


def facts_for(user, area: Area) -> list[Fact]:
    """The facts `user` may read in `area`: party figures need the party-affairs flag."""
    allowed = {
        purpose: access.can_in(user, area, purpose) for purpose in (Purpose.READ, Purpose.PARTY)
    }
    return [f for f in all_facts() if allowed.get(Purpose(f.purpose), False)]


def ratios_for(user, area: Area) -> list[Ratio]:
    """The ratios whose two facts the user may read there, and whose own purpose allows."""
    readable = {f.key for f in facts_for(user, area)}
    return [
        r
        for r in all_ratios()
        if r.numerator in readable
        and r.denominator in readable
        and access.can_in(user, area, Purpose(r.purpose))
    ]


# ---------------------------------------------------------------------------------------
# Figures


def _node_filter(nodes) -> Q:
    areas = [n.pk for n in nodes if isinstance(n, Area)]
    stations = [n.pk for n in nodes if isinstance(n, Station)]
    return Q(area_id__in=areas) | Q(station_id__in=stations)


def _node_key(bucket) -> tuple[str, int]:
    return (
        ("station", bucket["station_id"]) if bucket["station_id"] else ("area", bucket["area_id"])
    )


def node_key(node) -> tuple[str, int]:
    return ("station", node.pk) if isinstance(node, Station) else ("area", node.pk)


BUCKET_FIELDS = (
    "fact",
    "area_id",
    "station_id",
    "period_kind",
    "period_start",
    "breakdown",
    "value",
    "computed_at",
)


def values(
    facts: list[Fact],
    nodes,
    spans: list[Span],
    breakdown: bool = False,
    *,
    breakdowns_in: Collection[int] | None = None,
    breakdowns_of: Collection[str] = (),
) -> dict:
    """{(fact key, node key, span index, breakdown): (value, computed_at)} for every fact,
    node and span — the core read every page and endpoint uses. With `breakdown`, the
    breakdowns' rows too: of every span, or only of the spans of index `breakdowns_in`
    and of the facts `breakdowns_of` (a page's trend of thirty days broken down by hour,
    service and source is thousands of rows no chart shows). Two queries at most: the
    stored rows (dated facts' calendar periods, the periods covering custom ranges, and
    state facts' daily snapshots, in one statement), and distinct facts on custom ranges
    as the job kept them. A distinct figure on a custom range the job has not counted yet
    is (None, None)."""
    found: dict = {}
    dated = [f for f in facts if not f.is_state]
    states = [f for f in facts if f.is_state]
    breakdown_q = Q() if breakdown else Q(breakdown="")
    if breakdown and breakdowns_in is not None:
        broken_down = [
            (p.kind, p.start)
            for index in breakdowns_in
            for p in (
                [spans[index].period]
                if spans[index].is_period
                else [p for p, _sign in signed_covering(spans[index].since, spans[index].until)]
            )
        ]
        breakdown_q = Q(breakdown="") | _periods_q(broken_down)
        # The breakdowns asked for over every span, by their stored values where a field's
        # choices name them: a condition on the rows, not on the facts they hold, which
        # PostgreSQL would test on every figure of every breakdown row (four times slower).
        for fact in (f for f in facts if f.key in breakdowns_of):
            stored = fact.stored_breakdown_values()
            breakdown_q |= Q(breakdown__in=stored) if stored else Q(fact=fact.key)
    nodes_q = _node_filter(nodes)

    # One read of the stored periods for both: the calendar periods asked for (a period
    # may be asked for twice — this month, and again in a trend: every index), and the
    # calendar periods covering each custom range, whose additive figures add up to the
    # range's, some of them taken away (reports.periods.signed_covering).
    exact: dict = defaultdict(list)  # (kind, start) → indexes of the spans it is
    pieces: dict = defaultdict(list)  # (kind, start) → (index, ±1) of the ranges it is in
    ranges = []
    for index, s in enumerate(spans):
        if s.is_period:
            exact[(s.period.kind, s.period.start)].append(index)
        else:
            ranges.append((index, s))
            for piece, sign in signed_covering(s.since, s.until):
                pieces[(piece.kind, piece.start)].append((index, sign))
    additive = {f.key for f in dated if f.additive}
    wanted = [f.key for f in dated if exact or f.key in additive]
    reads = []
    if wanted and (exact or pieces):
        reads.append(
            Bucket.objects.filter(
                nodes_q, _periods_q([*exact, *pieces]), breakdown_q, fact__in=wanted
            ).values(*BUCKET_FIELDS)
        )
    state_keys = {f.key for f in states}
    if states:
        # The snapshot job writes one every day, so a month before the earliest span is
        # always enough to find the latest one before each span ends (and a long history
        # is never read whole).
        reads.append(
            Bucket.objects.filter(
                nodes_q,
                breakdown_q,
                period_kind=PeriodKind.DAY,
                fact__in=state_keys,
                period_start__lt=max(s.until for s in spans),
                period_start__gte=min(s.since for s in spans)
                - dt.timedelta(days=STATE_LOOKBACK_DAYS),
            ).values(*BUCKET_FIELDS)
        )
    # Both reads as one statement (UNION ALL: each half planned on its own indexes).
    rows = reads[0].union(*reads[1:], all=True) if reads else []
    snapshots_of: dict = defaultdict(list)  # state facts: (fact, node, breakdown) → days
    for b in rows:
        key = (b["fact"], _node_key(b))
        if b["fact"] in state_keys:
            snapshots_of[(*key, b["breakdown"])].append(b)
            continue
        period = (b["period_kind"], b["period_start"])
        for index in exact.get(period, ()):
            found[(*key, index, b["breakdown"])] = (float(b["value"]), b["computed_at"])
        if b["fact"] not in additive:
            continue
        for index, sign in pieces.get(period, ()):
            value, at = found.get((*key, index, b["breakdown"]), (0.0, None))
            found[(*key, index, b["breakdown"])] = (
                value + sign * float(b["value"]),
                max(filter(None, [at, b["computed_at"]])),
            )

    # Distinct counts over a custom range: as the job counted and kept them, or pending
    # (None) while it counts (reports.ranges: no page counts them while someone waits).
    for kept in ranges_read([f for f in dated if not f.additive], nodes, ranges):
        found[(kept.fact, node_key(kept.node), kept.index, "")] = (kept.value, kept.computed_at)

    # A state fact's figure for a span: its latest daily snapshot before the span ends.
    for (key, node, bd), snapshots in snapshots_of.items():
        snapshots.sort(key=lambda b: b["period_start"], reverse=True)
        for index, s in enumerate(spans):
            snapshot = next((b for b in snapshots if b["period_start"] < s.until), None)
            if snapshot is not None:
                found[(key, node, index, bd)] = (float(snapshot["value"]), snapshot["computed_at"])
    return found


def _periods_q(periods) -> Q:
    """Rows of any of `periods` ((kind, start) pairs): one condition per kind, so a 366-day
    series is one IN list, not 366 ORs — and, before it, every kind and every start as two
    plain lists, which the (node, kind, start) indexes can take: on the OR alone PostgreSQL
    read every row of each station (a city's 30 days: 3.3 s instead of 0.2 s)."""
    starts_by_kind: dict = defaultdict(list)
    for kind, start in periods:
        starts_by_kind[kind].append(start)
    exact = Q(pk__in=[])
    for kind, starts in starts_by_kind.items():
        exact |= Q(period_kind=kind, period_start__in=starts)
    every_start = sorted({start for starts in starts_by_kind.values() for start in starts})
    return Q(period_kind__in=list(starts_by_kind), period_start__in=every_start) & exact


# The units of an area's nodes and of every node under it (each area's own unit: its row of
# the ancestry to itself), as an array computed once — so the rows' unit index is searched
# unit by unit. A semi-join, or a range of unit codes, made PostgreSQL read every row under
# a city (a city's stations over 30 days: 400 ms against 50).
_UNITS_UNDER_SQL = f"""{BucketRow._meta.db_table}.district_code = ANY(ARRAY(
        SELECT DISTINCT own.district_code
          FROM {AreaAncestry._meta.db_table} under
          JOIN {AreaAncestry._meta.db_table} own
            ON own.area_id = under.area_id AND own.ancestor_id = under.area_id
         WHERE under.ancestor_id = %s))"""


def within_units(area: Area) -> RawSQL:
    """A filter of stored rows: those of the units of `area` and of every area under it."""
    return RawSQL(_UNITS_UNDER_SQL, [area.pk], output_field=BooleanField())


def _station_totals(stations: QuerySet, area: Area, fact: Fact, span: Span):
    """(station, total) of the additive `fact` over `span` for every station of `stations`
    (a queryset of `area`'s stations) that has a figure, as one grouped query: the
    period's rows, or the rows of the periods covering a range (some taken away) added up
    per station, read from the stored rows' figure by its key — a city's 2,000 stations
    over 30 days are one grouped scan of `area`'s units, not a lookup per station."""
    if not fact.additive or fact.is_state:
        raise ValueError(f"{fact.key}: a station's value over a span is read for additive facts")
    rows = BucketRow.objects.filter(
        within_units(area),
        part=part_of(fact),
        station__in=stations.order_by().values("pk"),
        breakdown="",
    )
    figure = Cast(KeyTextTransform(fact.key, "figures"), FloatField())
    if span.is_period:
        rows = rows.filter(period_kind=span.period.kind, period_start=span.period.start)
    else:
        pieces = signed_covering(span.since, span.until)
        rows = rows.filter(_periods_q((p.kind, p.start) for p, _sign in pieces))
        taken_away = [(p.kind, p.start) for p, sign in pieces if sign < 0]
        if taken_away:
            figure = Case(When(_periods_q(taken_away), then=-figure), default=figure)
    return rows.order_by().values("station").annotate(total=Sum(figure))


def station_values(stations: QuerySet, area: Area, fact: Fact, span: Span) -> dict[int, float]:
    """{station id: value} of the additive `fact` over `span` for every station of
    `stations` (`area`'s) that has one, in one query (_station_totals)."""
    return dict(_station_totals(stations, area, fact, span).values_list("station", "total"))


def busiest_stations(
    stations: QuerySet, area: Area, fact: Fact, span: Span, limit: int
) -> list[tuple]:
    """[(station id, value)] of the `limit` stations of `stations` (`area`'s) with the
    highest value of the additive `fact` over `span` (above 0), highest first, one query."""
    totals = _station_totals(stations, area, fact, span).filter(total__gt=0)
    return list(totals.order_by("-total", "station").values_list("station", "total")[:limit])


def _station_value(fact: Fact, station: Station, span: Span) -> float:
    if not fact.station_path:
        return 0.0
    rows = fact.rows(since=span.since, until=span.until).filter(**{fact.station_path: station.pk})
    return rows.aggregate(v=fact._aggregate())["v"] or 0


def figures(user, node, span: Span, facts: list[Fact] | None = None) -> list[Figure]:
    """The node's figures for the span, with the previous span and the same span last year,
    and the ratios the user may read there — each with when it was computed."""
    area = node if isinstance(node, Area) else node.area
    facts = facts if facts is not None else facts_for(user, area)
    spans = [span, span.previous(), span.same_time_last_year()]
    found = values(facts, [node], spans)
    key = node_key(node)
    result = []
    by_key = {}
    for fact in facts:
        current = found.get((fact.key, key, 0, ""), (0.0, None))
        figure = Figure(
            key=fact.key,
            label=str(fact.label),
            value=current[0],
            previous=found.get((fact.key, key, 1, ""), (0.0, None))[0],
            last_year=found.get((fact.key, key, 2, ""), (0.0, None))[0],
            computed_at=current[1],
        )
        by_key[fact.key] = figure
        result.append(figure)
    for ratio in all_ratios():
        top, bottom = by_key.get(ratio.numerator), by_key.get(ratio.denominator)
        if top is None or bottom is None:
            continue
        result.append(
            Figure(
                key=ratio.key,
                label=str(ratio.label),
                value=ratio.of(top.value, bottom.value),
                previous=ratio.of(top.previous, bottom.previous),
                last_year=ratio.of(top.last_year, bottom.last_year),
                computed_at=min(filter(None, [top.computed_at, bottom.computed_at]), default=None),
                percent=ratio.percent,
                is_ratio=True,
            )
        )
    return result


def series(facts: list[Fact], node, kind: PeriodKind, since: dt.date, until: dt.date) -> dict:
    """{fact key: [(period, value)]} for each period of `kind` in [since, until): the line
    and bar charts. One or two queries."""
    from .periods import periods_between

    periods = periods_between(kind, since, until)
    spans = [Span.of(p) for p in periods]
    found = values(facts, [node], spans)
    key = node_key(node)
    return {
        fact.key: [
            (p, found.get((fact.key, key, i, ""), (0.0, None))[0]) for i, p in enumerate(periods)
        ]
        for fact in facts
    }


def children_of(node) -> list:
    """The nodes a dashboard drills down to: the child areas, then the stations placed on
    the area itself (a community's stations; the odd station a street or district keeps
    beside its communities), so the rows add up to the area's own figure."""
    if isinstance(node, Station):
        return []
    children = list(Area.objects.filter(parent=node).order_by("code"))
    return children + list(
        Station.objects.filter(area=node).select_related("area").order_by("name")
    )


def children_table(facts: list[Fact], node, span: Span, children=None) -> list[dict]:
    """One row per child (area or station) with every fact's value for the span: the ranked
    table, the choropleth and the monthly report's rows."""
    children = children if children is not None else children_of(node)
    found = values(facts, children, [span])
    rows = []
    for child in children:
        key = node_key(child)
        rows.append(
            {
                "node": child,
                "values": {f.key: found.get((f.key, key, 0, ""), (0.0, None))[0] for f in facts},
            }
        )
    return rows


def broken_down(fact: Fact, node, span: Span) -> dict[str, float]:
    """The fact's value by breakdown value for the node and span."""
    if not fact.breakdown:
        return {}
    found = values([fact], [node], [span], breakdown=True)
    key = node_key(node)
    return {
        bd: value
        for (fact_key, node_key_, index, bd), (value, _at) in found.items()
        if fact_key == fact.key and node_key_ == key and index == 0 and bd
    }


def pending_changes(area: Area) -> int:
    """Changes written but not yet rolled up, under the area (the freshness line)."""
    unit = (
        area.code[:6] if area.level not in (Area.Level.CITY, Area.Level.PROVINCE) else area.prefix
    )
    return DirtyBucket.objects.filter(district_code__startswith=unit).count()


def last_computed(area: Area) -> dt.datetime | None:
    return Bucket.objects.filter(area=area).aggregate(at=Max("computed_at"))["at"]


def coverage_snapshot(area: Area) -> CoverageSnapshot | None:
    """The 一刻钟服务圈 the nightly job last computed for the area (None before its first run)."""
    return CoverageSnapshot.objects.filter(area=area).first()
