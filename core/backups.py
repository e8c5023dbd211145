"""Backup and restore of a whole deployment: the database, the personal-data keys and the
media files together — the database's ID numbers are unreadable without the keys.

A backup is one directory:

    manifest.json        when, what (row counts of every platform table, applied migrations,
                         PostGIS version), the keys' ids and fingerprints, each file's SHA-256
    database.dump        pg_dump, custom format, taken in the same snapshot as the counts
    personal-data.keys   the keyring in the keyring-file format (core/crypto.py), mode 0600
    media.tar            MEDIA_ROOT (station photos…)
    private-media.tar    PRIVATE_MEDIA_ROOT (photos served only through scoped views)

Restore checks everything it can before it changes anything (files intact, the keys fit
what is configured, PostGIS present, the database empty unless --force), then loads the
database in one transaction, installs the keys and the media, and proves the result: the
same row counts as the manifest, and encrypted values that decrypt.

Whoever holds a backup holds every worker's personal data in the clear: keep backups where
only the district's administrators reach, encrypted at rest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from core import crypto

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
KEYS = "personal-data.keys"
MEDIA = "media.tar"
# Each media folder (a setting) and its archive in the backup.
MEDIA_ARCHIVES = {"MEDIA_ROOT": MEDIA, "PRIVATE_MEDIA_ROOT": "private-media.tar"}
# Encrypted values decrypted after a restore, per encrypted column: enough to prove the keys.
DECRYPT_SAMPLE = 200


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, in plain words."""


@dataclass
class Database:
    """Where a database is, from DATABASES (the name may be overridden for a restore drill)."""

    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, using: str = "default", name: str | None = None) -> Database:
        conf = connections[using].settings_dict  # the test database's name under pytest
        return cls(
            name=name or conf["NAME"],
            user=conf.get("USER") or "",
            password=conf.get("PASSWORD") or "",
            host=conf.get("HOST") or "",
            port=str(conf.get("PORT") or ""),
        )

    def connect(self, **kwargs) -> psycopg.Connection:
        params = {"dbname": self.name, "user": self.user, "password": self.password}
        params.update(host=self.host, port=self.port)
        return psycopg.connect(**{k: v for k, v in params.items() if v}, **kwargs)

    def cli_args(self) -> list[str]:
        args = [f"--dbname={self.name}"]
        args += [f"--{opt}={value}" for opt, value in self._options() if value]
        return args

    def _options(self):
        return (("host", self.host), ("port", self.port), ("username", self.user))

    def env(self) -> dict[str, str]:
        env = {**os.environ}
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


@dataclass
class Report:
    directory: Path
    manifest: dict
    notes: list[str] = field(default_factory=list)


# --- helpers ----------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fingerprint(secret: bytes) -> str:
    """Tells two keys apart without revealing them."""
    return hmac.new(secret, b"warmstations key fingerprint", hashlib.sha256).hexdigest()[:16]


def _keys_summary(keyring: crypto.Keyring) -> dict:
    return {
        "current": keyring.current.key_id,
        "field_keys": [
            {"id": k.key_id, "algorithm": k.algorithm, "fingerprint": _fingerprint(k.secret)}
            for k in keyring.field_keys
        ],
        "blind_index_fingerprint": _fingerprint(keyring.blind_index_key),
    }


def _covers(configured: crypto.Keyring, wanted: crypto.Keyring) -> bool:
    """`configured` decrypts everything `wanted` does and computes the same blind indexes."""
    if configured.blind_index_key != wanted.blind_index_key:
        return False
    have = {(k.key_id, k.algorithm, k.secret) for k in configured.field_keys}
    return all((k.key_id, k.algorithm, k.secret) in have for k in wanted.field_keys)


def _platform_tables() -> list[str]:
    """Every table of the platform's apps and the accounts: the manifest's row counts."""
    labels = {app for layer in settings.PLATFORM_APP_LAYERS for app in layer} | {"auth"}
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models()
            if model._meta.app_label in labels and model._meta.managed and not model._meta.proxy
        }
    )


