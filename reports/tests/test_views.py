"""The dashboards and the 大屏 (issue 13 §2), through their addresses: who sees which area
(the area trio on every page), what the party-affairs flag adds, the display tokens' rules,
the period picker, the spreadsheet, and the queries a page costs."""

import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.utils import timezone
from openpyxl import load_workbook

from areas.models import StaffGrant
from areas.tests.factories import AreaFactory, UserFactory, grant
from members.tests.factories import WorkerFactory
from reports import facts as registry
from reports import services
from reports.display_tokens import digest_of, display_token_create, display_token_revoke
from reports.models import DisplayToken
from reports.selectors import Span
from stations.models import CheckIn
from stations.tests.factories import StationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
WORKERS_KEY = "stations.workers_checked_in"


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def network(trio):
    """A station in each district with check-ins today and last month, a worker each,
    rolled up: every page has figures to show."""
    tree = trio.tree
    a = StationFactory(
        name="西峰驿站甲", area=tree.a["community"], location=Point(107.64, 35.71, srid=4326)
    )
    a2 = StationFactory(
        name="西峰驿站乙", area=tree.a["community2"], location=Point(107.65, 35.72, srid=4326)
    )
    b = StationFactory(
        name="庆城驿站", area=tree.b["community"], location=Point(107.88, 36.0, srid=4326)
    )
    worker_a = WorkerFactory(area=tree.a["community"])
    WorkerFactory(area=tree.b["community"])
    last_month = TODAY.replace(day=1) - dt.timedelta(days=3)
    for station, when, visitors, worker in [
        (a, at(TODAY, 9), 1, worker_a),
        (a, at(TODAY, 12), 5, None),
        (a2, at(last_month, 18), 3, None),
        (b, at(TODAY, 12), 7, None),
    ]:
        CheckIn.objects.create(
            station=station,
            worker=worker,
            at=min(when, timezone.now()),
            visitors=visitors,
            source=CheckIn.Source.KEEPER if worker is None else CheckIn.Source.PHONE,
        )
    services.roll_up_all()
    return {"a": a, "a2": a2, "b": b, "trio": trio}


def page_of(client, user, url):
    client.force_login(user)
    return client.get(url)


def dashboard_url(area, query=""):
    return f"/dashboard/{area.code}/{query}"


# ---------------------------------------------------------------------------------------
# The area trio, on every page


PAGES = ["", "export.xlsx", "stations/", "screen/", "screen/data/"]


@pytest.mark.parametrize("page", PAGES)
def test_staff_of_a_sees_a_and_the_viewer_reads_it(client, network, page):
    trio = network["trio"]
    for user in (trio.staff_a, trio.viewer_a):
        response = page_of(client, user, dashboard_url(trio.tree.a["district"]) + page)
        assert response.status_code == 200, (user.username, page)


@pytest.mark.parametrize("page", PAGES)
def test_staff_of_b_gets_404_on_a(client, network, page):
    trio = network["trio"]
    response = page_of(client, trio.staff_b, dashboard_url(trio.tree.a["district"]) + page)
    assert response.status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_an_area_that_does_not_exist_is_404_like_one_out_of_reach(client, network, page):
    response = page_of(client, network["trio"].city, f"/dashboard/629999000000/{page}")
    assert response.status_code == 404
    # Anything that is not a division code is no area at all.
    assert client.get(f"/dashboard/62100%00/{page}").status_code == 404
    assert client.get(f"/dashboard/{'9' * 40}/{page}").status_code == 404


def test_the_city_sees_both_districts_and_compares_them(client, network):
    trio = network["trio"]
    response = page_of(client, trio.city, dashboard_url(trio.tree.city))
    assert response.status_code == 200
    rows = {row.name: row for row in response.context["page"].children}
    assert {trio.tree.a["district"].name, trio.tree.b["district"].name} <= set(rows)
    # Drill down from the ranked table: the child's own page, the period kept.
    link = rows[trio.tree.b["district"].name].url
    assert link.startswith(dashboard_url(trio.tree.b["district"]))
    assert "kind=month" in link
    assert client.get(link).status_code == 200


def test_staff_of_a_see_only_their_stations(client, network):
    trio = network["trio"]
    html = page_of(client, trio.staff_a, dashboard_url(trio.tree.a["district"])).content.decode()
    assert "西峰驿站甲" in html and "西峰驿站乙" in html
    assert "庆城驿站" not in html


