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


@shared_task(name="members.tasks.enforce_retention")
def enforce_retention() -> dict[str, int]:
    """Every app's retention rule (members.personal_data): anonymise or delete personal data
    kept longer than its rule allows. Idempotent; each rule works in batches and the next
    run takes the rest."""
    from . import personal_data

    return personal_data.enforce_retention()


@shared_task(
    name="members.tasks.deliver_message",
    autoretry_for=(Exception,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=5,
)
def deliver_message(delivery_id: int) -> str:
    """Send one message by SMS or WeChat (members.services.inbox.message_deliver). A
    gateway that refuses is tried again later, up to the delivery's attempts."""
    from .services import message_deliver

    return message_deliver(delivery_id)
