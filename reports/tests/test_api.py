"""The stats API (issue 13 §4): the area trio on every endpoint, party figures only with the
flag, every refusal a 400 in words (never a 500), the values the selectors give, and pinned
query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from areas.models import StaffGrant
from areas.tests.factories import UserFactory, grant
from core.testing import client_for
from members.tests.factories import WorkerFactory
from party.tests.factories import PartyMemberFactory
from reports import ranges, selectors, services
from reports.engine import LOCAL
from reports.facts import fact
from reports.models import CoverageSnapshot, RangeFigure
from reports.periods import Period, PeriodKind
from reports.selectors import Span
from stations.models import CheckIn, Station
from stations.services import keeper_stations_set
from stations.tests.factories import StationFactory

pytestmark = pytest.mark.django_db

NOVEMBER = Period.parse("month", "2026-11")
DAY = dt.date(2026, 11, 10)
VISITS, WORKERS, FAR = "stations.visits", "stations.workers_checked_in", "stations.far_away_share"
MISSING_AREA = "629999000000"  # a well-formed code no area has


def url(area, endpoint: str) -> str:
    code = area if isinstance(area, str) else area.code
    return f"/api/v1/stats/areas/{code}/{endpoint}/"


FACTS_URL = "/api/v1/stats/facts/"


def visit(station, worker=None, *, day, hour=12, visitors=1, far=False) -> CheckIn:
    return CheckIn.objects.create(
        station=station,
        worker=worker,
        at=dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL),
        visitors=visitors,
        far_away=far,
        source=CheckIn.Source.KEEPER if worker is None else CheckIn.Source.PHONE,
    )


@pytest.fixture
def network(trio):
    """Stations and check-ins in both districts (November, October, last November), a
    party member in A, all rolled up."""
    tree = trio.tree
    first = StationFactory(area=tree.a["community"], name="甲站")
    second = StationFactory(
        area=tree.a["community2"], name="乙站", status=Station.Status.TEMPORARILY_CLOSED
    )
    other = StationFactory(area=tree.b["community"], name="丙站")
    w1 = WorkerFactory(area=tree.a["community"])
    w2 = WorkerFactory(area=tree.a["community2"])
    visit(first, w1, day=DAY, hour=9)
    visit(first, w2, day=DAY, hour=20, far=True)
    visit(first, None, day=DAY + dt.timedelta(days=1), visitors=3)
    visit(second, w1, day=DAY)
    visit(second, w1, day=DAY - dt.timedelta(days=20))  # October
    visit(first, w1, day=DAY.replace(year=2025))  # last November
    visit(other, None, day=DAY, visitors=7)  # district B
    PartyMemberFactory(worker__area=tree.a["community"])
    services.roll_up_all()
    return {"trio": trio, "stations": [first, second, other], "workers": [w1, w2]}


def get(user, address, **params):
    return client_for(user).get(address, params)


def ok(user, address, **params) -> dict:
    response = get(user, address, **params)
    assert response.status_code == 200, response.content.decode()
    return response.json()


def figure(body, key) -> dict:
    return next(f for f in body["figures"] if f["key"] == key)


def party_staff(tree):
    """District A's staff with the party-affairs flag."""
    user = UserFactory(username="party_a")
    StaffGrant.objects.create(
        user=user,
        area=tree.a["district"],
        role=StaffGrant.Role.DISTRICT_DEPARTMENT,
        party_affairs=True,
    )
    return user


def every_endpoint(area) -> list[tuple[str, dict]]:
    return [
        (url(area, "figures"), {}),
        (url(area, "series"), {"facts": VISITS}),
        (url(area, "children"), {}),
        (url(area, "breakdown/stations.stations"), {}),
        (url(area, "coverage"), {}),
        (FACTS_URL, {"area": area.code}),
    ]


# Reach -----------------------------------------------------------------------------------


def test_the_area_trio_and_the_city_on_every_endpoint(network):
    trio = network["trio"]
    a, b = trio.tree.a["district"], trio.tree.b["district"]
    services.coverage_refresh(a)
    services.coverage_refresh(b)
    for address, params in every_endpoint(a):
        assert get(trio.staff_a, address, **params).status_code == 200, address
        assert get(trio.viewer_a, address, **params).status_code == 200, address
        assert get(trio.city, address, **params).status_code == 200, address
        assert get(trio.staff_b, address, **params).status_code == 404, address
    for address, params in every_endpoint(b):
        assert get(trio.city, address, **params).status_code == 200, address
        assert get(trio.staff_a, address, **params).status_code == 404, address


