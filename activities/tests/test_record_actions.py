"""An activity's and a volunteer service's workflow on their own admin pages (issue 14
§5), for the area trio."""

import datetime as dt

import pytest
from django.utils import timezone

from activities.models import Activity, SignUp, VolunteerService

from .factories import ActivityFactory, now_on, report

pytestmark = pytest.mark.django_db


def test_staff_of_a_publish_then_cancel_an_activity_from_its_page(client, trio):
    activity = ActivityFactory(area=trio.tree.a["community"], status=Activity.Status.DRAFT)
    page = f"/admin/activities/activity/{activity.pk}/change/"
    client.force_login(trio.viewer_a)
    assert "/do/publish/" not in client.get(page).content.decode()
    assert client.post(f"/admin/activities/activity/{activity.pk}/do/publish/").status_code == 403
    client.force_login(trio.staff_b)
    assert client.post(f"/admin/activities/activity/{activity.pk}/do/publish/").status_code == 404
    client.force_login(trio.staff_a)
    assert "/do/publish/" in client.get(page).content.decode()
    client.post(f"/admin/activities/activity/{activity.pk}/do/publish/")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED
    html = client.get(page).content.decode()
    assert "/do/publish/" not in html and "/do/cancel/" in html
    client.post(f"/admin/activities/activity/{activity.pk}/do/cancel/")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED


def test_staff_of_a_verify_or_refuse_a_reported_service_from_its_page(client, trio, worker):
    first, second = report(worker), report(worker, hours="1")
    client.force_login(trio.staff_a)
    base = "/admin/activities/volunteerservice"
    client.post(f"{base}/{first.pk}/do/verify/")
    refused = client.post(f"{base}/{second.pk}/do/not-accept/", {"reason": ""})
    assert "errorlist" in refused.content.decode()
    client.post(f"{base}/{second.pk}/do/not-accept/", {"reason": "当天没有送考安排。"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == VolunteerService.Status.VERIFIED
    assert (second.status, second.reject_reason) == ("rejected", "当天没有送考安排。")


# Roll call and QR code: links from the activity's page to the organisers' pages ----------

ACTIVITY = "/admin/activities/activity"


def _buttons(client, activity) -> set[str]:
    html = client.get(f"{ACTIVITY}/{activity.pk}/change/").content.decode()
    return {name for name in ("roll-call", "qr") if f"{ACTIVITY}/{activity.pk}/{name}/" in html}


def test_roll_call_and_qr_show_where_the_activity_takes_attendance(client, trio):
    community = trio.tree.a["community"]
    now = timezone.now()
    under_way = now_on(community)
    coming = ActivityFactory(area=community)  # tomorrow: print the QR code, no roll call yet
    over = ActivityFactory(area=community, starts_at=now - dt.timedelta(days=2))
    draft = now_on(community, status=Activity.Status.DRAFT)
    cancelled = now_on(community, status=Activity.Status.CANCELLED)
    client.force_login(trio.staff_a)
    assert _buttons(client, under_way) == {"roll-call", "qr"}
    assert _buttons(client, coming) == {"qr"}
    assert _buttons(client, over) == {"roll-call"}  # a roll call completed afterwards
    assert _buttons(client, draft) == _buttons(client, cancelled) == set()
    assert client.get(f"{ACTIVITY}/{under_way.pk}/roll-call/").status_code == 200
    assert client.get(f"{ACTIVITY}/{under_way.pk}/qr/").status_code == 200
    # The record's action URL leads to the page itself.
    assert client.get(f"{ACTIVITY}/{under_way.pk}/do/roll-call/").url == (
        f"{ACTIVITY}/{under_way.pk}/roll-call/"
    )


def test_roll_call_and_qr_are_refused_in_the_wrong_state(client, trio, worker):
    draft = now_on(trio.tree.a["community"], status=Activity.Status.DRAFT)
    over = ActivityFactory(
        area=trio.tree.a["community"], starts_at=timezone.now() - dt.timedelta(days=2)
    )
    client.force_login(trio.staff_a)
    refused = client.post(f"{ACTIVITY}/{draft.pk}/roll-call/", {"present": [worker.pk]})
    assert refused.url == f"{ACTIVITY}/{draft.pk}/change/"
    assert not SignUp.objects.exists()
    followed = client.get(f"{ACTIVITY}/{over.pk}/qr/", follow=True)
    assert followed.redirect_chain[-1][0] == f"{ACTIVITY}/{over.pk}/change/"
    assert "这条记录现在的状态不能做这项操作" in followed.content.decode()


def test_the_viewer_of_a_and_staff_of_b_get_no_roll_call_nor_qr(client, trio, worker):
    activity = now_on(trio.tree.a["community"])
    client.force_login(trio.viewer_a)
    assert _buttons(client, activity) == set()
    for page in ("roll-call", "qr", "do/roll-call", "do/qr"):
        assert client.get(f"{ACTIVITY}/{activity.pk}/{page}/").status_code == 403
    assert (
        client.post(f"{ACTIVITY}/{activity.pk}/roll-call/", {"present": [worker.pk]}).status_code
        == 403
    )
    client.force_login(trio.staff_b)
    for page in ("roll-call", "qr", "do/roll-call", "do/qr"):
        assert client.get(f"{ACTIVITY}/{activity.pk}/{page}/").status_code == 404
    assert not SignUp.objects.exists()
