"""Points in the admin, for the area trio: the ledger (read-only, staff adjust it with a
reason), redemptions and the keeper's hand-over counter."""

import pytest

from points import services
from points.models import PointsAccount

from .factories import give

pytestmark = pytest.mark.django_db


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
    client.force_login(trio.staff_a)
    form = {"worker": worker.pk, "points": -30, "reason": "更正", "submission_key": "k1"}
    page = client.post("/admin/points/pointsentry/add/", form)
    assert page.status_code == 200 and "10" in page.content.decode()  # not enough points
    form.update(points=5, reason="纸质台账补录", submission_key="k2")
    assert client.post("/admin/points/pointsentry/add/", form).status_code == 302
    assert PointsAccount.objects.get(worker=worker).balance == 15


def test_staff_pick_a_worker_without_an_account_and_it_is_opened(client, trio, worker, worker_b):
    """A worker who never earned a point has no account yet: staff pick the worker."""
    client.force_login(trio.staff_a)
    add = client.get("/admin/points/pointsentry/add/").content.decode()
    assert 'name="worker"' in add and "/admin/members/worker/" in add  # the picker
    form = {"worker": worker.pk, "points": 20, "reason": "纸质台账补录", "submission_key": "k3"}
    assert client.post("/admin/points/pointsentry/add/", form).status_code == 302
    assert PointsAccount.objects.get(worker=worker).balance == 20
    # Another district's worker is no valid choice, as a missing one is not.
    form.update(worker=worker_b.pk, submission_key="k4")
    page = client.post("/admin/points/pointsentry/add/", form)
    assert page.status_code == 200 and 'class="errorlist' in page.content.decode()
    assert not PointsAccount.objects.filter(worker=worker_b).exists()


@pytest.mark.usefixtures("thirty_points")
def test_the_keeper_hands_over_at_the_counter(client, keeper_a, worker, reward, station_a):
    redemption, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    client.force_login(keeper_a)
    url = "/admin/points/redemption/hand-over/"
    prefilled = client.get(url, {"pickup_code": redemption.pickup_code}).content.decode()
    assert redemption.pickup_code in prefilled
    redemption.refresh_from_db()
    assert redemption.status == "reserved"  # opening the scanned link hands nothing over
    wrong = client.post(url, {"pickup_code": "ZZZZ2222"})
    assert wrong.status_code == 200 and 'class="errorlist' in wrong.content.decode()
    client.post(url, {"pickup_code": redemption.pickup_code})
    redemption.refresh_from_db()
    assert redemption.status == "handed_over" and redemption.handed_over_by == keeper_a
    assert "status__exact=reserved" not in client.get("/admin/").content.decode()  # none waiting


@pytest.mark.usefixtures("thirty_points")
def test_redemptions_in_the_admin_per_trio(client, trio, worker, reward, station_a):
    services.redeem(worker=worker, reward=reward, station=station_a)
    client.force_login(trio.staff_a)
    assert "保温杯" in client.get("/admin/points/redemption/").content.decode()
    assert "status__exact=reserved" in client.get("/admin/").content.decode()
    client.force_login(trio.staff_b)
    assert "保温杯" not in client.get("/admin/points/redemption/").content.decode()
    client.force_login(trio.viewer_a)
    assert client.get("/admin/points/redemption/hand-over/").status_code == 403


@pytest.mark.usefixtures("thirty_points")
def test_the_counter_shows_what_and_to_whom_before_the_keeper_confirms(
    client, keeper_a, trio, worker, reward, station_a
):
    redemption, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    url = "/admin/points/redemption/hand-over/"
    client.force_login(keeper_a)
    shown = client.get(url, {"pickup_code": redemption.pickup_code.lower()}).content.decode()
    assert 'class="waiting-redemption"' in shown and reward.name in shown
    assert worker.masked_name in shown and worker.phone not in shown
    client.force_login(trio.staff_b)  # another district's code shows nothing
    other = client.get(url, {"pickup_code": redemption.pickup_code}).content.decode()
    assert 'class="waiting-redemption"' not in other


@pytest.mark.usefixtures("thirty_points")
def test_hand_over_and_cancel_from_the_redemption_page(client, trio, worker, reward, station_a):
    first, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    second, _ = services.redeem(worker=worker, reward=reward, station=station_a)
    client.force_login(trio.viewer_a)
    page = client.get(f"/admin/points/redemption/{first.pk}/change/").content.decode()
    assert "/do/hand-over/" not in page
    assert client.post(f"/admin/points/redemption/{first.pk}/do/hand-over/").status_code == 403
    client.force_login(trio.staff_a)
    assert (
        "/do/hand-over/"
        in client.get(f"/admin/points/redemption/{first.pk}/change/").content.decode()
    )
    client.post(f"/admin/points/redemption/{first.pk}/do/hand-over/")
    client.post(f"/admin/points/redemption/{second.pk}/do/cancel/")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("handed_over", "cancelled")
