"""Micro-wishes (微心愿, issue 15): what a worker (or an outlet or a station, for a collective
wish) wishes for, collected on the phone or by staff in street interviews and 小哥议事会,
reviewed by the community before it is published for donors to claim.

The wishes themselves, their categories, the district's rules and each wish's history;
the donors who give (organisations, verified by staff, and individual volunteers) and their
claims: exactly one live claim on a worker's own wish, and item-by-item commitments on a
collective wish, never more than was asked.
"""

from .donors import DONOR_KINDS, LIVE_CLAIM, PICKUP_CODE_LENGTH, Claim, ClaimLine, Donor
from .stories import Story
from .wishes import Wish, WishCategory, WishItem, WishPhoto, WishRules, WishStatusChange

__all__ = [
    "DONOR_KINDS",
    "LIVE_CLAIM",
    "PICKUP_CODE_LENGTH",
    "Claim",
    "ClaimLine",
    "Donor",
    "Story",
    "Wish",
    "WishCategory",
    "WishItem",
    "WishPhoto",
    "WishRules",
    "WishStatusChange",
]
