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


# Merging from the worker's own page ---------------------------------------------------


def test_staff_of_a_merge_a_same_name_record_from_the_workers_page(client, trio, worker_a):
    twin = WorkerFactory(
        area=trio.tree.a["community2"], name="张三", phone="13700001111", platform="美团"
    )
    WorkerFactory(area=trio.tree.b["community"], name="张三", phone="13900002222")  # district B
    WorkerFactory(
        name="张三", phone="13600003333", area=worker_a.area, status="merged", merged_into=worker_a
    )
    client.force_login(trio.staff_a)
    assert _do(worker_a.pk, "merge") in client.get(_page(worker_a.pk)).content.decode()
    choose = client.get(_do(worker_a.pk, "merge")).content.decode()
    assert "137****1111" in choose and f"?other={twin.pk}" in choose
    assert "139****2222" not in choose and "136****3333" not in choose
    compare = client.get(_do(worker_a.pk, "merge"), {"other": twin.pk}).content.decode()
    assert "保留此记录" in compare and "138****1234" in compare and "137****1111" in compare
    assert "13700001111" not in compare
    twin.refresh_from_db()
    assert twin.status != Worker.Status.MERGED  # nothing happens before the choice
    done = client.post(_do(worker_a.pk, "merge"), {"other": twin.pk, "kept": worker_a.pk})
    assert done.url == _page(worker_a.pk)
    twin.refresh_from_db()
    worker_a.refresh_from_db()
    assert (twin.status, twin.merged_into_id) == (Worker.Status.MERGED, worker_a.pk)
    assert worker_a.platform == "美团"
    assert _do(twin.pk, "merge") not in client.get(_page(twin.pk)).content.decode()


def test_the_other_record_is_found_by_its_full_phone_number_and_may_be_the_one_kept(
    client, trio, worker_a, worker_b
):
    other = WorkerFactory(area=trio.tree.a["community"], name="张叁", phone="13700001111")
    client.force_login(trio.staff_a)
    found = client.get(_do(worker_a.pk, "merge"), {"q": "13700001111"}).content.decode()
    assert f"?other={other.pk}" in found
    for out_of_reach in (worker_b.phone, worker_a.phone):  # another district's, its own
        page = client.get(_do(worker_a.pk, "merge"), {"q": out_of_reach}).content.decode()
        assert "?other=" not in page
    done = client.post(_do(worker_a.pk, "merge"), {"other": other.pk, "kept": other.pk})
    assert done.url == _page(other.pk)
    worker_a.refresh_from_db()
    assert (worker_a.status, worker_a.merged_into_id) == (Worker.Status.MERGED, other.pk)


def test_a_merge_refused_from_the_workers_page_changes_nothing(client, trio, worker_b):
    from .factories import valid_id_number

    community = trio.tree.a["community"]
    one = WorkerFactory(area=community, name="王五", id_number=valid_id_number(1))
    two = WorkerFactory(area=community, name="王五", id_number=valid_id_number(2))
    merged = WorkerFactory(
        area=community, name="王五", status=Worker.Status.MERGED, merged_into=one
    )
    client.force_login(trio.staff_a)
    page = client.post(_do(one.pk, "merge"), {"other": two.pk, "kept": one.pk})
    assert "两个人" in page.content.decode()
    page = client.post(_do(one.pk, "merge"), {"other": two.pk, "kept": ""})
    assert "请选择保留哪条记录" in page.content.decode()
    # Another district's record, a merged one, one that does not exist: the same answer.
    for other in (worker_b.pk, merged.pk, 999999, "x"):
        page = client.post(_do(one.pk, "merge"), {"other": other, "kept": one.pk})
        assert page.status_code == 200 and "保留此记录" not in page.content.decode()
    assert Worker.objects.filter(status=Worker.Status.MERGED).count() == 1
    # A merged record's stale button: a plain message.
    stale = client.post(_do(merged.pk, "merge"), {"other": one.pk, "kept": one.pk}, follow=True)
    assert "这条记录现在的状态不能做这项操作" in stale.content.decode()
    assert Worker.objects.filter(status=Worker.Status.MERGED).count() == 1


def test_the_viewer_of_a_and_staff_of_b_cannot_merge_from_the_page(client, trio, worker_a):
    twin = WorkerFactory(area=worker_a.area, name="张三", phone="13700001111")
    client.force_login(trio.viewer_a)
    assert _do(worker_a.pk, "merge") not in client.get(_page(worker_a.pk)).content.decode()
    assert client.get(_do(worker_a.pk, "merge")).status_code == 403
    merge = {"other": twin.pk, "kept": worker_a.pk}
    assert client.post(_do(worker_a.pk, "merge"), merge).status_code == 403
    client.force_login(trio.staff_b)
    assert client.post(_do(worker_a.pk, "merge"), merge).status_code == 404
    assert not Worker.objects.filter(status=Worker.Status.MERGED).exists()
