"""The primary/replica rules (config/db_router.py), without a replica: which alias each
model gets in a request, in a transaction, in a Celery task and in a management command;
the sticky window after a browser's write; a replica that does not answer. bench/replica.py
shows the same rules against a real hot standby."""

import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import router as django_router
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from config import db_router
from config.celery import app as celery_app
from config.db_router import (
    PRIMARY,
    REPLICA,
    STICKY_COOKIE,
    PrimaryReplicaRouter,
    ReplicaReadsMiddleware,
    is_replica_of,
    may_read_replica,
    replica_reads,
)

ROOT = Path(settings.BASE_DIR)
FIGURES = ["reports.Bucket", "reports.CoverageSnapshot"]
# What the rollup job writes or reads in its own transaction, workflow and security rows of
# reports/, and other apps' tables: always the primary.
PRIMARY_ONLY = [
    "reports.DirtyBucket",
    "reports.AreaAncestry",
    "reports.SealedPeriod",
    "reports.MonthlyReport",
    "reports.DisplayToken",
    "areas.Area",
    "areas.StaffGrant",
    "stations.Station",
    "stations.CheckIn",
    "sessions.Session",
    "auth.User",
]


class ReplicaAnswers(PrimaryReplicaRouter):
    """The router's rules with a replica taken as configured and answering: what the real
    router decides once the connection check has passed (bench/replica.py runs that part
    against a real standby)."""

    def replica_ready(self, state) -> bool:
        return True


def model(label: str):
    return apps.get_model(label)


# ---------------------------------------------------------------------------------------
# Which alias


@pytest.mark.parametrize("label", FIGURES)
def test_a_page_request_reads_the_figures_from_the_replica(label):
    with replica_reads():
        assert ReplicaAnswers().db_for_read(model(label)) == REPLICA


@pytest.mark.parametrize("label", PRIMARY_ONLY)
def test_a_page_request_reads_everything_else_from_the_primary(label):
    with replica_reads():
        assert ReplicaAnswers().db_for_read(model(label)) == PRIMARY


@pytest.mark.parametrize("label", FIGURES + PRIMARY_ONLY)
def test_every_write_goes_to_the_primary(label):
    with replica_reads():
        assert ReplicaAnswers().db_for_write(model(label)) == PRIMARY


@pytest.mark.parametrize("label", FIGURES)
def test_outside_a_request_the_figures_come_from_the_primary(label):
    # Celery workers, management commands and the shell never pass the middleware.
    assert not may_read_replica()
    assert ReplicaAnswers().db_for_read(model(label)) == PRIMARY


@pytest.mark.parametrize("label", FIGURES)
def test_a_request_that_writes_or_just_wrote_reads_the_primary(label):
    with replica_reads(allowed=False):
        assert ReplicaAnswers().db_for_read(model(label)) == PRIMARY


@pytest.mark.django_db
def test_inside_a_transaction_the_figures_come_from_the_primary():
    # A django_db test runs inside a transaction on the primary, as a request that writes
    # and then reads in one transaction (or the rollup job) does.
    with replica_reads():
        assert ReplicaAnswers().db_for_read(model("reports.Bucket")) == PRIMARY


def test_the_block_ends_with_the_request():
    with replica_reads():
        assert may_read_replica()
        with replica_reads(allowed=False):
            assert not may_read_replica()
        assert may_read_replica()
    assert not may_read_replica()


@celery_app.task(name="tests.test_db_router.read_alias_in_task")
def read_alias_in_task():
    return ReplicaAnswers().db_for_read(model("reports.Bucket")), may_read_replica()


def test_a_task_run_inline_from_a_request_reads_the_primary():
    with replica_reads():
        alias, allowed = read_alias_in_task.apply().get()
        # … and the request's own permission is back once the task is done.
        assert may_read_replica()
    assert (alias, allowed) == (PRIMARY, False)


def test_migrations_run_on_the_primary_only():
    assert PrimaryReplicaRouter().allow_migrate(PRIMARY, "reports") is True
    assert PrimaryReplicaRouter().allow_migrate(REPLICA, "reports") is False


def test_rows_from_either_alias_may_be_related():
    area, bucket = model("areas.Area")(), model("reports.Bucket")()
    area._state.db, bucket._state.db = PRIMARY, REPLICA
    assert PrimaryReplicaRouter().allow_relation(bucket, area) is True


def test_the_router_is_installed():
    assert settings.DATABASE_ROUTERS == ["config.db_router.PrimaryReplicaRouter"]
    with replica_reads():
        # No replica in this test run (or, with one in the environment, only a mirror of
        # the test database): the real router keeps to the primary.
        assert django_router.db_for_read(model("reports.Bucket")) == PRIMARY


# ---------------------------------------------------------------------------------------
# What counts as a replica


PRIMARY_DB = {"NAME": "warmstations", "HOST": "10.0.0.1", "PORT": 5432}


@pytest.mark.parametrize(
    "replica, counts",
    [
        ({"NAME": "warmstations", "HOST": "10.0.0.2", "PORT": 5432}, True),
        ({"NAME": "warmstations", "HOST": "10.0.0.1", "PORT": "5433"}, True),
        # A test run's mirror: the primary's own server.
        ({"NAME": "warmstations", "HOST": "10.0.0.1", "PORT": "5432"}, False),
        # Another database (a test thread's view from before the test database was made).
        ({"NAME": "test_warmstations", "HOST": "10.0.0.2", "PORT": 5432}, False),
    ],
)
def test_a_replica_is_the_same_database_on_another_server(replica, counts):
    assert is_replica_of(replica, PRIMARY_DB) is counts


