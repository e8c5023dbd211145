"""The inbox (消息) of everyone who logs in on the phone (issue 14 §4): what happened to
their own records — a registration approved or returned, a gift ready to pick up, an
activity tomorrow — and, where they asked for it and their district sends it, a text
message saying there is something new. Kinds of message are registered by the apps that
send them (members.inbox); the wording is made when the message is, in the worker's
language, and kept as it was said.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.models import TimeStampedModel

from .workers import Worker


class Channel(models.TextChoices):
    """Ways a message reaches a person besides the inbox, which always has it."""

    SMS = "sms", _("text message (SMS)")
    WECHAT = "wechat", _("WeChat")


class Message(models.Model):
    """One message in someone's inbox: a worker's, or — for someone who signs in on the
    phone without a worker record, a donor of micro-wishes — the phone number's. A phone's
    messages join the worker's inbox if that phone registers later."""

    worker = models.ForeignKey(
        Worker,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("worker"),
        null=True,
        blank=True,
    )
    phone = models.CharField(
        _("mobile phone"),
        max_length=11,
        blank=True,
        help_text=_("For someone without a worker record (a donor): their phone."),
    )
    kind = models.CharField(_("kind"), max_length=40)  # a registered MessageKind's code
    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)  # a path on this site
    # One message per event: the same event told twice (a task run again) is one message.
    event_key = models.CharField(max_length=100)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "event_key"], name="members_message_one_per_event"
            ),
            models.UniqueConstraint(
                fields=["phone", "event_key"],
                condition=models.Q(worker__isnull=True),
                name="members_message_one_per_event_by_phone",
            ),
            models.CheckConstraint(
                condition=models.Q(worker__isnull=False, phone="")
                | (models.Q(worker__isnull=True) & ~models.Q(phone="")),
                name="members_message_to_a_worker_or_a_phone",
                violation_error_message=_("A message goes to a worker or to a phone."),
            ),
        ]
        indexes = [
            models.Index(fields=["worker", "-created_at"], name="members_message_inbox"),
            models.Index(
                fields=["worker"],
                condition=models.Q(read_at__isnull=True),
                name="members_message_unread",
            ),
            models.Index(
                fields=["phone", "-created_at"],
                condition=models.Q(worker__isnull=True),
                name="members_message_phone_inbox",
            ),
        ]

    def __str__(self):
        return self.title


class MessageDelivery(models.Model):
    """A message on its way by a channel other than the inbox, sent by a Celery task
    (members.tasks.deliver_message) through the outbox."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("could not be sent")
        DROPPED = "dropped", _("not sent: turned off before it went")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message delivery")
        verbose_name_plural = _("message deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "channel"], name="members_delivery_one_per_channel"
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.get_status_display()}"


class MessagePreference(models.Model):
    """A worker's choice to also get a kind of message by a channel. Without a row, the
    channel is off: nothing but the inbox until the worker asks for more."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="message_preferences")
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("on"), default=False)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("message preference")
        verbose_name_plural = _("message preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "kind", "channel"], name="members_preference_unique"
            )
        ]

    def __str__(self):
        return f"{self.kind} · {self.get_channel_display()}: {self.enabled}"


class DistrictMessaging(TimeStampedModel):
    """What a district's department pays for: which channels besides the inbox its
    workers may ask for. Off until the district turns it on (SMS costs money)."""

    scope_area_path = "area"

    area = models.OneToOneField(
        Area,
        on_delete=models.CASCADE,
        related_name="messaging",
        verbose_name=_("district"),
        limit_choices_to={"level": Area.Level.DISTRICT},
    )
    sms_enabled = models.BooleanField(_("send text messages (SMS)"), default=False)
    wechat_enabled = models.BooleanField(_("send WeChat messages"), default=False)

    class Meta:
        verbose_name = _("messaging of a district")
        verbose_name_plural = _("messaging of districts")

    def __str__(self):
        return str(self.area)

    def allows(self, channel: str) -> bool:
        return {Channel.SMS: self.sms_enabled, Channel.WECHAT: self.wechat_enabled}.get(
            channel, False
        )
