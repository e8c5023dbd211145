from celery import shared_task


@shared_task(name="feedback.tasks.run_deadlines")
def run_deadlines() -> dict:
    """Overdue tasks and cases marked, overdue cases escalated, unanswered resolved cases
    closed (every 15 minutes; idempotent)."""
    from .services import deadlines_run

    return deadlines_run()


@shared_task(name="feedback.tasks.text_notice")
def text_notice(notice_id: int) -> str:
    """A unit's notice sent by text message to its duty phone (queued through the outbox;
    sent once)."""
    from .services import notice_text

    return notice_text(notice_id=notice_id)
