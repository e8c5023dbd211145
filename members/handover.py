"""Members' open work of a staff member who leaves (areas.handover, registered in
MembersConfig.ready()): their contact pairs and the enterprises they instruct in party
building. Invitation campaigns and batches they created, registrations they reviewed and
contacts they logged are history and stay with the account."""

from django.utils import timezone

from .models import ContactPair, Enterprise


def open_pairs(user):
    return ContactPair.objects.filter(staff=user, ended_on__isnull=True)


def contact_pairs_hand_over(*, user, successor) -> int:
    """Each open pair ends today and a new one with the successor starts today, so the
    record still says who kept in touch when; this month's contact duty (not yet
    contacted) carries over. A pair that starts today is simply given to the successor."""
    today = timezone.localdate()
    moved = 0
    for pair in open_pairs(user).select_for_update().order_by("pk"):
        if pair.started_on >= today:
            pair.staff = successor
            pair.save(update_fields=["staff", "updated_at"])
        else:
            carried = pair.uncontacted_month
            pair.ended_on, pair.uncontacted_month = today, None
            pair.save(update_fields=["ended_on", "uncontacted_month", "updated_at"])
            ContactPair.objects.create(
                worker=pair.worker,
                staff=successor,
                started_on=today,
                uncontacted_month=carried,
            )
        moved += 1
    return moved


def instructed_enterprises(user):
    return Enterprise.objects.filter(instructor=user)


def instructed_enterprises_hand_over(*, user, successor) -> int:
    return instructed_enterprises(user).update(instructor=successor, updated_at=timezone.now())
