"""The worker's privacy pages on the phone: my data and its download, agreeing to a new
notice before anything else, withdrawing sensitive consent, asking for deletion."""

import json

import pytest
from django.utils import timezone

from members import services
from members.models import ConsentEvent, DeletionRequest, Worker
from members.services import PRIVACY_NOTICE_VERSION

from .factories import WorkerFactory, phone_logged_in

pytestmark = pytest.mark.django_db
PHONE = "13700001111"


def logged_in(client, phone=PHONE):
    return phone_logged_in(client, phone)


@pytest.fixture
def worker(tree):
    return WorkerFactory(
        area=tree.a["community"],
        phone=PHONE,
        name="王小二",
        id_number="62100219900101001X",
        political_status="cpc",
        sensitive_consent_at=timezone.now(),
    )


def test_my_data_lists_everything_in_full_and_who_may_see_it(client, worker):
    page = logged_in(client).get("/m/me/data/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "王小二" in html and PHONE in html and "62100219900101001X" in html
    assert "Who may see it" in html and "party affairs" in html
    assert "Check-ins at stations" in html and "Your points ledger" in html


def test_the_download_is_json_with_every_holding_and_the_rules(client, worker):
    response = logged_in(client).get("/m/me/data/?download=json")
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    keys = {holding["key"] for holding in data["data"]}
    assert {"members.registration", "members.sensitive", "stations.check_ins"} <= keys
    registration = next(h for h in data["data"] if h["key"] == "members.registration")
    assert PHONE in registration["records"][0].values()
    assert data["retention"] and all(rule["rule"] for rule in data["retention"])


def test_my_data_needs_a_login(client):
    response = client.get("/m/me/data/")
    assert response.status_code == 302 and "/m/login/" in response["Location"]


def test_a_staff_registered_worker_is_asked_to_agree_before_anything_else(client, tree):
    WorkerFactory(area=tree.a["community"], phone=PHONE, source=Worker.Source.STAFF)
    for url in ["/m/me/", "/m/points/", "/m/activities/", "/m/me/party/", "/m/me/check-ins/"]:
        response = logged_in(client).get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/m/me/consent/"), url
    # Reading, downloading and deleting are rights whether or not they agree.
    assert logged_in(client).get("/m/me/data/").status_code == 200
    assert logged_in(client).get("/m/me/delete/").status_code == 200


def test_agreeing_lets_them_on_to_the_page_they_wanted(client, tree):
    worker = WorkerFactory(area=tree.a["community"], phone=PHONE, source=Worker.Source.IMPORT)
    logged_in(client)
    response = client.post(
        "/m/me/consent/?next=/m/points/",
        {"action": "accept", "notice_version": PRIVACY_NOTICE_VERSION, "next": "/m/points/"},
    )
    assert response.status_code == 302 and response["Location"] == "/m/points/"
    assert ConsentEvent.objects.filter(worker=worker, actor=None, kind="notice").exists()
    assert client.get("/m/me/").status_code == 200


def test_a_new_notice_version_asks_again(client, worker, monkeypatch):
    logged_in(client)
    assert client.get("/m/me/").status_code == 200
    monkeypatch.setattr(services.privacy, "PRIVACY_NOTICE_VERSION", "2099-01")
    response = client.get("/m/me/")
    assert response["Location"].startswith("/m/me/consent/")
    client.post("/m/me/consent/", {"action": "accept", "notice_version": "2099-01"})
    assert client.get("/m/me/").status_code == 200


def test_agreeing_to_an_outdated_version_is_refused_in_words(client, tree):
    WorkerFactory(area=tree.a["community"], phone=PHONE, source=Worker.Source.STAFF)
    page = logged_in(client).post(
        "/m/me/consent/",
        {"action": "accept", "notice_version": "2020-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 200 and "privacy notice has changed" in page.content.decode()


def test_withdrawing_on_the_phone(client, worker):
    logged_in(client).post("/m/me/consent/", {"action": "withdraw"})
    worker.refresh_from_db()
    assert worker.political_status == "" and worker.sensitive_consent_at is None
    page = client.get("/m/me/consent/", HTTP_ACCEPT_LANGUAGE="en")
    assert "none is kept" in page.content.decode()


def test_an_unknown_action_changes_nothing(client, worker):
    page = logged_in(client).post("/m/me/consent/", {"action": "\x00"})
    assert page.status_code in (200, 400)
    worker.refresh_from_db()
    assert worker.political_status == "cpc"


def test_asking_for_deletion_needs_the_box_ticked_then_can_be_cancelled(client, worker):
    logged_in(client)
    page = client.post("/m/me/delete/", {"action": "ask"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Tick the box" in page.content.decode()
    assert not DeletionRequest.objects.exists()
    client.post("/m/me/delete/", {"action": "ask", "confirm": "on", "note": "回老家了"})
    request = DeletionRequest.objects.get(worker=worker)
    page = client.get("/m/me/delete/").content.decode()
    assert request.due_on.strftime("%Y-%m-%d") in page
    client.post("/m/me/delete/", {"action": "cancel"})
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.CANCELLED


def test_the_worker_reads_the_refusal(client, trio, tree):
    worker = WorkerFactory(area=tree.a["community"], phone=PHONE)
    request = services.deletion_request_create(worker=worker)
    services.deletion_request_refuse(actor=trio.staff_a, request=request, reason="兑换尚未完成")
    assert "兑换尚未完成" in logged_in(client).get("/m/me/delete/").content.decode()


def test_after_deletion_the_phone_is_not_logged_in_to_anything(client, trio, tree):
    worker = WorkerFactory(area=tree.a["community"], phone=PHONE)
    logged_in(client)
    services.worker_erase(actor=trio.staff_a, worker=worker)
    response = client.get("/m/me/")
    assert response.status_code == 302 and "/m/register/" in response["Location"]


def test_registering_on_the_phone_records_the_workers_own_agreement(client, tree):
    logged_in(client).post(
        f"/m/register/?area={tree.a['community'].code}",
        {
            "name": "王小二",
            "occupation": "food_delivery",
            "consent": "on",
            "notice_version": PRIVACY_NOTICE_VERSION,
        },
    )
    worker = Worker.objects.get(phone=PHONE)
    assert ConsentEvent.objects.filter(worker=worker, kind="notice", actor=None).exists()
    assert client.get("/m/me/").status_code == 200
