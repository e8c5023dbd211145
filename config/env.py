"""Typed readers for settings that come from the environment.

Each helper fails loudly (ImproperlyConfigured naming the variable and the bad value)
instead of guessing: a typo in a deployment's .env must stop the process at start-up,
not surface weeks later as odd behaviour.
"""

import os
import re

from django.core.exceptions import ImproperlyConfigured

_MISSING = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default):
    value = os.environ.get(name)
    if value is None:
        if default is _MISSING:
            raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
        return None
    return value


def env_str(name: str, default=_MISSING) -> str:
    value = _raw(name, default)
    return default if value is None else value


def env_bool(name: str, default=_MISSING) -> bool:
    value = _raw(name, default)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false, 1/0, yes/no).")


def env_int(name: str, default=_MISSING, *, minimum: int | None = None) -> int:
    value = _raw(name, default)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_memory_size(name: str, default=_MISSING) -> str:
    """A PostgreSQL memory setting ("256MB"): digits and kB, MB or GB, as `SET` takes it."""
    value = env_str(name, default).strip()
    if not re.fullmatch(r"[1-9][0-9]{0,6}(kB|MB|GB)", value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a size such as 256MB.")
    return value


def env_float(name: str, default=_MISSING) -> float:
    value = _raw(name, default)
    if value is None:
        return default
    try:
        return float(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None


def env_list(name: str, default=_MISSING) -> list[str]:
    """Comma-separated list; blanks dropped."""
    value = _raw(name, default)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_days_by_name(name: str) -> dict[str, int]:
    """ "<name>:<days>" pairs, comma-separated (e.g. retention periods by rule); each number
    a whole number of days, at least 1."""
    days: dict[str, int] = {}
    for item in env_list(name, []):
        key, _, number = item.rpartition(":")
        if not key or not number.strip().isascii() or not number.strip().isdigit():
            raise ImproperlyConfigured(f"{name}: {item!r} is not <name>:<days>.")
        if int(number) < 1:
            raise ImproperlyConfigured(f"{name}: {item!r} must keep data at least 1 day.")
        days[key.strip()] = int(number)
    return days
