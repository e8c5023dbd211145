"""Counting attempts in Redis: "at most N per window" for anything a stranger can repeat
(SMS codes, logins). Shared by every such place so each limit is one line where it is used.

Each window is a counter that starts with the first attempt and expires with the window.
A refused attempt is taken back off every counter, so asking too early does not use up
the hour's or the day's allowance. INCR is atomic, so two attempts racing for the last
place cannot both get it.

While Redis is unreachable (issue 12 §4) the counting moves to the database, in the same
keys and windows (core.RateLimitCount; one atomic upsert per counter), instead of failing
open or closed. Failing open would let a stranger send SMS codes without limit (each one
costs the district money and floods a worker's phone) and guess logins; failing closed
would lock every worker out of logging in exactly when staff are busiest. The database is
there anyway (every request needs it), and an outage is short, so the extra writes are
cheap. When Redis is back it counts from zero again: at most one more window's allowance
after an outage. Old rows are purged by core.tasks.purge_rate_limit_counts.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .cache import CacheUnavailable, strict


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
    taken: list[tuple[bool, str]] = []  # (counted in the database, key)
    for ident, limit in ((ident, limit) for ident in idents for limit in limits):
        key = _key(scope, limit, ident)
        try:
            count, in_db = _redis_incr(key, limit.seconds), False
        except CacheUnavailable:
            count, in_db = _db_incr(key, limit.seconds), True
        taken.append((in_db, key))
        if count > limit.count:
            for taken_in_db, taken_key in taken:
                _take_back(taken_in_db, taken_key)
            raise LimitReached(limit)


def current(scope: str, ident: str, limit: Limit) -> int:
    """How many attempts `ident` has made in `limit`'s window (from Redis, or from the
    database while Redis is unreachable)."""
    key = _key(scope, limit, ident)
    try:
        return strict().get(key) or 0
    except CacheUnavailable:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count FROM core_ratelimitcount WHERE key = %s AND window_ends > now()",
                [key],
            )
            row = cursor.fetchone()
        return row[0] if row else 0


def purge_expired() -> int:
    """Delete database counters whose window ended (a beat job)."""
    from .models import RateLimitCount

    deleted, _counts = RateLimitCount.objects.filter(
        window_ends__lt=timezone.now() - timedelta(minutes=5)
    ).delete()
    return deleted


def _key(scope: str, limit: Limit, ident: str) -> str:
    return f"ratelimit:{scope}:{limit.seconds}:{ident}"


def _redis_incr(key: str, seconds: int) -> int:
    redis = strict()
    redis.add(key, 0, timeout=seconds)
    try:
        return redis.incr(key)
    except ValueError:  # expired between add and incr
        redis.add(key, 1, timeout=seconds)
        return 1


def _db_incr(key: str, seconds: int) -> int:
    # One statement, so two attempts racing for the last place cannot both get it; a
    # window that has ended starts again at 1, as an expired Redis key would.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO core_ratelimitcount (key, count, window_ends)
            VALUES (%s, 1, now() + make_interval(secs => %s))
            ON CONFLICT (key) DO UPDATE SET
                count = CASE WHEN core_ratelimitcount.window_ends <= now() THEN 1
                             ELSE core_ratelimitcount.count + 1 END,
                window_ends = CASE WHEN core_ratelimitcount.window_ends <= now()
                                   THEN EXCLUDED.window_ends
                                   ELSE core_ratelimitcount.window_ends END
            RETURNING count
            """,
            [key, seconds],
        )
        return cursor.fetchone()[0]


def _take_back(in_db: bool, key: str) -> None:
    if in_db:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_ratelimitcount SET count = count - 1 "
                "WHERE key = %s AND window_ends > now() AND count > 0",
                [key],
            )
        return
    try:
        strict().decr(key)
    except (ValueError, CacheUnavailable):  # that window ended meanwhile: nothing to take back
        pass


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
