"""The party-work API: the party trio on every route, refusals, pinned query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.testing import client_for
from members.tests.factories import WorkerFactory
from party.models import ManagementAssignment, PartyMember, PartyOrg

from .factories import PartyMemberFactory

pytestmark = pytest.mark.django_db
ORGS, MEMBERS, ASSIGNMENTS, COVERAGE = (
    "/api/v1/party-orgs/",
    "/api/v1/party-members/",
    "/api/v1/assignments/",
    "/api/v1/coverage/",
)
TODAY = timezone.localdate().isoformat()


def results(user, url, **params):
    response = client_for(user).get(url, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_party_trio_lists(party_trio, party_a, party_b):
    for url, key, a, b in (
        (ORGS, "name", "甲社区党支部", "庆城甲社区党支部"),
        (MEMBERS, "worker_name", "党**", "党**"),
    ):
        assert a in [row[key] for row in results(party_trio.staff_a, url)]
        assert a in [row[key] for row in results(party_trio.viewer_a, url)]
        assert b in [row[key] for row in results(party_trio.staff_b, url)]
    assert [m["id"] for m in results(party_trio.staff_a, MEMBERS)] == [party_a.member.pk]
    assert [m["id"] for m in results(party_trio.staff_b, MEMBERS)] == [party_b.member.pk]


def test_staff_without_party_flag_see_nothing(trio, party_a):
    # trio.city reaches both districts but has no party-affairs flag.
    assert results(trio.city, MEMBERS) == []
    assert results(trio.city, ORGS) == []
    assert client_for(trio.city).get(f"{MEMBERS}{party_a.member.pk}/").status_code == 404
    assert client_for(trio.city).get(COVERAGE).status_code == 404


def test_other_district_gets_404_on_a_member(party_trio, party_a):
    client = client_for(party_trio.staff_b)
    assert client.get(f"{MEMBERS}{party_a.member.pk}/").status_code == 404
    response = client.post(
        f"{MEMBERS}{party_a.member.pk}/report/", {"community": party_trio.tree.b["community"].code}
    )
    assert response.status_code == 404


def test_viewer_gets_403_on_writes(party_trio, party_a):
    client = client_for(party_trio.viewer_a)
    response = client.post(
        ASSIGNMENTS,
        {
            "member": party_a.member.pk,
            "org": party_a.community_branch.pk,
            "kind": "fallback",
            "started_on": TODAY,
        },
    )
    assert response.status_code == 403
    response = client.post(
        f"{MEMBERS}{party_a.member.pk}/lost-contact/", {"lost": True, "on": TODAY}
    )
    assert response.status_code == 403
    assert not ManagementAssignment.objects.exists()


def test_start_and_refuse_a_second_fallback_naming_the_first(party_trio, party_a):
    client = client_for(party_trio.staff_a)
    body = {
        "member": party_a.member.pk,
        "org": party_a.community_branch.pk,
        "kind": "fallback",
        "started_on": TODAY,
    }
    created = client.post(ASSIGNMENTS, body)
    assert created.status_code == 201, created.content
    again = client.post(ASSIGNMENTS, body)
    assert again.status_code == 400
    assert "甲社区党支部" in again.json()["kind"][0]
    ended = client.post(
        f"{ASSIGNMENTS}{created.json()['id']}/end/", {"on": TODAY, "reason": "迁出"}
    )
    assert ended.json()["ended_on"] == TODAY


def test_fallback_by_industry_committee_refused_in_chinese(party_trio, party_a):
    response = client_for(party_trio.staff_a).post(
        ASSIGNMENTS,
        {
            "member": party_a.member.pk,
            "org": party_a.industry.pk,
            "kind": "fallback",
            "started_on": TODAY,
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "社区" in response.json()["org"][0]


def test_bad_dates_are_field_errors(party_trio, party_a):
    response = client_for(party_trio.staff_a).post(
        ASSIGNMENTS,
        {
            "member": party_a.member.pk,
            "org": party_a.community_branch.pk,
            "kind": "fallback",
            "started_on": "2026-02-30",
        },
    )
    assert response.status_code == 400 and "started_on" in response.json()


def test_staff_records_a_reveal_for_a_consenting_worker(party_trio):
    worker = WorkerFactory(area=party_trio.tree.a["community"], sensitive_consent_at=timezone.now())
    response = client_for(party_trio.staff_a).post(
        MEMBERS,
        {
            "worker": worker.pk,
            "membership_org_name": "老家党支部",
            "registration": "floating",
            "standing": "full",
        },
    )
    assert response.status_code == 201, response.content
    assert PartyMember.objects.get().worker == worker


def test_reveal_for_a_worker_without_consent_is_refused(party_trio):
    worker = WorkerFactory(area=party_trio.tree.a["community"])
    response = client_for(party_trio.staff_a).post(
        MEMBERS,
        {
            "worker": worker.pk,
            "membership_org_name": "老家党支部",
            "registration": "floating",
            "standing": "full",
        },
    )
    assert response.status_code == 400 and not PartyMember.objects.exists()


def test_collaboration_feedback_and_overdue_in_coverage(party_trio, party_a):
    client = client_for(party_trio.staff_a)
    started = (timezone.localdate() - dt.timedelta(days=200)).isoformat()
    created = client.post(
        ASSIGNMENTS,
        {
            "member": party_a.member.pk,
            "org": party_a.industry.pk,
            "kind": "collaborative",
            "started_on": started,
            "agreement_ref": "党建联盟协议2026-01",
        },
    ).json()
    coverage = client.get(COVERAGE).json()
    assert [a["id"] for a in coverage["feedback_overdue"]] == [created["id"]]
    client.post(
        f"{ASSIGNMENTS}{created['id']}/feedback/", {"on": TODAY, "summary": "按时参加组织生活"}
    )
    assert client.get(COVERAGE).json()["feedback_overdue"] == []


def test_coverage_with_suggested_fallback(party_trio, party_a, party_b):
    coverage = client_for(party_trio.staff_a).get(COVERAGE).json()
    (row,) = coverage["communities"]
    assert (row["members"], row["covered"], row["fully_covered"]) == (1, 0, False)
    (gap,) = coverage["without_fallback"]
    assert gap["suggested_fallback_org"] == {
        "id": party_a.community_branch.pk,
        "name": "甲社区党支部",
    }
    # ?area= outside the reach is 404, not an empty report of someone else's district.
    other = client_for(party_trio.staff_a).get(
        COVERAGE, {"area": party_trio.tree.b["district"].code}
    )
    assert other.status_code == 404


def test_org_create_and_refusals(party_trio):
    client = client_for(party_trio.staff_a)
    body = {
        "name": "西峰快递党委",
        "kind": "industry_committee",
        "area": party_trio.tree.a["district"].code,
    }
    assert client.post(ORGS, body).status_code == 201
    assert client.post(ORGS, body).status_code == 400  # same name in the same area
    assert client_for(party_trio.viewer_a).post(ORGS, {**body, "name": "x"}).status_code == 403
    assert client_for(party_trio.staff_b).post(ORGS, {**body, "name": "y"}).status_code == 400
    assert PartyOrg.objects.filter(name__in=["x", "y"]).count() == 0


def _count(user, url):
    client = client_for(type(user).objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [ORGS, MEMBERS, ASSIGNMENTS, COVERAGE])
def test_list_query_counts_do_not_grow_with_rows(party_trio, party_a, url):
    from party import services

    def add_member():
        member = PartyMemberFactory(
            worker__area=party_trio.tree.a["community"], membership_org=party_a.community_branch
        )
        services.assignment_start(
            actor=party_trio.staff_a,
            member=member,
            org=party_a.community_branch,
            kind="fallback",
            started_on=timezone.localdate(),
        )
        PartyOrg.objects.create(
            name=f"支部{member.pk}",
            kind="branch",
            area=party_trio.tree.a["community2"],
            parent=party_a.industry,
        )

    add_member()
    few = _count(party_trio.staff_a, url)
    for _ in range(4):
        add_member()
    assert _count(party_trio.staff_a, url) == few <= (10 if url == COVERAGE else 5)