def test_an_area_out_of_reach_is_answered_as_one_that_does_not_exist(trio):
    for endpoint in ("figures", "series", "children", "breakdown/stations.stations", "coverage"):
        out_of_reach = get(trio.staff_b, url(trio.tree.a["district"], endpoint), facts=VISITS)
        missing = get(trio.staff_b, url(MISSING_AREA, endpoint), facts=VISITS)
        assert out_of_reach.status_code == missing.status_code == 404
        assert out_of_reach.json() == missing.json()
    assert get(trio.staff_b, FACTS_URL, area=trio.tree.a["district"].code).json() == (
        get(trio.staff_b, FACTS_URL, area=MISSING_AREA).json()
    )


def test_a_keeper_of_named_stations_and_an_auditor_reach_no_area(trio):
    keeper = UserFactory(username="keeper_a")
    keeper_stations_set(
        grant=grant(keeper, trio.tree.a["community"], StaffGrant.Role.STATION_KEEPER),
        stations=[StationFactory(area=trio.tree.a["community"])],
    )
    auditor = UserFactory(username="auditor_a")
    grant(auditor, trio.tree.a["district"], StaffGrant.Role.AUDITOR)
    for user in (keeper, auditor):
        for area in (trio.tree.a["community"], trio.tree.a["district"]):
            for address, params in every_endpoint(area):
                assert get(user, address, **params).status_code == 404, (user, address)
        assert get(user, FACTS_URL).status_code == 404


def test_anonymous_callers_are_refused(trio):
    response = client_for().get(url(trio.tree.a["district"], "figures"))
    assert response.status_code == 403


def test_a_short_code_is_the_area_it_starts(trio):
    body = ok(trio.staff_a, url("621002", "figures"))
    assert body["area"]["code"] == "621002000000"
    for code in ("62100a", "６２１００２", "6210020000001"):
        assert get(trio.staff_a, url(code, "figures")).status_code == 404


# Party figures ---------------------------------------------------------------------------


def test_party_figures_need_the_party_affairs_flag(network):
    trio = network["trio"]
    district = trio.tree.a["district"]
    without = ok(trio.staff_a, FACTS_URL)
    assert without["area"]["code"] == district.code  # the widest granted area
    assert not [f for f in without["facts"] if f["key"].startswith("party.")]
    assert not [r for r in without["ratios"] if r["key"].startswith("party.")]
    assert not [
        f
        for f in ok(trio.staff_a, url(district, "figures"))["figures"]
        if f["key"].startswith("party.")
    ]
    children = ok(trio.staff_a, url(district, "children"))
    assert not [f for f in children["figures"] if f["key"].startswith("party.")]

    flagged = party_staff(trio.tree)
    listed = ok(flagged, FACTS_URL)
    members = next(f for f in listed["facts"] if f["key"] == "party.members")
    assert members["purpose"] == "party"
    assert members["breakdown"] == "registration"
    assert "party.coverage" in {r["key"] for r in listed["ratios"]}
    assert figure(ok(flagged, url(district, "figures")), "party.members")["value"] == 1
    body = ok(flagged, url(district, "breakdown/party.members"))
    assert sum(item["value"] for item in body["items"]) == 1


def test_a_party_figure_without_the_flag_is_refused_as_an_unknown_one(trio):
    district = trio.tree.a["district"]
    for address, params, field in (
        (url(district, "series"), {"facts": "{}"}, "facts"),
        (url(district, "children"), {"facts": "{}"}, "facts"),
        (url(district, "breakdown/{}"), {}, "fact"),
    ):
        answers = []
        for key in ("party.members", "party.nonesuch"):
            response = get(
                trio.staff_a,
                address.format(key),
                **{k: v.format(key) for k, v in params.items()},
            )
            assert response.status_code == 400, address
            answers.append(response.json()[field][0].replace(key, "KEY"))
        assert answers[0] == answers[1], answers


# Values ----------------------------------------------------------------------------------


