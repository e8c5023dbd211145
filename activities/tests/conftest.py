"""Fixtures shared by activities' page, admin and API tests."""

import pytest

from members.tests.factories import WorkerFactory
from points.tests.factories import PointsRuleFactory

from .factories import PHONE


@pytest.fixture
def worker(tree):
    return WorkerFactory(area=tree.a["community"], phone=PHONE, name="王小二")


@pytest.fixture
def hour_rule(tree):
    """The volunteering tests: each verified hour earns 2 points in district A."""
    return PointsRuleFactory(area=tree.a["district"], event="volunteer_hour", points=2)
