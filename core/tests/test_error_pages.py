"""The friendly 400/403/404/500 pages (DEBUG is off in the test settings, as in `make run`):
plain words, a way back to the phone map and to the admin, and a 500 page that needs
nothing — no context, no database, no static files."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import loader
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.error_urls")]


def assert_helps(html: str):
    assert 'href="/m/"' in html
    assert 'href="/admin/"' in html
    assert "Traceback" not in html


def test_debug_is_off_here_as_in_make_run():
    assert settings.DEBUG is False


def test_a_missing_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert_helps(html)


def test_the_404_page_speaks_the_platforms_language_by_default(client):
    html = client.get("/no-such-page/").content.decode()
    assert '<html lang="zh-hans">' in html


def test_a_refusal_is_a_friendly_403(client):
    response = client.get("/test-errors/403/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    assert_helps(response.content.decode())


def test_a_bad_request_is_a_friendly_400(client):
    response = client.get("/test-errors/400/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Something in the request was wrong" in response.content.decode()
    assert_helps(response.content.decode())


def test_an_unknown_host_is_a_friendly_400(client):
    response = client.get("/m/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert_helps(response.content.decode())


def test_a_bug_is_a_friendly_500_in_chinese():
    response = Client(raise_request_exception=False).get("/test-errors/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错了" in html
    assert "a bug" not in html  # the exception is logged, never shown
    assert_helps(html)


def test_the_500_page_is_static_and_renders_without_context_or_database(
    django_assert_num_queries,
):
    source = (Path(settings.BASE_DIR) / "templates" / "500.html").read_text()
    assert "{%" not in source and "{{" not in source
    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()
    assert "系统出错了" in html


def test_a_form_sent_without_its_csrf_token_gets_a_friendly_page():
    response = Client(enforce_csrf_checks=True).post(
        "/test-errors/form/", {"x": "1"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Please try again" in html and "Nothing was saved" in html
    assert_helps(html)
