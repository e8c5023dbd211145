"""The one check of text the platform shows in public (issue 15 §4): a wish on the wall, a
worker's thank-you, a follow-up story — and, as they are built, published suggestions and
articles. Staff still review each before it is published; this check catches the words
the security administrator listed (core.SensitiveWord, in the admin) before a person has
to, and tells the person typing plainly which word to leave out.

Matching ignores case, full-width forms and what people put between characters to slip a
word past a filter (spaces, dots, dashes: "刷 单", "刷.单"). The list is cached for a few
minutes and dropped whenever it changes.
"""

import re
import unicodedata

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .models import SensitiveWord

CACHE_KEY = "core:sensitive-words"
CACHE_SECONDS = 300
# What is dropped before matching: whitespace, punctuation and symbols between characters.
_FILLER = re.compile(r"[\s\W_]+", re.UNICODE)


def _normal(text: str) -> str:
    return _FILLER.sub("", unicodedata.normalize("NFKC", text or "").casefold())


def _words() -> list[tuple[str, str]]:
    """(normalised, as listed) for every active word."""
    words = cache.get(CACHE_KEY)
    if words is None:
        words = [
            (_normal(word), word)
            for word in SensitiveWord.objects.filter(active=True).values_list("word", flat=True)
        ]
        words = [(normal, word) for normal, word in words if normal]
        cache.set(CACHE_KEY, words, CACHE_SECONDS)
    return words


def found_in(text: str) -> list[str]:
    """The listed words `text` contains, as listed (empty when it is clean)."""
    normal = _normal(text)
    if not normal:
        return []
    return [word for normalised, word in _words() if normalised in normal]


def problem(text: str) -> str:
    """A refusal in plain words naming the word to leave out, or "" when there is none."""
    found = found_in(text)
    if not found:
        return ""
    return _("“%(word)s” cannot be shown in public: please say it another way.") % {
        "word": found[0]
    }


@receiver([post_save, post_delete], sender=SensitiveWord)
def _forget_words(**kwargs):
    cache.delete(CACHE_KEY)
