"""Fixtures shared by every app's tests, registered once here (Saleor style)."""

import pytest
from django.core.cache import cache
from django.utils import translation

pytest_plugins = [
    "core.tests.fixtures",
    "areas.tests.fixtures",
    "stations.tests.fixtures",
    "members.tests.fixtures",
    "party.tests.fixtures",
]


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service-level messages are asserted in English (the source strings); requests still
    pick their language through LocaleMiddleware (zh-hans by default)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the test settings' own Redis database): a value
    cached while a test's transaction was open would outlive its rollback."""
    cache.clear()
    yield
