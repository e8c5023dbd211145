"""The members admin for each member of the area trio: masking, unmasking with a logged
reason, the review actions and staff-assisted registration."""

import pytest

from areas.models import AccessLog
from members.models import Worker

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/members/worker/"
HISTORY = {"status_changes-TOTAL_FORMS": 0, "status_changes-INITIAL_FORMS": 0}


def change_url(worker):
    return f"{CHANGELIST}{worker.pk}/change/"


def test_changelist_is_masked_and_shows_only_own_district(client, trio, worker_a, worker_b):
    client.force_login(trio.staff_a)
    html = client.get(CHANGELIST).content.decode()
    assert "138****1234" in html and "13812341234" not in html
    assert "139****5678" not in html
    client.force_login(trio.staff_b)
    html = client.get(CHANGELIST).content.decode()
    assert "139****5678" in html and "138****1234" not in html


def test_change_page_of_another_district_is_not_reachable(client, trio, worker_a):
    client.force_login(trio.staff_b)
    response = client.get(change_url(worker_a))
    assert response.status_code == 302  # the admin's "does not exist" redirect


def test_viewer_sees_but_cannot_approve(client, trio, worker_a):
    client.force_login(trio.viewer_a)
    assert client.get(change_url(worker_a)).status_code == 200
    client.post(CHANGELIST, {"action": "approve_selected", "_selected_action": [worker_a.pk]})
    worker_a.refresh_from_db()
    assert worker_a.status == Worker.Status.PENDING


def test_full_phone_number_search_finds_the_worker(client, trio, worker_a):
    client.force_login(trio.staff_a)
    html = client.get(CHANGELIST, {"q": "13812341234"}).content.decode()
    assert "138****1234" in html


def test_approve_action(client, trio, worker_a):
    client.force_login(trio.staff_a)
    client.post(CHANGELIST, {"action": "approve_selected", "_selected_action": [worker_a.pk]})
    worker_a.refresh_from_db()
    assert worker_a.status == Worker.Status.APPROVED


def test_return_action_asks_for_a_reason_first(client, trio, worker_a):
    client.force_login(trio.staff_a)
    form = {"action": "reject_selected", "_selected_action": [worker_a.pk]}
    page = client.post(CHANGELIST, form)
    assert page.status_code == 200 and "reason" in page.content.decode()
    worker_a.refresh_from_db()
    assert worker_a.status == Worker.Status.PENDING
    client.post(CHANGELIST, {**form, "reason": "姓名与身份证不符"})
    worker_a.refresh_from_db()
    assert (worker_a.status, worker_a.status_reason) == ("rejected", "姓名与身份证不符")


def test_unmasking_needs_the_grant(client, trio, worker_a):
    client.force_login(trio.staff_a)
    client.post(f"{CHANGELIST}{worker_a.pk}/unmask/", {"reason": "核对身份"})
    assert "13812341234" not in client.get(change_url(worker_a)).content.decode()
    assert not AccessLog.objects.exists()


def test_unmasking_with_a_reason_is_logged_each_time_it_shows(client, trio, worker_a):
    trio.staff_a.grants.update(may_unmask=True)
    client.force_login(trio.staff_a)
    unmask = f"{CHANGELIST}{worker_a.pk}/unmask/"
    assert client.post(unmask, {"reason": " "}).status_code == 200  # no reason: asked again
    assert "13812341234" not in client.get(change_url(worker_a)).content.decode()
    client.post(unmask, {"reason": "核对身份"})
    assert "13812341234" in client.get(change_url(worker_a)).content.decode()
    client.get(change_url(worker_a))
    logs = AccessLog.objects.all()
    assert logs.count() == 2
    assert {(log.actor, log.reason, log.object_id, log.area) for log in logs} == {
        (trio.staff_a, "核对身份", str(worker_a.pk), worker_a.area)
    }


def test_the_auditor_reads_the_access_log_of_their_area_only(client, trio, worker_a):
    from areas.audit import record_access
    from areas.models import StaffGrant
    from areas.tests.factories import UserFactory, grant

    record_access(
        actor=trio.staff_a, action="view", reason="核对", area=worker_a.area, obj=worker_a
    )
    auditor_a, auditor_b = UserFactory(username="aud_a"), UserFactory(username="aud_b")
    grant(auditor_a, trio.tree.a["district"], StaffGrant.Role.AUDITOR)
    grant(auditor_b, trio.tree.b["district"], StaffGrant.Role.AUDITOR)
    client.force_login(auditor_a)
    assert "核对" in client.get("/admin/areas/accesslog/").content.decode()
    assert client.get(CHANGELIST).status_code == 403  # auditors read the log, not workers
    client.force_login(auditor_b)
    assert "核对" not in client.get("/admin/areas/accesslog/").content.decode()


