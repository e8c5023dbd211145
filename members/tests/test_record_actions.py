"""Approve and return a registration from the worker's own admin page (issue 14 §5), for
the area trio: the buttons show to staff of A while it waits for review, to nobody else;
the action URLs check the same again."""

import pytest

from members.models import Message, Worker

from .factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(trio):
    return WorkerFactory(
        area=trio.tree.a["community"], phone="13812340011", status=Worker.Status.PENDING
    )


def _page(pk):
    return f"/admin/members/worker/{pk}/change/"


def _do(pk, action):
    return f"/admin/members/worker/{pk}/do/{action}/"


def test_staff_of_a_approve_from_the_record(client, trio, pending):
    client.force_login(trio.staff_a)
    html = client.get(_page(pending.pk)).content.decode()
    assert _do(pending.pk, "approve") in html and _do(pending.pk, "return") in html
    assert client.post(_do(pending.pk, "approve")).url == _page(pending.pk)
    pending.refresh_from_db()
    assert pending.status == Worker.Status.APPROVED
    assert Message.objects.filter(worker=pending).count() == 1
    html = client.get(_page(pending.pk)).content.decode()
    assert _do(pending.pk, "approve") not in html  # nothing left to review
    client.post(_do(pending.pk, "approve"))  # a stale button: changes nothing
    assert Message.objects.filter(worker=pending).count() == 1


def test_returning_asks_for_the_reason_the_worker_reads(client, trio, pending):
    client.force_login(trio.staff_a)
    page = client.get(_do(pending.pk, "return")).content.decode()
    assert 'name="reason"' in page
    refused = client.post(_do(pending.pk, "return"), {"reason": "  "})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    pending.refresh_from_db()
    assert pending.status == Worker.Status.PENDING
    client.post(_do(pending.pk, "return"), {"reason": "请补充身份证号。"})
    pending.refresh_from_db()
    assert (pending.status, pending.status_reason) == (Worker.Status.REJECTED, "请补充身份证号。")


def test_the_viewer_of_a_sees_no_button_and_cannot_post(client, trio, pending):
    client.force_login(trio.viewer_a)
    assert _do(pending.pk, "approve") not in client.get(_page(pending.pk)).content.decode()
    assert client.post(_do(pending.pk, "approve")).status_code == 403
    pending.refresh_from_db()
    assert pending.status == Worker.Status.PENDING


def test_staff_of_b_cannot_reach_it(client, trio, pending):
    client.force_login(trio.staff_b)
    assert client.post(_do(pending.pk, "approve")).status_code == 404
    assert client.get(_do(pending.pk, "no-such-action")).status_code == 404
    pending.refresh_from_db()
    assert pending.status == Worker.Status.PENDING
