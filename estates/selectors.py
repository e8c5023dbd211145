"""The estate pass, read: estates, passes and entries in each role's reach (areas.access),
a worker's own passes, and the figures a property company reads."""

from django.db.models import QuerySet

from areas import access

from .models import EntryLog, Estate, EstatePass, Gate


def estate_list(*, user) -> QuerySet:
    return access.scope(Estate.objects.select_related("area"), user)


def gate_list(*, user) -> QuerySet:
    return access.scope(Gate.objects.select_related("estate", "estate__area"), user)


def pass_list(*, user) -> QuerySet:
    return access.scope(EstatePass.objects.select_related("estate", "estate__area"), user)


def entry_list(*, user) -> QuerySet:
    return access.scope(
        EntryLog.objects.select_related("estate", "gate", "estate_pass"), user
    )


def contested_passes(*, user) -> QuerySet:
    """Suspensions the worker objected to and the community has not settled."""
    return access.scope(EstatePass.objects.all(), user, access.Purpose.WRITE).filter(
        status=EstatePass.Status.SUSPENDED, contested_at__isnull=False
    )


def passes_of_phone(phone: str) -> QuerySet:
    """A worker's own passes, by the phone they logged in with."""
    return EstatePass.objects.filter(phone=phone).select_related("estate").order_by("-authorised_at")
