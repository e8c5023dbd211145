"""The kinds of message the inbox carries (issue 14 §4), a registry the apps that send
them fill in their AppConfig.ready(): members registers the registration's outcome;
points a gift ready or about to expire; activities an activity tomorrow; wishes and
feedback theirs when they arrive. A kind names the outside channels it may also use
(a text message for what a worker acts on, none for what only informs).

Sending is members.services.inbox.message_send; the worker's page is /m/me/messages/.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from core.registry import Registry

from .models.inbox import Channel


@dataclass(frozen=True)
class MessageKind:
    code: str  # unique, "app.what": "points.redemption_ready"
    label: str  # what the worker turns on and off: "兑换的礼品可以领取了"
    channels: tuple[str, ...] = (Channel.SMS, Channel.WECHAT)  # besides the inbox


_kinds: Registry[MessageKind] = Registry("message kind")

# Members' own kinds: a registration (报到) approved or returned with the reason; a change
# to the account itself (a new phone number), in the inbox only.
REGISTRATION_REVIEWED = "members.registration_reviewed"
ACCOUNT_CHANGED = "members.account_changed"


def register(kind: MessageKind) -> MessageKind:
    return _kinds.register(kind.code, kind)


def kind(code: str) -> MessageKind:
    return _kinds.get(code)


def kinds() -> list[MessageKind]:
    return list(_kinds)


def in_workers_language():
    """Compose a message inside this: it is read by the worker, in the platform's language,
    whoever's action (a staff member's English admin, a beat job) sent it."""
    return translation.override(settings.LANGUAGE_CODE)
