"""Check-in on the phone (page, JSON for the offline queue, history), in the admin for the
keeper, and in the API — each for the area trio."""

import datetime as dt
import json
import uuid

import pytest
from django.core.cache import cache
from django.utils import timezone

from core.testing import client_for
from members.models import Worker
from members.services import PRIVACY_NOTICE_VERSION
from members.tests.factories import WorkerFactory, phone_logged_in
from stations.models import CheckIn

pytestmark = pytest.mark.django_db
PHONE = "13700001111"
API = "/api/v1/check-ins/"
ADMIN = "/admin/stations/checkin/"


def logged_in(client, phone=PHONE):
    return phone_logged_in(client, phone)


@pytest.fixture
def worker(tree):
    return WorkerFactory(area=tree.a["community"], phone=PHONE, name="王小二")


def page_url(station):
    return f"/m/stations/{station.pk}/check-in/"


def test_the_station_page_offers_check_in(client, station_a):
    html = client.get(f"/m/stations/{station_a.pk}/").content.decode()
    assert page_url(station_a) in html


def first_check_in(client, station, sent_codes, **extra):
    """The one page of a first check-in: ask for the code (the page's script does it without
    leaving the page), then send the phone, the code, a name and the consent."""
    page = client.get(page_url(station)).content.decode()
    sent = client.post("/m/login/code/", {"phone": PHONE}, content_type="application/json")
    assert sent.status_code == 200 and "验证码" in sent.json()["message"]
    form = {
        "action": "check_in",
        "phone": PHONE,
        "code": sent_codes()[-1],
        "name": "王小二",
        "consent": "on",
        "notice_version": PRIVACY_NOTICE_VERSION,
        "client_key": str(uuid.uuid4()),
        **extra,
    }
    return page, client.post(page_url(station), form)


def test_a_first_check_in_asks_only_phone_code_name_and_consent_and_files_no_registration(
    client, station_a, sent_codes
):
    """Issue 14 §2: from the poster to a check-in on one page; 报到 is not filed."""
    page, response = first_check_in(client, station_a, sent_codes)
    for field in ('name="phone"', 'name="code"', 'name="name"', 'name="consent"'):
        assert field in page
    for not_asked in ("occupation", "political_status", "enterprise", "residence"):
        assert f'name="{not_asked}"' not in page
    assert response.status_code == 302 and response.url == "/m/me/check-ins/?first=1"
    worker = Worker.objects.get(phone=PHONE)
    assert (worker.name, worker.status, worker.registered_at) == ("王小二", "checked_in", None)
    assert worker.area == station_a.area  # its staff see who checks in there
    assert CheckIn.objects.filter(worker=worker, station=station_a).count() == 1
    assert worker.consent_events.filter(kind="notice", actor=None).exists()
    # Nothing waits for the community's review.
    assert not Worker.objects.filter(status=Worker.Status.PENDING).exists()
    # The phone is logged in now: the next check-in is one tap.
    assert client.get(page_url(station_a)).content.decode().count('name="phone"') == 0


def test_a_first_check_in_refuses_what_is_missing_or_wrong_and_changes_nothing(
    client, station_a, sent_codes
):
    for extra, words in (
        ({"code": "000000"}, "验证码"),
        ({"name": "  "}, "姓名"),
        ({"consent": ""}, "隐私告知"),
        ({"notice_version": "0"}, "隐私告知"),
        ({"phone": "12345"}, "手机号"),
    ):
        cache.clear()  # the one-code-a-minute limit: each case asks for a code of its own
        _page, response = first_check_in(client, station_a, sent_codes, **extra)
        assert response.status_code == 200, extra
        assert words in response.content.decode(), (extra, words)
        assert not Worker.objects.exists() and not CheckIn.objects.exists()


