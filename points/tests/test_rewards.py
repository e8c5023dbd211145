"""Rewards: redeeming holds stock and points and gives a pickup code; the keeper hands the
item over on the code; cancellation and expiry give both back; whatever arrives at once,
stock never goes below zero and points are never spent twice."""

import datetime as dt
import threading
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from members.tests.factories import WorkerFactory
from points import services
from points.models import PointsAccount, Redemption, Reward
from stations.tests.factories import StationFactory

from .factories import RewardFactory

pytestmark = pytest.mark.django_db


def rich_worker(area, points=50):
    worker = WorkerFactory(area=area)
    services.points_award(
        worker=worker,
        points=points,
        source="staff",
        source_id=f"seed-{worker.pk}",
        reason="纸质台账积分补录",
    )
    return worker


def balance(worker):
    return PointsAccount.objects.get(worker=worker).balance


def consistent(worker):
    account = PointsAccount.objects.get(worker=worker)
    assert account.balance == account.entries.aggregate(s=Sum("amount"))["s"]


@pytest.fixture
def reward(tree, station_a):
    return RewardFactory(area=tree.a["district"], pickup_stations=[station_a])


def test_redeeming_holds_points_and_stock_and_gives_a_code(tree, reward, station_a):
    worker = rich_worker(tree.a["community"])
    key = uuid.uuid4()
    redemption, created = services.redeem(
        worker=worker, reward=reward, station=station_a, client_key=key
    )
    again, created_again = services.redeem(
        worker=worker, reward=reward, station=station_a, client_key=key
    )
    assert created and not created_again and again.pk == redemption.pk  # a double tap
    assert len(redemption.pickup_code) == 8 and redemption.status == "reserved"
    assert balance(worker) == 40
    reward.refresh_from_db()
    assert reward.stock == 2
    consistent(worker)


def test_redeeming_is_refused_in_words_and_changes_nothing(tree, reward, station_a, station_b):
    poor = rich_worker(tree.a["community"], points=5)
    with pytest.raises(ApplicationError, match="Not enough points"):
        services.redeem(worker=poor, reward=reward, station=station_a)
    worker = rich_worker(tree.a["community"])
    with pytest.raises(ApplicationError) as elsewhere:
        services.redeem(worker=worker, reward=reward, station=station_b)
    assert "station" in elsewhere.value.fields
    Reward.objects.filter(pk=reward.pk).update(stock=0)
    with pytest.raises(ApplicationError, match="out of stock"):
        services.redeem(worker=worker, reward=reward, station=station_a)
    Reward.objects.filter(pk=reward.pk).update(
        stock=3,
        valid_until=timezone.localdate() - dt.timedelta(days=1),
        valid_from=timezone.localdate() - dt.timedelta(days=9),
    )
    with pytest.raises(ApplicationError, match="not offered"):
        services.redeem(worker=worker, reward=reward, station=station_a)
    assert not Redemption.objects.exists()
    assert balance(poor) == 5 and balance(worker) == 50


def test_the_keeper_hands_over_on_the_code_once(tree, reward, station_a, keeper_a):
    worker = rich_worker(tree.a["community"])
    redemption, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    typed = redemption.pickup_code.lower()[:4] + "-" + redemption.pickup_code[4:]
    done = services.hand_over(actor=keeper_a, pickup_code=typed)
    assert done.status == "handed_over" and done.handed_over_by == keeper_a
    with pytest.raises(ApplicationError, match="Already handed over"):
        services.hand_over(actor=keeper_a, pickup_code=redemption.pickup_code)
    with pytest.raises(ApplicationError) as unknown:
        services.hand_over(actor=keeper_a, pickup_code="ZZZZZZZZ")
    assert "pickup_code" in unknown.value.fields


def test_hand_over_follows_the_station_and_the_area(trio, tree, reward, station_a, keeper_a):
    other_station = StationFactory(area=tree.a["community"])
    reward.pickup_stations.add(other_station)
    worker = rich_worker(tree.a["community"])
    elsewhere, _ = services.redeem(worker=worker, reward=reward, station=other_station)
    with pytest.raises(Http404):  # not the keeper's station
        services.hand_over(actor=keeper_a, pickup_code=elsewhere.pickup_code)
    with pytest.raises(PermissionDenied):
        services.hand_over(actor=trio.viewer_a, pickup_code=elsewhere.pickup_code)
    with pytest.raises(Http404):
        services.hand_over(actor=trio.staff_b, pickup_code=elsewhere.pickup_code)
    assert (
        services.hand_over(actor=trio.staff_a, pickup_code=elsewhere.pickup_code).status
        == "handed_over"
    )


def test_an_expired_code_is_refused_and_the_job_gives_points_and_stock_back(
    tree, reward, station_a, keeper_a
):
    worker = rich_worker(tree.a["community"])
    redemption, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    Redemption.objects.filter(pk=redemption.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(ApplicationError, match="expired"):
        services.hand_over(actor=keeper_a, pickup_code=redemption.pickup_code)
    assert services.redemptions_expire() == 1
    assert services.redemptions_expire() == 0
    redemption.refresh_from_db()
    reward.refresh_from_db()
    assert redemption.status == "expired" and reward.stock == 3 and balance(worker) == 50
    consistent(worker)


def test_cancelling_gives_back_and_only_the_worker_or_staff_may(trio, tree, reward, station_a):
    worker = rich_worker(tree.a["community"])
    other = rich_worker(tree.a["community"])
    redemption, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    with pytest.raises(ApplicationError, match="not your"):
        services.redemption_cancel(redemption=redemption, worker=other)
    with pytest.raises(Http404):
        services.redemption_cancel(redemption=redemption, actor=trio.staff_b)
    services.redemption_cancel(redemption=redemption, worker=worker)
    reward.refresh_from_db()
    assert reward.stock == 3 and balance(worker) == 50
    with pytest.raises(ApplicationError, match="nothing to cancel"):
        services.redemption_cancel(redemption=redemption, worker=worker)
    consistent(worker)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stock, points, expected", [(5, 200, 5), (50, 70, 7)])
def test_twenty_simultaneous_redemptions_never_overdraw_nor_oversell(tree, stock, points, expected):
    """20 redemptions at once (threads, separate connections) from one account of one
    item: stock 5 with points for 20 → 5 succeed; stock 50 with points for 7 → 7."""
    from stations.models import Station  # noqa: F401 - catalogues restored by the fixture

    station = StationFactory(area=tree.a["community"])
    reward = RewardFactory(
        area=tree.a["district"], pickup_stations=[station], stock=stock, points_price=10
    )
    worker = rich_worker(tree.a["community"], points=points)
    barrier = threading.Barrier(20)
    outcomes = []

    def redeem():
        try:
            barrier.wait()
            services.redeem(worker=worker, reward=reward, station=station, client_key=uuid.uuid4())
            outcomes.append("ok")
        except ApplicationError:
            outcomes.append("refused")
        except Exception as error:  # pragma: no cover - shown by the assertion
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] * expected + ["refused"] * (20 - expected)
    reward.refresh_from_db()
    assert reward.stock == stock - expected
    assert balance(worker) == points - 10 * expected
    assert Redemption.objects.filter(status="reserved").count() == expected
    consistent(worker)
