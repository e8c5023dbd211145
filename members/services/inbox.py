"""Writes of the inbox (消息, issue 14 §4): sending a message, reading it, the worker's
choice of channels, the district's, and delivery by SMS or WeChat.

A message always goes to the inbox. It also goes by a channel when three agree: the
kind allows that channel (members.inbox), the worker's district sends by it
(DistrictMessaging), and the worker turned it on for that kind (MessagePreference). The
delivery is a row in the sender's transaction and a task through the outbox, so a
rolled-back approval sends nothing and a broker outage delays, never loses, a message.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core import outbox, sms, wechat
from core.exceptions import refuse
from core.identifiers import MOBILE_RE, normalize_mobile

from .. import inbox, selectors
from ..models import Worker
from ..models.inbox import Channel, DistrictMessaging, Message, MessageDelivery, MessagePreference

logger = logging.getLogger(__name__)

__all__ = [
    "channel_choices",
    "channels_offered",
    "district_messaging_save",
    "message_deliver",
    "message_preference_set",
    "message_send",
    "messages_mark_read",
    "messages_merge",
    "message_preferences_merge",
    "DELIVERY_ATTEMPTS",
]

DELIVERY_ATTEMPTS = 3


def district_messaging_of(worker: Worker) -> DistrictMessaging | None:
    return DistrictMessaging.objects.filter(area__code=worker.area.district_code).first()


def channels_offered(worker: Worker) -> list[str]:
    """The channels besides the inbox this worker may turn on: those their district sends
    by and they can be reached on. WeChat needs a linked account, which no worker has yet
    (linking is a later issue's): until then it is never offered."""
    setting = district_messaging_of(worker)
    if setting is None or worker.erased_at:
        return []
    return [c for c in (Channel.SMS,) if setting.allows(c)]


def channel_choices(worker: Worker) -> list[tuple[inbox.MessageKind, str, bool]]:
    """What the worker may turn on, as (kind, channel, on now): every registered kind with
    each channel it allows that the worker is offered (the read behind the settings page;
    message_preference_set checks the same rule on the way in)."""
    offered = channels_offered(worker)
    chosen = set(
        MessagePreference.objects.filter(worker=worker, enabled=True).values_list("kind", "channel")
    )
    return [
        (kind_, channel, (kind_.code, channel) in chosen)
        for kind_ in inbox.kinds()
        for channel in offered
        if channel in kind_.channels
    ]


def _wants(worker: Worker, kind_code: str, channel: str) -> bool:
    return MessagePreference.objects.filter(
        worker=worker, kind=kind_code, channel=channel, enabled=True
    ).exists()


def message_send(
    *,
    worker: Worker | None = None,
    phone: str = "",
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    event_key: str,
) -> Message | None:
    """Tell a worker what happened to their record — or someone known only by the phone
    they sign in with (a donor of micro-wishes) — once per `event_key` (a task run twice
    sends one message). A phone with a worker record is that worker; a merged record's
    messages go to the record it was merged into; an erased account gets none. A phone
    without a record reads it in the inbox only (no preferences, no text messages)."""
    kind_ = inbox.kind(kind)  # an unregistered kind is a bug: KeyError
    if worker is None:
        worker = selectors.worker_for_phone(phone)
        if worker is None:
            return _message_to_phone(phone, kind_, title, body, link, event_key)
    while worker.merged_into_id:
        worker = Worker.objects.get(pk=worker.merged_into_id)
    if worker.erased_at:
        return None
    with transaction.atomic():
        message, created = Message.objects.get_or_create(
            worker=worker,
            event_key=event_key[:100],
            defaults={"kind": kind_.code, "title": title[:60], "body": body, "link": link[:200]},
        )
        if not created:
            return message
        for channel in channels_offered(worker):
            if channel in kind_.channels and _wants(worker, kind_.code, channel):
                delivery = MessageDelivery.objects.create(message=message, channel=channel)
                outbox.enqueue("members.tasks.deliver_message", delivery.pk)
    return message


def _message_to_phone(phone, kind_, title, body, link, event_key) -> Message | None:
    phone = normalize_mobile(phone or "")
    if not MOBILE_RE.match(phone):
        return None
    message, _created = Message.objects.get_or_create(
        worker=None,
        phone=phone,
        event_key=event_key[:100],
        defaults={"kind": kind_.code, "title": title[:60], "body": body, "link": link[:200]},
    )
    return message


def messages_mark_read(
    *, worker: Worker | None, phone: str = "", ids: list[int] | None = None
) -> int:
    """These messages (all when `ids` is None) of the inbox of `worker` and `phone` have
    been seen."""
    unread = selectors.inbox_of(worker=worker, phone=phone).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def message_preference_set(
    *, worker: Worker, kind: str, channel: str, enabled: bool
) -> MessagePreference:
    try:
        kind_ = inbox.kind(kind)
    except KeyError:
        raise refuse("kind", _("There is no such kind of message.")) from None
    if channel not in kind_.channels or channel not in channels_offered(worker):
        raise refuse(
            "channel",
            _("Your district does not send this kind of message by %(channel)s.")
            % {"channel": Channel(channel).label if channel in Channel.values else channel},
        )
    preference, _created = MessagePreference.objects.update_or_create(
        worker=worker, kind=kind_.code, channel=channel, defaults={"enabled": enabled}
    )
    return preference


@transaction.atomic
def district_messaging_save(
    *, actor, area: Area, sms_enabled: bool, wechat_enabled: bool
) -> DistrictMessaging:
    """A district's department turns channels on or off for its workers."""
    if area.level != Area.Level.DISTRICT:
        raise refuse("area", _("Messaging is set for a whole district."))
    access.require_write_in(actor, area)
    setting, _created = DistrictMessaging.objects.update_or_create(
        area=area, defaults={"sms_enabled": sms_enabled, "wechat_enabled": wechat_enabled}
    )
    return setting


class DeliveryFailed(Exception):
    """A channel's gateway did not take the message; the task tries again later."""


def message_deliver(delivery_id: int) -> str:
    """Send one delivery (the task's work; idempotent: a delivery sent, failed or dropped
    is left alone). A worker who turned the channel off, or a district that stopped it,
    since the message was made is not sent it. A gateway's refusal is recorded, then
    raised as DeliveryFailed (after the record is saved) for the task to try again."""
    with transaction.atomic():
        # Only a worker's messages have deliveries; lock the delivery row alone (the
        # worker is an outer join now that a message may go to a phone).
        delivery = (
            MessageDelivery.objects.select_for_update(of=("self",))
            .select_related("message__worker__area")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != MessageDelivery.Status.WAITING:
            return delivery.status if delivery else "missing"
        message, worker = delivery.message, delivery.message.worker
        if delivery.channel not in channels_offered(worker) or not _wants(
            worker, message.kind, delivery.channel
        ):
            delivery.status = MessageDelivery.Status.DROPPED
            delivery.save(update_fields=["status"])
            return delivery.status
        delivery.attempts += 1
        try:
            if delivery.channel == Channel.SMS:
                sms.get_backend().send_notice(phone=worker.phone, title=message.title)
            else:
                wechat.get_backend().send_notice(openid="", title=message.title, link=message.link)
        except (sms.SmsError, wechat.WeChatError) as error:
            delivery.last_error = str(error)[:300]
            if delivery.attempts >= DELIVERY_ATTEMPTS:
                delivery.status = MessageDelivery.Status.FAILED
                logger.warning("Message delivery %s failed for good: %s", delivery.pk, error)
        else:
            delivery.status = MessageDelivery.Status.SENT
            delivery.sent_at = timezone.now()
        delivery.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    if delivery.status == MessageDelivery.Status.WAITING:
        raise DeliveryFailed(delivery.last_error)
    return delivery.status


def messages_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """A merged record's messages belong to the record that stays (with their
    deliveries); an event told to both is kept once."""
    Message.objects.filter(worker=duplicate).exclude(
        event_key__in=Message.objects.filter(worker=kept).values("event_key")
    ).update(worker=kept)
    Message.objects.filter(worker=duplicate).delete()


def message_preferences_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """A merged record's choices of channels move too; the kept record's win."""
    kept_choices = set(MessagePreference.objects.filter(worker=kept).values_list("kind", "channel"))
    for preference in MessagePreference.objects.filter(worker=duplicate):
        if (preference.kind, preference.channel) in kept_choices:
            preference.delete()
        else:
            preference.worker = kept
            preference.save(update_fields=["worker"])