def test_the_code_is_sent_without_the_pages_script_too(client, station_a, sent_codes):
    response = client.post(page_url(station_a), {"action": "send_code", "phone": PHONE})
    assert response.status_code == 200 and len(sent_codes()) == 1
    page = response.content.decode()
    assert PHONE in page and 'name="code"' in page
    cache.clear()
    wrong = client.post(page_url(station_a), {"action": "send_code", "phone": "12"})
    assert wrong.status_code == 200 and "11 位" in wrong.content.decode()
    assert len(sent_codes()) == 1  # nothing sent to a number that is not one
    refused = client.post("/m/login/code/", {"phone": "12"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"]
    garbled = client.post("/m/login/code/", "{", content_type="application/json")
    assert garbled.status_code == 400


def test_a_logged_in_phone_without_a_record_gives_only_its_name(client, station_a):
    logged_in(client)
    page = client.get(page_url(station_a)).content.decode()
    assert 'name="phone"' not in page and 'name="name"' in page
    response = client.post(
        page_url(station_a),
        {
            "action": "check_in",
            "name": "王小二",
            "consent": "on",
            "notice_version": PRIVACY_NOTICE_VERSION,
            "client_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    assert Worker.objects.get(phone=PHONE).status == Worker.Status.UNREGISTERED


def test_a_phone_that_checked_in_registers_later_on_me(client, station_a, sent_codes):
    """报到 is a deliberate act: /m/me invites to it, and registering counts from then."""
    first_check_in(client, station_a, sent_codes)
    me = client.get("/m/me/").content.decode()
    assert "报到" in me and f"/m/register/?area={station_a.area.code}" in me
    registered = client.post(
        f"/m/register/?area={station_a.area.code}",
        {
            "name": "王小二",
            "occupation": "food_delivery",
            "consent": "on",
            "notice_version": PRIVACY_NOTICE_VERSION,
        },
    )
    assert registered.status_code == 302
    worker = Worker.objects.get(phone=PHONE)
    assert worker.status == Worker.Status.PENDING and worker.registered_at is not None
    assert sorted(worker.status_changes.values_list("to_status", flat=True)) == [
        "checked_in",
        "pending",
    ]


def test_the_check_in_form_checks_in_and_shows_the_history(client, worker, station_a):
    logged_in(client)
    form = client.get(page_url(station_a)).content.decode()
    assert "签到" in form and 'name="client_key"' in form
    key = str(uuid.uuid4())
    response = client.post(page_url(station_a), {"services": ["water", "phone"], "client_key": key})
    assert response.status_code == 302 and response.url == "/m/me/check-ins/"
    again = client.post(page_url(station_a), {"services": ["water"], "client_key": key})
    assert again.status_code == 302
    assert CheckIn.objects.filter(worker=worker).count() == 1
    history = client.get("/m/me/check-ins/").content.decode()
    assert "甲站" in history and "饮用水" in history
    assert "甲站" in client.get("/m/me/").content.decode()


def test_the_station_page_leads_to_registering_with_its_community(client, tree, station_a):
    station_page = logged_in(client).get(f"/m/stations/{station_a.pk}/").content.decode()
    register_url = f"/m/register/?area={station_a.area.code}"
    assert register_url in station_page
    page = client.get(register_url)
    assert page.status_code == 200
    assert tree.a["community"].name in page.content.decode()


def test_my_page_shows_my_three_latest_check_ins_and_the_way_to_all(
    client, worker, station_a, station_b
):
    logged_in(client)
    assert "还没有签到" in client.get("/m/me/").content.decode()
    now = timezone.now()
    for days, station in enumerate([station_a, station_b, station_a, station_b]):
        CheckIn.objects.create(
            station=station, worker=worker, at=now - dt.timedelta(days=days), source="phone"
        )
    mine = client.get("/m/me/").content.decode()
    assert mine.count("<li><strong>") == 3
    assert mine.count("甲站") == 2 and mine.count("乙站") == 1
    assert "/m/me/check-ins/" in mine


def test_a_refused_check_in_shows_on_the_form(client, worker, station_a):
    logged_in(client)
    page = client.post(
        page_url(station_a), {"services": ["sauna"], "client_key": str(uuid.uuid4())}
    )
    assert page.status_code == 200 and 'class="error"' in page.content.decode()
    assert not CheckIn.objects.exists()


def _send(client, body):
    return client.post("/m/check-ins/", json.dumps(body), content_type="application/json")


def test_the_json_check_in_and_its_replay_count_once(client, worker, station_a):
    logged_in(client)
    body = {"station": station_a.pk, "client_key": str(uuid.uuid4()), "services": ["rest"]}
    first = _send(client, body)
    assert first.status_code == 201 and first.json()["created"] is True
    assert "已在甲站签到" in client.get(first.json()["history"]).content.decode()  # where it goes
    replay = _send(client, {**body, "made_at": timezone.now().isoformat()})
    assert replay.status_code == 200 and replay.json()["created"] is False
    assert CheckIn.objects.count() == 1


def test_a_queued_check_in_is_marked_offline_with_its_time(client, worker, station_a):
    logged_in(client)
    tapped = timezone.now() - timezone.timedelta(hours=2)
    body = {
        "station": station_a.pk,
        "client_key": str(uuid.uuid4()),
        "made_at": tapped.isoformat(),
        "lat": 35.71,
        "lng": 107.64,
        "accuracy": 20,
    }
    assert _send(client, body).status_code == 201
    done = CheckIn.objects.get()
    assert (done.source, done.at, done.distance_m) == ("offline", tapped, 0)


def test_the_json_check_in_refuses_in_words_and_keeps_nothing(client, worker, station_a):
    assert _send(client, {"station": station_a.pk}).status_code == 401  # not logged in
    logged_in(client)
    for body in (
        {"station": "x"},
        {"station": 999999, "client_key": str(uuid.uuid4())},
        {"station": station_a.pk},  # no key
        {"station": station_a.pk, "client_key": str(uuid.uuid4()), "services": ["sauna"]},
        {"station": station_a.pk, "client_key": str(uuid.uuid4()), "services": "water"},
        {"station": station_a.pk, "client_key": str(uuid.uuid4()), "lat": "北", "lng": 107},
        {"station": station_a.pk, "client_key": str(uuid.uuid4()), "made_at": "昨天"},
        {"station": station_a.pk, "client_key": str(uuid.uuid4()), "system": "mars"},
        [station_a.pk],
    ):
        response = _send(client, body)
        assert response.status_code == 400 and response.json()["error"]
    bad_json = client.post("/m/check-ins/", "{not json", content_type="application/json")
    assert bad_json.status_code == 400
    assert not CheckIn.objects.exists()


def test_a_json_check_in_waits_for_the_current_privacy_notice(client, tree, station_a):
    """A worker registered by staff has never agreed to the notice themselves: the queued
    check-in is kept (401, like a phone not logged in) and the page goes to the consent
    step; nothing is recorded until they agree."""
    WorkerFactory(area=tree.a["community"], phone=PHONE, source=Worker.Source.STAFF)
    logged_in(client)
    body = {"station": station_a.pk, "client_key": str(uuid.uuid4())}
    waiting = _send(client, body)
    assert waiting.status_code == 401 and waiting.json()["login"] == "/m/me/consent/"
    assert not CheckIn.objects.exists()


# The keeper in the admin ------------------------------------------------------------------


def _record(client, station, **fields):
    return client.post(
        f"{ADMIN}add/",
        {
            "station": station.pk,
            "worker_phone": "",
            "visitors": 1,
            "submission_key": str(uuid.uuid4()),
            **fields,
        },
    )


def test_the_keeper_records_a_visit_and_a_visitor_count(client, keeper_a, worker, station_a):
    client.force_login(keeper_a)
    assert client.get(f"{ADMIN}add/").status_code == 200
    assert _record(client, station_a, worker_phone=PHONE, services=["meal"]).status_code == 302
    assert _record(client, station_a, visitors=5).status_code == 302
    rows = CheckIn.objects.order_by("pk")
    assert [(r.worker_id, r.visitors, r.source) for r in rows] == [
        (worker.pk, 1, "keeper"),
        (None, 5, "keeper"),
    ]
    listing = client.get(ADMIN).content.decode()
    assert "王*" in listing and "王小二" not in listing and "137****1111" in listing


def test_the_keeper_form_refuses_an_unknown_phone_by_its_field(client, keeper_a, station_a):
    client.force_login(keeper_a)
    page = _record(client, station_a, worker_phone="13900009999", visitors=1)
    assert page.status_code == 200 and "13900009999" in page.content.decode()  # kept as typed
    assert not CheckIn.objects.exists()


def test_check_ins_in_the_admin_per_trio(client, trio, worker, station_a, station_b):
    from stations import services

    services.check_in(worker=worker, station=station_a)
    services.visit_record(actor=trio.staff_b, station=station_b, visitors=3)
    client.force_login(trio.staff_a)
    assert "甲站" in client.get(ADMIN).content.decode()
    assert "乙站" not in client.get(ADMIN).content.decode()
    client.force_login(trio.staff_b)
    assert "甲站" not in client.get(ADMIN).content.decode()
    client.force_login(trio.viewer_a)
    assert "甲站" in client.get(ADMIN).content.decode()
    assert client.get(f"{ADMIN}add/").status_code == 403
    assert _record(client, station_a, visitors=2).status_code == 403
    assert CheckIn.objects.count() == 2
    checked = CheckIn.objects.get(station=station_a)
    client.force_login(trio.staff_a)
    # A record: read, never changed or deleted.
    assert client.post(f"{ADMIN}{checked.pk}/delete/", {"post": "yes"}).status_code == 403


# The API --------------------------------------------------------------------------------


def test_check_ins_in_the_api_per_trio(trio, keeper_a, worker, station_a, station_b):
    from stations import services

    mine, _ = services.check_in(worker=worker, station=station_a, services=["water"])
    services.visit_record(actor=trio.staff_b, station=station_b, visitors=3)
    listed = client_for(trio.staff_a).get(API).json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    assert listed[0]["worker_masked"] == "王** 137****1111"
    assert client_for(trio.staff_b).get(f"{API}{mine.pk}/").status_code == 404
    assert client_for(trio.viewer_a).get(f"{API}{mine.pk}/").status_code == 200
    denied = client_for(trio.viewer_a).post(
        API, {"station": station_a.pk, "visitors": 2}, format="json"
    )
    assert denied.status_code == 403
    outside = client_for(trio.staff_b).post(
        API, {"station": station_a.pk, "visitors": 2}, format="json"
    )
    assert outside.status_code == 400  # another district's row is no row: 400
    assert [row["id"] for row in client_for(keeper_a).get(API).json()["results"]] == [mine.pk]


def test_the_keeper_records_through_the_api_and_a_repeat_is_the_same_visit(
    keeper_a, worker, station_a
):
    body = {"station": station_a.pk, "worker_phone": PHONE, "services": ["toilet"]}
    first = client_for(keeper_a).post(API, body, format="json")
    assert first.status_code == 201 and first.json()["source"] == "keeper"
    again = client_for(keeper_a).post(API, body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    refused = client_for(keeper_a).post(
        API, {"station": station_a.pk, "worker_phone": "13900009999"}, format="json"
    )
    assert refused.status_code == 400 and "worker_phone" in refused.json()


def test_the_api_filters_by_date_and_named(trio, worker, station_a):
    from stations import services

    services.check_in(worker=worker, station=station_a)
    services.visit_record(actor=trio.staff_a, station=station_a, visitors=4)
    api = client_for(trio.staff_a)
    assert api.get(API, {"named": "true"}).json()["count"] == 1
    today = timezone.localdate().isoformat()
    assert api.get(API, {"since": today, "until": today}).json()["count"] == 2
    assert api.get(API, {"since": "2000-01-01", "until": "2000-01-02"}).json()["count"] == 0


def test_the_check_in_list_query_count_is_flat(trio, station_a, django_assert_max_num_queries):
    from stations import services

    api = client_for(trio.staff_a)
    for _ in range(3):
        services.check_in(worker=WorkerFactory(area=station_a.area), station=station_a)
    with django_assert_max_num_queries(6) as few:
        api.get(API)
    for _ in range(10):
        services.check_in(worker=WorkerFactory(area=station_a.area), station=station_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get(API)
