"""A registry a lower app offers and the apps above it fill in their AppConfig.ready()
(DESIGN.md: dependencies run one way; the work queue, merge movers, /m/me panels, ledgers,
objects a grant may name…).

One small class, so every registry refuses the same mistake the same way: a key taken by
something else is a bug found at start-up, not a silent override; registering the same
thing again (ready() run twice) changes nothing. Items come back in registration order,
which follows INSTALLED_APPS, lowest app first.
"""

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, what: str):
        self.what = what  # for messages: "merge mover", "/m/me panel"…
        self._items: dict[str, T] = {}

    def register(self, key: str, item: T) -> T:
        existing = self._items.get(key)
        if existing is not None and existing != item:
            raise ValueError(f"A {self.what} named {key} is already registered.")
        self._items[key] = item
        return item

    def get(self, key: str) -> T:
        return self._items[key]

    def remove(self, key: str) -> None:
        """For tests that register a throwaway item."""
        self._items.pop(key, None)

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items.values()))

    def keys(self) -> list[str]:
        return list(self._items)

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())
