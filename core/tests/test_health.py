"""/healthz against the real services: a real Celery worker for the 200 case, the real test
broker for the queues, the real cache for beat's heartbeat."""

import time
from datetime import timedelta

import pytest
from celery import current_app
from django.contrib.auth import get_user_model
from django.utils import timezone

from core import health
from core.tasks import HEARTBEAT_KEY, heartbeat, ping

pytestmark = pytest.mark.django_db
TOKEN = "metrics-token-for-tests"


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.METRICS_TOKEN = TOKEN
    health.forget_anonymous_answer()
    _purge_queue()
    yield
    _purge_queue()
    health.forget_anonymous_answer()


def _purge_queue():
    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(current_app.conf.task_default_queue)


def _details(client):
    return client.get("/healthz", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def test_anonymous_callers_get_ok_or_not_per_component_and_no_versions(client):
    response = client.get("/healthz")
    body = response.json()
    assert set(body["checks"]) == {"database", "redis", "celery", "beat", "queues"}
    assert all(set(check) == {"ok"} for check in body["checks"].values())
    assert "postgis" not in response.content.decode().lower()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True


def test_staff_see_the_details(client):
    client.force_login(get_user_model().objects.create_user("staff", is_staff=True))
    body = client.get("/healthz").json()
    assert body["checks"]["database"]["detail"].startswith("postgis ")
    assert "queues" in body["checks"]["queues"]


def test_the_metrics_token_shows_the_details_and_a_wrong_one_does_not(client):
    assert "detail" in _details(client).json()["checks"]["database"]
    wrong = client.get("/healthz", HTTP_AUTHORIZATION="Bearer not-the-token")
    assert "detail" not in wrong.json()["checks"]["database"]


def test_a_signed_in_worker_who_is_not_staff_sees_no_details(client):
    client.force_login(get_user_model().objects.create_user("worker", is_staff=False))
    assert "detail" not in client.get("/healthz").json()["checks"]["database"]


def test_no_token_configured_means_no_details_even_with_an_empty_bearer(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/healthz", HTTP_AUTHORIZATION="Bearer ")
    assert "detail" not in response.json()["checks"]["database"]


def test_a_fresh_heartbeat_means_beat_is_alive(client):
    heartbeat()  # what beat's schedule runs every minute
    beat = _details(client).json()["checks"]["beat"]
    assert beat["ok"] is True
    assert beat["heartbeat_age_seconds"] < 5


def test_a_stale_heartbeat_means_beat_is_down(client, settings):
    from django.core.cache import cache

    old = timezone.now() - timedelta(seconds=settings.HEALTHZ_BEAT_MAX_AGE_SECONDS + 60)
    cache.set(HEARTBEAT_KEY, old.isoformat(), timeout=None)
    response = _details(client)
    beat = response.json()["checks"]["beat"]
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert beat["ok"] is False
    assert "down" in beat["detail"]


def test_no_heartbeat_is_a_failure_only_once_beat_had_time_to_send_one(client, monkeypatch):
    monkeypatch.setattr(health, "PROCESS_STARTED", time.monotonic())
    assert _details(client).json()["checks"]["beat"]["ok"] is True
    monkeypatch.setattr(health, "PROCESS_STARTED", time.monotonic() - 3600)
    beat = _details(client).json()["checks"]["beat"]
    assert beat["ok"] is False
    assert "no heartbeat" in beat["detail"]


def test_queues_report_their_length_and_the_oldest_wait(client):
    # No worker runs: the tasks wait in the test broker, the first published 42 s ago.
    ping.apply_async(headers={health.PUBLISHED_AT_HEADER: time.time() - 42})
    ping.delay()
    queues = _details(client).json()["checks"]["queues"]
    queue = queues["queues"][current_app.conf.task_default_queue]
    assert queue["length"] == 2
    assert 42 <= queue["oldest_wait_seconds"] < 60
    assert queues["ok"] is True


def test_queues_are_behind_when_a_task_waited_too_long(client, settings):
    waited = settings.HEALTHZ_QUEUE_MAX_WAIT_SECONDS + 30
    ping.apply_async(headers={health.PUBLISHED_AT_HEADER: time.time() - waited})
    response = _details(client)
    assert response.status_code == 503
    assert response.json()["checks"]["queues"]["ok"] is False
    assert "behind" in response.json()["checks"]["queues"]["detail"]


def test_a_task_due_later_has_not_been_waiting(client):
    ping.apply_async(countdown=3600, headers={health.PUBLISHED_AT_HEADER: time.time() - 900})
    queue = _details(client).json()["checks"]["queues"]["queues"]["celery"]
    assert queue["length"] == 1
    assert queue["oldest_wait_seconds"] == 0


def test_every_published_task_carries_its_publish_time():
    before = time.time()
    ping.delay()
    assert health.queue_backlog()["celery"]["oldest_wait_seconds"] <= time.time() - before + 1


def test_a_dead_broker_is_reported_not_raised(client, monkeypatch):
    monkeypatch.setattr(current_app.conf, "broker_read_url", "redis://127.0.0.1:1/0")
    started = time.monotonic()
    response = _details(client)
    assert time.monotonic() - started < 8
    assert response.status_code == 503
    assert response.json()["checks"]["queues"]["ok"] is False


def test_anonymous_answers_are_reused_for_a_few_seconds(client, django_assert_num_queries):
    client.get("/healthz")
    with django_assert_num_queries(0):
        client.get("/healthz")


def test_healthz_is_200_with_a_real_worker_and_a_heartbeat(client, celery_worker_process):
    heartbeat.delay()  # run by the worker, as beat's schedule would have it
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        response = _details(client)
        if response.status_code == 200:
            break
        time.sleep(1)
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["celery"]["ok"] is True
    assert response.json()["checks"]["beat"]["ok"] is True
