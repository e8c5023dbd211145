"""Writes for invitations (喊你回家 召集令): campaigns, batches of unique codes, marking a
batch sent, a worker opening their invitation, and crediting the registration it brings.

Crediting is worker_register's job (services/workers.py): only a new registration counts,
and only while the campaign runs."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, When
from django.db.models.functions import Coalesce, Now
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core.exceptions import ApplicationError, full_clean_or_refuse
from core.identifiers import normalize_mobile, normalize_typable_code, typable_code, validate_mobile

from ..models import (
    COMMUNITY_LEVEL_VALUES,
    INVITATION_CODE_LENGTH,
    Invitation,
    InvitationBatch,
    InvitationCampaign,
)
from .workers import refuse

# One batch is at most a district's mail-out (Xifeng sent 13,000 letters in one call-up).
MAX_BATCH_SIZE = 20_000


@transaction.atomic
def campaign_save(*, actor, campaign: InvitationCampaign) -> InvitationCampaign:
    if campaign.area_id is None:
        raise refuse("area", _("Choose the area that runs this campaign."))
    if campaign.pk is not None:
        access.get_for_user(
            InvitationCampaign.objects.select_for_update(),
            actor,
            access.Purpose.WRITE,
            pk=campaign.pk,
        )
    access.require_write_to(actor, campaign)
    campaign.name = campaign.name.strip()
    if campaign.created_by_id is None:
        campaign.created_by = actor
    full_clean_or_refuse(
        campaign, _("The campaign could not be saved: please correct the fields shown.")
    )
    campaign.save()
    return campaign


@transaction.atomic
def campaign_close(*, actor, campaign: InvitationCampaign) -> InvitationCampaign:
    """Closed campaigns keep their funnel; their links still open but bring no more
    credited registrations (the worker is offered ordinary registration)."""
    campaign = access.get_for_user(
        InvitationCampaign.objects.select_for_update(), actor, access.Purpose.WRITE, pk=campaign.pk
    )
    if campaign.status == InvitationCampaign.Status.CLOSED:
        raise ApplicationError(_("This campaign is already closed."))
    campaign.status = InvitationCampaign.Status.CLOSED
    if campaign.ends_on is None or campaign.ends_on > timezone.localdate():
        campaign.ends_on = max(timezone.localdate(), campaign.starts_on)
    campaign.save(update_fields=["status", "ends_on", "updated_at"])
    return campaign


@dataclass(frozen=True)
class Recipient:
    name: str
    phone: str


# A recipient line: a name (no digits), then the phone as typed (+86, spaces, dashes).
RECIPIENT_LINE = re.compile(r"^([^\d+]*?)[\s,，、]*([+\d][\d\s-]*)$")


def parse_recipients(text: str) -> list[Recipient]:
    """A pasted list, one person a line: "张三 13812345678", "张三,138 1234 5678" or just
    the phone. Every bad line is named in one refusal, so the whole list is corrected at
    once and nothing is issued until it is."""
    recipients, errors, seen = [], [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = RECIPIENT_LINE.match(line)
        phone = normalize_mobile(match.group(2)) if match else ""
        try:
            validate_mobile(phone)
        except ValidationError:
            errors.append(
                _("line %(n)d: “%(text)s” has no valid mobile number at the end")
                % {"n": number, "text": line[:40]}
            )
            continue
        if phone in seen:
            errors.append(
                _("line %(n)d: %(phone)s is listed twice") % {"n": number, "phone": phone}
            )
            continue
        seen.add(phone)
        recipients.append(Recipient(name=match.group(1).strip()[:50], phone=phone))
    if errors:
        raise refuse(
            "recipients",
            _("Nothing was issued. Correct these lines: %(lines)s") % {"lines": "; ".join(errors)},
        )
    return recipients


def new_codes(count: int) -> list[str]:
    """`count` fresh codes not yet in use (31^8 ≈ 850 billion: collisions are rare, and
    the unique constraint catches a race)."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = count - len(codes)
        drawn = {typable_code(INVITATION_CODE_LENGTH) for _ in range(wanted)}
        taken = set(Invitation.objects.filter(code__in=drawn).values_list("code", flat=True))
        codes |= drawn - taken
    return sorted(codes)


