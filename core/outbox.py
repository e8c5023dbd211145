"""The outbox: the one way to queue Celery work after a write (issue 12 §4).

    from core import outbox
    outbox.enqueue("ledgers.tasks.check_import", job.pk)

`enqueue` writes an OutboxJob row in the caller's transaction, so the job exists exactly
when the change that asked for it does — never a job for a rolled-back change, never a
change whose job was lost because Redis (the broker) was down at that moment. Then:

- when the transaction commits, the job is sent at once (best effort, a short connect
  timeout, never raising to the caller); after a failed send, immediate sends are skipped
  for OUTBOX_RETRY_SECONDS so requests do not wait on a dead broker one by one;
- the beat job core.tasks.drain_outbox (every minute) sends what was not sent, and sends
  again what was sent but has not run after OUTBOX_RESEND_SECONDS (a Redis restarted
  without persistence lost its queue);
- the worker marks the row done when the task has succeeded (a header carries its id).

Delivery is at least once: a task may run twice (sent again while it waited in a long
queue, or redelivered after a worker died mid-task), so every task queued through here is
idempotent — it loads its rows by id and does nothing when its work is already done.
Tasks are named, not imported, so core never imports the apps above it.
"""

import logging
import time
from datetime import timedelta

from celery import current_app
from celery.signals import task_failure, task_success
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutboxJob

logger = logging.getLogger("core.outbox")

HEADER = "ws_outbox_id"
KEEP_DONE = timedelta(days=7)
DRAIN_BATCH = 500

_broker_down_until = 0.0  # monotonic; immediate sends are skipped before it
_broker_down_logged = False


def enqueue(task, *args) -> OutboxJob:
    """Queue `task` (its registered name, or the task object) with JSON-able `args`, in
    the current transaction; it is sent when that transaction commits."""
    name = task if isinstance(task, str) else task.name
    job = OutboxJob.objects.create(task=name, args=list(args))
    transaction.on_commit(lambda: send_now(job.pk))
    return job


def send_now(job_id: int) -> bool:
    """Send one job if nobody has yet; False if the broker could not be reached (the drain
    will send it). Never raises for an unreachable broker."""
    if time.monotonic() < _broker_down_until:
        return False
    try:
        with transaction.atomic():
            job = (
                OutboxJob.objects.select_for_update(skip_locked=True)
                .filter(pk=job_id, sent_at=None, done_at=None)
                .first()
            )
            if job is None:  # already sent by the drain, or being sent
                return True
            with _connection() as conn:
                return _publish(conn, job)
    except Exception:  # the broker's own errors are handled in _publish; this is a bug
        logger.exception("Sending queued job %s failed; the drain will retry it.", job_id)
        return False


def drain() -> int:
    """Send every job not sent yet, and again every job sent long ago that has not run.
    Returns how many were sent. Run by beat every minute (core.tasks.drain_outbox)."""
    now = timezone.now()
    due = Q(sent_at=None) | Q(sent_at__lt=now - timedelta(seconds=settings.OUTBOX_RESEND_SECONDS))
    sent = 0
    with transaction.atomic():
        jobs = list(
            OutboxJob.objects.select_for_update(skip_locked=True)
            .filter(due, done_at=None, attempts__lt=settings.OUTBOX_MAX_ATTEMPTS)
            .order_by("created_at", "pk")[:DRAIN_BATCH]
        )
        if jobs:
            with _connection() as conn:
                for job in jobs:
                    if not _publish(conn, job):
                        break
                    sent += 1
    OutboxJob.objects.filter(done_at__lt=now - KEEP_DONE).delete()
    given_up = OutboxJob.objects.filter(
        done_at=None, attempts__gte=settings.OUTBOX_MAX_ATTEMPTS
    ).count()
    if given_up:
        logger.error(
            "%d queued jobs were sent %d times without succeeding; they are no longer sent "
            "(see core_outboxjob.last_error).",
            given_up,
            settings.OUTBOX_MAX_ATTEMPTS,
        )
    return sent


def pending_count() -> int:
    return OutboxJob.objects.filter(done_at=None).count()


def _connection():
    """A broker connection that gives up quickly (the web process must not wait on it);
    the worker's own connection keeps Celery's retry settings."""
    return current_app.connection_for_write(
        connect_timeout=settings.OUTBOX_CONNECT_TIMEOUT,
        transport_options={
            "max_retries": 0,
            "socket_connect_timeout": settings.OUTBOX_CONNECT_TIMEOUT,
            "socket_timeout": max(settings.OUTBOX_CONNECT_TIMEOUT, 2.0),
        },
    )


def _publish(conn, job: OutboxJob) -> bool:
    global _broker_down_until, _broker_down_logged
    try:
        conn.ensure_connection(max_retries=0, timeout=settings.OUTBOX_CONNECT_TIMEOUT)
        current_app.send_task(
            job.task,
            args=job.args,
            headers={HEADER: job.pk},
            connection=conn,
            retry=False,  # the drain retries; a request does not wait
        )
    except Exception as error:  # kombu's OperationalError, redis' ConnectionError, OSError…
        job.last_error = f"not sent: {error}"[:2000]
        job.save(update_fields=["last_error"])
        _broker_down_until = time.monotonic() + settings.OUTBOX_RETRY_SECONDS
        if not _broker_down_logged:
            _broker_down_logged = True
            logger.error(
                "The Celery broker is unreachable (%s): jobs stay in the outbox and are sent "
                "when it is back.",
                error,
            )
        return False
    if _broker_down_logged:
        _broker_down_logged = False
        logger.warning("The Celery broker is reachable again: sending queued jobs.")
    _broker_down_until = 0.0
    job.sent_at = timezone.now()
    job.attempts += 1
    job.save(update_fields=["sent_at", "attempts"])
    return True


# In the worker: the row is done when its task succeeded --------------------------------------


def _outbox_id(task) -> int | None:
    request = getattr(task, "request", None)
    value = getattr(request, HEADER, None) if request is not None else None
    if value is None and request is not None and isinstance(request.headers, dict):
        value = request.headers.get(HEADER)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@task_success.connect
def _mark_done(sender=None, **kwargs):
    job_id = _outbox_id(sender)
    if job_id is not None:
        OutboxJob.objects.filter(pk=job_id, done_at=None).update(
            done_at=timezone.now(), last_error=""
        )


@task_failure.connect
def _note_failure(sender=None, exception=None, **kwargs):
    job_id = _outbox_id(sender)
    if job_id is not None:
        OutboxJob.objects.filter(pk=job_id).update(last_error=f"failed: {exception!r}"[:2000])