def _count_rows(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _run(args: list[str], env: dict, what: str, **kwargs) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(args, env=env, capture_output=True, **kwargs)
    except FileNotFoundError:
        raise BackupError(
            _("%(program)s is not installed (Debian: apt-get install postgresql-client).")
            % {"program": args[0]}
        ) from None
    if result.returncode != 0:
        raise BackupError(
            _("%(what)s failed: %(error)s")
            % {"what": what, "error": result.stderr.decode(errors="replace").strip()[-800:]}
        )
    return result


def _files_in(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


# --- backup -----------------------------------------------------------------------------


def backup_create(directory: Path, *, using: str = "default") -> Report:
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(
            _("%(dir)s is not empty: give a new directory for the backup.") % {"dir": directory}
        )
    try:
        keyring = crypto.keyring()
    except ImproperlyConfigured as error:
        raise BackupError(str(error)) from None
    db = Database.from_settings(using)
    created = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory.chmod(0o700)
    try:
        return _write_backup(directory, keyring, db)
    except BaseException:
        # A half-written backup is worse than none (and it holds the keys): remove it.
        if created:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            for path in directory.iterdir():
                path.unlink() if path.is_file() else shutil.rmtree(path, ignore_errors=True)
        raise


def _write_backup(directory: Path, keyring: crypto.Keyring, db: Database) -> Report:

    keys_path = directory / KEYS
    keys_path.touch(mode=0o600)
    keys_path.write_text(crypto.format_keyring_file(keyring))

    # One snapshot for the counts and the dump: the manifest describes exactly the dump.
    with db.connect(autocommit=False) as conn, conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        cursor.execute("SELECT extname, extversion FROM pg_extension WHERE extname <> 'plpgsql'")
        extensions = dict(cursor.fetchall())
        existing = set(_user_tables(cursor))
        if "django_migrations" not in existing:
            raise BackupError(
                _("The database %(name)s holds no platform tables yet: nothing to back up.")
                % {"name": db.name}
            )
        cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
        migrations = dict(cursor.fetchall())
        # Tables of migrations not applied yet are not in the dump either.
        counts = _count_rows(cursor, [t for t in _platform_tables() if t in existing])
        used_key_ids = _key_ids_in_use(cursor, existing)
        _run(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={directory / DUMP}",
                *db.cli_args(),
            ],
            db.env(),
            _("The database dump (pg_dump)"),
        )
        conn.rollback()
    missing = sorted(set(used_key_ids) - {k.key_id for k in keyring.field_keys})
    if missing:
        raise BackupError(
            _(
                "Some ID numbers are encrypted with keys that are not configured (%(ids)s): "
                "they could not be read after a restore. Put those keys back first."
            )
            % {"ids": ", ".join(missing)}
        )

    media = {}
    for setting, archive in _media_folders().items():
        root, files = Path(getattr(settings, setting)), []
        with tarfile.open(directory / archive, "w") as tar:
            for path in sorted(_files_in(root)):
                tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
                files.append(path)
        media[setting] = {
            "archive": archive,
            "files": len(files),
            "bytes": sum(p.stat().st_size for p in files),
        }

    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "database": {
            "name": db.name,
            "server_version": server_version,
            "extensions": extensions,
            "migrations": migrations,
            "row_counts": counts,
        },
        "keys": {**_keys_summary(keyring), "used_by_data": used_key_ids},
        "media": media,
        "files": {
            name: _sha256(directory / name)
            for name in (DUMP, KEYS, *(m["archive"] for m in media.values()))
        },
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return Report(directory, manifest)


def _key_ids_in_use(cursor, existing: set[str]) -> list[str]:
    """The key ids found in the encrypted columns (a token is enc1:<key id>:…)."""
    used = set()
    for model, field_name in crypto.encrypted_fields():
        if model._meta.db_table not in existing:
            continue
        column = model._meta.get_field(field_name).column
        cursor.execute(
            sql.SQL(
                "SELECT DISTINCT split_part({col}, ':', 2) FROM {table} WHERE {col} LIKE {prefix}"
            ).format(
                col=sql.Identifier(column),
                table=sql.Identifier(model._meta.db_table),
                prefix=sql.Literal(f"{crypto.TOKEN_PREFIX}:%"),
            )
        )
        used.update(row[0] for row in cursor.fetchall())
    return sorted(used)


# --- restore ----------------------------------------------------------------------------


def _media_folders() -> dict[str, str]:
    """The media folders this installation has (PRIVATE_MEDIA_ROOT came later)."""
    return {s: a for s, a in MEDIA_ARCHIVES.items() if getattr(settings, s, None)}


def read_manifest(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(
            _("%(dir)s is not a backup: it has no manifest.json.") % {"dir": directory}
        )
    try:
        manifest = json.loads(path.read_text())
    except ValueError:
        raise BackupError(_("manifest.json is damaged: it is not valid JSON.")) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("This backup's format (%(found)s) is not one this version can restore (%(ours)s).")
            % {"found": manifest.get("format"), "ours": FORMAT}
        )
    return manifest


def backup_restore(
    directory: Path,
    *,
    force: bool = False,
    database_name: str | None = None,
    using: str = "default",
) -> Report:
    directory = Path(directory)
    manifest = read_manifest(directory)
    for name, expected in manifest["files"].items():
        path = directory / name
        if not path.is_file():
            raise BackupError(_("The backup is incomplete: %(file)s is missing.") % {"file": name})
        if _sha256(path) != expected:
            raise BackupError(
                _(
                    "%(file)s was changed or damaged since the backup was made (its checksum differs)."
                )
                % {"file": name}
            )
    backup_keys = crypto.parse_keyring_file((directory / KEYS).read_text(), str(directory / KEYS))
    db = Database.from_settings(using, database_name)
    report = Report(directory, manifest)

    # Everything that can refuse, before anything changes.
    keys_action = _plan_keys(backup_keys, force)
    media_roots = {
        setting: Path(getattr(settings, setting))
        for setting in manifest["media"]
        if getattr(settings, setting, None)
    }
    unplaced = sorted(set(manifest["media"]) - set(media_roots))
    if unplaced:
        raise BackupError(
            _("The backup has files for %(settings)s, which this installation does not set.")
            % {"settings": ", ".join(unplaced)}
        )
    try:
        with db.connect(autocommit=True) as conn, conn.cursor() as cursor:
            _check_extensions(cursor, manifest)
            occupied = _user_tables(cursor)
            drops = _drop_statements(cursor) if occupied else ""
            extension_tables = _extension_tables(cursor)
    except psycopg.OperationalError as error:
        raise BackupError(
            _("Cannot connect to the database %(name)s: %(error)s")
            % {"name": db.name, "error": str(error).strip()}
        ) from None
    if occupied and not force:
        raise BackupError(
            _(
                "The database %(name)s is not empty (%(count)d tables, e.g. %(example)s). "
                "Restore into a new, empty database, or add --force to replace everything in it."
            )
            % {"name": db.name, "count": len(occupied), "example": occupied[0]}
        )
    occupied_media = [root for root in media_roots.values() if _files_in(root)]
    if occupied_media and not force:
        raise BackupError(
            _(
                "The media folder %(dir)s already holds files. Empty it, or add --force to "
                "restore the backup's files over it."
            )
            % {"dir": occupied_media[0]}
        )

    _load_database(db, directory / DUMP, drops, extension_tables)
    if occupied:
        report.notes.append(
            _("Replaced the %(count)d tables that were in the database.") % {"count": len(occupied)}
        )
    keys_note = keys_action()
    if keys_note:
        report.notes.append(keys_note)
    crypto.keyring.cache_clear()
    for setting, root in media_roots.items():
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(directory / manifest["media"][setting]["archive"]) as tar:
            tar.extractall(root, filter="data")  # no absolute paths, no "..", no devices

    _verify(db, manifest, report)
    return report


def _plan_keys(backup_keys: crypto.Keyring, force: bool):
    """Decide now what happens to the keys, refuse now if it cannot; return the action."""
    if settings.FIELD_ENCRYPTION_KEYS or settings.BLIND_INDEX_KEY:
        try:
            configured = crypto.parse_keyring_env(
                settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY
            )
        except ImproperlyConfigured as error:
            raise BackupError(str(error)) from None
        if not _covers(configured, backup_keys):
            raise BackupError(
                _(
                    "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY are set, but they are not the "
                    "backup's keys: the restored ID numbers could not be read. Set them to the "
                    "keys in %(file)s, or unset them to use the keyring file."
                )
                % {"file": KEYS}
            )
        return lambda: _("The keys set in the environment fit the backup; nothing written.")

    path = Path(settings.PERSONAL_DATA_KEYS_FILE)
    if path.exists():
        try:
            current = crypto.parse_keyring_file(path.read_text(), str(path))
        except ImproperlyConfigured:
            current = None
        if current is not None and _covers(current, backup_keys):
            return lambda: (
                _("The keyring file %(file)s already holds the backup's keys.") % {"file": path}
            )
        if not force:
            raise BackupError(
                _(
                    "The keyring file %(file)s holds other keys than the backup's. Add --force "
                    "to replace it (the old file is kept beside it, renamed)."
                )
                % {"file": path}
            )

    def install():
        kept = ""
        if path.exists():
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            old = path.with_name(f"{path.name}.replaced-{stamp}")
            os.replace(path, old)
            kept = " " + _("The old file is kept as %(old)s.") % {"old": old}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".keys-")
        with os.fdopen(fd, "w") as f:  # mkstemp: mode 0600
            f.write(crypto.format_keyring_file(backup_keys))
        os.replace(tmp, path)
        return _("Installed the backup's keys in %(file)s.") % {"file": path} + kept

    return install


