"""Sending text messages: one interface, a backend chosen by settings.

Chinese SMS gateways send approved templates, not free text, so the interface is what we
send ("a login code, valid N minutes"), and each backend maps it onto its gateway's
template. Backends:

- `core.sms.ConsoleBackend` (default): writes the message to the log (logger "core.sms").
  For development, demos and tests — the code is read from the log, nothing is sent.
- `core.sms.TencentCloudBackend`: Tencent Cloud SMS (SendSms, API 2021-01-11, TC3 signing).
  Needs SMS_TENCENT_* settings (see .env.example).

A backend raises SmsError when the message could not be handed over; callers tell the
person to try again rather than pretending it was sent.
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from core.masking import mask_phone

logger = logging.getLogger("core.sms")


class SmsError(Exception):
    """The gateway did not accept the message."""


class SmsBackend:
    def send_login_code(self, *, phone: str, code: str, valid_minutes: int) -> None:
        raise NotImplementedError

    def send_notice(self, *, phone: str, title: str) -> None:
        """ "You have a new message: <title>; open the platform to read it." The message
        itself stays in the inbox on /m/me: an SMS only says that there is one."""
        raise NotImplementedError


class ConsoleBackend(SmsBackend):
    """Writes the message to the log instead of sending it."""

    def send_login_code(self, *, phone: str, code: str, valid_minutes: int) -> None:
        logger.info("SMS to %s: login code %s (valid %d minutes)", phone, code, valid_minutes)

    def send_notice(self, *, phone: str, title: str) -> None:
        logger.info("SMS to %s: new message: %s", mask_phone(phone), title)


class TencentCloudBackend(SmsBackend):
    """Tencent Cloud SMS, with two templates approved in the Tencent console: the login
    code's, with the code and the minutes it is valid ("您的登录验证码为{1}，{2}分钟内有效。"),
    and the notice's, with a message's title ("您有一条新消息：{1}，请打开驿站服务平台查看。";
    optional: without it, no notice goes by SMS)."""

    service = "sms"
    action = "SendSms"
    version = "2021-01-11"

    def __init__(self):
        self.secret_id = settings.SMS_TENCENT_SECRET_ID
        self.secret_key = settings.SMS_TENCENT_SECRET_KEY
        self.app_id = settings.SMS_TENCENT_APP_ID
        self.sign_name = settings.SMS_TENCENT_SIGN_NAME
        self.template_id = settings.SMS_TENCENT_LOGIN_TEMPLATE_ID
        self.notice_template_id = settings.SMS_TENCENT_NOTICE_TEMPLATE_ID
        self.region = settings.SMS_TENCENT_REGION
        self.endpoint = settings.SMS_TENCENT_ENDPOINT
        missing = [
            name
            for name, value in [
                ("SMS_TENCENT_SECRET_ID", self.secret_id),
                ("SMS_TENCENT_SECRET_KEY", self.secret_key),
                ("SMS_TENCENT_APP_ID", self.app_id),
                ("SMS_TENCENT_SIGN_NAME", self.sign_name),
                ("SMS_TENCENT_LOGIN_TEMPLATE_ID", self.template_id),
            ]
            if not value
        ]
        if missing:
            raise ImproperlyConfigured(
                "The Tencent Cloud SMS backend needs " + ", ".join(missing) + "."
            )

    def send_login_code(self, *, phone: str, code: str, valid_minutes: int) -> None:
        self.send(phone, self.template_id, [code, str(valid_minutes)])

    def send_notice(self, *, phone: str, title: str) -> None:
        if not self.notice_template_id:
            raise SmsError("SMS_TENCENT_NOTICE_TEMPLATE_ID is not set: no notices by SMS")
        self.send(phone, self.notice_template_id, [title])

    def send(self, phone: str, template_id: str, params: list[str]) -> None:
        body = json.dumps(
            {
                "PhoneNumberSet": [f"+86{phone}"],
                "SmsSdkAppId": self.app_id,
                "SignName": self.sign_name,
                "TemplateId": template_id,
                "TemplateParamSet": params,
            },
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(
            self.endpoint, data=body, headers=self.signed_headers(body), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = json.loads(response.read() or b"{}").get("Response", {})
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise SmsError(f"Tencent Cloud SMS unreachable: {error}") from error
        if "Error" in answer:
            raise SmsError(f"Tencent Cloud SMS refused: {answer['Error']}")
        statuses = answer.get("SendStatusSet") or [{}]
        if statuses[0].get("Code") != "Ok":
            raise SmsError(f"Tencent Cloud SMS did not send to {mask_phone(phone)}: {statuses[0]}")

    def signed_headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """TC3-HMAC-SHA256 request signing, as Tencent Cloud API 3.0 documents it."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
        host = self.endpoint.split("://", 1)[-1].split("/", 1)[0]
        content_type = "application/json; charset=utf-8"
        canonical_request = "\n".join(
            [
                "POST",
                "/",
                "",
                f"content-type:{content_type}\nhost:{host}\n",
                "content-type;host",
                hashlib.sha256(body).hexdigest(),
            ]
        )
        scope = f"{date}/{self.service}/tc3_request"
        string_to_sign = "\n".join(
            [
                "TC3-HMAC-SHA256",
                str(timestamp),
                scope,
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            ]
        )

        def _hmac(key: bytes, message: str) -> bytes:
            return hmac.new(key, message.encode(), hashlib.sha256).digest()

        signing_key = _hmac(
            _hmac(_hmac(f"TC3{self.secret_key}".encode(), date), self.service), "tc3_request"
        )
        signature = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        return {
            "Authorization": (
                f"TC3-HMAC-SHA256 Credential={self.secret_id}/{scope}, "
                f"SignedHeaders=content-type;host, Signature={signature}"
            ),
            "Content-Type": content_type,
            "Host": host,
            "X-TC-Action": self.action,
            "X-TC-Version": self.version,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
        }


@lru_cache(maxsize=1)
def _backend_for(path: str) -> SmsBackend:
    return import_string(path)()


def get_backend() -> SmsBackend:
    return _backend_for(settings.SMS_BACKEND)
