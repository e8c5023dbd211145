"""The rollup engine: compute a unit's buckets from raw rows and replace them (issue 13 §1;
DESIGN.md, "Rollups and dashboards").

One statement computes the facts of a model for every node of a unit at once (batch.py):
the rows (the facts' own querysets, compiled by the ORM, so `where`, the path to the area
and the breakdown mean exactly what `Fact.value` means) are joined to the area ancestry,
so each row counts in its area and in every area above it within the unit, and grouped by
node and period. Distinct counts are therefore computed per bucket and never added up;
additive facts compute their days from raw rows (a city's and a province's from the days of
the units below them: days_from_units_below) and their weeks and months from the days,
their quarters and years from the months.

Figures are stored by part (reports.facts.part_of: the facts one path computes together),
one BucketRow per part, node, period and breakdown value. Every write *replaces*: an
upsert sets the row's figures (`figures = EXCLUDED.figures`), then the rows of the same
unit, part and periods that this transaction did not write are deleted (their raw rows
are gone). Running the same work twice gives the same table.
"""

import datetime as dt
from collections.abc import Iterable
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from areas.models import Area
from core.facts import MEDIAN_SQL, NO_BREAKDOWN_VALUE, Fact, Measure

from . import batch
from .facts import dimension_of, part_of, whole_parts
from .models import AreaAncestry, BucketRow, district_code_of, is_above_districts
from .periods import KINDS, Period, PeriodKind, periods_between

LOCAL = ZoneInfo(settings.TIME_ZONE)

# Additive facts compute their longer periods from finer rows (the days from raw rows):
# weeks and months from the days, then quarters and years from the months — each pair in
# one statement per unit for all its additive parts.
SUMMED_FROM = {
    (PeriodKind.WEEK, PeriodKind.MONTH): PeriodKind.DAY,
    (PeriodKind.QUARTER, PeriodKind.YEAR): PeriodKind.MONTH,
}
# Distinct counts over these read every row of the period so far (a city's month is about
# a million check-ins, its year ten million): the beat's job leaves them to a run every
# ROLLUP_SLOW_SECONDS (reports.services); their computed-at says so. Their days, and every
# additive figure of every period, are recomputed at each beat.
SLOW_KINDS = (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)

_TRUNC = {
    PeriodKind.DAY: "{day}",
    PeriodKind.WEEK: "date_trunc('week', {day})::date",  # ISO weeks start on Monday
    PeriodKind.MONTH: "date_trunc('month', {day})::date",
    PeriodKind.QUARTER: "date_trunc('quarter', {day})::date",
    PeriodKind.YEAR: "date_trunc('year', {day})::date",
}

BUCKET_ROW = BucketRow._meta.db_table
ANCESTRY = AreaAncestry._meta.db_table
# One fact's figures, for the paths that compute a fact alone (a part of its own: a state,
# or a fact counting each value of an array).
UPSERT_ONE = f"""
INSERT INTO {BUCKET_ROW} (part, district_code, area_id, station_id, period_kind,
                          period_start, dimension, breakdown, figures, computed_at)
SELECT %s, %s, c.area_id, c.station_id, %s, c.period_start,
       CASE WHEN c.breakdown = '' THEN '' ELSE %s END, c.breakdown,
       jsonb_build_object(%s::text, coalesce(c.value, 0)), %s
  FROM ({{computed}}) AS c
ON CONFLICT ON CONSTRAINT reports_bucketrow_one_per_node_period DO UPDATE
   SET figures = EXCLUDED.figures, computed_at = EXCLUDED.computed_at,
       district_code = EXCLUDED.district_code
"""
# Additive parts' longer periods: each fact's figures in the finer rows added up (summed_sql
# gives one SELECT per part); a finer row counts in each target kind's period that holds it
# (a day in its week and in its month).
UPSERT_SUMMED = f"""
INSERT INTO {BUCKET_ROW} (part, district_code, area_id, station_id, period_kind,
                          period_start, dimension, breakdown, figures, computed_at)
SELECT s.part, %s, s.area_id, s.station_id, s.kind, s.start, s.dimension, s.breakdown,
       s.figures, %s
  FROM ({{summed}}) AS s
 WHERE s.figures <> '{{{{}}}}'::jsonb
ON CONFLICT ON CONSTRAINT reports_bucketrow_one_per_node_period DO UPDATE
   SET figures = EXCLUDED.figures, computed_at = EXCLUDED.computed_at,
       district_code = EXCLUDED.district_code
"""