def test_figures_are_the_selectors_figures_with_their_comparisons(network):
    trio = network["trio"]
    district = trio.tree.a["district"]
    body = ok(trio.staff_a, url(district, "figures"), kind="month", period="2026-11")
    assert body["span"] == {
        "kind": "month",
        "period": "2026-11",
        "since": "2026-11-01",
        "until": "2026-12-01",
        "last_day": "2026-11-30",
        "label": NOVEMBER.label,
    }
    assert body["previous"]["period"] == "2026-10"
    assert body["last_year"]["period"] == "2025-11"
    expected = selectors.figures(trio.staff_a, district, Span.of(NOVEMBER))
    assert [f["key"] for f in body["figures"]] == [f.key for f in expected]
    for got, want in zip(body["figures"], expected, strict=True):
        assert (got["value"], got["previous"], got["last_year"]) == (
            want.value,
            want.previous,
            want.last_year,
        ), want.key
        assert got["change"] == want.change
        assert got["change_on_last_year"] == want.change_on_last_year
        assert got["is_ratio"] == want.is_ratio
    visits = figure(body, VISITS)
    # 1 + 1 + 3 at the first station, 1 at the second; October 1; last November 1.
    assert (visits["value"], visits["previous"], visits["last_year"]) == (6, 1, 1)
    assert visits["change"] == 500.0
    assert visits["computed_at"] is not None
    assert figure(body, WORKERS)["value"] == 2
    far = figure(body, FAR)
    assert far["is_ratio"] and far["percent"]
    assert far["value"] == 25.0  # 1 of 4 check-ins
    assert body["pending"] == 0
    assert body["computed_at"] == max(f["computed_at"] for f in body["figures"] if f["computed_at"])


def test_pending_counts_the_changes_not_rolled_up(network):
    trio = network["trio"]
    visit(network["stations"][0], day=DAY)
    body = ok(trio.staff_a, url(trio.tree.a["district"], "figures"), period="2026-11")
    assert body["pending"] >= 1
    assert figure(body, VISITS)["value"] == 6  # until the job runs


@pytest.fixture
def tasks_run_inline():
    """Celery tasks run where they are sent (the job's own code, in the test's
    transaction) — for reads that ask a job for figures (reports.ranges)."""
    from celery import current_app

    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = False


def test_a_custom_range_counts_its_days_and_distinct_workers_from_the_raw_rows(
    network, tasks_run_inline
):
    trio = network["trio"]
    district = trio.tree.a["district"]
    body = ok(trio.staff_a, url(district, "figures"), since="2026-11-10", until="2026-11-11")
    assert body["span"]["kind"] is None and body["span"]["period"] is None
    assert body["span"]["last_day"] == "2026-11-10"
    assert body["previous"]["since"] == "2026-11-09"
    assert figure(body, VISITS)["value"] == 3  # the 3 anonymous visitors came on the 11th
    # People counted once: not added up from days, counted by a job the first time.
    assert figure(body, WORKERS)["value"] is None and body["counting"] >= 1
    body = ok(trio.staff_a, url(district, "figures"), since="2026-11-10", until="2026-11-11")
    assert figure(body, WORKERS)["value"] == 2 and body["counting"] == 0
    expected = selectors.figures(
        trio.staff_a, district, Span(dt.date(2026, 11, 10), dt.date(2026, 11, 11))
    )
    assert [f["value"] for f in body["figures"]] == [f.value for f in expected]


def test_a_range_over_most_of_a_month_takes_the_month_less_its_missing_days(network):
    """3 October to 1 November is October less its 1st and 2nd, and 1 November
    (periods.signed_covering): the visits of the days taken away are not counted, and the
    stations' own figures (the map's) add up the same way."""
    trio = network["trio"]
    district = trio.tree.a["district"]
    first = network["stations"][0]
    visit(first, None, day=dt.date(2026, 10, 1), visitors=4)  # outside the range
    visit(first, None, day=dt.date(2026, 10, 2), visitors=5)  # outside the range
    visit(first, None, day=dt.date(2026, 10, 3), visitors=6)
    visit(first, None, day=dt.date(2026, 11, 1), visitors=2)
    services.roll_up_all()
    since, until = dt.date(2026, 10, 3), dt.date(2026, 11, 2)
    body = ok(
        trio.staff_a, url(district, "figures"), since=since.isoformat(), until=until.isoformat()
    )
    raw = CheckIn.objects.filter(
        station__area__code__startswith=district.prefix,
        at__gte=dt.datetime(2026, 10, 3, tzinfo=LOCAL),
        at__lt=dt.datetime(2026, 11, 2, tzinfo=LOCAL),
    ).aggregate(v=Sum("visitors"))["v"]
    assert figure(body, VISITS)["value"] == raw == 6 + 1 + 2  # and the 21 October visit
    stations = Station.objects.filter(area__code__startswith=district.prefix)
    by_station = selectors.station_values(stations, district, fact(VISITS), Span(since, until))
    assert by_station[first.pk] == 6 + 2
    assert sum(by_station.values()) == raw


