"""The staff member's work queue on the admin index: what is waiting for them.

Each app registers a provider (in its AppConfig.ready) that returns WorkItems for the
request's user, already scoped by areas.access; the index shows the ones with a count.
Core knows nothing of what the items are.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkItem:
    label: str
    count: int
    url: str  # where the work is done (a filtered changelist, usually)


Provider = Callable[[object], list[WorkItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def items_for(request) -> list[WorkItem]:
    if not request.user.is_authenticated:
        return []
    return [item for provider in _providers for item in provider(request) if item.count]
