"""Middleware of the security controls for staff sessions (MIDDLEWARE order matters: after
authentication and django-otp's OTPMiddleware).

Why by hand and not a package: the rules depend on who the person is (staff or a worker on
the phone, which duty, which grant) and must write the security audit log; the packages
for session timeouts apply one timeout to every session.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.ratelimit import Limit, LimitReached, take

from . import audit, duties

SESSION_STARTED = "security_started"
SESSION_LAST_SEEN = "security_last_seen"

# Pages a staff member must reach before the second factor or a new password: the steps
# themselves, logging out, and static files.
_ALWAYS_OPEN = ("/security/", "/admin/logout/", "/static/", "/i18n/", "/healthz")


def _is_staff_session(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def _is_open(path: str) -> bool:
    return path.startswith(_ALWAYS_OPEN)


def _with_next(url: str, request) -> str:
    """`url`, then back to where the person was (encoded: the path may hold ? and &)."""
    return f"{url}?{urlencode({'next': request.get_full_path()})}"


def _refuse_or_redirect(request, url: str, message: str):
    """An API call gets a 403 with the message; a page is sent to the step it needs."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    return redirect(_with_next(url, request))


class StaffSessionTimeoutMiddleware:
    """A staff session ends after STAFF_SESSION_IDLE_MINUTES without a request and
    STAFF_SESSION_MAX_HOURS after login, whatever happens in between."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _is_staff_session(request):
            now = time.time()
            started = request.session.get(SESSION_STARTED)
            last_seen = request.session.get(SESSION_LAST_SEEN)
            if started is None:
                request.session[SESSION_STARTED] = started = now
            idle = last_seen is not None and now - last_seen > (
                settings.STAFF_SESSION_IDLE_MINUTES * 60
            )
            too_old = now - started > settings.STAFF_SESSION_MAX_HOURS * 3600
            if idle or too_old:
                user = request.user
                audit.record(
                    audit.Kind.SESSION_EXPIRED,
                    actor=user,
                    request=request,
                    detail={"why": "idle" if idle else "lifetime"},
                )
                logout(request)
                if idle:
                    why = _(
                        "You were logged out after %(minutes)d minutes without activity. "
                        "Please log in again."
                    ) % {"minutes": settings.STAFF_SESSION_IDLE_MINUTES}
                else:
                    why = _("Your session lasted %(hours)d hours. Please log in again.") % {
                        "hours": settings.STAFF_SESSION_MAX_HOURS
                    }
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": why}, status=401)
                messages.info(request, why)
                return redirect(_with_next(reverse("admin:login"), request))
            # Saving the session on every request costs a write; once a minute is enough
            # to measure idleness in minutes.
            if last_seen is None or now - last_seen > 60:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


ACCOUNT_STATE = "security_account_state"


def account_state(request) -> dict:
    """What the second-factor and password-age checks need to know about the signed-in
    account, worked out once per session (no query on every request) and again after the
    password changes (the session's auth hash changes with it) or forget_account_state()."""
    version = request.session.get("_auth_user_hash", "")
    state = request.session.get(ACCOUNT_STATE)
    if not state or state.get("version") != version:
        from django_otp import user_has_device

        from .models import PasswordState

        changed = (
            PasswordState.objects.filter(user=request.user)
            .values_list("changed_at", flat=True)
            .first()
        )
        state = {
            "version": version,
            "has_device": user_has_device(request.user),
            "required": duties.two_factor_required(request.user),
            "password_set": changed.timestamp() if changed else None,
        }
        request.session[ACCOUNT_STATE] = state
    return state


def forget_account_state(request) -> None:
    request.session.pop(ACCOUNT_STATE, None)


class TwoFactorMiddleware:
    """Staff who must use a second factor (TWO_FACTOR_REQUIRED_FOR) and everyone who set
    one up: nothing but the second step until the code is given."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            _is_staff_session(request)
            and not _is_open(request.path)
            and not request.user.is_verified()
        ):
            state = account_state(request)
            if state["has_device"]:
                return _refuse_or_redirect(
                    request,
                    reverse("security-2fa-verify"),
                    _("Give the code from your authenticator app first."),
                )
            if state["required"]:
                return _refuse_or_redirect(
                    request,
                    reverse("security-2fa-setup"),
                    _("Set up two-factor authentication first."),
                )
        return self.get_response(request)


class PasswordAgeMiddleware:
    """A staff password older than PASSWORD_MAX_AGE_DAYS must be changed first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        max_age = settings.PASSWORD_MAX_AGE_DAYS
        if (
            max_age
            and _is_staff_session(request)
            and not _is_open(request.path)
            and not request.path.startswith("/admin/password_change/")
        ):
            password_set = account_state(request)["password_set"]
            if password_set is not None and time.time() - password_set >= max_age * 86400:
                message = _(
                    "Your password is more than %(days)d days old. Choose a new one to go on."
                ) % {"days": max_age}
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=403)
                messages.warning(request, message)
                return redirect("admin:password_change")
        return self.get_response(request)


class AdminRateLimitMiddleware:
    """At most ADMIN_REQUESTS_PER_MINUTE admin requests a minute per signed-in person."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/") and _is_staff_session(request):
            limit = Limit(
                count=settings.ADMIN_REQUESTS_PER_MINUTE,
                seconds=60,
                message=_("Too many requests in a minute. Wait a moment and try again."),
            )
            try:
                take("admin-requests", [str(request.user.pk)], [limit])
            except LimitReached as reached:
                response = HttpResponse(reached.limit.message, status=429)
                response["Retry-After"] = "60"
                return response
        return self.get_response(request)
