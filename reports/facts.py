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
