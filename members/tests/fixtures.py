"""Members fixtures, registered from the root conftest."""

import pytest

from .factories import WorkerFactory


@pytest.fixture
def worker_a(trio):
    return WorkerFactory(area=trio.tree.a["community"], name="张三", phone="13812341234")


@pytest.fixture
def worker_b(trio):
    return WorkerFactory(area=trio.tree.b["community"], name="李四", phone="13912345678")