def _check_extensions(cursor, manifest: dict) -> None:
    cursor.execute("SELECT extname FROM pg_extension")
    present = {row[0] for row in cursor.fetchall()}
    missing = sorted(set(manifest["database"]["extensions"]) - present)
    if missing:
        raise BackupError(
            _(
                "The database lacks the extension(s) %(names)s. As the PostgreSQL superuser: "
                "CREATE EXTENSION %(first)s; in it (or in template1 before creating it)."
            )
            % {"names": ", ".join(missing), "first": missing[0]}
        )


# Tables and other objects of the platform, not those an extension (PostGIS) owns.
_NOT_EXTENSION_MEMBER = (
    "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')"
)


def _user_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND "
        + _NOT_EXTENSION_MEMBER.format(oid="c.oid")
        + " ORDER BY c.relname"
    )
    return [row[0] for row in cursor.fetchall()]


def _extension_tables(cursor) -> set[str]:
    """Tables an extension owns (PostGIS's spatial_ref_sys): the extension fills them."""
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e' WHERE n.nspname = 'public'"
    )
    return {row[0] for row in cursor.fetchall()}


def _drop_statements(cursor) -> str:
    """DROP statements for everything of ours in the public schema (--force)."""
    kinds = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    statements = []
    cursor.execute(
        "SELECT c.relkind, format('%I.%I', n.nspname, c.relname) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
        "AND c.relkind IN ('v', 'm', 'r', 'p', 'S') AND "
        + _NOT_EXTENSION_MEMBER.format(oid="c.oid")
        + " ORDER BY CASE c.relkind WHEN 'v' THEN 0 WHEN 'm' THEN 1 WHEN 'S' THEN 3 ELSE 2 END"
    )
    statements += [f"DROP {kinds[kind]} IF EXISTS {name} CASCADE;" for kind, name in cursor]
    cursor.execute(
        "SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' "
        "ELSE 'FUNCTION' END, p.oid::regprocedure::text FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND "
        + _NOT_EXTENSION_MEMBER.format(oid="p.oid")
    )
    statements += [f"DROP {kind} IF EXISTS {signature} CASCADE;" for kind, signature in cursor]
    cursor.execute(
        "SELECT format('%I.%I', n.nspname, t.typname) FROM pg_type t "
        "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' "
        "AND t.typtype IN ('e', 'd', 'c', 'r') AND (t.typrelid = 0 OR EXISTS "
        "(SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')) AND "
        + _NOT_EXTENSION_MEMBER.format(oid="t.oid")
    )
    statements += [f"DROP TYPE IF EXISTS {name} CASCADE;" for (name,) in cursor]
    return "\n".join(statements)