def test_the_default_is_this_month_and_a_code_says_its_kind(network):
    trio = network["trio"]
    district = trio.tree.a["district"]
    this_month = Period.containing(PeriodKind.MONTH, timezone.localdate())
    assert ok(trio.staff_a, url(district, "figures"))["span"]["period"] == this_month.code
    this_week = Period.containing(PeriodKind.WEEK, timezone.localdate())
    assert ok(trio.staff_a, url(district, "figures"), kind="week")["span"]["period"] == (
        this_week.code
    )
    for code, kind in (
        ("2026-W46", "week"),
        ("2026-Q4", "quarter"),
        ("2026", "year"),
        ("2026-11-10", "day"),
        ("2026-11", "month"),
    ):
        span = ok(trio.staff_a, url(district, "figures"), period=code)["span"]
        assert (span["kind"], span["period"]) == (kind, code)


def test_series_are_the_selectors_series_with_ratios_computed(network):
    trio = network["trio"]
    district = trio.tree.a["district"]
    body = ok(
        trio.staff_a,
        url(district, "series"),
        facts=f"{VISITS},{FAR}",
        kind="month",
        since="2026-09-01",
        until="2026-12-01",
    )
    assert [p["period"] for p in body["periods"]] == ["2026-09", "2026-10", "2026-11"]
    assert body["periods"][2]["label"] == NOVEMBER.label
    visits, far = body["series"]
    expected = selectors.series(
        [fact(VISITS)], district, PeriodKind.MONTH, dt.date(2026, 9, 1), dt.date(2026, 12, 1)
    )
    assert visits["values"] == [value for _p, value in expected[VISITS]] == [0, 1, 6]
    assert far["is_ratio"] and far["values"] == [None, 0.0, 25.0]


def test_a_series_without_dates_ends_with_the_current_period(network):
    trio = network["trio"]
    body = ok(trio.staff_a, url(trio.tree.a["district"], "series"), facts=VISITS, kind="month")
    periods = [p["period"] for p in body["periods"]]
    assert len(periods) == 12
    assert periods[-1] == Period.containing(PeriodKind.MONTH, timezone.localdate()).code
    days = ok(trio.staff_a, url(trio.tree.a["district"], "series"), facts=VISITS)
    assert len(days["periods"]) == 30 and days["kind"] == "day"


def test_children_are_the_selectors_table(network):
    trio = network["trio"]
    district, street = trio.tree.a["district"], trio.tree.a["street"]
    body = ok(trio.city, url(trio.tree.city, "children"), facts=f"{VISITS},{FAR}", period="2026-11")
    assert [(r["code"], r["values"][VISITS]) for r in body["rows"]] == [
        (district.code, 6.0),
        (trio.tree.b["district"].code, 7.0),
    ]
    assert body["rows"][0]["values"][FAR] == 25.0
    assert body["rows"][1]["values"][FAR] == 0.0
    assert [f["key"] for f in body["figures"]] == [VISITS, FAR]

    body = ok(trio.staff_a, url(street, "children"), period="2026-11")
    expected = selectors.children_table(
        selectors.facts_for(trio.staff_a, street), street, Span.of(NOVEMBER)
    )
    assert [r["id"] for r in body["rows"]] == [row["node"].pk for row in expected]
    for got, want in zip(body["rows"], expected, strict=True):
        for key, value in want["values"].items():
            assert got["values"][key] == value, key
    ratio_keys = {r.key for r in selectors.ratios_for(trio.staff_a, street)}
    assert ratio_keys and ratio_keys <= set(body["rows"][0]["values"])


def test_a_communitys_children_are_its_stations(network):
    trio = network["trio"]
    body = ok(
        trio.staff_a, url(trio.tree.a["community"], "children"), facts=VISITS, period="2026-11"
    )
    assert body["rows"] == [
        {
            "kind": "station",
            "id": network["stations"][0].pk,
            "code": None,
            "name": "甲站",
            "level": None,
            "values": {VISITS: 5.0},
        }
    ]


