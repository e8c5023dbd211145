"""The areas a staff member may read, found by name for the admin's map search
(core.geocoder; registered in AreasConfig.ready)."""

from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import Case, IntegerField, When
from django.db.models.functions import Coalesce, Length

from core.geocoder import Place

from . import access
from .models import Area

# How close the map comes to show an area of each level.
ZOOM = {
    Area.Level.PROVINCE: 7,
    Area.Level.CITY: 10,
    Area.Level.DISTRICT: 12,
    Area.Level.STREET: 14,
    Area.Level.COMMUNITY: 15,
}


def ranked_by_name(queryset, query: str, field: str = "name"):
    """Rows whose `field` holds `query`: exact names first, then those starting with it,
    shorter names before longer ones. (Shared by the apps' place sources.)"""
    return (
        queryset.filter(**{f"{field}__icontains": query})
        .annotate(
            _match=Case(
                When(**{f"{field}__iexact": query}, then=0),
                When(**{f"{field}__istartswith": query}, then=1),
                default=2,
                output_field=IntegerField(),
            ),
            _length=Length(field),
        )
        .order_by("_match", "_length", field, "pk")
    )


def area_places(query: str, *, user, limit: int) -> list[Place]:
    """Areas by part of their name, where they are: the centre, or a point inside the
    boundary when no centre is set (areas with neither cannot be shown and are left out)."""
    areas = (
        ranked_by_name(access.areas_reached(user, access.Purpose.READ), query)
        .select_related("parent")
        .defer("boundary", "parent__boundary", "parent__centre")
        .annotate(
            spot=Coalesce("centre", PointOnSurface("boundary"), output_field=PointField(srid=4326))
        )
        .exclude(spot__isnull=True)[:limit]
    )
    return [
        Place(
            name=area.name,
            kind=area.get_level_display(),
            lat=area.spot.y,
            lng=area.spot.x,
            description=area.parent.name if area.parent_id else area.code,
            zoom=ZOOM.get(area.level, 14),
        )
        for area in areas
    ]
