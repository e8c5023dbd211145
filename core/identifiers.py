"""Chinese identifiers: mobile numbers, resident ID numbers (GB 11643) and unified social
credit codes (GB 32100). Each has a `normalize_*` (what people type → the stored form) and
a `validate_*` that raises ValidationError with a message a community worker can act on.
"""

import datetime as dt
import re
import secrets

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Mobile numbers -------------------------------------------------------------------------


def is_ascii_digits(text: str) -> bool:
    """0-9 only. str.isdigit() also says yes to "²" and "①", which int() then refuses:
    every check of typed digits uses this instead."""
    return text.isascii() and text.isdigit()


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_MOBILE_NOISE = re.compile(r"[\s\-()（）]")


def normalize_mobile(value: str) -> str:
    """'+86 138-1234-5678' → '13812345678'. Anything unrecognisable is returned as typed
    (minus spaces) for the validator to refuse."""
    digits = _MOBILE_NOISE.sub("", str(value or ""))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number starting with 1, e.g. 13812345678."),
            code="invalid_mobile",
        )


# Resident ID numbers (GB 11643-1999) ----------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")


def normalize_id_number(value: str) -> str:
    return re.sub(r"\s", "", str(value or "")).upper()


def id_number_check_char(first17: str) -> str:
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number_birth_date(value: str) -> dt.date | None:
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_number_gender(value: str) -> str:
    """'male' or 'female': the 17th digit is odd for men."""
    return "male" if int(value[16]) % 2 else "female"


def validate_id_number(value: str) -> None:
    if not ID_RE.match(value or ""):
        raise ValidationError(
            _("A resident ID number has 18 characters: 17 digits, then a digit or X."),
            code="invalid_id_format",
        )
    born = id_number_birth_date(value)
    if born is None or not (dt.date(1900, 1, 1) <= born <= timezone.localdate()):
        raise ValidationError(
            _("The birth date in this ID number (digits 7–14: %(digits)s) is not a real date."),
            code="invalid_id_birth_date",
            params={"digits": value[6:14]},
        )
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _(
                "This ID number's last character does not match the others (check digit). "
                "Please compare each digit with the ID card."
            ),
            code="invalid_id_check_digit",
        )


# Unified social credit codes (GB 32100-2015) ----------------------------------------------

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = re.compile(rf"^[{USCC_CHARS}]{{18}}$")


def normalize_uscc(value: str) -> str:
    return re.sub(r"\s", "", str(value or "")).upper()


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    if not USCC_RE.match(value or ""):
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters: digits and capital letters "
                "except I, O, S, V and Z."
            ),
            code="invalid_uscc_format",
        )
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _(
                "This credit code's last character does not match the others (check "
                "character). Please copy it again from the business licence."
            ),
            code="invalid_uscc_check",
        )


# Codes people read off paper or a screen and type: no 0/O, no 1/I/L.
TYPABLE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def typable_code(length: int) -> str:
    """A random code from TYPABLE_ALPHABET (invitation codes, pickup codes)."""
    return "".join(secrets.choice(TYPABLE_ALPHABET) for _ in range(length))


def unused_typable_code(length: int, *, model, field: str) -> str:
    """A typable code no row of `model` has in `field` yet (a pickup code). The unique
    constraint on the field has the last word; at 31^8 codes a retry is all but never
    needed."""
    while True:
        code = typable_code(length)
        if not model._default_manager.filter(**{field: code}).exists():
            return code


def normalize_typable_code(value: str) -> str:
    """What someone types from a letter or a phone: spaces, dashes and lower case forgiven."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())
