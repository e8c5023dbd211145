"""Handover and fulfilment (issue 15 §3): the keeper of the chosen station hands the gift
over on the worker's pickup code, or staff record a delivery; the worker confirms with a
thank-you, or staff confirm with a photo; a lapsed claim neither hands over nor comes true;
the keeper, the community's viewer and another district each reach only what they should."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone, translation
from PIL import Image

from core.exceptions import ApplicationError
from members.models import Message, Worker
from members.tests.factories import OutletFactory, WorkerFactory, phone_logged_in
from wishes import services
from wishes.models import Claim, Wish

from .factories import DonorFactory, WishFactory, collective_wish, make_claim, published

pytestmark = pytest.mark.django_db

COUNTER = "/admin/wishes/claim/hand-over/"


@pytest.fixture
def worker(trio):
    return WorkerFactory(
        area=trio.tree.a["community"], status=Worker.Status.APPROVED, phone="13812345601"
    )


@pytest.fixture
def claim(trio, worker, station_a):
    wish = published(WishFactory(worker=worker))
    return make_claim(
        donor=DonorFactory(area=trio.tree.a["street"]),
        wish=wish,
        station=station_a,
        message="天冷了，注意保暖",
    )


def photo(fmt="JPEG", name="handover.jpg"):
    out = io.BytesIO()
    image = Image.new("RGB", (40, 30), 200)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make: what re-encoding must drop
    image.save(out, format=fmt, exif=exif) if fmt == "JPEG" else image.save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_the_worker_is_told_and_sees_the_code_the_keeper_hands_over(
    client, claim, worker, keeper_a
):
    told = Message.objects.get(worker=worker, kind="wishes.my_wish")
    assert claim.pickup_code in told.body and claim.station.name in told.body
    phone_logged_in(client, worker.phone)
    page = client.get(f"/m/me/wishes/{claim.wish.pk}/").content.decode()
    assert claim.pickup_code in page and "<svg" in page and "天冷了，注意保暖" in page
    client.force_login(keeper_a)
    scanned = client.get(f"{COUNTER}?pickup_code={claim.pickup_code.lower()}").content.decode()
    assert claim.wish.text in scanned and worker.name not in scanned
    answer = client.post(COUNTER, {"pickup_code": claim.pickup_code}, follow=True)
    assert answer.status_code == 200
    claim.refresh_from_db()
    assert (claim.status, claim.handed_over_by) == ("handed_over", keeper_a)
    again = client.post(COUNTER, {"pickup_code": claim.pickup_code})
    assert "errorlist" in again.content.decode()
    assert Claim.objects.get(pk=claim.pk).handed_over_at == claim.handed_over_at


def test_the_counter_refuses_codes_out_of_reach(client, trio, claim, station_b):
    from areas.models import StaffGrant
    from areas.tests.factories import UserFactory, grant
    from stations.services import keeper_stations_set

    keeper_b = UserFactory(username="keeper_b")
    keeper_stations_set(
        grant=grant(keeper_b, trio.tree.b["community"], StaffGrant.Role.STATION_KEEPER),
        stations=[station_b],
    )
    for outsider in (keeper_b, trio.staff_b):
        client.force_login(outsider)
        scanned = client.get(f"{COUNTER}?pickup_code={claim.pickup_code}").content.decode()
        assert claim.wish.text not in scanned
        assert client.post(COUNTER, {"pickup_code": claim.pickup_code}).status_code == 404
    client.force_login(trio.viewer_a)
    assert client.post(COUNTER, {"pickup_code": claim.pickup_code}).status_code == 403
    client.force_login(trio.staff_a)
    refused = client.post(COUNTER, {"pickup_code": "ZZZZZZZZ"})
    assert "errorlist" in refused.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == "claimed"


def test_a_lapsed_claim_neither_hands_over_nor_comes_true(trio, claim, worker):
    services.claims_lapse(now=claim.deadline + timedelta(minutes=1))
    with pytest.raises(ApplicationError, match="lapsed"):
        services.claim_hand_over(actor=trio.staff_a, pickup_code=claim.pickup_code)
    with pytest.raises(ApplicationError, match="no longer come true"):
        services.claim_confirm(worker=worker, claim=claim)
    Claim.objects.filter(pk=claim.pk).update(status="claimed", released_at=None)
    Claim.objects.filter(pk=claim.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ApplicationError, match="lapsed|nothing to hand over"):
        services.claim_hand_over(actor=trio.staff_a, pickup_code=claim.pickup_code)
    with pytest.raises(ApplicationError, match="deadline"):
        services.claim_confirm(worker=worker, claim=claim)


def test_the_worker_confirms_with_thanks_and_it_comes_true_once(client, claim, worker, trio):
    phone_logged_in(client, worker.phone)
    page = f"/m/me/wishes/{claim.wish.pk}/"
    refused = client.post(page, {"thanks": "有事打我13912345678"})
    assert refused.status_code == 200 and "error" in refused.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == "claimed"
    client.post(page, {"thanks": "谢谢您，雨衣很暖和！"})
    claim.refresh_from_db()
    assert (claim.status, claim.thanks, claim.confirmed_by) == (
        "fulfilled",
        "谢谢您，雨衣很暖和！",
        None,
    )
    assert claim.handed_over_at and claim.fulfilled_at
    assert Wish.objects.get(pk=claim.wish.pk).status == "fulfilled"
    # (The page's request left its language active: the refusals are matched in English.)
    with translation.override("en"):
        with pytest.raises(ApplicationError, match="already come true"):
            services.claim_confirm(worker=worker, claim=claim)
        someone = WorkerFactory(area=trio.tree.a["community"])
        with pytest.raises(ApplicationError, match="not a claim on one of your wishes"):
            services.claim_confirm(worker=someone, claim=claim)


def test_staff_deliver_and_confirm_with_a_photo_seen_only_in_reach(client, trio, claim):
    with pytest.raises(Http404):
        services.claim_deliver(actor=trio.staff_b, claim=claim)
    services.claim_deliver(actor=trio.staff_a, claim=claim)
    claim.refresh_from_db()
    assert (claim.status, claim.delivered_by_staff) == ("handed_over", True)
    client.force_login(trio.staff_a)
    confirm = f"/admin/wishes/claim/{claim.pk}/do/confirm/"
    not_a_photo = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    refused = client.post(confirm, {"photo": not_a_photo})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == "handed_over"
    client.post(confirm, {"photo": photo()})
    claim.refresh_from_db()
    assert (claim.status, claim.confirmed_by) == ("fulfilled", trio.staff_a)
    stored = claim.fulfilment_photo.read()
    assert b"PhoneMaker" not in stored and Image.open(io.BytesIO(stored)).format == "JPEG"
    from core.private_files import url_for

    url = url_for(claim.fulfilment_photo.name)
    assert client.get(url).status_code == 200
    client.force_login(trio.staff_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_a_collective_wish_comes_true_when_every_claim_has(trio, station_a):
    wish = collective_wish(outlet=OutletFactory(area=trio.tree.a["community"]))
    oven, water = wish.items.order_by("pk")
    first = make_claim(
        donor=DonorFactory(area=trio.tree.a["street"]), wish=wish, quantities={oven.pk: 2}
    )
    second = make_claim(
        donor=DonorFactory(area=trio.tree.a["street"]), wish=wish, quantities={water.pk: 1}
    )
    services.claim_confirm_by_staff(actor=trio.staff_a, claim=first, photo=photo())
    assert Wish.objects.get(pk=wish.pk).status == "claimed"
    services.claim_confirm_by_staff(actor=trio.staff_a, claim=second, photo=photo("PNG"))
    assert Wish.objects.get(pk=wish.pk).status == "fulfilled"
    with pytest.raises(ApplicationError) as refused:
        services.claim_confirm_by_staff(actor=trio.staff_a, claim=second, photo=None)
    assert "photo" in refused.value.fields


# What the donor hears --------------------------------------------------------------------------


def _donor_inbox(claim):
    return list(
        Message.objects.filter(phone=claim.donor.phone, worker=None)
        .order_by("pk")
        .values_list("title", "body")
    )


def test_the_donor_hears_of_the_handover_and_the_workers_thanks(client, trio, claim, worker):
    services.claim_hand_over(actor=trio.staff_a, pickup_code=claim.pickup_code)
    services.claim_confirm(worker=worker, claim=claim, thanks="谢谢您，雨衣很暖和！")
    said = " ".join(f"{title} {body}" for title, body in _donor_inbox(claim))
    assert said.count(claim.wish.text[:20]) == 2 and "谢谢您，雨衣很暖和！" in said
    assert worker.name not in said and worker.phone not in said
    phone_logged_in(client, claim.donor.phone)
    assert "谢谢您，雨衣很暖和！" in client.get("/m/me/messages/").content.decode()


def test_the_donor_is_reminded_once_before_the_deadline_and_told_of_a_lapse(trio, claim):
    assert services.claims_remind() == 0  # two weeks to go
    near = claim.deadline - timedelta(days=2)
    assert services.claims_remind(now=near) == 1
    assert services.claims_remind(now=near) == 0
    assert claim.station.name in _donor_inbox(claim)[0][1]
    services.claims_lapse(now=claim.deadline + timedelta(minutes=1))
    assert len(_donor_inbox(claim)) == 2


def test_the_donor_reads_why_the_community_cancelled_but_not_their_own_cancel(trio, claim):
    services.claim_cancel(claim=claim, actor=trio.staff_a, reason="联系不上您，心愿已重新上墙")
    assert "联系不上您" in _donor_inbox(claim)[0][1]
    other = make_claim(donor=claim.donor, wish=claim.wish)
    services.claim_cancel(claim=other, donor=claim.donor)
    assert len(_donor_inbox(claim)) == 1


def test_the_keeper_finds_the_gifts_waiting_at_their_counter(client, claim, keeper_a, trio):
    client.force_login(keeper_a)
    index = client.get("/admin/").content.decode()
    assert COUNTER in index
    client.force_login(trio.staff_b)
    assert COUNTER not in client.get("/admin/").content.decode()
