"""Retention (members.personal_data): one list of rules, quoted by the privacy notice and
enforced by a nightly job that can run twice."""

import datetime as dt

import pytest
from django.utils import timezone

from members import personal_data
from members.models import Invitation, LoginCode, Worker
from members.tasks import enforce_retention

from .factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_every_rule_is_a_sentence_with_its_period():
    rules = personal_data.retention_rules()
    assert {"members.Worker", "members.LoginCode", "stations.CheckIn", "party.PartyMember"} <= {
        r.model for r in rules
    }
    for rule in rules:
        text = rule.describe()
        assert text and "%(" not in text
        if rule.days is not None:
            assert str(rule.days) in text


def test_a_district_changes_a_period_in_settings(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = {"members.LoginCode": 2}
    rule = next(r for r in personal_data.retention_rules() if r.model == "members.LoginCode")
    assert rule.days == 2 and "2" in rule.describe()


def test_the_privacy_notice_quotes_the_rules(client):
    html = client.get("/m/privacy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for rule in personal_data.retention_rules():
        assert rule.describe() in html.replace("&#x27;", "'")


def test_the_job_anonymises_what_is_past_its_time_and_twice_changes_nothing(tree):
    long_ago = timezone.now() - dt.timedelta(days=4 * 365)
    stale = WorkerFactory(area=tree.a["community"])
    returned = WorkerFactory(area=tree.a["community"], status=Worker.Status.REJECTED)
    active = WorkerFactory(area=tree.a["community"])
    Worker.objects.filter(pk=stale.pk).update(updated_at=long_ago, last_login_at=long_ago)
    Worker.objects.filter(pk=returned.pk).update(updated_at=timezone.now() - dt.timedelta(days=200))
    Worker.objects.filter(pk=active.pk).update(updated_at=long_ago, last_login_at=timezone.now())
    LoginCode.objects.create(
        phone=active.phone, code_hash="x", expires_at=long_ago, created_at=long_ago
    )

    done = enforce_retention()

    assert done["members.Worker"] == 2 and done["members.LoginCode"] == 1
    erased = set(Worker.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    assert erased == {stale.pk, returned.pk}
    assert set(enforce_retention().values()) == {0}


def test_invitation_recipients_are_forgotten_after_a_year(tree):
    from members.models import InvitationBatch, InvitationCampaign

    campaign = InvitationCampaign.objects.create(
        name="喊你回家", area=tree.a["district"], message="欢迎", starts_on=timezone.localdate()
    )
    batch = InvitationBatch.objects.create(
        campaign=campaign, community=tree.a["community"], channel="sms"
    )
    invitation = Invitation.objects.create(
        batch=batch, code="ABCDEFGH", recipient_name="张三", recipient_phone="13812341234"
    )
    InvitationBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    enforce_retention()
    invitation.refresh_from_db()
    assert (invitation.recipient_name, invitation.recipient_phone) == ("", "")
