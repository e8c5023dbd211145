"""Finding a place by name: one interface, a backend chosen by settings (as core/sms.py).

    geocode(query, *, user) -> list[Place]

The admin's map widgets use it (core/admin_maps.py): a staff member types a name and the
map pans there. Backends (GEOCODER_BACKEND):

- "local" (`LocalBackend`, the default): asks every registered place source — the areas,
  stations and outlets the platform knows. Core knows none of them: each app registers its
  source in its AppConfig.ready() with `register_place_source`, and each source scopes its
  rows through areas.access, so a staff member finds only places in areas they may read.
- "tianditu" (`TiandituBackend`, the default when a Tianditu key is set): the local places
  first, then Tianditu's geocoder (地理编码, https://api.tianditu.gov.cn/geocoder) for an
  address the platform does not know. Tianditu answers in CGCS2000, which is WGS-84 to
  within a metre: stored as it comes (DESIGN rule 7). When Tianditu cannot be reached or
  refuses, the local places still come back and a warning is logged: never a 500.

Input is bounded: a query is cleaned (`clean_query`) to at most MAX_QUERY_LENGTH characters
of printable text, and at most MAX_RESULTS places come back. Blank or absurd input gives an
empty list from `geocode`; `clean_query` says why, in words for the person typing.
"""

import json
import logging
import math
import re
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from hashlib import sha256

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .exceptions import ApplicationError
from .registry import Registry

logger = logging.getLogger("core.geocoder")

MAX_QUERY_LENGTH = 50  # longer than any name of a community, station or outlet
MAX_RESULTS = 10
# More than this is not a name someone typed (a pasted page, a script): refused before
# anything else looks at it.
_RAW_LIMIT = 1000


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # a label for people: "社区", "驿站", "网点", "天地图"
    lat: float
    lng: float
    description: str = ""
    zoom: int = 16  # how close the map comes to show it (a district less than a station)

    def as_json(self) -> dict:
        return asdict(self)


# A source: (query, *, user, limit) -> places, already scoped to what `user` may read.
PlaceSource = Callable[..., list[Place]]
_sources: Registry[PlaceSource] = Registry("place source")


def register_place_source(key: str, source: PlaceSource) -> PlaceSource:
    """Called by the apps above core in their AppConfig.ready() ("areas.area", …)."""
    return _sources.register(key, source)


def place_sources() -> list[PlaceSource]:
    return list(_sources)


def clean_query(raw) -> str:
    """The query as it is searched for, or ApplicationError saying in plain words why
    there is nothing to search: blank, too long, or holding characters no name has
    (control characters, NUL)."""
    if not isinstance(raw, str):
        raw = ""
    if len(raw) > _RAW_LIMIT:
        raise ApplicationError(_("A name is at most %(n)d characters.") % {"n": MAX_QUERY_LENGTH})
    # Full-width letters and digits typed with a Chinese input method as their usual form.
    text = unicodedata.normalize("NFKC", raw)
    text = re.sub(r"[ \t\r\n\u3000]+", " ", text).strip()
    if not text:
        raise ApplicationError(_("Type the name of a place to find it."))
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise ApplicationError(
            _("The name holds characters that are not part of any name. Please type it again.")
        )
    if len(text) > MAX_QUERY_LENGTH:
        raise ApplicationError(_("A name is at most %(n)d characters.") % {"n": MAX_QUERY_LENGTH})
    return text


def _match_rank(place: Place, query: str) -> tuple:
    """Exact names first, then names that start with the query, shorter names first."""
    name = place.name.casefold()
    wanted = query.casefold()
    return (name != wanted, not name.startswith(wanted), len(name))


def valid_coordinates(lat, lng) -> bool:
    return (
        isinstance(lat, float)
        and isinstance(lng, float)
        and math.isfinite(lat)
        and math.isfinite(lng)
        and -90 <= lat <= 90
        and -180 <= lng <= 180
    )


class GeocoderBackend:
    def geocode(self, query: str, *, user, limit: int = MAX_RESULTS) -> list[Place]:
        raise NotImplementedError


class LocalBackend(GeocoderBackend):
    """The places the platform knows, each source scoped to the user."""

    def geocode(self, query: str, *, user, limit: int = MAX_RESULTS) -> list[Place]:
        found: list[Place] = []
        for source in place_sources():
            found.extend(
                place
                for place in source(query, user=user, limit=limit)
                if valid_coordinates(place.lat, place.lng)
            )
        # A stable sort: equal matches keep the sources' order (areas, stations, outlets).
        return sorted(found, key=lambda place: _match_rank(place, query))[:limit]


