"""How an app describes a ledger (台账) to the engine (ledgers.services): its columns with
their Chinese headers, how a row is checked and written, how its records are exported.
Apps register their ledgers in AppConfig.ready(); the engine and the admin pages find them
here by key.

Headers are the file format, so they are Chinese literals, not translated strings.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from areas import access
from core.exceptions import ApplicationError
from core.registry import Registry


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()  # other headers real ledgers use for the same column
    importable: bool = True  # False: written by exports, ignored by imports
    width: int = 14


class RowError(Exception):
    """A row cannot be imported; `messages` say why (several at once where possible)."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


class RowChecker:
    """Checks one file's rows against the database as it is now. Made per check (and
    again per commit) by Ledger.checker(); may preload lookups in __init__ or prepare()."""

    def __init__(self, *, actor, area, filename: str):
        self.actor, self.area, self.filename = actor, area, filename

    def prepare(self, rows: list[dict]) -> None:
        """Called once with every row before checking (batch lookups go here)."""

    def check(self, row: dict, number: int):
        """Return the cleaned row or raise RowError. `number` is the row's number in the
        file, for messages such as "the same phone as row 7"."""
        raise NotImplementedError

    def write(self, cleaned: list) -> int:
        """Write the cleaned rows (inside the commit's transaction); return how many."""
        raise NotImplementedError

    def preview(self, cleaned) -> list[str]:
        """The row as the preview shows it (masked)."""
        return []


class Ledger:
    key = ""
    title = ""  # the sheet's title, e.g. 新就业群体摸排台账
    columns: list[Column] = []
    write_purpose = access.Purpose.WRITE
    unmask_purpose = access.Purpose.UNMASK
    checker_class: type[RowChecker] = RowChecker  # made with actor=, area=, filename=

    def checker(self, *, actor, area, filename: str) -> RowChecker:
        return self.checker_class(actor=actor, area=area, filename=filename)

    def export_rows(self, records, *, unmasked: bool) -> Iterator[list]:
        """One list per record, in `export_columns` order."""
        raise NotImplementedError

    @property
    def import_columns(self) -> list[Column]:
        return [c for c in self.columns if c.importable]

    @property
    def export_columns(self) -> list[Column]:
        return self.columns

    def preview_headers(self) -> list[str]:
        return [c.header for c in self.import_columns]


_ledgers: Registry[Ledger] = Registry("ledger")


def register(ledger: Ledger) -> Ledger:
    return _ledgers.register(ledger.key, ledger)


def unregister(key: str) -> None:
    """For tests that register a ledger of their own."""
    _ledgers.remove(key)


def ledger_for(key: str) -> Ledger:
    if key not in _ledgers:
        raise ApplicationError(_("Choose which ledger this file is."))
    return _ledgers.get(key)


def ledgers() -> list[Ledger]:
    return list(_ledgers)


def importable_ledgers() -> list[Ledger]:
    """The ledgers a file can be imported as: those with a column to import (an export-only
    one, like an estate's entry ledger, is never offered on the import page)."""
    return [ledger for ledger in _ledgers if ledger.import_columns]


# Rows written through a service (wishes, cases): its refusals as the row's messages. ------


class _DryRun(Exception):
    """Raised inside the trial's transaction so that it rolls back."""


def refusal_lines(refusal: ApplicationError, header_of: dict[str, str]) -> list[str]:
    """A service's refusal as a row's messages: by the column it is about (`header_of`
    names the file's column for each of the service's fields), and the field's own words
    where the refusal only says "correct the fields shown" (there are none)."""
    lines = [
        _("%(column)s: %(message)s") % {"column": header_of[field], "message": message}
        if field in header_of
        else message
        for field, messages in refusal.fields.items()
        for message in messages
    ]
    return lines or [refusal.message]


def service_refusal(write, header_of: dict[str, str]) -> list[str]:
    """What the service says to a row, asked by calling `write()` in a transaction rolled
    back whatever it says: the dry run writes nothing, and its answer is the service's
    own. [] when it would be written."""
    try:
        with transaction.atomic():
            write()
            raise _DryRun
    except _DryRun:
        return []
    except ApplicationError as refusal:
        return refusal_lines(refusal, header_of)
