import pytest

from members.models import Worker
from members.tests.factories import WorkerFactory
from wishes import selectors

from .factories import WishFactory

pytestmark = pytest.mark.django_db


def test_the_review_queue_holds_what_the_user_may_review_oldest_first(trio):
    worker_a = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    worker_b = WorkerFactory(area=trio.tree.b["community"], status=Worker.Status.APPROVED)
    first, second = WishFactory(worker=worker_a), WishFactory(worker=worker_a, text="头盔")
    WishFactory(worker=worker_b)
    WishFactory(worker=worker_a, status="published")
    assert list(selectors.review_queue(user=trio.staff_a)) == [first, second]
    assert list(selectors.review_queue(user=trio.viewer_a)) == []  # reads, does not review
    assert selectors.review_queue(user=trio.staff_b).count() == 1
    assert selectors.wish_list(user=trio.viewer_a).count() == 3
