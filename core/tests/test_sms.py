"""The SMS backends. The Tencent Cloud one talks to a local HTTP server standing in for the
gateway (the real one cannot be reached from here): what it sends and how it takes a
refusal."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import sms


class Gateway:
    def __init__(self, answer: dict):
        self.answer = answer
        self.requests: list[tuple[dict, dict]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append(
                    ({k.lower(): v for k, v in self.headers.items()}, json.loads(body))
                )
                payload = json.dumps({"Response": gateway.answer}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def tencent(settings):
    def make(answer):
        gateway = Gateway(answer)
        settings.SMS_TENCENT_SECRET_ID = "AKIDtest"
        settings.SMS_TENCENT_SECRET_KEY = "secret"
        settings.SMS_TENCENT_APP_ID = "1400000000"
        settings.SMS_TENCENT_SIGN_NAME = "暖新驿站"
        settings.SMS_TENCENT_LOGIN_TEMPLATE_ID = "123456"
        settings.SMS_TENCENT_ENDPOINT = gateway.url
        gateways.append(gateway)
        return gateway, sms.TencentCloudBackend()

    gateways = []
    yield make
    for gateway in gateways:
        gateway.close()


def test_tencent_sends_the_template_with_code_and_minutes(tencent):
    gateway, backend = tencent({"SendStatusSet": [{"Code": "Ok"}], "RequestId": "r"})
    backend.send_login_code(phone="13812345678", code="042042", valid_minutes=5)
    ((headers, body),) = gateway.requests
    assert body == {
        "PhoneNumberSet": ["+8613812345678"],
        "SmsSdkAppId": "1400000000",
        "SignName": "暖新驿站",
        "TemplateId": "123456",
        "TemplateParamSet": ["042042", "5"],
    }
    assert headers["x-tc-action"] == "SendSms"
    assert headers["x-tc-version"] == "2021-01-11"
    assert headers["authorization"].startswith("TC3-HMAC-SHA256 Credential=AKIDtest/")
    assert (
        "/sms/tc3_request, SignedHeaders=content-type;host, Signature=" in headers["authorization"]
    )


def test_tencent_signature_depends_on_body_and_time(tencent):
    _gateway, backend = tencent({})
    one = backend.signed_headers(b"{}", timestamp=1_700_000_000)["Authorization"]
    assert one == backend.signed_headers(b"{}", timestamp=1_700_000_000)["Authorization"]
    assert one != backend.signed_headers(b"{ }", timestamp=1_700_000_000)["Authorization"]
    assert one != backend.signed_headers(b"{}", timestamp=1_700_000_001)["Authorization"]
    assert "Credential=AKIDtest/2023-11-14/sms/tc3_request" in one


@pytest.mark.parametrize(
    "answer",
    [
        {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"}},
        {"SendStatusSet": [{"Code": "LimitExceeded.PhoneNumberDailyLimit"}]},
    ],
)
def test_tencent_refusal_raises_sms_error(tencent, answer):
    _gateway, backend = tencent(answer)
    with pytest.raises(sms.SmsError):
        backend.send_login_code(phone="13812345678", code="042042", valid_minutes=5)


def test_unreachable_gateway_raises_sms_error(tencent, settings):
    gateway, _backend = tencent({})
    gateway.close()
    settings.SMS_TENCENT_ENDPOINT = "http://127.0.0.1:9/"
    with pytest.raises(sms.SmsError):
        sms.TencentCloudBackend().send_login_code(
            phone="13812345678", code="042042", valid_minutes=5
        )


def test_tencent_without_credentials_names_what_is_missing(settings):
    settings.SMS_TENCENT_SECRET_ID = ""
    settings.SMS_TENCENT_SECRET_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="SMS_TENCENT_SECRET_ID"):
        sms.TencentCloudBackend()
