from celery import shared_task
from django.core.cache import cache

# Connects the signals that mark an outbox row done when its task succeeds (in the worker,
# which imports this module through autodiscovery).
from . import outbox

HEARTBEAT_KEY = "celery-beat-heartbeat"


@shared_task(name="core.tasks.heartbeat")
def heartbeat() -> str:
    """Beat runs this every minute; its timestamp in Redis shows beat and a worker are alive."""
    from django.utils import timezone

    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, stamp, timeout=None)
    return stamp


@shared_task(name="core.tasks.ping")
def ping() -> str:
    return "pong"


@shared_task(name="core.tasks.drain_outbox")
def drain_outbox() -> int:
    """Beat runs this every minute: jobs written to the outbox that were not sent (the
    broker was down) or not run are sent (core.outbox; idempotent)."""
    return outbox.drain()


@shared_task(name="core.tasks.purge_rate_limit_counts")
def purge_rate_limit_counts() -> int:
    """Counters kept in the database while Redis was down, once their window is over."""
    from . import ratelimit

    return ratelimit.purge_expired()
