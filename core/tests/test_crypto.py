"""Field encryption, blind indexes, key rotation and the keyring file."""

import base64
import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from core import crypto


def env_key(key_id: str, algorithm: str = "aes-gcm") -> str:
    secret = os.urandom(crypto.KEY_BYTES[algorithm])
    return f"{key_id}:{algorithm}:{base64.b64encode(secret).decode()}"


def raw_column(model, field: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {field} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("algorithm", crypto.ALGORITHMS)
def test_values_round_trip_and_never_repeat_ciphertext(settings, algorithm):
    settings.FIELD_ENCRYPTION_KEYS = [env_key("k1", algorithm)]
    first, second = crypto.encrypt("11010519491231002X"), crypto.encrypt("11010519491231002X")
    assert first != second  # a fresh nonce each time
    assert first.startswith("enc1:k1:") and "11010519" not in first
    assert crypto.decrypt(first) == crypto.decrypt(second) == "11010519491231002X"


def test_altered_ciphertext_is_refused():
    token = crypto.encrypt("secret")
    body = bytearray(base64.urlsafe_b64decode(token.split(":", 2)[2]))
    body[-1] ^= 1
    tampered = f"enc1:test:{base64.urlsafe_b64encode(bytes(body)).decode()}"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered)


def test_an_unknown_key_id_is_refused():
    with pytest.raises(crypto.DecryptionError, match="gone"):
        crypto.decrypt("enc1:gone:AAAA")


def test_blind_index_is_stable_and_separates_purposes():
    assert crypto.blind_index("x", "id_number") == crypto.blind_index("x", "id_number")
    assert crypto.blind_index("x", "id_number") != crypto.blind_index("x", "phone")


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (["k1:aes-gcm:not-base64!"], "base64"),
        (["k1:aes-gcm:" + base64.b64encode(b"short").decode()], "needs 32"),
        (["k1:rot13:" + base64.b64encode(os.urandom(32)).decode()], "not one of"),
        (["k1"], "<id>:<algorithm>"),
    ],
)
def test_bad_keys_stop_the_platform_with_a_clear_message(settings, keys, message):
    settings.FIELD_ENCRYPTION_KEYS = keys
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.keyring()


def test_no_keys_at_all_names_the_command_to_run(settings, tmp_path):
    settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY = [], ""
    settings.PERSONAL_DATA_KEYS_FILE = str(tmp_path / "missing.keys")
    with pytest.raises(ImproperlyConfigured, match="create_personal_data_keys"):
        crypto.keyring()


def test_keyring_file_is_created_once_then_extended(settings, tmp_path):
    settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY = [], ""
    path = tmp_path / "keys" / "personal-data.keys"
    settings.PERSONAL_DATA_KEYS_FILE = str(path)
    call_command("create_personal_data_keys", "--if-missing")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    first = crypto.keyring()
    token = crypto.encrypt("张三")
    call_command("create_personal_data_keys", "--if-missing")  # nothing changes
    assert path.read_text().count("\nfield-key ") == 1
    call_command("create_personal_data_keys", "--add-field-key", "--algorithm", "sm4-gcm")
    second = crypto.keyring()
    assert second.current.algorithm == "sm4-gcm"
    assert second.blind_index_key == first.blind_index_key  # lookups keep working
    assert crypto.decrypt(token) == "张三"  # the old key still decrypts
