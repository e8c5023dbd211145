"""Activities and volunteering on the phone (list, sign-up, waiting list, cancel,
attendance QR, reporting a service) and the public service list, for the area trio."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from activities.models import Activity, SignUp, VolunteerService
from members.phone_login import SESSION_PHONE
from members.tests.factories import WorkerFactory, phone_logged_in
from points.models import PointsAccount

from .factories import PHONE, ActivityFactory, now_on

pytestmark = pytest.mark.django_db


def logged_in(client, phone=PHONE):
    return phone_logged_in(client, phone)


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


def test_a_phone_without_a_record_registers_first_and_comes_back(client, tree):
    logged_in(client, "13700009999")
    response = client.get("/m/activities/")
    assert response.status_code == 302
    assert response.url == "/m/register/?then=%2Fm%2Factivities%2F"


@pytest.mark.usefixtures("hour_rule")
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
    assert "1.5 小时" in page and " h<" not in page  # hours in words (issue 14 §2)
    # The phone's date picker reads ISO dates only: today's is filled in as one.
    assert f'type="date" name="served_on" value="{timezone.localdate().isoformat()}"' in page
    bad = client.post("/m/volunteer/", {**form, "hours": "30", "client_key": str(uuid.uuid4())})
    assert bad.status_code == 200 and 'class="error"' in bad.content.decode()
    assert VolunteerService.objects.count() == 1


def test_another_districts_activity_is_not_there_for_the_worker(client, tree, worker):
    theirs = ActivityFactory(area=tree.b["community"])
    client = logged_in(client)
    assert client.get(f"/m/activities/{theirs.pk}/").status_code == 404
    assert client.post(f"/m/activities/{theirs.pk}/sign-up/").status_code == 404
    assert not SignUp.objects.exists()
    ours = ActivityFactory(area=tree.a["district"])
    assert client.get(f"/m/activities/{ours.pk}/").status_code == 200
