"""The demo's estate quick pass (estates/demo.py, seed 001's 中海优行): 水岸城二三期 with its
two gates, its property manager and 北门 guard reaching what their grants name, a week of
entries, a suspended pass with the worker's objection — loaded once."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from areas.models import GrantedObject
from estates import selectors, services
from estates.demo import load_demo_estates
from estates.models import EntryLog, Estate, EstatePass, Gate

pytestmark = pytest.mark.django_db
Outcome = EntryLog.Outcome


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def _user(username):
    return get_user_model().objects.get(username=username)


def test_the_seeds_estate_with_its_gates_manager_and_guard(demo):
    estate = Estate.objects.get(name="水岸城二三期")
    assert (estate.property_company, estate.pass_days) == ("中海物业惠州公司", 30)
    assert estate.area.code.startswith("441302")  # Huizhou's Huicheng district
    assert sorted(estate.gates.values_list("name", flat=True)) == ["北门", "南门"]
    manager, guard = _user("property_shuianchen"), _user("guard_shuianchen")
    assert list(selectors.estate_list(user=manager)) == [estate]
    assert [gate.name for gate in services.gates_guarded_by(guard)] == ["北门"]
    assert {gate.name for gate in services.gates_guarded_by(manager)} == {"北门", "南门"}
    assert not selectors.estate_list(user=guard).exists()  # a guard checks, nothing else
    # Other staff of the demo do not reach it.
    assert not selectors.entry_list(user=_user("district_xifeng")).exists()
    assert selectors.entry_list(user=_user("city_huizhou")).count() == EntryLog.objects.count()


def test_a_week_of_entries_and_a_suspended_pass_the_worker_objected_to(demo):
    estate = Estate.objects.get(name="水岸城二三期")
    passes = EstatePass.objects.filter(estate=estate)
    assert passes.count() == 4
    suspended = passes.get(status=EstatePass.Status.SUSPENDED)
    assert suspended.suspended_reason and suspended.contest_text
    assert list(selectors.contested_passes(user=_user("property_shuianchen"))) == [suspended]
    entries = EntryLog.objects.filter(estate=estate)
    outcomes = set(entries.values_list("outcome", flat=True))
    assert outcomes == {Outcome.LET_IN, Outcome.EXPIRED_CODE, Outcome.SUSPENDED}
    let_in = entries.filter(outcome=Outcome.LET_IN)
    assert let_in.count() >= 20
    assert not let_in.filter(seconds_at_gate__isnull=True).exists()
    north = Gate.objects.get(estate=estate, name="北门")
    assert set(entries.filter(gate=north).values_list("checked_by__username", flat=True)) == {
        "guard_shuianchen"
    }
    days = {entry.at.date() for entry in let_in}
    assert len(days) >= 6


def test_a_second_run_changes_nothing(demo):
    def counts():
        return (
            Estate.objects.count(),
            Gate.objects.count(),
            list(EstatePass.objects.order_by("pk").values_list("pk", "status", "updated_at")),
            EntryLog.objects.count(),
            GrantedObject.objects.filter(kind__startswith="estates.").count(),
        )

    before = counts()
    load_demo_estates()
    call_command("load_demo", verbosity=0, skip_divisions=True)
    assert counts() == before
