from celery import shared_task


@shared_task(name="wishes.tasks.lapse_claims")
def lapse_claims() -> int:
    """Claims not handed over by their deadline lapse and their wishes go back on the wall
    (hourly; idempotent)."""
    from .services import claims_lapse

    return claims_lapse()
