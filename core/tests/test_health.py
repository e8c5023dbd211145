"""/healthz against the real services, and a real Celery worker for the 200 case."""

import time

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_is_503_and_names_celery_when_no_worker_runs(client):
    response = client.get("/healthz")
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    if not body["checks"]["celery"]["ok"]:
        assert response.status_code == 503
        assert body["status"] == "degraded"


def test_healthz_is_200_with_a_real_worker(client, celery_worker_process):
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        response = client.get("/healthz")
        if response.status_code == 200:
            break
        time.sleep(1)
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["celery"]["ok"] is True
