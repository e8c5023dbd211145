"""Rewards on the phone (catalogue, redeem, pickup code, cancel), the keeper's hand-over
counter and the API, for the area trio."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from core.testing import client_for
from members.phone_login import SESSION_PHONE
from members.tests.factories import WorkerFactory
from points import services
from points.models import PointsAccount, Redemption, Reward

pytestmark = pytest.mark.django_db
PHONE = "13700001111"


@pytest.fixture
def worker(tree):
    worker = WorkerFactory(area=tree.a["community"], phone=PHONE, name="王小二")
    services.points_award(
        worker=worker, points=30, source="staff", source_id="seed", reason="纸质台账积分补录"
    )
    return worker


@pytest.fixture
def reward(tree, station_a):
    today = timezone.localdate()
    reward = Reward.objects.create(
        area=tree.a["district"],
        name="保温杯",
        points_price=10,
        stock=2,
        sponsor="邮政工会",
        valid_from=today,
        valid_until=today + dt.timedelta(days=30),
    )
    reward.pickup_stations.add(station_a)
    return reward


def logged_in(client):
    session = client.session
    session[SESSION_PHONE] = PHONE
    session.save()
    return client


def test_the_worker_redeems_and_sees_the_pickup_code_then_cancels(
    client, worker, reward, station_a, tree
):
    Reward.objects.create(
        area=tree.b["district"],
        name="庆城雨衣",
        points_price=5,
        stock=5,
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate(),
    )
    logged_in(client)
    catalogue = client.get("/m/rewards/").content.decode()
    assert "保温杯" in catalogue and "庆城雨衣" not in catalogue
    form = client.get(f"/m/rewards/{reward.pk}/").content.decode()
    assert station_a.name in form
    key = str(uuid.uuid4())
    response = client.post(f"/m/rewards/{reward.pk}/", {"station": station_a.pk, "client_key": key})
    redemption = Redemption.objects.get()
    assert response.status_code == 302 and response.url == f"/m/redemptions/{redemption.pk}/"
    client.post(
        f"/m/rewards/{reward.pk}/", {"station": station_a.pk, "client_key": key}
    )  # double tap
    assert (
        Redemption.objects.count() == 1 and PointsAccount.objects.get(worker=worker).balance == 20
    )
    page = client.get(f"/m/redemptions/{redemption.pk}/").content.decode()
    assert redemption.pickup_code in page and "<svg" in page
    client.post(f"/m/redemptions/{redemption.pk}/")
    redemption.refresh_from_db()
    assert (
        redemption.status == "cancelled" and PointsAccount.objects.get(worker=worker).balance == 30
    )


def test_too_few_points_shows_on_the_form_and_nothing_is_held(client, tree, reward, station_a):
    WorkerFactory(area=tree.a["community"], phone=PHONE)
    logged_in(client)
    page = client.post(
        f"/m/rewards/{reward.pk}/", {"station": station_a.pk, "client_key": str(uuid.uuid4())}
    )
    assert page.status_code == 200 and "积分不足" in page.content.decode()
    assert not Redemption.objects.exists()
    reward.refresh_from_db()
    assert reward.stock == 2


def test_another_workers_redemption_is_not_found(client, tree, worker, reward, station_a):
    other = WorkerFactory(area=tree.a["community"])
    services.points_award(worker=other, points=10, source="staff", source_id="o", reason="补录")
    theirs, _ = services.redeem(worker=other, reward=reward, station=station_a)
    logged_in(client)
    assert client.get(f"/m/redemptions/{theirs.pk}/").status_code == 404


def test_the_keeper_hands_over_at_the_counter(client, keeper_a, worker, reward, station_a):
    redemption, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    client.force_login(keeper_a)
    url = "/admin/points/redemption/hand-over/"
    prefilled = client.get(url, {"pickup_code": redemption.pickup_code}).content.decode()
    assert redemption.pickup_code in prefilled
    redemption.refresh_from_db()
    assert redemption.status == "reserved"  # opening the scanned link hands nothing over
    wrong = client.post(url, {"pickup_code": "ZZZZ2222"})
    assert wrong.status_code == 200 and 'class="errorlist' in wrong.content.decode()
    client.post(url, {"pickup_code": redemption.pickup_code})
    redemption.refresh_from_db()
    assert redemption.status == "handed_over" and redemption.handed_over_by == keeper_a
    assert "status__exact=reserved" not in client.get("/admin/").content.decode()  # none waiting


def test_redemptions_in_the_admin_per_trio(client, trio, worker, reward, station_a):
    services.redeem(worker=worker, reward=reward, station=station_a)
    client.force_login(trio.staff_a)
    assert "保温杯" in client.get("/admin/points/redemption/").content.decode()
    assert "status__exact=reserved" in client.get("/admin/").content.decode()
    client.force_login(trio.staff_b)
    assert "保温杯" not in client.get("/admin/points/redemption/").content.decode()
    client.force_login(trio.viewer_a)
    assert client.get("/admin/points/redemption/hand-over/").status_code == 403


def test_rewards_through_the_api_per_trio(trio, tree, worker, reward, station_a, keeper_a):
    today = timezone.localdate().isoformat()
    body = {
        "area": tree.a["district"].pk,
        "name": "雨衣",
        "points_price": 8,
        "stock": 10,
        "pickup_stations": [station_a.pk],
        "valid_from": today,
        "valid_until": today,
    }
    assert (
        client_for(trio.viewer_a).post("/api/v1/rewards/", body, format="json").status_code == 403
    )
    assert client_for(trio.staff_b).post("/api/v1/rewards/", body, format="json").status_code == 400
    assert client_for(trio.staff_a).post("/api/v1/rewards/", body, format="json").status_code == 201
    negative = client_for(trio.staff_a).post(
        "/api/v1/rewards/", {**body, "stock": -1}, format="json"
    )
    assert negative.status_code == 400
    outside = client_for(trio.staff_a).post(
        "/api/v1/rewards/", {**body, "area": tree.a["community2"].pk}, format="json"
    )
    assert outside.status_code == 400 and "pickup_stations" in outside.json()
    assert Reward.objects.count() == 2

    redemption, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    assert client_for(trio.staff_b).get(f"/api/v1/redemptions/{redemption.pk}/").status_code == 404
    listed = client_for(keeper_a).get("/api/v1/redemptions/").json()["results"]
    assert [r["id"] for r in listed] == [redemption.pk]
    handed = client_for(keeper_a).post(
        "/api/v1/redemptions/hand-over/", {"pickup_code": redemption.pickup_code}, format="json"
    )
    assert handed.status_code == 200 and handed.json()["status"] == "handed_over"
    again = client_for(keeper_a).post(
        "/api/v1/redemptions/hand-over/", {"pickup_code": redemption.pickup_code}, format="json"
    )
    assert again.status_code == 400 and "pickup_code" in again.json()