def tune_transaction(*, large: bool) -> None:
    """This transaction's settings for rollup statements: ROLLUP_WORK_MEM to sort and hash
    in; JIT compilation for a rebuild's long statements (`large`), and none for the beat's
    small ones — their row estimates (a JSON document's pairs, a list of periods) are far
    too high, and compiling took longer than running (370 ms of an 800-ms statement).
    Connections start with JIT off (config.settings.base, DATABASES)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.ROLLUP_WORK_MEM])
        cursor.execute("SELECT set_config('jit', %s, true)", ["on" if large else "off"])


def _day_ranges(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as [since, until) ranges of consecutive days."""
    ranges: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if ranges and ranges[-1][1] == day:
            ranges[-1] = (ranges[-1][0], day + dt.timedelta(days=1))
        else:
            ranges.append((day, day + dt.timedelta(days=1)))
    return ranges


def _in_days(fact: Fact, ranges: list[tuple[dt.date, dt.date]]) -> Q:
    """Rows dated in the ranges, as a condition the date column's index can serve."""
    field = fact.model_class._meta.get_field(fact.date_field)
    condition = Q(pk__in=[])
    for since, until in ranges:
        if isinstance(field, models.DateTimeField):
            since_at = dt.datetime.combine(since, dt.time.min, tzinfo=LOCAL)
            until_at = dt.datetime.combine(until, dt.time.min, tzinfo=LOCAL)
        else:
            since_at, until_at = since, until
        condition |= Q(**{f"{fact.date_field}__gte": since_at, f"{fact.date_field}__lt": until_at})
    return condition


def _day_expression(fact: Fact):
    field = fact.model_class._meta.get_field(fact.date_field)
    if isinstance(field, models.DateTimeField):
        return TruncDate(fact.date_field, tzinfo=LOCAL)
    return F(fact.date_field)


def rows_sql(fact: Fact, unit: str, ranges=None, *, today=None):
    """The fact's rows in the unit as SQL: rollup_area, rollup_unit, rollup_station,
    rollup_day, rollup_bd, rollup_over. A state fact's rows are dated `today`."""
    rows = (
        fact.model_class._default_manager.filter(fact.where)
        .filter(**{f"{fact.area_path}__code__startswith": unit})
        .order_by()
    )
    if ranges is not None and not fact.is_state:
        rows = rows.filter(_in_days(fact, ranges))
    columns = {
        "rollup_area": F(fact.area_path),
        # The unit of the row's own area (reports_district_code is inlined: no join).
        "rollup_unit": Func(
            F(f"{fact.area_path}__code"),
            F(f"{fact.area_path}__level"),
            function="reports_district_code",
            output_field=models.CharField(),
        ),
        "rollup_station": F(fact.station_path)
        if fact.station_path
        else Value(None, models.BigIntegerField()),
        "rollup_day": Value(today, models.DateField()) if fact.is_state else _day_expression(fact),
    }
    if fact.breakdown:
        columns["rollup_bd"] = fact.breakdown_expression()
    if fact.measure != Measure.COUNT:
        columns["rollup_over"] = fact.over_expression()
    return rows.values(**columns).query.sql_with_params()


def _aggregate(fact: Fact) -> str:
    if fact.measure == Measure.SUM:
        return "sum(r.rollup_over)"
    if fact.measure == Measure.DISTINCT:
        return "count(DISTINCT r.rollup_over)"
    if fact.measure == Measure.MEDIAN:
        return MEDIAN_SQL.format(column="r.rollup_over")
    return "count(*)"


def computed_sql(fact: Fact, unit: str, kind: PeriodKind, ranges, *, today=None):
    """SELECT area_id, station_id, period_start, breakdown, value for every node of the
    unit and every period of `kind` the rows fall in."""
    inner, params = rows_sql(fact, unit, ranges, today=today)
    return computed_sql_over(fact, unit, kind, inner, params)


