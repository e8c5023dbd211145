"""The members API: the area trio on every route, masking, refusals, pinned query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.testing import client_for
from members.models import Enterprise, Outlet, Worker
from members.services import PRIVACY_NOTICE_VERSION

from .factories import EnterpriseFactory, OutletFactory, WorkerFactory

pytestmark = pytest.mark.django_db
WORKERS = "/api/v1/workers/"
ENTERPRISES = "/api/v1/enterprises/"
OUTLETS = "/api/v1/outlets/"


def new_worker(community, **overrides):
    return {
        "name": "赵六",
        "phone": "13700001234",
        "area": community.code,
        "occupation": "courier",
        "privacy_notice_version": PRIVACY_NOTICE_VERSION,
        **overrides,
    }


# The area trio ---------------------------------------------------------------------------


def test_each_staff_member_lists_only_their_districts_workers(trio, worker_a, worker_b):
    def names(user):
        return [w["name"] for w in client_for(user).get(WORKERS).json()["results"]]

    assert names(trio.staff_a) == ["张*"]
    assert names(trio.viewer_a) == ["张*"]
    assert names(trio.staff_b) == ["李*"]
    assert sorted(names(trio.city)) == ["张*", "李*"]


def test_anonymous_gets_nothing(worker_a):
    assert client_for().get(WORKERS).status_code == 403


def test_detail_outside_the_district_is_404(trio, worker_a):
    url = f"{WORKERS}{worker_a.pk}/"
    assert client_for(trio.staff_a).get(url).status_code == 200
    assert client_for(trio.viewer_a).get(url).status_code == 200
    assert client_for(trio.staff_b).get(url).status_code == 404


def test_output_is_masked(trio, worker_a):
    data = client_for(trio.staff_a).get(f"{WORKERS}{worker_a.pk}/").json()
    assert (data["name"], data["phone"]) == ("张*", "138****1234")
    assert "13812341234" not in str(data)


def test_staff_register_a_worker_and_the_viewer_cannot(trio):
    payload = new_worker(trio.tree.a["community"])
    assert client_for(trio.viewer_a).post(WORKERS, payload, format="json").status_code == 403
    # Another district's community is no community: 400, as for one that does not exist.
    assert client_for(trio.staff_b).post(WORKERS, payload, format="json").status_code == 400
    response = client_for(trio.staff_a).post(WORKERS, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "staff"
    assert Worker.objects.get().phone == "13700001234"


def test_bad_registration_is_a_400_in_chinese_and_saves_nothing(trio):
    client = client_for(trio.staff_a)
    response = client.post(
        WORKERS,
        new_worker(trio.tree.a["community"], id_number="110105194912310021"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "校验" in " ".join(response.json()["id_number"])
    assert not Worker.objects.exists()


def test_review_actions_follow_the_trio(trio, worker_a):
    url = f"{WORKERS}{worker_a.pk}/"
    assert client_for(trio.viewer_a).post(f"{url}approve/").status_code == 403
    assert client_for(trio.staff_b).post(f"{url}approve/").status_code == 404
    reject = client_for(trio.staff_a).post(f"{url}reject/", {}, format="json")
    assert reject.status_code == 400
    response = client_for(trio.staff_a).post(f"{url}approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"


def test_merge_through_the_api(trio, worker_a):
    duplicate = WorkerFactory(area=trio.tree.a["community2"], platform="美团")
    response = client_for(trio.staff_a).post(
        f"{WORKERS}{worker_a.pk}/merge/", {"duplicate": duplicate.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["platform"] == "美团"
    duplicate.refresh_from_db()
    assert duplicate.status == Worker.Status.MERGED


def test_corrections_follow_the_trio_and_bad_values_change_nothing(trio, worker_a):
    url = f"{WORKERS}{worker_a.pk}/"
    change = {"platform": "美团"}
    assert client_for(trio.viewer_a).patch(url, change, format="json").status_code == 403
    assert client_for(trio.staff_b).patch(url, change, format="json").status_code == 404
    bad = client_for(trio.staff_a).patch(url, {"birth_year": 1850}, format="json")
    assert bad.status_code == 400 and "birth_year" in bad.json()
    ok = client_for(trio.staff_a).patch(url, change, format="json")
    assert ok.status_code == 200 and ok.json()["platform"] == "美团"
    worker_a.refresh_from_db()
    assert (worker_a.platform, worker_a.birth_year) == ("美团", None)


def test_workers_are_never_deleted(trio, worker_a):
    response = client_for(trio.staff_a).delete(f"{WORKERS}{worker_a.pk}/")
    assert response.status_code == 405
    assert Worker.objects.filter(pk=worker_a.pk).exists()


def test_search_by_full_phone_and_filter_by_status(trio, worker_a):
    WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    client = client_for(trio.staff_a)
    found = client.get(WORKERS, {"q": "138 1234 1234"}).json()["results"]
    assert [w["id"] for w in found] == [worker_a.pk]
    pending = client.get(WORKERS, {"status": "pending"}).json()["results"]
    assert [w["id"] for w in pending] == [worker_a.pk]


def test_worker_list_query_count_does_not_grow_with_rows(trio):
    community = trio.tree.a["community"]
    outlet = OutletFactory(area=community)
    user_model = type(trio.staff_a)

    def queries() -> int:
        client = client_for(user_model.objects.get(pk=trio.staff_a.pk))  # reach not cached
        with CaptureQueriesContext(connection) as captured:
            assert client.get(WORKERS).status_code == 200
        return len(captured)

    WorkerFactory(area=community, outlet=outlet, enterprise=outlet.enterprise)
    few = queries()
    for _ in range(5):
        WorkerFactory(area=community, outlet=outlet, enterprise=outlet.enterprise)
    assert queries() == few <= 4  # grants (+ kept stations), count, one page


# Enterprises and outlets -------------------------------------------------------------


def test_enterprises_follow_the_trio(trio):
    EnterpriseFactory(area=trio.tree.a["district"], name="甲快递")
    EnterpriseFactory(area=trio.tree.b["district"], name="乙快递")
    for user, expected in (
        (trio.staff_a, ["甲快递"]),
        (trio.viewer_a, ["甲快递"]),
        (trio.staff_b, ["乙快递"]),
    ):
        assert [e["name"] for e in client_for(user).get(ENTERPRISES).json()["results"]] == expected


def test_enterprise_with_a_bad_credit_code_is_refused(trio):
    payload = {
        "name": "顺达",
        "kind": "express",
        "credit_code": "91350100M000100Y44",
        "area": trio.tree.a["district"].code,
    }
    response = client_for(trio.staff_a).post(ENTERPRISES, payload, format="json")
    assert response.status_code == 400 and "credit_code" in response.json()
    assert client_for(trio.viewer_a).post(ENTERPRISES, payload, format="json").status_code == 403
    assert not Enterprise.objects.exists()


def test_outlet_created_and_contact_phone_masked(trio):
    enterprise = EnterpriseFactory(area=trio.tree.a["district"])
    payload = {
        "enterprise": enterprise.pk,
        "name": "东站",
        "kind": "express_outlet",
        "area": trio.tree.a["community"].code,
        "worker_count": 12,
        "party_member_count": 2,
        "contact_phone": "13612345678",
    }
    assert client_for(trio.staff_b).post(OUTLETS, payload, format="json").status_code == 400
    response = client_for(trio.staff_a).post(OUTLETS, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["contact_phone"] == "136****5678"
    assert Outlet.objects.get().contact_phone == "13612345678"


def test_search_matches_whole_values_and_is_limited(trio, worker_a, monkeypatch):
    from core.ratelimit import Limit
    from members import selectors

    client = client_for(trio.staff_a)
    found = client.get(f"{WORKERS}?q={worker_a.name}").json()["results"]
    assert [row["id"] for row in found] == [worker_a.pk]
    assert client.get(f"{WORKERS}?q={worker_a.name[:1]}").json()["count"] == 0  # no partials
    monkeypatch.setattr(selectors, "PERSONAL_SEARCHES", Limit(2, 600, "Too many searches"))
    client.get(f"{WORKERS}?q=13800000000")
    refused = client.get(f"{WORKERS}?q=13800000001")
    assert refused.status_code == 400 and "Too many searches" in str(refused.json())
