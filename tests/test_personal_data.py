"""Every app that keeps rows about a worker says so in the personal-data registry
(members.personal_data): what the worker sees as "my data", what a deleted account
anonymises — rows stay for the counts and the points ledger is never rewritten — and how
long it is kept. A new app (wishes, feedback…) fails here until it registers."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Sum
from django.test.utils import isolate_apps
from django.utils import timezone

from activities import services as activities
from activities.models import SignUp
from activities.tests.factories import ActivityFactory
from config.celery import app
from members import personal_data
from members import services as members
from members.models import Worker
from members.tests.factories import WorkerFactory
from party.models import PartyMember
from party.tests.factories import PartyMemberFactory
from points import services as points
from points.models import PointsAccount, PointsEntry
from stations.models import CheckIn

pytestmark = pytest.mark.django_db


def models_pointing_at_workers(registry=apps) -> set[str]:
    return {
        model._meta.label
        for model in registry.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is Worker
    } | {"members.Worker"}


def test_every_model_that_points_at_a_worker_has_a_personal_data_handler():
    missing = models_pointing_at_workers() - personal_data.covered_models()
    assert not missing, (
        f"These models hold rows about a worker but no personal-data handler names them: "
        f"{sorted(missing)}. Register a members.personal_data.Handler in the app's "
        "AppConfig.ready(): what the worker sees of them, how an account deletion "
        "anonymises them, and how long they are kept."
    )


@isolate_apps("wishes")
def test_a_planted_model_without_a_handler_is_caught():
    class PlantedWish(models.Model):
        worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")

        class Meta:
            app_label = "wishes"

        def __str__(self) -> str:
            return "planted"

    planted = models_pointing_at_workers(PlantedWish._meta.apps)
    assert planted - personal_data.covered_models() == {"wishes.PlantedWish"}


def test_every_covered_model_has_a_retention_rule_or_goes_with_its_handlers_rule():
    ruled = {rule.model for rule in personal_data.retention_rules()}
    for handler in personal_data.handlers():
        assert {rule.model for rule in handler.retention} & ruled, handler.name


def test_a_nightly_job_enforces_the_retention_rules():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "members.tasks.enforce_retention" in tasks


@pytest.fixture
def busy_worker(trio, station_a):
    """A worker with a check-in, points, a reward on hold, an activity attended and one to
    come, and a party membership."""
    community = trio.tree.a["community"]
    worker = WorkerFactory(
        area=community, political_status="cpc", sensitive_consent_at=timezone.now()
    )
    PartyMemberFactory(worker=worker)
    CheckIn.objects.create(station=station_a, worker=worker, at=timezone.now(), source="phone")
    points.points_award(
        worker=worker, points=30, source="staff", source_id="paper-1", reason="纸质台账积分补录"
    )
    now = timezone.now()
    past = ActivityFactory(
        area=community, starts_at=now - dt.timedelta(minutes=5), ends_at=now + dt.timedelta(hours=1)
    )
    activities.attend_by_qr(worker=worker, attendance_key=past.attendance_key)
    coming = ActivityFactory(area=community, capacity=1)
    activities.signup_join(worker=worker, activity=coming)
    waiting = WorkerFactory(area=community)
    activities.signup_join(worker=waiting, activity=coming)
    return worker, coming, waiting


def test_my_data_shows_every_apps_records(busy_worker):
    worker, _coming, _waiting = busy_worker
    holdings = {h.key: h for h in personal_data.my_data(worker)}
    assert len(holdings["stations.check_ins"].records) == 1
    assert len(holdings["points.ledger"].records) >= 1
    assert len(holdings["activities.signups"].records) == 2
    assert len(holdings["party.membership"].records) == 1
    assert all(h.seen_by for h in holdings.values())


def test_deleting_an_account_keeps_the_counts_and_never_rewrites_the_ledger(trio, busy_worker):
    worker, coming, waiting = busy_worker
    entries_before = list(PointsEntry.objects.order_by("pk").values())
    check_ins = CheckIn.objects.filter(worker=worker).count()

    members.worker_erase(actor=trio.staff_a, worker=worker)

    # The ledger's entries are unchanged; the balance lapses by a new entry.
    assert list(PointsEntry.objects.order_by("pk").values())[: len(entries_before)] == (
        entries_before
    )
    account = PointsAccount.objects.get(worker=worker)
    assert account.balance == 0
    assert account.entries.aggregate(s=Sum("amount"))["s"] == 0
    # Check-ins and attendance stay in the counts.
    assert CheckIn.objects.filter(worker=worker).count() == check_ins
    assert SignUp.objects.filter(worker=worker, status=SignUp.Status.ATTENDED).count() == 1
    # The place still to come is given up, and the waiting list moves up.
    assert SignUp.objects.get(worker=worker, activity=coming).status == SignUp.Status.CANCELLED
    assert SignUp.objects.get(worker=waiting, activity=coming).status == SignUp.Status.CONFIRMED
    # The party membership ends here, without its personal details.
    member = PartyMember.objects.get(worker=worker)
    assert member.ended_on and member.joined_on is None and member.membership_org_place == ""
    record = Worker.objects.get(pk=worker.pk)
    assert record.erased_at and record.political_status == ""


def test_withdrawing_sensitive_consent_ends_the_party_record_here(busy_worker):
    worker, _coming, _waiting = busy_worker
    members.sensitive_consent_withdraw(worker=worker)
    member = PartyMember.objects.get(worker=worker)
    assert member.ended_on == timezone.localdate()
    assert member.membership_org_place == "" and "withdrew" in member.end_reason
