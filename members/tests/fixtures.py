"""Members fixtures, registered from the root conftest."""

import logging

import pytest

from .factories import WorkerFactory


@pytest.fixture
def worker_a(trio):
    return WorkerFactory(area=trio.tree.a["community"], name="张三", phone="13812341234")


@pytest.fixture
def worker_b(trio):
    return WorkerFactory(area=trio.tree.b["community"], name="李四", phone="13912345678")


@pytest.fixture
def sent_codes(caplog):
    """The login codes the console SMS backend wrote to the log, newest last."""
    caplog.set_level(logging.INFO, logger="core.sms")

    def codes():
        return [r.args[1] for r in caplog.records if r.name == "core.sms"]

    return codes
