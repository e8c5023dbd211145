"""Many facts of one model in one pass over its rows (the rollup engine's fast path).

Facts of one model share its rows: the check-ins give visits, named and anonymous visits,
check-ins, far-away check-ins and distinct workers. Counting them one statement each reads
the same rows six times; at city scale (10 million check-ins) that is the whole cost. Here
one statement reads the rows once and computes, with GROUPING SETS, every fact for every
node (each area through the ancestry, and each station), for each period kind asked and
each fact's breakdown — then writes them with the same replace-don't-increment rule as the
rest of the engine (reports/engine.py).

Per row, fact i contributes `m<i>`: the value it counts (1, the summed field, or the value
whose distinct number is counted) when the row meets the fact's `where`, else NULL; so
count(m<i>), sum(m<i>) and count(DISTINCT m<i>) are each fact's figure, and a group in
which no row met a fact's `where` writes no figure for it (absent is 0). Each group becomes
one row per part (reports.facts.part_of) holding its facts' figures. Breakdowns are
grouped for areas; a station's rows hold totals only (a station's hour-by-hour or
service-by-service figures would store about as many rows as were counted).

Facts whose breakdown counts each value of an array (services used) are left to the
engine's per-fact path (an array cannot be unnested inside GROUPING SETS).
"""

import datetime as dt
from functools import reduce
from operator import or_

from django.db import connection, models
from django.db.models import Case, F, Func, Q, Value, When

from core.facts import NO_BREAKDOWN_VALUE, Fact, Measure

from .facts import dimension_of, part_of
from .models import AreaAncestry, BucketRow, SealedPeriod
from .periods import PeriodKind

BUCKET_ROW = BucketRow._meta.db_table
ANCESTRY = AreaAncestry._meta.db_table
SEALED = SealedPeriod._meta.db_table

_TRUNC = {
    PeriodKind.DAY: "r.rollup_day",
    PeriodKind.WEEK: "date_trunc('week', r.rollup_day)::date",  # ISO weeks: Monday
    PeriodKind.MONTH: "date_trunc('month', r.rollup_day)::date",
    PeriodKind.QUARTER: "date_trunc('quarter', r.rollup_day)::date",
    PeriodKind.YEAR: "date_trunc('year', r.rollup_day)::date",
}


def batchable(fact: Fact) -> bool:
    return not fact.breakdown_each


def _contribution(fact: Fact):
    model = fact.model_class
    if isinstance(fact.over, str) and fact.over:
        field = model._meta.get_field(fact.over)
        value = F(fact.over)
        output = models.BigIntegerField() if field.is_relation else field
    elif fact.over:
        value, output = fact.over, fact.over.output_field
    else:
        value, output = Value(1), models.IntegerField()
    if not fact.where:
        return value
    return Case(When(fact.where, then=value), default=Value(None), output_field=output)


def _aggregate(fact: Fact, column: str) -> str:
    """The fact's figure over a group, NULL when no row of the group counted for it (so
    absent, not 0): a sum of no values is NULL already, and counts of none are made so."""
    if fact.measure == Measure.SUM:
        return f"sum({column})"
    if fact.measure == Measure.DISTINCT:
        return f"NULLIF(count(DISTINCT {column}), 0)"
    return f"NULLIF(count({column}), 0)"


def _dimensions(facts: list[Fact]) -> list[str]:
    """The distinct things `facts` are broken down by, in order (facts.dimension_of)."""
    return list(dict.fromkeys(dimension_of(f) for f in facts if f.breakdown))


def rows_sql(facts: list[Fact], *, prefix: str, day_filter: Q | None):
    """The rows that count for any of `facts` (dated facts sharing one date field) under
    `prefix`, with each fact's contribution (m<i>) and each breakdown dimension's value
    (b<j>, _dimensions' order)."""
    first = facts[0]
    model = first.model_class
    rows = model._default_manager.filter(**{f"{first.area_path}__code__startswith": prefix})
    if all(fact.where for fact in facts):
        rows = rows.filter(reduce(or_, [fact.where for fact in facts]))
    if day_filter is not None:
        rows = rows.filter(day_filter)
    from .engine import _day_expression  # the one definition of a row's local day

    columns = {
        "rollup_area": F(first.area_path),
        "rollup_unit": Func(
            F(f"{first.area_path}__code"),
            F(f"{first.area_path}__level"),
            function="reports_district_code",
            output_field=models.CharField(),
        ),
        "rollup_station": F(first.station_path)
        if first.station_path
        else Value(None, models.BigIntegerField()),
        "rollup_day": _day_expression(first),
    }
    for index, fact in enumerate(facts):
        columns[f"m{index}"] = _contribution(fact)
    dimensions = _dimensions(facts)
    for index, dimension in enumerate(dimensions):
        fact = next(f for f in facts if f.breakdown and dimension_of(f) == dimension)
        columns[f"b{index}"] = fact.breakdown_expression()
    return rows.order_by().values(**columns).query.sql_with_params()


