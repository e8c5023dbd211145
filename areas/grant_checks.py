"""Checks an app above areas adds to every new or changed grant (security: an
administrator duty holder may not hold a grant). Each check takes the account and returns
the refusal in plain words, or None. StaffGrantForm and the grant services ask them all."""

from collections.abc import Callable

from core.registry import Registry

GrantCheck = Callable[[object], str | None]

_checks: Registry[GrantCheck] = Registry("grant check")


def register(name: str, check: GrantCheck) -> GrantCheck:
    return _checks.register(name, check)


def refusals(user) -> list[str]:
    """What stops `user` from holding a grant (empty: nothing)."""
    return [message for check in _checks if (message := check(user))]


def may_manage_grants(user) -> bool:
    """System administration of grants (the system administrator's duty, or a superuser at
    installation): every account, area and object may be named in a grant."""
    return user.has_perm("areas.change_staffgrant")
