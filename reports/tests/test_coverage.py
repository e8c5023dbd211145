"""The 一刻钟服务圈 (reports.coverage): places within reach of an open station on foot and by
e-bike, the workers they hold, the gaps, and the greedy choice of new sites — on hand-placed
points where the right answer is known, and on the demo network."""

import datetime as dt
import json
import math

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from areas.models import Area
from areas.tests.factories import AreaFactory
from core.exceptions import ApplicationError
from members.models import Outlet, Worker
from members.tests.factories import OutletFactory, WorkerFactory
from reports.coverage import Coverage, Mode, PlacedBy, PlaceKind, Reach, area_coverage
from stations.models import Station
from stations.tests.factories import StationFactory, set_hours

pytestmark = pytest.mark.django_db

ORIGIN = (107.640, 35.710)  # Xifeng
# Straight-line radii with the defaults: 4.8 km/h and 15 km/h for 15 minutes ÷ 1.3.
WALKING_M, EBIKE_M = 923, 2885


def east(metres: float, north: float = 0.0) -> Point:
    """A point `metres` east (and `north` metres north) of ORIGIN; accurate to well under
    1 % at these distances, and the tests keep further than that from every radius."""
    lng, lat = ORIGIN
    return Point(
        lng + metres / (111_320 * math.cos(math.radians(lat))),
        lat + north / 110_950,
        srid=4326,
    )


def community(tree, n: int, name: str, at: Point | None, district="a") -> Area:
    street = tree.a["street"] if district == "a" else tree.b["street"]
    return AreaFactory(
        code=f"{street.code[:9]}{n:03d}",
        name=name,
        level=Area.Level.COMMUNITY,
        parent=street,
        centre=at,
    )


def by_name(places):
    return {p.name: p for p in places}


@pytest.fixture
def layout(tree):
    """A station at ORIGIN; community 近 at 500 m (on foot and by e-bike), 中 at 2 km (e-bike
    only), 远 at 5 km (out of reach). Two outlets in 近, one in 远."""
    StationFactory(name="原点站", area=tree.a["community"], location=east(0))
    near = community(tree, 11, "近社区", east(500))
    middle = community(tree, 12, "中社区", east(2_000))
    far = community(tree, 13, "远社区", east(5_000))
    OutletFactory(area=near, name="近一网点", worker_count=10)
    OutletFactory(area=near, name="近二网点", worker_count=15)
    OutletFactory(area=far, name="远网点", worker_count=20)
    return {"near": near, "middle": middle, "far": far}


def test_the_default_circle_is_923_m_on_foot_and_2885_m_by_e_bike():
    reach = Reach.from_settings()
    assert (reach.walking_kmh, reach.ebike_kmh, reach.detour_factor, reach.minutes) == (
        4.8,
        15.0,
        1.3,
        15,
    )
    assert round(reach.radius_m(Mode.WALKING)) == WALKING_M
    assert round(reach.radius_m(Mode.EBIKE)) == EBIKE_M
    assert reach.route_m(Mode.EBIKE) == pytest.approx(3_750)  # along the streets


@override_settings(COVERAGE_EBIKE_KMH=20.0, COVERAGE_DETOUR_FACTOR=1.0, COVERAGE_MINUTES=10)
def test_the_circle_follows_the_settings():
    reach = Reach.from_settings()
    assert round(reach.radius_m(Mode.EBIKE)) == 3_333
    assert Reach.from_settings(minutes=15).radius_m(Mode.EBIKE) == pytest.approx(5_000)


def test_a_station_covers_the_two_outlets_next_to_it_and_not_the_far_one(tree, layout):
    result = area_coverage(area=tree.a["district"])

    (near,) = [p for p in result.outlet_places if p.name.endswith("近一网点")]
    assert near.walking and near.ebike
    assert near.nearest_station_name == "原点站"
    assert abs(near.nearest_station_m - 500) < 5
    assert {p.name.split(" · ")[1] for p in result.gaps(PlaceKind.OUTLET, Mode.EBIKE)} == {"远网点"}
    assert {p.name.split(" · ")[1] for p in result.covered(PlaceKind.OUTLET, Mode.WALKING)} == {
        "近一网点",
        "近二网点",
    }

    walking = result.outlets[Mode.WALKING]
    assert (walking.places, walking.places_covered, walking.places_percent) == (3, 2, 66.7)
    assert (walking.workers, walking.workers_covered, walking.workers_percent) == (45, 25, 55.6)


