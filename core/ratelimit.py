"""Counting attempts in Redis: "at most N per window" for anything a stranger can repeat
(SMS codes, logins). Shared by every such place so each limit is one line where it is used.

Each window is a counter that starts with the first attempt and expires with the window.
A refused attempt is taken back off every counter, so asking too early does not use up
the hour's or the day's allowance. INCR is atomic, so two attempts racing for the last
place cannot both get it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int
    message: str  # what the person is told when this limit is reached


class LimitReached(Exception):
    def __init__(self, limit: Limit):
        super().__init__(limit.message)
        self.limit = limit


def take(scope: str, idents: list[str], limits: list[Limit]) -> None:
    """Count one attempt against every limit for each of `idents` (e.g. the phone and the
    address it came from), or raise LimitReached, counting nothing, if any is used up."""
    taken: list[str] = []
    for ident, limit in ((ident, limit) for ident in idents for limit in limits):
        key = f"ratelimit:{scope}:{limit.seconds}:{ident}"
        cache.add(key, 0, timeout=limit.seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=limit.seconds)
            count = 1
        taken.append(key)
        if count > limit.count:
            for taken_key in taken:
                try:
                    cache.decr(taken_key)
                except ValueError:  # that window ended meanwhile: nothing to take back
                    pass
            raise LimitReached(limit)


def client_ip(request) -> str:
    """The address of the phone or browser. Behind NUM_PROXIES trusted reverse proxies the
    real client is that many hops back in X-Forwarded-For; otherwise REMOTE_ADDR (a header a
    client sets itself is never trusted)."""
    proxies = settings.NUM_PROXIES
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if forwarded:
            return forwarded[-min(proxies, len(forwarded))]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
