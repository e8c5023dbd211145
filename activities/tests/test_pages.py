"""Activities on the phone (list, sign-up, waiting list, cancel, attendance QR), the public
service list, the admin (organising, roll call, revoking) and the API, for the area trio."""

import datetime as dt

import pytest
from django.utils import timezone

from activities.models import Activity, SignUp
from core.testing import client_for
from members.phone_login import SESSION_PHONE
from members.tests.factories import WorkerFactory
from points.models import PointsAccount

from .factories import ActivityFactory

pytestmark = pytest.mark.django_db
PHONE = "13700001111"


@pytest.fixture
def worker(tree):
    return WorkerFactory(area=tree.a["community"], phone=PHONE, name="王小二")


def logged_in(client, phone=PHONE):
    session = client.session
    session[SESSION_PHONE] = phone
    session.save()
    return client


def now_on(community, **kw):
    now = timezone.now()
    return ActivityFactory(
        area=community,
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=1),
        **kw,
    )


def test_the_worker_sees_their_districts_activities_and_signs_up(client, tree, worker):
    mine = ActivityFactory(area=tree.a["community2"], title="电动车安全培训", capacity=1)
    ActivityFactory(area=tree.b["community"], title="庆城义诊")
    ActivityFactory(area=tree.a["community"], title="草稿", status=Activity.Status.DRAFT)
    logged_in(client)
    listing = client.get("/m/activities/").content.decode()
    assert "电动车安全培训" in listing and "庆城义诊" not in listing and "草稿" not in listing
    response = client.post(f"/m/activities/{mine.pk}/sign-up/", follow=True)
    assert "报名成功" in response.content.decode() or "名额" in response.content.decode()
    assert SignUp.objects.get(worker=worker).status == "confirmed"
    # Someone else now finds it full: the waiting list, with their number.
    other = WorkerFactory(area=tree.a["community"], phone="13700002222")
    logged_in(client, other.phone)
    page = client.post(f"/m/activities/{mine.pk}/sign-up/", follow=True).content.decode()
    assert "候补" in page
    # The first cancels: the second gets the place.
    logged_in(client)
    client.post(f"/m/activities/{mine.pk}/cancel/")
    assert SignUp.objects.get(worker=other).status == "confirmed"


def test_refusals_show_as_messages_and_change_nothing(client, tree, worker):
    started = now_on(tree.a["community"])
    logged_in(client)
    page = client.post(f"/m/activities/{started.pk}/sign-up/", follow=True).content.decode()
    assert 'class="message error"' in page
    assert not SignUp.objects.exists()
    assert client.get("/m/activities/999999/").status_code == 404


def test_the_activity_qr_records_attendance_with_one_tap(client, tree, worker):
    activity = now_on(tree.a["community"], points=6)
    logged_in(client)
    page = client.get(f"/m/a/{activity.attendance_key}/")
    assert page.status_code == 200 and SignUp.objects.count() == 0  # GET changes nothing
    response = client.post(f"/m/a/{activity.attendance_key}/")
    assert response.status_code == 302
    assert SignUp.objects.get(worker=worker).status == "attended"
    assert PointsAccount.objects.get(worker=worker).balance == 6
    assert client.get("/m/a/not-a-key/").status_code == 404


def test_the_qr_needs_the_login_first(client, tree):
    activity = now_on(tree.a["community"])
    response = client.get(f"/m/a/{activity.attendance_key}/")
    assert response.status_code == 302 and response.url.startswith("/m/login/")


def test_the_service_list_is_public_and_by_month(client, tree):
    now = timezone.localtime()
    ActivityFactory(
        area=tree.a["community"],
        title="义剪进驿站",
        kind="haircut",
        starts_at=now.replace(day=1, hour=9) + dt.timedelta(days=27),
        ends_at=now.replace(day=1, hour=11) + dt.timedelta(days=27),
    )
    ActivityFactory(area=tree.b["community"], title="庆城义诊")
    month = f"{(now.replace(day=1) + dt.timedelta(days=27)).strftime('%Y-%m')}"
    html = client.get(
        "/m/service-list/", {"area": tree.a["district"].code, "month": month}
    ).content.decode()
    assert "义剪进驿站" in html and "庆城义诊" not in html and "暖新服务清单" in html
    assert client.get("/m/service-list/").status_code == 404
    # A nonsense month falls back to this month rather than failing.
    assert (
        client.get("/m/service-list/", {"area": tree.a["district"].code, "month": "x"}).status_code
        == 200
    )


# The admin --------------------------------------------------------------------------------


