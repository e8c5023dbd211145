"""Nothing lost when Redis dies (issue 12 §4), the fast part: the cache pointed at a port
where nothing listens, or at a Redis of the test's own that hangs; the broker likewise.
The full fault run (gunicorn, a worker and beat, Redis killed for 60 s) is
bench/fault_redis.py."""

import json
import logging
import os
import signal
import socket
import subprocess
import time
import uuid

import pytest
from celery import current_app
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from core import cache as core_cache
from core import outbox, ratelimit
from core.exceptions import ApplicationError
from core.models import OutboxJob, RateLimitCount
from ledgers import services as ledgers
from ledgers.models import ImportJob
from members import phone_login
from members.models import Worker
from members.phone_login import SESSION_PHONE
from members.tests.factories import EnterpriseFactory, WorkerFactory
from members.tests.test_ledgers import WORKER_HEADERS, upload, worker_row, xlsx
from stations.models import CheckIn


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _caches(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.PooledRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "ws-outage-test",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(autouse=True)
def _fresh_breakers():
    core_cache._breakers.clear()
    outbox._broker_down_until = 0.0
    yield
    core_cache._breakers.clear()
    outbox._broker_down_until = 0.0


@pytest.fixture
def dead_cache():
    """The cache on a port where nothing listens (Redis killed)."""
    location = f"redis://127.0.0.1:{_free_port()}/0"
    with override_settings(CACHES=_caches(location), CACHE_REDIS_RETRY_SECONDS=30):
        yield location


@pytest.fixture
def own_redis():
    """A redis-server of this test's own, on its own port (never the machine's)."""
    port = _free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield proc, f"redis://127.0.0.1:{port}/0"
    os.kill(proc.pid, signal.SIGCONT)
    proc.terminate()
    proc.wait(timeout=10)


# The cache ----------------------------------------------------------------------------------


def test_a_dead_cache_misses_and_drops_quickly_and_logs_once(dead_cache, caplog):
    caplog.set_level(logging.WARNING, logger="core.cache")
    began = time.monotonic()
    assert cache.get("a") is None and cache.get("a", "default") == "default"
    cache.set("a", 1)
    assert cache.add("a", 1) is False
    cache.delete("a")
    assert cache.get_many(["a", "b"]) == {}
    assert cache.get_or_set("c", lambda: 3) == 3
    with pytest.raises(ValueError):
        cache.incr("a")
    for _ in range(200):
        cache.get("a")
    assert time.monotonic() - began < 1.0  # one refused connect, then the open breaker
    outages = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outages) == 1


def test_strict_calls_raise_instead_of_degrading(dead_cache):
    with pytest.raises(core_cache.CacheUnavailable):
        core_cache.strict().get("a")


def test_a_hung_redis_costs_one_timeout_and_stale_writes_are_removed_after(own_redis, caplog):
    proc, location = own_redis
    caplog.set_level(logging.WARNING, logger="core.cache")
    with override_settings(CACHES=_caches(location), CACHE_REDIS_RETRY_SECONDS=0.3):
        cache.set("session", "before the outage")
        os.kill(proc.pid, signal.SIGSTOP)  # hung: connects, never answers
        began = time.monotonic()
        cache.set("session", "changed during the outage")  # dropped after the timeout
        assert cache.get("session") is None
        assert time.monotonic() - began < 1.0
        os.kill(proc.pid, signal.SIGCONT)
        time.sleep(0.4)
        # Redis kept the old value; the write dropped meanwhile removed it before any read.
        assert cache.get("session") is None
        cache.set("session", "after")
        assert cache.get("session") == "after"
    messages = [r.getMessage() for r in caplog.records]
    assert sum("unreachable" in m for m in messages) == 1
    assert sum("reachable again" in m for m in messages) == 1


# Pages and check-ins with Redis dead -------------------------------------------------------------


@pytest.mark.django_db
def test_a_logged_in_worker_checks_in_and_browses_with_redis_dead(
    client, tree, station_a, dead_cache
):
    worker = WorkerFactory(area=tree.a["community"], phone="13700002222")
    session = client.session
    session[SESSION_PHONE] = worker.phone
    session.save()  # the session lives in the database only
    body = {"station": station_a.pk, "client_key": str(uuid.uuid4()), "services": ["water"]}
    sent = client.post("/m/check-ins/", json.dumps(body), content_type="application/json")
    assert sent.status_code == 201
    replay = client.post("/m/check-ins/", json.dumps(body), content_type="application/json")
    assert replay.status_code == 200  # still once
    assert CheckIn.objects.filter(worker=worker).count() == 1
    for page in ("/m/me/check-ins/", f"/m/stations/{station_a.pk}/", "/m/me/"):
        assert client.get(page).status_code == 200, page


