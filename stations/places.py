"""The stations a staff member may read, found by name or address for the admin's map
search (core.geocoder; registered in StationsConfig.ready)."""

from django.db.models import Q
from django.utils.translation import gettext as _

from areas import access
from areas.places import ranked_by_name
from core.geocoder import Place

from .models import Station


def station_places(query: str, *, user, limit: int) -> list[Place]:
    stations = access.scope(Station.objects.all(), user, access.Purpose.READ)
    by_name = ranked_by_name(stations, query).select_related("area")[:limit]
    found = list(by_name)
    if len(found) < limit:  # then those whose address holds it ("北大街")
        found += list(
            stations.filter(address__icontains=query)
            .exclude(Q(name__icontains=query))
            .select_related("area")
            .order_by("name", "pk")[: limit - len(found)]
        )
    return [
        Place(
            name=station.name,
            kind=_("station"),
            lat=station.location.y,
            lng=station.location.x,
            description=" · ".join(part for part in [station.area.name, station.address] if part),
            zoom=17,
        )
        for station in found
    ]
