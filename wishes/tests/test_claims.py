"""Donors and claims (issue 15 §2): one live claim per worker's wish, item commitments on
a collective wish never above what was asked, the deadline and its lapse, cancelling,
anti-hoarding, and what each of these refuses with nothing changed."""

import io
import time
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from core.exceptions import ApplicationError
from core.testing import at_once
from members.models import Worker
from members.tests.factories import OutletFactory, WorkerFactory
from wishes import services
from wishes.models import LIVE_CLAIM, Claim, ClaimLine, Donor, Wish, WishRules

from .factories import (
    DonorFactory,
    WishFactory,
    collective_wish,
    make_claim,
    organisation,
    published,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def wish(trio):
    worker = WorkerFactory(
        area=trio.tree.a["community"], status=Worker.Status.APPROVED, phone="13812345601"
    )
    return published(WishFactory(worker=worker))


@pytest.fixture
def donor(trio):
    return DonorFactory(area=trio.tree.a["street"])


def _snapshot():
    return (
        list(Claim.objects.values_list("pk", "status").order_by("pk")),
        list(ClaimLine.objects.values_list("pk", "quantity").order_by("pk")),
        list(Wish.objects.values_list("pk", "status").order_by("pk")),
    )


# A worker's own wish -------------------------------------------------------------------------


def test_a_donor_claims_a_wish_and_the_next_hears_it_is_taken_not_by_whom(trio, wish, donor):
    claim = make_claim(donor=donor, wish=wish, message="祝工作顺利")
    wish.refresh_from_db()
    assert (claim.status, claim.whole, wish.status) == ("claimed", True, "claimed")
    assert claim.deadline > timezone.now() + timedelta(days=13)
    assert claim.donor_kind == "individual"
    other = DonorFactory(area=trio.tree.a["street"], name="张三")
    before = _snapshot()
    with pytest.raises(ApplicationError) as refused:
        make_claim(donor=other, wish=wish)
    assert "already claimed" in refused.value.message and "李" not in refused.value.message
    assert _snapshot() == before


def test_a_double_tap_is_the_one_claim(wish, donor):
    key = uuid.uuid4()
    first = make_claim(donor=donor, wish=wish, client_key=key)
    assert make_claim(donor=donor, wish=wish, client_key=key) == first
    assert make_claim(donor=donor, wish=wish) == first  # even without the key
    assert Claim.objects.count() == 1
    with pytest.raises(ApplicationError, match="another account"):
        make_claim(donor=DonorFactory(area=donor.area), wish=wish, client_key=key)


def test_the_database_keeps_one_live_claim_per_wish(wish, donor):
    make_claim(donor=donor, wish=wish)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            wish=wish,
            donor=DonorFactory(area=donor.area),
            donor_kind="individual",
            deadline=timezone.now(),
        )


@pytest.mark.parametrize("status", ["submitted", "returned", "withdrawn"])
def test_only_a_published_wish_is_claimed(wish, donor, status):
    Wish.objects.filter(pk=wish.pk).update(status=status, published_at=None)
    with pytest.raises(ApplicationError, match="not on the wall"):
        make_claim(donor=donor, wish=wish)
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"message": "有事打我电话13912345678"}, "message"),
        ({"message": "给你转账"}, "message"),
        ({"quantities": {"1": "2"}}, "quantities"),
        ({"quantities": "lots"}, "quantities"),
    ],
)
def test_what_a_claim_refuses(wish, donor, arguments, field):
    with pytest.raises(ApplicationError) as refused:
        make_claim(donor=donor, wish=wish, **arguments)
    assert field in refused.value.fields
    assert not Claim.objects.exists() and Wish.objects.get(pk=wish.pk).status == "published"


def test_a_worker_does_not_claim_their_own_wish(wish):
    themselves = DonorFactory(area=wish.area.parent, phone=wish.worker.phone)
    with pytest.raises(ApplicationError, match="your own wish"):
        make_claim(donor=themselves, wish=wish)


def test_a_donor_holds_a_limited_number_of_claims(trio, donor):
    WishRules.objects.create(
        area=trio.tree.a["district"],
        value_cap=500,
        open_wishes_per_worker=1,
        open_claims_per_donor=2,
    )
    wishes = [
        published(WishFactory(worker=WorkerFactory(area=trio.tree.a["community"])))
        for _ in range(3)
    ]
    first = make_claim(donor=donor, wish=wishes[0])
    make_claim(donor=donor, wish=wishes[1])
    with pytest.raises(ApplicationError, match="holding 2 claims"):
        make_claim(donor=donor, wish=wishes[2])
    services.claim_cancel(claim=first, donor=donor)
    assert make_claim(donor=donor, wish=wishes[2]).status == "claimed"


