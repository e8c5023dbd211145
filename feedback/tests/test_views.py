"""Reporting on the phone (issue 16 §2): from a station's page or /m/report/, with photos
and a place; the similar cases nearby offered first ("我也遇到了"); the worker's cases,
the answer, fixed / not fixed; what the pages refuse."""

import uuid

import pytest
from django.contrib.gis.geos import Point

from feedback import services
from feedback.models import Case
from members.models import Worker
from members.tests.factories import WorkerFactory, phone_logged_in
from stations.tests.factories import StationFactory

from .factories import category, photo, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(trio):
    return WorkerFactory(
        area=trio.tree.a["community"], status=Worker.Status.APPROVED, phone="13812345611"
    )


@pytest.fixture
def station(trio):
    return StationFactory(area=trio.tree.a["community"], location=Point(107.64, 35.71, srid=4326))


def _form(**overrides):
    return {
        "kind": "hazard",
        "category": category().pk,
        "text": "3号楼楼道有人拉线给电动车充电",
        "where": "here",
        "lat": "35.7101",
        "lng": "107.6401",
        "system": "wgs84",
        "client_key": str(uuid.uuid4()),
        **overrides,
    }


def test_the_station_page_offers_to_report_there(client, station):
    page = client.get(f"/m/stations/{station.pk}/").content.decode()
    assert f"/m/report/?station={station.pk}" in page


def test_a_worker_reports_at_a_station_with_photos_and_follows_it(client, worker, station):
    phone_logged_in(client, worker.phone)
    page = client.get(f"/m/report/?station={station.pk}").content.decode()
    assert station.name in page and "飞线充电" in page and "占道停车" in page
    form = _form(
        where="station", station=station.pk, photos=[photo("a.png"), photo("b.png", "blue")]
    )
    answer = client.post("/m/report/", form, follow=True)
    case = Case.objects.get()
    assert answer.redirect_chain[-1][0] == f"/m/me/cases/{case.pk}/"
    assert (case.station, case.photos.count()) == (station, 2)
    page = answer.content.decode()
    assert case.number in page and "/files/feedback.photo/" in page
    assert case.number in client.get("/m/me/cases/").content.decode()
    assert "/m/me/cases/" in client.get("/m/me/").content.decode()


def test_a_point_needs_a_position_and_a_hazard_needs_a_place(client, worker):
    phone_logged_in(client, worker.phone)
    answer = client.post("/m/report/", _form(lat="", lng=""))
    assert answer.status_code == 200 and "has-error" in answer.content.decode()
    answer = client.post("/m/report/", _form(where="none", lat="", lng=""))
    assert answer.status_code == 200 and 'class="error"' in answer.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"text": ""},
        {"category": "999999"},
        {"kind": "suggestion"},
        {"photos": [photo(f"{n}.png") for n in range(5)]},
        {"lat": "39.90", "lng": "116.40"},
        {"lat": "nan", "lng": "107.64"},
        {"system": "mars"},
        {"client_key": "not-a-key"},
    ],
)
def test_what_the_report_page_refuses_keeps_nothing(client, worker, station, overrides):
    phone_logged_in(client, worker.phone)
    answer = client.post("/m/report/", _form(**overrides))
    assert answer.status_code == 200 and "error" in answer.content.decode()
    assert not Case.objects.exists()


def test_a_similar_open_case_nearby_is_offered_first(client, worker, station):
    earlier = report(WorkerFactory(area=worker.area), station=station)
    phone_logged_in(client, worker.phone)
    offer = client.post("/m/report/", _form())
    html = offer.content.decode()
    assert offer.status_code == 200 and f"/m/report/follow/{earlier.pk}/" in html
    assert Case.objects.count() == 1
    client.post(f"/m/report/follow/{earlier.pk}/")
    assert earlier.followers.filter(worker=worker).exists()
    # Not the same: sent again from the offer, it is a case of its own.
    client.post("/m/report/", _form(confirm_new="on"))
    assert Case.objects.count() == 2


def test_the_pages_script_gets_201_400_or_409_and_a_replay_is_one_case(client, worker, station):
    phone_logged_in(client, worker.phone)
    form = _form()
    sent = client.post("/m/report/", form, HTTP_ACCEPT="application/json")
    assert sent.status_code == 201 and sent.json()["next"].startswith("/m/me/cases/")
    again = client.post("/m/report/", {**form, "replayed": "on"}, HTTP_ACCEPT="application/json")
    assert again.status_code == 201 and Case.objects.count() == 1
    similar = client.post("/m/report/", _form(), HTTP_ACCEPT="application/json")
    assert similar.status_code == 409  # the page asks the worker first
    refused = client.post("/m/report/", _form(text=""), HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and refused.json()["error"]
    replay = client.post("/m/report/", _form(replayed="on"), HTTP_ACCEPT="application/json")
    assert replay.status_code == 201 and Case.objects.count() == 2  # a replay is not asked


def test_the_worker_says_not_fixed_and_then_fixed(client, trio, worker, station):
    case = report(worker, station=station)
    services.case_accept(actor=trio.staff_a, case=case)
    services.case_resolve(actor=trio.staff_a, case=case, answer="已拆除飞线")
    phone_logged_in(client, worker.phone)
    page = client.get(f"/m/me/cases/{case.pk}/").content.decode()
    assert "已拆除飞线" in page and "answer-fixed" in page
    client.post(f"/m/me/cases/{case.pk}/", {"answer-fixed": "no", "answer-comment": "还在"})
    assert Case.objects.get(pk=case.pk).status == "in_progress"
    services.case_resolve(actor=trio.staff_a, case=case, answer="再次拆除")
    client.post(f"/m/me/cases/{case.pk}/", {"answer-fixed": "yes"})
    assert Case.objects.get(pk=case.pk).satisfied is True


def test_another_workers_case_is_not_found_and_a_follower_cannot_answer(
    client, trio, worker, station
):
    case = report(WorkerFactory(area=worker.area), station=station)
    services.case_message_reporter(worker=case.reporter, case=case, text="我住3号楼502")
    phone_logged_in(client, worker.phone)
    assert client.get(f"/m/me/cases/{case.pk}/").status_code == 404
    services.case_follow(worker=worker, case=case)
    page = client.get(f"/m/me/cases/{case.pk}/")
    assert page.status_code == 200
    assert case.text not in page.content.decode()  # the reporter did not agree to show it
    assert "3号楼502" not in page.content.decode()  # their conversation is theirs
    assert case.text not in client.get("/m/me/cases/").content.decode()
    client.post(f"/m/me/cases/{case.pk}/", {"message-text": "我也是"})
    assert list(case.messages.values_list("text", flat=True)) == ["我住3号楼502"]


def test_a_message_from_the_worker_reaches_the_unit(client, trio, worker, station):
    case = report(worker, station=station)
    phone_logged_in(client, worker.phone)
    client.post(f"/m/me/cases/{case.pk}/", {"message-text": "在3号楼东侧"})
    assert case.messages.get().text == "在3号楼东侧"
    assert case.notices.filter(kind="answered").exists()
