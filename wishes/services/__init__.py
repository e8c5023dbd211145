"""The wishes app's writes, one module per subject (re-exported here):
wishes.py — posting and recording wishes, the district's categories and rules, review;
claims.py — donors' profiles and their verification, claims, their lapse and cancelling."""

from .claims import *  # noqa: F403
from .claims import __all__ as _claims
from .wishes import *  # noqa: F403
from .wishes import __all__ as _wishes

__all__ = [*_wishes, *_claims]
