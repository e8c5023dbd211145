"""The restore drill: workers with encrypted ID numbers, a station photo, `manage.py backup`,
then `manage.py restore` into a fresh database on a "new server" (no keys, empty media): the
same rows, the same tokens, and ID numbers that decrypt and are found by their blind index.
Real pg_dump, pg_restore and psql against the test PostGIS server."""

import base64
import json
import os
import stat
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core import crypto
from core.backups import DUMP, KEYS, MANIFEST, MEDIA, Database
from members.models import Worker
from members.tests.factories import WorkerFactory, valid_id_number

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump sees committed rows only


@pytest.fixture
def fresh_db():
    """A new, empty database on the same server (PostGIS comes from template1)."""
    source = Database.from_settings()
    name = f"{source.name}_restored"
    admin = Database(**{**source.__dict__, "name": "postgres"})
    with admin.connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template1')
    yield Database(**{**source.__dict__, "name": name})
    with admin.connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def old_server(settings, tmp_path, tree):
    settings.MEDIA_ROOT = tmp_path / "old-media"
    photo = settings.MEDIA_ROOT / "stations" / "1" / "front.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8 a station photo")
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "old-private"
    report_photo = settings.PRIVATE_MEDIA_ROOT / "feedback.photos" / "0f3a.jpg"
    report_photo.parent.mkdir(parents=True)
    report_photo.write_bytes(b"\xff\xd8 a report photo")
    community = tree.a["community"]
    workers = [
        WorkerFactory(area=community, id_number=valid_id_number(serial)) for serial in range(5)
    ]
    WorkerFactory(area=community, id_number="")  # no ID number: stays empty, unencrypted
    return workers


@pytest.fixture
def new_server(settings, tmp_path):
    """Call it after the backup: from then on this is another machine, with no keys
    configured yet and an empty media folder."""

    def move():
        settings.FIELD_ENCRYPTION_KEYS = []
        settings.BLIND_INDEX_KEY = ""
        settings.PERSONAL_DATA_KEYS_FILE = str(tmp_path / "new-keys" / "personal-data.keys")
        settings.MEDIA_ROOT = tmp_path / "new-media"
        settings.PRIVATE_MEDIA_ROOT = tmp_path / "new-private"
        return settings

    return move


def backup(directory) -> dict:
    out = StringIO()
    call_command("backup", str(directory), stdout=out)
    assert "Backup written" in out.getvalue()
    return json.loads((directory / MANIFEST).read_text())


def restore(directory, *args) -> str:
    out = StringIO()
    call_command("restore", str(directory), *args, stdout=out)
    return out.getvalue()


def workers_in(db: Database) -> list[tuple]:
    with db.connect() as conn:
        return conn.execute(
            "SELECT id, name, phone, id_number, id_number_index FROM members_worker ORDER BY id"
        ).fetchall()


def test_restore_drill_gives_the_same_rows_and_readable_id_numbers(
    old_server, tmp_path, fresh_db, new_server
):
    before = workers_in(Database.from_settings())
    plain = {w.pk: w.id_number for w in old_server}
    manifest = backup(tmp_path / "b")
    server = new_server()

    assert manifest["database"]["row_counts"]["members_worker"] == 6
    assert manifest["keys"]["current"] == "test"
    assert manifest["keys"]["used_by_data"] == ["test"]
    assert manifest["media"]["MEDIA_ROOT"]["files"] == 1
    assert manifest["media"]["PRIVATE_MEDIA_ROOT"]["files"] == 1
    assert stat.S_IMODE(os.stat(tmp_path / "b" / KEYS).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "b").st_mode) == 0o700

    out = restore(tmp_path / "b", "--database-name", fresh_db.name)
    assert "Installed the backup's keys" in out
    assert "5 encrypted values were read with the installed keys" in out

    after = workers_in(fresh_db)
    assert after == before  # the same rows, the same encrypted tokens and blind indexes
    for pk, _name, _phone, token, index in after:
        if pk in plain:
            assert crypto.decrypt(token) == plain[pk]  # with the keys the restore installed
            assert Worker.id_number_index_of(plain[pk]) == index
    assert (server.MEDIA_ROOT / "stations" / "1" / "front.jpg").read_bytes() == (
        b"\xff\xd8 a station photo"
    )
    private = server.PRIVATE_MEDIA_ROOT / "feedback.photos" / "0f3a.jpg"
    assert private.read_bytes() == b"\xff\xd8 a report photo"
    keys_file = server.PERSONAL_DATA_KEYS_FILE
    assert stat.S_IMODE(os.stat(keys_file).st_mode) == 0o600


