"""Reading the figures from a PostgreSQL streaming replica (issue 13, "Past one machine").

When DATABASES has a `replica` (POSTGRES_REPLICA_HOST: the same database on a hot standby),
the dashboards and the stats API read the rollup figures from it, so a province's
dashboards do not compete with check-ins and the rollup job for the primary. Everything
else stays on the primary (`default`):

- Only models listed in REPLICA_READABLE_MODELS are ever read from the replica: the figures
  the job computes and pages show with their "computed at" time (reports.Bucket,
  reports.CoverageSnapshot). The job's own bookkeeping (DirtyBucket, AreaAncestry,
  SealedPeriod), workflow state (MonthlyReport's progress and submission) and security
  rows (DisplayToken: a revoked token must stop working at once) never are, nor is any
  other app's table: those are what a person just changed and expects to see.
- Only a page or API request reads from the replica, and only a GET/HEAD/OPTIONS one:
  ReplicaReadsMiddleware marks the request's context. Celery tasks, management commands,
  the shell and anything else outside a request read from the primary — the rollup job
  reads buckets to compute others (a city's days from its districts') and must see its
  own writes. The primary is the default: nothing has to be remembered to keep the job
  off the replica.
- Never inside a transaction on the primary: a request that writes and then reads in one
  transaction (or takes row locks) reads its own writes.
- "Sticky after own write": after a browser's POST/PUT/PATCH/DELETE, its requests read from
  the primary for REPLICA_STICKY_SECONDS (a signed cookie), so a person who has just
  changed something never sees the page from before their change because the replica is
  a few milliseconds behind.
- A replica that cannot be reached is skipped for REPLICA_RETRY_SECONDS (the reads go to
  the primary, and a warning is logged) instead of failing every dashboard request.
- Writes always go to the primary, and migrations run only there (a standby is read-only
  and replays the primary's schema changes).

In a test run the replica (TEST: MIRROR default) points at the test database itself, so
the router treats it as absent: the tests never need a replica, and one configured in the
environment changes nothing in them. bench/replica.py shows all this against a real
standby that scripts/replica.sh starts on one machine.
"""

import contextvars
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import DatabaseError, connections
from django.utils.connection import ConnectionDoesNotExist

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"

# Reads of these models (app_label.modelname) may be served by the replica.
REPLICA_READABLE_MODELS = frozenset({"reports.bucket", "reports.coveragesnapshot"})

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STICKY_COOKIE = "ws_read_primary"
_STICKY_SALT = "config.db_router.sticky"


@dataclass
class _RequestReads:
    """What the current request may read from the replica; `reachable` is learnt at the
    request's first figure read (None: not tried yet)."""

    allowed: bool
    reachable: bool | None = None


# None outside a request (tasks, commands, the shell): the primary.
_request_reads: contextvars.ContextVar[_RequestReads | None] = contextvars.ContextVar(
    "replica_reads", default=None
)
# monotonic time until which this process does not try the replica again.
_replica_down_until = 0.0


@contextmanager
def replica_reads(allowed: bool = True):
    """Within this block (one request, or a benchmark standing in for one), reads of the
    figures may go to the replica (or, with allowed=False, may not)."""
    token = _request_reads.set(_RequestReads(allowed=allowed))
    try:
        yield
    finally:
        _request_reads.reset(token)


def may_read_replica() -> bool:
    state = _request_reads.get()
    return state is not None and state.allowed


def is_replica_of(replica: dict, primary: dict) -> bool:
    """Do these DATABASES entries name the same database on two servers?

    Not when they name the same server (a test run's mirror: Django points the replica at
    the test database itself), nor when they name different databases (a thread of a test
    run sees the replica's settings from before the test database was made)."""
    if replica.get("NAME") != primary.get("NAME"):
        return False
    return (replica.get("HOST"), str(replica.get("PORT"))) != (
        primary.get("HOST"),
        str(primary.get("PORT")),
    )