_EXTENSION_ENTRY = re.compile(r"^\d+; \d+ \d+ (EXTENSION|COMMENT - EXTENSION) ")


_TABLE_DATA_ENTRY = re.compile(r"^\d+; \d+ \d+ TABLE DATA public (\S+) ")


def _load_database(db: Database, dump: Path, drops: str, extension_tables: set[str]) -> None:
    """pg_restore's SQL into psql, in one transaction with the drops (--force): it all
    happens or nothing does. Extensions and their tables' rows are left out: they need the
    superuser, and the target database has them already (checked)."""
    listing = _run(["pg_restore", "--list", str(dump)], db.env(), _("Reading the dump"))
    entries = []
    for line in listing.stdout.decode().splitlines():
        data = _TABLE_DATA_ENTRY.match(line)
        if _EXTENSION_ENTRY.match(line) or (data and data.group(1) in extension_tables):
            continue
        entries.append(line)
    with tempfile.NamedTemporaryFile("w", suffix=".list") as list_file:
        list_file.write("\n".join(entries) + "\n")
        list_file.flush()
        restore = subprocess.Popen(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                f"--use-list={list_file.name}",
                "--file=-",
                str(dump),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=db.env(),
        )
        psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
        psql += db.cli_args()
        if drops:
            psql += ["-c", drops]
        psql += ["-f", "-"]
        try:
            loaded = subprocess.run(psql, stdin=restore.stdout, capture_output=True, env=db.env())
        finally:
            restore.stdout.close()
            restore_error = restore.stderr.read().decode(errors="replace").strip()
            restore.wait()
    if restore.returncode != 0 or loaded.returncode != 0:
        error = loaded.stderr.decode(errors="replace").strip() or restore_error
        raise BackupError(
            _("Loading the database failed; nothing was changed in it: %(error)s")
            % {"error": error[-800:]}
        )


