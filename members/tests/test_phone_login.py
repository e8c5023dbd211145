"""SMS code login: codes, their limits (in the real Redis), the console backend."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from core.exceptions import ApplicationError
from members import phone_login
from members.models import LoginCode

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


def send(phone=PHONE, ip="10.0.0.1"):
    return phone_login.login_code_send(phone=phone, ip=ip)


def test_code_is_sent_and_only_its_hash_is_stored(sent_codes):
    login_code = send()
    (code,) = sent_codes()
    assert len(code) == 6 and code.isdigit()
    assert code not in login_code.code_hash
    assert login_code.expires_at - login_code.created_at == timedelta(minutes=5)
    assert phone_login.login_code_verify(phone=PHONE, code=code) == PHONE


def test_code_works_once(sent_codes):
    send()
    code = sent_codes()[-1]
    phone_login.login_code_verify(phone=PHONE, code=code)
    with pytest.raises(ApplicationError, match="already used"):
        phone_login.login_code_verify(phone=PHONE, code=code)


def test_expired_code_is_refused(sent_codes):
    login_code = send()
    LoginCode.objects.filter(pk=login_code.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ApplicationError, match="expired"):
        phone_login.login_code_verify(phone=PHONE, code=sent_codes()[-1])


def test_only_the_latest_code_counts(sent_codes):
    send()
    first = sent_codes()[-1]
    _pass(60)
    send()
    second = sent_codes()[-1]
    if first != second:
        with pytest.raises(ApplicationError):
            phone_login.login_code_verify(phone=PHONE, code=first)
    assert phone_login.login_code_verify(phone=PHONE, code=second) == PHONE


def test_wrong_codes_are_counted_and_the_code_is_spent_after_five(sent_codes):
    send()
    right = sent_codes()[-1]
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(ApplicationError, match=f"{left} tries left"):
            phone_login.login_code_verify(phone=PHONE, code=wrong)
    with pytest.raises(ApplicationError, match="Too many wrong codes"):
        phone_login.login_code_verify(phone=PHONE, code=wrong)
    # The count survived the refusals (they roll nothing back) and even the right code is
    # now refused.
    assert LoginCode.objects.get().failed_attempts == 5
    with pytest.raises(ApplicationError, match="Too many wrong codes"):
        phone_login.login_code_verify(phone=PHONE, code=right)


def test_a_code_for_another_phone_does_not_work(sent_codes):
    send()
    with pytest.raises(ApplicationError, match="expired"):
        phone_login.login_code_verify(phone="13900000000", code=sent_codes()[-1])


@pytest.mark.parametrize("phone", ["", "12345", "23812345678", "138123456789"])
def test_bad_phone_is_refused_and_nothing_sent(phone, sent_codes):
    with pytest.raises(ApplicationError) as refused:
        send(phone=phone)
    assert "phone" in refused.value.fields
    assert sent_codes() == [] and not LoginCode.objects.exists()


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567"])
def test_malformed_code_is_refused_without_using_a_try(code, sent_codes):
    send()
    with pytest.raises(ApplicationError, match="6-digit"):
        phone_login.login_code_verify(phone=PHONE, code=code)
    assert LoginCode.objects.get().failed_attempts == 0


def test_one_code_a_minute_per_phone(sent_codes):
    send()
    with pytest.raises(ApplicationError, match="less than a minute ago"):
        send(ip="10.0.0.2")
    assert len(sent_codes()) == 1 and LoginCode.objects.count() == 1


def _pass(seconds: int):
    """Let the `seconds` windows end (what Redis expiry does when that time has passed)."""
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"*ratelimit:login-code:{seconds}:*"):
        client.delete(key)


def _pass_a_minute():
    _pass(60)


def test_five_codes_an_hour_per_phone(sent_codes):
    for n in range(5):
        send(ip=f"10.0.1.{n}")
        _pass_a_minute()
    with pytest.raises(ApplicationError, match="this hour"):
        send(ip="10.0.1.99")
    assert len(sent_codes()) == 5


def test_ten_codes_a_day_per_phone(sent_codes):
    for n in range(10):
        send(ip=f"10.0.2.{n}")
        _pass_a_minute()
        if n == 4:
            _pass(3600)
    with pytest.raises(ApplicationError, match="today"):
        send(ip="10.0.2.99")
    assert len(sent_codes()) == 10


def test_limits_also_count_per_address(sent_codes):
    send(phone="13800000001", ip="10.9.9.9")
    with pytest.raises(ApplicationError, match="less than a minute ago"):
        send(phone="13800000002", ip="10.9.9.9")
    for n in range(2, 5):
        _pass_a_minute()
        send(phone=f"1380000000{n + 1}", ip="10.9.9.9")
    _pass_a_minute()
    send(phone="13800000009", ip="10.9.9.9")  # the fifth this hour from this address
    _pass_a_minute()
    with pytest.raises(ApplicationError, match="this hour"):
        send(phone="13800000010", ip="10.9.9.9")


def test_a_refused_request_does_not_use_up_the_allowance(sent_codes):
    """Asking again too early is refused, but it is not counted against the hour."""
    send()
    for _ in range(10):
        with pytest.raises(ApplicationError, match="less than a minute"):
            send()
    _pass_a_minute()
    send()  # the second of the hour, not the twelfth
    assert len(sent_codes()) == 2


def test_gateway_failure_is_a_clear_refusal_and_the_code_cannot_be_used(settings, sent_codes):
    from core import sms

    class Failing(sms.SmsBackend):
        def send_login_code(self, **kwargs):
            raise sms.SmsError("gateway down")

    settings.SMS_BACKEND = f"{__name__}.FailingBackend"
    globals()["FailingBackend"] = Failing
    sms._backend_for.cache_clear()
    try:
        with pytest.raises(ApplicationError, match="could not be sent"):
            send()
    finally:
        sms._backend_for.cache_clear()
    assert LoginCode.objects.get().expires_at <= timezone.now()


def test_old_codes_are_purged():
    old = send()
    LoginCode.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    _pass_a_minute()
    send()
    assert phone_login.login_codes_purge() == 1
    assert phone_login.login_codes_purge() == 0  # idempotent
    assert LoginCode.objects.count() == 1
