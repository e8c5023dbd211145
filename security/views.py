"""The second factor's pages (set up, the second step at login, recovery codes) and the
security administrator's settings page. They look like the admin and live under
/security/, which the staff middleware always lets through."""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import site
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.exceptions import ApplicationError

from . import duties, services
from .forms import TokenForm
from .middleware import forget_account_state

SETUP_DEVICE = "security_setup_device"
NEW_RECOVERY_CODES = "security_new_recovery_codes"


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/admin/"


def _page(request, template: str, title: str, **context):
    return render(
        request,
        template,
        {**site.each_context(request), "title": title, "next": _next(request), **context},
    )


def _refused(form, error: ApplicationError):
    for field, errors in (error.fields or {"token": [error.message]}).items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@staff_member_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Scan the QR code with an authenticator app (微信/支付宝 小程序 authenticators, Google
    or Microsoft Authenticator, FreeOTP), then type the code it shows."""
    user = request.user
    device = None
    device_id = request.session.get(SETUP_DEVICE)
    if device_id:
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        device = services.totp_device_start(user=user)
        request.session[SETUP_DEVICE] = device.pk
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_device_confirm(
                user=user, device=device, token=form.cleaned_data["token"], request=request
            )
        except ApplicationError as error:
            _refused(form, error)
        else:
            request.session.pop(SETUP_DEVICE, None)
            forget_account_state(request)
            otp_login(request, device)
            request.session[NEW_RECOVERY_CODES] = codes
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(f"{_recovery_url()}?next={_next(request)}")
    # The otpauth:// address (issuer from OTP_TOTP_ISSUER), as a QR code in the page itself:
    # no request to any outside service carries the secret.
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    return _page(
        request,
        "security/two_factor_setup.html",
        _("Set up two-factor authentication"),
        form=form,
        qr=qr,
        secret=_base32(device.bin_key),
        required=duties.two_factor_required(user),
        already_on=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
    )


def _base32(key: bytes) -> str:
    """The secret as people type it into an app that cannot scan: groups of four."""
    text = base64.b32encode(key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _recovery_url() -> str:
    return reverse("security-2fa-recovery")


@staff_member_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of the login: the authenticator's code, or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not user_has_device(user):
        return redirect("security-2fa-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.second_factor_verify(
                user=user, token=form.cleaned_data["token"], request=request
            )
        except ApplicationError as error:
            _refused(form, error)
        else:
            otp_login(request, device)
            return redirect(_next(request))
    return _page(
        request, "security/two_factor_verify.html", _("Two-factor authentication"), form=form
    )


@staff_member_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """New recovery codes are shown once, right after they are made."""
    if not request.user.is_verified():
        return redirect("security-2fa-verify")
    codes = request.session.pop(NEW_RECOVERY_CODES, None)
    if request.method == "POST":
        codes = services.recovery_codes_renew(user=request.user)
        messages.success(request, _("New recovery codes made; the old ones no longer work."))
    return _page(request, "security/recovery_codes.html", _("Recovery codes"), codes=codes or [])


@staff_member_required
def security_settings(request):
    """What the security controls are set to (from the environment; README says how to
    change each), for the security administrator."""
    if not (request.user.is_superuser or duties.duty_of(request.user) == duties.Duty.SECURITY):
        raise PermissionDenied
    rows = [
        (_("Failed logins before an account is locked"), settings.AXES_FAILURE_LIMIT),
        (
            _("Failed logins before a network address is locked"),
            settings.LOGIN_FAILURES_PER_ADDRESS,
        ),
        (_("Lockout lasts (minutes)"), settings.LOGIN_LOCKOUT_MINUTES),
        (_("Staff session idle timeout (minutes)"), settings.STAFF_SESSION_IDLE_MINUTES),
        (_("Staff session lifetime (hours)"), settings.STAFF_SESSION_MAX_HOURS),
        (_("Password minimum length"), settings.PASSWORD_MIN_LENGTH),
        (_("Kinds of character a password mixes"), settings.PASSWORD_MIN_CHARACTER_CLASSES),
        (_("Password maximum age (days, 0 = none)"), settings.PASSWORD_MAX_AGE_DAYS),
        (_("Two-factor authentication required for"), ", ".join(settings.TWO_FACTOR_REQUIRED_FOR)),
        (_("Audit log kept (days)"), settings.SECURITY_AUDIT_RETENTION_DAYS),
        (_("API requests per minute per person"), settings.API_REQUESTS_PER_MINUTE),
        (_("Admin requests per minute per person"), settings.ADMIN_REQUESTS_PER_MINUTE),
    ]
    return _page(request, "security/settings.html", _("Security settings"), rows=rows)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login of a locked account (AXES_LOCKOUT_CALLABLE): a page in
    plain words, with status 429."""
    response = _page(
        request,
        "security/locked_out.html",
        _("This account is locked for now"),
        failure_limit=settings.AXES_FAILURE_LIMIT,
        minutes=settings.LOGIN_LOCKOUT_MINUTES,
    )
    response.status_code = 429
    return response
