"""The triggers that mark rollup buckets dirty, kept in step with the facts the apps
describe (issue 13 §1: "marking belongs in the database").

For each model that facts count (a *source*), three statement-level triggers with
transition tables on its table — after INSERT, UPDATE and DELETE — each call a function of
their own, written here (`_mark_dirty_function`): it inserts the finest buckets the changed
rows count in (the source, the row's area, the local day of each date the facts count by)
into reports_dirtybucket. Each table on the way from a source's rows to their area (a
check-in's station, a points entry's account and worker) gets an UPDATE trigger calling
reports_mark_dirty_via() (reports/sql/), so a station moved to another community marks its
check-ins' buckets in both. The area tree itself has a trigger that marks it changed.

Why a function per trigger: these triggers run on every write of the busiest tables (every
check-in, every case), and a function of static SQL keeps its plan for the connection,
where one generic function building its statement from the trigger's arguments had it
planned again on every write — three times the cost of recording a case (BENCHMARKS.md,
issue 16). That generic function, reports_mark_dirty() (reports/sql/), stays installed by
its migration but no trigger calls it any more. The rarely fired "via" triggers stay
generic.

A new fact in an app's facts.py needs no migration of its own: `sync()` runs after every
migrate (reports.apps) and adds, replaces and drops triggers and their functions until the
database matches the facts.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection as default_connection
from django.db import models

from areas.models import Area
from core.facts import Fact

from .facts import all_facts

TRIGGER_PREFIX = "reports_dirty_"
TREE_TRIGGER = "reports_dirty_tree"


@dataclass(frozen=True)
class Hop:
    """One step from a row towards its area: `table.column` holds the id of a `target`
    row."""

    table: str
    column: str
    target: str


@dataclass(frozen=True)
class Trigger:
    table: str
    name: str
    sql: str
    needs: frozenset[str] = frozenset()  # every table its joins name
    function: str = ""  # the function of its own it calls, if it has one (made by `sql`)


def _hops(model: type[models.Model], path: str) -> list[Hop]:
    hops, current = [], model
    for name in path.split("__"):
        field = current._meta.get_field(name)
        target = field.related_model
        if target._meta.pk.column != "id":
            raise ValueError(f"{model.__name__}.{path}: {target.__name__}'s key is not id")
        hops.append(Hop(current._meta.db_table, field.column, target._meta.db_table))
        current = target
    if current is not Area:
        raise ValueError(f"{model.__name__}.{path} does not lead to an Area")
    return hops


def _quote(name: str) -> str:
    return default_connection.ops.quote_name(name)


def _forward(hops: list[Hop], start: str) -> str:
    """Joins from `start` (an SQL expression holding the id of hops[0].target's row) to
    the area, aliased a."""
    joins = []
    for index, hop in enumerate(hops):
        alias = "a" if index == len(hops) - 1 else f"f{index}"
        joins.append(f"JOIN {_quote(hop.target)} {alias} ON {alias}.id = {start}")
        if index + 1 < len(hops):
            start = f"{alias}.{_quote(hops[index + 1].column)}"
    return " ".join(joins)


def _days(model: type[models.Model], facts: list[Fact]) -> str:
    """The VALUES list of (local day, is_state) over a changed row r."""
    pairs, seen = [], set()
    for fact in facts:
        if fact.is_state:
            continue
        field = model._meta.get_field(fact.date_field)
        column = f"r.{_quote(field.column)}"
        if isinstance(field, models.DateTimeField):
            # A literal, not a parameter: trigger arguments are text. TIME_ZONE is a
            # setting of ours, never user input.
            day = f"({column} AT TIME ZONE '{settings.TIME_ZONE}')::date"
        else:
            day = f"{column}::date"
        if day not in seen:
            seen.add(day)
            pairs.append(f"({day}, false)")
    if any(fact.is_state for fact in facts):
        pairs.append("(NULL::date, true)")
    return ", ".join(pairs)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _mark_dirty_function(name: str, label: str, to_area: str, days: str, changed) -> str:
    """A trigger function marking the buckets of the rows in the transition tables
    `changed` ("old_rows", "new_rows"): each row's area (joined by `to_area` from r to a)
    and each local day of `days` (a VALUES list of (day, is_state) over r; a state counts
    the rows as they are now, and the job dates it)."""
    inserts = "".join(
        "INSERT INTO reports_dirtybucket (source, district_code, area_id, day, marked_at) "
        f"SELECT DISTINCT {_literal(label)}, reports_district_code(a.code, a.level), a.id, "
        f"d.day, now() FROM {rows} r {to_area} "
        f"CROSS JOIN LATERAL (VALUES {days}) AS d(day, is_state) "
        "WHERE d.day IS NOT NULL OR d.is_state; "
        for rows in changed
    )
    return (
        f"CREATE OR REPLACE FUNCTION {_quote(name)}() RETURNS trigger LANGUAGE plpgsql "
        f"AS $mark$ BEGIN {inserts}RETURN NULL; END $mark$"
    )


def sources() -> dict[str, list[Fact]]:
    """The facts of each source model, by "app_label.modelname"."""
    found: dict[str, list[Fact]] = {}
    for fact in all_facts():
        found.setdefault(fact.model_class._meta.label_lower, []).append(fact)
    return found


def source_model(label: str) -> type[models.Model]:
    return next(f.model_class for f in all_facts() if f.model_class._meta.label_lower == label)


def wanted() -> list[Trigger]:
    """Every trigger the facts call for."""
    triggers = [
        Trigger(
            Area._meta.db_table,
            TREE_TRIGGER,
            f"CREATE OR REPLACE TRIGGER {TREE_TRIGGER} "
            f"AFTER INSERT OR UPDATE OR DELETE ON {_quote(Area._meta.db_table)} "
            "FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_tree_changed()",
        )
    ]
    for label, facts in sources().items():
        model = facts[0].model_class
        table = model._meta.db_table
        paths = {fact.area_path for fact in facts}
        if len(paths) != 1:
            raise ValueError(f"{label}: its facts reach their area by different paths {paths}")
        hops = _hops(model, paths.pop())
        needs = frozenset(hop.table for hop in hops) | {Area._meta.db_table}
        days = _days(model, facts)
        to_area = _forward(hops, f"r.{_quote(hops[0].column)}")
        for event, changed in (
            ("INSERT", ["new_rows"]),
            ("UPDATE", ["old_rows", "new_rows"]),
            ("DELETE", ["old_rows"]),
        ):
            name = f"{TRIGGER_PREFIX}{table}_{event.lower()}"[:63]
            referencing = " ".join(
                f"{rows.split('_')[0].upper()} TABLE AS {rows}" for rows in changed
            )
            triggers.append(
                Trigger(
                    table,
                    name,
                    _mark_dirty_function(name, label, to_area, days, changed)
                    + f"; CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {_quote(table)} "
                    f"REFERENCING {referencing} FOR EACH STATEMENT "
                    f"EXECUTE FUNCTION {_quote(name)}()",
                    needs,
                    function=name,
                )
            )
        # The tables between the rows and their area: hops[k].table for k ≥ 1.
        for k in range(1, len(hops)):
            via = hops[k]
            back = []  # from the changed row x back to the source's rows r
            previous = "x"
            for j in range(k - 1, -1, -1):
                alias = "r" if j == 0 else f"b{j}"
                back.append(
                    f"JOIN {_quote(hops[j].table)} {alias} "
                    f"ON {alias}.{_quote(hops[j].column)} = {previous}.id"
                )
                previous = alias
            onward = _forward(hops[k:], "x.onward")
            name = f"{TRIGGER_PREFIX}via_{table}"[:63]
            triggers.append(
                Trigger(
                    via.table,
                    name,
                    f"CREATE OR REPLACE TRIGGER {name} AFTER UPDATE ON {_quote(via.table)} "
                    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
                    "FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_dirty_via("
                    f"{_literal(label)}, {_literal(via.column)}, {_literal(' '.join(back))}, "
                    f"{_literal(onward)}, {_literal(days)})",
                    needs,
                )
            )
    return triggers


def installed(connection=default_connection) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgname LIKE %s",
            [TRIGGER_PREFIX.replace("_", r"\_") + "%"],
        )
        return set(cursor.fetchall())


def trigger_functions(connection=default_connection) -> set[str]:
    """The marking functions of our triggers in the database (`_mark_dirty_function`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname FROM pg_proc WHERE proname LIKE %s",
            [TRIGGER_PREFIX.replace("_", r"\_") + "%"],
        )
        return {name for (name,) in cursor.fetchall()}


def sync(connection=default_connection) -> None:
    """Make the database's marking triggers exactly those the facts call for. Tables that
    do not exist yet (a database migrated part of the way) are left until they do."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        cursor.execute(
            "SELECT 1 FROM pg_proc WHERE proname = 'reports_mark_dirty_via'"
        )  # the functions come with reports' migrations
        if cursor.fetchone() is None:
            return
        triggers = [t for t in wanted() if t.table in tables and t.needs <= tables]
        keep = {(t.table, t.name) for t in triggers}
        for table, name in installed(connection) - keep:
            cursor.execute(f"DROP TRIGGER IF EXISTS {_quote(name)} ON {_quote(table)}")
        for trigger in triggers:
            cursor.execute(trigger.sql)
        for name in trigger_functions(connection) - {t.function for t in triggers}:
            cursor.execute(f"DROP FUNCTION IF EXISTS {_quote(name)}()")
