"""Wishes' entry in the personal-data registry (members.personal_data): the worker's own
wishes. Deleting an account withdraws those still open (releasing a donor's claim on one)
and removes the words of every one; the counts and values stay, linked to the anonymised
record."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.personal_data import Handler, Holding, Retention, show

from .models import Claim, Wish, WishStatusChange
from .services import OPEN

SEEN_BY = gettext_lazy(
    "Staff of your community, and of the street and district above it; once published, "
    "donors see it masked (外卖员 王* · your community · the wish)."
)


def wishes_my_data(worker) -> list[Holding]:
    wishes = [
        [
            (_("Posted at"), show(wish.created_at)),
            (_("Category"), wish.category.name),
            (_("The wish"), wish.text),
            (_("Estimated value (yuan)"), str(wish.value)),
            (_("Status"), wish.get_status_display()),
            (_("Reason"), wish.status_reason),
        ]
        for wish in Wish.objects.filter(worker=worker).select_related("category")
    ]
    return [Holding("wishes.wishes", _("Your micro-wishes"), str(SEEN_BY), wishes)]


def wishes_erase(*, worker, actor) -> None:
    now = timezone.now()
    for wish in Wish.objects.filter(worker=worker, status__in=OPEN):
        WishStatusChange.objects.create(
            wish=wish, from_status=wish.status, to_status=Wish.Status.WITHDRAWN, actor=actor
        )
    Wish.objects.filter(worker=worker, status__in=OPEN).update(
        status=Wish.Status.WITHDRAWN, updated_at=now
    )
    # A donor holding one of them is released from it (and reads why on their claims).
    Claim.objects.filter(wish__worker=worker, status=Claim.Status.CLAIMED).update(
        status=Claim.Status.CANCELLED,
        released_at=now,
        release_reason=_("The worker withdrew the wish. Thank you all the same."),
        updated_at=now,
    )
    Wish.objects.filter(worker=worker).update(text="", status_reason="", updated_at=now)
    WishStatusChange.objects.filter(wish__worker=worker).update(reason="")


HANDLER = Handler(
    name="wishes.wishes",
    models=("wishes.Wish",),
    my_data=wishes_my_data,
    erase=wishes_erase,
    retention=(
        Retention(
            model="wishes.Wish",
            what=gettext_lazy("Your micro-wishes"),
            rule=gettext_lazy(
                "Kept for the wishes' figures. When your account is deleted, wishes still "
                "open are withdrawn and the words of every wish are removed; the counts and "
                "values stay without your name."
            ),
        ),
    ),
)