def test_dashboard_without_a_code_opens_the_widest_area_granted(client, network):
    trio = network["trio"]
    page = page_of(client, trio.staff_a, "/dashboard/").context["page"]
    assert page.area == trio.tree.a["district"]
    page = page_of(client, trio.city, "/dashboard/").context["page"]
    assert page.area == trio.tree.city


def test_breadcrumb_goes_up_only_as_far_as_the_user_reaches(client, network):
    trio = network["trio"]
    community = trio.tree.a["community"]
    crumbs = page_of(client, trio.staff_a, dashboard_url(community)).context["page"].crumbs
    assert [c.name for c in crumbs] == [
        trio.tree.a["district"].name,
        trio.tree.a["street"].name,
        community.name,
    ]
    crumbs = page_of(client, trio.city, dashboard_url(community)).context["page"].crumbs
    assert crumbs[0].name == trio.tree.city.name
    assert crumbs[-1].url == ""  # where you are is not a link


def test_a_community_drills_down_to_its_stations(client, network):
    trio = network["trio"]
    page = page_of(client, trio.staff_a, dashboard_url(trio.tree.a["community"])).context["page"]
    assert [row.name for row in page.children] == ["西峰驿站甲"]
    assert page.children_title  # "stations"


def test_accounts_without_an_area_grant_get_a_plain_403(client, network):
    trio = network["trio"]
    keeper = UserFactory(username="keeper")
    grant(keeper, trio.tree.a["community"], StaffGrant.Role.STATION_KEEPER)
    auditor = UserFactory(username="auditor")
    grant(auditor, trio.tree.a["district"], StaffGrant.Role.AUDITOR)
    nobody = UserFactory(username="nobody")
    for user in (keeper, auditor, nobody):
        for url in ("/dashboard/", dashboard_url(trio.tree.a["district"])):
            response = page_of(client, user, url)
            assert response.status_code == 403, (user.username, url)
            assert "dashboard/not_for_you.html" in [t.name for t in response.templates]


def test_signed_out_visitors_are_sent_to_sign_in(client, network):
    url = dashboard_url(network["trio"].tree.a["district"])
    for page in ("", "export.xlsx", "screen/"):
        response = client.get(url + page)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert client.get(url + "screen/data/").status_code == 401  # the screen reloads to sign in


def test_the_map_fetches_the_stations_the_user_reaches_with_their_visits(client, network):
    """The page names its station layer instead of carrying it (a city's 2,000 stations
    were most of the page); the layer holds the stations the user reaches, each with its
    visits over the page's period, its point, its state and its community's link."""
    trio = network["trio"]
    district = trio.tree.a["district"]
    page = page_of(
        client, trio.staff_a, dashboard_url(district, "?kind=year&period=" + str(TODAY.year))
    )
    layer_url = page.context["page"].map_data["stations_url"]
    assert layer_url.startswith(dashboard_url(district, "stations/")) and "kind=year" in layer_url
    assert "stations" not in page.context["page"].map_data

    layer = client.get(layer_url).json()
    by_name = {s["name"]: s for s in layer["stations"]}
    assert set(by_name) == {"西峰驿站甲", "西峰驿站乙"}  # never the other district's
    a = by_name["西峰驿站甲"]
    assert a["visits"] == 6  # 1 named + 5 counted by the keeper, today
    assert by_name["西峰驿站乙"]["visits"] == (3 if TODAY.month > 1 else 0)
    assert (round(a["lat"], 2), round(a["lng"], 2)) == (35.71, 107.64)
    assert layer["statuses"][a["status"]]["label"]
    community = layer["areas"][str(a["area"])]
    assert community["name"] == trio.tree.a["community"].name
    assert community["url"].startswith(dashboard_url(trio.tree.a["community"]))

    # This month only: last month's visits are not this period's.
    month = client.get(dashboard_url(district, "stations/")).json()
    assert {s["name"]: s["visits"] for s in month["stations"]}["西峰驿站乙"] == 0


