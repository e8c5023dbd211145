"""Reads of workers, enterprises and outlets, scoped by areas.access."""

from django.db.models import Q, QuerySet

from areas import access
from core.crypto import blind_index
from core.identifiers import ID_RE, MOBILE_RE, normalize_id_number, normalize_mobile

from .models import Enterprise, Outlet, Worker


def worker_list(*, user) -> QuerySet:
    return access.scope(Worker.objects.all(), user).select_related(
        "area", "enterprise", "outlet", "residence_area"
    )


def review_queue(*, user) -> QuerySet:
    """Registrations waiting for the user's review, oldest first."""
    return (
        access.scope(
            Worker.objects.filter(status=Worker.Status.PENDING), user, access.Purpose.WRITE
        )
        .select_related("area", "enterprise")
        .order_by("created_at")
    )


def worker_search_q(term: str) -> Q:
    """What staff type into a search box: a full phone number or ID number finds that
    person exactly (ID through its blind index); anything else matches names."""
    term = (term or "").strip()
    phone, id_number = normalize_mobile(term), normalize_id_number(term)
    if MOBILE_RE.match(phone):
        return Q(phone=phone)
    if ID_RE.match(id_number):
        return Q(id_number_index=blind_index(id_number, "id_number"))
    return Q(name__icontains=term)


def enterprise_list(*, user) -> QuerySet:
    return access.scope(Enterprise.objects.all(), user).select_related("area", "instructor")


def outlet_list(*, user) -> QuerySet:
    return access.scope(Outlet.objects.all(), user).select_related("enterprise", "area")
