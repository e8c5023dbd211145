"""What a points rule may name, registered by the apps above points.

An attendance rule names the activity type it pays for. The types belong to activities/,
which sits above points/ (DESIGN.md: points never imports it), so activities registers
its types here in its AppConfig.ready(). The rule's admin form and API serializer offer
the registered types, and points_rule_save refuses any other.
"""

from collections.abc import Iterable

# value → label (a lazy translation), in the order registered
_activity_kinds: dict[str, str] = {}


def register_activity_kinds(choices: Iterable[tuple[str, str]]) -> None:
    """Offer these (value, label) pairs as the activity types an attendance rule may name."""
    for value, label in choices:
        _activity_kinds[value] = label


def activity_kind_choices() -> list[tuple[str, str]]:
    return list(_activity_kinds.items())


def is_activity_kind(value: str) -> bool:
    return value in _activity_kinds


def activity_kind_label(value: str) -> str:
    """The registered label of `value`; the value itself if nothing registered it."""
    return _activity_kinds.get(value, value)