def _activity_form(community, **extra):
    start = timezone.localtime() + dt.timedelta(days=3)
    return {
        "kind": "training",
        "title": "消防安全培训",
        "area": community.pk,
        "address": "北大街社区党群服务中心",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": "09:00:00",
        "ends_at_0": start.strftime("%Y-%m-%d"),
        "ends_at_1": "11:00:00",
        "volunteer_hours": "0",
        "signups-TOTAL_FORMS": 0,
        "signups-INITIAL_FORMS": 0,
        **extra,
    }


def test_organising_in_the_admin_per_trio(client, trio, tree):
    client.force_login(trio.staff_a)
    assert (
        client.post(
            "/admin/activities/activity/add/", _activity_form(tree.a["community"])
        ).status_code
        == 302
    )
    activity = Activity.objects.get()
    assert activity.status == "draft" and activity.created_by == trio.staff_a
    bad = client.post(
        "/admin/activities/activity/add/",
        _activity_form(tree.a["community"], address="", title="无地点"),
    )
    assert bad.status_code == 200 and Activity.objects.count() == 1
    client.post(
        "/admin/activities/activity/",
        {"action": "publish_selected", "_selected_action": [activity.pk]},
    )
    activity.refresh_from_db()
    assert activity.status == "published"
    assert "消防安全培训" in client.get("/admin/activities/activity/").content.decode()
    client.force_login(trio.staff_b)
    assert "消防安全培训" not in client.get("/admin/activities/activity/").content.decode()
    client.force_login(trio.viewer_a)
    assert "消防安全培训" in client.get("/admin/activities/activity/").content.decode()
    assert (
        client.post(
            "/admin/activities/activity/add/", _activity_form(tree.a["community"])
        ).status_code
        == 403
    )
    assert "publish_selected" not in client.get("/admin/activities/activity/").content.decode()


def test_the_roll_call_page_records_signed_up_and_walk_ins(client, trio, tree, worker):
    activity = now_on(tree.a["community"], points=4)
    SignUp.objects.create(
        activity=activity, worker=worker, status="confirmed", queued_at=timezone.now()
    )
    walk_in = WorkerFactory(area=tree.a["community2"], phone="13700003333")
    client.force_login(trio.staff_a)
    url = f"/admin/activities/activity/{activity.pk}/roll-call/"
    page = client.get(url).content.decode()
    assert "王**" in page and "王小二" not in page
    refused = client.post(url, {"present": [worker.pk], "walk_in_phones": "13900009999"})
    assert refused.status_code == 200 and "13900009999" in refused.content.decode()
    assert not SignUp.objects.filter(status="attended").exists()
    done = client.post(url, {"present": [worker.pk], "walk_in_phones": walk_in.phone})
    assert done.status_code == 302
    assert SignUp.objects.filter(status="attended").count() == 2
    assert PointsAccount.objects.get(worker=walk_in).balance == 4
    client.force_login(trio.staff_b)
    assert client.get(url).status_code == 404
    client.force_login(trio.viewer_a)
    assert client.post(url, {"present": [worker.pk]}).status_code == 403


def test_taking_an_attendance_back_in_the_admin_reverses_its_points(client, trio, tree, worker):
    from activities import services

    activity = now_on(tree.a["community"], points=4)
    signup = services.attend_by_qr(worker=worker, attendance_key=activity.attendance_key)
    client.force_login(trio.staff_a)
    form = {"action": "revoke_selected", "_selected_action": [signup.pk]}
    asked = client.post("/admin/activities/signup/", form)
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    client.post("/admin/activities/signup/", {**form, "reason": "代签到"})
    signup.refresh_from_db()
    assert signup.status == "no_show" and PointsAccount.objects.get(worker=worker).balance == 0


def test_the_attendance_qr_page_is_printable_for_the_area(client, trio, tree):
    activity = ActivityFactory(area=tree.a["community"])
    client.force_login(trio.staff_a)
    page = client.get(f"/admin/activities/activity/{activity.pk}/qr/").content.decode()
    assert "<svg" in page and activity.attendance_key in page
    client.force_login(trio.staff_b)
    assert client.get(f"/admin/activities/activity/{activity.pk}/qr/").status_code == 404


def test_the_index_shows_roll_calls_due(client, trio, tree):
    now_on(tree.a["community"])
    client.force_login(trio.staff_a)
    assert "roll_call=due" in client.get("/admin/").content.decode()
    client.force_login(trio.staff_b)
    assert "roll_call=due" not in client.get("/admin/").content.decode()


# The API ----------------------------------------------------------------------------------


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


def test_a_phone_without_a_record_registers_first_and_comes_back(client, tree):
    logged_in(client, "13700009999")
    response = client.get("/m/activities/")
    assert response.status_code == 302
    assert response.url == "/m/register/?then=%2Fm%2Factivities%2F"
