"""/healthz: is each component the platform depends on working right now?

Anonymous callers (a load balancer, docker's healthcheck) get ok/degraded per component and
nothing else: no software versions, no host names, no error texts. Staff, or a caller with
the metrics token, also get each component's detail and figures.

Components: the database, Redis, a Celery worker (answers a ping), Celery beat (the
heartbeat it schedules every minute, core.tasks.heartbeat) and the queues (how many tasks
wait, and since when: every published task carries its publish time, stamped below).
"""

from __future__ import annotations

import hmac
import json
import time
from datetime import datetime

from celery.signals import before_task_publish
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from core.tasks import HEARTBEAT_KEY

# When this process started: before beat's first heartbeat could have arrived, its absence
# is not yet a failure (docker starts beat only once the web service is healthy).
PROCESS_STARTED = time.monotonic()
PUBLISHED_AT_HEADER = "ws_published_at"
# Anonymous answers are reused this long: a flood of /healthz requests cannot tie up the
# web workers with database, Redis and Celery round trips (the worker ping waits 1 s).
ANONYMOUS_ANSWER_SECONDS = 5.0
_anonymous_answer: tuple[float, dict, int] | None = None


@before_task_publish.connect(dispatch_uid="core.health.stamp_publish_time")
def _stamp_publish_time(headers=None, **kwargs):
    """Every task message carries the time it was published, so the queue's oldest waiting
    task tells how far behind the workers are (Celery's own message has no such time)."""
    if headers is not None:
        headers.setdefault(PUBLISHED_AT_HEADER, time.time())


def carries_metrics_token(request) -> bool:
    """The request says `Authorization: Bearer <METRICS_TOKEN>` (and a token is set)."""
    token = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


# --- figures (also read by core.metrics) -----------------------------------------------


def beat_heartbeat_age() -> float | None:
    """Seconds since beat's last heartbeat ran, or None if none is recorded."""
    stamp = cache.get(HEARTBEAT_KEY)
    if not stamp:
        return None
    return max(0.0, (timezone.now() - datetime.fromisoformat(stamp)).total_seconds())


def queue_backlog() -> dict[str, dict]:
    """{queue name: {"length": n, "oldest_wait_seconds": s or None}} read from the broker.

    Redis keeps a queue as one list per priority step; new messages are pushed on the left
    and workers take from the right, so the oldest message is the last item of each list.
    A task with an ETA waits only from its ETA on.
    """
    from celery import current_app as app  # the project's app (config/celery.py)

    names = list(app.amqp.queues) or [app.conf.task_default_queue]
    backlog = {}
    with app.connection_for_read(
        connect_timeout=1,
        transport_options={
            "max_retries": 0,
            "socket_connect_timeout": 1,
            "socket_timeout": 1,
        },
    ) as conn:
        channel = conn.default_channel
        if not hasattr(channel, "priority_steps"):  # not Redis: the length is what we can get
            for name in names:
                _, length, _ = channel.queue_declare(queue=name, passive=True)
                backlog[name] = {"length": length, "oldest_wait_seconds": None}
            return backlog
        now = time.time()
        for name in names:
            keys = list(dict.fromkeys(channel._q_for_pri(name, p) for p in channel.priority_steps))
            with channel.client.pipeline() as pipe:
                for key in keys:
                    pipe.llen(key)
                    pipe.lindex(key, -1)
                replies = pipe.execute()
            lengths, oldest = replies[0::2], replies[1::2]
            waiting_since = [s for s in (_waiting_since(m) for m in oldest if m) if s is not None]
            backlog[name] = {
                "length": sum(lengths),
                "oldest_wait_seconds": (
                    round(max(0.0, now - min(waiting_since)), 1) if waiting_since else None
                ),
            }
    return backlog


def _waiting_since(raw: bytes) -> float | None:
    try:
        headers = json.loads(raw).get("headers") or {}
        since = float(headers[PUBLISHED_AT_HEADER])
        if headers.get("eta"):
            since = max(since, datetime.fromisoformat(headers["eta"]).timestamp())
        return since
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # published before stamping, or not a Celery message


# --- the checks: (ok, detail, figures) ---------------------------------------------------


def _database() -> tuple[bool, str, dict]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT PostGIS_Lib_Version()")
        return True, f"postgis {cursor.fetchone()[0]}", {}


def _redis() -> tuple[bool, str, dict]:
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
    return True, "ok", {}


def _celery() -> tuple[bool, str, dict]:
    from celery import current_app as app

    replies = app.control.ping(timeout=1.0)
    if not replies:
        return False, "no worker answered within 1 s", {"workers": 0}
    return True, f"{len(replies)} worker(s)", {"workers": len(replies)}


def _beat() -> tuple[bool, str, dict]:
    limit = settings.HEALTHZ_BEAT_MAX_AGE_SECONDS
    age = beat_heartbeat_age()
    if age is None:
        uptime = time.monotonic() - PROCESS_STARTED
        if uptime < limit:
            return True, f"no heartbeat yet; this process started {uptime:.0f} s ago", {}
        return False, "no heartbeat recorded: is celery beat running?", {}
    figures = {"heartbeat_age_seconds": round(age, 1)}
    if age > limit:
        return False, f"last heartbeat {age:.0f} s ago: beat, or every worker, is down", figures
    return True, f"last heartbeat {age:.0f} s ago", figures


def _queues() -> tuple[bool, str, dict]:
    limit = settings.HEALTHZ_QUEUE_MAX_WAIT_SECONDS
    backlog = queue_backlog()
    behind = [n for n, q in backlog.items() if (q["oldest_wait_seconds"] or 0) > limit]
    parts = []
    for name, queue in backlog.items():
        wait = queue["oldest_wait_seconds"]
        parts.append(
            f"{name}: {queue['length']} waiting"
            + (f", the oldest for {wait:.0f} s" if wait is not None else "")
        )
    detail = "; ".join(parts) + (f" (behind: waits over {limit} s)" if behind else "")
    return not behind, detail, {"queues": backlog}


CHECKS = {
    "database": _database,
    "redis": _redis,
    "celery": _celery,
    "beat": _beat,
    "queues": _queues,
}


def run_checks() -> dict[str, dict]:
    results = {}
    for name, probe in CHECKS.items():
        try:
            ok, detail, figures = probe()
        except Exception as exc:  # any failure means "down"; the detail says why (staff only)
            ok, detail, figures = False, str(exc)[:200] or type(exc).__name__, {}
        results[name] = {"ok": ok, "detail": detail, **figures}
    return results


def _answer(checks: dict[str, dict]) -> tuple[dict, int]:
    healthy = all(check["ok"] for check in checks.values())
    return (
        {"status": "ok" if healthy else "degraded", "checks": checks},
        200 if healthy else 503,
    )


@never_cache
def healthz(request):
    global _anonymous_answer
    if carries_metrics_token(request) or request.user.is_staff:
        body, status = _answer(run_checks())
        return JsonResponse(body, status=status)
    now = time.monotonic()
    if _anonymous_answer is None or now - _anonymous_answer[0] > ANONYMOUS_ANSWER_SECONDS:
        checks = {name: {"ok": check["ok"]} for name, check in run_checks().items()}
        _anonymous_answer = (now, *_answer(checks))
    _, body, status = _anonymous_answer
    return JsonResponse(body, status=status)


def forget_anonymous_answer() -> None:
    """For tests: the next anonymous request runs the checks again."""
    global _anonymous_answer
    _anonymous_answer = None
