"""Writes for party work: organisations, party members (the party half of 双报到), their
three managements (三管), collaboration feedback and lost contact (失联/双找).

Party records need the party-affairs capability (areas.access Purpose.PARTY_WRITE) in the
member's work community; a worker may reveal their own membership and report to their
community from the phone (actor None). Rules kept here and by the database:
- at most one active assignment of each kind per member (a partial unique constraint);
- direct management is by the member's membership branch;
- fallback management is by a community-level organisation (PartyOrg.is_community_level);
- collaborative management names its agreement and a feedback cadence;
- ending a membership here ends its assignments, the same day, for the same reason.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core.exceptions import ApplicationError, full_clean_or_refuse, refuse
from members.models import COMMUNITY_LEVEL_VALUES, Worker

from .models import (
    CollaborationFeedback,
    ContactStatusChange,
    ManagementAssignment,
    PartyMember,
    PartyOrg,
)

PARTY_WRITE = access.Purpose.PARTY_WRITE
DEFAULT_FEEDBACK_EVERY_MONTHS = 3  # quarterly, as the agreements usually say


def _not_in_future(field_name: str, day: dt.date | None) -> None:
    if day is not None and day > timezone.localdate():
        raise refuse(field_name, _("This date is in the future."))


# Organisations ----------------------------------------------------------------------------


@transaction.atomic
def party_org_save(*, actor, org: PartyOrg) -> PartyOrg:
    if org.area_id is None:
        raise refuse("area", _("Choose the area this organisation belongs to."))
    access.require_write_to(actor, org, PARTY_WRITE)
    org.name = org.name.strip()
    node = org.parent
    while node is not None:
        if org.pk is not None and node.pk == org.pk:
            raise refuse(
                "parent", _("This would make the organisation a part of itself. Choose another.")
            )
        node = node.parent
    full_clean_or_refuse(
        org, _("The organisation could not be saved: please correct the fields shown.")
    )
    org.save()
    return org


# Members: 亮明身份 and 到社区报到 ---------------------------------------------------------------


@dataclass
class MembershipDetails:
    """What a member tells about their membership (on the phone or to staff)."""

    registration: str = PartyMember.Registration.FLOATING
    standing: str = PartyMember.Standing.FULL
    membership_org: PartyOrg | None = None
    membership_org_name: str = ""
    membership_org_place: str = ""
    joined_on: dt.date | None = None


def apply_membership(member: PartyMember, details: MembershipDetails) -> None:
    """The membership rules, applied to a record (the phone, the admin and the ledger
    import all come through here)."""
    if details.registration not in PartyMember.Registration.values:
        raise refuse(
            "registration", _("Say whether the membership is registered here or floating.")
        )
    if details.standing not in PartyMember.Standing.values:
        raise refuse("standing", _("Say whether this is a full or a probationary member."))
    _not_in_future("joined_on", details.joined_on)
    member.registration = details.registration
    member.standing = details.standing
    member.membership_org = details.membership_org
    member.membership_org_name = (details.membership_org_name or "").strip()
    member.membership_org_place = (details.membership_org_place or "").strip()
    member.joined_on = details.joined_on
    if member.membership_org is None and not member.membership_org_name:
        raise refuse(
            "membership_org_name",
            _("Name the party branch that keeps the membership (组织关系所在党支部)."),
        )


def political_status_for(standing: str) -> str:
    if standing == PartyMember.Standing.PROBATIONARY:
        return Worker.PoliticalStatus.PROBATIONARY
    return Worker.PoliticalStatus.CPC_MEMBER


@transaction.atomic
def party_member_reveal(
    *, worker: Worker, details: MembershipDetails, sensitive_consent: bool = False, actor=None
) -> PartyMember:
    """亮明身份: a worker says they are a party member and where their membership is kept.
    On the phone (actor None) or recorded by party-affairs staff. Party membership is
    sensitive data, kept only with the worker's separate consent. Revealing again updates
    the same record."""
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if actor is not None:
        access.require_write_in(actor, worker.area, PARTY_WRITE)
    if worker.status in (Worker.Status.MERGED, Worker.Status.REJECTED):
        raise ApplicationError(
            _("Register with a community first; then you can reveal your party membership.")
        )
    now = timezone.now()
    if sensitive_consent and not worker.sensitive_consent_at:
        worker.sensitive_consent_at = now
    if not worker.sensitive_consent_at:
        raise refuse(
            "sensitive_consent",
            _("Party membership is sensitive personal data: it is kept only with your consent."),
        )
    member = PartyMember.objects.select_for_update().filter(worker=worker).first()
    if member is None:
        member = PartyMember(worker=worker)
    if member.ended_on:
        raise ApplicationError(
            _("This membership was ended here on %(day)s; ask the community to reopen it.")
            % {"day": member.ended_on}
        )
    if (
        details.membership_org is None
        and member.membership_org_id
        and details.membership_org_name.strip() == member.membership_org.name
    ):
        # The phone shows a platform branch by its name: giving the same name again keeps
        # the link to that branch rather than turning it into free text.
        details.membership_org, details.membership_org_name = member.membership_org, ""
    apply_membership(member, details)
    member.revealed_on = member.revealed_on or timezone.localdate()
    full_clean_or_refuse(
        member, _("The membership could not be saved: please correct the fields shown.")
    )
    member.save()
    worker.political_status = political_status_for(member.standing)
    worker.save(update_fields=["political_status", "sensitive_consent_at", "updated_at"])
    return member


@transaction.atomic
def party_member_report(
    *, member: PartyMember, community: Area, on: dt.date | None = None, actor=None
) -> PartyMember:
    """到社区报到: the member reports to a community (on the phone: their work community,
    today; or recorded by that community's party-affairs staff with the date)."""
    if actor is not None:
        member = access.get_for_user(
            PartyMember.objects.select_for_update(), actor, PARTY_WRITE, pk=member.pk
        )
        access.require_write_in(actor, community, PARTY_WRITE)
    else:
        member = PartyMember.objects.select_for_update().get(pk=member.pk)
    if community.level not in COMMUNITY_LEVEL_VALUES:
        raise refuse("reported_to", _("Choose a community or a street, not a whole district."))
    on = on or timezone.localdate()
    _not_in_future("reported_on", on)
    if member.revealed_on is None:
        raise ApplicationError(
            _("Reveal the party membership first, then report to the community.")
        )
    if member.ended_on:
        raise ApplicationError(_("This membership has ended here."))
    member.reported_on, member.reported_to = on, community
    member.save(update_fields=["reported_on", "reported_to", "updated_at"])
    return member


@transaction.atomic
def party_member_save(*, actor, member: PartyMember) -> PartyMember:
    """Party-affairs staff correct a member's record (the admin form, the API). The record
    stays with its worker: a merge moves it (party_membership_merge), an edit does not."""
    access.require_write_to(actor, member, PARTY_WRITE)
    if member.pk is not None:
        kept_by = PartyMember.objects.filter(pk=member.pk).values_list("worker_id", flat=True)
        if member.worker_id != kept_by.get():
            raise refuse("worker", _("A party member record stays with its worker."))
    if not member.worker.sensitive_consent_at:
        raise refuse(
            "worker",
            _("This worker has not consented to sensitive data: party records cannot be kept."),
        )
    apply_membership(
        member,
        MembershipDetails(
            registration=member.registration,
            standing=member.standing,
            membership_org=member.membership_org,
            membership_org_name=member.membership_org_name,
            membership_org_place=member.membership_org_place,
            joined_on=member.joined_on,
        ),
    )
    _not_in_future("revealed_on", member.revealed_on)
    _not_in_future("reported_on", member.reported_on)
    member.revealed_on = member.revealed_on or timezone.localdate()
    full_clean_or_refuse(
        member, _("The membership could not be saved: please correct the fields shown.")
    )
    member.save()
    Worker.objects.filter(pk=member.worker_id).update(
        political_status=political_status_for(member.standing)
    )
    return member


@transaction.atomic
def party_member_end(*, actor, member: PartyMember, on: dt.date, reason: str) -> PartyMember:
    """The membership is no longer managed here (transferred, moved away…): the member and
    every active assignment end on that day."""
    reason = (reason or "").strip()
    if not reason:
        raise refuse("end_reason", _("Say why the membership here ends."))
    member = access.get_for_user(
        PartyMember.objects.select_for_update(), actor, PARTY_WRITE, pk=member.pk
    )
    _not_in_future("ended_on", on)
    if member.ended_on:
        raise ApplicationError(_("This membership has already ended here."))
    active = member.assignments.select_for_update().filter(ended_on__isnull=True)
    if active.filter(started_on__gt=on).exists():
        raise refuse("ended_on", _("An assignment of this member starts after this date."))
    active.update(ended_on=on, end_reason=reason[:200], updated_at=timezone.now())
    member.ended_on, member.end_reason = on, reason[:200]
    member.save(update_fields=["ended_on", "end_reason", "updated_at"])
    return member


@transaction.atomic
def party_member_set_lost_contact(
    *, actor, member: PartyMember, lost: bool, on: dt.date, note: str = ""
) -> PartyMember:
    """失联 (lost = True) or 双找 (found again, lost = False), kept in the history."""
    member = access.get_for_user(
        PartyMember.objects.select_for_update(), actor, PARTY_WRITE, pk=member.pk
    )
    _not_in_future("on", on)
    if member.lost_contact == lost:
        raise ApplicationError(
            _("This member is already marked as lost contact.")
            if lost
            else _("This member is not marked as lost contact.")
        )
    ContactStatusChange.objects.create(
        member=member,
        event=ContactStatusChange.Event.LOST if lost else ContactStatusChange.Event.FOUND,
        on=on,
        note=(note or "").strip()[:200],
        actor=actor,
    )
    member.lost_contact = lost
    member.save(update_fields=["lost_contact", "updated_at"])
    return member


# Three-management (三管) -------------------------------------------------------------------


def _describe(assignment: ManagementAssignment) -> str:
    return _("%(kind)s by %(org)s since %(day)s") % {
        "kind": assignment.get_kind_display(),
        "org": assignment.org,
        "day": assignment.started_on,
    }


@transaction.atomic
def assignment_start(
    *,
    actor,
    member: PartyMember,
    org: PartyOrg,
    kind: str,
    started_on: dt.date,
    agreement_ref: str = "",
    feedback_every_months: int | None = None,
) -> ManagementAssignment:
    member = access.get_for_user(
        PartyMember.objects.select_for_update(), actor, PARTY_WRITE, pk=member.pk
    )
    if org is None:
        raise refuse("org", _("Choose the organisation."))
    access.get_for_user(PartyOrg.objects.all(), actor, access.Purpose.PARTY, pk=org.pk)
    if kind not in ManagementAssignment.Kind.values:
        raise refuse("kind", _("Choose direct, collaborative or fallback management."))
    if member.ended_on:
        raise ApplicationError(_("This membership has ended here."))
    _not_in_future("started_on", started_on)
    existing = member.assignments.filter(kind=kind, ended_on__isnull=True).first()
    if existing is not None:
        raise refuse(
            "kind",
            _("Already under %(existing)s. End that assignment first.")
            % {"existing": _describe(existing)},
        )
    if kind == ManagementAssignment.Kind.DIRECT and org.pk != member.membership_org_id:
        raise refuse(
            "org",
            _("Direct management is by the membership branch (%(org)s).")
            % {"org": member.membership_org_display},
        )
    if kind == ManagementAssignment.Kind.FALLBACK and not org.is_community_level:
        raise refuse(
            "org",
            _("Fallback management is by a village or community party organisation."),
        )
    if kind == ManagementAssignment.Kind.COLLABORATIVE:
        agreement_ref = (agreement_ref or "").strip()
        if not agreement_ref:
            raise refuse(
                "agreement_ref", _("Collaborative management needs the agreement's reference.")
            )
        feedback_every_months = feedback_every_months or DEFAULT_FEEDBACK_EVERY_MONTHS
    else:
        agreement_ref, feedback_every_months = "", None
    assignment = ManagementAssignment(
        member=member,
        org=org,
        kind=kind,
        started_on=started_on,
        agreement_ref=agreement_ref,
        feedback_every_months=feedback_every_months,
    )
    full_clean_or_refuse(
        assignment,
        _("The assignment could not be saved: please correct the fields shown."),
        validate_constraints=False,  # one-active-per-kind: checked above, and by the database
    )
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise refuse(
            "kind", _("Another assignment of this kind was saved a moment ago. Reload the page.")
        ) from None
    return assignment


@transaction.atomic
def assignment_end(
    *, actor, assignment: ManagementAssignment, on: dt.date, reason: str
) -> ManagementAssignment:
    reason = (reason or "").strip()
    if not reason:
        raise refuse("end_reason", _("Say why this management ends."))
    assignment = access.get_for_user(
        ManagementAssignment.objects.select_for_update(), actor, PARTY_WRITE, pk=assignment.pk
    )
    if assignment.ended_on:
        raise ApplicationError(_("This assignment has already ended."))
    _not_in_future("ended_on", on)
    if on < assignment.started_on:
        raise refuse("ended_on", _("An assignment cannot end before it starts."))
    assignment.ended_on, assignment.end_reason = on, reason[:200]
    assignment.save(update_fields=["ended_on", "end_reason", "updated_at"])
    return assignment


@transaction.atomic
def feedback_record(
    *, actor, assignment: ManagementAssignment, on: dt.date, summary: str
) -> CollaborationFeedback:
    """The unit under a collaborative agreement reports back (协同管反馈)."""
    summary = (summary or "").strip()
    if not summary:
        raise refuse("summary", _("Write what the unit reported."))
    assignment = access.get_for_user(
        ManagementAssignment.objects.all(), actor, PARTY_WRITE, pk=assignment.pk
    )
    if assignment.kind != ManagementAssignment.Kind.COLLABORATIVE:
        raise ApplicationError(_("Only collaborative management has feedback."))
    _not_in_future("on", on)
    if on < assignment.started_on:
        raise refuse("on", _("This date is before the collaboration started."))
    return CollaborationFeedback.objects.create(
        assignment=assignment, on=on, summary=summary, recorded_by=actor
    )


# Merging two records of one person (members.merge) -----------------------------------------


@transaction.atomic
def party_membership_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """The duplicate's party membership follows the person (refused when both have one)."""
    duplicate_member = PartyMember.objects.filter(worker=duplicate).first()
    if duplicate_member is None:
        return
    if PartyMember.objects.filter(worker=kept).exists():
        # Only party-affairs staff learn that these are party members.
        raise ApplicationError(
            _("Both records have party membership details: combine those first.")
            if access.can_in(actor, kept.area, access.Purpose.PARTY_WRITE)
            else _("Both records have details only party-affairs staff can combine: ask them.")
        )
    duplicate_member.worker = kept
    duplicate_member.save(update_fields=["worker", "updated_at"])


__all__ = [
    "party_membership_merge",
    "DEFAULT_FEEDBACK_EVERY_MONTHS",
    "MembershipDetails",
    "PARTY_WRITE",
    "apply_membership",
    "assignment_end",
    "assignment_start",
    "feedback_record",
    "party_member_end",
    "party_member_report",
    "party_member_reveal",
    "party_member_save",
    "party_member_set_lost_contact",
    "party_org_save",
    "political_status_for",
]
