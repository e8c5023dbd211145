"""Reads about the tree that are not staff reach (that is areas.access)."""

from django.db.models import Q

from .models import Area


def offered_to(area: Area, path: str = "area") -> Q:
    """What a worker of `area` is offered (activities, rewards): rows of their district and
    everything in it, and of the city and province above it. `path` leads from the row to
    its Area."""
    district_prefix = area.code[:6]
    above = [a.pk for a in area.lineage()[1:]]
    return Q(**{f"{path}__code__startswith": district_prefix}) | Q(**{f"{path}__in": above})
