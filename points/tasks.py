from celery import shared_task


@shared_task(name="points.tasks.expire_redemptions")
def expire_redemptions() -> int:
    """Unclaimed redemptions past their pickup time give back points and stock (hourly;
    idempotent)."""
    from .services import redemptions_expire

    return redemptions_expire()
