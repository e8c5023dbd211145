"""Reads of party work (party/selectors.py): party records need a grant's party-affairs
flag; three-management coverage per community, its gaps with a suggested fallback
organisation, and overdue collaborations."""

import datetime as dt

import pytest
from django.utils import timezone

from areas.models import StaffGrant
from areas.tests.factories import UserFactory
from party import selectors, services
from party.models import ManagementAssignment, PartyOrg

from .factories import PartyMemberFactory, PartyOrgFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
Kind = ManagementAssignment.Kind


def start(actor, member, org, kind, **extra):
    return services.assignment_start(
        actor=actor, member=member, org=org, kind=kind, started_on=TODAY(), **extra
    )


def collaborate(actor, member, org, days_ago=120):
    return services.assignment_start(
        actor=actor,
        member=member,
        org=org,
        kind=Kind.COLLABORATIVE,
        started_on=TODAY() - dt.timedelta(days=days_ago),
        agreement_ref="协议1",
    )


# Party records need the party-affairs flag -------------------------------------------------


def test_staff_without_the_party_flag_see_no_party_records(party_trio, party_a):
    StaffGrant.objects.filter(user=party_trio.staff_a).update(party_affairs=False)
    party_trio.staff_a.__dict__.pop("_area_reach", None)
    assert not selectors.party_member_list(user=party_trio.staff_a).exists()
    assert not selectors.party_org_list(user=party_trio.staff_a).exists()


def test_the_city_department_without_the_flag_sees_none_of_its_districts_records(
    party_trio, party_a, party_b
):
    assert not selectors.party_member_list(user=party_trio.city).exists()
    assert not selectors.party_org_list(user=party_trio.city).exists()
    assert selectors.coverage_by_community(user=party_trio.city) == []


def test_party_staff_see_their_own_districts_records_only(party_trio, party_a, party_b):
    assert list(selectors.party_member_list(user=party_trio.staff_a)) == [party_a.member]
    assert list(selectors.party_member_list(user=party_trio.staff_b)) == [party_b.member]
    assert set(selectors.party_org_list(user=party_trio.staff_a)) == {
        party_a.community_branch,
        party_a.industry,
    }


def test_a_party_viewer_reads_the_party_records(party_trio, party_a):
    assert list(selectors.party_member_list(user=party_trio.viewer_a)) == [party_a.member]


def test_a_superuser_sees_every_party_record(party_a, party_b):
    root = UserFactory(username="root", is_superuser=True)
    assert set(selectors.party_member_list(user=root)) == {party_a.member, party_b.member}


def test_assignments_are_read_with_the_party_flag_in_their_district(party_trio, party_a):
    assignment = start(party_trio.staff_a, party_a.member, party_a.community_branch, Kind.FALLBACK)
    assert list(selectors.assignment_list(user=party_trio.viewer_a)) == [assignment]
    assert not selectors.assignment_list(user=party_trio.staff_b).exists()
    assert not selectors.assignment_list(user=party_trio.city).exists()


# Overdue collaborations ----------------------------------------------------------------------


def test_collaboration_feedback_overdue(party_trio, party_a):
    assignment = services.assignment_start(
        actor=party_trio.staff_a,
        member=party_a.member,
        org=party_a.industry,
        kind=Kind.COLLABORATIVE,
        started_on=TODAY() - dt.timedelta(days=120),
        agreement_ref="协议1",
    )
    assert list(selectors.overdue_collaborations(user=party_trio.staff_a)) == [assignment]
    services.feedback_record(
        actor=party_trio.staff_a,
        assignment=assignment,
        on=TODAY() - dt.timedelta(days=10),
        summary="表现良好",
    )
    assert not selectors.overdue_collaborations(user=party_trio.staff_a).exists()
    assert selectors.overdue_collaborations(
        user=party_trio.staff_a, today=TODAY() + dt.timedelta(days=100)
    ).exists()


