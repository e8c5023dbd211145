"""A registered worker moves to another community or district (issue 14 §2): asked on the
phone, accepted (or declined with a reason) by the receiving community on the transfer's
own admin page; the old community keeps the history and its registration figures."""

import pytest
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from members import services
from members.facts import FACTS
from members.models import Message, Worker, WorkerTransfer
from members.selectors import transfers_to_decide

from .factories import WorkerFactory, phone_logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(trio):
    return WorkerFactory(
        area=trio.tree.a["community"],
        phone="13812340021",
        status=Worker.Status.APPROVED,
        approved_at=timezone.now(),
    )


def _fact(key):
    return next(f for f in FACTS if f.key == key)


def _ask_on_phone(client, worker, community):
    phone_logged_in(client, worker.phone)
    page = client.get(f"/m/me/?area={community.code}").content.decode()
    assert "接收" in page  # "Saving asks … to accept you": the move is explained first
    return client.post(
        f"/m/me/?area={community.code}",
        {"name": worker.name, "occupation": worker.occupation},
        follow=True,
    )


def _changelist_html(client, user):
    client.force_login(user)
    return client.get("/admin/members/workertransfer/").content.decode()


def _page(transfer):
    return f"/admin/members/workertransfer/{transfer.pk}/change/"


def _do(transfer, action):
    return f"/admin/members/workertransfer/{transfer.pk}/do/{action}/"


def test_a_worker_asks_on_the_phone_and_stays_registered_until_accepted(client, trio, registered):
    other_district = trio.tree.b["community"]
    answer = _ask_on_phone(client, registered, other_district).content.decode()
    assert "仍在" in answer or "接收" in answer
    registered.refresh_from_db()
    assert (registered.area, registered.status) == (trio.tree.a["community"], "approved")
    transfer = WorkerTransfer.objects.get(worker=registered)
    assert (transfer.status, transfer.to_area) == ("pending", other_district)
    me = client.get("/m/me/").content.decode()
    assert "撤回" in me and other_district.name in me

    # The receiving district's staff see it waiting, with the buttons; the old district's
    # staff read it as history without them; its viewer acts on nothing.
    client.force_login(trio.staff_b)
    assert _do(transfer, "accept") in client.get(_page(transfer)).content.decode()
    client.force_login(trio.staff_a)
    page = client.get(_page(transfer))
    assert page.status_code == 200 and _do(transfer, "accept") not in page.content.decode()
    assert client.post(_do(transfer, "accept")).status_code in (403, 404)
    client.force_login(trio.viewer_a)
    assert client.post(_do(transfer, "accept")).status_code in (403, 404)
    transfer.refresh_from_db()
    assert transfer.status == "pending"

    client.force_login(trio.staff_b)
    client.post(_do(transfer, "accept"))
    transfer.refresh_from_db()
    registered.refresh_from_db()
    assert transfer.status == "accepted" and transfer.decided_by == trio.staff_b
    assert registered.area == other_district and registered.status == "approved"
    # The old community keeps the registration in its figures; the new one counts a move in.
    assert registered.registered_area == trio.tree.a["community"]
    assert _fact("members.registrations").rows(area=trio.tree.a["district"]).count() == 1
    assert _fact("members.registrations").rows(area=trio.tree.b["district"]).count() == 0
    assert _fact("members.transfers_in").rows(area=trio.tree.b["district"]).count() == 1
    assert Message.objects.filter(worker=registered).count() == 1
    # …and its staff still read the move as history.
    assert str(transfer.pk) in _changelist_html(client, trio.staff_a)


def test_the_receiving_community_declines_with_a_reason_the_worker_reads(trio, registered):
    transfer = services.transfer_request(worker=registered, to_area=trio.tree.b["community"])
    with pytest.raises(ApplicationError):
        services.transfer_decline(actor=trio.staff_b, transfer=transfer, reason="  ")
    services.transfer_decline(actor=trio.staff_b, transfer=transfer, reason="请先到社区当面登记。")
    transfer.refresh_from_db()
    registered.refresh_from_db()
    assert transfer.status == "declined" and registered.area == trio.tree.a["community"]
    assert "请先到社区当面登记" in Message.objects.get(worker=registered).body
    with pytest.raises(ApplicationError):  # decided once
        services.transfer_accept(actor=trio.staff_b, transfer=transfer)


