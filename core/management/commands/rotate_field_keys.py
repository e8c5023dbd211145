"""Re-encrypt every encrypted value that is not under the current field key, in batches.

Safe to stop and run again: each batch commits on its own and only values still under an
old key are touched. When it reports nothing left under a key, that key can be removed
from the keyring.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F, TextField
from django.db.models.functions import Cast

from core import crypto


class Command(BaseCommand):
    help = "Re-encrypt personal data under the current field key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        current = crypto.keyring().current.key_id
        for model, field in crypto.encrypted_fields():
            done = rotate_field(model, field, current, batch_size)
            self.stdout.write(f"{model._meta.label}.{field}: {done} re-encrypted under {current}")


def stale_rows(model, field: str, current: str):
    """Rows whose stored token is under another key (compared on the raw column text)."""
    return (
        model._default_manager.annotate(stored=Cast(F(field), TextField()))
        .filter(stored__startswith=f"{crypto.TOKEN_PREFIX}:")
        .exclude(stored__startswith=f"{crypto.TOKEN_PREFIX}:{current}:")
    )


def rotate_field(model, field: str, current: str, batch_size: int) -> int:
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                stale_rows(model, field, current)
                .select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return done
            rows = list(model._default_manager.filter(pk__in=ids).only("pk", field))
            # Loading decrypts with the old key; saving encrypts with the current one.
            model._default_manager.bulk_update(rows, [field])
            done += len(rows)
