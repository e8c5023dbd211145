"""Authentication backends of the security controls (AUTHENTICATION_BACKENDS)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied

from core.ratelimit import Limit, LimitReached, client_ip, current, take

from . import audit, duties


def address_limit() -> Limit:
    return Limit(
        count=settings.LOGIN_FAILURES_PER_ADDRESS,
        seconds=settings.LOGIN_LOCKOUT_MINUTES * 60,
        message="",  # the login form says it (security.forms.SecurityLoginForm)
    )


ADDRESS_SCOPE = "login-failures-address"


class AddressLockoutBackend:
    """Refuses every login from an address that has failed too often lately, whichever
    account it tries (django-axes locks the account; this locks the address, with a
    higher limit so an office behind one address is not locked by its staff's typos).
    Failures are counted by security.signals through count_failure()."""

    def authenticate(self, request, **credentials):
        if request is None:
            return None
        if is_address_locked(request):
            request.security_address_locked = True
            raise PermissionDenied  # ends the search: no other backend checks the password
        return None

    # No get_user(): this backend never logs anyone in (sessions name ModelBackend).


def _failures_key(request) -> str:
    return client_ip(request)


def is_address_locked(request) -> bool:
    limit = address_limit()
    # current() reads the count from Redis, or from the database while Redis is down (where
    # the failures are then counted too), so an outage does not unlock an address.
    return current(ADDRESS_SCOPE, _failures_key(request), limit) >= limit.count


def count_failure(request) -> None:
    """One more failed login from this address; the failure that reaches the limit is
    logged as a lockout of the address."""
    try:
        take(ADDRESS_SCOPE, [_failures_key(request)], [address_limit()])
    except LimitReached:
        return
    if is_address_locked(request):
        audit.record(
            audit.Kind.LOCKED_OUT,
            request=request,
            detail={"by": "address", "address": client_ip(request)},
        )


def axes_client_ip(request) -> str | None:
    """django-axes' view of the client's address (AXES_CLIENT_IP_CALLABLE): the same as
    every other limit's (behind NUM_PROXIES proxies), or None when there is none."""
    address = client_ip(request)
    return None if address == "unknown" else address


class AdminDutyBackend:
    """The Django permissions of the three administrators come from their duty, not from
    per-user checkboxes a system administrator could tick for themselves."""

    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return set(duties.permissions_of(user_obj))

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
