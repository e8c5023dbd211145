"""The facts every app contributes, discovered in each installed app's `facts.py` (its
`FACTS` list), as the admin discovers admin.py: reports/ sits above every app it reads
and no app imports it. The rollup engine and the dashboards (issue 13) work from here."""

from importlib import import_module

from django.apps import apps

from core.facts import Fact, Ratio
from core.registry import Registry

_facts: Registry[Fact] = Registry("fact")
_ratios: Registry[Ratio] = Registry("ratio")


def discover() -> None:
    """Import each installed app's facts.py and register its FACTS and RATIOS (run once, at
    start-up)."""
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.facts")
        except ModuleNotFoundError as missing:
            if missing.name != f"{config.name}.facts":
                raise  # a facts.py that imports something missing is a bug, not an absence
            continue
        for fact in getattr(module, "FACTS", []):
            if not fact.key.startswith(f"{config.label}."):
                raise ValueError(f"{fact.key}: a fact's key starts with its app ({config.label}.)")
            _facts.register(fact.key, fact)
        for ratio in getattr(module, "RATIOS", []):
            if not ratio.key.startswith(f"{config.label}."):
                raise ValueError(
                    f"{ratio.key}: a ratio's key starts with its app ({config.label}.)"
                )
            if ratio.key in _facts:
                raise ValueError(f"{ratio.key} is already a fact's key.")
            _ratios.register(ratio.key, ratio)


def all_facts() -> list[Fact]:
    return list(_facts)


def fact(key: str) -> Fact:
    return _facts.get(key)


def all_ratios() -> list[Ratio]:
    return list(_ratios)


def facts_of_model(model_label: str) -> list[Fact]:
    """The facts counted over one model's rows ("stations.CheckIn"): they share its triggers."""
    return [f for f in _facts if f.model.lower() == model_label.lower()]


# Parts: the facts one write path of the engine computes together, stored in one row per
# node, period and breakdown (reports.models.BucketRow). The dated facts of one model and
# date field share two parts — the additive ones (days from raw rows, longer periods
# summed from the days) and the distinct counts (every period from raw rows, the long
# ones less often) — so each row is written whole by one path and its computed-at is the
# truth for every figure in it. A state (a daily snapshot) and a fact that counts each
# value of an array (services used) are computed alone, so each is a part of its own.
def part_of(fact: Fact) -> str:
    if fact.is_state or fact.breakdown_each:
        return fact.key
    kind = "sum" if fact.additive else "distinct"
    return f"{fact.model.lower()}:{fact.date_field}:{kind}"


def facts_of_part(part: str) -> list[Fact]:
    return [f for f in _facts if part_of(f) == part]


def dimension_of(fact: Fact) -> str:
    """What a fact's breakdown rows are broken down by: the field ("source"), or for an
    expression (the local hour) the fact's own key. "" for a fact without a breakdown."""
    if not fact.breakdown:
        return ""
    return fact.breakdown if isinstance(fact.breakdown, str) else fact.key


def whole_parts(facts) -> list[Fact]:
    """`facts` with every other fact of their parts, in registry order: a row is written
    whole, so a recomputation of one fact recomputes the facts it shares rows with."""
    parts = {part_of(f) for f in facts}
    return [f for f in _facts if part_of(f) in parts]