def test_a_claimed_wish_is_not_withdrawn_by_the_worker(wish, donor):
    make_claim(donor=donor, wish=wish)
    with pytest.raises(ApplicationError, match="claimed"):
        services.wish_withdraw(worker=wish.worker, wish=wish)


# A collective wish ----------------------------------------------------------------------------


def test_donors_claim_a_collective_wish_item_by_item(trio):
    wish = collective_wish(outlet=OutletFactory(area=trio.tree.a["community"]))
    oven, water = wish.items.order_by("pk")
    union = organisation(area=trio.tree.a["district"], verified_by=trio.staff_a)
    volunteer = DonorFactory(area=trio.tree.a["street"])
    make_claim(donor=volunteer, wish=wish, quantities={oven.pk: 1})
    assert Wish.objects.get(pk=wish.pk).status == "published"  # more is still needed
    with pytest.raises(ApplicationError, match="Only 1 微波炉 are still needed") as refused:
        make_claim(donor=union, wish=wish, quantities={oven.pk: 2, water.pk: 1})
    assert "quantities" in refused.value.fields
    claim = make_claim(donor=union, wish=wish, quantities={oven.pk: 1, water.pk: 1})
    assert claim.donor_kind == "union" and not claim.whole
    assert Wish.objects.get(pk=wish.pk).status == "claimed"
    with pytest.raises(ApplicationError, match="already claimed"):
        make_claim(donor=DonorFactory(area=union.area), wish=wish, quantities={oven.pk: 1})
    services.claim_cancel(claim=claim, actor=trio.staff_a, reason="工会联系不上")
    assert Wish.objects.get(pk=wish.pk).status == "published"
    again = make_claim(donor=volunteer, wish=wish, quantities={water.pk: 1})
    assert again.lines.get().quantity == 1


@pytest.mark.parametrize(
    "quantities",
    [{}, {"999999": 1}, {"{oven}": -1}, {"{oven}": "x"}, None],
)
def test_what_a_collective_claim_refuses(trio, donor, quantities):
    wish = collective_wish(outlet=OutletFactory(area=trio.tree.a["community"]))
    oven = wish.items.order_by("pk").first()
    if quantities:
        quantities = {k.format(oven=oven.pk): v for k, v in quantities.items()}
    with pytest.raises(ApplicationError) as refused:
        make_claim(donor=donor, wish=wish, quantities=quantities)
    assert "quantities" in refused.value.fields and not Claim.objects.exists()


# Cancelling and lapsing ------------------------------------------------------------------------


def test_the_community_cancels_a_claim_saying_why_and_only_its_own(trio, wish, donor):
    claim = make_claim(donor=donor, wish=wish)
    with pytest.raises(ApplicationError) as refused:
        services.claim_cancel(claim=claim, actor=trio.staff_a, reason=" ")
    assert "reason" in refused.value.fields
    with pytest.raises(Http404):
        services.claim_cancel(claim=claim, actor=trio.staff_b, reason="?")
    with pytest.raises(PermissionDenied):
        services.claim_cancel(claim=claim, actor=trio.viewer_a, reason="?")
    with pytest.raises(ApplicationError, match="not one of your claims"):
        services.claim_cancel(claim=claim, donor=DonorFactory(area=donor.area))
    assert Claim.objects.get(pk=claim.pk).status == "claimed"
    services.claim_cancel(claim=claim, actor=trio.staff_a, reason="联系不上认领人")
    claim.refresh_from_db()
    wish.refresh_from_db()
    assert (claim.status, claim.release_reason, wish.status) == (
        "cancelled",
        "联系不上认领人",
        "published",
    )
    with pytest.raises(ApplicationError, match="nothing to cancel"):
        services.claim_cancel(claim=claim, donor=donor)


def test_a_claim_past_its_deadline_lapses_once_and_the_wish_is_back(wish, donor):
    claim = make_claim(donor=donor, wish=wish)
    assert services.claims_lapse() == 0
    later = claim.deadline + timedelta(minutes=1)
    assert services.claims_lapse(now=later) == 1
    assert services.claims_lapse(now=later) == 0
    claim.refresh_from_db()
    wish.refresh_from_db()
    assert (claim.status, wish.status) == ("lapsed", "published")
    assert claim.released_at and "deadline" in claim.release_reason
    steps = list(wish.status_changes.values_list("to_status", flat=True))
    assert steps[-2:] == ["claimed", "published"]


