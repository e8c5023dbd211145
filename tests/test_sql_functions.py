"""Every SQL function the migrations install is the newest file of its name in <app>/sql/
(core/sql.py): a rule is found by its name, and a change is a new file plus a one-line
migration. A file that no migration installed, a migration that installs something else,
or a function in the database that has no file fails here (except the rollups' marking
functions, which reports/triggers.py writes from the facts, as it writes their triggers)."""

import re

import pytest
from django.db import connection

from core.sql import newest_sql_files, sql_files
from reports import triggers

pytestmark = pytest.mark.django_db

SCRATCH_SCHEMA = "sql_file_check"

# Functions of this database that belong to no extension (PostGIS and the others are theirs).
OWN_FUNCTIONS = """
SELECT p.oid, p.proname
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = %s
   AND NOT EXISTS (
       SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
   )
"""


def _functions(cursor, schema: str) -> dict[str, list[int]]:
    cursor.execute(OWN_FUNCTIONS, [schema])
    found: dict[str, list[int]] = {}
    for oid, name in cursor.fetchall():
        found.setdefault(name, []).append(oid)
    return found


def _definition(cursor, oid: int, schema: str) -> str:
    """The function as PostgreSQL prints it, its schema left out and whitespace collapsed
    (the server keeps a body's text as written)."""
    cursor.execute("SELECT pg_get_functiondef(%s)", [oid])
    text = cursor.fetchone()[0].replace(f"{schema}.", "", 1)
    return re.sub(r"\s+", " ", text).strip()


def test_sql_files_are_named_by_function_and_version():
    files = sql_files()
    assert files, "no <app>/sql/*.vN.sql files found"
    by_name: dict[str, list[int]] = {}
    for file in files:
        by_name.setdefault(file.name, []).append(file.version)
    for name, versions in by_name.items():
        assert sorted(versions) == list(range(1, len(versions) + 1)), (
            f"{name}: versions {sorted(versions)} should run 1, 2, … without a gap"
        )


def test_database_functions_are_the_newest_files():
    """Each newest file, run in a scratch schema, makes the same function as the one the
    migrations installed: PostgreSQL prints both, so signature, volatility and body are
    all compared, not only the text between the dollar quotes."""
    newest = newest_sql_files()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        installed = _functions(cursor, schema)

        # The rollups' marking functions are written from the facts, as their triggers are
        # (reports/triggers.py; reports/tests check them against the facts).
        generated = {t.function for t in triggers.wanted() if t.function}
        without_file = sorted(set(installed) - set(newest) - generated)
        assert not without_file, (
            f"functions in the database without a file in <app>/sql/: {without_file}"
        )
        not_installed = sorted(set(newest) - set(installed))
        assert not not_installed, f"files no migration installed: {not_installed}"
        overloaded = sorted(name for name, oids in installed.items() if len(oids) > 1)
        assert not overloaded, (
            f"several functions of one name (an old signature left behind?): {overloaded}"
        )

        # The test's transaction is rolled back afterwards, the scratch schema with it.
        cursor.execute(f"CREATE SCHEMA {SCRATCH_SCHEMA}")
        cursor.execute(f"SET LOCAL search_path TO {SCRATCH_SCHEMA}, {schema}")
        for name, file in sorted(newest.items()):
            cursor.execute(file.read())
            made = _functions(cursor, SCRATCH_SCHEMA).get(name)
            assert made and len(made) == 1, f"{file.path} does not create function {name}"
            expected = _definition(cursor, made[0], SCRATCH_SCHEMA)
            actual = _definition(cursor, installed[name][0], schema)
            assert actual == expected, (
                f"{name} in the database is not {file.path.name}: install the newest file "
                f"with a migration (core.sql.sql_function); an installed file is never "
                f"edited, a change goes in a new version"
            )
