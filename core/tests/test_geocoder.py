"""The geocoder's own rules (core/geocoder.py): what a query may be, and how Tianditu's
geocoder is asked and read. Tianditu is an outside service this machine cannot reach: a
local HTTP server on 127.0.0.1 stands in for it, answering as Tianditu documents."""

import json
import logging
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import geocoder
from core.exceptions import ApplicationError
from core.geocoder import Place, TiandituBackend, clean_query

FOUND = {
    "msg": "ok",
    "location": {
        "score": 100,
        "level": "门址",
        "lon": "107.64306",
        "lat": "35.70918",
        "keyWord": "甘肃省庆阳市西峰区北大街1号",
    },
    "searchVersion": "6.4.9V",
    "status": "0",
}


class FakeTianditu:
    """A stand-in for https://api.tianditu.gov.cn/geocoder on a free local port."""

    def __init__(self):
        self.requests: list[str] = []
        self.status = 200
        self.body: bytes = json.dumps(FOUND).encode()
        self.delay = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake.requests.append(self.path)
                if fake.delay:
                    time.sleep(fake.delay)
                try:
                    self.send_response(fake.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.end_headers()
                    self.wfile.write(fake.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/geocoder"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def asked(self) -> dict:
        """The last request's query parameters, `ds` read as JSON."""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.requests[-1]).query)
        return {"ds": json.loads(query["ds"][0]), "tk": query["tk"][0]}


@pytest.fixture
def tianditu():
    fake = FakeTianditu()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def backend_for(fake, **kwargs) -> TiandituBackend:
    return TiandituBackend(key="test-key", url=fake.url, timeout=kwargs.pop("timeout", 2), **kwargs)


# --- what a query may be -----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "\u3000\t\n",
        None,
        12,
        ["西峰"],
        "x" * 51,
        "西" * 5000,
        "西峰\x00区",
        "西\x1b[2J峰",
    ],
)
def test_blank_long_or_control_character_queries_are_refused_in_words(raw):
    with pytest.raises(ApplicationError) as refusal:
        clean_query(raw)
    assert refusal.value.message


@pytest.mark.parametrize("raw", ["", "x" * 51, "西峰\x00区", "\u200b", None])
def test_geocode_gives_nothing_for_bad_input_and_asks_no_backend(raw, monkeypatch):
    def backend():
        raise AssertionError("no backend is asked for bad input")

    monkeypatch.setattr(geocoder, "get_backend", backend)
    assert geocoder.geocode(raw, user=None) == []


def test_a_query_is_trimmed_and_full_width_text_made_plain():
    assert clean_query("  西峰\u3000 北大街  ") == "西峰 北大街"
    assert clean_query("ＡＢＣ１２３") == "ABC123"
    assert clean_query("x" * 50) == "x" * 50


def test_local_results_rank_exact_names_then_prefixes_then_shorter_names(monkeypatch):
    def source(query, *, user, limit):
        return [
            Place("北大街社区驿站", "驿站", 35.7, 107.6),
            Place("新北大街", "社区", 35.7, 107.6),
            Place("北大街", "社区", 35.7, 107.6),
            Place("北大街社区", "社区", 35.7, 107.6),
            Place("off the globe", "驿站", 135.0, 107.6),  # left out
        ]

    monkeypatch.setattr(geocoder, "place_sources", lambda: [source])
    found = geocoder.LocalBackend().geocode("北大街", user=None, limit=3)
    assert [place.name for place in found] == ["北大街", "北大街社区", "北大街社区驿站"]


def test_a_place_source_name_cannot_be_taken_twice():
    def one(query, *, user, limit):
        return []

    def two(query, *, user, limit):
        return []

    geocoder.register_place_source("test.twice", one)
    try:
        geocoder.register_place_source("test.twice", one)  # ready() run again: nothing changes
        with pytest.raises(ValueError):
            geocoder.register_place_source("test.twice", two)
    finally:
        geocoder._sources.remove("test.twice")


# --- Tianditu ------------------------------------------------------------------------------


def test_tianditu_is_asked_with_the_keyword_as_json_and_the_key(tianditu):
    backend_for(tianditu).fetch("西峰区北大街1号")
    assert tianditu.asked() == {"ds": {"keyWord": "西峰区北大街1号"}, "tk": "test-key"}
    assert tianditu.requests[-1].startswith("/geocoder?")


