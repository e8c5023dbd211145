"""The engine's own test ledger, registered for every test of ledgers/ (and only those)."""

import pytest

from ledgers import registry

from .factories import NoticeChecker, NoticeLedger


@pytest.fixture(autouse=True)
def notice_ledger():
    ledger = registry.register(NoticeLedger())
    NoticeChecker.written = []
    yield ledger
    registry.unregister(ledger.key)