def test_communities_are_covered_on_foot_by_e_bike_or_not_at_all(tree, layout):
    result = area_coverage(area=tree.a["district"])

    places = by_name(result.community_places)
    assert (places["近社区"].walking, places["近社区"].ebike) == (True, True)
    assert (places["中社区"].walking, places["中社区"].ebike) == (False, True)
    assert (places["远社区"].walking, places["远社区"].ebike) == (False, False)
    assert abs(places["远社区"].nearest_station_m - 5_000) < 25
    far = places["远社区"]
    assert (far.lon, far.lat) == (round(east(5_000).x, 6), round(east(5_000).y, 6))
    assert far.placed_by == PlacedBy.CENTRE
    # The fixture's own two communities have no centre and no station of their own but
    # 甲社区, which holds 原点站: placed by its station, 乙社区 not placed at all.
    assert places["西峰区甲社区"].placed_by == PlacedBy.STATIONS
    assert places["西峰区乙社区"].placed_by == PlacedBy.NOWHERE
    assert places["西峰区乙社区"].lon is None

    ebike = result.communities[Mode.EBIKE]
    # Placed: 甲 (its station), 近, 中, 远; workers are the outlets' (25 in 近, 20 in 远).
    assert (ebike.places, ebike.places_covered, ebike.unplaced) == (4, 3, 1)
    assert (ebike.workers, ebike.workers_covered, ebike.workers_percent) == (45, 25, 55.6)


def test_a_paused_station_or_one_without_hours_covers_nothing(tree, layout):
    Station.objects.update(status=Station.Status.TEMPORARILY_CLOSED)
    result = area_coverage(area=tree.a["district"])
    assert result.outlets[Mode.EBIKE].places_covered == 0
    assert result.open_stations == 0

    Station.objects.update(status=Station.Status.OPEN, always_open=False)
    result = area_coverage(area=tree.a["district"])
    assert result.outlets[Mode.EBIKE].places_covered == 0
    assert (result.open_stations, result.open_stations_without_hours) == (0, 1)
    assert all(p.nearest_station_id is None for p in result.outlet_places)

    # Weekly hours are enough, whatever the time of day the job runs at.
    set_hours(Station.objects.get(), dt.time(9), dt.time(10), days=[0])
    result = area_coverage(area=tree.a["district"])
    assert result.outlets[Mode.EBIKE].places_covered == 2
    assert (result.open_stations, result.open_stations_without_hours) == (1, 0)


def test_the_greedy_choice_takes_the_site_covering_the_most_uncovered_workers(tree):
    StationFactory(name="原点站", area=tree.a["community"], location=east(0))
    # One big outlet alone, 10 km east: 30 workers.
    lone = community(tree, 21, "孤社区", east(10_000))
    OutletFactory(area=lone, name="大网点", worker_count=30)
    # Three smaller communities 2 km apart, 20 km east: 12 workers each, 36 together — the
    # greedy choice stands in the middle one, the only one that reaches all three.
    cluster = [community(tree, 22 + i, f"群{i}社区", east(20_000 + 2_000 * i)) for i in range(3)]
    for c in cluster:
        OutletFactory(area=c, name=f"{c.name}网点", worker_count=12)
    # Registered workers where no outlet was surveyed count too (a community remainder).
    lonely = community(tree, 31, "散社区", east(40_000))
    for _ in range(3):
        WorkerFactory(area=lonely, status=Worker.Status.APPROVED)

    result = area_coverage(area=tree.a["district"], suggestions=5)

    planning = result.planning
    assert planning.mode == Mode.EBIKE
    assert (planning.workers, planning.workers_covered) == (30 + 36 + 3, 0)
    first, second, third = planning.suggestions
    assert (first.rank, first.name, first.kind) == (1, "群1社区", PlaceKind.COMMUNITY)
    assert (first.workers_added, first.outlets_added, first.communities_added) == (36, 3, 3)
    assert (second.name, second.workers_added) == ("孤社区", 30)
    assert (third.name, third.workers_added) == ("散社区", 3)
    assert third.workers_covered_after == 69 and third.workers_percent_after == 100.0
    # Nothing is left to reach: no fourth and fifth site adding nobody.
    assert len(planning.suggestions) == 3
    assert planning.workers_percent_after == 100.0


def test_a_site_is_never_credited_with_workers_already_covered(tree, layout):
    result = area_coverage(area=tree.a["district"], suggestions=5)
    planning = result.planning
    assert planning.workers == 45  # 25 in 近 (covered), 20 in 远
    assert planning.workers_covered == 25
    (only,) = planning.suggestions
    assert only.name == "远社区" and only.workers_added == 20
    assert only.outlets_added == 1 and only.communities_added == 1
    assert planning.workers_percent_after == 100.0


def test_planning_on_foot_asks_for_the_places_the_e_bike_already_reaches(tree, layout):
    result = area_coverage(area=tree.a["district"], plan_mode="walking", suggestions=0)
    assert result.planning.mode == Mode.WALKING
    assert result.planning.suggestions == []
    assert result.planning.radius_m == WALKING_M