def computed_sql_over(fact: Fact, unit: str, kind: PeriodKind, inner: str, params):
    """computed_sql over the rows `inner` selects."""
    period = _TRUNC[kind].format(day="r.rollup_day")
    value = _aggregate(fact)
    breakdowns = [("''", "r", "")]
    if fact.breakdown:
        if fact.breakdown_each:
            breakdowns.append(
                (
                    f"coalesce(NULLIF(e.v::text, ''), '{NO_BREAKDOWN_VALUE}')",
                    "r CROSS JOIN LATERAL unnest(r.rollup_bd) AS e(v)",
                    ", 4",
                )
            )
        else:
            breakdowns.append(
                (f"coalesce(NULLIF(r.rollup_bd::text, ''), '{NO_BREAKDOWN_VALUE}')", "r", ", 4")
            )
    selects, select_params = [], []
    for breakdown, source, group in breakdowns:
        selects.append(
            f"SELECT anc.ancestor_id AS area_id, NULL::bigint AS station_id, {period} AS "
            f"period_start, {breakdown} AS breakdown, {value} AS value FROM {source} "
            f"JOIN {ANCESTRY} anc ON anc.area_id = r.rollup_area AND anc.district_code = %s "
            f"GROUP BY 1, 3{group}"
        )
        select_params.append(unit)
        # A station's figures are computed in the unit of the rows' area: its district's,
        # or a city's or province's for the rare row placed on the city itself.
        # Stations keep totals only (batch.py says why).
        if fact.station_path and not group:
            # Only the rows whose own area is in this unit: a province must not recount
            # (and relabel) the stations placed on one of its cities.
            selects.append(
                f"SELECT NULL::bigint, r.rollup_station, {period}, {breakdown}, {value} "
                f"FROM {source} WHERE r.rollup_station IS NOT NULL AND r.rollup_unit = %s "
                f"GROUP BY 2, 3{group}"
            )
            select_params.append(unit)
    sql = f"WITH r AS MATERIALIZED ({inner}) " + " UNION ALL ".join(selects)
    return sql, list(params) + select_params


def _open(periods: list[Period], facts: list[Fact]) -> list[Period]:
    """The periods a recomputation may touch: none that starts before the facts' seal."""
    before = batch.sealed_before(facts)
    return [p for p in periods if before is None or p.start >= before]


def _open_to_sums(periods: list[Period], facts: list[Fact]) -> list[Period]:
    """The periods an additive part may add up again from its finer rows: every one that
    ends after the seal. The finer rows of the sealed days are kept as computed, so a year
    that began before the seal still counts the rows written since."""
    before = batch.sealed_before(facts)
    return [p for p in periods if before is None or p.end > before]


def _write(fact: Fact, unit: str, kind: PeriodKind, periods: list[Period], sql, params, stamp):
    """Replace the unit's rows of a fact computed alone (its own part) for `periods`."""
    part = part_of(fact)
    assert part == fact.key, f"{fact.key} shares rows with other facts ({part})"
    starts = [p.start for p in periods]
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT_ONE.format(
                computed=f"SELECT * FROM ({sql}) AS x WHERE x.period_start = ANY(%s)"
            ),
            [part, unit, kind.value, dimension_of(fact), fact.key, stamp, *params, starts],
        )
    batch.delete_stale({part: [fact]}, {kind: starts}, stamp=stamp, unit=unit)


