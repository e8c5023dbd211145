"""Follow-up stories (跟踪报道, issue 15 §3): staff write a story of a wish that came true
where the worker agreed, review publishes it; the public page names the donors and masks
the worker, its tags make the share card, and inside WeChat the official account's
signature (core.wechat) sets the same card."""

import io
import json
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone
from PIL import Image

from core import wechat
from core.exceptions import ApplicationError
from core.models import SensitiveWord
from core.private_files import url_for
from members.models import Worker
from members.tests.factories import WorkerFactory
from wishes import services
from wishes.models import Story

from .factories import DonorFactory, WishFactory, make_claim, published

pytestmark = pytest.mark.django_db

BODY = "北大街社区的外卖骑手王师傅想要一件厚雨衣。爱心人士认领后，在驿站把雨衣交到了他手里。"


def photo():
    out = io.BytesIO()
    Image.new("RGB", (60, 40), 180).save(out, format="JPEG")
    return SimpleUploadedFile("story.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def came_true(trio):
    """A worker's wish that came true, with consent to a public story and a thank-you."""
    worker = WorkerFactory(
        area=trio.tree.a["community"],
        status=Worker.Status.APPROVED,
        name="王小明",
        phone="13812345601",
        occupation="food_delivery",
    )
    wish = published(WishFactory(worker=worker, story_consent_at=timezone.now()))
    donor = DonorFactory(area=trio.tree.a["street"], name="李爱心")
    claim = make_claim(donor=donor, wish=wish)
    services.claim_confirm(worker=worker, claim=claim, thanks="谢谢您，雨衣很暖和！")
    wish.refresh_from_db()
    return wish


def test_a_story_is_public_only_once_reviewed_and_masks_the_worker(client, trio, came_true):
    story = services.story_save(
        actor=trio.staff_a, wish=came_true, title="一件雨衣的温暖", body=BODY, photo=photo()
    )
    assert story.status == "draft"
    page = f"/m/wishes/stories/{story.pk}/"
    image = url_for(story.photo.name)
    assert client.get(page).status_code == 404 and client.get(image).status_code == 404
    services.story_publish(actor=trio.staff_a, story=story)
    html = client.get(page).content.decode()
    assert "一件雨衣的温暖" in html and "外卖骑手 王*" in html and "爱心人士 李*" in html
    assert "谢谢您，雨衣很暖和！" in html
    assert "王小明" not in html and "13812345601" not in html and "李爱心" not in html
    assert 'property="og:title" content="一件雨衣的温暖"' in html
    assert f'property="og:image" content="http://testserver{image}"' in html
    assert client.get(image).status_code == 200  # public with its story
    assert "一件雨衣的温暖" in client.get("/m/wishes/stories/").content.decode()
    services.story_withdraw(actor=trio.staff_a, story=story, reason="本人要求撤下")
    assert client.get(page).status_code == 404 and client.get(image).status_code == 404


def test_rewriting_a_published_story_sends_it_back_to_review(trio, came_true):
    story = services.story_save(actor=trio.staff_a, wish=came_true, title="雨衣", body=BODY)
    services.story_publish(actor=trio.staff_a, story=story)
    again = services.story_save(actor=trio.staff_a, wish=came_true, title="雨衣（更新）", body=BODY)
    assert (again.pk, again.status, again.published_at) == (story.pk, "draft", None)


@pytest.mark.parametrize(
    "title, body, field",
    [
        ("", BODY, "title"),
        ("雨衣", " ", "body"),
        ("雨衣", BODY + "联系电话13912345678", "body"),
        ("刷单致富", BODY, "title"),
    ],
)
def test_what_a_story_refuses(trio, came_true, title, body, field):
    SensitiveWord.objects.get_or_create(word="刷单")
    with pytest.raises(ApplicationError) as refused:
        services.story_save(actor=trio.staff_a, wish=came_true, title=title, body=body)
    assert field in refused.value.fields and not Story.objects.exists()


def test_only_a_wish_that_came_true_with_consent_and_only_its_staff(trio, came_true):
    with pytest.raises(Http404):
        services.story_save(actor=trio.staff_b, wish=came_true, title="雨衣", body=BODY)
    with pytest.raises(PermissionDenied):
        services.story_save(actor=trio.viewer_a, wish=came_true, title="雨衣", body=BODY)
    type(came_true).objects.filter(pk=came_true.pk).update(story_consent_at=None)
    with pytest.raises(ApplicationError, match="did not agree"):
        services.story_save(actor=trio.staff_a, wish=came_true, title="雨衣", body=BODY)
    waiting = published(WishFactory(worker=WorkerFactory(area=trio.tree.a["community"])))
    with pytest.raises(ApplicationError, match="came true"):
        services.story_save(actor=trio.staff_a, wish=waiting, title="雨衣", body=BODY)
    assert not Story.objects.exists()


def test_staff_write_and_publish_in_the_admin(client, trio, came_true):
    client.force_login(trio.staff_a)
    client.post(
        "/admin/wishes/story/add/",
        {"wish": came_true.pk, "title": "一件雨衣的温暖", "body": BODY, "photo": photo()},
    )
    story = Story.objects.get()
    assert story.photo and story.written_by == trio.staff_a
    client.post(f"/admin/wishes/story/{story.pk}/do/publish/")
    story.refresh_from_db()
    assert story.status == "published"
    client.force_login(trio.staff_b)
    assert client.get(f"/admin/wishes/story/{story.pk}/change/").status_code in (302, 404)


# WeChat's share card ---------------------------------------------------------------------------


def test_the_share_signature_is_wechats_own_algorithm():
    """The example in WeChat's JS-SDK documentation (附录1 JS-SDK使用权限签名算法)."""
    assert (
        wechat.share_signature(
            jsapi_ticket="sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
            nonce_str="Wm3WZYTPz0wzccnW",
            timestamp=1414587457,
            url="http://mp.weixin.qq.com?params=value#part",
        )
        == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
    )


class KnownTicketBackend(wechat.OfficialAccountShareBackend):
    """The official account's backend with the ticket WeChat would have given."""

    def jsapi_ticket(self) -> str:
        return "known-ticket"


class RefusingBackend(wechat.OfficialAccountShareBackend):
    def _get(self, path, **params):
        return {"errcode": 40164, "errmsg": "invalid ip, not in whitelist"}


def _share_data(html):
    found = re.search(r'<script id="wechat-share" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_without_the_official_account_the_page_tags_make_the_card(client, trio, came_true):
    story = services.story_save(actor=trio.staff_a, wish=came_true, title="雨衣", body=BODY)
    services.story_publish(actor=trio.staff_a, story=story)
    html = client.get(f"/m/wishes/stories/{story.pk}/").content.decode()
    assert _share_data(html)["config"] is None and "jweixin" not in html


def test_the_official_account_signs_the_page_it_is_shared_from(client, trio, came_true, settings):
    story = services.story_save(actor=trio.staff_a, wish=came_true, title="雨衣", body=BODY)
    services.story_publish(actor=trio.staff_a, story=story)
    settings.WECHAT_SHARE_BACKEND = f"{__name__}.KnownTicketBackend"
    settings.WECHAT_APP_ID = "wx1234567890"
    html = client.get(f"/m/wishes/stories/{story.pk}/").content.decode()
    share = _share_data(html)
    config = share["config"]
    assert config["appId"] == "wx1234567890" and "updateAppMessageShareData" in config["jsApiList"]
    assert config["signature"] == wechat.share_signature(
        jsapi_ticket="known-ticket",
        nonce_str=config["nonceStr"],
        timestamp=config["timestamp"],
        url=share["link"],
    )
    assert settings.WECHAT_JSSDK_URL in html


def test_a_refusing_wechat_leaves_the_tags_and_no_error(client, trio, came_true, settings):
    story = services.story_save(actor=trio.staff_a, wish=came_true, title="雨衣", body=BODY)
    services.story_publish(actor=trio.staff_a, story=story)
    settings.WECHAT_SHARE_BACKEND = f"{__name__}.RefusingBackend"
    answer = client.get(f"/m/wishes/stories/{story.pk}/")
    assert answer.status_code == 200 and _share_data(answer.content.decode())["config"] is None
