"""The merge registry: what happens to every row that points at a worker when two records
of one person are merged (services.worker_merge).

Members sits low in the dependency order (DESIGN.md), so it cannot know the rows that
higher apps hang off a worker: check-ins, points, sign-ups, redemptions, later wishes and
reports. Each app registers, in its AppConfig.ready(), one mover per model that relates to
Worker; worker_merge runs every mover inside its own transaction, after both records are
locked and the duplicate marked merged (pointing at the kept record). A mover refuses with an ApplicationError
(the whole merge is then undone) when the two records hold something only one person can
hold, e.g. the same active role.

A model whose rows rightly stay with the merged-away record (its own status history)
registers that with a reason instead of a mover. tests/test_merge_coverage.py fails when
a model relates to Worker and nobody registered for it, so a new app cannot forget.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from core.registry import Registry


class Mover(Protocol):
    def __call__(self, *, actor, duplicate, kept) -> None: ...


@dataclass(frozen=True)
class Registration:
    model: str  # "app_label.ModelName"
    move: Callable[..., None] | None  # None: the rows stay with the merged-away record
    why_they_stay: str = ""


_registrations: Registry[Registration] = Registry("merge mover")


def register(model: str, move: Mover) -> None:
    """`move(actor=, duplicate=, kept=)` moves the model's rows from duplicate to kept."""
    _registrations.register(model, Registration(model=model, move=move))


def rows_stay(model: str, *, why: str) -> None:
    """The model's rows describe the record itself and stay with it when it is merged."""
    if not why:
        raise ValueError("Say why the rows stay with the merged-away record.")
    _registrations.register(model, Registration(model=model, move=None, why_they_stay=why))


def registered_models() -> set[str]:
    return set(_registrations.keys())


def run_movers(*, actor, duplicate, kept) -> None:
    """Every registered mover, in registration order (the apps' order in INSTALLED_APPS)."""
    for registration in _registrations:
        if registration.move is not None:
            registration.move(actor=actor, duplicate=duplicate, kept=kept)