def _summed_sql(part: list[Fact], unit: str, kinds, finer: PeriodKind, periods):
    """SELECT part, kind, start, area_id, station_id, dimension, breakdown, figures: the
    part's rows of `kinds` for `periods` ({kind: [start]}) as sums of its `finer` rows,
    each fact's figure summed by its key (no row per figure, so a hashed GROUP BY)."""
    keys = [fact.key for fact in part]
    figures = ", ".join("%s::text, sum((b.figures ->> %s)::numeric)" for _key in keys)
    since = min(Period(kind, start).start for kind, starts in periods.items() for start in starts)
    until = max(Period(kind, start).end for kind, starts in periods.items() for start in starts)
    sql = (
        f"SELECT %s::text AS part, k.kind, k.start, b.area_id, b.station_id, b.dimension, "
        f"b.breakdown, jsonb_strip_nulls(jsonb_build_object({figures})) AS figures "
        f"FROM {BUCKET_ROW} b CROSS JOIN LATERAL (VALUES "
        + ", ".join(f"('{k.value}', {_TRUNC[k].format(day='b.period_start')})" for k in kinds)
        + ") AS k(kind, start) "
        "WHERE b.district_code = %s AND b.part = %s AND b.period_kind = %s "
        "AND b.period_start >= %s AND b.period_start < %s "
        "AND (k.kind, k.start) IN (SELECT * FROM unnest(%s::text[], %s::date[])) "
        "GROUP BY k.kind, k.start, b.area_id, b.station_id, b.dimension, b.breakdown"
    )
    targets = [(kind.value, start) for kind, starts in periods.items() for start in starts]
    params = [part_of(part[0]), *[x for key in keys for x in (key, key)], unit, part_of(part[0])]
    params += [finer.value, since, until, [k for k, _s in targets], [s for _k, s in targets]]
    return sql, params


def from_finer(parts: list[list[Fact]], unit: str, kinds, days, stamp) -> None:
    """Recompute the unit's rows of additive `parts` (each with all its facts) for the
    periods of `kinds` (a key of SUMMED_FROM) holding `days`, as sums of their finer
    rows, in one statement; then drop the rows of those periods no finer row supports."""
    selects, params, stale = [], [], []
    for part in parts:
        periods = {
            kind: [
                p.start
                for p in _open_to_sums(sorted({Period.containing(kind, d) for d in days}), part)
            ]
            for kind in kinds
        }
        periods = {kind: starts for kind, starts in periods.items() if starts}
        if not periods:
            continue
        sql, part_params = _summed_sql(part, unit, kinds, SUMMED_FROM[kinds], periods)
        selects.append(sql)
        params += part_params
        stale += [(part_of(part[0]), k.value, s) for k, starts in periods.items() for s in starts]
    if not selects:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT_SUMMED.format(summed=" UNION ALL ".join(selects)), [unit, stamp, *params]
        )
        cursor.execute(
            f"DELETE FROM {BUCKET_ROW} WHERE district_code = %s AND computed_at <> %s "
            "AND (part, period_kind, period_start) IN "
            "(SELECT * FROM unnest(%s::text[], %s::text[], %s::date[]))",
            [unit, stamp, *[list(column) for column in zip(*stale, strict=True)]],
        )


def _parts(facts: list[Fact]) -> list[list[Fact]]:
    groups: dict[str, list[Fact]] = {}
    for fact in facts:
        groups.setdefault(part_of(fact), []).append(fact)
    return list(groups.values())


def _by_date_field(facts: list[Fact]) -> list[list[Fact]]:
    groups: dict[str, list[Fact]] = {}
    for fact in facts:
        groups.setdefault(fact.date_field, []).append(fact)
    return list(groups.values())


def _starts(kinds, days) -> dict:
    return {kind: sorted({Period.containing(kind, d).start for d in days}) for kind in kinds}


def batch_periods(facts: list[Fact], unit: str, kinds, days, stamp) -> None:
    """Recompute `facts` (one model, one date field) for the periods of `kinds` holding
    `days`, from the raw rows, in one statement."""
    starts = _starts(kinds, days)
    ranges = _day_ranges(
        start + dt.timedelta(days=n)
        for kind, kind_starts in starts.items()
        for start in kind_starts
        for n in range(Period(kind, start).days)
    )
    sql, params = batch.computed_sql(
        facts,
        prefix=unit,
        kinds=kinds,
        only=starts,
        day_filter=_in_days(facts[0], ranges),
        unit=unit,
    )
    batch.write(facts, sql, params, stamp=stamp, starts=starts, unit=unit)