def test_a_breakdown_is_the_selectors_with_labels(network):
    trio = network["trio"]
    district = trio.tree.a["district"]
    body = ok(trio.staff_a, url(district, "breakdown/stations.visits"), period="2026-11")
    assert body["broken_down_by"] == "source"
    expected = selectors.broken_down(fact(VISITS), district, Span.of(NOVEMBER))
    assert {item["key"]: item["value"] for item in body["items"]} == expected
    labels = {item["key"]: item["label"] for item in body["items"]}
    assert labels == {
        "phone": str(CheckIn.Source.PHONE.label),
        "keeper": str(CheckIn.Source.KEEPER.label),
    }
    hours = ok(trio.staff_a, url(district, "breakdown/stations.visits_by_hour"), period="2026-11")
    assert [item["key"] for item in hours["items"]] == ["9", "12", "20"]
    assert hours["items"][0]["label"] == "9:00–9:59"
    brands = ok(trio.staff_a, url(district, "breakdown/stations.stations_by_brand"))
    assert [item["label"] for item in brands["items"]] == [str(network["stations"][0].brand)]


def test_the_coverage_snapshot_as_the_job_stored_it(network):
    trio = network["trio"]
    district = trio.tree.a["district"]
    response = get(trio.staff_a, url(district, "coverage"))
    assert response.status_code == 404
    assert district.name in response.json()["detail"]
    snapshot = services.coverage_refresh(district)
    body = ok(trio.staff_a, url(district, "coverage"))
    assert body["coverage"] == snapshot.result
    assert body["area"]["code"] == district.code
    assert CoverageSnapshot.objects.count() == 1


def test_the_facts_listed_are_the_ones_the_user_may_read(network):
    trio = network["trio"]
    body = ok(trio.city, FACTS_URL, area=trio.tree.a["street"].code)
    assert body["area"]["code"] == trio.tree.a["street"].code
    keys = [f["key"] for f in body["facts"]]
    assert keys == [f.key for f in selectors.facts_for(trio.city, trio.tree.a["street"])]
    workers = next(f for f in body["facts"] if f["key"] == WORKERS)
    assert workers["measure"] == "distinct" and not workers["additive"]
    stations = next(f for f in body["facts"] if f["key"] == "stations.stations")
    assert stations["is_state"]
    hours = next(f for f in body["facts"] if f["key"] == "stations.visits_by_hour")
    assert hours["breakdown"] == "hour"
    ratios = [r["key"] for r in body["ratios"]]
    assert ratios == [r.key for r in selectors.ratios_for(trio.city, trio.tree.a["street"])]
    assert FAR in ratios and "party.coverage" not in ratios


# Refusals --------------------------------------------------------------------------------


REFUSALS = [
    ("figures", {"kind": "fortnight"}, "kind"),
    ("figures", {"kind": "month", "period": "2026-13"}, "period"),
    ("figures", {"kind": "week", "period": "2026-11"}, "period"),
    ("figures", {"period": "November"}, "period"),
    ("figures", {"period": "1900"}, "period"),
    ("figures", {"period": "2026-11\x00"}, "period"),
    ("figures", {"since": "2026-11-01"}, "until"),
    ("figures", {"until": "2026-11-01"}, "since"),
    ("figures", {"since": "2026-11-10", "until": "2026-11-10"}, "until"),
    ("figures", {"since": "2026-11-10", "until": "2026-11-01"}, "until"),
    ("figures", {"since": "2024-01-01", "until": "2026-01-01"}, "until"),
    ("figures", {"since": "0001-01-01", "until": "0001-01-02"}, "since"),
    ("figures", {"since": "9999-12-30", "until": "9999-12-31"}, "since"),
    ("figures", {"since": "30/11/2026", "until": "2026-12-01"}, "since"),
    ("figures", {"since": "2026-11-01", "until": "2026-12-01", "period": "2026-11"}, "period"),
    ("series", {}, "facts"),
    ("series", {"facts": ",, ,"}, "facts"),
    ("series", {"facts": "stations.nonesuch"}, "facts"),
    ("series", {"facts": ",".join(f"f{i}" for i in range(13))}, "facts"),
    ("series", {"facts": f"{VISITS}\x00"}, "facts"),
    ("series", {"facts": VISITS, "since": "2020-01-01", "until": "2026-01-01"}, "until"),
    ("series", {"facts": VISITS, "kind": "hour"}, "kind"),
    ("series", {"facts": VISITS, "since": "2099-01-01"}, "since"),
    ("series", {"facts": VISITS, "since": "2026-11-02", "until": "2026-11-01"}, "until"),
    ("children", {"facts": "stations.nonesuch"}, "facts"),
    ("children", {"facts": ",".join(f"f{i}" for i in range(61))}, "facts"),
    ("children", {"since": "2026-11-01", "until": "2026-12-01", "kind": "decade"}, "kind"),
    ("breakdown/stations.nonesuch", {}, "fact"),
    ("breakdown/stations.check_ins", {}, "fact"),  # not broken down
    ("breakdown/stations.far_away_share", {}, "fact"),  # a ratio
    ("breakdown/stations.visits", {"period": "2026-99"}, "period"),
]


