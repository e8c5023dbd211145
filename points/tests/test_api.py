"""Points through the API, for the area trio: the ledger and adjustments, the rules,
rewards and redemptions."""

import uuid

import pytest
from django.utils import timezone

from core.testing import client_for
from members.tests.factories import WorkerFactory
from points import services
from points.models import PointsAccount, PointsEntry, PointsRule, Reward

from .factories import give

pytestmark = pytest.mark.django_db


def test_the_api_lists_and_adjusts_per_trio(trio, worker, worker_b):
    give(worker)
    give(worker_b, event=2, reason="乙区培训")
    ledger = client_for(trio.staff_a).get("/api/v1/points-ledger/").json()["results"]
    assert [e["reason"] for e in ledger] == ["参加消防安全培训"]
    accounts = client_for(trio.staff_a).get("/api/v1/points-accounts/").json()["results"]
    assert accounts[0]["balance"] == 10 and accounts[0]["worker_masked"].startswith("王*")
    body = {"worker": worker.pk, "points": 5, "reason": "补录", "request_key": uuid.uuid4().hex}
    assert (
        client_for(trio.viewer_a).post("/api/v1/points-ledger/", body, format="json").status_code
        == 403
    )
    assert (
        client_for(trio.staff_b).post("/api/v1/points-ledger/", body, format="json").status_code
        == 400  # another district's row is no row: 400
    )
    first = client_for(trio.staff_a).post("/api/v1/points-ledger/", body, format="json")
    again = client_for(trio.staff_a).post("/api/v1/points-ledger/", body, format="json")
    assert first.status_code == 201 and again.status_code == 200
    assert PointsAccount.objects.get(worker=worker).balance == 15
    refused = client_for(trio.staff_a).post(
        "/api/v1/points-ledger/", {**body, "points": -100, "request_key": "x2"}, format="json"
    )
    assert refused.status_code == 400 and refused.json()["detail"]
    assert PointsEntry.objects.count() == 3


def test_rules_are_set_for_a_district_by_its_staff(trio):
    tree = trio.tree
    rule = {
        "area": tree.a["district"].pk,
        "event": "attendance",
        "activity_kind": "training",
        "points": 5,
    }
    assert (
        client_for(trio.viewer_a).post("/api/v1/points-rules/", rule, format="json").status_code
        == 403
    )
    assert (
        client_for(trio.staff_b).post("/api/v1/points-rules/", rule, format="json").status_code
        == 400  # another district's row is no row: 400
    )
    made = client_for(trio.staff_a).post("/api/v1/points-rules/", rule, format="json")
    assert made.status_code == 201
    twice = client_for(trio.staff_a).post("/api/v1/points-rules/", rule, format="json")
    assert twice.status_code == 400
    community = client_for(trio.staff_a).post(
        "/api/v1/points-rules/", {**rule, "area": tree.a["community"].pk}, format="json"
    )
    assert community.status_code == 400 and "area" in community.json()
    no_kind = client_for(trio.staff_a).post(
        "/api/v1/points-rules/", {**rule, "activity_kind": "", "points": 3}, format="json"
    )
    assert no_kind.status_code == 400 and "activity_kind" in no_kind.json()
    assert PointsRule.objects.count() == 1
    assert (
        services.rule_points(area=tree.a["community"], event="attendance", activity_kind="training")
        == 5
    )
    assert client_for(trio.staff_b).get("/api/v1/points-rules/").json()["count"] == 0


def test_the_ledger_list_query_count_is_flat(trio, tree, django_assert_max_num_queries):
    api = client_for(trio.staff_a)
    for n in range(3):
        give(WorkerFactory(area=tree.a["community"]), event=n)
    with django_assert_max_num_queries(8) as few:
        api.get("/api/v1/points-ledger/")
    for n in range(3, 13):
        give(WorkerFactory(area=tree.a["community"]), event=n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get("/api/v1/points-ledger/")


@pytest.mark.usefixtures("thirty_points")
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