# A unit above the districts (a city, a province) adds up its additive days: the day rows
# of the areas just below it that roll up in other units (its districts, or a province's
# cities), counted in each of its own nodes above them, and the raw rows of its own areas
# (a station placed on the city itself). A city's day read from the raw rows was its whole
# day of check-ins, twice (the city, then the province): BENCHMARKS.md, (b). The units
# below must have rolled those days up first (services.roll_up_unit waits for them).
DAYS_FROM_UNITS_BELOW = f"""
WITH own AS ({{own}}),
boundary AS (
    SELECT child.area_id AS child_id, child.district_code AS child_unit,
           parent.area_id AS parent_id
      FROM {Area._meta.db_table} a
      JOIN {ANCESTRY} child ON child.area_id = a.id AND child.ancestor_id = a.id
      JOIN {ANCESTRY} parent ON parent.area_id = a.parent_id AND parent.ancestor_id = a.parent_id
     WHERE parent.district_code = %s AND child.district_code <> %s
),
added AS (
    SELECT b.part, anc.ancestor_id AS area_id, NULL::bigint AS station_id, b.period_start,
           b.dimension, b.breakdown, b.figures
      FROM boundary
      JOIN {BUCKET_ROW} b ON b.district_code = boundary.child_unit AND b.area_id = boundary.child_id
      JOIN {ANCESTRY} anc ON anc.area_id = boundary.parent_id AND anc.district_code = %s
     WHERE b.part = ANY(%s) AND b.period_kind = 'day' AND b.period_start = ANY(%s)
    UNION ALL
    SELECT own.part, own.area_id, own.station_id, own.period_start, own.dimension,
           own.breakdown, own.figures
      FROM own
),
by_key AS (
    SELECT a.part, a.area_id, a.station_id, a.period_start, a.dimension, a.breakdown, e.key,
           sum(e.value::numeric) AS total
      FROM added a CROSS JOIN LATERAL jsonb_each_text(a.figures) AS e
     GROUP BY 1, 2, 3, 4, 5, 6, 7
)
SELECT part, area_id, station_id, %s::text AS district_code, 'day'::text AS period_kind,
       period_start, dimension, breakdown, jsonb_object_agg(key, total) AS figures
  FROM by_key
 GROUP BY part, area_id, station_id, period_start, dimension, breakdown
"""


def days_from_units_below(facts: list[Fact], unit: str, days, stamp) -> None:
    """The days of additive `facts` (one model, one date field; whole parts) for a unit
    above the districts: DAYS_FROM_UNITS_BELOW, then the days' rows nothing counted
    any more are deleted. Sealed days are left as they are."""
    open_days = [
        p.start for p in _open([Period.containing(PeriodKind.DAY, d) for d in days], facts)
    ]
    if not open_days:
        return
    first = facts[0]
    own_areas = AreaAncestry.objects.filter(district_code=unit, area=F("ancestor")).values("area")
    own_sql, own_params = batch.computed_sql(
        facts,
        prefix=unit,
        kinds=[PeriodKind.DAY],
        only={PeriodKind.DAY: open_days},
        day_filter=_in_days(first, _day_ranges(open_days))
        & Q(**{f"{first.area_path}__in": own_areas}),
        unit=unit,
    )
    parts = sorted({part_of(f) for f in facts})
    sql = DAYS_FROM_UNITS_BELOW.format(own=own_sql)
    params = [*own_params, unit, unit, unit, parts, open_days, unit]
    batch.write(facts, sql, params, stamp=stamp, starts={PeriodKind.DAY: open_days}, unit=unit)


