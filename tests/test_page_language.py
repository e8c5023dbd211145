"""No English on any page in zh-hans (issue 14 §5): every page reachable from the admin's
menus and the phone's links, walked as every demo role, a worker on the phone and a
visitor, shows its words in Chinese.

test_translations.py holds the catalogue to the code; this walk finds what the catalogue
cannot see: text not marked for translation, a library's own English, a label built from
a model's name. A page is read as its user sees it: the text outside scripts and styles,
and the attributes that are read out or shown (title, placeholder, aria-label, alt, the
value of a button). Each kind of page (its path with the ids taken out) is read once, by
the first role that reaches it, so the walk stays under a minute or two.
"""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from members.models import Worker
from members.tests.factories import phone_logged_in

pytestmark = pytest.mark.django_db

# Words that are the same in a Chinese interface: names of formats, products and the
# map's data sources, units. Anything else of three Latin letters or more is English.
ACCEPTED_WORDS = {
    "README",
    "ZIP",
    "JSON",
    "GeoJSON",
    "FeatureCollection",
    "POI",
    "LDAP",
    "HTTP",
    "Control",  # keys on a keyboard, in Django's own hint for choosing several
    "Command",
    "Mac",
    "QR",
    "PDF",
    "JPEG",
    "PNG",
    "WebP",
    "CSV",
    "Excel",
    "xlsx",
    "csv",
    "pdf",
    "Leaflet",
    "OpenStreetMap",
    "WeChat",
    "SMS",
    "API",
    "App",
    "WiFi",
    "Wi",
    "Fi",
    "USB",
    "AED",
    "GCJ",
    "WGS",
    "km",
}
# Tokens that are data, not interface: usernames and codes (with _ or digits), e-mail and
# web addresses, and the capital-letter codes people read out or type (取件码 PSZRAUBY).
TYPED_CODE = re.compile(r"[A-Z]{6,}")
DATA_TOKEN = re.compile(r"\S*[_@/\d.:{}\"<>`]\S*")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
SKIPPED_ELEMENTS = {"script", "style", "svg", "template", "code", "pre", "textarea"}

# Links the walk does not follow: leaving, files and downloads; the pages of a library's
# schedules (django-celery-beat: IANA time zone names, field names it does not mark for
# translation), which only the superuser who installs the platform opens (its name in the
# menu is still read); and django-axes' record pages, titled by the library's English name
# of each record ("Access Log for … @ …").
NOT_FOLLOWED = re.compile(
    r"(/logout|/jsi18n|/static/|/media/|/private/|\.(xlsx|csv|pdf|png|svg|webmanifest|js)$"
    r"|/export|/download|/poster|/sw\.js|/api/"
    r"|/admin/django_celery_beat/\w|/admin/axes/\w+/\d+/)"
)
PAGES_PER_ROLE = 400


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in SKIPPED_ELEMENTS:
            self._skipping += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and "/admin/img/icon-" in attrs.get("src", ""):
            return  # Django's yes/no icons: their alt text is hard-coded "True"/"False"
        for name in SHOWN_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag in ("input", "button") and attrs.get("type") in ("submit", "button", "reset"):
            if attrs.get("value"):
                self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.parts.append(data.strip())


def english_in(text: str, data: set[str] = frozenset()) -> list[str]:
    """The English words in `text`, leaving out data (usernames and the like in `data`)."""
    found = []
    for token in text.split():
        if DATA_TOKEN.fullmatch(token) or token in data:
            continue
        for word in LATIN_WORD.findall(token):
            if word not in ACCEPTED_WORDS and not TYPED_CODE.fullmatch(word):
                found.append(word)
    return found


def kind_of(path: str) -> str:
    """The page's kind: its path with ids and codes taken out."""
    return re.sub(r"/[^/]*\d[^/]*(?=/)", "/<id>", path)


class Walk:
    """Follows links from `starts` within `prefixes`, reading each kind of page once."""

    def __init__(self, data: set[str]):
        self.read_kinds: set[str] = set()
        self.found: dict[str, list[str]] = {}
        self.data = data

    def walk(self, client, starts: list[str], prefixes: tuple[str, ...]) -> int:
        queue = deque(starts)
        seen = set(starts)
        pages = 0
        while queue and pages < PAGES_PER_ROLE:
            url = queue.popleft()
            kind = kind_of(urlsplit(url).path)
            if kind in self.read_kinds and url not in starts:
                continue
            response = client.get(url)
            if response.status_code in (301, 302) or "html" not in response.get("Content-Type", ""):
                continue
            assert response.status_code in (200, 403, 404), (url, response.status_code)
            self.read_kinds.add(kind)
            pages += 1
            page = VisibleText()
            page.feed(response.content.decode())
            english = sorted({part[:80] for part in page.parts if english_in(part, self.data)})
            if english:
                self.found[url] = english
            for href in page.links:
                link = urldefrag(href)[0]
                parts = urlsplit(link)
                if parts.netloc or parts.scheme or parts.query:
                    continue  # other sites; filtered views of a list already read
                if not link.startswith("/"):
                    link = url.rsplit("/", 1)[0] + "/" + link
                if not link.startswith(prefixes) or NOT_FOLLOWED.search(link):
                    continue
                if link not in seen and kind_of(link) not in self.read_kinds:
                    seen.add(link)
                    queue.append(link)
        return pages


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}: {' | '.join(parts)}" for url, parts in sorted(found.items()))


@pytest.fixture
def demo_in_chinese(db):
    """The demo network as `make run` loads it: in the platform's language (the tests'
    own language is English, and stored texts such as audit entries keep the language
    they were written in)."""
    with translation.override(settings.LANGUAGE_CODE):
        call_command("load_demo", verbosity=0)


def test_no_page_shows_english_to_any_role(demo_in_chinese, client):
    staff = get_user_model().objects.filter(is_staff=True).order_by("username")
    # Usernames are data (the audit log shows them): "admin" is the demo superuser's.
    walk = Walk(data=set(get_user_model().objects.values_list("username", flat=True)))
    assert staff.count() >= 10
    for user in staff:
        client.force_login(user)
        # The home page and dashboard differ by role: read for everyone.
        walk.read_kinds -= {"/admin/", "/dashboard/"}
        walk.walk(client, ["/admin/", "/dashboard/"], ("/admin/", "/dashboard/", "/reports/"))
        client.logout()

    # A visitor on the phone, then a registered worker with check-ins, points and sign-ups.
    walk.walk(client, ["/m/"], ("/m/",))
    worker = (
        Worker.objects.filter(status=Worker.Status.APPROVED, check_ins__isnull=False)
        .order_by("pk")
        .first()
    )
    phone_logged_in(client, worker.phone)
    walk.read_kinds -= {"/m/"}
    walk.walk(client, ["/m/", "/m/me/"], ("/m/",))
    assert len(walk.read_kinds) > 60, sorted(walk.read_kinds)
    print(
        f"\nPages read: {len(walk.read_kinds)} kinds of page; English found on {len(walk.found)}."
    )
    assert walk.found == {}, "English on these pages:\n" + _report(walk.found)
