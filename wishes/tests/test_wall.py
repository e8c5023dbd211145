"""The wall and donors on the phone (issue 15 §2): anyone browses published wishes, masked,
by district and category; a donor signs in, gives a profile and claims a wish on its page;
a claim's donor and word reach the worker's own page; what the pages refuse."""

import uuid

import pytest
from django.utils import translation

from core.exceptions import ApplicationError
from members.models import Worker
from members.tests.factories import OutletFactory, WorkerFactory, phone_logged_in
from wishes import services
from wishes.models import Claim, Donor, Wish

from .factories import (
    DonorFactory,
    WishFactory,
    category,
    collective_wish,
    handover_station,
    published,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(trio):
    return WorkerFactory(
        area=trio.tree.a["community"],
        status=Worker.Status.APPROVED,
        phone="13812345601",
        name="王小明",
        occupation="food_delivery",
    )


@pytest.fixture
def wish(worker):
    return published(WishFactory(worker=worker, text="一件新雨衣"))


def _claim_form(wish, **overrides):
    station = handover_station(wish).pk
    return {"message": "", "station": station, "client_key": str(uuid.uuid4()), **overrides}


def test_anyone_sees_the_wall_masked_with_no_phone_no_id(client, trio, wish, worker):
    WishFactory(worker=WorkerFactory(area=trio.tree.a["community"]), text="还在审核的心愿")
    page = client.get("/m/wishes/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "一件新雨衣" in html and "外卖骑手 王*" in html and trio.tree.a["community"].name in html
    assert "王小明" not in html and worker.phone not in html and "13812345601" not in html
    assert "还在审核的心愿" not in html  # under review: not public
    detail = client.get(f"/m/wishes/{wish.pk}/").content.decode()
    assert "王小明" not in detail and worker.phone not in detail


def test_the_wall_filters_by_district_and_category_and_ignores_what_it_does_not_know(
    client, trio, wish
):
    other = published(
        WishFactory(
            worker=WorkerFactory(area=trio.tree.b["community"]),
            text="孩子的新书包",
            category=category("other"),
        )
    )
    a_code = trio.tree.a["district"].code
    html = client.get(f"/m/wishes/?area={a_code}").content.decode()
    assert "一件新雨衣" in html and other.text not in html
    html = client.get(f"/m/wishes/?category={category('other').pk}").content.decode()
    assert other.text in html and "一件新雨衣" not in html
    for strange in ("?area=zzz", "?category=abc&area=%00", "?page=999", "?page=-1"):
        answer = client.get(f"/m/wishes/{strange}")
        assert answer.status_code == 200, strange
    assert client.get("/m/wishes/99999999/").status_code == 404
    returned = WishFactory(worker=WorkerFactory(area=trio.tree.a["community"]), status="returned")
    assert client.get(f"/m/wishes/{returned.pk}/").status_code == 404


def test_a_visitor_signs_in_and_gives_a_profile_before_claiming(client, trio, wish):
    here = f"/m/wishes/{wish.pk}/"
    answer = client.post(here, _claim_form(wish))
    assert answer.status_code == 302 and answer["Location"].startswith("/m/login/")
    phone_logged_in(client, "13900002222")
    answer = client.post(here, _claim_form(wish))
    assert answer.status_code == 302 and answer["Location"].startswith("/m/donor/")
    assert not Claim.objects.exists()
    answer = client.post(
        f"/m/donor/?then={here}",
        {
            "kind": "individual",
            "name": "李爱心",
            "area": trio.tree.a["street"].pk,
            "consent": "on",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == here
    answer = client.post(here, _claim_form(wish, message="天冷了，注意保暖"), follow=True)
    assert answer.redirect_chain[-1][0] == "/m/me/claims/"
    assert "一件新雨衣" in answer.content.decode()
    claim = Claim.objects.get()
    assert (claim.donor.phone, claim.message, claim.wish.status) == (
        "13900002222",
        "天冷了，注意保暖",
        "claimed",
    )


def test_the_worker_sees_who_claimed_and_their_word(client, wish, worker, trio):
    donor = DonorFactory(area=trio.tree.a["street"], phone="13900002222", name="李爱心")
    phone_logged_in(client, donor.phone)
    client.post(f"/m/wishes/{wish.pk}/", _claim_form(wish, message="天冷了，注意保暖"))
    phone_logged_in(client, worker.phone)
    html = client.get("/m/me/wishes/").content.decode()
    assert "天冷了，注意保暖" in html and "李*" in html and "李爱心" not in html
    assert "/withdraw/" not in html  # claimed: the community decides now


def test_a_second_donor_hears_it_is_taken_and_a_double_tap_is_one_claim(client, wish, trio):
    first = DonorFactory(area=trio.tree.a["street"], phone="13900002222")
    phone_logged_in(client, first.phone)
    form = _claim_form(wish)
    client.post(f"/m/wishes/{wish.pk}/", form)
    client.post(f"/m/wishes/{wish.pk}/", form)
    assert Claim.objects.count() == 1
    second = DonorFactory(area=trio.tree.a["street"], phone="13900003333", name="张三")
    phone_logged_in(client, second.phone)
    html = client.get(f"/m/wishes/{wish.pk}/").content.decode()
    assert 'class="notice"' in html and '<form method="post" class="form"' not in html
    answer = client.post(f"/m/wishes/{wish.pk}/", _claim_form(wish), follow=True)
    assert 'class="message error"' in answer.content.decode()
    assert "李*" not in answer.content.decode()  # never who has it
    assert Claim.objects.count() == 1


def test_a_collective_wish_is_claimed_by_quantities_and_refuses_too_many(client, trio):
    wish = collective_wish(outlet=OutletFactory(area=trio.tree.a["community"]))
    oven, water = wish.items.order_by("pk")
    donor = DonorFactory(area=trio.tree.a["street"])
    phone_logged_in(client, donor.phone)
    no_station_yet = client.get(f"/m/wishes/{wish.pk}/").content.decode()
    assert 'class="notice"' in no_station_yet and 'name="station"' not in no_station_yet
    handover_station(wish)
    page = client.get(f"/m/wishes/{wish.pk}/").content.decode()
    assert f'name="item_{oven.pk}"' in page
    answer = client.post(f"/m/wishes/{wish.pk}/", _claim_form(wish, **{f"item_{oven.pk}": "5"}))
    assert answer.status_code == 200 and "error" in answer.content.decode()
    assert not Claim.objects.exists()
    client.post(f"/m/wishes/{wish.pk}/", _claim_form(wish, **{f"item_{oven.pk}": "2"}))
    assert Claim.objects.get().lines.get().quantity == 2
    page = client.get(f"/m/wishes/{wish.pk}/").content.decode()
    assert f'name="item_{oven.pk}"' not in page and f'name="item_{water.pk}"' in page


@pytest.mark.parametrize(
    "overrides",
    [
        {"consent": ""},
        {"kind": "robot"},
        {"name": ""},
        {"kind": "organisation", "organisation_kind": ""},
        {"area": "999999"},
        {"area": "community"},
    ],
)
def test_what_the_donor_form_refuses(client, trio, overrides):
    if overrides.get("area") == "community":
        overrides["area"] = trio.tree.a["community"].pk
    phone_logged_in(client, "13900002222")
    form = {"kind": "individual", "name": "李爱心", "area": trio.tree.a["street"].pk}
    answer = client.post("/m/donor/", {**form, "consent": "on", **overrides})
    assert answer.status_code == 200 and "error" in answer.content.decode()
    assert not Donor.objects.exists()


def test_a_donor_takes_back_only_their_own_claim(client, trio, wish):
    donor = DonorFactory(area=trio.tree.a["street"], phone="13900002222")
    someone = DonorFactory(area=trio.tree.a["street"], phone="13900003333")
    phone_logged_in(client, donor.phone)
    client.post(f"/m/wishes/{wish.pk}/", _claim_form(wish))
    claim = Claim.objects.get()
    phone_logged_in(client, someone.phone)
    client.post(f"/m/me/claims/{claim.pk}/cancel/")
    assert Claim.objects.get().status == "claimed"
    phone_logged_in(client, donor.phone)
    assert "/cancel/" in client.get("/m/me/claims/").content.decode()
    client.post(f"/m/me/claims/{claim.pk}/cancel/")
    assert Claim.objects.get().status == "cancelled"
    assert Wish.objects.get(pk=wish.pk).status == "published"
    assert client.get(f"/m/me/claims/{claim.pk}/cancel/").status_code == 405


def test_my_claims_asks_a_phone_without_a_profile_for_one(client):
    assert client.get("/m/me/claims/").status_code == 302
    phone_logged_in(client, "13900002222")
    answer = client.get("/m/me/claims/")
    assert answer.status_code == 302 and answer["Location"].startswith("/m/donor/")


def test_a_donor_deletes_their_profile_and_what_they_hold_goes_back(client, trio, wish):
    from members.models import Message

    donor = DonorFactory(area=trio.tree.a["street"], phone="13900002222", name="李爱心")
    phone_logged_in(client, donor.phone)
    client.post(f"/m/wishes/{wish.pk}/", _claim_form(wish, message="注意保暖"))
    Message.objects.create(phone=donor.phone, kind="wishes.donor", title="x", event_key="k")
    assert "/m/donor/delete/" in client.get("/m/donor/").content.decode()
    assert client.get("/m/donor/delete/").status_code == 405
    client.post("/m/donor/delete/")
    donor.refresh_from_db()
    claim = Claim.objects.get()
    assert donor.erased_at and donor.phone != "13900002222" and "李" not in donor.name
    assert (claim.status, claim.message) == ("cancelled", "")
    assert Wish.objects.get(pk=wish.pk).status == "published"
    assert not Message.objects.filter(phone="13900002222").exists()
    # The same phone may give again, as a new donor; the old profile is not verified again.
    assert client.get("/m/me/claims/")["Location"].startswith("/m/donor/")
    with translation.override("en"), pytest.raises(ApplicationError, match="deleted their"):
        services.donor_verify(actor=trio.staff_a, donor=donor)
