"""The phone app's manifest, service worker and offline page (core/pwa.py)."""

import json

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_manifest_makes_the_phone_pages_an_app_with_icons_that_exist(client):
    response = client.get("/m/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "驿站服务平台" and manifest["lang"] == "zh-hans"
    assert (manifest["start_url"], manifest["display"]) == ("/m/", "standalone")
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_every_phone_page_links_the_manifest_and_installs_the_service_worker(client):
    html = client.get("/m/").content.decode()
    assert '<link rel="manifest" href="/m/manifest.webmanifest">' in html
    assert 'data-service-worker="/sw.js"' in html
    assert "/static/mobile/app.js" in html and "/static/mobile/check-in-queue.js" in html


def test_the_service_worker_is_served_from_the_root_and_names_a_shell_that_exists(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    assert "__SHELL_VERSION__" not in source and '"shell-' in source
    assert 'importScripts("/static/mobile/check-in-queue.js")' in source
    shell = json.loads(source.split("var SHELL = ", 1)[1].split(";\n", 1)[0])
    assert "/static/mobile/mobile.css" in shell
    for url in shell:
        assert finders.find(url.removeprefix("/static/")), url
    # Only the phone's pages and posters, never the admin, the API or the dashboards.
    assert "/admin" not in source and "/api/" not in source


def test_the_service_worker_version_changes_with_its_shell(client, settings):
    before = client.get("/sw.js").content.decode()
    settings.STATIC_URL = "/assets/"
    after = client.get("/sw.js").content.decode()
    version = before.split('"shell-', 1)[1][:12]
    assert version != after.split('"shell-', 1)[1][:12]


def test_the_offline_page_is_the_same_for_everyone_and_lists_saved_pages_by_script(client):
    response = client.get("/m/offline/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "没有网络" in html and 'class="saved-pages' in html
    assert "/static/mobile/offline.js" in html
    assert 'class="offline-note"' not in html  # the page says it itself