def recompute_days(
    facts: list[Fact], unit: str, days: Iterable[dt.date], stamp, *, slow=True
) -> bool:
    """Every row of the unit that counts a row of `facts` (one model's; the whole of their
    parts is recomputed) dated on one of `days`: the days, and the week, month, quarter
    and year holding each. Distinct counts over a quarter or a year read that whole
    period's rows; with `slow` off they are left (the caller marks them for a later, less
    frequent run) and True is returned."""
    days = sorted(set(days))
    dated = [f for f in whole_parts(facts) if not f.is_state]
    if not days or not dated:
        return False
    # The days of every fact from the raw rows: those of a date field in one statement. A
    # unit above the districts adds its additive days up from the units below it instead.
    for group in _by_date_field(dated):
        if is_above_districts(unit):
            distinct = [f for f in group if not f.additive]
            if distinct:
                batch_periods(distinct, unit, [PeriodKind.DAY], days, stamp)
            additive = [f for f in group if f.additive]
            if additive:
                days_from_units_below(additive, unit, days, stamp)
        else:
            batch_periods(group, unit, [PeriodKind.DAY], days, stamp)
    # Additive facts' longer periods from their days (then from the months).
    additive_parts = _parts([f for f in dated if f.additive])
    for kinds in SUMMED_FROM:
        from_finer(additive_parts, unit, kinds, days, stamp)
    # Distinct counts over longer periods from the raw rows, never added up: now, or left
    # to the less frequent run.
    distinct = [f for f in dated if not f.additive]
    if slow:
        recompute_slow(distinct, unit, days, stamp)
    return bool(distinct) and not slow


def recompute_slow(facts: list[Fact], unit: str, days, stamp) -> None:
    """The distinct counts over weeks and longer that recompute_days(slow=False) left."""
    days = sorted(set(days))
    distinct = [f for f in whole_parts(facts) if not f.is_state and not f.additive]
    for group in _by_date_field(distinct):
        batch_periods(group, unit, list(SLOW_KINDS), days, stamp)


