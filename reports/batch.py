"""Many facts of one model in one pass over its rows (the rollup engine's fast path).

Facts of one model share its rows: the check-ins give visits, named and anonymous visits,
check-ins, far-away check-ins and distinct workers. Counting them one statement each reads
the same rows six times; at city scale (10 million check-ins) that is the whole cost. Here
one statement reads the rows once and computes, with GROUPING SETS, every fact for every
node (each area through the ancestry, and each station), for each period kind asked and
each fact's breakdown — then writes them with the same replace-don't-increment rule as the
rest of the engine (reports/engine.py). computed_sql's doc says how it keeps the grouping
cheap (a city's year of check-ins: BENCHMARKS.md).

Per row, fact i contributes `m<i>`: the value it counts (1, the summed field, or the value
whose distinct number is counted) when the row meets the fact's `where`, else NULL; so
count(m<i>), sum(m<i>) and count(DISTINCT m<i>) are each fact's figure, and a group in
which no row met a fact's `where` writes no figure for it (absent is 0). Each group becomes
one row per part (reports.facts.part_of) holding its facts' figures. Breakdowns are
grouped for areas; a station's rows hold totals only (a station's hour-by-hour or
service-by-service figures would store about as many rows as were counted).

A fact whose breakdown counts each value of an array (services used: a part of its own)
groups its totals from the rows and its breakdown from the array's values, unnested.
States (daily snapshots) are the engine's, computed alone.
"""

import datetime as dt
from functools import reduce
from operator import or_

from django.db import connection, models
from django.db.models import Case, F, Func, Q, Value, When

from core.facts import MEDIAN_SQL, NO_BREAKDOWN_VALUE, Fact, Measure

from .facts import dimension_of, part_of
from .models import AreaAncestry, BucketRow, SealedPeriod
from .periods import PeriodKind

BUCKET_ROW = BucketRow._meta.db_table
ANCESTRY = AreaAncestry._meta.db_table
SEALED = SealedPeriod._meta.db_table

_TRUNC = {
    PeriodKind.DAY: "x.rollup_day",
    PeriodKind.WEEK: "date_trunc('week', x.rollup_day)::date",  # ISO weeks: Monday
    PeriodKind.MONTH: "date_trunc('month', x.rollup_day)::date",
    PeriodKind.QUARTER: "date_trunc('quarter', x.rollup_day)::date",
    PeriodKind.YEAR: "date_trunc('year', x.rollup_day)::date",
}


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


# Finest first: the kind of a grouping row is its finest period column that is grouped.
_FINEST_FIRST = [
    PeriodKind.DAY,
    PeriodKind.WEEK,
    PeriodKind.MONTH,
    PeriodKind.QUARTER,
    PeriodKind.YEAR,
]
# Days, months, quarters and years nest; ISO weeks do not. A day's grouping set also names
# its month, quarter and year (the same groups: they follow from the day), so each set is
# a subset of the next and PostgreSQL computes the four kinds from ONE sort (a "rollup"
# chain of the grouping sets) instead of a sort each.
_NESTED = [PeriodKind.YEAR, PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.DAY]


def _grouped_periods(kind: PeriodKind, kinds: list[PeriodKind]) -> list[str]:
    if kind == PeriodKind.WEEK:
        return ["p.p_week"]
    chain = [k for k in _NESTED if k in kinds]
    return [f"p.p_{k.value}" for k in chain[: chain.index(kind) + 1]]


def _parts_of(facts: list[Fact]) -> dict[str, list[int]]:
    """{part: the indexes of its facts in `facts`}; a part is all additive or all distinct
    counts (reports.facts.part_of)."""
    parts: dict[str, list[int]] = {}
    for i, fact in enumerate(facts):
        parts.setdefault(part_of(fact), []).append(i)
    return parts


def _pre_aggregate(fact: Fact, column: str) -> str:
    return f"sum({column})" if fact.measure == Measure.SUM else f"count({column})"


def _aggregate(fact: Fact, column: str, *, pre_aggregated: bool) -> str:
    """The fact's figure over a group, NULL when no row of the group counted for it (so
    absent, not 0). Over pre-aggregated rows (additive facts) the figure is the sum of the
    partial sums or counts."""
    if fact.measure == Measure.DISTINCT:
        return f"NULLIF(count(DISTINCT {column}), 0)"
    if fact.measure == Measure.MEDIAN:  # NULL without a row, as above
        return MEDIAN_SQL.format(column=column)
    if fact.measure == Measure.SUM:
        return f"sum({column})"
    return f"NULLIF(sum({column}), 0)" if pre_aggregated else f"NULLIF(count({column}), 0)"


