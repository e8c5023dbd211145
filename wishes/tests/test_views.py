"""A worker's wishes on the phone (issue 15 §1): posting one, seeing each one's state and
the community's word, withdrawing it; what the pages refuse."""

import uuid

import pytest

from members.models import Worker
from members.tests.factories import WorkerFactory, phone_logged_in
from wishes.models import Wish

from .factories import WishFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(trio):
    return WorkerFactory(
        area=trio.tree.a["community"], status=Worker.Status.APPROVED, phone="13812345601"
    )


def _form(**overrides):
    return {
        "category": category().pk,
        "text": "一件厚一点的雨衣",
        "value": "90",
        "publish_consent": "on",
        "client_key": str(uuid.uuid4()),
        **overrides,
    }


def test_a_worker_posts_a_wish_and_finds_it_waiting(client, worker):
    category("other")
    phone_logged_in(client, worker.phone)
    page = client.get("/m/wishes/new/").content.decode()
    assert "¥500" in page and "其他" in page  # the cap and the platform's categories
    answer = client.post("/m/wishes/new/", _form(), follow=True)
    assert answer.redirect_chain[-1][0] == "/m/me/wishes/"
    assert "一件厚一点的雨衣" in answer.content.decode() and "待审核" in answer.content.decode()
    assert Wish.objects.get().worker == worker
    assert "/m/me/wishes/" in client.get("/m/me/").content.decode()


def test_the_same_form_sent_twice_is_one_wish(client, worker):
    phone_logged_in(client, worker.phone)
    form = _form()
    client.post("/m/wishes/new/", form)
    client.post("/m/wishes/new/", form)
    assert Wish.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"publish_consent": ""},
        {"text": "给我转账500"},
        {"text": "联系我13812345678"},
        {"value": "9999"},
        {"value": "abc"},
        {"category": "999999"},
        {"client_key": "not-a-key"},
    ],
)
def test_what_the_wish_form_refuses(client, worker, overrides):
    phone_logged_in(client, worker.phone)
    answer = client.post("/m/wishes/new/", _form(**overrides))
    assert answer.status_code == 200 and "error" in answer.content.decode()
    assert not Wish.objects.exists()


def test_a_visitor_logs_in_first_and_a_worker_withdraws_only_their_own(client, trio, worker):
    assert client.get("/m/wishes/new/").status_code == 302
    mine = WishFactory(worker=worker)
    someone = WishFactory(
        worker=WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    )
    phone_logged_in(client, worker.phone)
    client.post(f"/m/me/wishes/{someone.pk}/withdraw/")
    someone.refresh_from_db()
    assert someone.status == "submitted"
    client.post(f"/m/me/wishes/{mine.pk}/withdraw/")
    mine.refresh_from_db()
    assert mine.status == "withdrawn"
    assert client.get("/m/me/wishes/99999999/withdraw/").status_code == 405


def test_a_returned_wish_shows_the_reason_and_leaves_room_for_a_new_one(client, worker):
    WishFactory(worker=worker, status="returned", status_reason="请写清楚尺码")
    phone_logged_in(client, worker.phone)
    assert "请写清楚尺码" in client.get("/m/me/wishes/").content.decode()
    client.post("/m/wishes/new/", _form())
    assert Wish.objects.filter(status="submitted").count() == 1


def test_the_pages_script_sends_the_form_and_replays_it_once(client, worker):
    """What form-queue.js relies on: the form sent with Accept: application/json answers
    201 and where to go; the same key again (a wish kept offline, replayed) is the one
    wish; a refusal is a 400 with the reason in words."""
    phone_logged_in(client, worker.phone)
    form = _form()
    sent = client.post("/m/wishes/new/", form, HTTP_ACCEPT="application/json")
    assert sent.status_code == 201 and sent.json()["next"] == "/m/me/wishes/"
    again = client.post("/m/wishes/new/", form, HTTP_ACCEPT="application/json")
    assert again.status_code == 201 and Wish.objects.count() == 1
    refused = client.post(
        "/m/wishes/new/", _form(text="联系我13812345678"), HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 400 and refused.json()["error"]
    assert Wish.objects.count() == 1


def _image(fmt="JPEG"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (50, 40), 120).save(out, format=fmt, exif=exif)
    return SimpleUploadedFile("helmet.jpg", out.getvalue(), content_type="image/jpeg")


def test_a_wish_may_carry_a_photo_seen_by_its_worker_and_staff_only(client, worker, trio):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.private_files import url_for

    phone_logged_in(client, worker.phone)
    not_a_photo = SimpleUploadedFile("x.jpg", b"GIF89a not really", content_type="image/jpeg")
    refused = client.post("/m/wishes/new/", {**_form(), "photo": not_a_photo})
    assert refused.status_code == 200 and "error" in refused.content.decode()
    assert not Wish.objects.exists()
    client.post("/m/wishes/new/", {**_form(), "photo": _image()})
    photo = Wish.objects.get().photos.get()
    assert b"PhoneMaker" not in photo.image.read()
    url = url_for(photo.image.name)
    assert url in client.get(f"/m/me/wishes/{photo.wish.pk}/").content.decode()
    assert client.get(url).status_code == 200
    assert url not in client.get("/m/wishes/").content.decode()
    phone_logged_in(client, "13900009999")  # someone else's phone
    assert client.get(url).status_code == 404
    client.force_login(trio.staff_b)
    assert client.get(url).status_code == 404
    client.force_login(trio.staff_a)
    assert client.get(url).status_code == 200
    assert url in client.get(f"/admin/wishes/wish/{photo.wish.pk}/change/").content.decode()