@pytest.mark.django_db
def test_staff_pages_and_approval_work_with_redis_dead(client, trio, worker_a, dead_cache):
    client.force_login(trio.staff_a)
    assert client.get("/admin/members/worker/").status_code == 200
    approved = client.post(
        "/admin/members/worker/",
        {"action": "approve_selected", "_selected_action": [worker_a.pk]},
    )
    assert approved.status_code == 302
    worker_a.refresh_from_db()
    assert worker_a.status == Worker.Status.APPROVED


@pytest.mark.django_db
def test_sms_codes_are_still_limited_with_redis_dead(dead_cache):
    phone_login.login_code_send(phone="13700003333", ip="10.1.2.3")
    with pytest.raises(ApplicationError, match="less than a minute ago"):
        phone_login.login_code_send(phone="13700003333", ip="10.1.2.3")
    assert RateLimitCount.objects.filter(key__contains="13700003333").exists()


@pytest.mark.django_db
def test_rate_limits_count_in_the_database_and_take_back_refusals(dead_cache):
    limit = ratelimit.Limit(2, 60, "too many")
    ratelimit.take("t", ["x"], [limit])
    ratelimit.take("t", ["x"], [limit])
    with pytest.raises(ratelimit.LimitReached):
        ratelimit.take("t", ["x"], [limit])
    assert ratelimit.current("t", "x", limit) == 2  # the refused one was taken back


# The outbox ------------------------------------------------------------------------------------


class _DeadBroker:
    def __enter__(self):
        self.url = current_app.conf.broker_url
        current_app.conf.broker_url = f"redis://127.0.0.1:{_free_port()}/0"

    def __exit__(self, *exc):
        current_app.conf.broker_url = self.url


@pytest.mark.django_db
def test_a_job_queued_while_the_broker_is_dead_stays_in_the_outbox(
    django_capture_on_commit_callbacks,
):
    began = time.monotonic()
    with _DeadBroker(), django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            job = outbox.enqueue("core.tasks.ping")
        second = outbox.enqueue("core.tasks.ping")  # the broker is not tried again at once
    assert time.monotonic() - began < 3
    job.refresh_from_db()
    assert job.sent_at is None and job.attempts == 0 and "not sent" in job.last_error
    second.refresh_from_db()
    assert second.sent_at is None


@pytest.mark.django_db
def test_a_rolled_back_change_queues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("core.tasks.ping")
        raise RuntimeError
    assert not OutboxJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_outbox_rows_drain_once_a_broker_is_reachable(celery_worker_process):
    with _DeadBroker():
        jobs = [outbox.enqueue("core.tasks.ping") for _ in range(3)]
    assert OutboxJob.objects.filter(sent_at=None).count() == 3
    assert outbox.drain() == 3  # beat's job, once Redis is back
    deadline = time.monotonic() + 60
    while outbox.pending_count() and time.monotonic() < deadline:
        time.sleep(0.3)
    for job in jobs:
        job.refresh_from_db()
        assert job.done_at is not None and job.attempts == 1
    assert outbox.drain() == 0  # nothing sent twice


# A task delivered twice gives the same result --------------------------------------------------


@pytest.mark.django_db
@override_settings(LEDGER_IMPORT_INLINE_ROWS=2)
def test_an_import_task_delivered_twice_writes_once(trio, django_capture_on_commit_callbacks):
    EnterpriseFactory(name="顺丰速运", area=trio.tree.a["district"])
    with _DeadBroker(), django_capture_on_commit_callbacks(execute=True):
        job = upload(
            trio.staff_a,
            trio.tree.a["district"],
            xlsx(WORKER_HEADERS, [worker_row(n) for n in range(1, 6)]),
        )
    queued = OutboxJob.objects.get()
    assert queued.task == "ledgers.tasks.check_import" and queued.args == [job.pk]
    ledgers.run_check(job.pk)
    ledgers.run_check(job.pk)  # redelivered
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and job.valid_rows == 5
    with _DeadBroker(), django_capture_on_commit_callbacks(execute=True):
        ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)
    ledgers.run_commit(job.pk)
    ledgers.run_commit(job.pk)  # redelivered: finds the job done
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.written_rows == 5
    assert Worker.objects.count() == 5
