"""What `make run` and production turn on by default (settings read in a fresh process,
from the environment as a district's server would have it)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

READ = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.DEBUG, s.SERVE_MEDIA, s.API_DOCS_PUBLIC, s.METRICS_TOKEN]))"
)
OURS = ("DJANGO_DEBUG", "SERVE_MEDIA", "API_DOCS_PUBLIC", "METRICS_TOKEN")


def read_settings(module: str, **env) -> list:
    environment = {k: v for k, v in os.environ.items() if k not in OURS}
    environment.update(DJANGO_SETTINGS_MODULE=module, DJANGO_SECRET_KEY="x" * 60, **env)
    out = subprocess.run(
        [sys.executable, "-c", READ],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_make_run_serves_with_debug_off_and_media_on():
    assert read_settings("config.settings.local") == [False, True, True, ""]


def test_a_developer_asks_for_debug():
    assert read_settings("config.settings.local", DJANGO_DEBUG="1")[0] is True


def test_production_closes_the_api_docs_and_leaves_media_to_nginx():
    assert read_settings("config.settings.production") == [False, False, False, ""]


@pytest.mark.parametrize("value", ["true", "1"])
def test_production_may_open_the_api_docs(value):
    assert read_settings("config.settings.production", API_DOCS_PUBLIC=value)[2] is True
