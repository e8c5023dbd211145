"""Write the personal-data keyring file (core/crypto.py), or add a new field key to it.

manage.py create_personal_data_keys --if-missing     # make run: once per machine
manage.py create_personal_data_keys --add-field-key [--algorithm sm4-gcm]
    # then: manage.py rotate_field_keys
"""

import datetime as dt
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import crypto


class Command(BaseCommand):
    help = "Create the personal-data keyring file, or add a new current field key to it."
    requires_system_checks = []  # the checks refuse to run without the keys this makes

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing when the file exists"
        )
        parser.add_argument(
            "--add-field-key",
            action="store_true",
            help="put a new field key in front (the old ones keep decrypting)",
        )
        parser.add_argument("--algorithm", choices=crypto.ALGORITHMS, default="aes-gcm")

    def handle(self, *args, if_missing, add_field_key, algorithm, **options):
        if settings.FIELD_ENCRYPTION_KEYS or settings.BLIND_INDEX_KEY:
            self.stdout.write("Keys come from the environment; no keyring file is used.")
            return
        path = Path(settings.PERSONAL_DATA_KEYS_FILE)
        key_id = f"k{dt.date.today():%Y%m%d}-{secrets.token_hex(3)}"  # dated, and unique
        new_key = crypto.generate_field_key(key_id, algorithm)
        if add_field_key:
            if not path.exists():
                raise CommandError(f"{path} does not exist yet: run without --add-field-key.")
            current = crypto.parse_keyring_file(path.read_text(), str(path))
            keyring = crypto.Keyring((new_key, *current.field_keys), current.blind_index_key)
            tmp = path.with_suffix(".new")
            _write_private(tmp, crypto.format_keyring_file(keyring), exclusive=False)
            os.replace(tmp, path)
            crypto.keyring.cache_clear()
            self.stdout.write(
                f"Added field key {new_key.key_id} ({algorithm}) to {path}. "
                "Run `manage.py rotate_field_keys` to re-encrypt existing values."
            )
            return
        if path.exists():
            if if_missing:
                return
            raise CommandError(f"{path} already exists; refusing to replace keys in use.")
        keyring = crypto.Keyring((new_key,), os.urandom(crypto.BLIND_INDEX_KEY_BYTES))
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            _write_private(path, crypto.format_keyring_file(keyring), exclusive=True)
        except FileExistsError:  # another process (a compose service) made it first
            return
        self.stdout.write(f"Wrote personal-data keys to {path}. Keep it secret and backed up.")


def _write_private(path: Path, text: str, *, exclusive: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
