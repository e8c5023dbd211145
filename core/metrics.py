"""Metrics for a district's monitoring, in the Prometheus text format, at /metrics.

Off unless METRICS_TOKEN is set (then 404); a scrape sends `Authorization: Bearer <token>`.

- requests: `ws_http_requests_total{method, status}` (status class: 2xx, 4xx, 5xx — the
  5xx are the errors) and `ws_http_request_duration_seconds`, counted by
  RequestMetricsMiddleware;
- Celery: queue lengths, the oldest waiting task's age, beat's heartbeat age, broker up;
- anything an app registers into `gauges` (e.g. reports' rollup freshness): a function
  read at each scrape.

    # <app>/apps.py, in ready():
    from core.metrics import Gauge, gauges
    gauges.register("ws_rollup_age_seconds", Gauge(
        "ws_rollup_age_seconds", "Seconds since the oldest dirty bucket was marked.",
        read=oldest_dirty_bucket_age))           # -> a number, or None for "no value"

    # with labels: read returns {("xifeng",): 12.0, ("zhifu",): 3.0}
    Gauge("ws_rollup_dirty_buckets", "...", read=..., labels=("district",))

Under gunicorn every worker process counts its own requests: set PROMETHEUS_MULTIPROC_DIR
to an empty directory before start (scripts/run.sh does) and the scrape adds them up.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder

from core.health import beat_heartbeat_age, carries_metrics_token, queue_backlog
from core.registry import Registry

logger = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "ws_http_requests",
    "HTTP responses by request method and status class (5xx: errors).",
    ["method", "status"],
    registry=REGISTRY,
)
DURATION = Histogram(
    "ws_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by method.",
    ["method"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)


class RequestMetricsMiddleware:
    """Counts every response by method and status class. First in MIDDLEWARE, so it sees
    the final answer, including the other middleware's refusals and the 500 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in KNOWN_METHODS else "other"
        REQUESTS.labels(method, f"{response.status_code // 100}xx").inc()
        DURATION.labels(method).observe(time.perf_counter() - started)
        return response


@dataclass(frozen=True)
class Gauge:
    """A value read at each scrape. `read` returns a number (None: no value now), or for a
    gauge with labels a mapping {(label values…): number}."""

    name: str
    documentation: str
    read: Callable[[], float | None | Mapping[tuple[str, ...], float]]
    labels: tuple[str, ...] = ()


gauges: Registry[Gauge] = Registry("metrics gauge")


class _ScrapeTimeMetrics:
    """The figures read at scrape time: Celery's, then every registered gauge. A failing
    reader costs its own metric only, never the scrape."""

    def collect(self):
        yield from _celery_metrics()
        for gauge in gauges:
            try:
                value = gauge.read()
            except Exception:
                logger.exception("Metrics gauge %s failed", gauge.name)
                continue
            family = GaugeMetricFamily(
                gauge.name, gauge.documentation, labels=list(gauge.labels) or None
            )
            if gauge.labels:
                for label_values, number in (value or {}).items():
                    family.add_metric(list(label_values), float(number))
            elif value is not None:
                family.add_metric([], float(value))
            yield family


def _celery_metrics():
    heartbeat = GaugeMetricFamily(
        "ws_celery_beat_heartbeat_age_seconds",
        "Seconds since Celery beat's heartbeat task last ran (+Inf: none recorded).",
    )
    try:
        age = beat_heartbeat_age()
        heartbeat.add_metric([], math.inf if age is None else age)
        yield heartbeat
    except Exception:
        logger.exception("Could not read beat's heartbeat")

    up = GaugeMetricFamily("ws_celery_broker_up", "1 if the Celery broker answered.")
    try:
        backlog = queue_backlog()
    except Exception:
        logger.warning("Metrics: the Celery broker did not answer", exc_info=True)
        up.add_metric([], 0)
        yield up
        return
    up.add_metric([], 1)
    yield up
    length = GaugeMetricFamily(
        "ws_celery_queue_length", "Tasks waiting in each Celery queue.", labels=["queue"]
    )
    oldest = GaugeMetricFamily(
        "ws_celery_queue_oldest_wait_seconds",
        "How long the oldest waiting task of each queue has waited (0: none waits).",
        labels=["queue"],
    )
    for name, queue in backlog.items():
        length.add_metric([name], queue["length"])
        oldest.add_metric([name], queue["oldest_wait_seconds"] or 0)
    yield length
    yield oldest


_SCRAPE_TIME = _ScrapeTimeMetrics()
REGISTRY.register(_SCRAPE_TIME)


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    # Several processes: their counters are summed from the shared directory.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_SCRAPE_TIME)
    return registry


@never_cache
def metrics_view(request):
    if not settings.METRICS_TOKEN:
        raise Http404
    if not carries_metrics_token(request):
        response = HttpResponse("A metrics token is needed.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    # The classic text format (0.0.4) unless the scraper asks for another it knows.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(_registry()), content_type=content_type)
