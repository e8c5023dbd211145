"""The wishes app's writes, one module per subject (re-exported here):
wishes.py — posting and recording wishes, the district's categories and rules, review;
claims.py — donors' profiles and their verification, claims, their lapse and cancelling,
    handover and fulfilment;
stories.py — follow-up stories (跟踪报道) of wishes that came true."""

from .claims import *  # noqa: F403
from .claims import __all__ as _claims
from .stories import *  # noqa: F403
from .stories import __all__ as _stories
from .wishes import *  # noqa: F403
from .wishes import __all__ as _wishes

__all__ = [*_wishes, *_claims, *_stories]
