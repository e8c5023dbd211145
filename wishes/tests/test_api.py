"""Micro-wishes through the API, for the area trio: recording and reviewing wishes, claims
(cancelled, delivered, confirmed with a photo), donors' verification, and the counter's
handovers on a pickup code. Refusals change nothing; lists cost the same for few rows
and many."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.testing import client_for
from members.models import Worker
from members.tests.factories import OutletFactory, WorkerFactory
from wishes.models import Claim, Donor, Wish

from .factories import (
    DonorFactory,
    WishFactory,
    category,
    collective_wish,
    make_claim,
    organisation,
    published,
)

pytestmark = pytest.mark.django_db

WISHES = "/api/v1/wishes/"
CLAIMS = "/api/v1/wish-claims/"
DONORS = "/api/v1/wish-donors/"
HANDOVERS = "/api/v1/wish-handovers/"


@pytest.fixture
def worker(trio):
    return WorkerFactory(
        area=trio.tree.a["community"],
        status=Worker.Status.APPROVED,
        name="张三丰",
        phone="13812345601",
    )


@pytest.fixture
def claim(trio, worker, station_a):
    return make_claim(
        donor=DonorFactory(area=trio.tree.a["street"]),
        wish=published(WishFactory(worker=worker)),
        station=station_a,
    )


def photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), 200).save(out, format="JPEG")
    return SimpleUploadedFile("handover.jpg", out.getvalue(), content_type="image/jpeg")


def individual(worker, **overrides) -> dict:
    return {
        "category": category().pk,
        "text": "一件新雨衣",
        "source": "interview",
        "worker": worker.pk,
        "value": "80",
        "consent_given": True,
        **overrides,
    }


def test_staff_record_a_workers_wish_and_only_they_may(trio, worker):
    body = individual(worker)
    assert client_for(trio.viewer_a).post(WISHES, body, format="json").status_code == 403
    # Another district's worker is no worker: the same 400 as a worker that does not exist.
    outsider = client_for(trio.staff_b).post(WISHES, body, format="json")
    assert outsider.status_code == 400 and "worker" in outsider.json()
    over_cap = client_for(trio.staff_a).post(WISHES, {**body, "value": "600"}, format="json")
    assert over_cap.status_code == 400 and over_cap.json()["value"]
    no_consent = client_for(trio.staff_a).post(
        WISHES, {**body, "consent_given": False}, format="json"
    )
    assert no_consent.status_code == 400 and "consent_given" in no_consent.json()
    on_the_phone = client_for(trio.staff_a).post(WISHES, {**body, "source": "phone"}, format="json")
    assert on_the_phone.status_code == 400 and "source" in on_the_phone.json()
    assert not Wish.objects.exists()

    made = client_for(trio.staff_a).post(WISHES, body, format="json")
    assert made.status_code == 201, made.json()
    answer = made.json()
    assert (answer["status"], answer["kind"], answer["value"]) == (
        "submitted",
        "individual",
        "80.00",
    )
    assert answer["worker_masked"].startswith("张**")
    assert "张三丰" not in made.content.decode() and "13812345601" not in made.content.decode()
    assert Wish.objects.get().recorded_by == trio.staff_a


def test_the_community_reviews_a_wish_per_trio(trio, worker):
    wish = WishFactory(worker=worker)
    url = f"{WISHES}{wish.pk}/"
    assert client_for(trio.staff_b).get(url).status_code == 404
    assert client_for(trio.staff_b).get(WISHES).json()["count"] == 0
    assert client_for(trio.viewer_a).get(WISHES).json()["count"] == 1
    assert client_for(trio.viewer_a).post(f"{url}publish/").status_code == 403
    assert client_for(trio.staff_b).post(f"{url}publish/").status_code == 404
    no_reason = client_for(trio.staff_a).post(f"{url}return/", {"reason": " "}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert Wish.objects.get().status == "submitted"

    done = client_for(trio.staff_a).post(f"{url}publish/")
    assert done.status_code == 200 and done.json()["status"] == "published"
    twice = client_for(trio.staff_a).post(f"{url}publish/")
    assert twice.status_code == 400 and twice.json()["detail"]
    listed = client_for(trio.staff_a).get(WISHES, {"status": "published"}).json()
    assert [w["id"] for w in listed["results"]] == [wish.pk]
    assert client_for(trio.staff_a).get(WISHES, {"status": "submitted"}).json()["count"] == 0


def test_a_wish_is_returned_with_a_reason(trio, worker):
    wish = WishFactory(worker=worker)
    url = f"{WISHES}{wish.pk}/return/"
    assert (
        client_for(trio.viewer_a).post(url, {"reason": "请写具体些"}, format="json").status_code
        == 403
    )
    returned = client_for(trio.staff_a).post(url, {"reason": "请写具体些"}, format="json")
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["status_reason"]) == (
        "returned",
        "请写具体些",
    )


def test_a_collective_wish_is_recorded_with_items_and_a_workers_wish_merged_into_it(trio, worker):
    outlet = OutletFactory(area=trio.tree.a["community"])
    body = {
        "category": category("station").pk,
        "text": "网点休息室添置微波炉和饮水机",
        "source": "council",
        "outlet": outlet.pk,
        "items": [
            {"name": "微波炉", "quantity": 2, "unit_value": "450"},
            {"name": "饮水机", "quantity": 1, "unit_value": "600"},
        ],
        "consent_given": True,
    }
    assert client_for(trio.viewer_a).post(WISHES, body, format="json").status_code == 403
    outsider = client_for(trio.staff_b).post(WISHES, body, format="json")
    assert outsider.status_code == 400 and "outlet" in outsider.json()
    too_many = client_for(trio.staff_a).post(
        WISHES,
        {**body, "items": [{"name": "头盔", "quantity": 10**6, "unit_value": "80"}]},
        format="json",
    )
    assert too_many.status_code == 400 and "items" in too_many.json()
    assert not Wish.objects.exists()

    made = client_for(trio.staff_a).post(WISHES, body, format="json")
    assert made.status_code == 201, made.json()
    collective = made.json()
    assert (collective["kind"], collective["value"], collective["outlet_name"]) == (
        "collective",
        "1500.00",
        outlet.name,
    )
    assert [(i["name"], i["quantity"], i["committed"]) for i in collective["items"]] == [
        ("微波炉", 2, 0),
        ("饮水机", 1, 0),
    ]
    filtered = client_for(trio.staff_a).get(WISHES, {"kind": "collective"}).json()
    assert [w["id"] for w in filtered["results"]] == [collective["id"]]

    wish = WishFactory(worker=worker)
    merge = f"{WISHES}{wish.pk}/merge/"
    not_collective = client_for(trio.staff_a).post(merge, {"collective": wish.pk}, format="json")
    assert not_collective.status_code == 400 and "collective" in not_collective.json()
    assert (
        client_for(trio.viewer_a)
        .post(merge, {"collective": collective["id"]}, format="json")
        .status_code
        == 403
    )
    merged = client_for(trio.staff_a).post(merge, {"collective": collective["id"]}, format="json")
    assert merged.status_code == 200
    assert (merged.json()["status"], merged.json()["merged_into"]) == ("merged", collective["id"])


def test_claims_per_trio_and_the_community_cancels_one_saying_why(trio, claim):
    url = f"{CLAIMS}{claim.pk}/"
    assert client_for(trio.staff_b).get(url).status_code == 404
    assert client_for(trio.staff_b).get(CLAIMS).json()["count"] == 0
    seen = client_for(trio.viewer_a).get(CLAIMS).json()["results"]
    assert [c["id"] for c in seen] == [claim.pk]
    assert seen[0]["donor_name"].endswith(" 李**") and "李爱心" not in str(seen)
    assert "pickup_code" not in seen[0] and claim.pickup_code not in str(seen)
    reason = {"reason": "联系不上认领人"}
    assert client_for(trio.viewer_a).post(f"{url}cancel/", reason, format="json").status_code == 403
    assert client_for(trio.staff_b).post(f"{url}cancel/", reason, format="json").status_code == 404
    no_reason = client_for(trio.staff_a).post(f"{url}cancel/", {"reason": " "}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert Claim.objects.get().status == "claimed"

    cancelled = client_for(trio.staff_a).post(f"{url}cancel/", reason, format="json")
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["release_reason"]) == (
        "cancelled",
        "联系不上认领人",
    )
    assert Wish.objects.get().status == "published"  # back on the wall
    again = client_for(trio.staff_a).post(f"{url}cancel/", reason, format="json")
    assert again.status_code == 400 and again.json()["detail"]


def test_staff_deliver_and_confirm_with_a_photo(trio, claim):
    url = f"{CLAIMS}{claim.pk}/"
    assert client_for(trio.viewer_a).post(f"{url}deliver/").status_code == 403
    assert client_for(trio.staff_b).post(f"{url}deliver/").status_code == 404
    delivered = client_for(trio.staff_a).post(f"{url}deliver/")
    assert delivered.status_code == 200
    assert (delivered.json()["status"], delivered.json()["delivered_by_staff"]) == (
        "handed_over",
        True,
    )
    confirm = f"{url}confirm/"
    not_a_photo = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    refused = client_for(trio.staff_a).post(confirm, {"photo": not_a_photo}, format="multipart")
    assert refused.status_code == 400 and "photo" in refused.json()
    no_photo = client_for(trio.staff_a).post(confirm, {}, format="multipart")
    assert no_photo.status_code == 400 and "photo" in no_photo.json()
    assert (
        client_for(trio.viewer_a).post(confirm, {"photo": photo()}, format="multipart").status_code
        == 403
    )
    assert Claim.objects.get().status == "handed_over"

    confirmed = client_for(trio.staff_a).post(confirm, {"photo": photo()}, format="multipart")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "fulfilled" and confirmed.json()["photo_url"]
    assert Wish.objects.get().status == "fulfilled"
    filtered = client_for(trio.staff_a).get(CLAIMS, {"status": "fulfilled"}).json()
    assert [c["id"] for c in filtered["results"]] == [claim.pk]


def test_donors_are_verified_by_their_districts_staff(trio):
    union = organisation(area=trio.tree.a["district"], phone="13700001111")
    volunteer = DonorFactory(area=trio.tree.a["street"], name="李爱心", phone="13700002222")
    organisation(area=trio.tree.b["district"], phone="13700003333")

    listed = client_for(trio.viewer_a).get(DONORS).json()["results"]
    assert {d["id"] for d in listed} == {union.pk, volunteer.pk}
    shown = {d["id"]: d for d in listed}
    assert shown[volunteer.pk]["name"] == "李**" and shown[volunteer.pk]["phone"] == "137****2222"
    assert shown[union.pk]["name"] == "区总工会" and shown[union.pk]["contact_name"] == "王**"
    assert "13700001111" not in str(listed) and "王主席" not in str(listed)
    assert client_for(trio.staff_b).get(f"{DONORS}{union.pk}/").status_code == 404
    waiting = client_for(trio.staff_a).get(DONORS, {"verified": "false", "kind": "organisation"})
    assert [d["id"] for d in waiting.json()["results"]] == [union.pk]

    verify = f"{DONORS}{union.pk}/verify/"
    assert client_for(trio.viewer_a).post(verify).status_code == 403
    assert client_for(trio.staff_b).post(verify).status_code == 404
    refused = client_for(trio.staff_a).post(f"{DONORS}{volunteer.pk}/verify/")
    assert refused.status_code == 400 and refused.json()["detail"]
    assert not Donor.objects.filter(verified_at__isnull=False).exists()

    verified = client_for(trio.staff_a).post(verify)
    assert verified.status_code == 200 and verified.json()["verified"] is True
    assert verified.json()["public_name"] == "区总工会"
    assert client_for(trio.staff_a).get(DONORS, {"verified": "true"}).json()["count"] == 1
    unverify = f"{DONORS}{union.pk}/unverify/"
    assert client_for(trio.viewer_a).post(unverify).status_code == 403
    withdrawn = client_for(trio.staff_a).post(unverify)
    assert withdrawn.status_code == 200 and withdrawn.json()["verified"] is False
    twice = client_for(trio.staff_a).post(unverify)
    assert twice.status_code == 400


def test_the_keeper_hands_the_gift_over_on_the_pickup_code(trio, claim, keeper_a):
    code = {"pickup_code": claim.pickup_code.lower()}
    assert client_for(trio.viewer_a).post(HANDOVERS, code, format="json").status_code == 403
    assert client_for(trio.staff_b).post(HANDOVERS, code, format="json").status_code == 404
    unknown = client_for(keeper_a).post(HANDOVERS, {"pickup_code": "NOPE0000"}, format="json")
    assert unknown.status_code == 400 and "pickup_code" in unknown.json()
    assert Claim.objects.get().status == "claimed"

    handed = client_for(keeper_a).post(HANDOVERS, code, format="json")
    assert handed.status_code == 200, handed.json()
    assert (handed.json()["id"], handed.json()["status"]) == (claim.pk, "handed_over")
    assert Claim.objects.get().handed_over_by == keeper_a
    again = client_for(keeper_a).post(HANDOVERS, code, format="json")
    assert again.status_code == 400 and "pickup_code" in again.json()
    # The keeper reaches the claims of their station, not the wishes of its area.
    listed = client_for(keeper_a).get(CLAIMS, {"status": "handed_over"}).json()["results"]
    assert [c["id"] for c in listed] == [claim.pk]
    assert client_for(keeper_a).get(WISHES).json()["count"] == 0
    assert client_for(keeper_a).get(HANDOVERS).status_code == 405


# Lists cost the same for few rows and for many ------------------------------------------------


def _claims(trio, station_a, count):
    for _ in range(count):
        worker = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
        make_claim(
            donor=DonorFactory(area=trio.tree.a["street"]),
            wish=published(WishFactory(worker=worker)),
            station=station_a,
        )


@pytest.mark.parametrize("url", [WISHES, CLAIMS, DONORS])
def test_the_list_query_count_is_flat(trio, station_a, url, django_assert_max_num_queries):
    api = client_for(trio.staff_a)
    outlet = OutletFactory(area=trio.tree.a["community"])

    def add(count):
        _claims(trio, station_a, count)
        for _ in range(count):
            collective_wish(outlet=outlet)
            organisation(area=trio.tree.a["district"])

    add(2)
    with django_assert_max_num_queries(8) as few:
        assert api.get(url).json()["count"] >= 2
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(url).json()["count"] >= 12
