"""Reads of micro-wishes, every one through the scoping choke point (areas.access)."""

from django.db.models import QuerySet

from areas import access

from .models import Wish


def wish_list(*, user) -> QuerySet:
    return access.scope(Wish.objects.all(), user).select_related("area", "category", "worker")


def review_queue(*, user) -> QuerySet:
    """Wishes waiting for the user's review, oldest first."""
    return (
        access.scope(Wish.objects.filter(status=Wish.Status.SUBMITTED), user, access.Purpose.WRITE)
        .select_related("area", "category", "worker")
        .order_by("created_at")
    )
