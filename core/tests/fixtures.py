"""Core fixtures, registered from the root conftest: a real Celery worker process."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection


@pytest.fixture
def celery_worker_process():
    """A real `celery worker` in its own process, on the test broker and the test
    database (use with transactional tests: it sees only committed rows)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "POSTGRES_DB": connection.settings_dict["NAME"],
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--hostname=test-worker@%h",
            "--loglevel=WARNING",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield proc
    proc.terminate()
    proc.wait(timeout=20)
