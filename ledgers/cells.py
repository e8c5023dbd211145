"""Reading ledger cells as people type them: words for choices (在册/流动, 正式党员…), dates
in the forms offices write (2024年3月18日, 2024/3/18, 2024.3.18), whole numbers. Each
helper appends a message in plain language to `errors` instead of raising, so one row can
report all its problems at once."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from core.identifiers import is_ascii_digits

LOOKUP_CHUNK = 5000


def word_of(words: dict, value: str) -> str:
    return words[value][0] if value in words else ""


def choice_of(words: dict, text: str, what: str, errors: list[str]) -> str:
    if not text:
        return ""
    for value, names in words.items():
        if text in names or text == value:
            return value
    errors.append(
        _("%(what)s “%(text)s” is not one we know: write one of %(known)s.")
        % {"what": what, "text": text, "known": "、".join(n[0] for n in words.values())}
    )
    return ""


def date_of(text: str, what: str, errors: list[str]) -> dt.date | None:
    if not text:
        return None
    cleaned = text.replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-")
    cleaned = cleaned.replace(".", "-").split(" ")[0]
    try:
        day = dt.date.fromisoformat("-".join(part.zfill(2) for part in cleaned.split("-")))
    except ValueError:
        errors.append(
            _("%(what)s “%(text)s” is not a date: write it as 2024-03-18.")
            % {"what": what, "text": text}
        )
        return None
    if day > timezone.localdate():
        errors.append(_("%(what)s %(day)s is in the future.") % {"what": what, "day": day})
    return day


def count_of(text: str, what: str, errors: list[str]) -> int:
    if not text:
        return 0
    if not is_ascii_digits(text):
        errors.append(
            _("%(what)s “%(text)s” is not a whole number.") % {"what": what, "text": text}
        )
        return 0
    return int(text)


def chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]
