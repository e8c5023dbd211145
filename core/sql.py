"""SQL functions as versioned files, installed by migrations.

Every SQL or PL/pgSQL function (trigger functions too) that a migration installs lives in
`<app>/sql/<function name>.v<N>.sql`, one `CREATE OR REPLACE FUNCTION <function name>(…)`
per file, with a comment above it that says the rule in words. A newcomer finds the rule by
its name; the migration that installs it is one line:

    operations = [sql_function("stations", "stations_check_in", 1, reverse_sql=DROP)]

A file is never edited once a migration has installed it. To change a rule, copy the newest
file to the next version, change the copy, and add a migration with
`sql_function(app, name, N + 1)` (its reverse installs version N again). A change of
signature is not a replacement but a new function: drop the old one in that migration.
Tests in tests/test_sql_functions.py compare the newest file of every function with what the
migrated test database holds (`pg_get_functiondef`), so a file no migration installs fails.
Everything else a migration runs in SQL (CREATE TRIGGER, indexes) stays in the migration.
The one exception: the rollups' marking trigger functions, one per counted table and event,
are written from the apps' facts by reports/triggers.py with their triggers (a new fact
needs no file or migration).
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import migrations

SQL_DIR = "sql"
FILE_NAME = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.sql$")


@dataclass(frozen=True)
class SqlFile:
    app_label: str
    name: str
    version: int
    path: Path

    def read(self) -> str:
        return self.path.read_text(encoding="utf-8")


def sql_path(app_label: str, name: str, version: int) -> Path:
    return Path(apps.get_app_config(app_label).path) / SQL_DIR / f"{name}.v{version}.sql"


def sql_text(app_label: str, name: str, version: int) -> str:
    """The text of `<app>/sql/<name>.v<version>.sql`."""
    return sql_path(app_label, name, version).read_text(encoding="utf-8")


def sql_function(
    app_label: str, name: str, version: int, *, reverse_sql: str | None = None
) -> migrations.RunSQL:
    """The migration operation that installs version `version` of function `name`. Its
    reverse is `reverse_sql` when given (a DROP FUNCTION for version 1), otherwise the
    previous version's file."""
    if reverse_sql is None:
        if version == 1:
            raise ValueError(f"{name}.v1: say how to undo it (reverse_sql='DROP FUNCTION …').")
        reverse_sql = sql_text(app_label, name, version - 1)
    return migrations.RunSQL(sql_text(app_label, name, version), reverse_sql)


def sql_files() -> list[SqlFile]:
    """Every `<app>/sql/*.sql` file of the installed apps. A file in sql/ whose name does not
    follow `<name>.v<N>.sql` is an error, not something to skip."""
    found = []
    for config in apps.get_app_configs():
        folder = Path(config.path) / SQL_DIR
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.sql")):
            match = FILE_NAME.match(path.name)
            if match is None:
                raise ValueError(f"{path}: SQL files are named <function name>.v<N>.sql")
            found.append(
                SqlFile(config.label, match["name"], int(match["version"]), path.resolve())
            )
    return found


def newest_sql_files() -> dict[str, SqlFile]:
    """The newest version of each function, by function name."""
    newest: dict[str, SqlFile] = {}
    for file in sql_files():
        other = newest.get(file.name)
        if other is not None and other.app_label != file.app_label:
            raise ValueError(f"{file.name}: a function in both {other.path} and {file.path}")
        if other is None or file.version > other.version:
            newest[file.name] = file
    return newest
