"""The Redis cache backend: Django's own RedisCache, kept usable when Redis is not.

Two things are added to Django's backend, nothing else:

1. One client object kept per connection pool. Django's RedisCacheClient wraps the pool in
   a new `redis.Redis` object on every call; the object is thread-safe and worth keeping:
   building it is most of the cost of a session read (sessions are `cached_db`), which
   every phone request makes.

2. Degradation when Redis is unreachable (issue 12 §4), as django-redis's
   IGNORE_EXCEPTIONS does, plus a circuit breaker so a request does not wait on every call:
   - a connection or timeout error makes reads miss (get → default, has_key → False) and
     drops writes (set/add/delete/touch → nothing happens); the view never sees it. With
     the short timeouts in settings (CACHE_REDIS_*_TIMEOUT) a dead or hung Redis costs one
     request a fraction of a second, once;
   - the breaker then stays open for CACHE_REDIS_RETRY_SECONDS: every cache call in this
     process answers at once without touching the network; after that, one call probes
     (PING) and the breaker closes if Redis answers;
   - the outage is logged once when it starts and once when it ends (logger "core.cache");
   - the keys whose writes were dropped are remembered (up to DROPPED_KEYS_KEPT) and
     deleted when Redis is reachable again, before any other call: a session that was
     changed or deleted in the database during the outage is never answered from a stale
     Redis entry afterwards (a Redis that lived through the outage, e.g. a network split,
     still holds the old value). A Redis restarted without persistence comes back empty
     anyway.

   Sessions (`cached_db`) fall back to the database by themselves: a missed read loads the
   row, a dropped write only skips the cache. Code that must know whether Redis counted
   something (core.ratelimit) uses `strict()`, whose calls raise CacheUnavailable
   instead of degrading.
"""

import logging
import threading
import time

import redis.exceptions
from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger("core.cache")

# What "Redis is unreachable" looks like from redis-py (refused, reset, timed out, loading).
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
DROPPED_KEYS_KEPT = 50_000


class CacheUnavailable(Exception):
    """Redis could not be reached (or the breaker is open): nothing was read or counted."""


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class _Breaker:
    """The state of one Redis location, shared by every thread of the process (Django
    makes one cache object per thread)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.open_until = 0.0  # monotonic; 0 = closed
        self.down_since: float | None = None  # wall clock, for the log
        self.dropped: set[tuple] = set()  # (key, version) of writes not made
        self.dropped_overflow = False
        self.dropped_count = 0


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(location: str) -> _Breaker:
    with _breakers_lock:
        breaker = _breakers.get(location)
        if breaker is None:
            breaker = _breakers[location] = _Breaker()
        return breaker


def _retry_seconds() -> float:
    return float(getattr(settings, "CACHE_REDIS_RETRY_SECONDS", 5))


class PooledRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._breaker = _breaker_for(str(server))

    # The breaker ---------------------------------------------------------------------------

    def is_available(self) -> bool:
        """False while the breaker is open (no network call is made to find out)."""
        return not self._breaker.open_until

    def _before_call(self) -> None:
        """Raise CacheUnavailable while the breaker is open; probe once when it is due."""
        breaker = self._breaker
        if not breaker.open_until:
            return
        with breaker.lock:
            if not breaker.open_until:
                return
            if time.monotonic() < breaker.open_until:
                raise CacheUnavailable
            # This thread probes; the others keep answering from the open breaker meanwhile.
            breaker.open_until = time.monotonic() + _retry_seconds()
            dropped, overflow = breaker.dropped, breaker.dropped_overflow
        try:
            client = self._cache.get_client(write=True)
            client.ping()
            if dropped:
                keys = [self.make_and_validate_key(key, version=v) for key, v in dropped]
                for start in range(0, len(keys), 1000):
                    client.delete(*keys[start : start + 1000])
        except REDIS_DOWN:
            raise CacheUnavailable from None
        with breaker.lock:
            lasted = time.time() - (breaker.down_since or time.time())
            logger.warning(
                "Redis cache at %s is reachable again after %.0f s; %d writes were skipped "
                "meanwhile, %d stale keys removed%s.",
                self._redact(),
                lasted,
                breaker.dropped_count,
                len(dropped),
                " (more were skipped than remembered: older entries expire by themselves)"
                if overflow
                else "",
            )
            breaker.open_until = 0.0
            breaker.down_since = None
            breaker.dropped = set()
            breaker.dropped_overflow = False
            breaker.dropped_count = 0

    def _trip(self, error: Exception) -> None:
        breaker = self._breaker
        with breaker.lock:
            first = breaker.down_since is None
            breaker.open_until = time.monotonic() + _retry_seconds()
            if first:
                breaker.down_since = time.time()
        if first:
            logger.error(
                "Redis cache at %s is unreachable (%s): the cache is skipped (reads miss, "
                "writes are dropped, sessions come from the database) and retried every "
                "%.0f s.",
                self._redact(),
                error,
                _retry_seconds(),
            )

    def _remember_dropped(self, keys, version) -> None:
        breaker = self._breaker
        with breaker.lock:
            for key in keys:
                breaker.dropped_count += 1
                if len(breaker.dropped) < DROPPED_KEYS_KEPT:
                    breaker.dropped.add((key, version))
                else:
                    breaker.dropped_overflow = True

    def _redact(self) -> str:
        # The location without a password, for the log.
        return ", ".join(s.rsplit("@", 1)[-1] for s in self._servers)

    def _strict(self, name: str, *args, **kwargs):
        """Call Django's method, or raise CacheUnavailable (tripping the breaker)."""
        self._before_call()
        try:
            return getattr(super(), name)(*args, **kwargs)
        except REDIS_DOWN as error:
            self._trip(error)
            raise CacheUnavailable from error

    def _read(self, name, fallback, *args, **kwargs):
        try:
            return self._strict(name, *args, **kwargs)
        except CacheUnavailable:
            return fallback

    def _write(self, name, keys, version, fallback, *args, **kwargs):
        try:
            return self._strict(name, *args, **kwargs)
        except CacheUnavailable:
            self._remember_dropped(keys, version)
            return fallback

    # Django's cache API, degrading -----------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._read("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._read("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._read("has_key", False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._write("set", [key], version, None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._write("add", [key], version, False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._write("touch", [key], version, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._write("delete", [key], version, False, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._write("set_many", list(data), version, [], data, timeout, version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._write("delete_many", keys, version, None, keys, version)

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be read is missing: the same ValueError as Django's.
        try:
            return self._strict("incr", key, delta, version)
        except CacheUnavailable:
            self._remember_dropped([key], version)
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).") from None

    def clear(self):
        # Nothing to drop: a cleared cache and an unreachable one both answer misses.
        return self._read("clear", False)


class _StrictCache:
    def __init__(self, cache: PooledRedisCache):
        self._cache = cache

    def __getattr__(self, name):
        def call(*args, **kwargs):
            return self._cache._strict(name, *args, **kwargs)

        return call

    def decr(self, key, delta=1, version=None):
        # Django's decr calls the degrading incr: go to Redis's directly.
        return self._cache._strict("incr", key, -delta, version)


def strict(alias: str = "default"):
    """The cache `alias` with calls that raise CacheUnavailable when Redis cannot be
    reached, instead of degrading. Another backend (a developer's) is returned as it is:
    it has no outage to report."""
    from django.core.cache import caches

    cache = caches[alias]
    return _StrictCache(cache) if isinstance(cache, PooledRedisCache) else cache