def test_the_districts_own_deadline_applies(trio, wish, donor):
    WishRules.objects.create(
        area=trio.tree.a["district"], value_cap=500, open_wishes_per_worker=1, claim_days=3
    )
    claim = make_claim(donor=donor, wish=wish)
    assert timedelta(days=2, hours=23) < claim.deadline - timezone.now() <= timedelta(days=3)


@pytest.mark.django_db(transaction=True)
def test_the_lapse_job_runs_on_a_real_worker(trio, celery_worker_process):
    from wishes.tasks import lapse_claims

    worker = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    wish = published(WishFactory(worker=worker))
    claim = make_claim(donor=DonorFactory(area=trio.tree.a["street"]), wish=wish)
    Claim.objects.filter(pk=claim.pk).update(deadline=timezone.now() - timedelta(minutes=1))

    def wait_until_lapsed():
        give_up = time.monotonic() + 60
        while Claim.objects.get(pk=claim.pk).status != "lapsed" and time.monotonic() < give_up:
            time.sleep(0.5)
        assert Claim.objects.get(pk=claim.pk).status == "lapsed"

    lapse_claims.delay()
    wait_until_lapsed()
    history = wish.status_changes.count()
    lapse_claims.delay()  # again: nothing left to do, nothing written twice
    lapse_claims.delay()
    time.sleep(2)
    assert wish.status_changes.count() == history
    assert Wish.objects.get(pk=wish.pk).status == "published"


# Donors ---------------------------------------------------------------------------------------


def _profile(trio, **overrides):
    values = {"kind": "organisation", "name": "西峰区总工会", "area": trio.tree.a["district"]}
    values |= {"organisation_kind": "union", "contact_name": "王主席", **overrides}
    return services.DonorProfile(**values)


def test_a_donor_keeps_their_profile_and_a_changed_organisation_is_checked_again(trio):
    donor = services.donor_profile_save(phone="13900001111", profile=_profile(trio))
    assert donor.public_name.startswith("Volunteer") or donor.public_name.startswith("爱心")
    services.donor_verify(actor=trio.staff_a, donor=donor)
    donor.refresh_from_db()
    assert donor.is_verified_organisation and donor.public_name == "西峰区总工会"
    services.donor_profile_save(phone="13900001111", profile=_profile(trio, contact_name="李干事"))
    assert Donor.objects.get(pk=donor.pk).verified_at is not None  # the same organisation
    renamed = services.donor_profile_save(
        phone="13900001111", profile=_profile(trio, name="别的单位")
    )
    assert renamed.verified_at is None and Donor.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"kind": "robot"}, "kind"),
        ({"name": " "}, "name"),
        ({"name": "王老板13912345678"}, "name"),
        ({"organisation_kind": ""}, "organisation_kind"),
        ({"organisation_kind": "mafia"}, "organisation_kind"),
        ({"contact_name": ""}, "contact_name"),
        ({"area": None}, "area"),
        ({"area": "community"}, "area"),
    ],
)
def test_what_a_donor_profile_refuses(trio, overrides, field):
    if overrides.get("area") == "community":
        overrides["area"] = trio.tree.a["community"]
    with pytest.raises(ApplicationError) as refused:
        services.donor_profile_save(phone="13900001111", profile=_profile(trio, **overrides))
    assert field in refused.value.fields and not Donor.objects.exists()


def test_an_organisation_is_verified_by_its_own_district_and_its_claims_then_count(trio, wish):
    union = organisation(area=trio.tree.a["district"])
    claim = make_claim(donor=union, wish=wish)
    assert claim.donor_kind == "individual"  # not yet verified
    with pytest.raises(Http404):
        services.donor_verify(actor=trio.staff_b, donor=union)
    with pytest.raises(PermissionDenied):
        services.donor_verify(actor=trio.viewer_a, donor=union)
    services.donor_verify(actor=trio.staff_a, donor=union)
    assert Claim.objects.get(pk=claim.pk).donor_kind == "union"
    services.donor_verification_withdraw(actor=trio.staff_a, donor=union)
    assert Claim.objects.get(pk=claim.pk).donor_kind == "individual"
    with pytest.raises(ApplicationError, match="Only an organisation"):
        services.donor_verify(actor=trio.staff_a, donor=DonorFactory(area=trio.tree.a["street"]))