def recompute_state(fact: Fact, unit: str, stamp, today: dt.date | None = None) -> None:
    """Today's snapshot of a state fact (counted as the rows are now) for every node of
    the unit. A node that had a figure on its last snapshot and has none now gets an
    explicit 0, so "the latest snapshot" always answers for the present."""
    today = today or timezone.localdate()
    sql, params = computed_sql(fact, unit, PeriodKind.DAY, None, today=today)
    _write(
        fact, unit, PeriodKind.DAY, [Period.containing(PeriodKind.DAY, today)], sql, params, stamp
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {BUCKET_ROW} (part, district_code, area_id, station_id, period_kind,
                                      period_start, dimension, breakdown, figures, computed_at)
            SELECT l.part, l.district_code, l.area_id, l.station_id, 'day', %s, l.dimension,
                   l.breakdown, jsonb_build_object(%s::text, 0), %s
              FROM (SELECT DISTINCT ON (area_id, station_id, dimension, breakdown) *
                      FROM {BUCKET_ROW}
                     WHERE district_code = %s AND part = %s AND period_kind = 'day'
                       AND period_start < %s
                     ORDER BY area_id, station_id, dimension, breakdown,
                              period_start DESC) AS l
             WHERE coalesce((l.figures ->> %s)::numeric, 0) <> 0
            ON CONFLICT ON CONSTRAINT reports_bucketrow_one_per_node_period DO NOTHING
            """,
            [today, fact.key, stamp, unit, part_of(fact), today, fact.key],
        )


def _span(facts: list[Fact], prefix: str) -> tuple[dt.date, dt.date] | None:
    """The first and last local day any of `facts` (one model, one date field) has rows
    on under `prefix`, or None."""
    first = facts[0]
    rows = first.model_class._default_manager.filter(
        **{f"{first.area_path}__code__startswith": prefix}
    )
    if all(f.where for f in facts):
        rows = rows.filter(reduce(or_, [f.where for f in facts]))
    day = _day_expression(first)
    found = rows.aggregate(first=models.Min(day), last=models.Max(day))
    if found["first"] is None:
        return None
    return found["first"], found["last"]


def rebuild(facts: list[Fact], prefix: str, stamp, *, since=None, unit=None) -> None:
    """Recompute every row of `facts` (one model's; their whole parts) under `prefix` from
    `since` (all time without it) from the raw rows, in one pass per date field for every
    node and every kind — every unit under the prefix, or only `unit` — and drop the rows
    no raw row supports any more. Sealed periods are left as they are."""
    facts = whole_parts(facts)
    scope = {"unit": unit} if unit else {"units_like": prefix}
    where, param = ("district_code = %s", unit) if unit else ("district_code LIKE %s", prefix + "%")

    def delete_from(facts_of_parts: list[Fact], start: dt.date) -> None:
        """Delete the parts' rows of periods starting on or after `start` (not sealed)."""
        with connection.cursor() as cursor:
            for part in _parts(facts_of_parts):
                seal = batch.sealed_before(part)
                cursor.execute(
                    f"DELETE FROM {BUCKET_ROW} WHERE {where} AND part = %s AND period_start >= %s",
                    [param, part_of(part[0]), max(filter(None, [start, seal]))],
                )

    dated = [f for f in facts if not f.is_state]
    for group in _by_date_field(dated):
        span = _span(group, prefix)
        first = max(span[0], since or span[0]) if span else None
        if span is None or first > span[1]:
            delete_from(group, since or dt.date.min)
            continue
        last = span[1]
        starts = {
            kind: [p.start for p in periods_between(kind, first, last + dt.timedelta(days=1))]
            for kind in KINDS
        }
        # Every period touched is read whole, from the earliest start of any kind (a week
        # that began in the previous year included); every row from there on is deleted
        # and written again, so the write is a plain INSERT with nothing stale left.
        since_day = min(min(kind_starts) for kind_starts in starts.values())
        delete_from(group, since_day if since else dt.date.min)
        sql, params = batch.computed_sql(
            group,
            prefix=prefix,
            kinds=KINDS,
            only=None,
            day_filter=_in_days(group[0], [(since_day, last + dt.timedelta(days=1))]),
            **scope,
        )
        batch.insert(sql, params, stamp=stamp)
    # States are computed alone, unit by unit (the units are read — a scan of the model's
    # rows — only when there are states to compute).
    states = [f for f in facts if f.is_state]
    units = [unit] if unit or not states else _units_with_rows(facts, prefix)
    for fact in states:
        for each_unit in units:
            recompute_state(fact, each_unit, stamp)


def _units_with_rows(facts: list[Fact], prefix: str) -> list[str]:
    """The rollup units under `prefix` that hold rows of the model, and the units above
    them within the prefix (a city or province counts its districts' rows)."""
    first = facts[0]
    found = set(
        first.model_class._default_manager.filter(
            **{f"{first.area_path}__code__startswith": prefix}
        )
        .order_by()
        .values_list(
            Func(
                F(f"{first.area_path}__code"),
                F(f"{first.area_path}__level"),
                function="reports_district_code",
                output_field=models.CharField(),
            ),
            flat=True,
        )
        .distinct()
    )
    above = AreaAncestry.objects.filter(
        area__in=AreaAncestry.objects.filter(district_code__in=found).values("ancestor"),
        district_code__startswith=prefix,
    ).values_list("district_code", flat=True)
    return sorted(found | set(above), key=lambda u: (-len(u), u))


def refresh_ancestry() -> set[str]:
    """Make the ancestry table match the tree; return the units whose areas' ancestors
    changed (each must be recomputed, with the units of the ancestors it left and joined)."""
    areas = list(Area.objects.values_list("id", "code", "level"))
    by_prefix: dict[str, list[tuple[int, str]]] = {}
    for pk, code, level in areas:
        area = Area(code=code, level=level)
        by_prefix.setdefault(area.prefix, []).append((pk, district_code_of(area)))
    wanted: set[tuple[int, int, str]] = set()
    unit_of: dict[int, str] = {}
    for pk, code, level in areas:
        unit_of[pk] = district_code_of(Area(code=code, level=level))
        for length in sorted(set(Area.PREFIX_LENGTH.values())):
            for ancestor, unit in by_prefix.get(code[:length], []):
                wanted.add((pk, ancestor, unit))
    have = set(AreaAncestry.objects.values_list("area_id", "ancestor_id", "district_code"))
    gone, new = have - wanted, wanted - have
    if not gone and not new:
        return set()
    for area_id, ancestor_id, _unit in gone:
        AreaAncestry.objects.filter(area_id=area_id, ancestor_id=ancestor_id).delete()
    AreaAncestry.objects.bulk_create(
        [AreaAncestry(area_id=a, ancestor_id=b, district_code=u) for a, b, u in new],
        ignore_conflicts=True,
    )
    return {unit for *_pair, unit in gone | new} | {
        unit_of[a] for a, _b, _u in gone | new if a in unit_of
    }
