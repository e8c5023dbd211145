"""Workers' ID numbers under the field cipher: rotation re-encrypts them, and the encrypted
column refuses a plain filter (the blind index is the way to look one up)."""

import os

import pytest
from django.core.management import call_command

from core.tests.test_crypto import env_key, raw_column
from members.models import Worker
from members.tests.factories import WorkerFactory, valid_id_number


@pytest.mark.django_db
def test_rotation_re_encrypts_every_value_under_the_current_key(settings, trio):
    old, new = env_key("old"), env_key("new", "sm4-gcm")
    settings.FIELD_ENCRYPTION_KEYS = [old]
    workers = [
        WorkerFactory(area=trio.tree.a["community"], id_number=valid_id_number(i)) for i in range(3)
    ]
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_field_keys", "--batch-size", "2", stdout=open(os.devnull, "w"))
    for worker in workers:
        assert raw_column(Worker, "id_number", worker.pk).startswith("enc1:new:")
        assert Worker.objects.get(pk=worker.pk).id_number == worker.id_number
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key can go
    assert [w.id_number for w in Worker.objects.order_by("pk")] == [w.id_number for w in workers]


@pytest.mark.django_db
def test_encrypted_columns_cannot_be_filtered_on():
    with pytest.raises(TypeError, match="blind index"):
        Worker.objects.filter(id_number="11010519491231002X").exists()
