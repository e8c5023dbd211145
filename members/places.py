"""The outlets (快递网点, 配送站点, 车队) a staff member may read, found by name for the admin's
map search (core.geocoder; registered in MembersConfig.ready).

An outlet is recorded with its community, not a point of its own: it is shown at its
community's centre (or a point inside the community's boundary), and says so."""

from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from areas import access
from areas.places import ranked_by_name
from core.geocoder import Place

from .models import Outlet


def outlet_places(query: str, *, user, limit: int) -> list[Place]:
    outlets = (
        ranked_by_name(access.scope(Outlet.objects.all(), user, access.Purpose.READ), query)
        .annotate(
            spot=Coalesce(
                "area__centre", PointOnSurface("area__boundary"), output_field=PointField(srid=4326)
            )
        )
        .exclude(spot__isnull=True)
        .values("name", "kind", "address", "enterprise__name", "area__name", "spot")[:limit]
    )
    kinds = dict(Outlet.Kind.choices)
    return [
        Place(
            name=outlet["name"],
            kind=str(kinds.get(outlet["kind"], _("outlet"))),
            lat=outlet["spot"].y,
            lng=outlet["spot"].x,
            description=_("%(enterprise)s · shown at the centre of %(community)s")
            % {"enterprise": outlet["enterprise__name"], "community": outlet["area__name"]},
            zoom=15,
        )
        for outlet in outlets
    ]
