"""Messages by WeChat: one interface, a backend chosen by settings (as core/sms.py).

A WeChat service account sends a subscribed or template message to a person's openid, the
id WeChat gives a person for one account. Linking a worker's WeChat to their record is a
later issue's; until then no worker has an openid, members.services.inbox never offers
the channel, and only the local backend is here:

- `core.wechat.ConsoleBackend` (default): writes the message to the log (logger
  "core.wechat").

A backend raises WeChatError when WeChat did not take the message.
"""

import logging
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("core.wechat")


class WeChatError(Exception):
    """WeChat did not accept the message."""


class WeChatBackend:
    def send_notice(self, *, openid: str, title: str, link: str) -> None:
        """ "You have a new message: <title>", opening `link` (a path on this site)."""
        raise NotImplementedError


class ConsoleBackend(WeChatBackend):
    def send_notice(self, *, openid: str, title: str, link: str) -> None:
        if not openid:
            raise WeChatError("no WeChat account is linked to this person")
        logger.info("WeChat to %s: new message: %s (%s)", openid, title, link)


@lru_cache(maxsize=1)
def _backend_for(path: str) -> WeChatBackend:
    return import_string(path)()


def get_backend() -> WeChatBackend:
    return _backend_for(settings.WECHAT_BACKEND)
