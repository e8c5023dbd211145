"""A worker's rights over their data (services.privacy): agreeing to the notice, withdrawing
the consent to sensitive data, asking for deletion and staff answering it — and what each
refuses."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from members import selectors, services
from members.models import (
    ConsentEvent,
    ContactLog,
    ContactPair,
    DeletionRequest,
    LoginCode,
    Worker,
)
from members.services import PRIVACY_NOTICE_VERSION
from members.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_a_self_registered_worker_has_agreed_and_a_staff_registered_one_has_not(tree):
    own = WorkerFactory(area=tree.a["community"])
    by_staff = WorkerFactory(area=tree.a["community"], source=Worker.Source.STAFF)
    imported = WorkerFactory(
        area=tree.a["community"], source=Worker.Source.IMPORT, privacy_notice_version="import"
    )
    assert selectors.notice_accepted_by_worker(own.pk, PRIVACY_NOTICE_VERSION)
    assert not selectors.notice_accepted_by_worker(by_staff.pk, PRIVACY_NOTICE_VERSION)
    assert not selectors.notice_accepted_by_worker(imported.pk, PRIVACY_NOTICE_VERSION)


def test_agreeing_records_it_once_against_the_version(tree):
    worker = WorkerFactory(area=tree.a["community"], source=Worker.Source.STAFF)
    first = services.notice_accept(worker=worker, version=PRIVACY_NOTICE_VERSION)
    again = services.notice_accept(worker=worker, version=PRIVACY_NOTICE_VERSION)
    assert first == again and first.actor is None
    worker.refresh_from_db()
    assert worker.privacy_notice_version == PRIVACY_NOTICE_VERSION


def test_agreeing_to_an_old_version_is_refused(tree):
    worker = WorkerFactory(area=tree.a["community"], source=Worker.Source.STAFF)
    with pytest.raises(ApplicationError) as refused:
        services.notice_accept(worker=worker, version="2020-01")
    assert "consent" in refused.value.fields
    assert not ConsentEvent.objects.filter(worker=worker).exists()


def test_withdrawing_removes_the_value_and_keeps_only_the_fact(tree):
    worker = WorkerFactory(
        area=tree.a["community"], political_status="cpc", sensitive_consent_at=timezone.now()
    )
    services.sensitive_consent_withdraw(worker=worker)
    worker.refresh_from_db()
    assert (worker.political_status, worker.sensitive_consent_at) == ("", None)
    event = ConsentEvent.objects.get(worker=worker, kind=ConsentEvent.Kind.SENSITIVE_WITHDRAWN)
    assert event.notice_version == "" and event.actor is None
    assert "cpc" not in str(
        list(ConsentEvent.objects.filter(worker=worker).values())
    )  # nothing of the value


def test_withdrawing_a_consent_never_given_is_refused(tree):
    worker = WorkerFactory(area=tree.a["community"])
    with pytest.raises(ApplicationError):
        services.sensitive_consent_withdraw(worker=worker)
    assert not ConsentEvent.objects.filter(kind=ConsentEvent.Kind.SENSITIVE_WITHDRAWN).exists()


def test_a_deletion_request_has_a_15_day_deadline_and_only_one_waits(tree):
    worker = WorkerFactory(area=tree.a["community"])
    request = services.deletion_request_create(worker=worker, note="不干了")
    assert request.due_on == timezone.localdate() + dt.timedelta(days=15)
    with pytest.raises(ApplicationError):
        services.deletion_request_create(worker=worker)
    with pytest.raises(IntegrityError):  # and the database says so too
        DeletionRequest.objects.create(worker=worker, due_on=timezone.localdate())


def test_the_worker_cancels_only_their_own_waiting_request(tree):
    worker, other = (WorkerFactory(area=tree.a["community"]) for _ in range(2))
    request = services.deletion_request_create(worker=worker)
    with pytest.raises(ApplicationError):
        services.deletion_request_cancel(worker=other, request=request)
    services.deletion_request_cancel(worker=worker, request=request)
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.CANCELLED
    with pytest.raises(ApplicationError):
        services.deletion_request_cancel(worker=worker, request=request)


def test_staff_of_the_area_complete_it_and_the_record_names_no_one(trio, worker_a):
    worker_a.id_number = "62100219900101001X"
    worker_a.political_status, worker_a.sensitive_consent_at = "cpc", timezone.now()
    worker_a.save()
    phone = worker_a.phone
    LoginCode.objects.create(
        phone=phone, code_hash="x", expires_at=timezone.now() + dt.timedelta(minutes=5)
    )
    pair = ContactPair.objects.create(
        worker=worker_a, staff=trio.staff_a, started_on=timezone.localdate()
    )
    ContactLog.objects.create(
        pair=pair, kind="visit", on=timezone.localdate(), note="家住西峰", recorded_by=trio.staff_a
    )
    request = services.deletion_request_create(worker=worker_a, note="我的手机号13812341234")

    services.deletion_request_complete(actor=trio.staff_a, request=request)

    worker = Worker.objects.get(pk=worker_a.pk)
    assert worker.erased_at is not None
    assert worker.name == services.ERASED_NAME and worker.phone != phone
    assert (worker.id_number, worker.id_number_index, worker.political_status) == ("", None, "")
    assert selectors.worker_for_phone(phone) is None  # nobody logs in to it any more
    assert not LoginCode.objects.filter(phone=phone).exists()
    pair.refresh_from_db()
    assert pair.ended_on == timezone.localdate()
    assert ContactLog.objects.get(pair=pair).note == ""
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.note) == ("done", trio.staff_a, "")


def test_the_same_phone_can_register_again_after_deletion(trio, worker_a):
    services.worker_erase(actor=trio.staff_a, worker=worker_a)
    again = WorkerFactory(area=trio.tree.a["community"], phone="13812341234")
    assert again.pk != worker_a.pk


def test_staff_of_another_district_cannot_see_it_and_a_viewer_cannot_complete_it(trio, worker_a):
    from django.core.exceptions import PermissionDenied

    request = services.deletion_request_create(worker=worker_a)
    with pytest.raises(Http404):
        services.deletion_request_complete(actor=trio.staff_b, request=request)
    with pytest.raises(PermissionDenied):
        services.deletion_request_complete(actor=trio.viewer_a, request=request)
    with pytest.raises(Http404):
        services.deletion_request_refuse(actor=trio.staff_b, request=request, reason="不行")
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.PENDING
    assert Worker.objects.get(pk=worker_a.pk).erased_at is None


def test_a_refusal_needs_a_reason_the_worker_reads(trio, worker_a):
    request = services.deletion_request_create(worker=worker_a)
    with pytest.raises(ApplicationError) as refused:
        services.deletion_request_refuse(actor=trio.staff_a, request=request, reason="  ")
    assert "refusal_reason" in refused.value.fields
    services.deletion_request_refuse(actor=trio.staff_a, request=request, reason="兑换尚未完成")
    request.refresh_from_db()
    assert (request.status, request.refusal_reason) == ("refused", "兑换尚未完成")
    with pytest.raises(ApplicationError):  # answered once
        services.deletion_request_complete(actor=trio.staff_a, request=request)
    assert services.deletion_request_create(worker=worker_a).status == "pending"  # may ask again


def test_the_deletion_queue_is_scoped(trio, worker_a, worker_b):
    services.deletion_request_create(worker=worker_a)
    services.deletion_request_create(worker=worker_b)
    assert [r.worker_id for r in selectors.deletion_queue(user=trio.staff_a)] == [worker_a.pk]
    assert not selectors.deletion_queue(user=trio.viewer_a).exists()
    assert [r.worker_id for r in selectors.deletion_queue(user=trio.staff_b)] == [worker_b.pk]


def test_a_merged_away_record_is_erased_with_the_record_it_leads_to(trio, tree):
    community = tree.a["community"]
    kept, duplicate = WorkerFactory(area=community), WorkerFactory(area=community)
    services.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    with pytest.raises(ApplicationError):
        services.worker_erase(actor=trio.staff_a, worker=Worker.objects.get(pk=duplicate.pk))
    services.worker_erase(actor=trio.staff_a, worker=kept)
    for record in Worker.objects.filter(pk__in=[kept.pk, duplicate.pk]):
        assert record.erased_at and record.name == services.ERASED_NAME


def test_a_merge_takes_the_consents_and_one_waiting_request_to_the_kept_record(trio, tree):
    community = tree.a["community"]
    kept = WorkerFactory(area=community, source=Worker.Source.STAFF)
    duplicate = WorkerFactory(area=community)
    services.deletion_request_create(worker=kept)
    services.deletion_request_create(worker=duplicate)
    services.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    assert selectors.notice_accepted_by_worker(kept.pk, PRIVACY_NOTICE_VERSION)
    requests = DeletionRequest.objects.filter(worker=kept)
    assert requests.count() == 2 and requests.filter(status="pending").count() == 1