@pytest.mark.parametrize(("endpoint", "params", "field"), REFUSALS)
def test_every_bad_parameter_is_a_400_in_words(trio, endpoint, params, field):
    response = get(trio.staff_a, url(trio.tree.a["district"], endpoint), **params)
    assert response.status_code == 400, response.content.decode()
    body = response.json()
    assert field in body, body
    # A sentence for a person, said again in `detail` (the Chinese for the new messages is
    # in the translation catalogue; see test_refusals_speak_the_requests_language).
    assert len(body[field][0]) > 5 and body[field][0] in body["detail"], body


def test_refusals_speak_the_requests_language(trio):
    response = get(trio.staff_a, url(trio.tree.a["district"], "figures"), kind="fortnight")
    assert response.json()["kind"] == ["请选择日、周、月、季度或年。"]


def test_a_fact_in_the_breakdown_path_out_of_reach_area_first(trio):
    # The area is decided before anything about the figure: an outsider learns nothing.
    response = get(trio.staff_b, url(trio.tree.a["district"], "breakdown/stations.nonesuch"))
    assert response.status_code == 404


# Query counts ----------------------------------------------------------------------------


# Queries per request as it is served: a signed-in session (the session itself is in the
# cache), its user and their grants, the area, then the figures. Each request is made once
# first, to warm the session's security state. The bound is 15.
QUERIES = {
    # + the buckets of the three periods with the state snapshots, the pending marks
    "figures": ({"period": "2026-11"}, 5),
    # + the periods covering three ranges with the snapshots, distinct workers as the job
    # kept them (or asks for them: no query), the pending marks
    "figures-range": ({"since": "2026-11-01", "until": "2026-11-16"}, 6),
    # + the buckets of every period with the state snapshots
    "series": (
        {
            "facts": f"{VISITS},{FAR},stations.stations",
            "kind": "day",
            "since": "2026-01-01",
            "until": "2026-12-01",
        },
        4,
    ),
    # + the child areas, the stations placed on the area itself, the buckets with the
    # snapshots
    "children": ({"period": "2026-11"}, 6),
    # + the buckets, the brands' names
    "breakdown/stations.stations_by_brand": ({}, 5),
    # + the snapshot
    "coverage": ({}, 4),
    "facts": ({}, 3),
}


def test_query_counts_are_pinned(network, django_assert_num_queries):
    trio = network["trio"]
    district = trio.tree.a["district"]
    services.coverage_refresh(district)
    client = Client()
    client.force_login(trio.city)
    for endpoint, (params, queries) in QUERIES.items():
        if endpoint == "facts":
            address = FACTS_URL
        else:
            address = url(district, endpoint.removesuffix("-range"))
        assert client.get(address, params).status_code == 200
        with django_assert_num_queries(queries):
            assert client.get(address, params).status_code == 200, endpoint
        assert queries <= 15


def test_the_child_table_costs_the_same_for_one_child_and_for_many(network):
    trio = network["trio"]
    community = trio.tree.a["community"]
    client = client_for(trio.staff_a)
    address = url(community, "children")

    def queries() -> tuple[int, int]:
        client.get(address, {"period": "2026-11"})
        with CaptureQueriesContext(connection) as captured:
            body = client.get(address, {"period": "2026-11"}).json()
        return len(captured), len(body["rows"])

    one, rows = queries()
    assert rows == 1
    for n in range(8):
        StationFactory(area=community, name=f"新站{n}")
    many, rows = queries()
    assert rows == 9
    assert many == one


# Distinct counts over custom ranges: counted by a job, kept, recounted when stale ---------


