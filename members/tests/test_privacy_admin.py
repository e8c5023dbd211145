"""Account deletion requests in the admin, for the area trio: staff of A complete or refuse
A's, the viewer of A reads them and changes nothing, staff of B see none of them."""

import pytest

from members import services
from members.models import DeletionRequest, Worker

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/members/deletionrequest/"


@pytest.fixture
def request_a(worker_a):
    return services.deletion_request_create(worker=worker_a)


def test_staff_of_a_see_it_masked_and_staff_of_b_do_not(client, trio, request_a):
    client.force_login(trio.staff_a)
    html = client.get(CHANGELIST).content.decode()
    assert "138****1234" in html and "13812341234" not in html
    client.force_login(trio.staff_b)
    assert "138****1234" not in client.get(CHANGELIST).content.decode()
    assert client.get(f"{CHANGELIST}{request_a.pk}/change/").status_code == 302


def test_staff_of_a_complete_it(client, trio, request_a):
    client.force_login(trio.staff_a)
    client.post(CHANGELIST, {"action": "complete_selected", "_selected_action": [request_a.pk]})
    request_a.refresh_from_db()
    assert request_a.status == DeletionRequest.Status.DONE
    assert Worker.objects.get(pk=request_a.worker_id).erased_at is not None


def test_refusing_asks_for_the_reason_first(client, trio, request_a):
    client.force_login(trio.staff_a)
    form = {"action": "refuse_selected", "_selected_action": [request_a.pk]}
    page = client.post(CHANGELIST, form)
    assert page.status_code == 200 and "reason" in page.content.decode()
    request_a.refresh_from_db()
    assert request_a.status == DeletionRequest.Status.PENDING
    client.post(CHANGELIST, {**form, "reason": "积分兑换还没完成"})
    request_a.refresh_from_db()
    assert (request_a.status, request_a.refusal_reason) == ("refused", "积分兑换还没完成")


def test_the_viewer_of_a_reads_but_cannot_complete(client, trio, request_a):
    client.force_login(trio.viewer_a)
    assert client.get(CHANGELIST).status_code == 200
    client.post(CHANGELIST, {"action": "complete_selected", "_selected_action": [request_a.pk]})
    request_a.refresh_from_db()
    assert request_a.status == DeletionRequest.Status.PENDING
    assert Worker.objects.get(pk=request_a.worker_id).erased_at is None


def test_staff_of_b_cannot_complete_a_by_id(client, trio, request_a):
    client.force_login(trio.staff_b)
    client.post(CHANGELIST, {"action": "complete_selected", "_selected_action": [request_a.pk]})
    request_a.refresh_from_db()
    assert request_a.status == DeletionRequest.Status.PENDING


def test_nobody_adds_or_deletes_requests_in_the_admin(client, trio, request_a):
    client.force_login(trio.staff_a)
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.get(f"{CHANGELIST}{request_a.pk}/delete/").status_code == 403


def test_the_work_queue_shows_waiting_requests_to_staff_of_the_area(client, trio, request_a):
    queue_link = f"{CHANGELIST}?status__exact=pending"
    client.force_login(trio.staff_a)
    assert queue_link in client.get("/admin/").content.decode()
    client.force_login(trio.staff_b)
    assert queue_link not in client.get("/admin/").content.decode()


def test_a_deleted_account_is_read_only_in_the_worker_admin(client, trio, worker_a):
    services.worker_erase(actor=trio.staff_a, worker=worker_a)
    client.force_login(trio.staff_a)
    page = client.get(f"/admin/members/worker/{worker_a.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
