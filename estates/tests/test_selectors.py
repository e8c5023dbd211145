"""The estate pass's reads (estates/selectors.py): each role reaches the estates, gates,
passes and entries of its grants — district staff their district, a read-only viewer
reads it, a property manager only the estates their grant names, a gate guard only their
gate and its entries; the objections waiting for whoever may settle them; a worker's own
passes by the phone they signed in with."""

import datetime as dt

import pytest
from django.utils import timezone

from areas.models import StaffGrant
from estates import selectors, services
from estates.models import EstatePass

from .factories import EstateFactory, GateFactory, authorised, partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(trio):
    """Two estates in district A (one per community), one in district B, a gate and a
    pass at each, and an entry at each gate."""
    a1 = EstateFactory(area=trio.tree.a["community"], name="水岸城")
    a2 = EstateFactory(area=trio.tree.a["community2"], name="碧桂园")
    b = EstateFactory(area=trio.tree.b["community"], name="庆城花园")
    gates = {estate: GateFactory(estate=estate, name="北门") for estate in (a1, a2, b)}
    passes = {estate: authorised(estate) for estate in (a1, a2, b)}
    for estate, gate in gates.items():
        checker = trio.staff_b if estate is b else trio.staff_a
        services.pass_check(actor=checker, gate=gate, code=services.pass_code(passes[estate]))
    return {"a1": a1, "a2": a2, "b": b, "gates": gates, "passes": passes}


def names(queryset, path="name"):
    return sorted(queryset.values_list(path, flat=True))


def test_district_staff_and_viewers_reach_their_district_only(trio, world):
    for user in (trio.staff_a, trio.viewer_a):
        assert names(selectors.estate_list(user=user)) == ["水岸城", "碧桂园"]
        assert names(selectors.gate_list(user=user), "estate__name") == ["水岸城", "碧桂园"]
        assert names(selectors.pass_list(user=user), "estate__name") == ["水岸城", "碧桂园"]
        assert names(selectors.entry_list(user=user), "estate__name") == ["水岸城", "碧桂园"]
    assert names(selectors.estate_list(user=trio.staff_b)) == ["庆城花园"]
    assert names(selectors.entry_list(user=trio.staff_b), "estate__name") == ["庆城花园"]
    assert selectors.estate_list(user=trio.city).count() == 3


def test_a_property_manager_reaches_only_the_estates_their_grant_names(trio, world):
    manager = partner(
        StaffGrant.Role.PROPERTY_MANAGER, trio.tree.a["community"], [world["a1"]], "manager"
    )
    assert names(selectors.estate_list(user=manager)) == ["水岸城"]
    assert names(selectors.gate_list(user=manager), "estate__name") == ["水岸城"]
    assert names(selectors.pass_list(user=manager), "estate__name") == ["水岸城"]
    assert names(selectors.entry_list(user=manager), "estate__name") == ["水岸城"]
    # An estate of another community named in their grant is ignored, not trusted.
    stray = partner(
        StaffGrant.Role.PROPERTY_MANAGER, trio.tree.a["community"], [world["b"]], "stray"
    )
    assert not selectors.estate_list(user=stray).exists()
    assert not selectors.entry_list(user=stray).exists()


def test_a_gate_guard_reaches_their_gate_and_its_entries_only(trio, world):
    gate = world["gates"][world["a1"]]
    guard = partner(StaffGrant.Role.GATE_GUARD, trio.tree.a["community"], [gate], "guard")
    assert list(selectors.gate_list(user=guard)) == [gate]
    assert names(selectors.entry_list(user=guard), "gate__estate__name") == ["水岸城"]
    assert not selectors.estate_list(user=guard).exists()
    assert not selectors.pass_list(user=guard).exists()


def test_objections_wait_for_those_who_may_settle_them(trio, world):
    a1, b = world["passes"][world["a1"]], world["passes"][world["b"]]
    for estate_pass, staff in ((a1, trio.staff_a), (b, trio.staff_b)):
        services.pass_suspend(actor=staff, estate_pass=estate_pass, reason="借给他人使用")
    services.pass_contest(phone=a1.phone, estate_pass=a1, text="我没有借给别人")
    # B's suspension has no objection: nothing to settle.
    assert list(selectors.contested_passes(user=trio.staff_a)) == [a1]
    assert not selectors.contested_passes(user=trio.staff_b).exists()
    assert not selectors.contested_passes(user=trio.viewer_a).exists()  # reads, settles not
    manager = partner(
        StaffGrant.Role.PROPERTY_MANAGER, trio.tree.a["community"], [world["a1"]], "manager"
    )
    other = partner(
        StaffGrant.Role.PROPERTY_MANAGER, trio.tree.a["community2"], [world["a2"]], "other"
    )
    assert list(selectors.contested_passes(user=manager)) == [a1]
    assert not selectors.contested_passes(user=other).exists()


def test_a_workers_passes_by_their_phone_and_those_working_now(trio, world):
    phone = "13800138000"  # the factories' phone: a pass at each estate
    mine = list(selectors.passes_of_phone(phone))
    assert {p.estate.name for p in mine} == {"水岸城", "碧桂园", "庆城花园"}
    assert [p.authorised_at for p in mine] == sorted((p.authorised_at for p in mine), reverse=True)
    assert not selectors.passes_of_phone("13900139000").exists()
    services.pass_suspend(
        actor=trio.staff_a, estate_pass=world["passes"][world["a1"]], reason="借给他人使用"
    )
    EstatePass.objects.filter(pk=world["passes"][world["a2"]].pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert names(selectors.passes_working(phone), "estate__name") == ["庆城花园"]
    assert selectors.passes_of_phone(phone).count() == 3  # the others are still theirs
