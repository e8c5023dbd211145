"""The sensitive words (core.sensitive_words) are the security administrator's to keep."""

import pytest

from core.models import SensitiveWord

pytestmark = pytest.mark.django_db


def test_the_security_administrator_keeps_the_list(client, trio):
    from areas.tests.factories import UserFactory
    from security.services import duty_assign

    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    security = UserFactory(username="security_admin")
    duty_assign(actor=superuser, user=security, duty="security")
    client.force_login(security)
    assert client.get("/admin/core/sensitiveword/").status_code == 200
    client.post("/admin/core/sensitiveword/add/", {"word": "代写论文", "active": "on"})
    assert SensitiveWord.objects.filter(word="代写论文").exists()
    client.force_login(trio.staff_a)
    assert client.get("/admin/core/sensitiveword/").status_code == 403