# Real concurrency on PostgreSQL -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_donors_at_once_one_gets_the_wish(trio):
    worker = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    wish = published(WishFactory(worker=worker))
    donors = [DonorFactory(area=trio.tree.a["street"]) for _ in range(20)]
    outcomes = at_once(20, lambda n: make_claim(donor=donors[n], wish=wish))
    assert outcomes.count("ok") == 1, outcomes
    # One plain message for all the others (in the platform's language: the threads have
    # no request), naming nobody.
    refusals = {said for said in outcomes if said != "ok"}
    assert len(refusals) == 1 and "李" not in refusals.pop(), outcomes
    assert Claim.objects.filter(wish=wish).count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_donors_at_once_commit_exactly_the_quantities(trio):
    wish = collective_wish(
        outlet=OutletFactory(area=trio.tree.a["community"]), items=(("头盔", 7, 80),)
    )
    helmet = wish.items.get()
    donors = [DonorFactory(area=trio.tree.a["street"]) for _ in range(20)]
    outcomes = at_once(
        20, lambda n: make_claim(donor=donors[n], wish=wish, quantities={helmet.pk: 1})
    )
    assert outcomes.count("ok") == 7, outcomes
    assert sum(ClaimLine.objects.filter(item=helmet).values_list("quantity", flat=True)) == 7
    assert Wish.objects.get(pk=wish.pk).status == "claimed"


# Properties over random sequences ----------------------------------------------------------


def _photo():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), 200).save(out, format="PNG")
    return SimpleUploadedFile("handover.png", out.getvalue(), content_type="image/png")


step = st.one_of(
    st.tuples(st.just("claim"), st.integers(0, 3), st.integers(0, 1), st.integers(0, 4)),
    st.tuples(st.just("cancel"), st.integers(0, 30), st.integers(0, 1), st.integers(0, 0)),
    st.tuples(st.just("lapse"), st.integers(0, 30), st.integers(0, 0), st.integers(0, 0)),
    st.tuples(st.just("hand over"), st.integers(0, 30), st.integers(0, 0), st.integers(0, 0)),
    st.tuples(st.just("confirm"), st.integers(0, 30), st.integers(0, 0), st.integers(0, 0)),
)


def _assert_invariants(wishes):
    for wish in Wish.objects.filter(pk__in=[w.pk for w in wishes]):
        live = Claim.objects.filter(wish=wish, status__in=LIVE_CLAIM)
        all_came_true = not live.exclude(status="fulfilled").exists()
        if wish.kind == Wish.Kind.INDIVIDUAL:
            assert live.count() <= 1
            held = live.exists()
        else:
            held = True
            for item in wish.items.all():
                committed = sum(
                    ClaimLine.objects.filter(item=item, claim__in=live).values_list(
                        "quantity", flat=True
                    )
                )
                assert committed <= item.quantity
                held &= committed == item.quantity
        assert (wish.status in ("claimed", "fulfilled")) == held, wish.status
        assert (wish.status == "fulfilled") == (held and all_came_true), wish.status
        for claim in Claim.objects.filter(wish=wish):
            assert (claim.released_at is None) == (claim.status in LIVE_CLAIM)
            assert (claim.fulfilled_at is not None) == (claim.status == "fulfilled")
            assert (claim.handed_over_at is not None) == (
                claim.status in ("handed_over", "fulfilled")
            )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(step, min_size=1, max_size=20))