def test_workers_are_the_larger_of_the_survey_and_the_registrations(tree):
    StationFactory(name="原点站", area=tree.a["community"], location=east(0))
    surveyed = community(tree, 41, "普查社区", east(100))
    unsurveyed = community(tree, 42, "未普查社区", east(200))
    registered_only = community(tree, 43, "只报到社区", east(300))
    big = OutletFactory(area=surveyed, name="大网点", worker_count=12)
    empty = OutletFactory(area=unsurveyed, name="空网点", worker_count=0)
    for _ in range(3):
        WorkerFactory(area=unsurveyed, outlet=empty, status=Worker.Status.PENDING)
    for _ in range(20):
        WorkerFactory(area=surveyed, status=Worker.Status.APPROVED)
    WorkerFactory(area=surveyed, outlet=big, status=Worker.Status.APPROVED)
    WorkerFactory(area=registered_only, status=Worker.Status.APPROVED)
    # Not counted: returned, merged away, deleted accounts.
    WorkerFactory(area=registered_only, status=Worker.Status.REJECTED)
    kept = WorkerFactory(area=registered_only, status=Worker.Status.APPROVED)
    WorkerFactory(area=registered_only, status=Worker.Status.MERGED, merged_into=kept)
    WorkerFactory(area=registered_only, status=Worker.Status.APPROVED, erased_at=timezone.now())

    result = area_coverage(area=tree.a["district"])

    outlets = {p.name.split(" · ")[1]: p.workers for p in result.outlet_places}
    assert outlets == {"大网点": 12, "空网点": 3}  # 1 registered at 大网点 < 12 surveyed
    communities = {p.name: p.workers for p in result.community_places}
    assert communities["普查社区"] == 21  # 21 registered > 12 surveyed
    assert communities["未普查社区"] == 3
    assert communities["只报到社区"] == 2
    # Planning counts each person once: outlets' workers plus what their community adds.
    assert result.planning.workers == 12 + 3 + (21 - 12) + 0 + 2


def test_a_station_over_the_district_line_counts_unless_asked_not_to(tree):
    edge = community(tree, 51, "边界社区", east(0))
    OutletFactory(area=edge, name="边界网点", worker_count=8)
    StationFactory(name="邻区站", area=tree.b["community"], location=east(400))

    across = area_coverage(area=tree.a["district"])
    place = by_name(across.community_places)["边界社区"]
    assert place.walking and place.nearest_station_name == "邻区站"
    assert across.open_stations == 0  # none of the district's own

    own_only = area_coverage(area=tree.a["district"], stations_from_outside=False)
    place = by_name(own_only.community_places)["边界社区"]
    assert not place.ebike and place.nearest_station_id is None


def test_only_the_areas_own_outlets_and_communities_are_measured(tree, layout):
    other = community(tree, 61, "外区社区", east(600), district="b")
    OutletFactory(area=other, name="外区网点", worker_count=99)

    result = area_coverage(area=tree.a["district"])
    assert "外区社区" not in by_name(result.community_places)
    assert not [p for p in result.outlet_places if "外区" in p.name]
    assert all(p.area_code.startswith("621002") for p in result.community_places)
    assert all(s.area_code.startswith("621002") for s in result.planning.suggestions)

    just_one = area_coverage(area=layout["far"])
    assert [p.name for p in just_one.community_places] == ["远社区"]
    assert [p.name.split(" · ")[1] for p in just_one.outlet_places] == ["远网点"]


def test_a_boundary_places_a_community_without_a_centre(tree):
    square = Polygon.from_bbox((107.70, 35.70, 107.71, 35.71))
    community(tree, 71, "有边界社区", None)
    Area.objects.filter(name="有边界社区").update(boundary=MultiPolygon(square, srid=4326))
    place = by_name(area_coverage(area=tree.a["district"]).community_places)["有边界社区"]
    assert place.placed_by == PlacedBy.BOUNDARY
    assert 107.70 <= place.lon <= 107.71 and 35.70 <= place.lat <= 35.71


def test_the_result_is_plain_json_and_reads_back_the_same(tree, layout):
    result = area_coverage(area=tree.a["district"])
    text = json.dumps(result.to_dict(), ensure_ascii=False)
    data = json.loads(text)
    assert data["outlets"]["walking"]["workers_percent"] == 55.6
    assert data["planning"]["suggestions"][0]["name"] == "远社区"
    assert data["radius_m"] == {"walking": WALKING_M, "ebike": EBIKE_M}
    assert Coverage.from_dict(data) == result


