"""The estates tests' common cast: 水岸城二三期 in district A's community with its 北门, a
worker's pass there, another estate next door, its property company's manager and the
北门's guard (a test file may define its own of the same name)."""

import pytest

from areas.models import StaffGrant

from .factories import EstateFactory, GateFactory, authorised, partner


@pytest.fixture
def estate(trio):
    return EstateFactory(area=trio.tree.a["community"], name="水岸城二三期")


@pytest.fixture
def gate(estate):
    return GateFactory(estate=estate, name="北门")


@pytest.fixture
def estate_pass(estate):
    return authorised(estate, phone="13800138000", name="王小明")


@pytest.fixture
def other_estate(trio):
    """Another estate of the same community, which the manager does not manage."""
    estate = EstateFactory(area=trio.tree.a["community"], name="江景花园")
    GateFactory(estate=estate, name="东门")
    return estate


@pytest.fixture
def manager(trio, estate):
    return partner(StaffGrant.Role.PROPERTY_MANAGER, trio.tree.a["community"], [estate], "wyjl")


@pytest.fixture
def guard(trio, gate):
    return partner(StaffGrant.Role.GATE_GUARD, trio.tree.a["community"], [gate], "menggang")
