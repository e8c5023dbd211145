"""Reads of points and rewards: the staff's lists scoped for the area trio (and a keeper's
station), the worker's own balance, history, catalogue and redemptions."""

import datetime as dt

import pytest
from django.utils import timezone

from members.tests.factories import WorkerFactory
from points import selectors, services
from points.models import PointsAccount, Redemption
from stations.tests.factories import StationFactory

from .factories import PointsRuleFactory, RewardFactory

pytestmark = pytest.mark.django_db


def give(worker, points=10, event=1, reason="参加消防安全培训"):
    return services.points_award(
        worker=worker, points=points, source="attendance", source_id=event, reason=reason
    )


def rich(area, points=50):
    worker = WorkerFactory(area=area)
    give(worker, points=points, event=f"seed-{worker.pk}", reason="纸质台账积分补录")
    return worker


@pytest.fixture
def worker(tree):
    return WorkerFactory(area=tree.a["community"])


def test_balance_of_a_worker_without_an_account_is_zero_and_makes_none(worker):
    assert selectors.balance_of(worker) == 0
    assert not PointsAccount.objects.filter(worker=worker).exists()


def test_balance_of_follows_the_ledger(worker):
    give(worker, 10, 1)
    services.points_spend(
        worker=worker, points=4, source="redemption", source_id=1, reason="兑换雨衣"
    )
    assert selectors.balance_of(worker) == 6


def test_history_of_is_the_workers_own_newest_first(tree, worker):
    give(worker, 10, 1, reason="第一次培训")
    give(worker, 5, 2, reason="第二次培训")
    give(WorkerFactory(area=tree.a["community"]), 7, 3, reason="别人的培训")
    assert [e.reason for e in selectors.history_of(worker)] == ["第二次培训", "第一次培训"]


def test_accounts_entries_and_rules_are_scoped_to_the_area_trio(trio, tree):
    in_a = WorkerFactory(area=tree.a["community"])
    in_b = WorkerFactory(area=tree.b["community"])
    give(in_a, event=1, reason="甲区培训")
    give(in_b, event=2, reason="乙区培训")
    rule_a = PointsRuleFactory(area=tree.a["district"])
    rule_b = PointsRuleFactory(area=tree.b["district"])

    def seen(user):
        return (
            {a.worker for a in selectors.account_list(user=user)},
            {e.reason for e in selectors.entry_list(user=user)},
            set(selectors.rule_list(user=user)),
        )

    a_only = ({in_a}, {"甲区培训"}, {rule_a})
    assert seen(trio.staff_a) == a_only
    assert seen(trio.viewer_a) == a_only  # a viewer reads
    assert seen(trio.staff_b) == ({in_b}, {"乙区培训"}, {rule_b})
    assert seen(trio.city) == ({in_a, in_b}, {"甲区培训", "乙区培训"}, {rule_a, rule_b})


def test_rewards_and_redemptions_are_scoped_and_a_keeper_sees_their_station(
    trio, tree, station_a, station_b, keeper_a
):
    reward_a = RewardFactory(area=tree.a["district"], pickup_stations=[station_a])
    reward_b = RewardFactory(area=tree.b["district"], pickup_stations=[station_b])
    at_a, _ = services.redeem(worker=rich(tree.a["community"]), reward=reward_a, station=station_a)
    at_b, _ = services.redeem(worker=rich(tree.b["community"]), reward=reward_b, station=station_b)

    assert list(selectors.reward_list(user=trio.staff_a)) == [reward_a]
    assert list(selectors.reward_list(user=trio.viewer_a)) == [reward_a]
    assert list(selectors.reward_list(user=trio.staff_b)) == [reward_b]
    assert set(selectors.reward_list(user=trio.city)) == {reward_a, reward_b}
    assert list(selectors.redemption_list(user=trio.staff_a)) == [at_a]
    assert list(selectors.redemption_list(user=trio.viewer_a)) == [at_a]
    assert list(selectors.redemption_list(user=trio.staff_b)) == [at_b]
    assert set(selectors.redemption_list(user=trio.city)) == {at_a, at_b}
    # The keeper reaches the redemptions at their station, not the catalogue.
    assert list(selectors.redemption_list(user=keeper_a)) == [at_a]
    assert not selectors.reward_list(user=keeper_a).exists()


def test_a_keeper_sees_only_the_redemptions_at_their_own_station(tree, station_a, keeper_a):
    other_station = StationFactory(area=tree.a["community"])
    reward = RewardFactory(area=tree.a["district"], pickup_stations=[station_a, other_station])
    worker = rich(tree.a["community"])
    here, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    services.redeem(worker=worker, reward=reward, station=other_station)
    assert list(selectors.redemption_list(user=keeper_a)) == [here]


def test_waiting_at_stations_is_what_may_still_be_handed_over(trio, tree, station_a, keeper_a):
    reward = RewardFactory(area=tree.a["district"], stock=5, pickup_stations=[station_a])
    worker = rich(tree.a["community"])
    waiting, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    handed, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    services.hand_over(actor=keeper_a, pickup_code=handed.pickup_code)
    cancelled, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    services.redemption_cancel(redemption=cancelled, worker=worker)
    overdue, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    Redemption.objects.filter(pk=overdue.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert list(selectors.waiting_at_stations(user=keeper_a)) == [waiting]
    assert list(selectors.waiting_at_stations(user=trio.staff_a)) == [waiting]
    assert not selectors.waiting_at_stations(user=trio.viewer_a).exists()  # hands nothing over
    assert not selectors.waiting_at_stations(user=trio.staff_b).exists()


def test_the_catalogue_is_what_the_workers_district_and_above_offer_now(tree, station_a):
    today = timezone.localdate()
    district = RewardFactory(area=tree.a["district"], name="保温杯", points_price=10)
    community = RewardFactory(area=tree.a["community2"], name="雨衣", points_price=5)
    city = RewardFactory(area=tree.city, name="手套", points_price=10)
    sold_out = RewardFactory(area=tree.a["district"], name="头盔", points_price=20, stock=0)
    RewardFactory(area=tree.b["district"], name="庆城雨衣")
    RewardFactory(area=tree.a["district"], name="下架", active=False)
    RewardFactory(area=tree.a["district"], name="未开始", valid_from=today + dt.timedelta(days=1))
    RewardFactory(
        area=tree.a["district"],
        name="已结束",
        valid_from=today - dt.timedelta(days=9),
        valid_until=today - dt.timedelta(days=1),
    )
    worker = WorkerFactory(area=tree.a["community"])
    # Cheapest first, then by name; what is out of stock is shown too.
    assert list(selectors.catalogue_for(worker)) == [community, district, city, sold_out]


def test_redemptions_of_are_the_workers_own(tree, station_a):
    reward = RewardFactory(area=tree.a["district"], pickup_stations=[station_a])
    worker, other = rich(tree.a["community"]), rich(tree.a["community"])
    mine, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    services.redeem(worker=other, reward=reward, station=station_a)
    assert list(selectors.redemptions_of(worker)) == [mine]
    assert list(selectors.redemptions_of(WorkerFactory(area=tree.a["community"]))) == []
