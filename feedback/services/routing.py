"""Where a case goes: the place decides the area (the community whose boundary holds the
point, else fallbacks — most districts start without community boundaries, so these are
a main path, not an exception), then the category decides the unit that answers. Every
step is returned with the rule that made it, and kept as the case's hops."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import Q
from django.utils.translation import gettext as _

from areas.models import Area
from core.coords import CoordSystem, to_wgs84
from core.exceptions import ApplicationError, refuse
from members.models import Worker
from stations.models import Station

from ..models import CaseHop, FeedbackCategory, PartnerDepartment

Rule = CaseHop.Rule
# A community's street and district read with it: routing walks up to them (unit_for,
# district_of) without a query per step.
LINEAGE = ("parent__parent",)


@dataclass(frozen=True)
class Place:
    """Where the worker says the case is: a point (the phone's position or one picked on
    the map, in the system it came in: WeChat and the Chinese maps give GCJ-02), or a
    station ("at this station"), or neither (a suggestion about no place in particular)."""

    lng: float | None = None
    lat: float | None = None
    system: str = CoordSystem.WGS84
    station: Station | None = None

    def point(self) -> Point | None:
        if self.lng is None or self.lat is None:
            return None
        try:
            lng, lat = float(self.lng), float(self.lat)
        except (TypeError, ValueError):
            raise refuse("place", _("The place is not a position on the map.")) from None
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise refuse("place", _("The place is not a position on the map."))
        lng, lat = to_wgs84(lng, lat, self.system)
        return Point(lng, lat, srid=4326)


@dataclass
class Route:
    area: Area
    responsible_area: Area
    department: PartnerDepartment | None
    # (rule, area, department) for each step, in order: the place's, then the category's.
    hops: list[tuple[str, Area | None, PartnerDepartment | None]] = field(default_factory=list)


def place_area(
    *, point: Point | None, station: Station | None, reporter: Worker | None
) -> tuple[Area, str]:
    """The area a place lies in and the rule that found it, or a refusal in words."""
    if station is not None:
        return station.area, Rule.STATION
    if point is not None:
        community = (
            Area.objects.filter(level=Area.Level.COMMUNITY, boundary__intersects=point)
            .select_related(*LINEAGE)
            .order_by("code")  # on the edge of two: the one with the lower code, every time
            .first()
        )
        if community is not None:
            return community, Rule.BOUNDARY
        nearest = (
            Station.objects.filter(
                location__dwithin=(point, D(m=settings.FEEDBACK_NEAREST_STATION_METRES))
            )
            .exclude(status=Station.Status.CLOSED)
            .annotate(distance=Distance("location", point))
            .select_related(*(f"area__{step}" for step in LINEAGE))
            .order_by("distance", "pk")
            .first()
        )
        if nearest is not None:
            return nearest.area, Rule.NEAREST_STATION
        wider = list(
            Area.objects.filter(
                level__in=[Area.Level.STREET, Area.Level.DISTRICT], boundary__intersects=point
            )
        )
        if wider:
            # The finest that holds it: a street before its district.
            return max(wider, key=lambda area: Area.PREFIX_LENGTH[area.level]), Rule.WIDER_BOUNDARY
        raise refuse(
            "place",
            _(
                "This place is outside every area the platform serves. Check the point on "
                "the map, or report it at the station you are at."
            ),
        )
    if reporter is not None:
        return reporter.area, Rule.REPORTER
    raise refuse("place", _("Say where it is: share your position, pick a point, or a station."))


def _upwards(area: Area):
    """The area and those above it, nearest first, read only as far as asked (a walk to
    the root would cost a query per level above what was read with it)."""
    node = area
    while node is not None:
        yield node
        node = node.parent


def district_of(area: Area) -> Area:
    code = area.district_code
    if not code:
        raise ApplicationError(_("Cases belong to a district or an area inside one."))
    return next(a for a in _upwards(area) if a.code == code)


def categories_for(district: Area):
    """The categories offered in a district: its own, and the platform's it has not taken
    over (by a category of the same code) or turned off."""
    own_codes = FeedbackCategory.objects.filter(area=district).values("code")
    return FeedbackCategory.objects.filter(
        Q(area=district, active=True) | (Q(area__isnull=True, active=True) & ~Q(code__in=own_codes))
    ).select_related("partner_department")


def unit_for(area: Area, category: FeedbackCategory) -> tuple[Area, PartnerDepartment | None]:
    """The unit that answers a case of `category` in `area`: the community, the street or
    the district above it (the finest known where the place is only known to a street),
    or the district for a partner department, which follows the department's work."""
    responsible = category.responsible
    if responsible == FeedbackCategory.Responsible.PARTNER:
        return district_of(area), category.partner_department
    wanted = {
        FeedbackCategory.Responsible.COMMUNITY: Area.Level.COMMUNITY,
        FeedbackCategory.Responsible.STREET: Area.Level.STREET,
        FeedbackCategory.Responsible.DISTRICT: Area.Level.DISTRICT,
    }[responsible]
    for candidate in _upwards(area):
        if Area.PREFIX_LENGTH[candidate.level] <= Area.PREFIX_LENGTH[wanted]:
            return candidate, None
    return area, None


def route(
    *,
    category: FeedbackCategory,
    point: Point | None = None,
    station: Station | None = None,
    reporter: Worker | None = None,
    chosen_area: Area | None = None,
) -> Route:
    """Where a case of `category` at this place goes, refusing a category the place's
    district does not use."""
    if chosen_area is not None:
        area, rule = chosen_area, Rule.CHOSEN
    else:
        area, rule = place_area(point=point, station=station, reporter=reporter)
    district = district_of(area)
    if not categories_for(district).filter(pk=category.pk).exists():
        raise refuse(
            "category",
            _("%(district)s does not use the category “%(category)s”: choose another.")
            % {"district": district.name, "category": category.name},
        )
    responsible_area, department = unit_for(area, category)
    hops = [(rule, area, None)]
    if responsible_area != area or department is not None:
        hops.append((Rule.CATEGORY, responsible_area, department))
    return Route(area, responsible_area, department, hops)