def test_the_station_layer_refuses_in_words(client, network):
    url = dashboard_url(network["trio"].tree.a["district"], "stations/")
    assert client.get(url).status_code == 401  # signed out: the page's script says so
    keeper = UserFactory(username="keeper-layer")
    grant(keeper, network["trio"].tree.a["community"], StaffGrant.Role.STATION_KEEPER)
    refused = page_of(client, keeper, url)
    assert refused.status_code == 403 and refused.json()["detail"]
    # A period it cannot read: this month's layer, as the page shows this month.
    bad = page_of(client, network["trio"].staff_a, url + "?kind=month&period=2026-13")
    assert bad.status_code == 200 and bad.json()["stations"]


def test_the_station_layer_costs_the_same_few_queries_for_more_stations(
    client, network, django_assert_max_num_queries
):
    trio = network["trio"]
    client.force_login(trio.city)
    url = dashboard_url(trio.tree.city, "stations/")
    client.get(url)
    with django_assert_max_num_queries(8):
        assert len(client.get(url).json()["stations"]) == 3
    for n in range(20):
        StationFactory(area=trio.tree.a["community"], name=f"新驿站{n}")
    with django_assert_max_num_queries(8):
        assert len(client.get(url).json()["stations"]) == 23


def test_people_counted_once_over_a_custom_range_are_counted_by_the_job(client, network):
    """A custom range's distinct counts are never counted while the page waits: the page
    says they are being counted (never a false 0) and refreshes; the job counts them."""
    from reports import ranges

    trio = network["trio"]
    district = trio.tree.a["district"]
    since, until = TODAY - dt.timedelta(days=29), TODAY
    query = f"?kind=range&since={since}&until={until}"
    page = page_of(client, trio.staff_a, dashboard_url(district, query))
    workers = next(c for c in page.context["page"].headlines if c.key == WORKERS_KEY)
    assert workers.value == "计算中…"
    assert page.context["page"].counting >= 1
    assert 'id="counting"' in page.content.decode()

    # What the worker does with what the page asked for (here, in this process).
    spans = [
        (s.since, s.until)
        for s in (Span(since, until + dt.timedelta(days=1)),)
        for s in (s, s.previous(), s.same_time_last_year())
    ]
    children = [trio.tree.a["street"].pk]
    # Every figure the page shows that is not added up (people, medians), as the job would.
    counted = [f.key for f in registry.all_facts() if not f.additive and not f.is_state]
    ranges.count(counted, [district.pk, *children], [], spans)
    page = client.get(dashboard_url(district, query))
    workers = next(c for c in page.context["page"].headlines if c.key == WORKERS_KEY)
    assert workers.value == "1"  # the one named worker who checked in today
    assert page.context["page"].counting == 0
    assert 'id="counting"' not in page.content.decode()


# ---------------------------------------------------------------------------------------
# Party work: the party-affairs flag


def test_party_work_is_shown_only_to_party_affairs_staff(client, network):
    trio = network["trio"]
    district = trio.tree.a["district"]
    response = page_of(client, trio.staff_a, dashboard_url(district))
    page = response.context["page"]
    assert not page.party
    assert 'id="party"' not in response.content.decode()
    assert not [c for c in page.columns if c.key.startswith("party.")]
    export = load_workbook(io.BytesIO(client.get(dashboard_url(district) + "export.xlsx").content))
    headers = [cell.value for cell in export.active[3]]
    assert not [h for h in headers if h and "三管" in str(h)]

    StaffGrant.objects.filter(user=trio.staff_a).update(party_affairs=True)
    party_staff = get_user_model().objects.get(pk=trio.staff_a.pk)  # reach recomputed
    response = page_of(client, party_staff, dashboard_url(district))
    page = response.context["page"]
    assert page.party
    assert 'id="party"' in response.content.decode()
    assert "party.coverage" in [c.key for c in page.columns]


def test_the_big_screen_never_shows_party_figures(client, network):
    trio = network["trio"]
    StaffGrant.objects.filter(user=trio.staff_a).update(party_affairs=True)
    data = page_of(client, trio.staff_a, dashboard_url(trio.tree.a["district"]) + "screen/data/")
    assert "三管" not in data.content.decode("utf-8")
    assert "party" not in data.json()


# ---------------------------------------------------------------------------------------
# Figures and the period picker


