"""Partner systems' API keys (Open311): made by staff of the area, shown once, kept as
their SHA-256 (core.tokens), revoked by turning the partner off."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core.exceptions import refuse
from core.tokens import could_be_ours, digest_of, new_token

from ..models import PartnerSystem


@transaction.atomic
def partner_create(*, actor, area: Area, name: str) -> tuple[PartnerSystem, str]:
    """A partner system of `area` and its key, which is not kept: show it once."""
    if area is None or area.level not in (Area.Level.CITY, Area.Level.DISTRICT):
        raise refuse("area", _("Choose a district, or a city for a city-wide system."))
    access.require_write_in(actor, area)
    name = " ".join((name or "").split())
    if not name:
        raise refuse("name", _("Name the system, e.g. 庆阳市12345热线."))
    key = new_token()
    partner = PartnerSystem.objects.create(
        area=area, name=name[:60], key_digest=digest_of(key), key_hint=key[:6], created_by=actor
    )
    return partner, key


def partner_for_key(key: str) -> PartnerSystem | None:
    """The active partner system whose key this is, or None (unknown, malformed or turned
    off alike). Notes when it was last used."""
    if not could_be_ours(key):
        return None
    partner = (
        PartnerSystem.objects.filter(key_digest=digest_of(key), active=True)
        .select_related("area")
        .first()
    )
    if partner is not None:
        partner.last_used_at = timezone.now()
        PartnerSystem.objects.filter(pk=partner.pk).update(last_used_at=partner.last_used_at)
    return partner


@transaction.atomic
def partner_turn_off(*, actor, partner: PartnerSystem) -> PartnerSystem:
    """The partner's key stops working at once (a leaked key, a system retired)."""
    access.require_write_to(actor, partner)
    PartnerSystem.objects.filter(pk=partner.pk).update(active=False, updated_at=timezone.now())
    partner.refresh_from_db()
    return partner