def computed_sql(
    facts: list[Fact], *, prefix, kinds, only: dict, day_filter=None, unit=None, units_like=None
):
    """SELECT part, area_id, station_id, district_code, period_kind, period_start,
    dimension, breakdown, figures — the rows of the parts of `facts` (whole parts: the
    caller passes every fact of each) for the periods in `only` ({kind: [start]}: a period
    whose days are not all among the rows read must not be written; None: every period
    the rows fall in, when the caller reads whole periods only). With `unit`, only
    the nodes of that rollup unit; with `units_like`, every node of every unit under that
    prefix (a rebuild of a whole area in one pass). Periods a retention rule sealed for
    any fact of a part are left out."""
    if unit:
        area_scope, station_scope, scope_params = (
            "anc.district_code = %s",
            "p.rollup_unit = %s",
            [unit],
        )
    else:
        area_scope, station_scope = "anc.district_code LIKE %s", "p.rollup_unit LIKE %s"
        scope_params = [(units_like or "") + "%"]
    inner, params = rows_sql(facts, prefix=prefix, day_filter=day_filter)
    dimensions = _dimensions(facts)
    periods = [f"{_TRUNC[kind]} AS p_{kind.value}" for kind in kinds]
    p = [f"p.p_{kind.value}" for kind in kinds]
    kind_case = " ".join(
        f"WHEN GROUPING({col}) = 0 THEN '{kind.value}'" for kind, col in zip(kinds, p, strict=True)
    )
    start = ", ".join(f"CASE WHEN GROUPING({col}) = 0 THEN {col} END" for col in p)
    aggregates = ", ".join(f"{_aggregate(fact, f'p.m{i}')} AS a{i}" for i, fact in enumerate(facts))

    def area_select() -> tuple[str, list]:
        node = "anc.ancestor_id, anc.district_code"
        sets = [f"({node}, {col})" for col in p]
        sets += [f"({node}, {col}, p.b{j})" for col in p for j in range(len(dimensions))]
        if dimensions:
            # Which dimension a grouping row is broken down by (-1: the totals), and its value.
            bd_dim = (
                "CASE "
                + " ".join(f"WHEN GROUPING(p.b{j}) = 0 THEN {j}" for j in range(len(dimensions)))
                + " ELSE -1 END"
            )
            bd_value = (
                "COALESCE("
                + ", ".join(
                    f"CASE WHEN GROUPING(p.b{j}) = 0 THEN coalesce(NULLIF(p.b{j}::text, ''), "
                    f"'{NO_BREAKDOWN_VALUE}') END"
                    for j in range(len(dimensions))
                )
                + ", '')"
            )
        else:
            bd_dim, bd_value = "-1", "''"
        return (
            f"SELECT anc.ancestor_id AS area_id, NULL::bigint AS station_id, "
            f"anc.district_code AS unit, CASE {kind_case} END AS kind, "
            f"COALESCE({start}) AS start, {bd_dim} AS bd_dim, {bd_value} AS bd, {aggregates} "
            f"FROM p JOIN {ANCESTRY} anc ON anc.area_id = p.rollup_area WHERE {area_scope} "
            f"GROUP BY GROUPING SETS ({', '.join(sets)})",
            scope_params,
        )

    def station_select() -> tuple[str, list]:
        # A station's rows hold totals only (the module's doc says why).
        node = "p.rollup_station, p.rollup_unit"
        sets = [f"({node}, {col})" for col in p]
        return (
            f"SELECT NULL::bigint, p.rollup_station, p.rollup_unit, CASE {kind_case} END, "
            f"COALESCE({start}), -1, '', {aggregates} FROM p "
            f"WHERE p.rollup_station IS NOT NULL AND {station_scope} "
            f"GROUP BY GROUPING SETS ({', '.join(sets)})",
            scope_params,
        )

    selects, select_params = [], []
    for sql, extra in [area_select()] + ([station_select()] if facts[0].station_path else []):
        selects.append(sql)
        select_params += extra

    # One row per part and grouping row: each of the part's facts that counted a row in
    # the group and belongs in it (every fact in a totals row; in a breakdown row, the
    # facts broken down by that dimension), as {"fact key": value}.
    parts: dict[str, list[int]] = {}
    for i, fact in enumerate(facts):
        parts.setdefault(part_of(fact), []).append(i)
    part_values, part_params = [], []
    for part, members in parts.items():
        pairs = []
        part_params += [part, [facts[i].key for i in members]]
        for i in members:
            fact = facts[i]
            dim = dimensions.index(dimension_of(fact)) if fact.breakdown else -2
            pairs.append(f"%s::text, CASE WHEN g.bd_dim IN (-1, {dim}) THEN g.a{i} END")
            part_params.append(fact.key)
        part_values.append(
            f"(%s, %s::text[], jsonb_strip_nulls(jsonb_build_object({', '.join(pairs)})))"
        )
    # Only whole periods: those in `only` (None: every period the rows fall in is whole,
    # as in a rebuild that reads from the earliest start of every kind).
    periods_kept = (
        ""
        if only is None
        else f"AND ({' OR '.join('(g.kind = %s AND g.start = ANY(%s))' for _k in only)}) "
    )
    sql = (
        f"WITH r AS MATERIALIZED ({inner}), p AS (SELECT r.*, {', '.join(periods)} FROM r) "
        "SELECT x.part, g.area_id, g.station_id, g.unit AS district_code, "
        "g.kind AS period_kind, g.start AS period_start, "
        "coalesce((%s::text[])[g.bd_dim + 1], '') AS dimension, g.bd AS breakdown, x.figures "
        f"FROM ({' UNION ALL '.join(selects)}) AS g "
        f"CROSS JOIN LATERAL (VALUES {', '.join(part_values)}) AS x(part, keys, figures) "
        "WHERE x.figures <> '{}'::jsonb "
        f"{periods_kept}AND NOT EXISTS (SELECT 1 FROM {SEALED} s WHERE s.fact = ANY(x.keys) "
        "AND g.start < s.before)"
    )
    only_params = (
        []
        if only is None
        else [x for kind, starts in only.items() for x in (kind.value, list(starts))]
    )
    # In the order the placeholders appear: the rows, the dimensions of the outer SELECT,
    # the unit scopes of the inner selects, the parts' keys, the periods kept.
    return sql, [*params, dimensions, *select_params, *part_params, *only_params]