# ---------------------------------------------------------------------------------------
# The sticky window


def seen_by_view(request):
    """A view that says whether its reads may go to the replica."""
    return HttpResponse("replica" if may_read_replica() else "primary")


def middleware(*, replica: bool = True) -> ReplicaReadsMiddleware:
    return ReplicaReadsMiddleware(seen_by_view, replica_available=lambda: replica)


def get(cookie: str | None = None):
    request = RequestFactory().get("/dashboard/")
    if cookie is not None:
        request.COOKIES[STICKY_COOKIE] = cookie
    return request


def test_a_page_may_read_the_replica():
    assert middleware()(get()).content == b"replica"
    assert not may_read_replica()  # not after the request


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_reads_the_primary_and_starts_the_sticky_window(method):
    response = middleware()(getattr(RequestFactory(), method)("/m/check-ins/"))
    assert response.content == b"primary"
    cookie = response.cookies[STICKY_COOKIE]
    assert cookie["max-age"] == settings.REPLICA_STICKY_SECONDS == 10
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_the_same_browser_reads_the_primary_right_after_its_write():
    wrote = middleware()(RequestFactory().post("/dashboard/reports/"))
    after = middleware()(get(wrote.cookies[STICKY_COOKIE].value))
    assert after.content == b"primary"
    assert STICKY_COOKIE not in after.cookies  # a read does not extend the window


@override_settings(REPLICA_STICKY_SECONDS=1)
def test_after_the_sticky_window_the_replica_again():
    wrote = middleware()(RequestFactory().post("/dashboard/reports/"))
    cookie = wrote.cookies[STICKY_COOKIE].value
    assert middleware()(get(cookie)).content == b"primary"
    time.sleep(1.1)
    assert middleware()(get(cookie)).content == b"replica"


def test_a_forged_sticky_cookie_is_ignored():
    # Unsigned, it could keep a browser on the primary for ever.
    assert middleware()(get("1")).content == b"replica"


@override_settings(REPLICA_STICKY_SECONDS=0)
def test_no_sticky_window_when_set_to_zero():
    assert STICKY_COOKIE not in middleware()(RequestFactory().post("/x/")).cookies


def test_without_a_replica_the_middleware_does_nothing():
    response = middleware(replica=False)(RequestFactory().post("/dashboard/reports/"))
    assert response.content == b"primary"
    assert STICKY_COOKIE not in response.cookies


def test_the_middleware_is_installed_and_idle_in_tests(client):
    assert "config.db_router.ReplicaReadsMiddleware" in settings.MIDDLEWARE
    assert STICKY_COOKIE not in client.post("/no-such-page/").cookies


# ---------------------------------------------------------------------------------------
# A real process with a replica configured (none needs to run for these)


def run_with_replica(code: str, *, port: int, command: str = "shell") -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "POSTGRES_REPLICA_HOST": "127.0.0.1",
        "POSTGRES_REPLICA_PORT": str(port),
        "POSTGRES_REPLICA_CONNECT_TIMEOUT": "1",
    }
    args = [sys.executable, "manage.py", command]
    if command == "shell":
        args += ["--no-imports", "-c", textwrap.dedent(code)]
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


@pytest.fixture
def closed_port():
    """A port on which nothing listens (bound, never listening: connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_a_command_reads_the_primary_and_an_unreachable_replica_is_skipped(closed_port):
    out = run_with_replica(
        """
        from django.db import connections, router
        from reports.models import Bucket
        from config.db_router import replica_configured, replica_reads
        import config.db_router as r, time

        print("configured", replica_configured())
        # A management command (this one) is outside any request: the primary, and the
        # replica is not even connected to.
        print("command", router.db_for_read(Bucket), connections["replica"].connection)
        with replica_reads():
            print("request", router.db_for_read(Bucket))
        # Skipped for REPLICA_RETRY_SECONDS, without trying again.
        print("skipped", r._replica_down_until > time.monotonic())
        with replica_reads():
            print("next request", router.db_for_read(Bucket))
        """,
        port=closed_port,
    )
    assert "configured True" in out
    assert "command default None" in out
    assert "request default" in out
    assert "The database replica cannot be reached" in out
    assert "skipped True" in out
    assert "next request default" in out
    assert out.count("cannot be reached") == 1


def test_check_passes_with_the_replica_configured(closed_port):
    assert "no issues" in run_with_replica("", port=closed_port, command="check")


def test_a_replica_port_without_a_host_stops_start_up():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("POSTGRES_REPLICA_HOST", None)
    env["POSTGRES_REPLICA_PORT"] = "5433"
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "POSTGRES_REPLICA_HOST is not" in done.stderr


def test_the_module_keeps_its_models_by_label():
    # The labels must name real models, or a renamed model would silently stop being read
    # from the replica (or the wrong one would start).
    for label in db_router.REPLICA_READABLE_MODELS:
        assert apps.get_model(label)
