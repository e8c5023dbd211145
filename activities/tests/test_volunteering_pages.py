"""Volunteering on the phone, in the admin and the API, for the area trio."""

import uuid

import pytest
from django.utils import timezone

from activities import services
from activities.models import RoleAppointment, VolunteerService
from core.testing import client_for
from members.phone_login import SESSION_PHONE
from members.tests.factories import WorkerFactory
from points.models import PointsAccount, PointsRule

pytestmark = pytest.mark.django_db
PHONE = "13700001111"


@pytest.fixture
def worker(tree):
    PointsRule.objects.create(area=tree.a["district"], event="volunteer_hour", points=2)
    return WorkerFactory(area=tree.a["community"], phone=PHONE, name="王小二")


def report(worker, hours="2"):
    service, _ = services.service_report(
        worker=worker,
        kind="exam_escort",
        served_on=timezone.localdate(),
        hours=hours,
        description="高考爱心送考",
    )
    return service


def test_the_worker_reports_and_sees_the_status(client, worker):
    session = client.session
    session[SESSION_PHONE] = PHONE
    session.save()
    form = {
        "kind": "errands",
        "served_on": timezone.localdate().isoformat(),
        "hours": "1.5",
        "description": "帮独居老人买药",
        "client_key": str(uuid.uuid4()),
    }
    assert client.post("/m/volunteer/", form).status_code == 302
    assert client.post("/m/volunteer/", form).status_code == 302  # double tap: one report
    assert VolunteerService.objects.count() == 1
    page = client.get("/m/volunteer/").content.decode()
    assert "爱心跑腿" in page and "待核实" in page
    bad = client.post("/m/volunteer/", {**form, "hours": "30", "client_key": str(uuid.uuid4())})
    assert bad.status_code == 200 and 'class="error"' in bad.content.decode()
    assert VolunteerService.objects.count() == 1


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
