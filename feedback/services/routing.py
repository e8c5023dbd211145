"""Where a case goes: the place decides the area (the community whose boundary holds the
point, else fallbacks — most districts start without community boundaries, so these are
a main path, not an exception), then the category decides the unit that answers. Every
step is returned with the rule that made it, and kept as the case's hops."""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from areas.models import Area
from core.coords import CoordSystem, to_wgs84
from core.exceptions import ApplicationError, refuse
from members.models import Worker
from stations.models import Station

from ..models import CaseHop, FeedbackCategory, PartnerDepartment

Rule = CaseHop.Rule


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
    """The area a place lies in and the rule that found it, or a refusal in words. One SQL
    function decides it (feedback/sql/feedback_route.v1.sql: the station's community, the
    boundary that holds the point, the nearest station, a street's or district's boundary,
    the reporter's community); the area comes back with its street and district."""
    if point is None and station is None and reporter is None:
        raise refuse(
            "place", _("Say where it is: share your position, pick a point, or a station.")
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM feedback_route(%s, %s, %s, %s, %s, %s)",
            [
                point.x if point is not None else None,
                point.y if point is not None else None,
                station.pk if station is not None else None,
                reporter.area_id if reporter is not None and point is None else None,
                settings.FEEDBACK_NEAREST_STATION_METRES,
                Station.Status.CLOSED,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        raise refuse(
            "place",
            _(
                "This place is outside every area the platform serves. Check the point on "
                "the map, or report it at the station you are at."
            ),
        )
    rule, *path = row
    return _area_path(path), rule


# What the function answers of each area, in its order; from_db takes them in the
# model's field order.
AREA_COLUMNS = ["id", "code", "level", "name"]
AREA_FIELDS = [f.attname for f in Area._meta.concrete_fields if f.attname in AREA_COLUMNS]


def _area_path(values: list) -> Area:
    """The area and the parent and grandparent the function read with it, as Area rows
    (their shapes not loaded: routing never needs them), each linked to the next."""
    areas = []
    for start in range(0, len(values), len(AREA_COLUMNS)):
        row = dict(zip(AREA_COLUMNS, values[start : start + len(AREA_COLUMNS)], strict=True))
        if row["id"] is not None:
            areas.append(Area.from_db("default", AREA_FIELDS, [row[f] for f in AREA_FIELDS]))
    for child, parent in zip(areas, areas[1:], strict=False):
        child.parent = parent
    return areas[0]


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


def categories_for(district: Area | str):
    """The categories offered in a district (the Area, or its 12-digit code): its own, and
    the platform's it has not taken over (by a category of the same code) or turned off."""
    code = district if isinstance(district, str) else district.code
    own_codes = FeedbackCategory.objects.filter(area__code=code).values("code")
    return FeedbackCategory.objects.filter(
        Q(area__code=code, active=True)
        | (Q(area__isnull=True, active=True) & ~Q(code__in=own_codes))
    ).select_related("partner_department")


# The categories each district offers: asked on every report (the form's choices, the
# route's check), changed a few times a year. Kept in each process for a minute (cleared
# at once in the process that saves a category; another one follows within the minute).
_OFFERED_SECONDS = 60
_offered: dict[str, tuple[float, dict[int, FeedbackCategory]]] = {}


@receiver([post_save, post_delete], sender=FeedbackCategory)
def forget_categories(**kwargs):
    _offered.clear()


def forget() -> None:
    """Drop every copy this process keeps (tests start from an empty database)."""
    _offered.clear()
    _district_codes.clear()


def categories_offered(district_code: str) -> dict[int, FeedbackCategory]:
    """{pk: category} of categories_for(district_code), in their order, from the
    process's copy when it is fresh."""
    kept = _offered.get(district_code)
    if kept is None or kept[0] < time.monotonic():
        rows = {c.pk: c for c in categories_for(district_code).order_by("order", "pk")}
        if len(_offered) > 1000:
            _offered.clear()
        kept = _offered[district_code] = (time.monotonic() + _OFFERED_SECONDS, rows)
    return kept[1]


_district_codes: dict[int, tuple[float, str]] = {}


def district_code_of(area_id: int) -> str:
    """The district code of an area, by id, without loading the area (or its shape) on
    every report: a division code does not change, the copy is kept a few minutes."""
    kept = _district_codes.get(area_id)
    if kept is None or kept[0] < time.monotonic():
        code = Area.objects.filter(pk=area_id).values_list("code", flat=True).first() or ""
        if len(_district_codes) > 10000:
            _district_codes.clear()
        kept = _district_codes[area_id] = (time.monotonic() + 300, code[:6].ljust(12, "0"))
    return kept[1]


def offered_in(category: FeedbackCategory, district_code: str) -> bool:
    """Is `category` offered in the district (categories_for, without a query per report)?"""
    return category.pk in categories_offered(district_code)


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
    if not offered_in(category, area.district_code):
        raise refuse(
            "category",
            _("%(district)s does not use the category “%(category)s”: choose another.")
            % {"district": district_of(area).name, "category": category.name},
        )
    responsible_area, department = unit_for(area, category)
    hops = [(rule, area, None)]
    if responsible_area != area or department is not None:
        hops.append((Rule.CATEGORY, responsible_area, department))
    return Route(area, responsible_area, department, hops)
