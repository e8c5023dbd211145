"""Settings for the check-in load benchmark's gunicorn: the project's, with the bench-only
bare view mounted beside it (bench/urls.py)."""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
