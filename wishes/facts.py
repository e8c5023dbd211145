"""Micro-wishes' figures for rollups and dashboards (core.facts; reports/ discovers them):
wishes collected (by how they were collected), published, the value published, and the
review backlog; claims made (by the kind of donor: an individual, or the kind of a
verified organisation) and released (lapsed or cancelled), the claims open now; wishes
that came true, their value and the days from publication; published wishes by category.
Wishes merged into a collective wish count once, as the collective wish."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.facts import DaysBetween, Fact, Measure, Ratio

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
        key="wishes.published_by_category",
        label=_("Micro-wishes published, by category"),
        model="wishes.Wish",
        area_path="area",
        date_field="published_at",
        where=NOT_MERGED & Q(published_at__isnull=False),
        breakdown="category",
    ),
    Fact(
        key="wishes.fulfilled",
        label=_("Micro-wishes that came true"),
        model="wishes.Wish",
        area_path="area",
        date_field="fulfilled_at",
        where=NOT_MERGED & Q(fulfilled_at__isnull=False),
        breakdown="kind",
    ),
    Fact(
        key="wishes.value_fulfilled",
        label=_("Value of the micro-wishes that came true (yuan)"),
        model="wishes.Wish",
        area_path="area",
        measure=Measure.SUM,
        over="value",
        date_field="fulfilled_at",
        where=NOT_MERGED & Q(fulfilled_at__isnull=False),
    ),
    Fact(
        key="wishes.days_to_fulfilment",
        label=_("Days from publication to coming true (all wishes that came true)"),
        model="wishes.Wish",
        area_path="area",
        measure=Measure.SUM,
        over=DaysBetween("published_at", "fulfilled_at"),
        date_field="fulfilled_at",
        where=NOT_MERGED & Q(fulfilled_at__isnull=False, published_at__isnull=False),
    ),
    Fact(
        key="wishes.on_the_wall",
        label=_("Micro-wishes on the wall, waiting for donors"),
        model="wishes.Wish",
        area_path="area",
        where=Q(status="published"),
    ),
    Fact(
        key="wishes.waiting_for_review",
        label=_("Micro-wishes waiting for review"),
        model="wishes.Wish",
        area_path="area",
        where=Q(status="submitted"),
    ),
    Fact(
        key="wishes.claims_made",
        label=_("Micro-wish claims made"),
        model="wishes.Claim",
        area_path="wish__area",
        date_field="created_at",
        breakdown="donor_kind",
    ),
    Fact(
        key="wishes.claims_released",
        label=_("Micro-wish claims released (lapsed or cancelled)"),
        model="wishes.Claim",
        area_path="wish__area",
        date_field="released_at",
        where=Q(status__in=["lapsed", "cancelled"]),
        breakdown="status",
    ),
    Fact(
        key="wishes.claims_fulfilled",
        label=_("Micro-wish claims that came true"),
        model="wishes.Claim",
        area_path="wish__area",
        date_field="fulfilled_at",
        where=Q(status="fulfilled"),
        breakdown="donor_kind",
    ),
    Fact(
        key="wishes.claims_open",
        label=_("Micro-wish claims waiting to be handed over"),
        model="wishes.Claim",
        area_path="wish__area",
        where=Q(status="claimed"),
    ),
]

RATIOS = [
    Ratio(
        key="wishes.days_per_fulfilment",
        label=_("Days from publication to coming true, on average"),
        numerator="wishes.days_to_fulfilment",
        denominator="wishes.fulfilled",
        percent=False,
    ),
]
