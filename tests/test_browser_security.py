"""The security controls in a real browser: a district department's first login with the
second factor, the admin's pages and the API docs under the Content-Security-Policy (no
script refused), and the lockout page — at laptop and phone size."""

import os
import re

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from areas.models import StaffGrant
from areas.tests.factories import UserFactory, grant

from .test_browser import CHROMIUM, PHONE, browser, offline_tiles  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed"),
]
PASSWORD = "Warm-Station-2026"


def _screenshot(page, name):
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        page.screenshot(path=f"var/screenshots/{name}.png", full_page=True)


def _refusals(page) -> list[str]:
    """Every script or style the browser refused under the page's policy."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


@override_settings(TWO_FACTOR_REQUIRED_FOR=["district"])
def test_a_district_department_logs_in_with_a_second_factor_under_the_policy(
    browser,  # noqa: F811
    live_server,
    tree,
):
    staff = UserFactory(username="district_a")
    staff.set_password(PASSWORD)
    staff.save()
    grant(staff, tree.a["district"], StaffGrant.Role.DISTRICT_DEPARTMENT)
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    refused = _refusals(page)
    offline_tiles(page, live_server.url)

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "district_a")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    # Straight to the set-up: a QR code, the key to type, a field for the code.
    page.wait_for_url(re.compile(r"/security/2fa/setup/"))
    assert page.locator("img[alt]").first.is_visible()
    _screenshot(page, "security-2fa-setup")
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/security/2fa/recovery/"))
    codes = page.locator("ul.recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    _screenshot(page, "security-recovery-codes")
    page.click("a.button")
    # A district department starts on its dashboard (reports.start_page); the admin is a
    # click away.
    page.wait_for_url(re.compile(r"/dashboard/\d{12}/$"))
    page.click("text=管理后台")
    page.wait_for_url(re.compile(r"/admin/$"))

    # The admin's pages with a map widget (the one inline script, with its nonce) and the
    # API docs (their start-up script served as a file) run under the policy.
    page.goto(f"{live_server.url}/admin/areas/area/{tree.a['district'].pk}/change/")
    assert page.locator(".leaflet-container").first.is_visible()
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container", timeout=15_000)
    _screenshot(page, "security-api-docs")
    assert refused == []
    context.close()


def test_a_locked_account_sees_why_in_chinese_on_a_phone(browser, live_server, tree):  # noqa: F811
    staff = UserFactory(username="community_a")
    grant(staff, tree.a["community"], StaffGrant.Role.COMMUNITY)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    refused = _refusals(page)
    with override_settings(AXES_FAILURE_LIMIT=3):
        for _ in range(3):
            page.goto(f"{live_server.url}/admin/login/")
            page.fill("#id_username", "community_a")
            page.fill("#id_password", "not-the-password")
            page.click("input[type=submit]")
    assert "锁定" in page.content()
    _screenshot(page, "security-locked-out-phone")
    assert refused == []
    context.close()
