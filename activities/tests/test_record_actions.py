"""An activity's and a volunteer service's workflow on their own admin pages (issue 14
§5), for the area trio."""

import pytest

from activities.models import Activity, VolunteerService

from .factories import ActivityFactory, report

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
