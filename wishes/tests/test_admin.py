"""Micro-wishes in the admin, for the area trio: staff of A record a wish collected in a
street interview and publish or return it on its own page; A's viewer reads without
buttons; B's staff find nothing. The category filter offers only reachable categories."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members.models import Worker
from members.tests.factories import OutletFactory, WorkerFactory
from wishes.models import Wish, WishCategory

from .factories import WishFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def wish(trio):
    worker = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    return WishFactory(worker=worker)


def _page(wish):
    return f"/admin/wishes/wish/{wish.pk}/change/"


def _do(wish, action):
    return f"/admin/wishes/wish/{wish.pk}/do/{action}/"


def test_staff_of_a_publish_from_the_wishs_page(client, trio, wish):
    client.force_login(trio.staff_a)
    assert (
        "一件新雨衣" in client.get("/admin/wishes/wish/?status__exact=submitted").content.decode()
    )
    html = client.get(_page(wish)).content.decode()
    assert _do(wish, "publish") in html and _do(wish, "return") in html
    client.post(_do(wish, "publish"))
    wish.refresh_from_db()
    assert wish.status == "published"
    assert _do(wish, "publish") not in client.get(_page(wish)).content.decode()


def test_returning_asks_for_the_reason(client, trio, wish):
    client.force_login(trio.staff_a)
    refused = client.post(_do(wish, "return"), {"reason": " "})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    client.post(_do(wish, "return"), {"reason": "请写清楚尺码"})
    wish.refresh_from_db()
    assert (wish.status, wish.status_reason) == ("returned", "请写清楚尺码")


def test_the_viewer_reads_without_buttons_and_b_finds_nothing(client, trio, wish):
    client.force_login(trio.viewer_a)
    page = client.get(_page(wish))
    assert page.status_code == 200 and _do(wish, "publish") not in page.content.decode()
    assert client.post(_do(wish, "publish")).status_code == 403
    client.force_login(trio.staff_b)
    assert client.get(_page(wish)).status_code in (302, 404)
    assert client.post(_do(wish, "publish")).status_code == 404
    wish.refresh_from_db()
    assert wish.status == "submitted"


def test_staff_record_a_collective_wish_collected_in_a_street_interview(client, trio):
    outlet = OutletFactory(area=trio.tree.a["community"])
    client.force_login(trio.staff_a)
    form = {
        "outlet": outlet.pk,
        "category": category("station").pk,
        "text": "网点休息室添置微波炉",
        "source": "interview",
        "items_text": "微波炉 2 450\n饮水机，1，600",
        "consent_given": "on",
    }
    refused = client.post("/admin/wishes/wish/add/", {**form, "items_text": "微波炉两台"})
    assert refused.status_code == 200 and not Wish.objects.exists()
    refused = client.post("/admin/wishes/wish/add/", {**form, "consent_given": ""})
    assert refused.status_code == 200 and not Wish.objects.exists()
    not_a_photo = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    refused = client.post("/admin/wishes/wish/add/", {**form, "photo": not_a_photo})
    assert refused.status_code == 200 and not Wish.objects.exists()
    assert client.post("/admin/wishes/wish/add/", {**form, "photo": _photo()}).status_code == 302
    wish = Wish.objects.get()
    assert (wish.kind, wish.value, wish.items.count()) == ("collective", 1500, 2)
    assert wish.photos.count() == 1  # the outlet's rest room, as the interview found it


def _photo():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), 90).save(out, format="PNG")
    return SimpleUploadedFile("room.png", out.getvalue(), content_type="image/png")


def test_the_category_filter_offers_only_reachable_categories(client, trio, wish):
    category("other")
    WishCategory.objects.create(area=trio.tree.b["district"], code="b_only", name="乙区专属")
    WishCategory.objects.create(area=trio.tree.a["district"], code="a_only", name="甲区专属")
    client.force_login(trio.staff_a)
    html = client.get("/admin/wishes/wish/").content.decode()
    assert "甲区专属" in html and "乙区专属" not in html
    html = client.get("/admin/wishes/wishcategory/").content.decode()
    assert "甲区专属" in html and "乙区专属" not in html and "其他" in html


def test_the_platforms_categories_are_read_not_changed_by_district_staff(client, trio):
    client.force_login(trio.staff_a)
    other = category("other")
    page = client.get(f"/admin/wishes/wishcategory/{other.pk}/change/").content.decode()
    assert 'name="_save"' not in page


def test_a_district_adds_its_own_category_and_another_district_cannot_change_it(client, trio):
    client.force_login(trio.staff_a)
    form = {"area": trio.tree.a["district"].pk, "code": "ebike", "name": "电动车维修", "order": 5}
    refused = client.post(
        "/admin/wishes/wishcategory/add/", {**form, "area": trio.tree.b["district"].pk}
    )
    assert refused.status_code == 200 and not WishCategory.objects.filter(code="ebike").exists()
    assert (
        client.post("/admin/wishes/wishcategory/add/", {**form, "active": "on"}).status_code == 302
    )
    own = WishCategory.objects.get(code="ebike")
    client.get("/admin/")  # shows (and clears) the message that names it
    client.force_login(trio.staff_b)
    listed = client.get("/admin/wishes/wishcategory/").content.decode()
    assert f"/admin/wishes/wishcategory/{own.pk}/change/" not in listed
    client.force_login(trio.viewer_a)
    page = client.get(f"/admin/wishes/wishcategory/{own.pk}/change/").content.decode()
    assert "电动车维修" in page and 'name="_save"' not in page


# Donors and claims ---------------------------------------------------------------------------


def test_staff_of_a_verify_an_organisation_a_viewer_reads_b_finds_nothing(client, trio):
    from .factories import organisation

    union = organisation(area=trio.tree.a["district"], phone="13900004444")
    page = f"/admin/wishes/donor/{union.pk}/change/"
    verify = f"/admin/wishes/donor/{union.pk}/do/verify/"
    client.force_login(trio.staff_a)
    queue = client.get("/admin/").content.decode()
    assert "verified_at__isempty=1" in queue
    html = client.get(page).content.decode()
    assert verify in html and "139****4444" in html and "13900004444" not in html
    client.force_login(trio.viewer_a)
    assert verify not in client.get(page).content.decode()
    assert client.post(verify).status_code == 403
    client.force_login(trio.staff_b)
    assert client.get(page).status_code in (302, 404)
    assert client.post(verify).status_code == 404
    assert "区总工会" not in client.get("/admin/wishes/donor/").content.decode()
    client.force_login(trio.staff_a)
    client.post(verify, {"confirmed": "1"})
    union.refresh_from_db()
    assert union.verified_by == trio.staff_a
    assert client.get("/admin/wishes/donor/add/").status_code == 403


def test_the_community_cancels_a_stuck_claim_saying_why(client, trio, wish):
    from .factories import DonorFactory, make_claim, published

    published(wish)
    claim = make_claim(donor=DonorFactory(area=trio.tree.a["street"]), wish=wish)
    cancel = f"/admin/wishes/claim/{claim.pk}/do/cancel/"
    client.force_login(trio.staff_b)
    assert client.post(cancel, {"reason": "x"}).status_code == 404
    client.force_login(trio.viewer_a)
    assert client.post(cancel, {"reason": "x"}).status_code == 403
    client.force_login(trio.staff_a)
    assert "一件新雨衣" in client.get(_page(wish)).content.decode()
    assert cancel in client.get(f"/admin/wishes/claim/{claim.pk}/change/").content.decode()
    refused = client.post(cancel, {"reason": " "})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    client.post(cancel, {"reason": "联系不上"})
    claim.refresh_from_db()
    assert (claim.status, claim.release_reason) == ("cancelled", "联系不上")
