from celery import shared_task


@shared_task(name="wishes.tasks.lapse_claims")
def lapse_claims() -> int:
    """Claims not handed over by their deadline lapse and their wishes go back on the wall
    (hourly; idempotent)."""
    from .services import claims_lapse

    return claims_lapse()


@shared_task(name="wishes.tasks.remind_donors")
def remind_donors() -> int:
    """Donors whose claim is due soon are reminded, once each (hourly)."""
    from .services import claims_remind

    return claims_remind()
