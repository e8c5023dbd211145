"""The 等保 level-3 controls, tried as a person would meet them: lockout, password rules and
age, staff session timeouts, the second factor, the three duties, the append-only audit log,
CSP and the request rates."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from areas.models import StaffGrant
from areas.tests.factories import UserFactory, grant
from core.exceptions import ApplicationError
from security import services
from security.middleware import SESSION_LAST_SEEN, SESSION_STARTED
from security.models import AdminDuty, PasswordState, SecurityEvent

User = get_user_model()
PASSWORD = "Warm-Station-2026"
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def staff(db, trio):
    user = trio.staff_a
    user.set_password(PASSWORD)
    user.save()
    return user


def login(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def events(kind, **filters):
    return SecurityEvent.objects.filter(kind=kind, **filters)


# Lockout -----------------------------------------------------------------------------------


@override_settings(AXES_FAILURE_LIMIT=5)
def test_an_account_is_locked_after_five_failures_and_the_right_password_then_fails(client, staff):
    for _ in range(4):
        assert login(client, staff.username, "wrong").status_code == 200
    locked = login(client, staff.username, "wrong")
    assert locked.status_code == 429
    assert "locked" in locked.content.decode().lower() or "锁定" in locked.content.decode()
    # The right password no longer opens it, from any address.
    assert login(client, staff.username, PASSWORD, address="10.9.9.9").status_code == 429
    assert "_auth_user_id" not in client.session
    assert events(SecurityEvent.Kind.LOGIN_FAILED, username=staff.username).count() >= 5
    assert events(SecurityEvent.Kind.LOCKED_OUT, username=staff.username).exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_lockout_message_is_in_chinese_for_a_chinese_browser(client, staff):
    for _ in range(3):
        login(client, staff.username, "wrong")
    page = client.post(
        LOGIN,
        {"username": staff.username, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert page.status_code == 429
    assert "锁定" in page.content.decode()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_security_administrator_unlocks_an_account_without_email(client, staff, db):
    for _ in range(3):
        login(client, staff.username, "wrong")
    assert AccessAttempt.objects.filter(username=staff.username).exists()
    security_admin = UserFactory(username="secadmin")
    services.duty_assign(actor=None, user=security_admin, duty=AdminDuty.Duty.SECURITY)
    client.force_login(security_admin)
    changelist = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200
    attempt = AccessAttempt.objects.get(username=staff.username)
    client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert not AccessAttempt.objects.filter(username=staff.username).exists()
    client.logout()
    assert login(client, staff.username, PASSWORD).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=100, LOGIN_FAILURES_PER_ADDRESS=4)
def test_an_address_is_locked_after_its_own_limit_whichever_account_it_tries(client, trio):
    for index in range(4):
        login(client, f"nobody{index}", "wrong", address="10.1.1.1")
    trio.staff_a.set_password(PASSWORD)
    trio.staff_a.save()
    page = login(client, trio.staff_a.username, PASSWORD, address="10.1.1.1")
    assert page.status_code == 200  # the login form again, with the reason
    assert "network address" in page.content.decode() or "网络地址" in page.content.decode()
    assert events(SecurityEvent.Kind.LOCKED_OUT, detail__by="address").exists()
    # Another address is not affected.
    assert login(client, trio.staff_a.username, PASSWORD, address="10.2.2.2").status_code == 302


def test_a_successful_login_is_logged(client, staff):
    assert login(client, staff.username, PASSWORD).status_code == 302
    assert events(SecurityEvent.Kind.LOGIN, username=staff.username).exists()


# Passwords ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, code",
    [
        ("short-1A", "password_too_short"),
        ("alllowercaseletters", "password_too_simple"),
        ("xifeng-staff-2026", "password_has_username"),
        ("Password1234", "password_too_common"),
        ("12345678901234", "password_entirely_numeric"),
    ],
)
def test_staff_passwords_must_be_long_mixed_and_not_the_user_name(db, password, code):
    user = User(username="xifeng")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert code in [error.code for error in refused.value.error_list]


def test_the_demo_password_passes_the_policy(db, settings):
    validate_password(settings.DEMO_PASSWORD, User(username="district_xifeng"))


def test_setting_a_password_records_its_age_and_is_logged(db):
    user = UserFactory()
    user.set_password(PASSWORD)
    user.save()
    assert PasswordState.objects.get(user=user).changed_at > timezone.now() - timedelta(minutes=1)
    assert events(SecurityEvent.Kind.PASSWORD_CHANGED, actor=user).exists()


@override_settings(PASSWORD_MAX_AGE_DAYS=90)
def test_an_old_password_must_be_changed_before_anything_else(client, staff):
    PasswordState.objects.filter(user=staff).update(changed_at=timezone.now() - timedelta(days=91))
    client.force_login(staff)
    page = client.get("/admin/")
    assert page.status_code == 302 and page.url == reverse("admin:password_change")
    assert client.get(reverse("admin:password_change")).status_code == 200
    assert client.get("/api/v1/stations/").status_code == 403
    new_password = "Another-Warm-2027"
    changed = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert changed.status_code == 302
    assert client.get("/admin/").status_code == 200


# Sessions ----------------------------------------------------------------------------------


@override_settings(STAFF_SESSION_IDLE_MINUTES=30)
def test_a_staff_session_ends_after_thirty_idle_minutes(client, staff):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    session = client.session
    session[SESSION_LAST_SEEN] = time.time() - 31 * 60
    session.save()
    page = client.get("/admin/stations/station/?area=1&q=x")
    assert page.status_code == 302 and page.url.startswith(reverse("admin:login"))
    # Back to the same page, query and all, after logging in again.
    assert "next=%2Fadmin%2Fstations%2Fstation%2F%3Farea%3D1%26q%3Dx" in page.url
    assert "_auth_user_id" not in client.session
    assert events(SecurityEvent.Kind.SESSION_EXPIRED, actor=staff, detail__why="idle").exists()


@override_settings(STAFF_SESSION_MAX_HOURS=12)
def test_a_staff_session_ends_after_its_lifetime_however_busy(client, staff):
    client.force_login(staff)
    client.get("/admin/")
    session = client.session
    session[SESSION_STARTED] = time.time() - 12 * 3600 - 1
    session[SESSION_LAST_SEEN] = time.time()
    session.save()
    assert client.get("/admin/").status_code == 302
    assert events(SecurityEvent.Kind.SESSION_EXPIRED, detail__why="lifetime").exists()


def test_an_idle_api_session_is_answered_401_not_redirected(client, staff):
    client.force_login(staff)
    client.get("/admin/")
    session = client.session
    session[SESSION_LAST_SEEN] = time.time() - 24 * 3600
    session.save()
    ended = client.get("/api/v1/stations/")
    assert ended.status_code == 401 and "请重新登录" in ended.json()["detail"]


# Two factors -------------------------------------------------------------------------------


def _set_up_second_factor(client, user) -> tuple[TOTPDevice, list[str]]:
    setup = client.get(reverse("security-2fa-setup"))
    assert setup.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post(reverse("security-2fa-setup"), {"token": "000000"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.filter(confirmed=True).exists()
    done = client.post(reverse("security-2fa-setup"), {"token": f"{totp(device.bin_key):06d}"})
    assert done.status_code == 302
    codes = client.get(done.url).context["codes"]
    return TOTPDevice.objects.get(pk=device.pk), codes


@override_settings(TWO_FACTOR_REQUIRED_FOR=["district", "city"])
def test_a_district_department_must_set_up_a_second_factor_before_anything_else(client, trio):
    district_staff = trio.staff_a  # a district grant (areas.tests.fixtures)
    client.force_login(district_staff)
    page = client.get("/admin/")
    assert page.status_code == 302 and page.url.startswith(reverse("security-2fa-setup"))
    assert client.get("/api/v1/stations/").status_code == 403
    device, codes = _set_up_second_factor(client, district_staff)
    assert device.confirmed and len(codes) == 10
    assert client.get("/admin/").status_code == 200
    assert events(SecurityEvent.Kind.TWO_FACTOR_ADDED, actor=district_staff).exists()

    # Next login: the password, then the code.
    client.logout()
    client.force_login(district_staff)
    step = client.get("/admin/")
    assert step.url.startswith(reverse("security-2fa-verify"))
    refused = client.post(reverse("security-2fa-verify"), {"token": "123456"})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert events(SecurityEvent.Kind.TWO_FACTOR_FAILED, actor=district_staff).exists()
    # Each wrong code makes the next wait (1 s after the first); then a recovery code works,
    # once.
    time.sleep(1.1)
    assert client.post(reverse("security-2fa-verify"), {"token": codes[0]}).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    assert events(SecurityEvent.Kind.RECOVERY_CODE_USED, actor=district_staff).exists()


@override_settings(TWO_FACTOR_REQUIRED_FOR=["district"])
def test_wrong_codes_in_a_row_are_slowed_down_in_words(client, trio):
    client.force_login(trio.staff_a)
    _set_up_second_factor(client, trio.staff_a)
    client.logout()
    client.force_login(trio.staff_a)
    client.post(reverse("security-2fa-verify"), {"token": "111111"})
    waiting = client.post(reverse("security-2fa-verify"), {"token": "222222"})
    assert "请等几秒钟再试" in str(waiting.context["form"].errors)  # the page speaks Chinese


@override_settings(TWO_FACTOR_REQUIRED_FOR=["district"])
def test_a_viewer_is_offered_but_not_required_a_second_factor(client, trio):
    client.force_login(trio.viewer_a)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert reverse("security-2fa-setup") in index.content.decode()  # offered on every page
    device, _codes = _set_up_second_factor(client, trio.viewer_a)
    client.logout()
    client.force_login(trio.viewer_a)
    # Once set up, it is asked for.
    assert client.get("/admin/").url.startswith(reverse("security-2fa-verify"))
    token = f"{totp(device.bin_key, t0=0, step=30, drift=1):06d}"
    assert client.post(reverse("security-2fa-verify"), {"token": token}).status_code == 302


def test_the_security_administrator_resets_a_lost_second_factor(client, trio):
    user = trio.viewer_a
    client.force_login(user)
    _set_up_second_factor(client, user)
    security_admin = UserFactory(username="secadmin")
    services.duty_assign(actor=None, user=security_admin, duty=AdminDuty.Duty.SECURITY)
    services.second_factor_reset(actor=security_admin, user=user)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert events(SecurityEvent.Kind.TWO_FACTOR_RESET, target=user.username).exists()


# The three duties --------------------------------------------------------------------------


@pytest.fixture
def three(db):
    accounts = {}
    for duty in AdminDuty.Duty.values:
        accounts[duty] = UserFactory(username=f"{duty}admin", is_staff=True)
        services.duty_assign(actor=None, user=accounts[duty], duty=duty)
    return accounts


def test_the_system_administrator_keeps_accounts_and_grants_but_sees_no_business_data(
    client, three, trio
):
    client.force_login(three["system"])
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    assert client.get(reverse("admin:areas_staffgrant_changelist")).status_code == 200
    assert client.get(reverse("admin:areas_staffgrant_add")).status_code == 200
    for business in ["admin:stations_station_changelist", "admin:members_worker_changelist"]:
        assert client.get(reverse(business)).status_code == 403
    assert client.get(reverse("admin:security_securityevent_changelist")).status_code == 403
    assert client.get("/api/v1/stations/").json()["count"] == 0
    # The account form offers no superuser flag nor Django permissions.
    form = client.get(reverse("admin:auth_user_change", args=[trio.staff_a.pk]))
    assert "is_superuser" not in form.context["adminform"].form.fields
    assert "user_permissions" not in form.context["adminform"].form.fields


def test_the_audit_administrator_only_reads_the_audit_log(client, three):
    client.force_login(three["audit"])
    assert client.get(reverse("admin:security_securityevent_changelist")).status_code == 200
    assert client.get(reverse("admin:areas_accesslog_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:areas_staffgrant_add")).status_code == 403
    assert client.get(reverse("admin:stations_brand_changelist")).status_code == 403
    event = SecurityEvent.objects.first()
    assert (
        client.post(
            reverse("admin:security_securityevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_the_security_administrator_sees_lockouts_and_settings_not_the_log(client, three):
    client.force_login(three["security"])
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    assert client.get(reverse("security-settings")).status_code == 200
    assert client.get(reverse("admin:security_securityevent_changelist")).status_code == 403
    assert client.get(reverse("admin:areas_staffgrant_add")).status_code == 403


def test_duties_stay_apart_from_each_other_from_grants_and_from_the_superuser(db, trio, three):
    with pytest.raises(ApplicationError):
        services.duty_assign(actor=None, user=trio.staff_a, duty=AdminDuty.Duty.AUDIT)
    with pytest.raises(ApplicationError):
        services.duty_assign(
            actor=None, user=UserFactory(is_superuser=True), duty=AdminDuty.Duty.SYSTEM
        )
    # One duty per person (the OneToOne): assigning another replaces it.
    services.duty_assign(actor=None, user=three["audit"], duty=AdminDuty.Duty.SECURITY)
    assert AdminDuty.objects.get(user=three["audit"]).duty == AdminDuty.Duty.SECURITY
    assert events(SecurityEvent.Kind.DUTY_CHANGED, target=three["audit"].username).count() == 2


def test_a_grant_for_a_duty_holder_is_refused_in_the_grant_form(client, three, trio):
    client.force_login(three["system"])
    page = client.post(
        reverse("admin:areas_staffgrant_add"),
        {"user": three["audit"].pk, "area": trio.tree.a["district"].pk, "role": "viewer"},
    )
    assert page.status_code == 200
    assert page.context["adminform"].form.errors["user"]
    assert not StaffGrant.objects.filter(user=three["audit"]).exists()


def test_grant_changes_are_logged(db, trio):
    new = grant(UserFactory(), trio.tree.a["district"], StaffGrant.Role.VIEWER)
    assert events(SecurityEvent.Kind.GRANT_CHANGED, detail__change="added").exists()
    new.delete()
    assert events(SecurityEvent.Kind.GRANT_CHANGED, detail__change="removed").exists()


# The audit log -----------------------------------------------------------------------------


def test_the_database_refuses_to_change_or_delete_a_recent_audit_entry(db):
    entry = SecurityEvent.objects.create(kind=SecurityEvent.Kind.LOGIN, username="x")
    for statement in (
        "UPDATE security_securityevent SET username = 'y' WHERE id = %s",
        "DELETE FROM security_securityevent WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [entry.pk])
    assert SecurityEvent.objects.get(pk=entry.pk).username == "x"


@override_settings(SECURITY_AUDIT_RETENTION_DAYS=200)
def test_the_purge_removes_only_entries_past_the_retention(db):
    with connection.cursor() as cursor:
        # Entries are written with their time by the database; an old one is planted with
        # the trigger briefly off, as only a migration could.
        cursor.execute("ALTER TABLE security_securityevent DISABLE TRIGGER USER")
        cursor.execute(
            "INSERT INTO security_securityevent (at, kind, username, user_agent, target, detail)"
            " VALUES (now() - interval '201 days', 'login', 'old', '', '', '{}'),"
            " (now() - interval '190 days', 'login', 'kept', '', '', '{}')"
        )
        cursor.execute("ALTER TABLE security_securityevent ENABLE TRIGGER USER")
    assert services.audit_purge() == 1
    assert set(SecurityEvent.objects.values_list("username", flat=True)) >= {"kept"}
    assert not SecurityEvent.objects.filter(username="old").exists()
    assert events(SecurityEvent.Kind.AUDIT_PURGED).exists()


def test_unmasking_and_exports_reach_the_security_audit_log(db, trio):
    from areas.audit import record_access

    record_access(actor=trio.staff_a, action="view", reason="回访", obj=trio.staff_a)
    assert events(SecurityEvent.Kind.UNMASKED, actor=trio.staff_a).exists()


def test_admin_changes_reach_the_security_audit_log(client, db):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    client.post(
        reverse("admin:auth_user_add"),
        {"username": "newstaff", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert events(SecurityEvent.Kind.ADMIN_CHANGE, actor=superuser).exists()


# Headers and rates -------------------------------------------------------------------------


def _script_policy(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(d for d in policy.split(";") if d.strip().startswith("script-src"))


def test_pages_carry_a_content_security_policy_without_unsafe_script(client, db):
    script = _script_policy(client.get("/m/"))
    assert "'self'" in script and "unsafe-inline" not in script and "unsafe-eval" not in script


def test_an_inline_script_runs_only_with_the_nonce_of_its_response(client, trio):
    """The admin's map widget is the one inline script: it carries the nonce the header
    names (django-leaflet reads request.csp_nonce)."""
    client.force_login(trio.staff_a)
    page = client.get(reverse("admin:areas_area_change", args=[trio.tree.a["district"].pk]))
    assert page.status_code == 200
    nonce = _script_policy(page).split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in page.content.decode()


@override_settings(API_REQUESTS_PER_MINUTE=3)
def test_the_api_answers_429_past_the_per_person_rate(client, staff):
    client.force_login(staff)
    answers = [client.get("/api/v1/stations/").status_code for _ in range(4)]
    assert answers[:3] == [200, 200, 200] and answers[3] == 429


@override_settings(ADMIN_REQUESTS_PER_MINUTE=3)
def test_the_admin_answers_429_past_the_per_person_rate(client, staff):
    client.force_login(staff)
    answers = [client.get("/admin/").status_code for _ in range(4)]
    assert answers[:3] == [200, 200, 200] and answers[3] == 429


def test_the_duty_form_refuses_a_superuser_or_a_grant_holder_by_the_field(client, trio):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    for account in (superuser, trio.staff_a):
        page = client.post(
            reverse("admin:security_adminduty_add"), {"user": account.pk, "duty": "audit"}
        )
        assert page.status_code == 200 and page.context["adminform"].form.errors["user"]
    assert not AdminDuty.objects.exists()
    fresh = UserFactory(username="auditor2")
    done = client.post(reverse("admin:security_adminduty_add"), {"user": fresh.pk, "duty": "audit"})
    assert done.status_code == 302
    fresh.refresh_from_db()
    assert fresh.is_staff and AdminDuty.objects.get(user=fresh).duty == "audit"