def test_any_sequence_keeps_the_quantities_one_live_claim_and_each_states_rule(trio, steps):
    """Claims, cancellations, lapses, handovers and confirmations in any order: committed
    never above asked, at most one live claim on a worker's wish, a wish claimed exactly
    when it is held and come true exactly when every live claim has."""
    with transaction.atomic():
        worker = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
        wishes = [
            published(WishFactory(worker=worker)),
            collective_wish(
                outlet=OutletFactory(area=trio.tree.a["community"]),
                items=(("头盔", 3, 80), ("雨衣", 2, 60)),
            ),
        ]
        donors = [DonorFactory(area=trio.tree.a["street"]) for _ in range(4)]
        now = timezone.now()
        for op, a, b, c in steps:
            before = _snapshot()
            try:
                if op == "claim":
                    wish = wishes[b]
                    quantities = None
                    if wish.kind == Wish.Kind.COLLECTIVE:
                        items = list(wish.items.order_by("pk"))
                        quantities = {items[c % 2].pk: c}
                    make_claim(donor=donors[a], wish=wish, quantities=quantities)
                elif op == "cancel":
                    claims = list(Claim.objects.filter(wish__in=wishes).order_by("pk"))
                    if claims:
                        claim = claims[a % len(claims)]
                        if b:
                            services.claim_cancel(claim=claim, actor=trio.staff_a, reason="测试")
                        else:
                            services.claim_cancel(claim=claim, donor=claim.donor)
                elif op in ("hand over", "confirm"):
                    claims = list(Claim.objects.filter(wish__in=wishes).order_by("pk"))
                    if claims:
                        claim = claims[a % len(claims)]
                        if op == "hand over":
                            services.claim_hand_over(
                                actor=trio.staff_a, pickup_code=claim.pickup_code
                            )
                        elif claim.wish.worker_id:
                            services.claim_confirm(worker=worker, claim=claim, thanks="谢谢")
                        else:
                            services.claim_confirm_by_staff(
                                actor=trio.staff_a, claim=claim, photo=_photo()
                            )
                else:
                    now += timedelta(days=a)
                    services.claims_lapse(now=now)
            except ApplicationError:
                assert _snapshot() == before  # refused: nothing changed
            _assert_invariants(wishes)
        transaction.set_rollback(True)


def test_the_figures_count_claims_by_donor_kind_and_releases(trio, wish):
    from wishes.facts import FACTS

    by_key = {fact.key: fact for fact in FACTS}
    union = organisation(area=trio.tree.a["district"], verified_by=trio.staff_a)
    claim = make_claim(donor=union, wish=wish)
    made = by_key["wishes.claims_made"]
    assert made.broken_down(area=trio.tree.a["district"]) == {"union": 1}
    assert by_key["wishes.claims_open"].value(area=trio.tree.a["district"]) == 1
    services.claim_cancel(claim=claim, donor=union)
    released = by_key["wishes.claims_released"]
    assert released.broken_down(area=trio.tree.a["district"]) == {"cancelled": 1}
    assert by_key["wishes.claims_open"].value(area=trio.tree.b["district"]) == 0


def test_deleting_the_workers_account_releases_the_donor(trio, wish, donor):
    from wishes.personal_data import wishes_erase

    claim = make_claim(donor=donor, wish=wish)
    wishes_erase(worker=wish.worker, actor=None)
    claim.refresh_from_db()
    wish.refresh_from_db()
    assert (wish.status, wish.text, claim.status) == ("withdrawn", "", "cancelled")
    assert claim.released_at and claim.release_reason


def test_public_words_pass_the_sensitive_word_check(trio, wish, donor):
    from core.models import SensitiveWord

    SensitiveWord.objects.get_or_create(word="刷单")
    with pytest.raises(ApplicationError) as refused:
        make_claim(donor=donor, wish=wish, message="顺便介绍刷单兼职")
    assert "message" in refused.value.fields and not Claim.objects.exists()
    with pytest.raises(ApplicationError) as refused:
        services.donor_profile_save(phone="13900001111", profile=_profile(trio, name="刷单工作室"))
    assert "name" in refused.value.fields and not Donor.objects.filter(phone="13900001111").exists()


def test_a_closed_wishs_photos_go_after_a_year_and_with_the_account(trio, wish, donor):
    import datetime as dt

    from django.core.files.base import ContentFile

    from wishes.models import WishPhoto
    from wishes.personal_data import WISH_PHOTO_DAYS, wish_photos_purge, wishes_erase

    photo = WishPhoto(wish=wish)
    photo.image.save("photo.jpg", ContentFile(b"jpeg bytes"))
    stored = photo.image.name
    now = timezone.now()
    assert wish_photos_purge(before=now) == 0  # still open
    Wish.objects.filter(pk=wish.pk).update(
        status="withdrawn", updated_at=now - dt.timedelta(days=WISH_PHOTO_DAYS + 1)
    )
    assert wish_photos_purge(before=now - dt.timedelta(days=WISH_PHOTO_DAYS)) == 1
    assert not WishPhoto.objects.exists() and not photo.image.storage.exists(stored)
    other = published(WishFactory(worker=WorkerFactory(area=trio.tree.a["community"])))
    again = WishPhoto(wish=other)
    again.image.save("photo.jpg", ContentFile(b"jpeg bytes"))
    claim = make_claim(donor=donor, wish=other)
    services.claim_confirm(worker=other.worker, claim=claim, thanks="谢谢")
    wishes_erase(worker=other.worker, actor=None)
    assert not WishPhoto.objects.exists() and Claim.objects.get(pk=claim.pk).thanks == ""