def test_feedback_is_due_the_agreed_months_after_the_last_report(party_trio, party_a):
    first = TODAY().replace(day=1)
    services.assignment_start(
        actor=party_trio.staff_a,
        member=party_a.member,
        org=party_a.industry,
        kind=Kind.COLLABORATIVE,
        started_on=first,
        agreement_ref="协议1",
    )
    (row,) = selectors.assignment_list(user=party_trio.staff_a)
    month = first.month - 1 + row.feedback_every_months
    assert row.last_feedback_on is None
    assert row.feedback_due_on == first.replace(year=first.year + month // 12, month=month % 12 + 1)
    services.feedback_record(actor=party_trio.staff_a, assignment=row, on=TODAY(), summary="好")
    (row,) = selectors.assignment_list(user=party_trio.staff_a)
    assert row.last_feedback_on == TODAY() and row.feedback_due_on > TODAY()


def test_only_active_collaborations_are_overdue(party_trio, party_a):
    assignment = collaborate(party_trio.staff_a, party_a.member, party_a.industry)
    start(party_trio.staff_a, party_a.member, party_a.community_branch, Kind.FALLBACK)
    assert list(selectors.overdue_collaborations(user=party_trio.staff_a)) == [assignment]
    services.assignment_end(
        actor=party_trio.staff_a, assignment=assignment, on=TODAY(), reason="协议到期"
    )
    assert not selectors.overdue_collaborations(user=party_trio.staff_a).exists()


def test_overdue_collaborations_of_another_district_are_not_shown(party_trio, party_a):
    collaborate(party_trio.staff_a, party_a.member, party_a.industry)
    assert not selectors.overdue_collaborations(user=party_trio.staff_b).exists()


# Coverage --------------------------------------------------------------------------------------


def test_coverage_counts_and_gaps(party_trio, party_a, party_b):
    tree = party_trio.tree
    uncovered = PartyMemberFactory(
        worker__area=tree.a["community"], membership_org=party_a.community_branch
    )
    lost = PartyMemberFactory(worker__area=tree.a["community2"], lost_contact=True)
    start(party_trio.staff_a, party_a.member, party_a.community_branch, Kind.FALLBACK)

    rows = {row.area.code: row for row in selectors.coverage_by_community(user=party_trio.staff_a)}
    first = rows[tree.a["community"].code]
    assert (first.members, first.covered, first.without_fallback, first.without_direct) == (
        2,
        1,
        1,
        1,
    )
    assert not first.fully_covered
    assert rows[tree.a["community2"].code].lost_contact == 1
    assert tree.b["community"].code not in rows  # the other district

    gaps = selectors.coverage_gaps(user=party_trio.staff_a)
    assert {m.pk for m in gaps["without_fallback"]} == {uncovered.pk, lost.pk}
    suggested = {m.pk: m.suggested_fallback_org for m in gaps["without_fallback"]}
    assert suggested[uncovered.pk] == party_a.community_branch
    assert suggested[lost.pk] is None  # community2 has no organisation yet
    assert [m.pk for m in gaps["without_direct"]] == [uncovered.pk]
    assert [m.pk for m in gaps["lost_contact"]] == [lost.pk]


def test_ended_members_are_not_counted(party_trio, party_a):
    services.party_member_end(
        actor=party_trio.staff_a, member=party_a.member, on=TODAY(), reason="转出"
    )
    assert selectors.coverage_by_community(user=party_trio.staff_a) == []


def test_coverage_narrows_to_an_area(party_trio, party_a):
    tree = party_trio.tree
    PartyMemberFactory(worker__area=tree.a["community2"])
    rows = selectors.coverage_by_community(user=party_trio.staff_a, area=tree.a["community2"])
    assert [(row.area, row.members) for row in rows] == [(tree.a["community2"], 1)]
    assert selectors.coverage_by_community(user=party_trio.staff_a, area=tree.b["district"]) == []


def test_a_community_is_fully_covered_when_every_member_has_an_active_fallback(party_trio, party_a):
    fallback = start(party_trio.staff_a, party_a.member, party_a.community_branch, Kind.FALLBACK)
    (row,) = selectors.coverage_by_community(user=party_trio.staff_a)
    assert row.fully_covered and row.without_fallback == 0
    services.assignment_end(
        actor=party_trio.staff_a, assignment=fallback, on=TODAY(), reason="调整"
    )
    (row,) = selectors.coverage_by_community(user=party_trio.staff_a)
    assert not row.fully_covered and row.covered == 0


def test_coverage_counts_overdue_feedback_by_community(party_trio, party_a):
    assignment = collaborate(party_trio.staff_a, party_a.member, party_a.industry)
    (row,) = selectors.coverage_by_community(user=party_trio.staff_a)
    assert row.feedback_overdue == 1
    gaps = selectors.coverage_gaps(user=party_trio.staff_a)
    assert gaps["feedback_overdue"] == [assignment]
    assert (
        selectors.coverage_gaps(user=party_trio.staff_a, area=party_trio.tree.a["community2"])[
            "feedback_overdue"
        ]
        == []
    )


def test_coverage_gaps_of_another_district_are_empty(party_trio, party_a):
    gaps = selectors.coverage_gaps(user=party_trio.staff_b)
    assert all(found == [] for found in gaps.values())


# Suggested fallback organisations ------------------------------------------------------------


def test_the_work_communitys_organisation_is_suggested_first(party_trio, party_a):
    tree = party_trio.tree
    PartyOrgFactory(name="乙社区党支部", area=tree.a["community2"])
    member = PartyMemberFactory(
        worker__area=tree.a["community"], worker__residence_area=tree.a["community2"]
    )
    assert selectors.suggested_fallback_orgs([member]) == {member.pk: party_a.community_branch}


def test_the_residence_communitys_organisation_when_work_has_none(party_trio, party_a):
    tree = party_trio.tree
    member = PartyMemberFactory(
        worker__area=tree.a["community2"], worker__residence_area=tree.a["community"]
    )
    assert selectors.suggested_fallback_orgs([member]) == {member.pk: party_a.community_branch}


def test_no_suggestion_from_orgs_that_cannot_do_fallback(party_trio, party_a):
    tree = party_trio.tree
    PartyOrgFactory(
        name="快递网点功能型党支部",
        area=tree.a["community2"],
        kind=PartyOrg.Kind.FUNCTIONAL_BRANCH,
    )
    PartyOrgFactory(name="街道党工委", area=tree.a["street"], kind=PartyOrg.Kind.COMMITTEE)
    member = PartyMemberFactory(
        worker__area=tree.a["community2"], worker__residence_area=tree.a["street"]
    )
    assert selectors.suggested_fallback_orgs([member]) == {}
