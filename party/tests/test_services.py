"""Party work: 亮明身份 / 到社区报到, three-management rules, lost contact, feedback.
Coverage and the other reads are in test_selectors.py."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from members.models import Worker
from members.tests.factories import WorkerFactory
from party import selectors, services
from party.models import ContactStatusChange, ManagementAssignment, PartyMember, PartyOrg
from party.services import MembershipDetails

from .factories import PartyOrgFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
Kind = ManagementAssignment.Kind


def start(actor, member, org, kind, **extra):
    return services.assignment_start(
        actor=actor, member=member, org=org, kind=kind, started_on=TODAY(), **extra
    )


# 亮明身份 and 到社区报到 --------------------------------------------------------------------


def test_worker_reveals_membership_with_consent(tree):
    worker = WorkerFactory(area=tree.a["community"])
    member = services.party_member_reveal(
        worker=worker,
        details=MembershipDetails(
            membership_org_name="周口市某村党支部",
            membership_org_place="河南省周口市",
            joined_on=dt.date(2015, 7, 1),
        ),
        sensitive_consent=True,
    )
    worker.refresh_from_db()
    assert member.revealed_on == TODAY()
    assert worker.political_status == Worker.PoliticalStatus.CPC_MEMBER
    assert worker.sensitive_consent_at is not None


def test_revealing_without_sensitive_consent_is_refused_and_nothing_kept(tree):
    worker = WorkerFactory(area=tree.a["community"])
    with pytest.raises(ApplicationError) as refused:
        services.party_member_reveal(
            worker=worker, details=MembershipDetails(membership_org_name="某支部")
        )
    assert "sensitive_consent" in refused.value.fields
    assert not PartyMember.objects.exists()
    worker.refresh_from_db()
    assert worker.political_status == ""


def test_revealing_needs_the_membership_branch(tree):
    worker = WorkerFactory(area=tree.a["community"])
    with pytest.raises(ApplicationError) as refused:
        services.party_member_reveal(
            worker=worker, details=MembershipDetails(), sensitive_consent=True
        )
    assert "membership_org_name" in refused.value.fields
    assert not PartyMember.objects.exists()


def test_revealing_again_updates_the_same_record_and_probationary_status(tree):
    worker = WorkerFactory(area=tree.a["community"])
    details = MembershipDetails(membership_org_name="某支部")
    services.party_member_reveal(worker=worker, details=details, sensitive_consent=True)
    details.standing = PartyMember.Standing.PROBATIONARY
    services.party_member_reveal(worker=worker, details=details)
    assert PartyMember.objects.count() == 1
    worker.refresh_from_db()
    assert worker.political_status == Worker.PoliticalStatus.PROBATIONARY


def test_joined_in_the_future_is_refused(tree):
    worker = WorkerFactory(area=tree.a["community"])
    with pytest.raises(ApplicationError) as refused:
        services.party_member_reveal(
            worker=worker,
            details=MembershipDetails(
                membership_org_name="某支部", joined_on=TODAY() + dt.timedelta(days=1)
            ),
            sensitive_consent=True,
        )
    assert "joined_on" in refused.value.fields


def test_report_to_community_on_the_phone_and_by_staff(party_a, party_trio):
    tree = party_trio.tree
    member = services.party_member_report(member=party_a.member, community=tree.a["community"])
    assert (member.reported_on, member.reported_to) == (TODAY(), tree.a["community"])
    member = services.party_member_report(
        actor=party_trio.staff_a,
        member=member,
        community=tree.a["community2"],
        on=dt.date(2026, 10, 1),
    )
    assert (member.reported_on, member.reported_to) == (dt.date(2026, 10, 1), tree.a["community2"])


def test_report_to_a_district_or_another_districts_community_is_refused(party_a, party_trio):
    tree = party_trio.tree
    with pytest.raises(ApplicationError):
        services.party_member_report(member=party_a.member, community=tree.a["district"])
    with pytest.raises(Http404):
        services.party_member_report(
            actor=party_trio.staff_a, member=party_a.member, community=tree.b["community"]
        )


# Who may touch party records --------------------------------------------------------------


def test_staff_without_the_party_flag_do_not_see_party_records(trio, party_a):
    from areas.models import StaffGrant

    StaffGrant.objects.filter(user=trio.staff_a).update(party_affairs=False)
    trio.staff_a.__dict__.pop("_area_reach", None)
    assert not selectors.party_member_list(user=trio.staff_a).exists()
    with pytest.raises(Http404):
        start(trio.staff_a, party_a.member, party_a.community_branch, Kind.FALLBACK)


def test_party_viewer_reads_but_cannot_assign(party_trio, party_a):
    assert selectors.party_member_list(user=party_trio.viewer_a).count() == 1
    with pytest.raises(PermissionDenied):
        start(party_trio.viewer_a, party_a.member, party_a.community_branch, Kind.FALLBACK)
    assert not ManagementAssignment.objects.exists()


def test_other_district_cannot_see_or_assign(party_trio, party_a):
    assert not selectors.party_member_list(user=party_trio.staff_b).exists()
    with pytest.raises(Http404):
        start(party_trio.staff_b, party_a.member, party_a.community_branch, Kind.FALLBACK)


# Three-management rules -------------------------------------------------------------------


def test_fallback_by_the_community_branch(party_trio, party_a):
    assignment = start(party_trio.staff_a, party_a.member, party_a.community_branch, Kind.FALLBACK)
    assert assignment.is_active


def test_fallback_by_a_non_community_org_is_refused(party_trio, party_a):
    with pytest.raises(ApplicationError, match="village or community"):
        start(party_trio.staff_a, party_a.member, party_a.industry, Kind.FALLBACK)
    enterprise_branch = PartyOrgFactory(
        area=party_trio.tree.a["community"], kind=PartyOrg.Kind.ENTERPRISE_BRANCH
    )
    with pytest.raises(ApplicationError, match="village or community"):
        start(party_trio.staff_a, party_a.member, enterprise_branch, Kind.FALLBACK)


def test_second_active_assignment_of_a_kind_is_refused_naming_the_first(party_trio, party_a):
    start(party_trio.staff_a, party_a.member, party_a.community_branch, Kind.FALLBACK)
    other = PartyOrgFactory(name="乙社区党支部", area=party_trio.tree.a["community2"])
    with pytest.raises(ApplicationError, match="甲社区党支部"):
        start(party_trio.staff_a, party_a.member, other, Kind.FALLBACK)
    assert ManagementAssignment.objects.count() == 1


def test_the_database_refuses_two_active_of_a_kind(party_trio, party_a):
    start(party_trio.staff_a, party_a.member, party_a.community_branch, Kind.FALLBACK)
    with pytest.raises(IntegrityError), transaction.atomic():
        ManagementAssignment.objects.create(
            member=party_a.member,
            org=party_a.community_branch,
            kind=Kind.FALLBACK,
            started_on=TODAY(),
        )


def test_after_ending_one_a_new_one_may_start(party_trio, party_a):
    first = start(party_trio.staff_a, party_a.member, party_a.community_branch, Kind.FALLBACK)
    services.assignment_end(actor=party_trio.staff_a, assignment=first, on=TODAY(), reason="搬家")
    other = PartyOrgFactory(name="乙社区党支部", area=party_trio.tree.a["community2"])
    start(party_trio.staff_a, party_a.member, other, Kind.FALLBACK)
    assert ManagementAssignment.objects.filter(ended_on__isnull=True).count() == 1


def test_direct_is_by_the_membership_branch(party_trio, party_a):
    member = party_a.member
    with pytest.raises(ApplicationError, match="membership branch"):
        start(party_trio.staff_a, member, party_a.community_branch, Kind.DIRECT)
    member.membership_org = party_a.community_branch
    member.save()
    start(party_trio.staff_a, member, party_a.community_branch, Kind.DIRECT)


def test_collaborative_needs_an_agreement_and_defaults_to_quarterly(party_trio, party_a):
    with pytest.raises(ApplicationError) as refused:
        start(party_trio.staff_a, party_a.member, party_a.industry, Kind.COLLABORATIVE)
    assert "agreement_ref" in refused.value.fields
    assignment = start(
        party_trio.staff_a,
        party_a.member,
        party_a.industry,
        Kind.COLLABORATIVE,
        agreement_ref="西峰党联〔2026〕3号",
    )
    assert assignment.feedback_every_months == 3


def test_start_in_the_future_or_end_before_start_is_refused(party_trio, party_a):
    with pytest.raises(ApplicationError):
        services.assignment_start(
            actor=party_trio.staff_a,
            member=party_a.member,
            org=party_a.community_branch,
            kind=Kind.FALLBACK,
            started_on=TODAY() + dt.timedelta(days=3),
        )
    assignment = start(party_trio.staff_a, party_a.member, party_a.community_branch, Kind.FALLBACK)
    with pytest.raises(ApplicationError):
        services.assignment_end(
            actor=party_trio.staff_a,
            assignment=assignment,
            on=TODAY() - dt.timedelta(days=1),
            reason="x",
        )
    with pytest.raises(ApplicationError):
        services.assignment_end(
            actor=party_trio.staff_a, assignment=assignment, on=TODAY(), reason=""
        )


def test_ending_a_membership_ends_its_assignments(party_trio, party_a):
    start(party_trio.staff_a, party_a.member, party_a.community_branch, Kind.FALLBACK)
    start(
        party_trio.staff_a,
        party_a.member,
        party_a.industry,
        Kind.COLLABORATIVE,
        agreement_ref="协议1",
    )
    services.party_member_end(
        actor=party_trio.staff_a, member=party_a.member, on=TODAY(), reason="组织关系转出"
    )
    assert not ManagementAssignment.objects.filter(ended_on__isnull=True).exists()
    assert set(ManagementAssignment.objects.values_list("end_reason", flat=True)) == {
        "组织关系转出"
    }
    with pytest.raises(ApplicationError):
        start(party_trio.staff_a, party_a.member, party_a.community_branch, Kind.FALLBACK)


# Lost contact -------------------------------------------------------------------------------


def test_lost_and_found_are_kept_in_the_history(party_trio, party_a):
    services.party_member_set_lost_contact(
        actor=party_trio.staff_a, member=party_a.member, lost=True, on=dt.date(2026, 9, 1)
    )
    with pytest.raises(ApplicationError, match="already"):
        services.party_member_set_lost_contact(
            actor=party_trio.staff_a, member=party_a.member, lost=True, on=TODAY()
        )
    services.party_member_set_lost_contact(
        actor=party_trio.staff_a, member=party_a.member, lost=False, on=TODAY(), note="电话联系上"
    )
    events = list(ContactStatusChange.objects.values_list("event", flat=True))
    assert events == ["lost", "found"]
    party_a.member.refresh_from_db()
    assert party_a.member.lost_contact is False


# Feedback ---------------------------------------------------------------------------------


def test_feedback_only_for_collaborative(party_trio, party_a):
    fallback = start(party_trio.staff_a, party_a.member, party_a.community_branch, Kind.FALLBACK)
    with pytest.raises(ApplicationError):
        services.feedback_record(
            actor=party_trio.staff_a, assignment=fallback, on=TODAY(), summary="x"
        )


def test_org_cannot_be_its_own_ancestor(party_trio, party_a):
    child = PartyOrgFactory(area=party_trio.tree.a["community"], parent=party_a.industry)
    party_a.industry.parent = child
    with pytest.raises(ApplicationError) as refused:
        services.party_org_save(actor=party_trio.staff_a, org=party_a.industry)
    assert "parent" in refused.value.fields


def test_org_save_needs_party_write(trio, party_trio):
    org = PartyOrg(name="新党支部", kind=PartyOrg.Kind.BRANCH, area=trio.tree.a["community"])
    with pytest.raises(PermissionDenied):
        services.party_org_save(actor=trio.viewer_a, org=org)
    with pytest.raises(Http404):
        services.party_org_save(actor=trio.staff_b, org=org)
    services.party_org_save(actor=trio.staff_a, org=org)
    assert PartyOrg.objects.filter(name="新党支部").exists()


def test_revealing_again_by_the_branch_name_keeps_the_platform_branch(party_trio, party_a):
    member = party_a.member
    member.membership_org = party_a.community_branch
    member.save()
    services.party_member_reveal(
        worker=member.worker, details=MembershipDetails(membership_org_name="甲社区党支部")
    )
    member.refresh_from_db()
    assert member.membership_org == party_a.community_branch and member.membership_org_name == ""


def test_ending_a_membership_needs_a_reason_and_a_past_date(party_trio, party_a):
    with pytest.raises(ApplicationError) as refused:
        services.party_member_end(
            actor=party_trio.staff_a, member=party_a.member, on=TODAY(), reason=" "
        )
    assert "end_reason" in refused.value.fields
    with pytest.raises(ApplicationError):
        services.party_member_end(
            actor=party_trio.staff_a,
            member=party_a.member,
            on=TODAY() + dt.timedelta(days=1),
            reason="转出",
        )
    with pytest.raises(PermissionDenied):
        services.party_member_end(
            actor=party_trio.viewer_a, member=party_a.member, on=TODAY(), reason="转出"
        )
    party_a.member.refresh_from_db()
    assert party_a.member.ended_on is None


def test_feedback_needs_a_summary_and_a_date_in_the_collaboration(party_trio, party_a):
    assignment = start(
        party_trio.staff_a,
        party_a.member,
        party_a.industry,
        Kind.COLLABORATIVE,
        agreement_ref="协议",
    )
    with pytest.raises(ApplicationError):
        services.feedback_record(
            actor=party_trio.staff_a, assignment=assignment, on=TODAY(), summary=""
        )
    with pytest.raises(ApplicationError):
        services.feedback_record(
            actor=party_trio.staff_a,
            assignment=assignment,
            on=TODAY() - dt.timedelta(days=1),
            summary="早于协同开始",
        )
    assert not assignment.feedback.exists()


def test_a_member_record_stays_with_its_worker(party_trio, party_a):
    other = WorkerFactory(area=party_trio.tree.a["community"], sensitive_consent_at=timezone.now())
    member = PartyMember.objects.get(pk=party_a.member.pk)
    member.worker = other
    with pytest.raises(ApplicationError, match="stays with its worker"):
        services.party_member_save(actor=party_trio.staff_a, member=member)
    assert PartyMember.objects.get(pk=member.pk).worker == party_a.member.worker