def test_a_range_figure_goes_stale_when_a_day_of_it_changes_and_is_counted_again(
    network, tasks_run_inline
):
    trio = network["trio"]
    district = trio.tree.a["district"]
    november = Span(dt.date(2026, 11, 1), dt.date(2026, 11, 16))
    workers = [fact(WORKERS)]

    def read():
        return [(r.value, r.computed_at) for r in ranges.read(workers, [district], [(0, november)])]

    assert read() == [(None, None)]  # asked for; counted inline by the job
    [(first, counted_at)] = read()
    assert first == 2
    # A third worker checks in on the 12th: once the beat has rolled that day up, the
    # kept figure is stale — still shown as it was, and counted again.
    visit(
        network["stations"][0],
        WorkerFactory(area=trio.tree.a["community"]),
        day=DAY + dt.timedelta(days=2),
    )
    services.roll_up_all()
    assert read() == [(2, counted_at)]
    [(now, recounted_at)] = read()
    assert now == 3 and recounted_at > counted_at
    assert RangeFigure.objects.filter(fact=WORKERS, area=district).count() == 1  # replaced


def test_the_same_figures_are_asked_for_once_while_the_job_counts(network):
    district = network["trio"].tree.a["district"]
    since, until = dt.date(2026, 11, 1), dt.date(2026, 11, 16)
    asked = ([WORKERS], [district.pk], [], [(since, until)])
    assert ranges.ask_for(*asked) is True  # queued on the broker
    assert ranges.ask_for(*asked) is False  # a page reloaded meanwhile queues nothing
    assert ranges.ask_for([WORKERS], [district.pk], [], [(since, until + dt.timedelta(days=1))])


def test_a_burst_of_ranges_queues_no_more_than_the_limit(network):
    """A script asking for range after range cannot bury the worker: beyond QUEUE_LIMIT
    requests waiting, a figure stays pending and is asked for again at the next read."""
    district = network["trio"].tree.a["district"]
    first = dt.date(2026, 1, 1)

    def ask(n: int) -> bool:
        since = first + dt.timedelta(days=n)
        return ranges.ask_for([WORKERS], [district.pk], [], [(since, since + dt.timedelta(7))])

    assert all(ask(n) for n in range(ranges.QUEUE_LIMIT))
    assert ask(ranges.QUEUE_LIMIT) is False
    # The worker counts one of them: there is room for one more.
    since = first.isoformat(), (first + dt.timedelta(7)).isoformat()
    ranges.count([WORKERS], [district.pk], [], [since])
    assert ask(ranges.QUEUE_LIMIT) is True
    assert ask(ranges.QUEUE_LIMIT + 1) is False


def test_the_job_counts_what_it_can_and_skips_the_rest(network):
    trio = network["trio"]
    district, station = trio.tree.a["district"], network["stations"][0]
    span = ("2026-11-01", "2026-11-16")
    kept = ranges.count(
        [WORKERS, VISITS, "no.such_fact"], [district.pk, 10**9], [station.pk], [span]
    )
    assert kept == 2  # visits add up (never kept here); unknown facts and areas are skipped
    assert {(r.area_id, r.station_id): float(r.value) for r in RangeFigure.objects.all()} == {
        (district.pk, None): 2.0,
        (None, station.pk): 2.0,
    }


def test_figures_counted_a_month_ago_are_forgotten(network):
    district = network["trio"].tree.a["district"]
    ranges.count([WORKERS], [district.pk], [], [("2026-11-01", "2026-11-16")])
    assert ranges.forget_old() == 0
    RangeFigure.objects.update(computed_at=timezone.now() - dt.timedelta(days=ranges.KEEP_DAYS + 1))
    assert ranges.forget_old() == 1 and not RangeFigure.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_counts_what_the_api_asked_for(trio, celery_worker_process):
    import time

    station = StationFactory(area=trio.tree.a["community"])
    for worker in (WorkerFactory(area=trio.tree.a["community"]) for _n in range(3)):
        visit(station, worker, day=DAY)
    services.roll_up_all()
    address = url(trio.tree.a["district"], "figures")
    body = ok(trio.staff_a, address, since="2026-11-01", until="2026-11-15")
    assert figure(body, WORKERS)["value"] is None
    deadline = time.monotonic() + 60
    while body["counting"] and time.monotonic() < deadline:
        time.sleep(1)
        body = ok(trio.staff_a, address, since="2026-11-01", until="2026-11-15")
    assert figure(body, WORKERS)["value"] == 3 and body["counting"] == 0
