"""Fixtures shared by points' page, admin and API tests."""

import pytest
from django.utils import timezone

from members.tests.factories import WorkerFactory
from points import services

from .factories import PHONE, RewardFactory


@pytest.fixture
def worker(tree):
    return WorkerFactory(area=tree.a["community"], phone=PHONE, name="王小二")


@pytest.fixture
def worker_b(tree):
    return WorkerFactory(area=tree.b["community"], phone="13900002222")


@pytest.fixture
def thirty_points(worker):
    """The rewards' tests: the worker starts with 30 points from the paper ledger."""
    services.points_award(
        worker=worker, points=30, source="staff", source_id="seed", reason="纸质台账积分补录"
    )


@pytest.fixture
def reward(tree, station_a):
    return RewardFactory(
        area=tree.a["district"],
        stock=2,
        valid_from=timezone.localdate(),
        pickup_stations=[station_a],
    )