def test_what_a_request_refuses(trio, registered):
    with pytest.raises(ApplicationError):  # the community the worker is in
        services.transfer_request(worker=registered, to_area=trio.tree.a["community"])
    with pytest.raises(ApplicationError):  # a district, not a community or street
        services.transfer_request(worker=registered, to_area=trio.tree.b["district"])
    services.transfer_request(worker=registered, to_area=trio.tree.b["community"])
    with pytest.raises(ApplicationError, match="撤回|withdraw"):  # one at a time
        services.transfer_request(worker=registered, to_area=trio.tree.b["community2"])
    pending = WorkerFactory(area=trio.tree.a["community"], phone="13812340022")
    with pytest.raises(ApplicationError):  # not approved: it goes to review instead
        services.transfer_request(worker=pending, to_area=trio.tree.b["community"])
    with pytest.raises(Http404):  # staff of another district reach nobody here
        services.transfer_request(
            worker=pending, to_area=trio.tree.b["community"], actor=trio.staff_b
        )
    assert WorkerTransfer.objects.count() == 1


def test_the_worker_withdraws_and_nothing_waits(client, trio, registered):
    services.transfer_request(worker=registered, to_area=trio.tree.b["community"])
    phone_logged_in(client, registered.phone)
    client.post("/m/me/transfer/withdraw/")
    assert WorkerTransfer.objects.get().status == "withdrawn"
    answer = client.post("/m/me/transfer/withdraw/", follow=True).content.decode()
    assert answer.count("没有") >= 1 or "nothing" in answer.lower()
    with pytest.raises(ApplicationError):
        services.transfer_accept(actor=trio.staff_b, transfer=WorkerTransfer.objects.get())


def test_a_move_the_worker_no_longer_fits_is_refused_on_accept(trio, registered):
    transfer = services.transfer_request(worker=registered, to_area=trio.tree.b["community"])
    # Staff of A moved the worker within their district meanwhile (recorded as a transfer).
    services.worker_update(
        actor=trio.staff_a,
        worker=registered,
        details=services.WorkerDetails(area=trio.tree.a["community2"]),
        given=["area"],
    )
    with pytest.raises(ApplicationError):
        services.transfer_accept(actor=trio.staff_b, transfer=transfer)
    statuses = dict(WorkerTransfer.objects.values_list("to_area__code", "status"))
    assert statuses == {
        trio.tree.b["community"].code: "withdrawn",
        trio.tree.a["community2"].code: "accepted",
    }
    registered.refresh_from_db()
    assert registered.registered_area == trio.tree.a["community"]


def test_staff_reaching_both_communities_move_the_worker_at_once(trio, registered):
    transfer = services.transfer_request(
        worker=registered, to_area=trio.tree.a["community2"], actor=trio.staff_a
    )
    registered.refresh_from_db()
    assert transfer.status == "accepted" and registered.area == trio.tree.a["community2"]


def test_a_registration_not_yet_approved_simply_goes_to_the_new_review(client, trio):
    pending = WorkerFactory(
        area=trio.tree.a["community"], phone="13812340023", status=Worker.Status.PENDING
    )
    phone_logged_in(client, pending.phone)
    client.post(
        f"/m/me/?area={trio.tree.b['community'].code}",
        {"name": pending.name, "occupation": pending.occupation},
    )
    pending.refresh_from_db()
    assert pending.area == pending.registered_area == trio.tree.b["community"]
    assert not WorkerTransfer.objects.exists()


def test_a_merge_takes_the_moves_and_withdraws_what_waited(trio, registered):
    duplicate = WorkerFactory(
        area=trio.tree.a["community"],
        phone="13812340024",
        name=registered.name,
        status=Worker.Status.APPROVED,
        approved_at=timezone.now(),
    )
    services.transfer_request(worker=duplicate, to_area=trio.tree.b["community"])
    services.worker_merge(actor=trio.city, duplicate=duplicate, kept=registered)
    moved = WorkerTransfer.objects.get()
    assert (moved.worker, moved.status) == (registered, "withdrawn")


def test_the_work_queue_counts_the_moves_to_decide(client, trio, registered):
    services.transfer_request(worker=registered, to_area=trio.tree.b["community"])
    assert transfers_to_decide(user=trio.staff_b).count() == 1
    assert transfers_to_decide(user=trio.staff_a).count() == 0
    assert transfers_to_decide(user=trio.viewer_a).count() == 0
