from celery import shared_task


@shared_task(name="points.tasks.expire_redemptions")
def expire_redemptions() -> int:
    """Unclaimed redemptions past their pickup time give back points and stock (hourly;
    idempotent)."""
    from .services import redemptions_expire

    return redemptions_expire()


@shared_task(name="points.tasks.remind_redemptions")
def remind_redemptions() -> int:
    """Tell workers whose gift goes back within a day (hourly; one reminder each)."""
    from .services import redemptions_remind

    return redemptions_remind()
