"""The points ledger: append-only, never negative, balance = sum of entries, each event
entered once — kept by the services and by the database behind them."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Sum
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.exceptions import ApplicationError
from members.tests.factories import WorkerFactory
from points import services
from points.models import PointsAccount, PointsEntry

from .factories import PointsRuleFactory

pytestmark = pytest.mark.django_db
Source = PointsEntry.Source


@pytest.fixture
def worker(tree):
    return WorkerFactory(area=tree.a["community"])


def award(worker, points, event_id, **kw):
    return services.points_award(
        worker=worker,
        points=points,
        source=Source.ATTENDANCE,
        source_id=event_id,
        reason="参加消防安全培训",
        **kw,
    )


def spend(worker, points, event_id):
    return services.points_spend(
        worker=worker,
        points=points,
        source=Source.REDEMPTION,
        source_id=event_id,
        reason="兑换保温杯",
    )


def assert_consistent(worker):
    account = PointsAccount.objects.get(worker=worker)
    total = account.entries.aggregate(total=Sum("amount"))["total"] or 0
    assert account.balance == total >= 0


def test_the_same_event_is_entered_once(worker):
    first = award(worker, 10, 1)
    again = award(worker, 10, 1)
    assert first.created and not again.created and again.entry.pk == first.entry.pk
    assert PointsAccount.objects.get(worker=worker).balance == 10
    assert_consistent(worker)


def test_spending_more_than_the_balance_is_refused_and_changes_nothing(worker):
    award(worker, 10, 1)
    with pytest.raises(ApplicationError, match="10 available, 15 needed"):
        spend(worker, 15, 1)
    assert PointsEntry.objects.count() == 1
    assert PointsAccount.objects.get(worker=worker).balance == 10


@pytest.mark.parametrize("points", [0, -5, 2.5, "3"])
def test_an_award_is_a_positive_whole_number(worker, points):
    with pytest.raises(ApplicationError):
        award(worker, points, 1)
    assert not PointsEntry.objects.exists()


def test_a_reason_is_required(worker):
    with pytest.raises(ApplicationError, match="Say why"):
        services.points_award(
            worker=worker, points=5, source=Source.ATTENDANCE, source_id=1, reason="  "
        )
    assert not PointsEntry.objects.exists()


def test_entries_are_never_changed_or_deleted_even_by_sql(worker):
    entry = award(worker, 10, 1).entry
    with pytest.raises(DatabaseError), transaction.atomic():
        PointsEntry.objects.filter(pk=entry.pk).update(amount=1000)
    with pytest.raises(DatabaseError), transaction.atomic():
        PointsEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.amount == 10


def test_the_database_refuses_a_negative_balance(worker):
    award(worker, 10, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(worker=worker).update(balance=-1)


def test_a_reversal_undoes_an_award_once(worker):
    entry = award(worker, 10, 1).entry
    reversed_ = services.points_reverse(entry=entry, reason="考勤撤销")
    again = services.points_reverse(entry=entry, reason="考勤撤销")
    assert reversed_.created and not again.created
    assert reversed_.entry.amount == -10 and reversed_.entry.reverses == entry
    assert PointsAccount.objects.get(worker=worker).balance == 0
    with pytest.raises(ApplicationError, match="not reversed"):
        services.points_reverse(entry=reversed_.entry, reason="再撤销")
    assert_consistent(worker)


def test_an_award_partly_spent_is_taken_back_as_far_as_the_balance_goes(worker):
    entry = award(worker, 10, 1).entry
    spend(worker, 7, 1)
    taken = services.points_reverse(entry=entry, reason="考勤撤销")
    assert taken.entry.amount == -3 and "3 of 10" in taken.entry.reason
    assert PointsAccount.objects.get(worker=worker).balance == 0
    assert_consistent(worker)


def test_an_award_wholly_spent_leaves_nothing_to_take_back(worker):
    entry = award(worker, 10, 1).entry
    spend(worker, 10, 1)
    assert services.points_reverse(entry=entry, reason="考勤撤销") is None
    assert_consistent(worker)


def test_expiry_takes_no_more_than_the_balance_and_runs_once_per_period(worker):
    award(worker, 10, 1)
    expired = services.points_expire(worker=worker, points=50, period="2026", reason="年度清零")
    again = services.points_expire(worker=worker, points=50, period="2026", reason="年度清零")
    assert expired.entry.amount == -10 and not again.created
    with pytest.raises(ApplicationError, match="no points left"):
        services.points_expire(worker=worker, points=5, period="2027", reason="年度清零")
    assert_consistent(worker)


def test_staff_adjust_balances_in_their_area_only(trio, worker):
    services.points_adjust(
        actor=trio.staff_a, worker=worker, points=20, reason="纸质台账补录", request_key="k1"
    )
    with pytest.raises(PermissionDenied):
        services.points_adjust(
            actor=trio.viewer_a, worker=worker, points=5, reason="补录", request_key="k2"
        )
    with pytest.raises(Http404):
        services.points_adjust(
            actor=trio.staff_b, worker=worker, points=5, reason="补录", request_key="k3"
        )
    with pytest.raises(ApplicationError):
        services.points_adjust(
            actor=trio.staff_a, worker=worker, points=5, reason="", request_key="k4"
        )
    with pytest.raises(ApplicationError, match="Not enough"):
        services.points_adjust(
            actor=trio.staff_a, worker=worker, points=-50, reason="更正", request_key="k5"
        )
    assert PointsAccount.objects.get(worker=worker).balance == 20
    assert_consistent(worker)


def test_the_nearest_rule_up_the_tree_applies(trio):
    tree = trio.tree
    PointsRuleFactory(
        area=tree.a["district"], event="attendance", activity_kind="training", points=5
    )
    PointsRuleFactory(
        area=tree.a["community"], event="attendance", activity_kind="training", points=8
    )
    assert (
        services.rule_points(area=tree.a["community"], event="attendance", activity_kind="training")
        == 8
    )
    assert (
        services.rule_points(
            area=tree.a["community2"], event="attendance", activity_kind="training"
        )
        == 5
    )
    assert (
        services.rule_points(area=tree.b["community"], event="attendance", activity_kind="training")
        == 0
    )


# Properties over random sequences --------------------------------------------------------

operation = st.one_of(
    st.tuples(st.just("award"), st.integers(min_value=1, max_value=50)),
    st.tuples(st.just("spend"), st.integers(min_value=1, max_value=80)),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("expire"), st.integers(min_value=1, max_value=60)),
    st.tuples(st.just("retry"), st.integers(min_value=0, max_value=30)),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(operation, min_size=1, max_size=25))
def test_any_sequence_keeps_balance_equal_to_the_sum_and_never_negative(tree, operations):
    with transaction.atomic():
        worker = WorkerFactory(area=tree.a["community"])
        made: list[PointsEntry] = []
        calls: list = []
        for step, (op, n) in enumerate(operations):
            before = PointsEntry.objects.count()
            try:
                if op == "award":
                    made.append(award(worker, n, step).entry)
                    calls.append(("award", n, step))
                elif op == "spend":
                    made.append(spend(worker, n, step).entry)
                    calls.append(("spend", n, step))  # only what was entered is retried
                elif op == "reverse" and made:
                    posted = services.points_reverse(entry=made[n % len(made)], reason="撤销")
                    if posted is not None:
                        made.append(posted.entry)
                elif op == "expire":
                    services.points_expire(
                        worker=worker, points=n, period=f"p{step}", reason="过期"
                    )
                elif op == "retry" and calls:
                    # The same event again (a retried task): never a second entry.
                    kind, points, event = calls[n % len(calls)]
                    (award if kind == "award" else spend)(worker, points, event)
                    assert PointsEntry.objects.count() == before
            except ApplicationError:
                assert PointsEntry.objects.count() == before  # refused: nothing written
            if PointsAccount.objects.filter(worker=worker).exists():
                assert_consistent(worker)
        transaction.set_rollback(True)


# Real concurrency on PostgreSQL ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_spends_never_overdraw(tree):
    """20 redemptions at once (threads, separate connections) of 10 points each against
    an account holding 70: exactly 7 succeed, the balance ends at 0."""
    worker = WorkerFactory(area=tree.a["community"])
    award(worker, 70, "grant")
    barrier = threading.Barrier(20)
    outcomes = []

    def redeem(n):
        try:
            barrier.wait()
            spend(worker, 10, f"r{n}")
            outcomes.append("ok")
        except ApplicationError:
            outcomes.append("refused")
        except Exception as error:  # pragma: no cover - shown by the assertion
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] * 7 + ["refused"] * 13
    assert PointsAccount.objects.get(worker=worker).balance == 0
    assert_consistent(worker)


def test_an_event_entered_for_one_worker_is_not_reused_for_another(worker, tree):
    award(worker, 10, 1)
    other = WorkerFactory(area=tree.a["community"])
    with pytest.raises(ApplicationError, match="another worker"):
        award(other, 10, 1)
    assert not PointsAccount.objects.filter(worker=other, balance__gt=0).exists()
