"""A case's life (issue 16 §2–3): reported, accepted with points, split into tasks,
resolved, reopened when not fixed, closed when fixed — and what each step refuses, in
plain words, with nothing changed."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import OutboxJob
from core.testing import at_once
from feedback import services
from feedback.models import (
    Case,
    CaseFollower,
    CaseNotice,
    CasePhoto,
    FeedbackRules,
    PartnerDepartment,
)
from feedback.personal_data import feedback_erase
from feedback.services import Place
from members.models import Worker
from members.tests.factories import WorkerFactory
from points.models import PointsEntry, PointsRule
from stations.tests.factories import StationFactory

from .factories import category, photo, report, suggestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(trio):
    return WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)


@pytest.fixture
def station(trio):
    return StationFactory(area=trio.tree.a["community"])


@pytest.fixture
def case(worker, station):
    return report(worker, station=station, photos=[photo()])


def test_a_report_at_a_station_is_routed_timed_and_kept_with_its_photo(case, station, worker):
    assert (case.status, case.area, case.responsible_area) == (
        "submitted",
        station.area,
        station.area,
    )
    assert case.source == "phone" and case.reporter == worker
    assert case.due_at > timezone.now() + timedelta(days=1)  # three working days
    assert list(case.hops.values_list("rule", flat=True)) == ["station"]
    assert list(case.status_changes.values_list("from_status", "to_status")) == [("", "submitted")]
    stored = case.photos.get()
    assert stored.role == "problem" and stored.image.name.startswith("feedback.photo/")


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"text": "   "}, "text"),
        ({"text": "长" * 501}, "text"),
        ({"kind": "suggestion"}, "category"),  # 飞线充电 is a hazard
        ({"kind": "complaint"}, "kind"),
        ({"photos": [photo(f"{n}.png") for n in range(5)]}, "photos"),
        (
            {"photos": [SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")]},
            "photos",
        ),
        ({"place": Place(lng=116.40, lat=39.90)}, "place"),  # nowhere near the platform
        ({"place": Place(lng=500, lat=35)}, "place"),
        ({"place": Place(lng="abc", lat=35)}, "place"),
        ({"place": Place()}, "place"),  # a hazard without a place
    ],
)
def test_what_a_report_refuses_keeps_nothing(worker, station, overrides, field):
    with pytest.raises(ApplicationError) as refused:
        report(worker, **({"station": station} if "place" not in overrides else {}), **overrides)
    assert field in refused.value.fields, refused.value.fields
    assert not Case.objects.exists() and not CasePhoto.objects.exists()


def test_public_words_pass_the_sensitive_word_check(worker, station):
    with pytest.raises(ApplicationError, match="cannot be shown in public"):
        report(worker, station=station, text="加微信领红包 刷单兼职", public=True)
    assert report(worker, station=station, text="加微信领红包 刷单兼职", public=False)


def test_a_double_tap_or_a_replay_is_the_one_case(worker, station):
    key = uuid.uuid4()
    first = report(worker, station=station, client_key=key)
    assert report(worker, station=station, client_key=key) == first
    assert Case.objects.count() == 1
    with pytest.raises(ApplicationError, match="another account"):
        report(WorkerFactory(area=worker.area), station=station, client_key=key)


@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_at_once_makes_one_case(trio):
    worker = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    station = StationFactory(area=trio.tree.a["community"])
    key = uuid.uuid4()
    outcomes = at_once(5, lambda n: report(worker, station=station, client_key=key))
    assert outcomes == ["ok"] * 5 and Case.objects.count() == 1


def test_i_have_this_too_follows_instead_of_a_second_case(case, worker):
    other = WorkerFactory(area=worker.area)
    services.case_follow(worker=other, case=case)
    services.case_follow(worker=other, case=case)  # twice: still once
    assert list(case.followers.values_list("worker", flat=True)) == [other.pk]
    with pytest.raises(ApplicationError, match="reported this yourself"):
        services.case_follow(worker=worker, case=case)


def test_staff_accept_and_the_reporter_earns_the_districts_points_once(trio, case, worker):
    PointsRule.objects.create(
        area=trio.tree.a["district"], event=PointsRule.Event.VERIFIED_FEEDBACK, points=3
    )
    services.case_accept(actor=trio.staff_a, case=case, priority="urgent", note="属实")
    case.refresh_from_db()
    assert case.status == "accepted" and case.accepted_at and case.first_response_at
    entry = PointsEntry.objects.get(account__worker=worker)
    assert (entry.amount, entry.source, entry.source_id) == (3, "feedback", str(case.pk))
    with pytest.raises(ApplicationError, match="someone has dealt with it"):
        services.case_accept(actor=trio.staff_a, case=case)
    assert PointsEntry.objects.count() == 1
    assert worker.messages.filter(title__contains=case.number).exists()


def test_who_may_triage_the_area_trio(trio, case):
    with pytest.raises(PermissionDenied):
        services.case_accept(actor=trio.viewer_a, case=case)
    with pytest.raises(Http404):
        services.case_decline(actor=trio.staff_b, case=case, reason="不归我们")
    assert Case.objects.get(pk=case.pk).status == "submitted"


@pytest.mark.django_db(transaction=True)
def test_two_staff_triaging_at_once_get_one_outcome(trio):
    worker = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    case = report(worker, station=StationFactory(area=trio.tree.a["community"]))
    actions = [
        lambda: services.case_accept(actor=trio.staff_a, case=case),
        lambda: services.case_decline(actor=trio.city, case=case, reason="重复了"),
    ]
    outcomes = at_once(2, lambda n: actions[n]())
    assert outcomes.count("ok") == 1, outcomes
    assert case.status_changes.count() == 2  # submitted, and the one outcome


def test_a_decline_needs_a_reason_the_worker_reads(trio, case, worker):
    with pytest.raises(ApplicationError) as refused:
        services.case_decline(actor=trio.staff_a, case=case, reason="  ")
    assert "reason" in refused.value.fields
    services.case_decline(actor=trio.staff_a, case=case, reason="这是私人纠纷，请拨打12345")
    case.refresh_from_db()
    assert (case.status, case.status_reason) == ("declined", "这是私人纠纷，请拨打12345")


def test_a_duplicate_makes_its_reporter_a_follower_of_the_original(trio, case, station):
    second = report(WorkerFactory(area=station.area), station=station, text="楼道里有电线")
    with pytest.raises(ApplicationError, match="cannot repeat itself"):
        services.case_mark_duplicate(actor=trio.staff_a, case=second, original=second)
    services.case_mark_duplicate(actor=trio.staff_a, case=second, original=case)
    second.refresh_from_db()
    assert (second.status, second.duplicate_of) == ("duplicate", case)
    assert case.followers.filter(worker=second.reporter).exists()


def test_referring_to_a_partner_department_tells_it_by_text_message(trio, case):
    office = PartnerDepartment.objects.create(
        area=trio.tree.a["district"], sector="labour", name="区人社局", duty_phone="13900000001"
    )
    elsewhere = PartnerDepartment.objects.create(
        area=trio.tree.b["district"], sector="labour", name="庆城人社"
    )
    with pytest.raises(ApplicationError) as refused:
        services.case_refer(actor=trio.staff_a, case=case, department=elsewhere, reason="劳动纠纷")
    assert "department" in refused.value.fields
    services.case_refer(actor=trio.staff_a, case=case, department=office, reason="劳动纠纷")
    case.refresh_from_db()
    assert (case.status, case.department, case.responsible_area) == (
        "referred",
        office,
        trio.tree.a["district"],
    )
    notice = CaseNotice.objects.get(case=case, kind="referred")
    assert OutboxJob.objects.filter(task="feedback.tasks.text_notice", args=[notice.pk]).exists()
    assert services.notice_text(notice_id=notice.pk) == "sent"
    assert services.notice_text(notice_id=notice.pk) == "done"  # once


def test_rerouting_moves_the_case_and_records_why(trio, case):
    services.case_reroute(
        actor=trio.staff_a, case=case, area=trio.tree.a["community2"], reason="地点在乙社区"
    )
    case.refresh_from_db()
    assert case.area == case.responsible_area == trio.tree.a["community2"]
    hop = case.hops.last()
    assert (hop.rule, hop.reason, hop.actor) == ("rerouted", "地点在乙社区", trio.staff_a)
    with pytest.raises(ApplicationError, match="community or a street"):
        services.case_reroute(
            actor=trio.staff_a, case=case, area=trio.tree.a["district"], reason="x"
        )


def _accepted(trio, case):
    return services.case_accept(actor=trio.staff_a, case=case)


def test_tasks_split_the_work_and_every_task_is_finished_before_the_answer(trio, case):
    case = _accepted(trio, case)
    with pytest.raises(ApplicationError) as refused:
        services.task_add(
            actor=trio.staff_a, case=case, description="拆除飞线", unit=trio.tree.b["community"]
        )
    assert "unit" in refused.value.fields
    task = services.task_add(actor=trio.staff_a, case=case, description="拆除飞线", unit=case.area)
    assert Case.objects.get(pk=case.pk).status == "in_progress"
    with pytest.raises(ApplicationError, match="not finished"):
        services.case_resolve(actor=trio.staff_a, case=case, answer="已处理")
    with pytest.raises(ApplicationError) as refused:
        services.task_finish(actor=trio.staff_a, task=task, result=" ")
    assert "result" in refused.value.fields
    services.task_finish(actor=trio.staff_a, task=task, result="物业已拆除飞线")
    resolved = services.case_resolve(
        actor=trio.staff_a, case=case, answer="已拆除，并加装充电桩", photos=[photo()]
    )
    assert resolved.status == "resolved" and resolved.photos.filter(role="fix").exists()


def test_not_fixed_reopens_with_a_new_deadline_and_the_unit_is_told(trio, case, worker):
    case = _accepted(trio, case)
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=1), late=True)
    services.case_resolve(actor=trio.staff_a, case=case, answer="已处理")
    with pytest.raises(ApplicationError, match="Only the worker who reported it"):
        services.case_reporter_answer(
            worker=WorkerFactory(area=worker.area), case=case, fixed=False
        )
    reopened = services.case_reporter_answer(
        worker=worker, case=case, fixed=False, comment="还在拉线"
    )
    assert (reopened.status, reopened.reopen_count) == ("in_progress", 1)
    assert reopened.due_at > timezone.now() + timedelta(hours=20)  # the clock started again
    assert CaseNotice.objects.filter(
        case=case, kind="reopened", area=case.responsible_area
    ).exists()
    assert case.messages.get().text == "还在拉线"
    services.case_resolve(actor=trio.staff_a, case=case, answer="已再次拆除")
    closed = services.case_reporter_answer(worker=worker, case=case, fixed=True)
    assert (closed.status, closed.satisfied) == ("closed", True)
    with pytest.raises(ApplicationError, match="once the case is answered"):
        services.case_reporter_answer(worker=worker, case=case, fixed=False)


def test_a_question_to_the_worker_stops_the_clock_until_they_answer(trio, case, worker):
    case = _accepted(trio, case)
    due = Case.objects.get(pk=case.pk).due_at
    services.case_message_staff(
        actor=trio.staff_a, case=case, text="请问是几号楼？", asks_reporter=True
    )
    paused = Case.objects.get(pk=case.pk)
    assert paused.paused_since is not None
    Case.objects.filter(pk=case.pk).update(paused_since=paused.paused_since - timedelta(days=2))
    services.case_message_reporter(worker=worker, case=case, text="3号楼")
    resumed = Case.objects.get(pk=case.pk)
    assert resumed.paused_since is None
    assert resumed.due_at - due >= timedelta(days=2)
    assert CaseNotice.objects.filter(case=case, kind="answered").exists()
    with pytest.raises(ApplicationError, match="Only the worker"):
        services.case_message_reporter(
            worker=WorkerFactory(area=worker.area), case=case, text="我也是"
        )


def test_staff_record_a_case_collected_offline_naming_its_source(trio, worker):
    case = services.case_record(
        actor=trio.staff_a,
        kind="demand",
        category=category("rest"),
        text="小哥议事会：希望增加夜间休息点",
        source="council",
        source_note="2026-11-28 议事会",
        area=trio.tree.a["community2"],
    )
    assert (case.source, case.area, case.recorded_by) == (
        "council",
        trio.tree.a["community2"],
        trio.staff_a,
    )
    assert case.hops.get().rule == "chosen"
    with pytest.raises(ApplicationError) as refused:
        services.case_record(
            actor=trio.staff_a,
            kind="demand",
            category=category("rest"),
            text="x",
            source="phone",
            area=trio.tree.a["community"],
        )
    assert "source" in refused.value.fields
    with pytest.raises(Http404):
        services.case_record(
            actor=trio.staff_b,
            kind="demand",
            category=category("rest"),
            text="x",
            source="visit",
            area=trio.tree.a["community"],
        )
    assert Case.objects.count() == 1


def test_a_suggestion_without_a_place_goes_to_the_workers_community(worker):
    assert suggestion(worker).area == worker.area


def test_district_rules_are_kept_by_that_districts_staff(trio):
    rules = FeedbackRules(
        area=trio.tree.a["district"], close_after_days=5, duty_phone="13900000002"
    )
    services.rules_save(actor=trio.staff_a, rules=rules)
    with pytest.raises(Http404):
        services.rules_save(
            actor=trio.staff_b,
            rules=FeedbackRules(area=trio.tree.a["district"], close_after_days=3),
        )
    with pytest.raises(ApplicationError) as refused:
        services.rules_save(
            actor=trio.staff_a, rules=FeedbackRules(area=trio.tree.a["street"], close_after_days=3)
        )
    assert "area" in refused.value.fields


def test_merging_two_records_moves_the_cases_and_what_they_follow(trio, case, worker):
    duplicate = WorkerFactory(area=worker.area)
    own = report(duplicate, station=StationFactory(area=worker.area), text="另一处飞线")
    services.case_follow(worker=duplicate, case=case)  # follows the kept record's own case
    other_case = report(
        WorkerFactory(area=worker.area), station=StationFactory(area=worker.area), text="楼下飞线"
    )
    services.case_follow(worker=duplicate, case=other_case)
    services.cases_merge(actor=trio.staff_a, duplicate=duplicate, kept=worker)
    services.followers_merge(actor=trio.staff_a, duplicate=duplicate, kept=worker)
    assert Case.objects.get(pk=own.pk).reporter == worker
    assert not CaseFollower.objects.filter(case=case).exists()
    assert CaseFollower.objects.get(case=other_case).worker == worker


def test_deleting_an_account_removes_photos_words_and_follows_but_keeps_the_case(
    trio, case, worker
):
    services.case_follow(
        worker=worker, case=report(WorkerFactory(area=worker.area), station=case.station)
    )
    services.case_message_reporter(worker=worker, case=case, text="就在3号楼")
    feedback_erase(worker=worker, actor=None)
    assert not CasePhoto.objects.filter(case=case).exists()
    assert not CaseFollower.objects.filter(worker=worker).exists()
    assert case.messages.get().text == ""
    assert Case.objects.get(pk=case.pk).text  # the broken thing is still broken
