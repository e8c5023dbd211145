from celery import shared_task


@shared_task(name="members.tasks.purge_login_codes")
def purge_login_codes() -> int:
    """Delete SMS login codes past their keeping time (idempotent)."""
    from .phone_login import login_codes_purge

    return login_codes_purge()
