"""Posting, recording and reviewing micro-wishes (issue 15 §1): what each refuses, in plain
words and with nothing changed."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.exceptions import ApplicationError
from members.models import Worker
from members.tests.factories import OutletFactory, WorkerFactory
from wishes import services
from wishes.models import Wish, WishCategory, WishRules

from .factories import WishFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(trio):
    return WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)


def _post(worker, **overrides):
    values = {"category": category(), "text": "一件新雨衣", "value": "80", **overrides}
    return services.wish_post(worker=worker, **values)


def test_a_registered_worker_posts_a_wish_that_waits_for_review(worker):
    wish = _post(worker, story_consent=True)
    assert (wish.status, wish.area, wish.value) == ("submitted", worker.area, Decimal("80.00"))
    assert wish.publish_consent_at and wish.story_consent_at
    assert list(wish.status_changes.values_list("to_status", flat=True)) == ["submitted"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"text": "  "}, "text"),
        ({"text": "想要新头盔，电话13812345678"}, "text"),
        ({"text": "身份证621002199001011234想要"}, "text"),
        ({"text": "给我发个红包"}, "text"),
        ({"value": "600"}, "value"),
        ({"value": "abc"}, "value"),
        ({"value": "-1"}, "value"),
        ({"value": "NaN"}, "value"),
        ({"value": "1e30"}, "value"),
    ],
)
def test_what_a_wish_refuses(worker, overrides, field):
    with pytest.raises(ApplicationError) as refused:
        _post(worker, **overrides)
    assert field in refused.value.fields
    assert not Wish.objects.exists()


def test_the_districts_own_cap_and_categories_apply(trio, worker):
    WishRules.objects.create(
        area=trio.tree.a["district"], value_cap=Decimal("100"), open_wishes_per_worker=2
    )
    with pytest.raises(ApplicationError):
        _post(worker, value="150")
    own = WishCategory.objects.create(area=trio.tree.a["district"], code="bike", name="电动车维修")
    other = WishCategory.objects.create(area=trio.tree.b["district"], code="bike", name="修车")
    assert _post(worker, category=own, value="90").category == own
    with pytest.raises(ApplicationError):  # another district's category is not offered here
        _post(worker, category=other)
    assert _post(worker).status == "submitted"  # two open wishes allowed here


def test_one_open_wish_at_a_time_and_a_withdrawn_one_frees_the_place(worker):
    first = _post(worker)
    with pytest.raises(ApplicationError):
        _post(worker, text="一个手机支架")
    services.wish_withdraw(worker=worker, wish=first)
    assert _post(worker, text="一个手机支架").status == "submitted"


def test_the_same_wish_sent_twice_is_one_wish(worker, trio):
    key = uuid.uuid4()
    assert _post(worker, client_key=key) == _post(worker, client_key=key)
    assert Wish.objects.count() == 1
    someone_else = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    with pytest.raises(ApplicationError):
        _post(someone_else, client_key=key)


def test_a_worker_who_only_checked_in_registers_first(trio):
    visitor = WorkerFactory(
        area=trio.tree.a["community"], status=Worker.Status.UNREGISTERED, registered_at=None
    )
    with pytest.raises(ApplicationError):
        _post(visitor)


def test_the_community_publishes_or_returns_and_only_its_staff_may(trio, worker):
    wish = _post(worker)
    with pytest.raises(Http404):
        services.wish_publish(actor=trio.staff_b, wish=wish)
    with pytest.raises(PermissionDenied):  # read-only staff
        services.wish_publish(actor=trio.viewer_a, wish=wish)
    with pytest.raises(ApplicationError):
        services.wish_return(actor=trio.staff_a, wish=wish, reason=" ")
    published = services.wish_publish(actor=trio.staff_a, wish=wish)
    assert published.status == "published" and published.published_at
    with pytest.raises(ApplicationError):  # reviewed once
        services.wish_return(actor=trio.staff_a, wish=wish, reason="重复")


def test_a_returned_wish_tells_the_worker_why(trio, worker):
    wish = services.wish_return(actor=trio.staff_a, wish=_post(worker), reason="请写具体些")
    assert (wish.status, wish.status_reason) == ("returned", "请写具体些")


def test_staff_record_a_collective_wish_with_its_items(trio):
    outlet = OutletFactory(area=trio.tree.a["community"])
    wish = services.wish_record(
        actor=trio.staff_a,
        collected=services.CollectedWish(
            category=category("station"),
            text="网点休息室添置微波炉和饮水机",
            source=Wish.Source.STREET_INTERVIEW,
            outlet=outlet,
            items=[("微波炉", 2, "450"), ("饮水机", 1, "600")],
        ),
    )
    assert (wish.kind, wish.value, wish.area) == ("collective", Decimal("1500.00"), outlet.area)
    assert wish.recorded_by == trio.staff_a and wish.items.count() == 2
    with pytest.raises(Http404):  # another district's outlet is not theirs to speak for
        services.wish_record(
            actor=trio.staff_b,
            collected=services.CollectedWish(
                category=category(),
                text="头盔",
                source="interview",
                outlet=outlet,
                items=[("头盔", 5, "80")],
            ),
        )


@pytest.mark.parametrize(
    "collected, field",
    [
        ({"source": "phone"}, "source"),
        ({"items": []}, "items"),
        ({"items": [("", 1, "10")]}, "items"),
        ({"items": [("头盔", 0, "10")]}, "items"),
        ({"items": [("头盔", 10**6, "10")]}, "items"),
        ({"items": [("头盔", 1, "x")]}, "value"),
    ],
)
def test_what_a_collective_wish_refuses(trio, collected, field):
    outlet = OutletFactory(area=trio.tree.a["community"])
    values = {
        "category": category(),
        "text": "头盔",
        "source": "interview",
        "outlet": outlet,
        "items": [("头盔", 5, "80")],
        **collected,
    }
    with pytest.raises(ApplicationError) as refused:
        services.wish_record(actor=trio.staff_a, collected=services.CollectedWish(**values))
    assert field in refused.value.fields
    assert not Wish.objects.exists()


def test_a_workers_wish_joins_a_collective_one(trio, worker):
    outlet = OutletFactory(area=trio.tree.a["community"])
    collective = services.wish_record(
        actor=trio.staff_a,
        collected=services.CollectedWish(
            category=category(),
            text="全站雨衣",
            source="council",
            outlet=outlet,
            items=[("雨衣", 12, "60")],
        ),
    )
    wish = services.wish_merge_into(actor=trio.staff_a, wish=_post(worker), collective=collective)
    assert (wish.status, wish.merged_into) == ("merged", collective)


def test_a_merge_of_two_records_moves_the_wishes(trio, worker):
    duplicate = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    wish = WishFactory(worker=duplicate)
    services.wishes_merge(actor=trio.staff_a, duplicate=duplicate, kept=worker)
    wish.refresh_from_db()
    assert wish.worker == worker


def test_district_rules_and_categories_are_kept_by_their_district(trio):
    rules = WishRules(
        area=trio.tree.a["district"], value_cap=Decimal("300"), open_wishes_per_worker=1
    )
    with pytest.raises(Http404):
        services.rules_save(actor=trio.staff_b, rules=rules)
    with pytest.raises(ApplicationError):
        services.rules_save(
            actor=trio.staff_a,
            rules=WishRules(
                area=trio.tree.a["community"], value_cap=Decimal("300"), open_wishes_per_worker=1
            ),
        )
    services.rules_save(actor=trio.staff_a, rules=rules)
    with pytest.raises(ApplicationError):  # the platform's categories are kept centrally
        services.category_save(actor=trio.staff_a, category=WishCategory(code="x", name="某类"))
    services.category_save(
        actor=trio.staff_a,
        category=WishCategory(area=trio.tree.a["district"], code="x", name="某类"),
    )
    with pytest.raises(ApplicationError):  # a code the district already has
        services.category_save(
            actor=trio.staff_a,
            category=WishCategory(area=trio.tree.a["district"], code="x", name="另一类"),
        )


def test_the_cap_is_said_in_plain_yuan(worker):
    with pytest.raises(ApplicationError) as refused:
        _post(worker, value="600")
    assert "¥500 " in refused.value.fields["value"][0]
