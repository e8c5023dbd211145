"""Points on the phone, in the admin and the API, for the area trio."""

import uuid

import pytest

from core.testing import client_for
from members.phone_login import SESSION_PHONE
from members.tests.factories import WorkerFactory
from points import services
from points.models import PointsAccount, PointsEntry, PointsRule

pytestmark = pytest.mark.django_db
PHONE = "13700001111"


@pytest.fixture
def worker(tree):
    return WorkerFactory(area=tree.a["community"], phone=PHONE, name="王小二")


@pytest.fixture
def worker_b(tree):
    return WorkerFactory(area=tree.b["community"], phone="13900002222")


def give(worker, points=10, event=1, reason="参加消防安全培训"):
    return services.points_award(
        worker=worker, points=points, source="attendance", source_id=event, reason=reason
    )


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


def test_the_ledger_in_the_admin_per_trio_and_never_changed(client, trio, worker, worker_b):
    entry = give(worker).entry
    give(worker_b, event=2, reason="乙区培训")
    client.force_login(trio.staff_a)
    listing = client.get("/admin/points/pointsentry/").content.decode()
    assert "参加消防安全培训" in listing and "乙区培训" not in listing
    assert client.get(f"/admin/points/pointsentry/{entry.pk}/change/").status_code == 200
    client.post(f"/admin/points/pointsentry/{entry.pk}/change/", {"reason": "改"})
    assert (
        client.post(f"/admin/points/pointsentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.reason == "参加消防安全培训"
    client.force_login(trio.staff_b)
    assert "参加消防安全培训" not in client.get("/admin/points/pointsentry/").content.decode()
    client.force_login(trio.viewer_a)
    assert "参加消防安全培训" in client.get("/admin/points/pointsentry/").content.decode()
    assert client.get("/admin/points/pointsentry/add/").status_code == 403


def test_staff_adjust_in_the_admin_with_a_reason(client, trio, worker):
    give(worker)
    account = PointsAccount.objects.get(worker=worker)
    client.force_login(trio.staff_a)
    form = {"account": account.pk, "points": -30, "reason": "更正", "submission_key": "k1"}
    page = client.post("/admin/points/pointsentry/add/", form)
    assert page.status_code == 200 and "10" in page.content.decode()  # not enough points
    form.update(points=5, reason="纸质台账补录", submission_key="k2")
    assert client.post("/admin/points/pointsentry/add/", form).status_code == 302
    assert PointsAccount.objects.get(worker=worker).balance == 15


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
