"""Party work's figures for rollups and dashboards (core.facts; reports/ discovers them).
Every one of them is a party figure: only staff with the party-affairs flag read them.

Not here, on purpose: collaborative management whose feedback is overdue. Overdue means
no CollaborationFeedback since the agreed cadence ran out, i.e. the latest row of another
table compared with today, and a fact counts its own rows by their own columns (the
rollups' triggers watch only those). It needs the due date stored on the assignment (kept
by the service that records feedback: a model change); until then the dashboard shows the
collaborations and the feedback received, and party.selectors lists the overdue ones."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from areas.access import Purpose
from core.facts import Fact, Ratio

from .models import ManagementAssignment

PARTY = Purpose.PARTY

FACTS = [
    Fact(
        key="party.members",
        label=_("Party members among workers"),
        model="party.PartyMember",
        area_path="worker__area",
        where=Q(ended_on__isnull=True),
        breakdown="registration",
        purpose=PARTY,
    ),
    Fact(
        key="party.revealed",
        label=_("Party members who revealed their identity (亮明身份)"),
        model="party.PartyMember",
        area_path="worker__area",
        date_field="revealed_on",
        where=Q(revealed_on__isnull=False),
        purpose=PARTY,
    ),
    Fact(
        key="party.reported",
        label=_("Party members who reported to a community (到社区报到)"),
        model="party.PartyMember",
        area_path="worker__area",
        date_field="reported_on",
        where=Q(reported_on__isnull=False),
        purpose=PARTY,
    ),
    Fact(
        key="party.lost_contact",
        label=_("Party members who lost contact (失联)"),
        model="party.PartyMember",
        area_path="worker__area",
        where=Q(ended_on__isnull=True, lost_contact=True),
        purpose=PARTY,
    ),
    # 三管 coverage counts a member as covered by an active fallback assignment (兜底管),
    # as party.selectors.coverage_by_community does. A member has at most one active
    # assignment of a kind (a unique constraint), so counting assignments counts members,
    # and ending a membership ends its assignments (party.services), so every one counted
    # here is also counted in party.members.
    Fact(
        key="party.members_covered",
        label=_("Party members under fallback management (兜底管)"),
        model="party.ManagementAssignment",
        area_path="member__worker__area",
        where=Q(kind=ManagementAssignment.Kind.FALLBACK, ended_on__isnull=True),
        purpose=PARTY,
    ),
    Fact(
        key="party.collaborations",
        label=_("Party members under collaborative management (协同管)"),
        model="party.ManagementAssignment",
        area_path="member__worker__area",
        where=Q(kind=ManagementAssignment.Kind.COLLABORATIVE, ended_on__isnull=True),
        purpose=PARTY,
    ),
    Fact(
        key="party.collaboration_feedback",
        label=_("Feedback received under collaborative management"),
        model="party.CollaborationFeedback",
        area_path="assignment__member__worker__area",
        date_field="on",
        purpose=PARTY,
    ),
]

RATIOS = [
    Ratio(
        key="party.coverage",
        label=_("Three-management coverage (三管)"),
        numerator="party.members_covered",
        denominator="party.members",
        purpose=PARTY,
    ),
]
