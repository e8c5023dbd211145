"""Points and rewards on the phone: the balance and its reasons, the catalogue,
redeeming, the pickup code and cancelling, for the area trio."""

import uuid

import pytest
from django.utils import timezone

from members.phone_login import SESSION_PHONE
from members.tests.factories import WorkerFactory, phone_logged_in
from points import services
from points.models import PointsAccount, Redemption, Reward

from .factories import PHONE, give

pytestmark = pytest.mark.django_db


def logged_in(client):
    return phone_logged_in(client, PHONE)


def test_the_worker_sees_balance_and_reasons(client, worker):
    give(worker, 10, 1)
    services.points_spend(
        worker=worker, points=4, source="redemption", source_id=1, reason="兑换雨衣"
    )
    session = client.session
    session[SESSION_PHONE] = PHONE
    session.save()
    html = client.get("/m/points/").content.decode()
    assert "<strong>6</strong>" in html
    assert "参加消防安全培训" in html and "+10" in html and "兑换雨衣" in html and "-4" in html
    mine = client.get("/m/me/").content.decode()
    assert "/m/points/" in mine and "<strong>6</strong>" in mine


def test_the_points_page_needs_the_phone_login(client):
    response = client.get("/m/points/")
    assert response.status_code == 302 and response.url.startswith("/m/login/")


@pytest.mark.usefixtures("thirty_points")
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


@pytest.mark.usefixtures("thirty_points")
def test_another_workers_redemption_is_not_found(client, tree, worker, reward, station_a):
    other = WorkerFactory(area=tree.a["community"])
    services.points_award(worker=other, points=10, source="staff", source_id="o", reason="补录")
    theirs, _ = services.redeem(worker=other, reward=reward, station=station_a)
    logged_in(client)
    assert client.get(f"/m/redemptions/{theirs.pk}/").status_code == 404
