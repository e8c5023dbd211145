"""The party admin and the admin index work queue, for each of the party trio."""

import pytest
from django.utils import timezone

from members.tests.factories import WorkerFactory
from party.models import ManagementAssignment, PartyMember

from .factories import PartyMemberFactory

pytestmark = pytest.mark.django_db
MEMBERS = "/admin/party/partymember/"
ASSIGNMENTS = "/admin/party/managementassignment/"


def test_members_changelist_per_trio(client, party_trio, party_a, party_b):
    client.force_login(party_trio.staff_a)
    html = client.get(MEMBERS).content.decode()
    assert "党**" in html and "党员甲" not in html  # masked
    assert f"/{party_a.member.pk}/change/" in html and f"/{party_b.member.pk}/change/" not in html
    client.force_login(party_trio.staff_b)
    assert f"/{party_a.member.pk}/change/" not in client.get(MEMBERS).content.decode()
    client.force_login(party_trio.viewer_a)
    assert client.get(f"{MEMBERS}{party_a.member.pk}/change/").status_code == 200


def test_staff_without_party_flag_cannot_open_party_admin(client, trio, party_a):
    client.force_login(trio.city)
    assert client.get(MEMBERS).status_code == 403
    assert client.get(f"{MEMBERS}{party_a.member.pk}/change/").status_code in (302, 403)


def test_viewer_cannot_add_an_assignment(client, party_trio, party_a):
    client.force_login(party_trio.viewer_a)
    response = client.post(
        f"{ASSIGNMENTS}add/",
        {
            "member": party_a.member.pk,
            "org": party_a.community_branch.pk,
            "kind": "fallback",
            "started_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 403
    assert not ManagementAssignment.objects.exists()


def _add(client, member, org, kind="fallback", **extra):
    return client.post(
        f"{ASSIGNMENTS}add/",
        {
            "member": member.pk,
            "org": org.pk,
            "kind": kind,
            "started_on": timezone.localdate().isoformat(),
            "feedback-TOTAL_FORMS": 0,
            "feedback-INITIAL_FORMS": 0,
            **extra,
        },
    )


def test_adding_a_second_fallback_shows_the_first_by_the_field(client, party_trio, party_a):
    client.force_login(party_trio.staff_a)
    assert _add(client, party_a.member, party_a.community_branch).status_code == 302
    page = _add(client, party_a.member, party_a.community_branch)
    assert page.status_code == 200
    assert "甲社区党支部" in page.content.decode()
    assert ManagementAssignment.objects.count() == 1


def test_collaborative_without_agreement_is_refused_in_the_form(client, party_trio, party_a):
    client.force_login(party_trio.staff_a)
    page = _add(client, party_a.member, party_a.industry, kind="collaborative")
    assert page.status_code == 200 and not ManagementAssignment.objects.exists()
    assert (
        _add(
            client, party_a.member, party_a.industry, kind="collaborative", agreement_ref="协议1"
        ).status_code
        == 302
    )
    assert ManagementAssignment.objects.get().feedback_every_months == 3


def test_index_work_queue_shows_gaps_and_registrations(client, party_trio, party_a, party_b):
    WorkerFactory(area=party_trio.tree.a["community"])  # pending registration
    client.force_login(party_trio.staff_a)
    html = client.get("/admin/").content.decode()
    assert 'id="work-queue"' in html
    assert "?active=yes&amp;gap=fallback" in html
    assert "?status__exact=pending" in html
    # The fallback gap link lists exactly the uncovered members of A.
    listing = client.get(f"{MEMBERS}?active=yes&gap=fallback").content.decode()
    assert f"/{party_a.member.pk}/change/" in listing


def test_work_queue_hides_party_items_without_the_flag(client, trio, party_a):
    client.force_login(trio.city)
    html = client.get("/admin/").content.decode()
    assert "gap=fallback" not in html


def test_lost_contact_action(client, party_trio, party_a):
    client.force_login(party_trio.staff_a)
    client.post(MEMBERS, {"action": "mark_lost_contact", "_selected_action": [party_a.member.pk]})
    assert PartyMember.objects.get(pk=party_a.member.pk).lost_contact is True
    client.force_login(party_trio.viewer_a)
    client.post(MEMBERS, {"action": "mark_found", "_selected_action": [party_a.member.pk]})
    assert PartyMember.objects.get(pk=party_a.member.pk).lost_contact is True


def test_members_changelist_query_count_is_flat(client, party_trio, party_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(party_trio.staff_a)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(MEMBERS).status_code == 200
        return len(captured)

    client.get(MEMBERS)  # a session's first request does its one-time security checks
    few = count()
    for _ in range(5):
        PartyMemberFactory(worker__area=party_trio.tree.a["community"])
    assert count() == few


# Ending a membership here ------------------------------------------------------------------


def _end_form(member, **extra):
    return {"action": "end_membership", "_selected_action": [member.pk], **extra}


def test_ending_a_membership_asks_for_a_reason_then_ends_its_assignments(
    client, party_trio, party_a
):
    from party import services

    member = party_a.member
    services.assignment_start(
        actor=party_trio.staff_a,
        member=member,
        org=party_a.community_branch,
        kind="fallback",
        started_on=timezone.localdate(),
    )
    client.force_login(party_trio.staff_a)
    page = client.post(MEMBERS, _end_form(member)).content.decode()
    assert "党**" in page and "党员甲" not in page and 'name="reason"' in page
    member.refresh_from_db()
    assert member.ended_on is None
    today = timezone.localdate().isoformat()
    client.post(MEMBERS, _end_form(member, ended_on=today, reason="组织关系转出"))
    member.refresh_from_db()
    assert (member.ended_on.isoformat(), member.end_reason) == (today, "组织关系转出")
    assert not member.assignments.filter(ended_on__isnull=True).exists()


def test_ending_a_membership_refuses_a_future_date_and_changes_nothing(client, party_trio, party_a):
    import datetime as dt

    client.force_login(party_trio.staff_a)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        MEMBERS, _end_form(party_a.member, ended_on=tomorrow, reason="迁出"), follow=True
    )
    assert "党**" in response.content.decode()
    assert PartyMember.objects.get(pk=party_a.member.pk).ended_on is None


def test_ending_a_membership_is_for_party_staff_of_the_area_only(
    client, party_trio, party_a, party_b
):
    form = _end_form(party_a.member, ended_on=timezone.localdate().isoformat(), reason="迁出")
    client.force_login(party_trio.viewer_a)
    assert "end_membership" not in client.get(MEMBERS).content.decode()
    client.post(MEMBERS, form)
    client.force_login(party_trio.staff_b)
    client.post(MEMBERS, form)
    assert not PartyMember.objects.filter(ended_on__isnull=False).exists()
