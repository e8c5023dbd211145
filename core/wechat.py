"""Messages by WeChat: one interface, a backend chosen by settings (as core/sms.py).

A WeChat service account sends a subscribed or template message to a person's openid, the
id WeChat gives a person for one account. Linking a worker's WeChat to their record is a
later issue's; until then no worker has an openid, members.services.inbox never offers
the channel, and only the local backend is here:

- `core.wechat.ConsoleBackend` (default): writes the message to the log (logger
  "core.wechat").

A backend raises WeChatError when WeChat did not take the message.
"""

import hashlib
import json
import logging
import secrets
import time
import urllib.parse
import urllib.request
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
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
def _backend_for(path: str):
    return import_string(path)()


def get_backend() -> WeChatBackend:
    return _backend_for(settings.WECHAT_BACKEND)


# Share cards (分享卡片) ----------------------------------------------------------------------
#
# Inside WeChat, a shared link shows a card with a title, a picture and a line of text only
# when the page configures WeChat's JS-SDK with a signature made from the official
# account's jsapi_ticket (the district's 公众号; its domain registered as a JS-safe domain).
# Everywhere else the page's own title, image and description tags make the card. The
# ticket comes from WeChat's servers, so it sits behind an interface:
#
# - `core.wechat.NoShareBackend` (default, local): no signature; the page's tags alone.
# - `core.wechat.OfficialAccountShareBackend`: the account's app id and secret
#   (WECHAT_APP_ID, WECHAT_APP_SECRET) fetch an access token and a jsapi_ticket, each
#   cached in Redis for a little less than the 7,200 s WeChat gives it.

JSAPI_TICKET_CACHE_KEY = "core:wechat:jsapi-ticket"
ACCESS_TOKEN_CACHE_KEY = "core:wechat:access-token"
WECHAT_API = "https://api.weixin.qq.com/cgi-bin"
TOKEN_SECONDS = 7000


def share_signature(*, jsapi_ticket: str, nonce_str: str, timestamp: int, url: str) -> str:
    """WeChat's JS-SDK signature: SHA-1 of the four fields in this order, the URL without
    its #fragment (WeChat's 附录1 签名算法)."""
    url = url.split("#", 1)[0]
    raw = f"jsapi_ticket={jsapi_ticket}&noncestr={nonce_str}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(raw.encode()).hexdigest()  # noqa: S324 (WeChat's algorithm)


class ShareBackend:
    def share_config(self, url: str) -> dict | None:
        """wx.config's arguments for the page at `url`, or None (tags only)."""
        raise NotImplementedError


class NoShareBackend(ShareBackend):
    def share_config(self, url: str) -> dict | None:
        return None


class OfficialAccountShareBackend(ShareBackend):
    """Signs with the official account's ticket. WeChat's refusals (a wrong secret, the
    server's address not on the account's IP allow-list) are logged and the page falls
    back to its tags: a share card is never worth an error page."""

    def share_config(self, url: str) -> dict | None:
        try:
            ticket = self.jsapi_ticket()
        except WeChatError as error:
            logger.warning("No WeChat share signature: %s", error)
            return None
        nonce_str = secrets.token_urlsafe(12)
        timestamp = int(time.time())
        return {
            "appId": settings.WECHAT_APP_ID,
            "timestamp": timestamp,
            "nonceStr": nonce_str,
            "signature": share_signature(
                jsapi_ticket=ticket, nonce_str=nonce_str, timestamp=timestamp, url=url
            ),
            "jsApiList": ["updateAppMessageShareData", "updateTimelineShareData"],
        }

    def jsapi_ticket(self) -> str:
        ticket = cache.get(JSAPI_TICKET_CACHE_KEY)
        if not ticket:
            answer = self._get("/ticket/getticket", access_token=self._access_token(), type="jsapi")
            ticket = answer.get("ticket") or ""
            if not ticket:
                raise WeChatError(f"no jsapi_ticket: {answer.get('errmsg', answer)}")
            cache.set(JSAPI_TICKET_CACHE_KEY, ticket, TOKEN_SECONDS)
        return ticket

    def _access_token(self) -> str:
        token = cache.get(ACCESS_TOKEN_CACHE_KEY)
        if not token:
            answer = self._get(
                "/token",
                grant_type="client_credential",
                appid=settings.WECHAT_APP_ID,
                secret=settings.WECHAT_APP_SECRET,
            )
            token = answer.get("access_token") or ""
            if not token:
                raise WeChatError(f"no access_token: {answer.get('errmsg', answer)}")
            cache.set(ACCESS_TOKEN_CACHE_KEY, token, TOKEN_SECONDS)
        return token

    def _get(self, path: str, **params) -> dict:
        url = f"{WECHAT_API}{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=settings.WECHAT_TIMEOUT_SECONDS) as answer:  # noqa: S310
                return json.loads(answer.read().decode())
        except (OSError, ValueError) as error:
            raise WeChatError(f"WeChat did not answer: {error}") from error


def share_config(url: str) -> dict | None:
    """The JS-SDK configuration for a public page that may be shared (core.wechat's share
    backend, chosen by WECHAT_SHARE_BACKEND)."""
    return _backend_for(settings.WECHAT_SHARE_BACKEND).share_config(url)
