"""Quantities as a worker reads them on the phone, in the language of the page: "850 米",
"1.1 公里" — not "1138 m" (issue 14 §2). One place, so every page and answer says a
distance the same way."""

from django.utils.html import format_html
from django.utils.translation import gettext


def as_code(value) -> str:
    """An identifier shown as one (a code, a key, pinyin initials): set apart from the
    words around it, and not read as text to translate (tests/test_page_language.py)."""
    return format_html("<code>{}</code>", value) if value else ""


def distance_text(metres: float) -> str:
    """Under a kilometre in metres (to the nearest 10: a phone's position is not better),
    then kilometres with one decimal ("1.1 公里", but "3 公里" rather than "3.0"), whole
    kilometres from 10 km on."""
    metres = max(0, round(metres))
    if metres < 1000:
        return gettext("%(metres)d m") % {"metres": max(10, round(metres, -1)) if metres else 0}
    kilometres = metres / 1000
    shown = f"{kilometres:.0f}" if kilometres >= 10 else f"{kilometres:.1f}".removesuffix(".0")
    return gettext("%(km)s km") % {"km": shown}


def hours_text(hours) -> str:
    """Hours as a worker reads them: "2 小时", "1.5 小时" — not "2.0 h"."""
    value = float(hours or 0)
    shown = f"{value:.1f}".removesuffix(".0")
    return gettext("%(hours)s h") % {"hours": shown}
