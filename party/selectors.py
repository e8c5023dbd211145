"""Reads of party work, scoped by areas.access: readable with Purpose.PARTY only (a grant's
party-affairs flag). Coverage: which party members have which kind of management."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DateField, Exists, F, Func, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from areas import access
from areas.models import Area

from .models import ManagementAssignment, PartyMember, PartyOrg

PARTY = access.Purpose.PARTY


def party_org_list(*, user) -> QuerySet:
    return access.scope(PartyOrg.objects.all(), user, PARTY).select_related("area", "parent")


def party_member_list(*, user) -> QuerySet:
    return access.scope(PartyMember.objects.all(), user, PARTY).select_related(
        "worker__area", "membership_org", "reported_to"
    )


def with_feedback_due(queryset: QuerySet) -> QuerySet:
    """Annotate assignments with `feedback_due_on`: the last feedback (or the start) plus
    the agreed cadence. Only collaborative assignments have one."""
    months = Func(
        F("feedback_every_months"),
        function="make_interval",
        template="make_interval(months => %(expressions)s)",
    )
    return queryset.annotate(
        last_feedback_on=Max("feedback__on"),
        feedback_due_on=Cast(
            Coalesce(Max("feedback__on"), F("started_on")) + months, output_field=DateField()
        ),
    )


def assignment_list(*, user) -> QuerySet:
    return with_feedback_due(
        access.scope(ManagementAssignment.objects.all(), user, PARTY).select_related(
            "member__worker__area", "org"
        )
    )


def overdue_collaborations(*, user, today: dt.date | None = None) -> QuerySet:
    """Active collaborative assignments whose feedback is overdue."""
    today = today or timezone.localdate()
    return assignment_list(user=user).filter(
        kind=ManagementAssignment.Kind.COLLABORATIVE,
        ended_on__isnull=True,
        feedback_due_on__lt=today,
    )


def _active(kind: str):
    return Exists(
        ManagementAssignment.objects.filter(member=OuterRef("pk"), kind=kind, ended_on__isnull=True)
    )


def active_members(*, user, area: Area | None = None) -> QuerySet:
    """Members still managed here, annotated with which managements they have."""
    members = party_member_list(user=user).filter(ended_on__isnull=True)
    if area is not None:
        members = members.filter(worker__area__code__startswith=area.prefix)
    return members.annotate(
        has_fallback=_active(ManagementAssignment.Kind.FALLBACK),
        has_direct=_active(ManagementAssignment.Kind.DIRECT),
    )


@dataclass
class CoverageRow:
    """三管 coverage of one community: 全覆盖 means covered == members."""

    area: Area
    members: int
    covered: int  # with an active fallback assignment
    without_fallback: int
    without_direct: int  # membership branch on the platform, but no direct assignment
    lost_contact: int
    feedback_overdue: int

    @property
    def fully_covered(self) -> bool:
        return self.members == self.covered


def coverage_by_community(*, user, area: Area | None = None) -> list[CoverageRow]:
    members = active_members(user=user, area=area)
    counts = (
        members.order_by()
        .values("worker__area")
        .annotate(
            total=Count("pk"),
            covered=Count("pk", filter=Q(has_fallback=True)),
            without_direct=Count("pk", filter=Q(has_direct=False, membership_org__isnull=False)),
            lost=Count("pk", filter=Q(lost_contact=True)),
        )
    )
    overdue = overdue_collaborations(user=user)
    if area is not None:
        overdue = overdue.filter(member__worker__area__code__startswith=area.prefix)
    overdue_by_area: dict[int, int] = {}
    for area_id in overdue.values_list("member__worker__area", flat=True):
        overdue_by_area[area_id] = overdue_by_area.get(area_id, 0) + 1
    areas = Area.objects.in_bulk([row["worker__area"] for row in counts])
    rows = [
        CoverageRow(
            area=areas[row["worker__area"]],
            members=row["total"],
            covered=row["covered"],
            without_fallback=row["total"] - row["covered"],
            without_direct=row["without_direct"],
            lost_contact=row["lost"],
            feedback_overdue=overdue_by_area.get(row["worker__area"], 0),
        )
        for row in counts
    ]
    return sorted(rows, key=lambda row: row.area.code)


def suggested_fallback_orgs(members) -> dict[int, PartyOrg]:
    """For each member (by id): the community-level organisation of their work community,
    else of their residence community — what 兜底管 would normally be."""
    members = list(members)
    area_ids = {m.worker.area_id for m in members} | {
        m.worker.residence_area_id for m in members if m.worker.residence_area_id
    }
    orgs: dict[int, PartyOrg] = {}
    candidates = PartyOrg.objects.filter(
        area_id__in=area_ids,
        area__level=Area.Level.COMMUNITY,
        kind__in=PartyOrg.COMMUNITY_KINDS,
    ).order_by("area_id", "kind", "name")
    for org in candidates:
        orgs.setdefault(org.area_id, org)
    suggestions = {}
    for member in members:
        org = orgs.get(member.worker.area_id) or orgs.get(member.worker.residence_area_id)
        if org is not None:
            suggestions[member.pk] = org
    return suggestions


def coverage_gaps(*, user, area: Area | None = None) -> dict:
    """The work queue behind the coverage report: who lacks what."""
    members = active_members(user=user, area=area).select_related("worker__residence_area")
    without_fallback = list(members.filter(has_fallback=False).order_by("worker__area__code"))
    suggestions = suggested_fallback_orgs(without_fallback)
    for member in without_fallback:
        member.suggested_fallback_org = suggestions.get(member.pk)
    overdue = overdue_collaborations(user=user)
    if area is not None:
        overdue = overdue.filter(member__worker__area__code__startswith=area.prefix)
    return {
        "without_fallback": without_fallback,
        "without_direct": list(
            members.filter(has_direct=False, membership_org__isnull=False).order_by(
                "worker__area__code"
            )
        ),
        "lost_contact": list(members.filter(lost_contact=True).order_by("worker__area__code")),
        "feedback_overdue": list(overdue.order_by("feedback_due_on")),
    }
