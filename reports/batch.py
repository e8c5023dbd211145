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
which no row met a fact's `where` writes no bucket for it (absent is 0). Breakdowns are
grouped for areas; a station's buckets hold totals only (a station's hour-by-hour or
service-by-service figures would store about as many rows as were counted).

Facts whose breakdown counts each value of an array (services used) are left to the
engine's per-fact path (an array cannot be unnested inside GROUPING SETS).
"""

from functools import reduce
from operator import or_

from django.db import connection, models
from django.db.models import Case, F, Func, Q, Value, When

from core.facts import NO_BREAKDOWN_VALUE, Fact, Measure

from .models import AreaAncestry, Bucket, SealedPeriod
from .periods import PeriodKind

BUCKET = Bucket._meta.db_table
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
    if fact.over:
        field = model._meta.get_field(fact.over)
        value = F(fact.over)
        output = models.BigIntegerField() if field.is_relation else field
    else:
        value, output = Value(1), models.IntegerField()
    if not fact.where:
        return value
    return Case(When(fact.where, then=value), default=Value(None), output_field=output)


def _aggregate(fact: Fact, column: str) -> str:
    if fact.measure == Measure.SUM:
        return f"sum({column})"
    if fact.measure == Measure.DISTINCT:
        return f"count(DISTINCT {column})"
    return f"count({column})"


def rows_sql(facts: list[Fact], *, prefix: str, day_filter: Q | None):
    """The rows that count for any of `facts` (dated facts sharing one date field) under
    `prefix`, with each fact's contribution (m<i>) and breakdown value (b<i>)."""
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
        if fact.breakdown:
            columns[f"b{index}"] = fact.breakdown_expression()
    return rows.order_by().values(**columns).query.sql_with_params()


