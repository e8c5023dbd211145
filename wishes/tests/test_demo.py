"""The demo's micro-wishes (issue 15 §6): every state of a wish and of a claim in Xifeng
and Chanhe, the Chanhe outlet's collective wish claimed whole by the district union, an
organisation waiting for verification, nothing personal on the wall, and a second run
that adds nothing."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from members.models import Worker
from wishes import selectors
from wishes.demo import KEPT_STATION, OUTLET_NAME
from wishes.models import Claim, ClaimLine, Donor, Wish, WishStatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)


def staff(username):
    return get_user_model().objects.get(username=username)


def test_the_demo_has_wishes_in_every_state_and_claims_in_every_state(demo):
    assert set(Wish.objects.values_list("status", flat=True)) == set(Wish.Status.values)
    assert set(Claim.objects.values_list("status", flat=True)) == set(Claim.Status.values)
    for district in ("621002", "410304"):
        in_district = Wish.objects.filter(area__code__startswith=district)
        assert in_district.filter(status=Wish.Status.PUBLISHED).exists()
        assert in_district.filter(status=Wish.Status.SUBMITTED).exists()
        assert in_district.filter(status=Wish.Status.FULFILLED).exists()
    # The lapsed and the cancelled claims' wishes went back on the wall: one stays there,
    # the other was claimed again.
    lapsed = Claim.objects.get(status=Claim.Status.LAPSED)
    assert lapsed.wish.status == Wish.Status.PUBLISHED
    cancelled = Claim.objects.get(status=Claim.Status.CANCELLED)
    assert cancelled.wish.claims.get(status=Claim.Status.CLAIMED)
    # The 北大街 station's own wish: the volunteer team's umbrellas and stools wait at its
    # counter, the power banks are still on the wall.
    station_wish = Wish.objects.get(station__name=KEPT_STATION)
    assert station_wish.status == Wish.Status.PUBLISHED
    assert station_wish.claims.get().status == Claim.Status.CLAIMED
    on_the_wall = selectors.wall().get(pk=station_wish.pk)
    assert [item.name for item in on_the_wall.items.all() if item.still_needed] == ["移动电源"]
    # A wish came true with the worker's thank-you; the returned one says why.
    assert Claim.objects.filter(status=Claim.Status.FULFILLED).exclude(thanks="").count() == 2
    returned = Wish.objects.filter(status=Wish.Status.RETURNED)
    assert returned.count() == 2 and all(returned.values_list("status_reason", flat=True))
    # Staff collected some in street interviews and a 小哥议事会; the rest came by phone.
    assert set(Wish.objects.values_list("source", flat=True)) == {
        Wish.Source.PHONE,
        Wish.Source.STREET_INTERVIEW,
        Wish.Source.COUNCIL,
    }


def test_the_district_union_claimed_every_item_of_the_chanhe_outlets_collective_wish(demo):
    wish = Wish.objects.get(outlet__name=OUTLET_NAME, kind=Wish.Kind.COLLECTIVE)
    assert wish.area.code.startswith("410304")
    assert wish.value == 30_000 and wish.status == Wish.Status.CLAIMED
    claim = wish.claims.get()
    assert claim.donor.name == "瀍河回族区总工会" and claim.donor.is_verified_organisation
    assert claim.donor_kind == Donor.OrganisationKind.UNION
    assert claim.status == Claim.Status.HANDED_OVER and claim.delivered_by_staff
    asked = dict(wish.items.values_list("name", "quantity"))
    promised = dict(ClaimLine.objects.filter(claim=claim).values_list("item__name", "quantity"))
    assert promised == asked
    assert {"微波炉", "冰箱", "饮水机", "空调"} <= set(asked)
    # A courier's own wish for a microwave joined it.
    assert wish.merged_wishes.get().worker.outlet == wish.outlet


def test_an_organisation_not_yet_verified_waits_in_xifengs_work_queue(demo):
    waiting = selectors.donors_to_verify(user=staff("district_xifeng"))
    assert list(waiting.values_list("organisation_kind", flat=True)) == ["company"]
    company = waiting.get()
    # Its claim counts as an individual's until staff verify it.
    assert company.claims.get().donor_kind == Donor.Kind.INDIVIDUAL
    assert not selectors.donors_to_verify(user=staff("district_chanhe")).exists()
    assert selectors.review_queue(user=staff("district_xifeng")).count() == 1
    assert selectors.review_queue(user=staff("district_chanhe")).count() == 1


def test_nothing_on_the_wall_names_a_worker_in_full_or_gives_their_phone(client, demo):
    workers = list(Worker.objects.values_list("name", "phone"))
    on_the_wall = list(selectors.wall())
    assert {wish.area.code[:6] for wish in on_the_wall} == {"621002", "410304"}
    shown = []
    for wish in on_the_wall:
        items = " ".join(item.name for item in wish.items.all())
        card = f"{wish.public_who} {wish.text} {wish.status_reason} {items}"
        assert not re.search(r"1[3-9]\d{9}", card)
        shown.append(card)
    # And the pages themselves: the wall, and each wish the public may open.
    pages = ["/m/wishes/"] + [
        f"/m/wishes/{pk}/"
        for pk in Wish.objects.filter(
            status__in=[Wish.Status.PUBLISHED, Wish.Status.CLAIMED, Wish.Status.FULFILLED]
        ).values_list("pk", flat=True)
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200
        shown.append(response.content.decode())
    for text in shown:
        for name, phone in workers:
            assert name not in text and phone not in text


def test_a_second_run_adds_nothing_to_the_wishes(demo):
    def counts():
        return (
            list(Wish.objects.order_by("pk").values_list("pk", "status", "updated_at")),
            list(Claim.objects.order_by("pk").values_list("pk", "status", "updated_at")),
            Donor.objects.count(),
            ClaimLine.objects.count(),
            WishStatusChange.objects.count(),
            Worker.objects.count(),
        )

    before = counts()
    call_command("load_demo", verbosity=0)
    assert counts() == before
