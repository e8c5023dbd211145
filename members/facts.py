"""Workers' figures for rollups and dashboards (core.facts; reports/ discovers them)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.facts import Fact

from .models import Worker

FACTS = [
    Fact(
        key="members.registrations",
        label=_("Registrations (报到)"),
        model="members.Worker",
        area_path="area",
        date_field="created_at",
        where=~Q(status=Worker.Status.MERGED),
        breakdown="occupation",
    ),
    Fact(
        key="members.approvals",
        label=_("Registrations approved"),
        model="members.Worker",
        area_path="area",
        date_field="approved_at",
        where=Q(status=Worker.Status.APPROVED),
    ),
    Fact(
        key="members.waiting_for_review",
        label=_("Registrations waiting for review"),
        model="members.Worker",
        area_path="area",
        where=Q(status=Worker.Status.PENDING),
    ),
    Fact(
        key="members.contact_pairs",
        label=_("Active contact pairs (结对联系)"),
        model="members.ContactPair",
        area_path="worker__area",
        where=Q(ended_on__isnull=True),
    ),
    Fact(
        key="members.invitations_opened",
        label=_("Invitations opened"),
        model="members.Invitation",
        area_path="batch__community",
        date_field="opened_at",
        where=Q(opened_at__isnull=False),
    ),
]
