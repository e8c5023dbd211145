"""Invitations (喊你回家 召集令, 邀请函): campaigns that call workers to register with a
community, each invitation a unique code with a link and a QR code.

A campaign is run by an area (a district, a street, a community). It issues invitations in
batches — "500 letters for 西峰社区", "one link for the 美团 riders' WeChat group" — each
batch for one community and one channel. The funnel counts, per campaign and per
community: invitations sent, opened (the link or QR was followed at least once) and the
registrations they brought (Worker.invitation). A shared link (a group message, a poster)
may bring many registrations; a personal letter usually one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.identifiers import TYPABLE_ALPHABET, validate_mobile
from core.masking import mask_name, mask_phone
from core.models import TimeStampedModel

from .workers import COMMUNITY_LEVELS

# Codes are typed from paper letters: no 0/O, 1/I/L, and upper case only.
INVITATION_CODE_ALPHABET = TYPABLE_ALPHABET
INVITATION_CODE_LENGTH = 8


class InvitationCampaign(TimeStampedModel):
    scope_area_path = "area"

    class Status(models.TextChoices):
        ACTIVE = "active", _("Running")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. 喊你回家 召集令"))
    area = models.ForeignKey(
        Area,
        verbose_name=_("run by (area)"),
        on_delete=models.PROTECT,
        related_name="invitation_campaigns",
    )
    message = models.TextField(
        _("message to the worker"),
        blank=True,
        help_text=_("Shown on the page the invitation's link opens."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation campaign")
        verbose_name_plural = _("invitation campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="members_invitationcampaign_ends_after_start",
                violation_error_message=_("A campaign cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class InvitationBatch(TimeStampedModel):
    """Invitations issued together: for one community, by one channel."""

    scope_area_path = "community"

    class Channel(models.TextChoices):
        LETTER = "letter", _("Letter or card (邀请函)")
        SMS = "sms", _("Text message")
        WECHAT = "wechat", _("WeChat message or group")
        POSTER = "poster", _("Poster")
        IN_PERSON = "in_person", _("Handed over in person")

    campaign = models.ForeignKey(
        InvitationCampaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="batches",
    )
    community = models.ForeignKey(
        Area,
        verbose_name=_("community invited to"),
        on_delete=models.PROTECT,
        related_name="invitation_batches",
        limit_choices_to=COMMUNITY_LEVELS,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("e.g. 美团西峰站点 group")
    )
    sent_at = models.DateTimeField(
        _("marked sent at"),
        null=True,
        blank=True,
        help_text=_("When the batch was handed out or sent; empty while being prepared."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation batch")
        verbose_name_plural = _("invitation batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.community.name} · {self.get_channel_display()}"


class Invitation(models.Model):
    scope_area_path = "batch__community"

    batch = models.ForeignKey(
        InvitationBatch,
        verbose_name=_("batch"),
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    code = models.CharField(_("code"), max_length=INVITATION_CODE_LENGTH, unique=True)
    recipient_name = models.CharField(_("recipient"), max_length=50, blank=True)
    recipient_phone = models.CharField(
        _("recipient's phone"), max_length=11, blank=True, validators=[validate_mobile]
    )
    # Set when its batch is marked sent, or at the first opening if it never was: an opened
    # invitation was evidently sent, so the funnel never shows more opened than sent.
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    open_count = models.PositiveIntegerField(_("times opened"), default=0)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["batch", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opened_at__isnull=True) | models.Q(sent_at__isnull=False),
                name="members_invitation_opened_was_sent",
                violation_error_message=_("An opened invitation was sent."),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def masked_recipient(self) -> str:
        parts = [mask_name(self.recipient_name), mask_phone(self.recipient_phone)]
        return " ".join(p for p in parts if p)