def computed_sql(
    facts: list[Fact], *, prefix, kinds, only: dict, day_filter=None, unit=None, units_like=None
):
    """SELECT fact, area_id, station_id, district_code, period_kind, period_start,
    breakdown, value — the buckets of `facts` for the periods in `only` ({kind: [start]}:
    a period whose days are not all among the rows read must not be written). With
    `unit`, only the nodes of that rollup unit; with `units_like`, every node of every unit
    under that prefix (a rebuild of a whole area in one pass). Periods a retention rule
    sealed are left out."""
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
    breakdowns = [i for i, fact in enumerate(facts) if fact.breakdown]
    periods = [f"{_TRUNC[kind]} AS p_{kind.value}" for kind in kinds]
    p = [f"p.p_{kind.value}" for kind in kinds]
    kind_case = " ".join(
        f"WHEN GROUPING({col}) = 0 THEN '{kind.value}'" for kind, col in zip(kinds, p, strict=True)
    )
    start = ", ".join(f"CASE WHEN GROUPING({col}) = 0 THEN {col} END" for col in p)
    aggregates = ", ".join(
        f"{_aggregate(fact, f'p.m{i}')} AS a{i}, count(p.m{i}) AS n{i}"
        for i, fact in enumerate(facts)
    )

    def area_select() -> tuple[str, list]:
        node = "anc.ancestor_id, anc.district_code"
        sets = [f"({node}, {col})" for col in p]
        sets += [f"({node}, {col}, p.b{i})" for col in p for i in breakdowns]
        if breakdowns:
            bd_fact = (
                "CASE "
                + " ".join(f"WHEN GROUPING(p.b{i}) = 0 THEN {i}" for i in breakdowns)
                + " ELSE -1 END"
            )
            bd_value = (
                "COALESCE("
                + ", ".join(
                    f"CASE WHEN GROUPING(p.b{i}) = 0 THEN coalesce(NULLIF(p.b{i}::text, ''), "
                    f"'{NO_BREAKDOWN_VALUE}') END"
                    for i in breakdowns
                )
                + ", '')"
            )
        else:
            bd_fact, bd_value = "-1", "''"
        where, extra = f"WHERE {area_scope}", scope_params
        return (
            f"SELECT anc.ancestor_id AS area_id, NULL::bigint AS station_id, "
            f"anc.district_code AS unit, CASE {kind_case} END AS kind, "
            f"COALESCE({start}) AS start, {bd_fact} AS bd_fact, {bd_value} AS bd, {aggregates} "
            f"FROM p JOIN {ANCESTRY} anc ON anc.area_id = p.rollup_area {where} "
            f"GROUP BY GROUPING SETS ({', '.join(sets)})",
            extra,
        )

    def station_select() -> tuple[str, list]:
        node = "p.rollup_station, p.rollup_unit"
        sets = [f"({node}, {col})" for col in p]
        where, extra = f"AND {station_scope}", scope_params
        return (
            f"SELECT NULL::bigint, p.rollup_station, p.rollup_unit, CASE {kind_case} END, "
            f"COALESCE({start}), -1, '', {aggregates} FROM p "
            f"WHERE p.rollup_station IS NOT NULL {where} GROUP BY GROUPING SETS ({', '.join(sets)})",
            extra,
        )

    selects, select_params = [], []
    for sql, extra in [area_select()] + ([station_select()] if facts[0].station_path else []):
        selects.append(sql)
        select_params += extra
    values = ", ".join(f"({i}, g.a{i}, g.n{i})" for i in range(len(facts)))
    keys = "ARRAY[" + ", ".join("%s" for _f in facts) + "]::text[]"
    sql = (
        f"WITH r AS MATERIALIZED ({inner}), p AS (SELECT r.*, {', '.join(periods)} FROM r) "
        f"SELECT ({keys})[v.i + 1] AS fact, g.area_id, g.station_id, g.unit AS district_code, "
        "g.kind AS period_kind, g.start AS period_start, g.bd AS breakdown, v.value "
        f"FROM ({' UNION ALL '.join(selects)}) AS g "
        "CROSS JOIN LATERAL (VALUES " + values + ") AS v(i, value, n) "
        "WHERE v.n > 0 AND (g.bd_fact = -1 OR g.bd_fact = v.i) "
        f"AND ({' OR '.join('(g.kind = %s AND g.start = ANY(%s))' for _k in only)}) "
        f"AND NOT EXISTS (SELECT 1 FROM {SEALED} s WHERE s.fact = ({keys})[v.i + 1] "
        "AND g.start < s.before)"
    )
    only_params = [x for kind, starts in only.items() for x in (kind.value, list(starts))]
    keys_params = [fact.key for fact in facts]
    # In the order the placeholders appear: the rows, the fact keys of the outer SELECT,
    # the unit scopes of the inner selects, the periods kept, the keys of the seal check.
    return sql, [*params, *keys_params, *select_params, *only_params, *keys_params]


UPSERT = f"""
INSERT INTO {BUCKET} (fact, district_code, area_id, station_id, period_kind, period_start,
                      breakdown, value, computed_at)
SELECT c.fact, c.district_code, c.area_id, c.station_id, c.period_kind, c.period_start,
       c.breakdown, coalesce(c.value, 0), %s
  FROM ({{computed}}) AS c
ON CONFLICT ON CONSTRAINT reports_bucket_one_per_node_period DO UPDATE
   SET value = EXCLUDED.value, computed_at = EXCLUDED.computed_at,
       district_code = EXCLUDED.district_code
"""


def write(facts, sql, params, *, stamp, starts: dict, unit=None, units_like=""):
    """Upsert what `sql` computed, then delete the buckets of the same facts, kinds and
    period starts in the unit (or every unit under `units_like`) this run did not write."""
    with connection.cursor() as cursor:
        cursor.execute(UPSERT.format(computed=sql), [stamp, *params])
        for kind, kind_starts in starts.items():
            if not kind_starts:
                continue
            scope, scope_param = (
                ("district_code = %s", unit)
                if unit
                else ("district_code LIKE %s", units_like + "%")
            )
            cursor.execute(
                f"DELETE FROM {BUCKET} b WHERE {scope} AND fact = ANY(%s) AND period_kind = %s "
                "AND period_start = ANY(%s) AND computed_at <> %s "
                f"AND NOT EXISTS (SELECT 1 FROM {SEALED} s WHERE s.fact = b.fact "
                "AND b.period_start < s.before)",
                [scope_param, [f.key for f in facts], kind.value, list(kind_starts), stamp],
            )
