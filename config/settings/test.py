"""pytest. The same PostGIS and Redis as everywhere else; never SQLite."""

import base64
import os

from .base import *  # noqa: F401,F403
from .base import CACHE_REDIS_OPTIONS, STORAGES, env_int

# The Redis databases the tests use (cache, then broker). Each test flushes the cache
# database, so two test runs on one machine at once need their own pair: set
# TEST_REDIS_DB=13 (uses 13 and 12) for the second.
TEST_REDIS_DB = env_int("TEST_REDIS_DB", 15, minimum=1)

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
CACHES = {
    "default": {
        "BACKEND": "core.cache.PooledRedisCache",
        "LOCATION": f"redis://127.0.0.1:6379/{TEST_REDIS_DB}",
        "KEY_PREFIX": "ws-test",
        "OPTIONS": CACHE_REDIS_OPTIONS,
    }
}
# Tests render templates without running collectstatic first.
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = False
# Its own broker database: a worker started by `make run` on this machine (which knows only
# the development database) never picks up a test's task.
CELERY_BROKER_URL = f"redis://127.0.0.1:6379/{TEST_REDIS_DB - 1}"

# Fresh random personal-data keys for every test run: nothing encrypted by tests outlives them.
FIELD_ENCRYPTION_KEYS = [f"test:aes-gcm:{base64.b64encode(os.urandom(32)).decode()}"]
BLIND_INDEX_KEY = base64.b64encode(os.urandom(32)).decode()

# Security controls stay on in tests, except two that every staff test would have to step
# through: the second factor (security/tests turn it on where they test it) and the request
# rates (a test makes many requests as one person within a minute).
TWO_FACTOR_REQUIRED_FOR: list[str] = []
API_REQUESTS_PER_MINUTE = 100_000
ADMIN_REQUESTS_PER_MINUTE = 100_000
