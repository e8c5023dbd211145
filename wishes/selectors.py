"""Reads of micro-wishes, every one through the scoping choke point (areas.access)."""

from django.db.models import Q, QuerySet

from areas import access
from areas.models import Area

from .models import Wish, WishCategory


def wish_list(*, user) -> QuerySet:
    return access.scope(Wish.objects.all(), user).select_related("area", "category", "worker")


def review_queue(*, user) -> QuerySet:
    """Wishes waiting for the user's review, oldest first."""
    return (
        access.scope(Wish.objects.filter(status=Wish.Status.SUBMITTED), user, access.Purpose.WRITE)
        .select_related("area", "category", "worker")
        .order_by("created_at")
    )


def wishes_of(worker) -> QuerySet:
    """A worker's own wishes, newest first (their phone's /m/me/wishes/)."""
    return Wish.objects.filter(worker=worker).select_related("category").order_by("-created_at")


def categories_seen_by(user) -> QuerySet:
    """The categories a staff member works with: the platform's, and those of the
    districts their grants are in or reach (a community's staff see their district's)."""
    reach = access.reach_of(user)
    if reach.everything:
        return WishCategory.objects.all()
    shown = Q(area__isnull=True)
    grants = user.grants.select_related("area") if user.is_authenticated else []
    for grant in grants:
        if grant.area.level in (Area.Level.PROVINCE, Area.Level.CITY):
            shown |= Q(area__code__startswith=grant.area.prefix)
        else:
            shown |= Q(area__code=grant.area.district_code)
    return WishCategory.objects.filter(shown)