INSERT = f"""
INSERT INTO {BUCKET_ROW} (part, district_code, area_id, station_id, period_kind, period_start,
                          dimension, breakdown, figures, computed_at)
SELECT c.part, c.district_code, c.area_id, c.station_id, c.period_kind, c.period_start,
       c.dimension, c.breakdown, c.figures, %s
  FROM ({{computed}}) AS c
"""
UPSERT = (
    INSERT
    + """ON CONFLICT ON CONSTRAINT reports_bucketrow_one_per_node_period DO UPDATE
   SET figures = EXCLUDED.figures, computed_at = EXCLUDED.computed_at,
       district_code = EXCLUDED.district_code
"""
)


def insert(sql, params, *, stamp) -> None:
    """Insert the rows `sql` computed where none of them can exist (a rebuild deleted
    them, holding the units' locks): a plain INSERT, the cheapest write."""
    with connection.cursor() as cursor:
        cursor.execute(INSERT.format(computed=sql), [stamp, *params])


def sealed_before(facts: list[Fact]) -> dt.date | None:
    """The day before which no period of these facts' rows may be recomputed: the latest
    seal of any of them (a row holds them all)."""
    found = SealedPeriod.objects.filter(fact__in=[f.key for f in facts]).aggregate(
        before=models.Max("before")
    )
    return found["before"]


def delete_stale(parts: dict[str, list[Fact]], starts: dict, *, stamp, unit=None, units_like=""):
    """Delete the rows of `parts` ({part: its facts}) for the kinds and period starts in
    `starts` in the unit (or every unit under `units_like`) that were not written at
    `stamp`: no row counts for them any more. Sealed periods stay."""
    scope, scope_param = (
        ("district_code = %s", unit) if unit else ("district_code LIKE %s", units_like + "%")
    )
    with connection.cursor() as cursor:
        for part, part_facts in parts.items():
            before = sealed_before(part_facts)
            for kind, kind_starts in starts.items():
                kept = [s for s in kind_starts if before is None or s >= before]
                if not kept:
                    continue
                cursor.execute(
                    f"DELETE FROM {BUCKET_ROW} WHERE {scope} AND part = %s AND period_kind = %s "
                    "AND period_start = ANY(%s) AND computed_at <> %s",
                    [scope_param, part, kind.value, kept, stamp],
                )


def write(facts, sql, params, *, stamp, starts: dict, unit=None, units_like=""):
    """Upsert the rows `sql` computed, then delete the rows of the same parts, kinds and
    period starts in the unit (or every unit under `units_like`) this run did not write."""
    with connection.cursor() as cursor:
        cursor.execute(UPSERT.format(computed=sql), [stamp, *params])
    parts: dict[str, list[Fact]] = {}
    for fact in facts:
        parts.setdefault(part_of(fact), []).append(fact)
    delete_stale(parts, starts, stamp=stamp, unit=unit, units_like=units_like)
