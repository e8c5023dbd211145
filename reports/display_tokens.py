"""The 大屏's display tokens (issue 13 §2): a screen in a command centre opens one area's
大屏 without a staff login, with a token a staff member of that area made and can revoke.

Only the token's SHA-256 is kept (DisplayToken.digest); the token itself is shown once,
when it is made. A token opens the 大屏 of its own area — the page and the figures it
refreshes — and nothing else: no other area's screen, no dashboard, no admin, no API.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core.exceptions import ApplicationError, refuse
from core.tokens import could_be_ours, digest_of, new_token

from .models import DisplayToken


@transaction.atomic
def display_token_create(*, actor, area: Area, label: str) -> tuple[DisplayToken, str]:
    """A new token for `area`'s 大屏. Returns the row and the token, which is not kept:
    show it once."""
    access.require_write_in(actor, area)
    label = (label or "").strip()
    if not label:
        raise refuse("label", _("Say where the screen is, e.g. 区指挥中心大屏."))
    token = new_token()
    row = DisplayToken.objects.create(
        area=area, label=label[:100], digest=digest_of(token), created_by=actor
    )
    return row, token


@transaction.atomic
def display_token_revoke(*, actor, token: DisplayToken) -> DisplayToken:
    """Revoke a token: the screen it opened shows the refusal page at its next refresh."""
    access.require_write_to(actor, token)
    locked = DisplayToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise ApplicationError(_("This token was already revoked."))
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    return locked


def display_token_for(token: str, *, area_code: str) -> DisplayToken | None:
    """The live token that opens `area_code`'s 大屏, or None — for a token that is unknown,
    revoked or made for another area alike (the screen cannot tell which, so a wrong
    token tells nothing about others). Notes when it was last used."""
    token = token or ""
    if not could_be_ours(token):
        return None
    row = (
        DisplayToken.objects.filter(digest=digest_of(token), revoked_at__isnull=True)
        .select_related("area")
        .first()
    )
    if row is None or row.area.code != area_code:
        return None
    now = timezone.now()
    DisplayToken.objects.filter(pk=row.pk).update(last_used_at=now)
    row.last_used_at = now
    return row
