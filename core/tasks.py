from celery import shared_task
from django.core.cache import cache

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
