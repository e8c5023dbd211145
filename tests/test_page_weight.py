"""Issue 14 §3: the phone's first load, weighed on the static files as collectstatic builds
them for production (brotli and gzip copies, hashed names cached for a year), and the
pages and answers as the server compresses them. Tiles are not counted (another server's).

The figure is in BENCHMARKS.md ("The phone's first load"); the budget is 120 KB.
"""

import gzip
import re

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.test import Client, override_settings

from stations.tests.factories import StationFactory

FIRST_LOAD_BUDGET_BYTES = 120 * 1024
YEAR_SECONDS = 365 * 24 * 3600


@pytest.fixture(scope="module")
def built_static(tmp_path_factory):
    """collectstatic into a fresh folder with production's storage. The admin's, the API
    docs' and the dashboards' files are left out: no phone page loads them, and compressing
    them would only slow the test."""
    root = tmp_path_factory.mktemp("static")
    storage = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    from django.conf import settings

    with override_settings(
        STATIC_ROOT=root,
        STORAGES={**settings.STORAGES, "staticfiles": storage},
        WHITENOISE_AUTOREFRESH=False,
    ):
        call_command(
            "collectstatic",
            interactive=False,
            verbosity=0,
            ignore_patterns=[
                "admin",
                "rest_framework",
                "drf_spectacular_sidecar",
                "vendor",
                "dashboard",
            ],
        )
        yield root


def _static_urls(html: str) -> list[str]:
    """What a browser fetches for a page: its scripts, style sheets and icon."""
    urls = re.findall(r'<script[^>]+src="(/static/[^"]+)"', html)
    urls += re.findall(r'<link rel="(?:stylesheet|icon)" href="(/static/[^"]+)"', html)
    return urls


def _transferred(client: Client, url: str) -> tuple[int, str]:
    response = client.get(url, HTTP_ACCEPT_ENCODING="br, gzip")
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return len(body), response.headers.get("Content-Encoding", "")


@pytest.mark.django_db
def test_the_phone_map_loads_in_under_120_kb_with_compressed_long_cached_static_files(
    built_static, tree
):
    for i in range(20):
        StationFactory(
            area=tree.a["community"],
            location=Point(107.64 + i * 0.001, 35.71 + i * 0.0005, srid=4326),
        )
    client = Client()  # a new handler: WhiteNoise serves the folder just built
    html_size, html_encoding = _transferred(client, "/m/")
    assert html_encoding == "gzip"
    html = client.get("/m/").content.decode()
    weights = {"/m/": html_size}
    for url in _static_urls(html):
        size, encoding = _transferred(client, url)
        if url.endswith((".js", ".css")):
            assert encoding == "br", url
        response = client.get(url)
        assert f"max-age={10 * YEAR_SECONDS}" in response["Cache-Control"] or (
            "immutable" in response["Cache-Control"]
        ), (url, response["Cache-Control"])
        weights[url] = size
    # What the page and the browser ask for next: the stations near the worker (20 here:
    # more than a city's densest kilometre), the manifest and the service worker.
    nearby = "/api/v1/stations/nearby/?lat=35.71&lng=107.64&coord=wgs84"
    assert client.get(nearby).json()["count"] == 20
    for url in (nearby, "/m/manifest.webmanifest", "/sw.js"):
        weights[url], _ = _transferred(client, url)
    total = sum(weights.values())
    assert total <= FIRST_LOAD_BUDGET_BYTES, weights
    print(f"\n/m/ first load: {total / 1024:.1f} KB transferred: {weights}")


def test_pages_are_gzipped_only_for_a_client_that_asks(client, db):
    assert "Content-Encoding" not in client.get("/m/").headers
    response = client.get("/m/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "驿站" in gzip.decompress(response.content).decode()
