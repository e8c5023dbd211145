"""The members app's writes, one module per subject (re-exported here):
workers.py — registration (报到) and its review, enterprises, outlets;
party.py — party organisations, members, three-management (三管)."""

from .party import *  # noqa: F403
from .party import __all__ as _party
from .workers import *  # noqa: F403
from .workers import __all__ as _workers

__all__ = [*_workers, *_party]