def test_the_figures_are_the_rollups_and_compare_with_last_period(client, network):
    trio = network["trio"]
    page = page_of(client, trio.staff_a, dashboard_url(trio.tree.a["district"])).context["page"]
    visits = next(c for c in page.headlines if c.key == "stations.visits")
    assert visits.value == "6"  # 1 named + 5 counted by the keeper, today, in A only
    assert page.open_now == 2 and page.stations_total == 2
    last_month = (TODAY.replace(day=1) - dt.timedelta(days=3)).strftime("%Y-%m")
    page = page_of(
        client,
        trio.staff_a,
        dashboard_url(trio.tree.a["district"], f"?kind=month&period={last_month}"),
    ).context["page"]
    visits = next(c for c in page.headlines if c.key == "stations.visits")
    assert visits.value == "3"
    assert visits.previous_change  # a whole month is compared in percent


def test_a_period_not_over_is_not_set_against_whole_periods_in_percent(client, network):
    trio = network["trio"]
    page = page_of(client, trio.staff_a, dashboard_url(trio.tree.a["district"])).context["page"]
    assert page.is_current
    visits = next(c for c in page.headlines if c.key == "stations.visits")
    assert visits.previous_change == ""


@pytest.mark.parametrize(
    "query,label_part",
    [
        ("?kind=day&period=2026-11-30", "30"),
        ("?kind=week&period=2026-W47", "47"),
        ("?kind=quarter&period=2026-Q3", "3"),
        ("?kind=year&period=2025", "2025"),
        ("?kind=range&since=2026-10-01&until=2026-10-15", "2026-10-15"),
    ],
)
def test_the_period_picker_reads_every_kind(client, network, query, label_part):
    trio = network["trio"]
    response = page_of(client, trio.staff_a, dashboard_url(trio.tree.a["district"], query))
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert label_part in response.context["page"].span.label


@pytest.mark.parametrize(
    "query",
    [
        "?kind=month&period=2026-13",
        "?kind=week&period=2026-W60",
        "?kind=fortnight&period=x",
        "?kind=range&since=2026-10-15&until=2026-10-01",
        "?kind=range&since=2020-01-01&until=2026-01-01",
        "?kind=range&since=nonsense",
        f"?kind=year&period={TODAY.year + 5}",
        "?kind=month&period=%00",
    ],
)
def test_bad_periods_are_refused_in_words_and_this_month_is_shown(client, network, query):
    trio = network["trio"]
    response = page_of(client, trio.staff_a, dashboard_url(trio.tree.a["district"], query))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert response.context["page"].span.period.kind == "month"


def test_coverage_says_not_computed_until_the_job_has_run(client, network):
    trio = network["trio"]
    district = trio.tree.a["district"]
    assert page_of(client, trio.staff_a, dashboard_url(district)).context["page"].coverage is None
    services.coverage_refresh(district)
    coverage = client.get(dashboard_url(district)).context["page"].coverage
    assert coverage is not None and not coverage["narrowed"]
    # A street reads its district's circle, narrowed to its own places.
    street = client.get(dashboard_url(trio.tree.a["street"])).context["page"].coverage
    assert street["narrowed"]


def test_the_ranked_table_downloads_as_a_government_workbook_with_text_kept_text(client, network):
    trio = network["trio"]
    AreaFactory(
        code=trio.tree.a["district"].code[:6] + "009000",
        name='=HYPERLINK("http://x")',
        level="street",
        parent=trio.tree.a["district"],
    )
    response = page_of(
        client,
        trio.staff_a,
        dashboard_url(trio.tree.a["district"], "export.xlsx?kind=year&period=2026&rank=x"),
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="dashboard-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A3"].value == "序号"
    names = [sheet.cell(row=r, column=2) for r in range(4, sheet.max_row + 1)]
    risky = next(cell for cell in names if str(cell.value).startswith("="))
    assert risky.data_type == "s"  # text, not a live formula


# ---------------------------------------------------------------------------------------
# Display tokens


@pytest.fixture
def made_token(network):
    trio = network["trio"]
    row, token = display_token_create(
        actor=trio.staff_a, area=trio.tree.a["district"], label="区指挥中心大屏"
    )
    return row, token


