from celery import shared_task


@shared_task(name="activities.tasks.mark_no_shows")
def mark_no_shows() -> int:
    """Confirmed places nobody used, once an activity's attendance window has closed
    (hourly; idempotent)."""
    from .services import no_shows_mark

    return no_shows_mark()
