"""The personal-data registry: what every app holds about a worker, and what it does when
the worker withdraws consent, deletes their account, or when the data has been kept long
enough (PIPL arts. 44–47; issue 12 §6–7).

Members sits low in the dependency order (DESIGN.md), so it cannot read a worker's
check-ins, points or sign-ups itself. Each app registers one Handler in its
AppConfig.ready() (as it registers merge movers and /m/me panels):

- `my_data(worker)`: the records it holds about the worker, as labelled values the worker
  reads in full (it is their own data), with who may see them — the /m/me/data page and
  its download;
- `erase(worker=, actor=)`: anonymise its rows for that worker when the account is deleted.
  Counts and the points ledger are never rewritten: rows stay, linked only to the
  anonymised record, and free text that could name the person is blanked;
- `withdraw_sensitive(worker=, actor=)` (optional): what goes when the worker withdraws
  the separate consent to sensitive data;
- `retention`: its tables with personal data, how long they are kept and what happens
  then — the privacy notice quotes these rules and a beat job enforces them.

`models` names every model the handler answers for; tests/test_personal_data_coverage.py
fails when a model points at a worker and no handler names it, so a new app (wishes,
feedback…) cannot forget.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.facts import raw_rows_purged
from core.registry import Registry

logger = logging.getLogger(__name__)

# A value and the label the worker reads it under: ("Checked in at", "2026-05-01 12:03").
Record = list[tuple[str, str]]


@dataclass
class Holding:
    """One kind of record the platform holds about the worker."""

    key: str  # "stations.check_ins"
    title: str  # "Check-ins at stations"
    seen_by: str  # "Staff of the station's community and its street and district"
    records: list[Record] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "title": str(self.title),
            "seen_by": str(self.seen_by),
            "records": [{str(label): value for label, value in record} for record in self.records],
        }


@dataclass(frozen=True)
class Retention:
    """How long one table's personal data is kept, and what happens then.

    `rule` is the sentence the privacy notice shows; it may use %(days)d. With `days` set
    (a default a district may change in settings.PERSONAL_DATA_RETENTION_DAYS under
    `setting`), `enforce(before=)` anonymises or deletes what is older and returns how many
    rows it changed. Without `days`, the data is kept as long as the account and goes with
    it (the handler's erase)."""

    model: str  # "stations.CheckIn"
    what: str
    rule: str
    setting: str = ""  # key in PERSONAL_DATA_RETENTION_DAYS; the model's label if empty
    default_days: int | None = None
    enforce: Callable[..., int] | None = None
    # The rule deletes rows (rather than anonymising them): figures counted from those rows
    # are sealed, so a rebuild of the rollups never recounts them from what is left.
    deletes_rows: bool = False

    @property
    def days(self) -> int | None:
        configured = getattr(settings, "PERSONAL_DATA_RETENTION_DAYS", {}) or {}
        return configured.get(self.setting or self.model, self.default_days)

    def describe(self) -> str:
        days = self.days
        return str(self.rule) % {"days": days} if days is not None else str(self.rule)

    def run(self, *, now: dt.datetime | None = None) -> int:
        days = self.days
        if self.enforce is None or days is None:
            return 0
        before = (now or timezone.now()) - dt.timedelta(days=days)
        changed = self.enforce(before=before)
        if changed and self.deletes_rows:
            raw_rows_purged.send(sender=self.model.lower(), before=before)
        return changed


def show(value) -> str:
    """A value as the worker reads it: local times to the minute, dates, yes/no, blanks."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value)
    return str(value)


def delete_with_files(rows, field: str = "image") -> int:
    """Delete each row and its stored file (photos: a queryset's delete would leave the
    files behind). Returns how many went."""
    deleted = 0
    for row in rows:
        getattr(row, field).delete(save=False)
        row.delete()
        deleted += 1
    return deleted


def nothing(**kwargs) -> None:
    return None


@dataclass(frozen=True)
class Handler:
    name: str  # unique, "app.what": "stations.check_ins"
    models: tuple[str, ...]  # "app_label.ModelName" of every model it answers for
    my_data: Callable[[object], list[Holding]]
    erase: Callable[..., None]  # (*, worker, actor) -> None
    withdraw_sensitive: Callable[..., None] = nothing  # (*, worker, actor) -> None
    retention: tuple[Retention, ...] = ()


_handlers: Registry[Handler] = Registry("personal-data handler")


def register(handler: Handler) -> Handler:
    if not handler.models:
        raise ValueError(f"Name the models {handler.name} answers for.")
    return _handlers.register(handler.name, handler)


def handlers() -> list[Handler]:
    return list(_handlers)


def covered_models() -> set[str]:
    return {model for handler in _handlers for model in handler.models}


def my_data(worker) -> list[Holding]:
    """Everything the platform holds about the worker, app by app (lowest app first)."""
    return [holding for handler in _handlers for holding in handler.my_data(worker)]


def erase(*, worker, actor) -> None:
    """Every app anonymises its rows for the worker. Called by services.privacy inside the
    transaction that holds the worker's row lock; members' own handler runs first and the
    others after it (registration order), so a refusal anywhere undoes everything."""
    for handler in _handlers:
        handler.erase(worker=worker, actor=actor)


def withdraw_sensitive(*, worker, actor) -> None:
    for handler in _handlers:
        handler.withdraw_sensitive(worker=worker, actor=actor)


def retention_rules() -> list[Retention]:
    """Every table's rule, in the order of the apps: what the privacy notice lists."""
    return [rule for handler in _handlers for rule in handler.retention]


def enforce_retention(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Run every rule that has a period (the beat job). Returns rows changed per model.
    Idempotent: a second run finds nothing left to do."""
    done: dict[str, int] = {}
    for rule in retention_rules():
        changed = rule.run(now=now)
        if changed:
            logger.info("Retention: %s rows of %s anonymised or deleted", changed, rule.model)
        done[rule.model] = done.get(rule.model, 0) + changed
    return done