@transaction.atomic
def invitations_issue(
    *,
    actor,
    campaign: InvitationCampaign,
    community: Area,
    channel: str,
    count: int = 0,
    recipients: list[Recipient] | None = None,
    note: str = "",
) -> InvitationBatch:
    """Issue a batch of invitations for one community: `count` anonymous codes (letters,
    posters, a group link) or one per recipient (personal letters, text messages)."""
    campaign = access.get_for_user(
        InvitationCampaign.objects.select_for_update(), actor, access.Purpose.WRITE, pk=campaign.pk
    )
    if campaign.status != InvitationCampaign.Status.ACTIVE:
        raise refuse("campaign", _("This campaign is closed: it issues no more invitations."))
    if community is None or community.level not in COMMUNITY_LEVEL_VALUES:
        raise refuse("community", _("Choose a community or a street, not a whole district."))
    if not campaign.area.contains(community):
        raise refuse(
            "community",
            _("%(community)s is outside %(area)s, which runs this campaign.")
            % {"community": community.name, "area": campaign.area.name},
        )
    if channel not in InvitationBatch.Channel.values:
        raise refuse("channel", _("Choose how the invitations are sent."))
    recipients = recipients or []
    if recipients and count and count != len(recipients):
        raise refuse("count", _("Leave the number empty when you list the recipients: one each."))
    count = len(recipients) or count
    if not 1 <= count <= MAX_BATCH_SIZE:
        raise refuse(
            "count",
            _("Issue between 1 and %(max)d invitations at a time.") % {"max": MAX_BATCH_SIZE},
        )
    batch = InvitationBatch.objects.create(
        campaign=campaign,
        community=community,
        channel=channel,
        note=note.strip()[:200],
        created_by=actor,
    )
    people = recipients or [Recipient("", "")] * count
    try:
        with transaction.atomic():
            Invitation.objects.bulk_create(
                [
                    Invitation(
                        batch=batch, code=code, recipient_name=p.name, recipient_phone=p.phone
                    )
                    for code, p in zip(new_codes(count), people, strict=True)
                ],
                batch_size=2000,
            )
    except IntegrityError:
        raise ApplicationError(
            _("Another batch took some of these codes a moment ago. Please issue again.")
        ) from None
    return batch


@transaction.atomic
def batch_mark_sent(*, actor, batch: InvitationBatch) -> int:
    """The batch was handed out or sent: its invitations count as sent from now. Returns
    how many invitations were newly marked."""
    batch = access.get_for_user(
        InvitationBatch.objects.select_for_update(), actor, access.Purpose.WRITE, pk=batch.pk
    )
    if batch.sent_at is not None:
        raise ApplicationError(
            _("This batch was already marked sent on %(day)s.")
            % {"day": timezone.localtime(batch.sent_at).date()}
        )
    batch.sent_at = timezone.now()
    batch.save(update_fields=["sent_at", "updated_at"])
    return batch.invitations.filter(sent_at__isnull=True).update(sent_at=batch.sent_at)


normalize_code = normalize_typable_code


def invitation_open(code: str) -> Invitation | None:
    """A worker followed an invitation's link or typed its code: count the opening (one
    UPDATE, safe when many open at once). None when there is no such code."""
    code = normalize_code(code)
    if len(code) != INVITATION_CODE_LENGTH:
        return None
    updated = Invitation.objects.filter(code=code).update(
        open_count=F("open_count") + 1,
        sent_at=Coalesce(F("sent_at"), Now()),
        opened_at=Case(When(opened_at__isnull=True, then=Now()), default=F("opened_at")),
    )
    if not updated:
        return None
    return Invitation.objects.select_related("batch__campaign", "batch__community").get(code=code)


def invitation_for_registration(code: str | None) -> Invitation | None:
    """The invitation a new registration is credited to: one that exists and whose
    campaign still runs."""
    code = normalize_code(code or "")
    if not code:
        return None
    return (
        Invitation.objects.select_related("batch__community")
        .filter(code=code, batch__campaign__status=InvitationCampaign.Status.ACTIVE)
        .first()
    )


__all__ = [
    "MAX_BATCH_SIZE",
    "Recipient",
    "batch_mark_sent",
    "campaign_close",
    "campaign_save",
    "invitation_for_registration",
    "invitation_open",
    "invitations_issue",
    "new_codes",
    "normalize_code",
    "parse_recipients",
]
