"""/metrics: the Prometheus text format, behind METRICS_TOKEN, against the real broker and
cache; request counting through RequestMetricsMiddleware."""

import pytest
from celery import current_app
from prometheus_client.parser import text_string_to_metric_families

from core import health, metrics
from core.metrics import REGISTRY, Gauge, gauges
from core.tasks import heartbeat, ping

pytestmark = pytest.mark.django_db
TOKEN = "metrics-token-for-tests"
WITH_METRICS_MIDDLEWARE = "core.metrics.RequestMetricsMiddleware"


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN
    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    yield
    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")


@pytest.fixture
def counted(settings):
    """MIDDLEWARE with the metrics middleware first (where the lead puts it)."""
    if WITH_METRICS_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [WITH_METRICS_MIDDLEWARE, *settings.MIDDLEWARE]


def scrape(client) -> dict[str, list]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    families = text_string_to_metric_families(response.content.decode())
    return {family.name: family.samples for family in families}


def value(samples, **labels):
    matching = [s.value for s in samples if all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(matching) == 1, samples
    return matching[0]


def test_no_token_configured_means_no_endpoint(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_a_missing_or_wrong_token_is_refused(client):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401


def test_queue_lengths_and_waits_are_reported(client):
    ping.apply_async(headers={health.PUBLISHED_AT_HEADER: 0})  # waiting since 1970
    ping.delay()
    found = scrape(client)
    assert value(found["ws_celery_broker_up"]) == 1
    assert value(found["ws_celery_queue_length"], queue="celery") == 2
    assert value(found["ws_celery_queue_oldest_wait_seconds"], queue="celery") > 10**9


def test_beat_heartbeat_age_is_reported_and_infinite_when_never_seen(client):
    assert value(scrape(client)["ws_celery_beat_heartbeat_age_seconds"]) == float("inf")
    heartbeat()
    assert value(scrape(client)["ws_celery_beat_heartbeat_age_seconds"]) < 5


def test_a_dead_broker_shows_as_down_and_the_scrape_still_answers(client, monkeypatch):
    monkeypatch.setattr(current_app.conf, "broker_read_url", "redis://127.0.0.1:1/0")
    found = scrape(client)
    assert value(found["ws_celery_broker_up"]) == 0
    assert "ws_celery_queue_length" not in found
    assert "ws_celery_beat_heartbeat_age_seconds" in found


def test_requests_are_counted_by_method_and_status_class(client, counted):
    def count(method, status):
        return (
            REGISTRY.get_sample_value(
                "ws_http_requests_total", {"method": method, "status": status}
            )
            or 0.0
        )

    before_404, before_302 = count("GET", "4xx"), count("POST", "3xx")
    client.get("/no-such-page/")
    client.get("/no-such-page/")
    client.post("/i18n/setlang/", {"language": "en"})  # redirects
    assert count("GET", "4xx") == before_404 + 2
    assert count("POST", "3xx") == before_302 + 1
    # (the text parser names a counter's family without its _total suffix)
    assert value(scrape(client)["ws_http_requests"], method="GET", status="4xx") >= 2


@pytest.mark.urls("core.tests.error_urls")
def test_errors_are_counted_as_5xx(counted):
    from django.test import Client

    before = (
        REGISTRY.get_sample_value("ws_http_requests_total", {"method": "GET", "status": "5xx"})
        or 0.0
    )
    assert Client(raise_request_exception=False).get("/test-errors/500/").status_code == 500
    after = REGISTRY.get_sample_value("ws_http_requests_total", {"method": "GET", "status": "5xx"})
    assert after == before + 1


def test_unknown_methods_are_counted_as_other(client, counted):
    def others():
        return sum(
            REGISTRY.get_sample_value(
                "ws_http_requests_total", {"method": "other", "status": status}
            )
            or 0.0
            for status in ("2xx", "3xx", "4xx", "5xx")
        )

    before = others()
    client.generic("BREW", "/no-such-page/")
    assert others() == before + 1


def test_apps_register_gauges_read_at_each_scrape(client):
    readings = iter([7.0, 9.0])
    gauges.register(
        "ws_test_rollup_age_seconds",
        Gauge("ws_test_rollup_age_seconds", "A test gauge.", read=lambda: next(readings)),
    )
    gauges.register(
        "ws_test_by_district",
        Gauge(
            "ws_test_by_district",
            "A test gauge with a label.",
            read=lambda: {("xifeng",): 3, ("zhifu",): 4},
            labels=("district",),
        ),
    )
    try:
        assert value(scrape(client)["ws_test_rollup_age_seconds"]) == 7.0
        found = scrape(client)
        assert value(found["ws_test_rollup_age_seconds"]) == 9.0
        assert value(found["ws_test_by_district"], district="zhifu") == 4
    finally:
        gauges.remove("ws_test_rollup_age_seconds")
        gauges.remove("ws_test_by_district")


def test_a_failing_gauge_costs_its_own_metric_only(client):
    def broken():
        raise RuntimeError("rollups table missing")

    gauges.register("ws_test_broken", Gauge("ws_test_broken", "Broken.", read=broken))
    try:
        found = scrape(client)
    finally:
        gauges.remove("ws_test_broken")
    assert "ws_test_broken" not in found
    assert "ws_celery_broker_up" in found


def test_several_processes_are_added_up_from_the_shared_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    registry = metrics._registry()
    assert registry is not REGISTRY
    assert registry.get_sample_value("ws_celery_broker_up") == 1
