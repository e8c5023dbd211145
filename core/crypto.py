"""Encryption of personal data at rest, and blind indexes to look it up.

A value is encrypted with the keyring's current key (AES-256-GCM by default, SM4-GCM for
keys configured with that algorithm) and stored as a self-describing token:

    enc1:<key id>:<base64url(12-byte nonce + ciphertext + 16-byte tag)>

The key id inside each token says which key (and so which algorithm) decrypts it, so keys
can be rotated without downtime: add a new key in front, run `manage.py rotate_field_keys`,
then retire the old key once the command reports nothing left under it.

Because every encryption uses a fresh nonce, an encrypted column cannot be searched. A
*blind index* (HMAC-SHA256 of the normalised value under its own key) sits beside it for
exact-match lookups and uniqueness.

Keys never live in code. They come from the environment (FIELD_ENCRYPTION_KEYS,
BLIND_INDEX_KEY) or from a keyring file (PERSONAL_DATA_KEYS_FILE), which
`manage.py create_personal_data_keys` writes:

    blind-index <base64 key>
    field-key <id> <algorithm> <base64 key>     # the first field-key is the current one
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models

TOKEN_PREFIX = "enc1"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
KEY_BYTES = {"aes-gcm": 32, "sm4-gcm": 16}
ALGORITHMS = tuple(KEY_BYTES)
BLIND_INDEX_KEY_BYTES = 32


class DecryptionError(Exception):
    """A stored token could not be decrypted: unknown key id, or the data was altered."""


@dataclass(frozen=True)
class FieldKey:
    key_id: str
    algorithm: str
    secret: bytes = b""

    def __repr__(self) -> str:  # never print key material
        return f"FieldKey({self.key_id!r}, {self.algorithm!r})"

    def encrypt(self, plaintext: bytes, nonce: bytes) -> bytes:
        if self.algorithm == "aes-gcm":
            return AESGCM(self.secret).encrypt(nonce, plaintext, None)
        encryptor = Cipher(algorithms.SM4(self.secret), modes.GCM(nonce)).encryptor()
        return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag

    def decrypt(self, sealed: bytes, nonce: bytes) -> bytes:
        if self.algorithm == "aes-gcm":
            return AESGCM(self.secret).decrypt(nonce, sealed, None)
        body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self.secret), modes.GCM(nonce, tag)).decryptor()
        return decryptor.update(body) + decryptor.finalize()


@dataclass(frozen=True)
class Keyring:
    field_keys: tuple[FieldKey, ...]  # the first is current
    blind_index_key: bytes

    @property
    def current(self) -> FieldKey:
        return self.field_keys[0]

    def key(self, key_id: str) -> FieldKey:
        for key in self.field_keys:
            if key.key_id == key_id:
                return key
        raise DecryptionError(f"No field key with id {key_id!r} in the keyring.")


def generate_field_key(key_id: str, algorithm: str = "aes-gcm") -> FieldKey:
    if algorithm not in KEY_BYTES:
        raise ValueError(f"Unknown algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}.")
    return FieldKey(key_id, algorithm, os.urandom(KEY_BYTES[algorithm]))


def format_keyring_file(keyring: Keyring) -> str:
    lines = [
        "# Personal-data keys for warmstations (core/crypto.py). Keep this file secret and",
        "# backed up: without it encrypted ID numbers cannot be read. Never commit it.",
        "# The first field-key encrypts new values; older ones still decrypt.",
        f"blind-index {_b64(keyring.blind_index_key)}",
    ]
    lines += [f"field-key {k.key_id} {k.algorithm} {_b64(k.secret)}" for k in keyring.field_keys]
    return "\n".join(lines) + "\n"


def parse_keyring_file(text: str, source: str) -> Keyring:
    blind_index_key, field_keys = None, []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if parts[0] == "blind-index" and len(parts) == 2:
            blind_index_key = _secret(parts[1], BLIND_INDEX_KEY_BYTES, f"{source}:{number}")
        elif parts[0] == "field-key" and len(parts) == 4:
            field_keys.append(_field_key(parts[1], parts[2], parts[3], f"{source}:{number}"))
        else:
            raise ImproperlyConfigured(
                f"{source}:{number}: expected 'blind-index <key>' or "
                "'field-key <id> <algorithm> <key>'."
            )
    return _keyring(field_keys, blind_index_key, source)


def parse_keyring_env(field_keys: list[str], blind_index_key: str) -> Keyring:
    keys = []
    for entry in field_keys:
        parts = entry.split(":")
        if len(parts) != 3:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS entries look like <id>:<algorithm>:<base64 key>, "
                "comma-separated, the current key first."
            )
        keys.append(_field_key(*parts, "FIELD_ENCRYPTION_KEYS"))
    blind = (
        _secret(blind_index_key, BLIND_INDEX_KEY_BYTES, "BLIND_INDEX_KEY")
        if blind_index_key
        else None
    )
    return _keyring(keys, blind, "the environment")


def _keyring(field_keys: list[FieldKey], blind_index_key: bytes | None, source: str) -> Keyring:
    if not field_keys or blind_index_key is None:
        raise ImproperlyConfigured(
            f"Personal-data keys are incomplete in {source}: a blind-index key and at least "
            "one field key are needed. Run `python manage.py create_personal_data_keys`."
        )
    ids = [k.key_id for k in field_keys]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured(f"Field key ids must be unique in {source}: {ids}.")
    return Keyring(tuple(field_keys), blind_index_key)


def _field_key(key_id: str, algorithm: str, encoded: str, where: str) -> FieldKey:
    if not KEY_ID_RE.match(key_id):
        raise ImproperlyConfigured(
            f"{where}: key id {key_id!r} must be 1–32 letters, digits, -, _."
        )
    if algorithm not in KEY_BYTES:
        raise ImproperlyConfigured(
            f"{where}: algorithm {algorithm!r} is not one of {', '.join(ALGORITHMS)}."
        )
    return FieldKey(key_id, algorithm, _secret(encoded, KEY_BYTES[algorithm], where))


def _secret(encoded: str, length: int, where: str) -> bytes:
    try:
        secret = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise ImproperlyConfigured(f"{where}: the key is not valid base64.") from None
    if len(secret) != length:
        raise ImproperlyConfigured(
            f"{where}: the key is {len(secret)} bytes; this algorithm needs {length}."
        )
    return secret


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    """The configured keyring: the environment wins, else the keyring file."""
    if settings.FIELD_ENCRYPTION_KEYS or settings.BLIND_INDEX_KEY:
        return parse_keyring_env(settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY)
    path = Path(settings.PERSONAL_DATA_KEYS_FILE)
    if not path.exists():
        raise ImproperlyConfigured(
            f"No personal-data keys: set FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY, or create "
            f"{path} with `python manage.py create_personal_data_keys`."
        )
    return parse_keyring_file(path.read_text(), str(path))


def _forget_keyring(*, setting, **kwargs):
    if setting in {"FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "PERSONAL_DATA_KEYS_FILE"}:
        keyring.cache_clear()


setting_changed.connect(_forget_keyring)


def encrypt(plaintext: str) -> str:
    key = keyring().current
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.encrypt(plaintext.encode(), nonce)
    return f"{TOKEN_PREFIX}:{key.key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def token_key_id(token: str) -> str | None:
    """The id of the key a stored token was encrypted with (None if it is not a token)."""
    parts = token.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == TOKEN_PREFIX else None


def decrypt(token: str) -> str:
    key_id = token_key_id(token)
    if key_id is None:
        raise DecryptionError("This value is not an encrypted token.")
    try:
        raw = base64.urlsafe_b64decode(token.split(":", 2)[2])
        plaintext = keyring().key(key_id).decrypt(raw[NONCE_BYTES:], raw[:NONCE_BYTES])
    except (InvalidTag, ValueError) as error:
        raise DecryptionError(f"Token under key {key_id!r} failed to decrypt.") from error
    return plaintext.decode()


def blind_index(value: str, purpose: str) -> str:
    """A stable, keyed fingerprint of `value` for exact lookups. `purpose` separates the
    fingerprints of different kinds of data (an ID number never matches a phone)."""
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(keyring().blind_index_key, message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores the encrypted token; Python code sees the plaintext.

    Not searchable (every write has a fresh nonce): keep a blind index beside it for
    lookups, and never filter on this column. Empty values stay empty, unencrypted.
    """

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise TypeError(
                f"{self.model.__name__}.{self.name} is encrypted: look it up by its blind index."
            )
        return super().get_lookup(lookup_name)


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) stored encrypted, for key rotation."""
    from django.apps import apps

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]
