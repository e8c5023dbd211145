"""Fixtures shared by every app's tests, registered once here (Saleor style)."""

import importlib

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
    cached while a test's transaction was open would outlive its rollback. The same for
    the working-day calendar each process keeps (feedback.working_days)."""
    from feedback import working_days
    from feedback.services import routing

    cache.clear()
    working_days.forget()
    routing.forget()
    yield


# Catalogues the migrations seed (model, migration module, its seeding function): a
# transactional test's flush wipes them for every test after it.
SEEDED_CATALOGUES = [
    ("stations.Brand", "stations.migrations.0002_catalogues", "seed"),
    ("wishes.WishCategory", "wishes.migrations.0002_platform_categories", "add"),
    ("core.SensitiveWord", "core.migrations.0005_sensitive_words", "seed"),
    ("feedback.CalendarDay", "feedback.migrations.0002_calendar_and_categories", "load_calendar"),
    (
        "feedback.FeedbackCategory",
        "feedback.migrations.0002_calendar_and_categories",
        "add_categories",
    ),
]


@pytest.fixture(autouse=True)
def _catalogues(request):
    """Put the seeded catalogues back when a test uses the database after a flush."""
    if not ({"db", "transactional_db"} & set(request.fixturenames)) and not any(
        m.name == "django_db" for m in request.node.iter_markers()
    ):
        return
    request.getfixturevalue(
        "transactional_db" if "transactional_db" in request.fixturenames else "db"
    )
    from django.apps import apps

    for label, module, function in SEEDED_CATALOGUES:
        if not apps.get_model(label).objects.exists():
            getattr(importlib.import_module(module), function)(apps, None)