class TiandituBackend(LocalBackend):
    """The local places, then Tianditu's geocoder for the rest (an address, a landmark).

    Tianditu's geocoder (地理编码 API) takes the query as JSON in `ds` and the key in `tk`:
        GET https://api.tianditu.gov.cn/geocoder?ds={"keyWord":"…"}&tk=KEY
    and answers one location:
        {"status": "0", "msg": "ok", "location": {"lon": 107.64, "lat": 35.71,
         "level": "门址", "score": 100, "keyWord": "…"}, "searchVersion": "…"}
    where a status other than "0" means nothing was found or the key was refused.
    """

    CACHE_SECONDS = 24 * 3600  # an address does not move; each look-up counts on the key

    def __init__(
        self, *, key: str | None = None, url: str | None = None, timeout=None, opener=None
    ):
        self.key = settings.GEOCODER_TIANDITU_KEY if key is None else key
        self.url = settings.GEOCODER_TIANDITU_URL if url is None else url
        self.timeout = settings.GEOCODER_TIMEOUT_SECONDS if timeout is None else timeout
        # The transport: urllib's, or a stand-in a test hands over.
        self.opener = opener or urllib.request.urlopen
        if not self.key:
            raise ImproperlyConfigured(
                "The Tianditu geocoder needs a key: set TIANDITU_KEY or GEOCODER_TIANDITU_KEY."
            )

    def geocode(self, query: str, *, user, limit: int = MAX_RESULTS) -> list[Place]:
        local = super().geocode(query, user=user, limit=limit)
        if len(local) >= limit:
            return local
        return local + self.remote(query)[: limit - len(local)]

    def request_url(self, query: str) -> str:
        ds = json.dumps({"keyWord": query}, ensure_ascii=False, separators=(",", ":"))
        return f"{self.url}?{urllib.parse.urlencode({'ds': ds, 'tk': self.key})}"

    def remote(self, query: str) -> list[Place]:
        key = "geocoder:tianditu:" + sha256(query.encode()).hexdigest()
        hits = cache.get(key)
        if hits is None:
            hits = self.fetch(query)
            if hits:  # nothing found and failures are not remembered: the next try may work
                cache.set(key, hits, self.CACHE_SECONDS)
        # Made here, not cached: the labels are in the language of whoever asks.
        return [self.place_for(hit) for hit in hits or []]

    def fetch(self, query: str) -> list[dict] | None:
        """Tianditu's answer, read; None when it could not be had (logged)."""
        request = urllib.request.Request(
            self.request_url(query), headers={"Accept": "application/json"}
        )
        try:
            with self.opener(request, timeout=self.timeout) as response:
                body = response.read(64 * 1024)
            answer = json.loads(body or b"{}")
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            # The key is in the URL: log the error alone, never the request.
            logger.warning("Tianditu geocoder unreachable or unreadable: %s", error)
            return None
        return self.parse(answer, query)

    def parse(self, answer, query: str) -> list[dict] | None:
        """The one location of Tianditu's answer as {name, lat, lng, level}; None (logged)
        for a refusal, nothing found, or an answer that cannot be read."""
        if not isinstance(answer, dict):
            logger.warning("Tianditu geocoder answered something other than an object")
            return None
        status = str(answer.get("status", ""))
        if status != "0":  # nothing found, or the key refused (msg says which)
            logger.warning(
                "Tianditu geocoder answered status %s: %s", status, str(answer.get("msg", ""))[:200]
            )
            return None
        location = answer.get("location")
        if not isinstance(location, dict):
            logger.warning("Tianditu geocoder answered status 0 without a location")
            return None
        try:
            lat, lng = float(location.get("lat")), float(location.get("lon"))
        except (TypeError, ValueError):
            logger.warning("Tianditu geocoder gave no usable coordinates: %r", location)
            return None
        if not valid_coordinates(lat, lng):
            logger.warning("Tianditu geocoder gave coordinates off the globe: %r", location)
            return None
        return [
            {
                "name": str(location.get("keyWord") or query)[: MAX_QUERY_LENGTH * 2],
                "lat": lat,
                "lng": lng,
                "level": str(location.get("level") or "")[:20],  # 门址, 兴趣点, 道路…
            }
        ]

    @staticmethod
    def place_for(hit: dict) -> Place:
        level = hit["level"]
        return Place(
            name=hit["name"],
            kind=_("Tianditu"),
            lat=hit["lat"],
            lng=hit["lng"],
            description=(
                _("Tianditu's match (%(level)s)") % {"level": level}
                if level
                else _("Tianditu's match")
            ),
        )


BACKENDS = {"local": "core.geocoder.LocalBackend", "tianditu": "core.geocoder.TiandituBackend"}


@lru_cache(maxsize=4)
def _backend_for(name: str) -> GeocoderBackend:
    return import_string(BACKENDS.get(name, name))()


def get_backend() -> GeocoderBackend:
    return _backend_for(settings.GEOCODER_BACKEND)


def geocode(query, *, user) -> list[Place]:
    """The places matching `query` that `user` may see: at most MAX_RESULTS, none for
    blank or absurd input (clean_query says why)."""
    try:
        text = clean_query(query)
    except ApplicationError:
        return []
    return get_backend().geocode(text, user=user, limit=MAX_RESULTS)
