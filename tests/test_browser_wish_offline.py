"""A micro-wish written without a network (issue 15 §1): kept on the phone, sent once
when the phone is online again, shown as waiting meanwhile; a cached form page makes a new
key each time, so two wishes written offline are two wishes."""

import logging

from playwright.sync_api import expect

from members.models import Worker
from members.tests.factories import WorkerFactory
from wishes.models import Wish
from wishes.tests.factories import category

from .test_browser import PHONE, _phone_login, _wait_for, browser, network, offline_tiles  # noqa: F401


def _queued(page) -> list:
    return page.evaluate("() => JSON.parse(localStorage.getItem('warmstations.wishQueue') || '[]')")


def test_a_wish_written_offline_is_sent_once_when_the_phone_is_back_online(
    browser, live_server, tree, caplog
):
    caplog.set_level(logging.INFO, logger="core.sms")
    category("other")
    worker = WorkerFactory(
        area=tree.a["community"], status=Worker.Status.APPROVED, phone="13700003333"
    )
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    offline_tiles(page, live_server.url)
    _phone_login(page, live_server, caplog, worker.phone, "/m/wishes/new/")
    first_key = page.locator("#id_client_key").input_value()

    page.get_by_label("其他").check()
    page.fill("#id_text", "一副冬天骑车的手套")
    page.fill("#id_value", "60")
    page.locator("#id_publish_consent").check()
    context.set_offline(True)
    page.locator("#wish-form button[type=submit]").click()
    expect(page.locator("#wish-saved-offline")).to_be_visible()
    queued = _queued(page)
    assert [item["fields"]["text"] for item in queued] == ["一副冬天骑车的手套"]
    assert not Wish.objects.exists()
    # The form is ready for another wish, with a key of its own.
    assert page.locator("#id_client_key").input_value() not in ("", first_key)

    context.set_offline(False)  # the `online` event sends the queue
    assert _wait_for(page, lambda: Wish.objects.exists())
    assert _wait_for(page, lambda: _queued(page) == [])
    wish = Wish.objects.get()
    assert (wish.worker, wish.text, wish.source) == (worker, "一副冬天骑车的手套", "phone")

    # Sent again (a phone that lost the reply): still one wish.
    page.evaluate(
        "item => localStorage.setItem('warmstations.wishQueue', JSON.stringify([item]))",
        queued[0],
    )
    page.goto(f"{live_server.url}/m/me/wishes/")
    assert _wait_for(page, lambda: _queued(page) == [])
    assert Wish.objects.count() == 1
    expect(page.locator(".wishes")).to_contain_text("一副冬天骑车的手套")
    context.close()
