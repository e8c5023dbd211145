"""Registration (报到), its review, and what every write path refuses."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from members import rules, services
from members.models import Enterprise, Occupation, Outlet, Worker, WorkerStatusChange
from members.services import PRIVACY_NOTICE_VERSION, WorkerDetails

from .factories import EnterpriseFactory, OutletFactory, WorkerFactory, valid_id_number

pytestmark = pytest.mark.django_db


def details(community, **overrides) -> WorkerDetails:
    values = {
        "name": "王小明",
        "phone": "+86 138-0000-1111",
        "area": community,
        "occupation": Occupation.FOOD_DELIVERY,
    }
    return WorkerDetails(**{**values, **overrides})


def register(community, actor=None, **overrides):
    sensitive = overrides.pop("sensitive_consent", False)
    source = Worker.Source.STAFF if actor else Worker.Source.SELF
    return services.worker_register(
        details=details(community, **overrides),
        source=source,
        notice_version=PRIVACY_NOTICE_VERSION,
        sensitive_consent=sensitive,
        actor=actor,
    )


def test_self_registration_waits_for_review_with_its_history(tree):
    worker, created = register(tree.a["community"])
    assert created and worker.status == Worker.Status.PENDING
    assert worker.phone == "13800001111"
    assert worker.source == Worker.Source.SELF
    assert worker.privacy_notice_version == PRIVACY_NOTICE_VERSION
    (entry,) = worker.status_changes.all()
    assert (entry.from_status, entry.to_status, entry.actor) == ("", "pending", None)


def test_registering_the_same_phone_again_resumes_the_record(tree):
    first, _ = register(tree.a["community"])
    again, created = register(tree.a["community"], phone="13800001111", platform="美团")
    assert not created and again.pk == first.pk
    assert Worker.objects.count() == 1
    assert again.platform == "美团"


def test_a_returned_registration_goes_back_for_review_when_resubmitted(trio):
    worker, _ = register(trio.tree.a["community"])
    services.worker_reject(actor=trio.staff_a, worker=worker, reason="请填写真实姓名")
    worker.refresh_from_db()
    assert (worker.status, worker.status_reason) == ("rejected", "请填写真实姓名")
    worker, _ = register(trio.tree.a["community"], name="王晓明")
    assert worker.status == Worker.Status.PENDING
    assert [c.to_status for c in worker.status_changes.all()] == ["pending", "rejected", "pending"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"name": "  "}, "name"),
        ({"birth_year": 1850}, "birth_year"),
        ({"occupation": "astronaut"}, "occupation"),
    ],
)
def test_bad_details_are_refused_and_nothing_is_saved(tree, overrides, field):
    with pytest.raises(ApplicationError) as refused:
        register(tree.a["community"], **overrides)
    assert field in refused.value.fields
    assert not Worker.objects.exists() and not WorkerStatusChange.objects.exists()


def test_a_district_is_not_a_community(tree):
    with pytest.raises(ApplicationError) as refused:
        register(tree.a["district"])
    assert "area" in refused.value.fields


def test_an_old_privacy_notice_is_refused(tree):
    with pytest.raises(ApplicationError, match="privacy notice"):
        services.worker_register(
            details=details(tree.a["community"]), source="self", notice_version="2020-01"
        )
    assert not Worker.objects.exists()


def test_political_status_needs_the_separate_consent(tree):
    with pytest.raises(ApplicationError) as refused:
        register(tree.a["community"], political_status=Worker.PoliticalStatus.CPC_MEMBER)
    assert "political_status" in refused.value.fields
    worker, _ = register(
        tree.a["community"],
        political_status=Worker.PoliticalStatus.CPC_MEMBER,
        sensitive_consent=True,
    )
    assert worker.sensitive_consent_at is not None


def test_the_database_refuses_political_status_without_consent(tree):
    worker = WorkerFactory(area=tree.a["community"])
    worker.political_status = Worker.PoliticalStatus.CPC_MEMBER
    with pytest.raises(IntegrityError), transaction.atomic():
        worker.save()


def test_id_number_is_encrypted_and_found_by_its_blind_index(tree):
    id_number = valid_id_number(7)
    worker, _ = register(tree.a["community"], id_number=id_number.lower())
    worker.refresh_from_db()
    assert worker.id_number == id_number
    assert worker.masked_id_number == id_number[0] + "*" * 15 + id_number[-2:]
    assert Worker.objects.filter(id_number_index=worker.id_number_index).get() == worker


def _id_refusal(community, actor) -> tuple[str, dict]:
    with pytest.raises(ApplicationError) as refused:
        register(community, actor=actor, phone="13900002222", id_number=valid_id_number(7))
    return refused.value.message, refused.value.fields


def test_an_id_number_already_registered_gets_one_answer_wherever_that_record_is(trio):
    """members.rules: staff of A (who reach the record) and staff of B (who do not) read
    the same words, which name nobody and no community; the worker on the phone is told
    what to do next in their own words."""
    register(trio.tree.a["community"], id_number=valid_id_number(7))
    in_reach = _id_refusal(trio.tree.a["community"], trio.staff_a)
    out_of_reach = _id_refusal(trio.tree.b["community"], trio.staff_b)
    assert in_reach == out_of_reach
    assert set(in_reach[1]) == {"id_number"}
    by_phone, _fields = _id_refusal(trio.tree.b["community"], None)
    for message in (in_reach[0], by_phone):
        assert "138" not in message and "王" not in message and "community" not in message[:60]
        assert trio.tree.a["community"].name not in message
    assert "Search for it" in in_reach[0] and "Log in with that phone" in by_phone
    assert Worker.objects.count() == 1


def test_staff_register_at_a_station_in_their_area(trio):
    worker, created = register(trio.tree.a["community"], actor=trio.staff_a)
    assert created and worker.source == Worker.Source.STAFF
    assert worker.status_changes.get().actor == trio.staff_a


def test_viewers_cannot_register_workers_and_outsiders_cannot_see_the_area(trio):
    with pytest.raises(PermissionDenied):
        register(trio.tree.a["community"], actor=trio.viewer_a)
    with pytest.raises(Http404):
        register(trio.tree.a["community"], actor=trio.staff_b)
    assert not Worker.objects.exists()


def test_staff_cannot_take_over_a_phone_registered_in_another_district(trio, worker_b):
    """Refused without saying where: no "another community", no name, no district."""
    with pytest.raises(ApplicationError) as refused:
        register(trio.tree.a["community"], actor=trio.staff_a, phone=worker_b.phone)
    message = refused.value.message
    assert set(refused.value.fields) == {"phone"}
    assert message == rules.registered_phone_problem(True, by_staff=True)
    assert "another" not in message and "李" not in message
    assert trio.tree.b["district"].name not in message
    assert "log in with it" in message
    worker_b.refresh_from_db()
    assert worker_b.area == trio.tree.b["community"]


def test_outlet_of_another_enterprise_is_refused(tree):
    outlet = OutletFactory(area=tree.a["community"])
    other = EnterpriseFactory(area=tree.a["district"])
    with pytest.raises(ApplicationError) as refused:
        register(tree.a["community"], outlet=outlet, enterprise=other)
    assert "outlet" in refused.value.fields


def test_an_outlet_brings_its_enterprise(tree):
    outlet = OutletFactory(area=tree.a["community"])
    worker, _ = register(tree.a["community"], outlet=outlet)
    assert worker.enterprise == outlet.enterprise


# Review ------------------------------------------------------------------------------


def test_approval_records_who_and_when(trio, worker_a):
    worker = services.worker_approve(actor=trio.staff_a, worker=worker_a)
    assert worker.status == Worker.Status.APPROVED and worker.approved_at is not None
    assert worker.status_changes.last().actor == trio.staff_a


def test_only_pending_registrations_are_reviewed(trio, worker_a):
    services.worker_approve(actor=trio.staff_a, worker=worker_a)
    with pytest.raises(ApplicationError, match="not waiting for review"):
        services.worker_reject(actor=trio.staff_a, worker=worker_a, reason="重复")


def test_returning_needs_a_reason(trio, worker_a):
    with pytest.raises(ApplicationError) as refused:
        services.worker_reject(actor=trio.staff_a, worker=worker_a, reason=" ")
    assert "reason" in refused.value.fields
    worker_a.refresh_from_db()
    assert worker_a.status == Worker.Status.PENDING


def test_review_follows_the_area_trio(trio, worker_a):
    with pytest.raises(PermissionDenied):
        services.worker_approve(actor=trio.viewer_a, worker=worker_a)
    with pytest.raises(Http404):
        services.worker_approve(actor=trio.staff_b, worker=worker_a)
    worker_a.refresh_from_db()
    assert worker_a.status == Worker.Status.PENDING


def test_merging_fills_blanks_and_points_the_duplicate_at_the_kept_record(trio):
    community = trio.tree.a["community"]
    kept = WorkerFactory(area=community, platform="")
    duplicate = WorkerFactory(
        area=community, platform="饿了么", id_number=valid_id_number(3), tags=["夜班"]
    )
    kept = services.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Worker.Status.MERGED, kept)
    assert (kept.platform, kept.id_number, kept.tags) == ("饿了么", valid_id_number(3), ["夜班"])
    # The duplicate's phone now leads to the kept record.
    again, created = register(community, phone=duplicate.phone)
    assert not created and again.pk == kept.pk


def test_two_people_with_different_id_numbers_are_not_merged(trio):
    community = trio.tree.a["community"]
    one = WorkerFactory(area=community, id_number=valid_id_number(1))
    two = WorkerFactory(area=community, id_number=valid_id_number(2))
    with pytest.raises(ApplicationError, match="two people"):
        services.worker_merge(actor=trio.staff_a, duplicate=two, kept=one)
    two.refresh_from_db()
    assert two.status == Worker.Status.PENDING


def test_a_worker_corrects_their_own_record_but_not_their_phone(trio, worker_a):
    worker = services.worker_correct_own(
        worker=worker_a, details=WorkerDetails(platform="美团"), given=["platform"]
    )
    assert worker.platform == "美团"
    with pytest.raises(ApplicationError):
        services.worker_correct_own(
            worker=worker_a, details=WorkerDetails(phone="13900000000"), given=["phone"]
        )


def test_changing_political_status_needs_party_affairs(trio, worker_a):
    worker_a.sensitive_consent_at = timezone.now()
    worker_a.save()
    change = WorkerDetails(political_status=Worker.PoliticalStatus.CPC_MEMBER)
    with pytest.raises(ApplicationError, match="party-affairs"):
        services.worker_update(
            actor=trio.staff_a, worker=worker_a, details=change, given=["political_status"]
        )
    trio.staff_a.grants.update(party_affairs=True)
    trio.staff_a.__dict__.pop("_area_reach", None)
    worker = services.worker_update(
        actor=trio.staff_a, worker=worker_a, details=change, given=["political_status"]
    )
    assert worker.political_status == Worker.PoliticalStatus.CPC_MEMBER


# Enterprises and outlets ------------------------------------------------------------


def test_enterprise_credit_code_is_normalised_and_checked(trio):
    enterprise = Enterprise(
        name="顺达",
        kind=Enterprise.Kind.EXPRESS,
        credit_code="91350100m000100y43",
        area=trio.tree.a["district"],
    )
    services.enterprise_save(actor=trio.staff_a, enterprise=enterprise)
    assert enterprise.credit_code == "91350100M000100Y43"
    bad = Enterprise(
        name="另一家",
        kind=Enterprise.Kind.EXPRESS,
        credit_code="91350100M000100Y44",
        area=trio.tree.a["district"],
    )
    with pytest.raises(ApplicationError) as refused:
        services.enterprise_save(actor=trio.staff_a, enterprise=bad)
    assert "credit_code" in refused.value.fields
    assert Enterprise.objects.count() == 1


def test_outlet_head_counts_must_add_up(trio):
    enterprise = EnterpriseFactory(area=trio.tree.a["district"])
    outlet = Outlet(
        enterprise=enterprise,
        name="东站",
        kind=Outlet.Kind.EXPRESS_OUTLET,
        area=trio.tree.a["community"],
        worker_count=3,
        party_member_count=5,
    )
    with pytest.raises(ApplicationError):
        services.outlet_save(actor=trio.staff_a, outlet=outlet)
    assert not Outlet.objects.exists()


def test_outlets_are_kept_by_staff_of_their_area(trio):
    enterprise = EnterpriseFactory(area=trio.tree.a["district"])
    outlet = Outlet(
        enterprise=enterprise,
        name="东站",
        kind=Outlet.Kind.EXPRESS_OUTLET,
        area=trio.tree.a["community"],
    )
    with pytest.raises(PermissionDenied):
        services.outlet_save(actor=trio.viewer_a, outlet=outlet)
    with pytest.raises(Http404):
        services.outlet_save(actor=trio.staff_b, outlet=outlet)
    services.outlet_save(actor=trio.staff_a, outlet=outlet)
    assert outlet.pk is not None