@pytest.mark.parametrize(
    "field, value",
    [
        ("walking_kmh", 0),
        ("ebike_kmh", 4800),
        ("ebike_kmh", float("nan")),
        ("walking_kmh", "fast"),
        ("detour_factor", 0.8),
        ("minutes", 0),
        ("minutes", 7.5),
    ],
)
def test_a_reach_that_makes_no_sense_is_refused_by_its_field(field, value):
    with pytest.raises(ApplicationError) as refused:
        Reach.from_settings(**{field: value})
    assert list(refused.value.fields) == [field]


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"suggestions": -1}, "suggestions"),
        ({"suggestions": 51}, "suggestions"),
        ({"suggestions": True}, "suggestions"),
        ({"plan_mode": "car"}, "plan_mode"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_computed(tree, arguments, field):
    with pytest.raises(ApplicationError) as refused:
        area_coverage(area=tree.a["district"], **arguments)
    assert list(refused.value.fields) == [field]


def test_an_area_with_nothing_in_it_gives_empty_figures_not_errors(tree):
    result = area_coverage(area=tree.b["district"])
    assert result.outlets[Mode.EBIKE].workers_percent is None
    assert result.planning.suggestions == []
    json.dumps(result.to_dict())


# The demo network ---------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def test_on_the_demo_every_xifeng_community_has_its_station_in_reach(
    demo, django_assert_max_num_queries
):
    xifeng = Area.objects.get(code="621002000000")
    with django_assert_max_num_queries(20):
        result = area_coverage(area=xifeng)
    # 19 communities, each at its station in its party-mass service centre (the demo's
    # illustrative centre, or else the middle of its stations), each covered by it.
    assert len(result.community_places) == 19
    assert {p.placed_by for p in result.community_places} <= {PlacedBy.CENTRE, PlacedBy.STATIONS}
    assert result.communities[Mode.WALKING].places_percent == 100.0
    assert result.open_stations == 19
    # The demo's two outlets (顺丰, 美团) in one community, 12 surveyed workers each.
    assert sorted(p.workers for p in result.outlet_places) == [12, 12]
    assert result.outlets[Mode.EBIKE].workers_percent == 100.0
    assert result.planning.suggestions == []


def test_on_the_demo_the_flags_agree_with_the_nearest_station(demo):
    stations = Station.objects.filter(area__code__startswith="621002")
    every_third = list(stations.order_by("pk").values_list("pk", flat=True))[::3]
    stations.filter(pk__in=every_third).update(status=Station.Status.TEMPORARILY_CLOSED)
    result = area_coverage(area=Area.objects.get(code="621002000000"))
    for place in result.community_places + result.outlet_places:
        for mode in Mode:
            radius = result.radius_m[mode]
            if place.covered(mode):
                assert place.nearest_station_m <= radius + 1, place
            else:
                assert place.nearest_station_m >= radius - 1, place
        assert place.ebike or not place.walking  # walking reach lies inside e-bike reach
    for kind, figures in (
        (PlaceKind.COMMUNITY, result.communities),
        (PlaceKind.OUTLET, result.outlets),
    ):
        for mode in Mode:
            covered = result.covered(kind, mode)
            assert figures[mode].places_covered == len(covered)
            assert figures[mode].workers_covered == sum(p.workers for p in covered)
            gaps = result.gaps(kind, mode)
            assert figures[mode].places == len(covered) + len(gaps)


def test_on_the_demo_a_community_gets_the_same_answer_from_its_district_and_its_city(demo):
    district = area_coverage(area=Area.objects.get(code="621002000000"))
    city = area_coverage(area=Area.objects.get(code="621000000000"))
    assert district.community_places == city.community_places
    assert district.outlets == city.outlets


def test_on_the_demo_closing_all_but_one_station_opens_gaps_around_it(demo):
    xifeng = Area.objects.get(code="621002000000")
    outlets_community = Outlet.objects.filter(area__code__startswith="621002").first().area
    kept = Station.objects.get(area=outlets_community)
    Station.objects.filter(area__code__startswith="621002").exclude(pk=kept.pk).update(
        status=Station.Status.CLOSED
    )
    result = area_coverage(area=xifeng)

    assert result.open_stations == 1
    walking_gaps = result.gaps(PlaceKind.COMMUNITY, Mode.WALKING)
    assert walking_gaps and outlets_community.pk not in {p.id for p in walking_gaps}
    assert {p.nearest_station_id for p in result.community_places} == {kept.pk}
    assert all(p.nearest_station_m > WALKING_M for p in walking_gaps)
    # Whatever the e-bike misses, walking misses too.
    ebike_gaps = result.gaps(PlaceKind.COMMUNITY, Mode.EBIKE)
    assert {p.id for p in ebike_gaps} <= {p.id for p in walking_gaps}
    # The outlets stand in the community whose station is still open.
    assert result.outlets[Mode.WALKING].workers_percent == 100.0
    # No site is suggested that would add nobody.
    assert all(s.workers_added > 0 for s in result.planning.suggestions)
