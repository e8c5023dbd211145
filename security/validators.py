"""Password rules for staff accounts that Django does not ship (AUTH_PASSWORD_VALIDATORS)."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    """How many of the four kinds of character the password uses: lower-case letters,
    upper-case letters, digits, and anything else (punctuation, symbols, Chinese)."""
    kinds = set()
    for char in password:
        if char.isascii() and char.islower():
            kinds.add("lower")
        elif char.isascii() and char.isupper():
            kinds.add("upper")
        elif char in "0123456789":
            kinds.add("digit")
        elif not unicodedata.category(char).startswith("C"):  # not a control character
            kinds.add("other")
    return len(kinds)


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return ngettext(
            "Your password must mix at least %(count)d kind of character: lower-case "
            "letters, capital letters, digits, symbols.",
            "Your password must mix at least %(count)d kinds of character: lower-case "
            "letters, capital letters, digits, symbols.",
            self.min_classes,
        ) % {"count": self.min_classes}


class NotTheUserNameValidator:
    """The user name, forwards or backwards, may not appear in the password (Django's
    similarity check lets "xifeng-2026!" through for the user xifeng)."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) < 3:
            return
        folded = password.casefold()
        if username in folded or username[::-1] in folded:
            raise ValidationError(
                _("Your password may not contain your user name."), code="password_has_username"
            )

    def get_help_text(self):
        return _("Your password may not contain your user name.")


class PasswordSetRecorder:
    """Not a rule: Django tells every validator when a password was set (User.save() after
    set_password), which is the one moment to note it for the maximum age and the audit
    log — whether it was set in the admin, by a command or by the demo loader."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        from . import audit, services

        services.password_set_recorded(user=user)
        audit.record(audit.Kind.PASSWORD_CHANGED, actor=user)

    def get_help_text(self):
        return ""