def _verify(db: Database, manifest: dict, report: Report) -> None:
    """The restored database has the manifest's rows, and its encrypted values decrypt."""
    expected = manifest["database"]["row_counts"]
    with db.connect(autocommit=True) as conn, conn.cursor() as cursor:
        counts = _count_rows(cursor, sorted(expected))
        differ = {t: (expected[t], counts[t]) for t in expected if counts[t] != expected[t]}
        if differ:
            raise BackupError(
                _("After the restore, row counts differ from the backup's: %(tables)s")
                % {"tables": ", ".join(f"{t} {a}→{b}" for t, (a, b) in differ.items())}
            )
        decrypted = 0
        for model, field_name in crypto.encrypted_fields():
            if model._meta.db_table not in expected:
                continue
            column = model._meta.get_field(field_name).column
            cursor.execute(
                sql.SQL("SELECT {col} FROM {table} WHERE {col} <> '' LIMIT {n}").format(
                    col=sql.Identifier(column),
                    table=sql.Identifier(model._meta.db_table),
                    n=sql.Literal(DECRYPT_SAMPLE),
                )
            )
            for (token,) in cursor.fetchall():
                try:
                    crypto.decrypt(token)
                except crypto.DecryptionError:
                    raise BackupError(
                        _(
                            "The database was restored, but an encrypted value in %(table)s "
                            "does not decrypt with the installed keys."
                        )
                        % {"table": model._meta.db_table}
                    ) from None
                decrypted += 1
    report.notes.append(
        _(
            "Checked: %(tables)d tables have the backup's row counts; %(values)d encrypted "
            "values were read with the installed keys."
        )
        % {"tables": len(expected), "values": decrypted}
    )


def default_backup_dir() -> Path:
    return Path(settings.BASE_DIR) / "var" / "backups" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