def _part_rows(
    facts: list[Fact], members: list[int], by: list[str], dims, unnest=None, where=""
) -> str:
    """A part's rows (`members`: its facts' indexes) for one grouping: the `by` columns of
    r, the values of the dimensions `dims` (each value of the array for `unnest`), and each
    fact's contribution (m<i>) — added up per distinct (by, dims) for an additive part (a
    hashed GROUP BY: far fewer groups than rows), as they are for distinct counts."""
    additive = facts[members[0]].additive
    counted = " OR ".join(f"r.m{i} IS NOT NULL" for i in members)
    columns = [f"r.{c}" for c in by] + [
        f"{'e.v' if j == unnest else f'r.b{j}'} AS b{j}" for j in dims
    ]
    source = "r" if unnest is None else f"r CROSS JOIN LATERAL unnest(r.b{unnest}) e(v)"
    if additive:
        values = [f"{_pre_aggregate(facts[i], f'r.m{i}')} AS m{i}" for i in members]
        grouped = f" GROUP BY {', '.join(str(n) for n in range(1, len(columns) + 1))}"
    else:
        values, grouped = [f"r.m{i}" for i in members], ""
    return f"(SELECT {', '.join(columns + values)} FROM {source} WHERE ({counted}){where}{grouped})"


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
    any fact of a part are left out.

    Each part is grouped on its own, so each pays only for what it needs: an additive part
    first adds its rows up per area (or station), day and breakdown values — a hashed
    GROUP BY over the rows, far fewer groups than rows — and only those partial sums are
    joined to the ancestry and grouped by node and period; a part of distinct counts
    groups its own rows (those that count for it) by node and period, without the other
    parts' breakdowns. Neither sorts the rows once per period kind (_NESTED)."""
    if unit:
        area_scope, station_scope, scope = "anc.district_code = %s", "x.rollup_unit = %s", unit
    else:
        area_scope, station_scope = "anc.district_code LIKE %s", "x.rollup_unit LIKE %s"
        scope = (units_like or "") + "%"
    inner, params = rows_sql(facts, prefix=prefix, day_filter=day_filter)
    dimensions = _dimensions(facts)
    kinds = [kind for kind in _FINEST_FIRST if kind in kinds]
    periods = ", ".join(f"{_TRUNC[kind]} AS p_{kind.value}" for kind in kinds)
    kind_case = " ".join(
        f"WHEN GROUPING(p.p_{kind.value}) = 0 THEN '{kind.value}'" for kind in kinds
    )
    start = ", ".join(
        f"CASE WHEN GROUPING(p.p_{kind.value}) = 0 THEN p.p_{kind.value} END" for kind in kinds
    )

    blocks, block_params = [], []
    for part, members in _parts_of(facts).items():
        additive = facts[members[0]].additive
        aggregates = ", ".join(
            f"{_aggregate(facts[i], f'p.m{i}', pre_aggregated=additive)} AS a{i}" for i in members
        )
        # The part's figures in a grouping row: each fact that belongs in it (every fact in
        # a totals row; in a breakdown row, the facts broken down by that dimension).
        pairs = []
        for i in members:
            dim = dimensions.index(dimension_of(facts[i])) if facts[i].breakdown else -2
            pairs.append(f"%s::text, CASE WHEN g.bd_dim IN (-1, {dim}) THEN g.a{i} END")
        figures = f"jsonb_strip_nulls(jsonb_build_object({', '.join(pairs)}))"
        heading = [part, [facts[i].key for i in members], *[facts[i].key for i in members]]

        # The areas' groupings: (dimensions grouped, with the totals, the array unnested).
        # A fact that counts each value of an array (its own part) groups its totals from
        # the rows as they are and its breakdown from the unnested values.
        dims = sorted(
            {dimensions.index(dimension_of(facts[i])) for i in members if facts[i].breakdown}
        )
        each = [
            dimensions.index(dimension_of(facts[i])) for i in members if facts[i].breakdown_each
        ]
        groupings = [([], True, None), (each, False, each[0])] if each else [(dims, True, None)]
        node = "anc.ancestor_id"
        for grouped, with_totals, unnest in groupings:
            sets = [f"({', '.join([node, *_grouped_periods(k, kinds)])})" for k in kinds]
            sets = (sets if with_totals else []) + [
                f"({', '.join([node, *_grouped_periods(k, kinds), f'p.b{j}'])})"
                for j in grouped
                for k in kinds
            ]
            if grouped:
                # Which dimension a grouping row is broken down by (-1: the totals), and
                # its value.
                bd_dim = (
                    "CASE "
                    + " ".join(f"WHEN GROUPING(p.b{j}) = 0 THEN {j}" for j in grouped)
                    + " ELSE -1 END"
                )
                bd_value = (
                    "COALESCE("
                    + ", ".join(
                        f"CASE WHEN GROUPING(p.b{j}) = 0 THEN coalesce(NULLIF(p.b{j}::text, ''),"
                        f" '{NO_BREAKDOWN_VALUE}') END"
                        for j in grouped
                    )
                    + ", '')"
                )
            else:
                bd_dim, bd_value = "-1", "''"
            area_rows = _part_rows(facts, members, ["rollup_area", "rollup_day"], grouped, unnest)
            # An area's unit follows from the area (its ancestry row to itself), so it is
            # looked up once per grouping row instead of being carried through the grouping.
            blocks.append(
                f"SELECT %s::text AS part, %s::text[] AS keys, g.area_id, NULL::bigint AS "
                f"station_id, u.district_code AS unit, g.kind, g.start, g.bd_dim, g.bd, "
                f"{figures} AS figures FROM (SELECT {node} AS area_id, CASE {kind_case} END AS "
                f"kind, COALESCE({start}) AS start, {bd_dim} AS bd_dim, {bd_value} AS bd, "
                f"{aggregates} FROM (SELECT x.*, {periods} FROM {area_rows} AS x) AS p "
                f"JOIN {ANCESTRY} anc ON anc.area_id = p.rollup_area WHERE {area_scope} "
                f"GROUP BY GROUPING SETS ({', '.join(sets)})) AS g "
                f"JOIN {ANCESTRY} u ON u.area_id = g.area_id AND u.ancestor_id = g.area_id"
            )
            block_params += [*heading, scope]
        if facts[0].station_path:
            # A station's rows hold totals only (the module's doc says why); its unit is
            # that of its rows' area, kept from the rows.
            station_rows = _part_rows(
                facts,
                members,
                ["rollup_station", "rollup_unit", "rollup_day"],
                [],
                where=" AND r.rollup_station IS NOT NULL",
            )
            node = "p.rollup_station, p.rollup_unit"
            sets = [f"({', '.join([node, *_grouped_periods(k, kinds)])})" for k in kinds]
            blocks.append(
                f"SELECT %s::text, %s::text[], NULL::bigint, g.station_id, g.unit, g.kind, "
                f"g.start, -1, '', {figures} FROM (SELECT p.rollup_station AS station_id, "
                f"p.rollup_unit AS unit, CASE {kind_case} END AS kind, COALESCE({start}) AS "
                f"start, -1 AS bd_dim, {aggregates} "
                f"FROM (SELECT x.*, {periods} FROM {station_rows} AS x "
                f"WHERE {station_scope}) AS p GROUP BY GROUPING SETS ({', '.join(sets)})) AS g"
            )
            block_params += [*heading, scope]

    # Only whole periods: those in `only` (None: every period the rows fall in is whole,
    # as in a rebuild that reads from the earliest start of every kind).
    periods_kept = (
        ""
        if only is None
        else f"AND ({' OR '.join('(g.kind = %s AND g.start = ANY(%s))' for _k in only)}) "
    )
    sql = (
        f"WITH r AS MATERIALIZED ({inner}) "
        "SELECT g.part, g.area_id, g.station_id, g.unit AS district_code, "
        "g.kind AS period_kind, g.start AS period_start, "
        "coalesce((%s::text[])[g.bd_dim + 1], '') AS dimension, g.bd AS breakdown, g.figures "
        f"FROM ({' UNION ALL '.join(blocks)}) AS g "
        "WHERE g.figures <> '{}'::jsonb "
        f"{periods_kept}AND NOT EXISTS (SELECT 1 FROM {SEALED} s WHERE s.fact = ANY(g.keys) "
        "AND g.start < s.before)"
    )
    only_params = (
        []
        if only is None
        else [x for kind, starts in only.items() for x in (kind.value, list(starts))]
    )
    # In the order the placeholders appear: the rows, the dimensions of the outer SELECT,
    # each block's part, keys, figure keys and scope, the periods kept.
    return sql, [*params, dimensions, *block_params, *only_params]


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
