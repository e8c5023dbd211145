"""Activities and volunteering in the admin, for the area trio: organising, roll call,
revoking an attendance, the QR page, verifying services and appointing roles."""

import datetime as dt

import pytest
from django.utils import timezone

from activities import services
from activities.models import Activity, RoleAppointment, SignUp
from members.tests.factories import WorkerFactory
from points.models import PointsAccount

from .factories import ActivityFactory, now_on, report

pytestmark = pytest.mark.django_db


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


@pytest.mark.usefixtures("hour_rule")
def test_staff_verify_and_reject_in_the_admin_per_trio(client, trio, worker):
    first, second = report(worker), report(worker, hours="1")
    url = "/admin/activities/volunteerservice/"
    client.force_login(trio.viewer_a)
    assert "verify_selected" not in client.get(url).content.decode()
    client.force_login(trio.staff_b)
    assert "高考爱心送考" not in client.get(url).content.decode()
    client.force_login(trio.staff_a)
    assert "status__exact=reported" in client.get("/admin/").content.decode()
    client.post(url, {"action": "verify_selected", "_selected_action": [first.pk]})
    asked = client.post(url, {"action": "reject_selected", "_selected_action": [second.pk]})
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    client.post(
        url, {"action": "reject_selected", "_selected_action": [second.pk], "reason": "时间对不上"}
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("verified", "rejected")
    assert PointsAccount.objects.get(worker=worker).balance == 4


@pytest.mark.usefixtures("hour_rule")
def test_appointments_in_the_admin(client, trio, tree, worker):
    client.force_login(trio.staff_a)
    form = {
        "worker": worker.pk,
        "role": "grid_worker",
        "area": tree.a["community"].pk,
        "started_on": timezone.localdate().isoformat(),
    }
    assert client.post("/admin/activities/roleappointment/add/", form).status_code == 302
    again = client.post("/admin/activities/roleappointment/add/", form)
    assert again.status_code == 200 and RoleAppointment.objects.count() == 1
    client.force_login(trio.viewer_a)
    assert client.post("/admin/activities/roleappointment/add/", form).status_code == 403
