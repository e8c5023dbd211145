from celery import shared_task


@shared_task(name="activities.tasks.mark_no_shows")
def mark_no_shows() -> int:
    """Confirmed places nobody used, once an activity's attendance window has closed
    (hourly; idempotent)."""
    from .services import no_shows_mark

    return no_shows_mark()


@shared_task(name="activities.tasks.remind_tomorrow")
def remind_tomorrow() -> int:
    """Remind the workers with a place at an activity tomorrow (daily, evening; one
    reminder per place)."""
    from .services import signups_remind_tomorrow

    return signups_remind_tomorrow()