def test_a_display_token_opens_its_own_areas_screen_and_notes_its_use(client, network, made_token):
    row, token = made_token
    district = network["trio"].tree.a["district"]
    assert row.digest == digest_of(token) and token not in row.digest
    response = client.get(dashboard_url(district) + f"screen/?token={token}")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"  # the token stays off tile servers
    data = client.get(dashboard_url(district) + f"screen/data/?token={token}")
    assert data.status_code == 200 and data.json()["area"] == district.name
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_a_display_token_reaches_nothing_else(client, network, made_token):
    _row, token = made_token
    tree = network["trio"].tree
    for url in (
        dashboard_url(tree.b["district"]) + f"screen/?token={token}",  # another district
        dashboard_url(tree.city) + f"screen/?token={token}",  # the city above it
        dashboard_url(tree.a["street"]) + f"screen/?token={token}",  # a street below it
        dashboard_url(tree.b["district"]) + f"screen/data/?token={token}",
    ):
        assert client.get(url).status_code == 403, url
    # Not the dashboard, its spreadsheet or the admin: those need a staff login.
    for url in (
        dashboard_url(tree.a["district"]) + f"?token={token}",
        dashboard_url(tree.a["district"]) + f"export.xlsx?token={token}",
        f"/admin/?token={token}",
    ):
        assert client.get(url).status_code == 302, url


@pytest.mark.parametrize("token", ["", "unknown-token", "x" * 65, "a\x00b", "☃" * 10, "A" * 43])
def test_unknown_tokens_get_the_plain_refusal(client, network, token):
    district = network["trio"].tree.a["district"]
    response = client.get(dashboard_url(district) + "screen/", {"token": token})
    assert response.status_code == 403
    assert "dashboard/screen_refused.html" in [t.name for t in response.templates]


def test_a_revoked_token_is_refused_at_the_next_refresh(client, network, made_token):
    row, token = made_token
    district = network["trio"].tree.a["district"]
    assert client.get(dashboard_url(district) + f"screen/data/?token={token}").status_code == 200
    display_token_revoke(actor=network["trio"].staff_a, token=row)
    assert client.get(dashboard_url(district) + f"screen/data/?token={token}").status_code == 403
    assert client.get(dashboard_url(district) + f"screen/?token={token}").status_code == 403


def test_only_staff_who_write_in_the_area_make_or_revoke_tokens(network, made_token):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    trio = network["trio"]
    row, _token = made_token
    with pytest.raises(PermissionDenied):
        display_token_create(actor=trio.viewer_a, area=trio.tree.a["district"], label="x")
    with pytest.raises(Http404):
        display_token_create(actor=trio.staff_b, area=trio.tree.a["district"], label="x")
    with pytest.raises(Http404):
        display_token_revoke(actor=trio.staff_b, token=row)
    with pytest.raises(PermissionDenied):
        display_token_revoke(actor=trio.viewer_a, token=row)


def test_the_admin_shows_a_new_token_once_and_revokes_it(client, network):
    trio = network["trio"]
    district = trio.tree.a["district"]
    client.force_login(trio.staff_a)
    response = client.post(
        "/admin/reports/displaytoken/add/", {"area": district.pk, "label": "区指挥中心大屏"}
    )
    assert response.status_code == 200
    link = re.search(r'value="(http[^"]+)"', response.content.decode()).group(1)
    token = link.split("token=")[1]
    row = DisplayToken.objects.get()
    assert row.digest == digest_of(token) and row.created_by == trio.staff_a
    assert token not in client.get(f"/admin/reports/displaytoken/{row.pk}/change/").content.decode()

    client.post(
        "/admin/reports/displaytoken/",
        {"action": "revoke_selected", "_selected_action": [row.pk]},
    )
    row.refresh_from_db()
    assert row.revoked_at is not None

    client.force_login(trio.staff_b)  # another district: not listed, not opened
    listing = client.get("/admin/reports/displaytoken/").content.decode()
    assert f'value="{row.pk}"' not in listing
    client.force_login(trio.viewer_a)  # reads the list, makes none
    assert client.get("/admin/reports/displaytoken/").status_code == 200
    assert client.get("/admin/reports/displaytoken/add/").status_code == 403


# ---------------------------------------------------------------------------------------
# The admin index


