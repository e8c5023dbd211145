"""Activities and volunteering through the API, for the area trio: organising,
roll call and revoking, volunteer services and role appointments."""

import datetime as dt

import pytest
from django.utils import timezone

from activities.models import SignUp
from core.testing import client_for
from points.models import PointsAccount

from .factories import ActivityFactory, now_on, report

pytestmark = pytest.mark.django_db


def test_activities_in_the_api_per_trio(trio, tree, worker):
    start = timezone.now() + dt.timedelta(days=2)
    body = {
        "kind": "free_clinic",
        "title": "义诊进驿站",
        "area": tree.a["community"].pk,
        "address": "北大街",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "capacity": 30,
    }
    assert (
        client_for(trio.viewer_a).post("/api/v1/activities/", body, format="json").status_code
        == 403
    )
    assert (
        client_for(trio.staff_b).post("/api/v1/activities/", body, format="json").status_code == 400
    )
    made = client_for(trio.staff_a).post("/api/v1/activities/", body, format="json")
    assert made.status_code == 201 and made.json()["status"] == "draft"
    pk = made.json()["id"]
    bad = client_for(trio.staff_a).post(
        "/api/v1/activities/", {**body, "ends_at": start.isoformat()}, format="json"
    )
    assert bad.status_code == 400 and "ends_at" in bad.json()
    published = client_for(trio.staff_a).post(f"/api/v1/activities/{pk}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert client_for(trio.staff_b).get(f"/api/v1/activities/{pk}/").status_code == 404
    assert client_for(trio.staff_a).get("/api/v1/activities/").json()["count"] == 1


def test_roll_call_and_revoke_through_the_api(trio, tree, worker):
    activity = now_on(tree.a["community"], points=3)
    url = f"/api/v1/activities/{activity.pk}/roll-call/"
    unknown = client_for(trio.staff_a).post(url, {"phones": ["13900009999"]}, format="json")
    assert unknown.status_code == 400 and "phones" in unknown.json()
    marked = client_for(trio.staff_a).post(url, {"workers": [worker.pk]}, format="json")
    assert marked.status_code == 200 and marked.json()[0]["status"] == "attended"
    signup = SignUp.objects.get(worker=worker)
    revoke = f"/api/v1/sign-ups/{signup.pk}/revoke/"
    assert (
        client_for(trio.viewer_a).post(revoke, {"reason": "错"}, format="json").status_code == 403
    )
    assert client_for(trio.staff_b).post(revoke, {"reason": "错"}, format="json").status_code == 404
    assert client_for(trio.staff_a).post(revoke, {}, format="json").status_code == 400
    done = client_for(trio.staff_a).post(revoke, {"reason": "代签到"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "no_show"
    assert PointsAccount.objects.get(worker=worker).balance == 0
    listed = client_for(trio.staff_a).get("/api/v1/sign-ups/").json()["results"]
    assert listed[0]["worker_masked"].startswith("王*")
    assert client_for(trio.staff_b).get("/api/v1/sign-ups/").json()["count"] == 0


def test_the_activity_list_query_count_is_flat(trio, tree, django_assert_max_num_queries):
    api = client_for(trio.staff_a)
    for _ in range(3):
        ActivityFactory(area=tree.a["community"])
    with django_assert_max_num_queries(8) as few:
        api.get("/api/v1/activities/")
    for _ in range(10):
        ActivityFactory(area=tree.a["community"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get("/api/v1/activities/")


@pytest.mark.usefixtures("hour_rule")
def test_volunteering_through_the_api_per_trio(trio, tree, worker):
    service = report(worker)
    url = f"/api/v1/volunteer-services/{service.pk}/"
    assert client_for(trio.staff_b).get(url).status_code == 404
    assert client_for(trio.viewer_a).post(f"{url}verify/").status_code == 403
    assert client_for(trio.staff_a).post(f"{url}reject/", {}, format="json").status_code == 400
    verified = client_for(trio.staff_a).post(f"{url}verify/")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    body = {
        "worker": worker.pk,
        "kind": "patrol",
        "area": tree.a["community"].pk,
        "served_on": timezone.localdate().isoformat(),
        "hours": "3",
        "description": "夜间巡逻",
    }
    recorded = client_for(trio.staff_a).post("/api/v1/volunteer-services/", body, format="json")
    assert recorded.status_code == 201 and recorded.json()["status"] == "verified"
    too_long = client_for(trio.staff_a).post(
        "/api/v1/volunteer-services/", {**body, "hours": "20"}, format="json"
    )
    assert too_long.status_code == 400 and "hours" in too_long.json()
    assert PointsAccount.objects.get(worker=worker).balance == 10
    appoint = {
        "worker": worker.pk,
        "role": "propagandist",
        "area": tree.a["community"].pk,
        "started_on": timezone.localdate().isoformat(),
    }
    assert (
        client_for(trio.staff_b)
        .post("/api/v1/role-appointments/", appoint, format="json")
        .status_code
        == 400  # another district's worker and area are no worker and no area
    )
    made = client_for(trio.staff_a).post("/api/v1/role-appointments/", appoint, format="json")
    assert made.status_code == 201
    ended = client_for(trio.staff_a).post(
        f"/api/v1/role-appointments/{made.json()['id']}/end/",
        {"on": timezone.localdate().isoformat()},
        format="json",
    )
    assert ended.status_code == 200 and ended.json()["ended_on"]
