"""Routing by place, then by category (issue 16 §3): inside a community's boundary, on the
edge of two, with no boundary at all (the nearest station's community — most districts
start so, so this is a main path), outside every area, and the category's unit."""

import pytest
from django.contrib.gis.geos import Point

from core.coords import wgs84_to_gcj02
from core.exceptions import ApplicationError
from feedback.models import CaseHop, FeedbackCategory, PartnerDepartment
from feedback.services import Place, route
from members.models import Worker
from members.tests.factories import WorkerFactory
from stations.tests.factories import StationFactory

from .factories import category, give_boundary, report

pytestmark = pytest.mark.django_db
Rule = CaseHop.Rule


@pytest.fixture
def a(trio):
    return trio.tree.a


@pytest.fixture
def worker(a):
    return WorkerFactory(area=a["community"], status=Worker.Status.APPROVED)


def _point(lng, lat):
    return Point(lng, lat, srid=4326)


def test_a_point_inside_a_community_boundary_goes_to_that_community(a):
    give_boundary(a["community"], 107.60, 35.70)
    give_boundary(a["community2"], 107.61, 35.70)
    found = route(category=category(), point=_point(107.615, 35.705))
    assert (found.area, found.responsible_area) == (a["community2"], a["community2"])
    assert found.hops == [(Rule.BOUNDARY, a["community2"], None)]


def test_a_point_on_the_edge_of_two_communities_goes_to_the_same_one_every_time(a):
    give_boundary(a["community"], 107.60, 35.70)
    give_boundary(a["community2"], 107.61, 35.70)  # they share the line lng = 107.61
    on_edge = _point(107.61, 35.705)
    assert {route(category=category(), point=on_edge).area for _ in range(3)} == {a["community"]}


def test_without_boundaries_the_nearest_stations_community_takes_it(a):
    StationFactory(area=a["community"], location=_point(107.640, 35.710))
    StationFactory(area=a["community2"], location=_point(107.650, 35.710))
    found = route(category=category(), point=_point(107.6485, 35.7101))
    assert found.area == a["community2"]
    assert found.hops[0][0] == Rule.NEAREST_STATION


def test_a_closed_station_does_not_count_as_nearest(a):
    StationFactory(area=a["community"], location=_point(107.640, 35.710))
    StationFactory(area=a["community2"], location=_point(107.650, 35.710), status="closed")
    assert route(category=category(), point=_point(107.6495, 35.71)).area == a["community"]


def test_only_a_streets_boundary_routes_to_the_street(a):
    give_boundary(a["street"], 107.0, 35.0, size=0.5)
    found = route(category=category(), point=_point(107.2, 35.2))
    assert (found.area, found.hops[0][0]) == (a["street"], Rule.WIDER_BOUNDARY)


def test_a_place_outside_every_area_is_refused(a):
    StationFactory(area=a["community"], location=_point(107.64, 35.71))
    with pytest.raises(ApplicationError, match="outside every area") as refused:
        route(category=category(), point=_point(116.40, 39.90))  # Beijing
    assert "place" in refused.value.fields


def test_at_a_station_the_stations_community_takes_it(a):
    station = StationFactory(area=a["community2"])
    found = route(category=category(), station=station)
    assert (found.area, found.hops[0][0]) == (a["community2"], Rule.STATION)


def test_a_suggestion_without_a_place_goes_to_the_workers_community(a, worker):
    found = route(category=category("station-service"), reporter=worker)
    assert (found.area, found.hops[0][0]) == (a["community"], Rule.REPORTER)


def test_gcj02_input_is_converted_before_the_boundary_is_asked(a, worker):
    give_boundary(a["community2"], 107.640, 35.710, size=0.002)  # about 200 m
    lng, lat = wgs84_to_gcj02(107.641, 35.711)  # what WeChat's location API says
    case = report(worker, place=Place(lng=lng, lat=lat, system="gcj02"))
    assert case.area == a["community2"]
    assert case.location.x == pytest.approx(107.641, abs=1e-5)
    with pytest.raises(ApplicationError, match="outside every area"):
        report(worker, place=Place(lng=lng, lat=lat, system="wgs84"))


def test_the_categorys_unit_answers_a_street_or_the_district(a):
    station = StationFactory(area=a["community"])
    blocked = route(category=category("blocked-lane"), station=station)
    assert (blocked.area, blocked.responsible_area) == (a["community"], a["street"])
    assert blocked.hops[1] == (Rule.CATEGORY, a["street"], None)
    housing = route(category=category("housing"), station=station)
    assert housing.responsible_area == a["district"]


def test_a_partner_departments_category_goes_to_the_department_followed_by_the_district(a):
    labour_office = PartnerDepartment.objects.create(
        area=a["district"], sector="labour", name="区人社局"
    )
    FeedbackCategory.objects.create(
        area=a["district"],
        kind="demand",
        code="labour",
        name="劳动纠纷",
        responsible="partner",
        partner_department=labour_office,
    )
    own = FeedbackCategory.objects.get(area=a["district"], code="labour")
    found = route(category=own, station=StationFactory(area=a["community"]))
    assert (found.responsible_area, found.department) == (a["district"], labour_office)
    # The platform's category of the same code is not offered in this district any more.
    with pytest.raises(ApplicationError, match="does not use") as refused:
        route(category=category("labour"), station=StationFactory(area=a["community"]))
    assert "category" in refused.value.fields


def test_a_category_the_district_turned_off_or_another_districts_own_is_refused(trio, a):
    FeedbackCategory.objects.create(
        area=a["district"],
        kind="hazard",
        code="flying-wire",
        name="飞线充电",
        responsible="community",
        active=False,
    )
    with pytest.raises(ApplicationError, match="does not use"):
        route(category=category(), station=StationFactory(area=a["community"]))
    b_own = FeedbackCategory.objects.create(
        area=trio.tree.b["district"],
        kind="hazard",
        code="b-only",
        name="庆城专用",
        responsible="community",
    )
    with pytest.raises(ApplicationError, match="does not use"):
        route(category=b_own, station=StationFactory(area=a["community"]))
    assert route(category=category(), station=StationFactory(area=trio.tree.b["community"]))