def test_the_admin_index_links_area_staff_to_their_dashboard(client, network):
    trio = network["trio"]
    html = page_of(client, trio.staff_a, "/admin/").content.decode()
    assert 'id="dashboard-link"' in html
    assert dashboard_url(trio.tree.a["district"]) in html
    keeper = UserFactory(username="keeper")
    grant(keeper, trio.tree.a["community"], StaffGrant.Role.STATION_KEEPER)
    assert 'id="dashboard-link"' not in page_of(client, keeper, "/admin/").content.decode()


# ---------------------------------------------------------------------------------------
# Queries: pinned, whatever the area's size


@pytest.mark.parametrize("level", ["city", "district", "street", "community"])
def test_a_dashboard_page_costs_at_most_15_queries(
    client, network, django_assert_max_num_queries, level
):
    trio = network["trio"]
    area = trio.tree.city if level == "city" else trio.tree.a[level]
    client.force_login(trio.city)
    client.get(dashboard_url(area))  # warm-up: the session and the account's state
    since = TODAY - dt.timedelta(days=29)
    for query in (
        "",
        "?kind=week&period=2026-W47",
        "?kind=year&period=2026",
        f"?kind=range&since={since}&until={TODAY}",
    ):
        with django_assert_max_num_queries(15):
            assert client.get(dashboard_url(area, query)).status_code == 200


def test_more_stations_and_children_cost_no_more_queries(
    client, network, django_assert_max_num_queries
):
    trio = network["trio"]
    for n in range(3, 13):
        child = AreaFactory(
            code=f"{trio.tree.a['street'].code[:9]}{n:03d}",
            name=f"新社区{n}",
            level="community",
            parent=trio.tree.a["street"],
        )
        StationFactory(area=child)
    services.roll_up_all()
    client.force_login(trio.staff_a)
    client.get(dashboard_url(trio.tree.a["street"]))
    with django_assert_max_num_queries(15):
        client.get(dashboard_url(trio.tree.a["street"]))


def test_the_big_screen_and_its_data_cost_a_few_queries(
    client, network, made_token, django_assert_max_num_queries
):
    _row, token = made_token
    district = network["trio"].tree.a["district"]
    client.get(dashboard_url(district) + f"screen/?token={token}")
    with django_assert_max_num_queries(12):
        client.get(dashboard_url(district) + f"screen/data/?token={token}")
    with django_assert_max_num_queries(12):
        client.get(dashboard_url(district) + f"screen/?token={token}")


def test_area_staff_are_not_spoken_to_as_a_station_keeper(rf, network):
    from points.work_queue import points_work

    trio = network["trio"]
    keeper = UserFactory(username="keeper")
    grant(keeper, trio.tree.a["community"], StaffGrant.Role.STATION_KEEPER)
    request = rf.get("/admin/")
    for user, wording in [
        (trio.staff_a, "at the stations of your area"),
        (trio.city, "at the stations of your area"),
        (keeper, "at your stations"),
    ]:
        request.user = user
        assert points_work(request)[0].label.endswith(wording), user.username


def test_a_page_reads_breakdowns_of_its_span_and_of_its_trend_charts_only(network):
    """selectors.values with breakdowns_in / breakdowns_of (the page's trend is thirty
    days): every breakdown of the span shown, and over the other spans only those of the
    facts named — registrations by occupation, which a trend chart shows."""
    from reports import selectors
    from reports.facts import all_facts
    from reports.periods import Period, PeriodKind

    district = network["trio"].tree.a["district"]
    facts = list(all_facts())
    today = Span.of(Period.containing(PeriodKind.DAY, TODAY))
    month = Span.of(Period.containing(PeriodKind.MONTH, TODAY))
    everything = selectors.values(facts, [district], [today, month], breakdown=True)
    found = selectors.values(
        facts,
        [district],
        [today, month],
        breakdown=True,
        breakdowns_in=[0],
        breakdowns_of=["members.registrations"],
    )
    broken_down = {(key, index) for (key, _node, index, bd) in found if bd}
    assert ("stations.visits_by_hour", 0) in broken_down
    assert ("stations.visits_by_hour", 1) not in broken_down
    assert ("members.registrations", 1) in broken_down
    # The totals, and what was asked for, are what the unrestricted read gives.
    assert {k: v for k, v in everything.items() if not k[3] or k[2] == 0} == {
        k: v for k, v in found.items() if not k[3] or k[2] == 0
    }
    assert {k for k in found if k[3]} <= set(everything)