def test_staff_assisted_registration_needs_the_workers_consent(client, trio):
    client.force_login(trio.staff_a)
    form = {
        "name": "孙七",
        "phone": "13600001111",
        "occupation": "truck",
        "area": trio.tree.a["community"].pk,
        "tags": "",
        **HISTORY,
    }
    page = client.post(f"{CHANGELIST}add/", form)
    assert page.status_code == 200 and not Worker.objects.exists()
    assert "worker_consented" in page.context["adminform"].form.errors
    client.post(f"{CHANGELIST}add/", {**form, "worker_consented": "on"})
    worker = Worker.objects.get()
    assert (worker.source, worker.status) == (Worker.Source.STAFF, Worker.Status.PENDING)


def test_a_refused_admin_save_keeps_what_was_typed(client, trio):
    client.force_login(trio.staff_a)
    form = {
        "name": "孙七",
        "phone": "13600001111",
        "id_number": "110105194912310021",
        "occupation": "truck",
        "area": trio.tree.a["community"].pk,
        "worker_consented": "on",
        "tags": "",
        **HISTORY,
    }
    page = client.post(f"{CHANGELIST}add/", form)
    assert "id_number" in page.context["adminform"].form.errors
    assert 'value="孙七"' in page.content.decode()
    assert not Worker.objects.exists()


# Merging a duplicate -------------------------------------------------------------------


def _merge_form(*workers, **extra):
    return {"action": "merge_selected", "_selected_action": [w.pk for w in workers], **extra}


def test_merge_page_compares_the_two_masked_and_merges_into_the_chosen_one(client, trio, worker_a):
    from .factories import WorkerFactory

    twin = WorkerFactory(area=worker_a.area, name="张三", phone="13700001111", platform="美团")
    client.force_login(trio.staff_a)
    page = client.post(CHANGELIST, _merge_form(worker_a, twin)).content.decode()
    assert "保留此记录" in page and "137****1111" in page and "13700001111" not in page
    worker_a.refresh_from_db()
    assert worker_a.status == Worker.Status.PENDING  # nothing happens before the choice
    response = client.post(CHANGELIST, _merge_form(worker_a, twin, kept=worker_a.pk))
    assert response.status_code == 302 and response.url == change_url(worker_a)
    twin.refresh_from_db()
    worker_a.refresh_from_db()
    assert (twin.status, twin.merged_into_id) == (Worker.Status.MERGED, worker_a.pk)
    assert worker_a.platform == "美团"


def test_merge_needs_exactly_two_records(client, trio, worker_a):
    client.force_login(trio.staff_a)
    response = client.post(CHANGELIST, _merge_form(worker_a), follow=True)
    assert "恰好选中" in response.content.decode()
    worker_a.refresh_from_db()
    assert worker_a.status == Worker.Status.PENDING


def test_merge_refusal_shows_on_the_page_and_changes_nothing(client, trio):
    from .factories import WorkerFactory, valid_id_number

    community = trio.tree.a["community"]
    one = WorkerFactory(area=community, name="王五", id_number=valid_id_number(1))
    two = WorkerFactory(area=community, name="王五", id_number=valid_id_number(2))
    client.force_login(trio.staff_a)
    page = client.post(CHANGELIST, _merge_form(one, two, kept=one.pk)).content.decode()
    assert "两个人" in page
    assert not Worker.objects.filter(status=Worker.Status.MERGED).exists()
    # No choice made: asked again, nothing merged.
    page = client.post(CHANGELIST, _merge_form(one, two, kept="")).content.decode()
    assert "请选择保留哪条记录" in page
    assert not Worker.objects.filter(status=Worker.Status.MERGED).exists()


def test_merge_is_not_offered_to_the_viewer_nor_reaches_another_district(
    client, trio, worker_a, worker_b
):
    from .factories import WorkerFactory

    twin = WorkerFactory(area=worker_a.area, name="张三")
    client.force_login(trio.viewer_a)
    assert "merge_selected" not in client.get(CHANGELIST).content.decode()
    client.post(CHANGELIST, _merge_form(worker_a, twin, kept=worker_a.pk))
    client.force_login(trio.staff_b)
    client.post(CHANGELIST, _merge_form(worker_a, twin, kept=worker_a.pk))
    client.post(CHANGELIST, _merge_form(worker_b, twin, kept=worker_b.pk))  # one of each
    assert not Worker.objects.filter(status=Worker.Status.MERGED).exists()


def test_possible_duplicates_filter_finds_same_name_in_the_same_community(client, trio, worker_a):
    from .factories import WorkerFactory

    twin = WorkerFactory(area=worker_a.area, name="张三", phone="13700001111")
    WorkerFactory(area=trio.tree.a["community2"], name="张三", phone="13700002222")
    WorkerFactory(area=worker_a.area, name="李六", phone="13700003333")
    client.force_login(trio.staff_a)
    html = client.get(CHANGELIST, {"duplicates": "yes"}).content.decode()
    assert change_url(worker_a) in html and change_url(twin) in html
    assert "137****2222" not in html and "137****3333" not in html
    # The review queue on the index counts the pending ones, for A's staff only.
    assert "duplicates=yes" in client.get("/admin/").content.decode()
    client.force_login(trio.staff_b)
    assert "duplicates=yes" not in client.get("/admin/").content.decode()