def replica_configured() -> bool:
    try:
        replica = connections[REPLICA].settings_dict
    except ConnectionDoesNotExist:
        return False
    return is_replica_of(replica, connections[PRIMARY].settings_dict)


def _replica_reachable(state: _RequestReads) -> bool:
    """Connect (or check the kept connection) once per request; on failure, read from the
    primary and leave the replica alone for REPLICA_RETRY_SECONDS."""
    global _replica_down_until
    if state.reachable is None:
        if time.monotonic() < _replica_down_until:
            state.reachable = False
            return False
        connection = connections[REPLICA]
        try:
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except DatabaseError as error:
            retry = getattr(settings, "REPLICA_RETRY_SECONDS", 30)
            logger.warning(
                "The database replica cannot be reached (%s): reading from the primary "
                "for the next %s s.",
                error,
                retry,
            )
            _replica_down_until = time.monotonic() + retry
            state.reachable = False
        else:
            state.reachable = True
    return state.reachable


class PrimaryReplicaRouter:
    """DATABASE_ROUTERS entry: see the module's doc for the rules."""

    def replica_ready(self, state: _RequestReads) -> bool:
        """A replica is configured and answers (asked once per request)."""
        return replica_configured() and _replica_reachable(state)

    def db_for_read(self, model, **hints):
        if model._meta.label_lower not in REPLICA_READABLE_MODELS:
            return PRIMARY
        state = _request_reads.get()
        if state is None or not state.allowed or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA if self.replica_ready(state) else PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # A figure read from the replica and an area read from the primary are rows of the
        # same database.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


# ---------------------------------------------------------------------------------------
# Requests


def sticky_seconds() -> int:
    return getattr(settings, "REPLICA_STICKY_SECONDS", 10)


def wrote_recently(request) -> bool:
    """Did this browser write something within the sticky window? (The cookie's signature
    carries its time: one older than the window no longer counts, whatever its expiry.)"""
    if STICKY_COOKIE not in request.COOKIES:
        return False
    return (
        request.get_signed_cookie(
            STICKY_COOKIE, default=None, salt=_STICKY_SALT, max_age=sticky_seconds()
        )
        is not None
    )


def mark_wrote(response) -> None:
    """Read from the primary for the next REPLICA_STICKY_SECONDS."""
    seconds = sticky_seconds()
    if seconds <= 0:
        return
    response.set_signed_cookie(
        STICKY_COOKIE,
        "1",
        salt=_STICKY_SALT,
        max_age=seconds,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class ReplicaReadsMiddleware:
    """Lets a page's or an API call's reads of the figures go to the replica: a safe method
    from a browser that has not written within REPLICA_STICKY_SECONDS. A request with
    another method reads from the primary and starts that browser's sticky window. Without
    a replica this does nothing (no cookie either)."""

    def __init__(self, get_response, *, replica_available: Callable[[], bool] | None = None):
        self.get_response = get_response
        # Asked per request: a test run's threads see the replica differently (see
        # replica_configured).
        self.replica_available = replica_available or replica_configured

    def __call__(self, request):
        if not self.replica_available():
            return self.get_response(request)
        writes = request.method not in SAFE_METHODS
        allowed = not writes and not wrote_recently(request)
        with replica_reads(allowed):
            response = self.get_response(request)
        if writes:
            # Any attempt, whatever its answer: a refused one wrote nothing and costs only
            # a few seconds of primary reads; a partly failed one is not missed.
            mark_wrote(response)
        return response


# ---------------------------------------------------------------------------------------
# Celery: a task run inline from a request (apply(), eager mode) does not inherit the
# request's permission; in a worker there is no request, and this changes nothing.

_task_tokens: dict[str, contextvars.Token] = {}


@task_prerun.connect(weak=False)
def _task_reads_from_primary(task_id=None, **kwargs):
    _task_tokens[task_id] = _request_reads.set(None)


@task_postrun.connect(weak=False)
def _task_done(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _request_reads.reset(token)
