"""Merging two records of one person (members.merge): the party membership follows the
person; two memberships are not merged silently, and only party-affairs staff learn why."""

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError
from members import services
from members.models import ContactPair, Worker
from members.tests.factories import WorkerFactory

from .factories import PartyMemberFactory

pytestmark = pytest.mark.django_db


def test_merging_moves_party_membership_contact_pairs_and_invitation(trio):
    community = trio.tree.a["community"]
    kept = WorkerFactory(area=community)
    duplicate = WorkerFactory(
        area=community, political_status="cpc", sensitive_consent_at=timezone.now()
    )
    member = PartyMemberFactory(worker=duplicate)
    today = timezone.localdate()
    kept_pair = ContactPair.objects.create(worker=kept, staff=trio.staff_a, started_on=today)
    dup_pair = ContactPair.objects.create(worker=duplicate, staff=trio.staff_a, started_on=today)
    kept = services.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    member.refresh_from_db()
    dup_pair.refresh_from_db()
    kept_pair.refresh_from_db()
    assert member.worker_id == kept.pk
    assert (kept.political_status, kept.sensitive_consent_at) == (
        "cpc",
        duplicate.sensitive_consent_at,
    )
    # Both pairs now hang off the kept record; only its own stays active.
    assert (dup_pair.worker_id, dup_pair.ended_on) == (kept.pk, today)
    assert kept_pair.ended_on is None


def test_two_party_membership_records_are_not_merged_silently(trio):
    community = trio.tree.a["community"]
    one, two = (
        PartyMemberFactory(worker__area=community),
        PartyMemberFactory(worker__area=community),
    )
    with pytest.raises(ApplicationError, match="party-affairs staff"):
        services.worker_merge(actor=trio.staff_a, duplicate=two.worker, kept=one.worker)
    two.worker.refresh_from_db()
    assert two.worker.status != Worker.Status.MERGED
