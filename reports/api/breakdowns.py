"""What the stats API calls each value of a fact's breakdown, and in what order it lists them.

The rollups keep a breakdown value as text (core.facts.breakdown_key): a choice's stored
value ("open"), a related row's id (a brand: "3"), the hour of day ("8"), "true"/"false",
or "-" for rows that have none. A person reads the choice's label, the brand's name, the
hour — so the API answers with both: `key` as stored, `label` as shown.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from core.facts import NO_BREAKDOWN_VALUE, Fact


def _field_of(fact: Fact):
    """The model field a breakdown path ends at ("worker__occupation" → occupation), or
    None for an expression or a path that is not a field."""
    if not isinstance(fact.breakdown, str) or not fact.breakdown:
        return None
    model, field = fact.model_class, None
    for name in fact.breakdown.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        model = field.related_model or model
    return field


def breakdown_name(fact: Fact) -> str:
    """What the fact is broken down by, for the list of facts: the field's path, the kind
    of expression ("hour"), or "" when it is not broken down."""
    if not fact.breakdown:
        return ""
    if isinstance(fact.breakdown, str):
        return fact.breakdown
    return getattr(fact.breakdown, "lookup_name", None) or "expression"


def _choices_of(field) -> list[tuple[str, str]]:
    base = getattr(field, "base_field", None)  # an array: its items' choices
    choices = (base if base is not None else field).flatchoices
    return [(str(value), str(label)) for value, label in choices]


def labelled(fact: Fact, amounts: dict[str, float]) -> list[dict]:
    """[{key, label, value}] for the breakdown values present, in the breakdown's own order:
    a choice field's order, hours and ids by number, anything else largest first; "not
    given" last. One query at most (the names of related rows, e.g. brands)."""
    field = _field_of(fact)
    labels: dict[str, str] = {}
    order: dict[str, int] = {}
    if field is not None and field.is_relation and field.related_model is not None:
        ids = [key for key in amounts if key.isdigit()]
        related = field.related_model._default_manager.filter(pk__in=ids)
        labels = {str(row.pk): str(row) for row in related}
    elif field is not None and _choices_of(field):
        choices = _choices_of(field)
        labels = dict(choices)
        order = {value: index for index, (value, _label) in enumerate(choices)}
    elif isinstance(field, models.BooleanField):
        labels = {"true": _("Yes"), "false": _("No")}
        order = {"true": 0, "false": 1}
    elif breakdown_name(fact) == "hour":
        labels = {key: _("%(hour)s:00–%(hour)s:59") % {"hour": key} for key in amounts}

    def position(item: tuple[str, float]):
        key, value = item
        if key == NO_BREAKDOWN_VALUE:
            return (2, 0, "")
        if key in order:
            return (0, order[key], key)
        if key.isdigit():
            return (0, int(key), key)
        return (1, -value, key)

    return [
        {
            "key": key,
            "label": _("Not recorded") if key == NO_BREAKDOWN_VALUE else labels.get(key, key),
            "value": value,
        }
        for key, value in sorted(amounts.items(), key=position)
    ]
