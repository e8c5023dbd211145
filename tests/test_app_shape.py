"""Every domain app has the same shape (DESIGN.md, NetBox-style), so a reader who knows one
knows all: the same modules in the same places, the same test files. A new app (wishes,
feedback, estates…) fails here until it has them.

TO_DO names what existing apps still lack, each with why; the test also fails when an
entry is no longer needed, so the list only shrinks."""

from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Apps with domain code. core holds no domain; security holds the platform's 等保 controls
# (no tenant data, no API); reports rolls up the others; demo is the loader above every app.
DOMAIN_APPS = [
    "areas",
    "ledgers",
    "members",
    "stations",
    "party",
    "points",
    "activities",
    "wishes",
    "feedback",
    "estates",
]

CODE = [
    "apps.py",
    "models",  # models.py, or a models/ package re-exported with __all__
    "services",  # services.py, or a services/ package
    "selectors.py",
    "admin.py",
    "api/serializers.py",
    "api/views.py",
    "api/urls.py",
]
TESTS = [
    "tests/factories.py",
    "tests/test_services.py",
    "tests/test_selectors.py",
    "tests/test_api.py",
    "tests/test_admin.py",
]

TO_DO: dict[tuple[str, str], str] = {}


def present(app: str, name: str) -> bool:
    base = ROOT / app / name
    return base.exists() or base.with_suffix(".py").exists()


def test_every_domain_app_has_the_same_files():
    missing = [
        (app, name)
        for app in DOMAIN_APPS
        for name in CODE + TESTS
        if not present(app, name) and (app, name) not in TO_DO
    ]
    assert not missing, f"These apps lack the common shape: {missing}"


def test_the_to_do_list_only_shrinks():
    done = [entry for entry in TO_DO if present(*entry)]
    assert not done, f"Remove these from TO_DO, they exist now: {done}"


def test_every_platform_app_is_a_domain_app_or_said_why_not():
    others = {"core", "security", "reports", "demo"}
    layered = {app for layer in settings.PLATFORM_APP_LAYERS for app in layer}
    assert layered == set(DOMAIN_APPS) | others
