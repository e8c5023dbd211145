"""The estate pass, read: estates, passes and entries in each role's reach (areas.access),
a worker's own passes, and the figures a property company reads."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from areas import access

from .filters import objection_waiting
from .models import EntryLog, Estate, EstatePass, Gate


def estate_list(*, user) -> QuerySet:
    return access.scope(Estate.objects.select_related("area"), user)


def gate_list(*, user) -> QuerySet:
    return access.scope(Gate.objects.select_related("estate", "estate__area"), user)


def pass_list(*, user) -> QuerySet:
    return access.scope(EstatePass.objects.select_related("estate", "estate__area"), user)


def entry_list(*, user) -> QuerySet:
    return access.scope(EntryLog.objects.select_related("estate", "gate", "estate_pass"), user)


def contested_passes(*, user) -> QuerySet:
    """Suspensions the worker objected to and nobody has answered (filters.objection_waiting)."""
    return objection_waiting(access.scope(EstatePass.objects.all(), user, access.Purpose.WRITE))


def passes_of_phone(phone: str) -> QuerySet:
    """A worker's own passes, by the phone they logged in with."""
    return (
        EstatePass.objects.filter(phone=phone).select_related("estate").order_by("-authorised_at")
    )


def passes_working(phone: str, *, now: dt.datetime | None = None) -> QuerySet:
    """The phone's passes that show a code now: not suspended, not lapsed."""
    return EstatePass.objects.filter(
        phone=phone, status=EstatePass.Status.ACTIVE, expires_at__gt=now or timezone.now()
    )


def estate_entries(
    *, user, estate: Estate, since: dt.date, until: dt.date, now: dt.datetime | None = None
) -> QuerySet:
    """The entries at `estate`'s gates on the local days since ≤ day ≤ until that `user`
    reaches, oldest first — within the estate's days only: an older entry no longer names
    the worker (services.entries_reduce) and is only counted."""
    kept_since = (now or timezone.now()) - dt.timedelta(days=estate.entry_log_days)
    first = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    after_last = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    return (
        entry_list(user=user)
        .filter(estate=estate, at__gte=max(first, kept_since), at__lt=after_last)
        .order_by("at", "pk")
    )
