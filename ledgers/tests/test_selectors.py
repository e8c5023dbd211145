"""Who sees which import jobs: a ledger file holds personal data."""

import pytest

from ledgers import selectors

from .factories import ImportJobFactory

pytestmark = pytest.mark.django_db


def test_jobs_are_seen_by_those_who_reach_their_area(trio):
    ours = ImportJobFactory(area=trio.tree.a["district"], created_by=trio.staff_a)
    theirs = ImportJobFactory(area=trio.tree.b["community"], created_by=trio.staff_b)
    assert list(selectors.import_job_list(user=trio.staff_a)) == [ours]
    assert list(selectors.import_job_list(user=trio.viewer_a)) == [ours]
    assert list(selectors.import_job_list(user=trio.staff_b)) == [theirs]
    assert set(selectors.import_job_list(user=trio.city)) == {ours, theirs}