def test_the_default_address_is_tianditus_over_https(settings):
    settings.GEOCODER_TIANDITU_KEY = "k"
    settings.GEOCODER_TIANDITU_URL = "https://api.tianditu.gov.cn/geocoder"
    url = TiandituBackend().request_url("北大街")
    assert url.startswith("https://api.tianditu.gov.cn/geocoder?ds=")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert json.loads(query["ds"][0]) == {"keyWord": "北大街"} and query["tk"] == ["k"]


def test_tianditus_answer_becomes_a_place(tianditu):
    [place] = backend_for(tianditu).remote("北大街1号")
    assert place.name == "甘肃省庆阳市西峰区北大街1号"
    assert (place.lat, place.lng) == (35.70918, 107.64306)
    assert place.kind and "门址" in place.description


def test_coordinates_as_numbers_are_read_too(tianditu):
    tianditu.body = json.dumps(
        {**FOUND, "location": {**FOUND["location"], "lon": 107.6, "lat": 35.7}}
    ).encode()
    [place] = backend_for(tianditu).remote("北大街")
    assert (place.lat, place.lng) == (35.7, 107.6)


@pytest.mark.parametrize(
    "status,body",
    [
        (200, json.dumps({"msg": "无结果", "status": "101"}).encode()),  # nothing found
        (200, json.dumps({"msg": "权限校验失败", "status": "403"}).encode()),  # key refused
        (200, b"<html>busy</html>"),
        (200, b"[1, 2]"),
        (200, json.dumps({"status": "0", "location": {"lon": "x", "lat": None}}).encode()),
        (200, json.dumps({"status": "0", "location": {"lon": "720", "lat": "35"}}).encode()),
        (200, json.dumps({"status": "0", "location": {"lon": "NaN", "lat": "35"}}).encode()),
        (200, json.dumps({"status": "0"}).encode()),
        (500, b"{}"),
        (403, b"forbidden"),
    ],
)
def test_a_refusal_or_an_unreadable_answer_gives_no_place_and_a_warning(
    tianditu, status, body, caplog
):
    tianditu.status, tianditu.body = status, body
    with caplog.at_level(logging.WARNING, logger="core.geocoder"):
        assert backend_for(tianditu).remote("北大街") == []
    assert any(record.levelno == logging.WARNING for record in caplog.records)
    assert "test-key" not in caplog.text  # the key rides in the URL: never logged


def test_a_slow_tianditu_is_given_up_after_the_timeout(tianditu, caplog):
    tianditu.delay = 1.5
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="core.geocoder"):
        assert backend_for(tianditu, timeout=0.3).remote("北大街") == []
    assert time.monotonic() - started < 1.4
    assert "unreachable" in caplog.text


def test_an_unreachable_tianditu_gives_no_place():
    backend = TiandituBackend(key="k", url="http://127.0.0.1:9/geocoder", timeout=1)
    assert backend.remote("北大街") == []


def test_an_answer_is_remembered_and_a_failure_is_not(tianditu):
    backend = backend_for(tianditu)
    assert backend.remote("北大街1号") and backend.remote("北大街1号")
    assert len(tianditu.requests) == 1
    tianditu.status, tianditu.body = 500, b""
    assert backend.remote("南大街") == [] and backend.remote("南大街") == []
    assert len(tianditu.requests) == 3


def test_the_transport_can_be_handed_over():
    """The opener is the one seam: a stand-in gets the request and the timeout."""
    seen = {}

    class Answer:
        def __init__(self, body):
            self.body = body

        def read(self, size=-1):
            return self.body

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def opener(request, timeout):
        seen["url"], seen["timeout"] = request.full_url, timeout
        return Answer(json.dumps(FOUND).encode())

    backend = TiandituBackend(
        key="k", url="https://tianditu.test/geocoder", timeout=2, opener=opener
    )
    [place] = backend.remote("北大街")
    assert seen["timeout"] == 2 and seen["url"].startswith("https://tianditu.test/geocoder?ds=")
    assert place.lng == 107.64306


def test_the_tianditu_backend_needs_a_key(settings):
    settings.GEOCODER_TIANDITU_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        TiandituBackend()