def test_restore_refuses_a_database_that_is_not_empty(old_server, tmp_path, new_server):
    backup(tmp_path / "b")
    server = new_server()
    with pytest.raises(CommandError, match="is not empty.*--force"):
        restore(tmp_path / "b")  # over the database it came from
    assert Worker.objects.count() == 6
    assert not os.path.exists(server.PERSONAL_DATA_KEYS_FILE)  # nothing changed


def test_force_replaces_what_is_there_in_one_go(old_server, tmp_path, fresh_db, new_server):
    backup(tmp_path / "b")
    new_server()
    restore(tmp_path / "b", "--database-name", fresh_db.name)
    restored = workers_in(fresh_db)
    with fresh_db.connect() as conn:
        conn.execute("UPDATE members_worker SET name = '改过了'")
    with pytest.raises(CommandError, match="not empty"):
        restore(tmp_path / "b", "--database-name", fresh_db.name)
    assert {row[1] for row in workers_in(fresh_db)} == {"改过了"}

    out = restore(tmp_path / "b", "--database-name", fresh_db.name, "--force")
    assert "Replaced the" in out
    assert "already holds the backup's keys" in out
    assert workers_in(fresh_db) == restored


def test_restore_refuses_keys_in_the_environment_that_are_not_the_backups(
    old_server, tmp_path, fresh_db, settings
):
    backup(tmp_path / "b")
    settings.FIELD_ENCRYPTION_KEYS = [f"other:aes-gcm:{base64.b64encode(os.urandom(32)).decode()}"]
    with pytest.raises(CommandError, match="FIELD_ENCRYPTION_KEYS"):
        restore(tmp_path / "b", "--database-name", fresh_db.name)
    with fresh_db.connect() as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename LIKE 'members_%'"
        ).fetchone() == (0,)


def test_restore_refuses_another_keyring_file_unless_forced(
    old_server, tmp_path, fresh_db, new_server
):
    backup(tmp_path / "b")
    new_server()
    call_command("create_personal_data_keys", stdout=StringIO())  # this server's own keys
    with pytest.raises(CommandError, match="other keys"):
        restore(tmp_path / "b", "--database-name", fresh_db.name)
    out = restore(tmp_path / "b", "--database-name", fresh_db.name, "--force")
    assert "The old file is kept as" in out
    assert len(workers_in(fresh_db)) == 6


def test_restore_refuses_a_damaged_backup(old_server, tmp_path, fresh_db, new_server):
    backup(tmp_path / "b")
    new_server()
    dump = tmp_path / "b" / DUMP
    intact = dump.read_bytes()
    dump.write_bytes(intact[:200] + b"\x00\x01\x02" + intact[203:])
    with pytest.raises(CommandError, match="database.dump was changed or damaged"):
        restore(tmp_path / "b", "--database-name", fresh_db.name)
    dump.write_bytes(intact)
    (tmp_path / "b" / MEDIA).unlink()
    with pytest.raises(CommandError, match="media.tar is missing"):
        restore(tmp_path / "b", "--database-name", fresh_db.name)


def test_restore_refuses_a_directory_that_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="no manifest.json"):
        restore(tmp_path)


def test_restore_refuses_media_over_existing_files_unless_forced(
    old_server, tmp_path, fresh_db, new_server
):
    backup(tmp_path / "b")
    server = new_server()
    server.MEDIA_ROOT.mkdir(parents=True)
    (server.MEDIA_ROOT / "already-here.jpg").write_bytes(b"x")
    with pytest.raises(CommandError, match="media folder"):
        restore(tmp_path / "b", "--database-name", fresh_db.name)


def test_backup_refuses_a_directory_that_is_not_empty(old_server, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "b"))


def test_the_test_database_is_the_one_backed_up(old_server, tmp_path):
    manifest = backup(tmp_path / "b")
    assert manifest["database"]["name"] == connection.settings_dict["NAME"]
    assert manifest["database"]["extensions"]["postgis"]
    assert set(manifest["files"]) == {DUMP, KEYS, MEDIA, "private-media.tar"}
    assert psycopg  # the drill talks to the restored database directly
