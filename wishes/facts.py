"""Micro-wishes' figures for rollups and dashboards (core.facts; reports/ discovers them):
wishes collected (by how they were collected), published, the value published, and the
review backlog. Claims and fulfilment add theirs when they are built. Wishes merged into
a collective wish count once, as the collective wish."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.facts import Fact, Measure

NOT_MERGED = ~Q(status="merged")

FACTS = [
    Fact(
        key="wishes.collected",
        label=_("Micro-wishes collected"),
        model="wishes.Wish",
        area_path="area",
        date_field="created_at",
        where=NOT_MERGED,
        breakdown="source",
    ),
    Fact(
        key="wishes.published",
        label=_("Micro-wishes published"),
        model="wishes.Wish",
        area_path="area",
        date_field="published_at",
        where=NOT_MERGED & Q(published_at__isnull=False),
    ),
    Fact(
        key="wishes.value_published",
        label=_("Value of the micro-wishes published (yuan)"),
        model="wishes.Wish",
        area_path="area",
        measure=Measure.SUM,
        over="value",
        date_field="published_at",
        where=NOT_MERGED & Q(published_at__isnull=False),
    ),
    Fact(
        key="wishes.waiting_for_review",
        label=_("Micro-wishes waiting for review"),
        model="wishes.Wish",
        area_path="area",
        where=Q(status="submitted"),
    ),
]
