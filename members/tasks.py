from celery import shared_task


@shared_task(name="members.tasks.purge_login_codes")
def purge_login_codes() -> int:
    """Delete SMS login codes past their keeping time (idempotent)."""
    from .phone_login import login_codes_purge

    return login_codes_purge()


@shared_task(name="members.tasks.mark_uncontacted_pairs")
def mark_uncontacted_pairs() -> int:
    """结对联系: mark the pairs not contacted this month (daily; idempotent)."""
    from .services import contact_pairs_mark_uncontacted

    return contact_pairs_mark_uncontacted()
