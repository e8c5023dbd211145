"""The party member's phone page: 双报到, the party half."""

import pytest

from members.tests.factories import WorkerFactory
from members.tests.test_views import PHONE, logged_in
from party.models import PartyMember

pytestmark = pytest.mark.django_db


def test_party_member_reveals_and_reports_on_the_phone(client, tree):
    worker = WorkerFactory(phone=PHONE, area=tree.a["community"], status="approved")
    client = logged_in(client)
    page = client.post(
        "/m/me/party/",
        {
            "action": "reveal",
            "standing": "full",
            "registration": "floating",
            "membership_org_name": "周口市某村党支部",
            "membership_org_place": "河南省周口市",
        },
    )
    assert page.status_code == 200  # refused: no consent to sensitive data yet
    assert not PartyMember.objects.exists()
    response = client.post(
        "/m/me/party/",
        {
            "action": "reveal",
            "standing": "full",
            "registration": "floating",
            "membership_org_name": "周口市某村党支部",
            "sensitive_consent": "on",
        },
    )
    assert response.status_code == 302
    member = PartyMember.objects.get(worker=worker)
    assert member.revealed_on is not None and member.reported_on is None
    client.post("/m/me/party/", {"action": "report"})
    member.refresh_from_db()
    assert member.reported_to == tree.a["community"]
    assert "周口市某村党支部" in client.get("/m/me/party/").content.decode()


def test_party_page_needs_login(client):
    assert client.get("/m/me/party/").status_code == 302
