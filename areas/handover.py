"""Staff who leave (issue 12 §7): deactivating a staff account hands their open work to a
named colleague (areas.services.staff_deactivate).

Areas sits low in the dependency order and cannot know what work the apps above hang off
an account: contact pairs, an enterprise's party-building instructor, later tasks and
claims. Each app registers, in its AppConfig.ready(), one handler per kind of open work:
how many rows a user holds (for the preview the administrator reads before confirming)
and how to move them to the successor. Records of what someone did (check-ins they
recorded, import jobs, decisions, the audit log) are history, not open work: they stay
with the account.

    handover.register(
        "members.contact_pairs",
        label=_("contact pairs (结对联系)"),
        count=lambda user: ContactPair.objects.filter(staff=user, ended_on=None).count(),
        move=contact_pairs_hand_over,   # move(*, user, successor) -> number moved
    )
"""

from collections.abc import Callable
from dataclasses import dataclass

from core.registry import Registry


@dataclass(frozen=True)
class OpenWork:
    key: str  # "members.contact_pairs"
    label: str  # what the preview calls it (lazily translated)
    count: Callable[..., int]  # count(user) -> rows the user holds
    move: Callable[..., int]  # move(*, user, successor) -> rows moved


_open_work: Registry[OpenWork] = Registry("kind of open work")


def register(key: str, *, label, count, move) -> None:
    _open_work.register(key, OpenWork(key=key, label=label, count=count, move=move))


def kinds() -> list[OpenWork]:
    return list(_open_work)


def remove(key: str) -> None:
    """For tests that register a throwaway kind."""
    _open_work.remove(key)


def preview(user) -> list[tuple[OpenWork, int]]:
    """What would move if `user` left now: every registered kind and its count."""
    return [(work, work.count(user)) for work in _open_work]


def hand_over(*, user, successor) -> dict[str, int]:
    """Move every registered kind of open work (inside the caller's transaction)."""
    return {work.key: work.move(user=user, successor=successor) for work in _open_work}
