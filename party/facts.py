"""Party work's figures for rollups and dashboards (core.facts; reports/ discovers them).
Every one of them is a party figure: only staff with the party-affairs flag read them."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from areas.access import Purpose
from core.facts import Fact

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
]
