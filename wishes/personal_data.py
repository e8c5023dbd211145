"""Wishes' entry in the personal-data registry (members.personal_data): the worker's own
wishes, their photos, and the claims on them with the worker's thanks. Deleting an account
withdraws those still open (releasing a donor's claim on one), removes the words of every
one, the thanks and the photos; the counts and values stay, linked to the anonymised
record. A closed wish's photos are deleted after a year (WISH_PHOTO_DAYS)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.personal_data import Handler, Holding, Retention, delete_with_files, show

from .models import Claim, Wish, WishPhoto, WishStatusChange
from .services import OPEN

# A closed wish's photos are kept this long after it closed (a district may change it in
# PERSONAL_DATA_RETENTION_DAYS["wishes.WishPhoto"]).
WISH_PHOTO_DAYS = 365
CLOSED = (
    Wish.Status.FULFILLED,
    Wish.Status.WITHDRAWN,
    Wish.Status.RETURNED,
    Wish.Status.MERGED,
)

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
    photos = [
        [(_("Wish"), photo.wish.text), (_("Added at"), show(photo.created_at))]
        for photo in WishPhoto.objects.filter(wish__worker=worker).select_related("wish")
    ]
    claims = [
        [
            (_("Wish"), claim.wish.text),
            (_("Claimed by"), claim.donor.public_name),
            (_("Status"), claim.get_status_display()),
            (_("Handed over at"), show(claim.handed_over_at)),
            (_("Your thanks"), claim.thanks),
        ]
        for claim in Claim.objects.filter(wish__worker=worker).select_related("wish", "donor")
    ]
    return [
        Holding("wishes.wishes", _("Your micro-wishes"), str(SEEN_BY), wishes),
        Holding(
            "wishes.photos",
            _("Photos with your micro-wishes"),
            str(_("Staff of your community, and of the street and district above it.")),
            photos,
        ),
        Holding(
            "wishes.claims",
            _("Claims on your micro-wishes"),
            str(_("The donor, and staff of your community, street and district.")),
            claims,
        ),
    ]


def wish_photos_purge(*, before) -> int:
    """Photos of wishes closed before `before` (the retention rule, run by the privacy
    beat job): deleted with their files."""
    return delete_with_files(
        WishPhoto.objects.filter(wish__status__in=CLOSED, wish__updated_at__lt=before)
    )


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
    Claim.objects.filter(wish__worker=worker).exclude(thanks="").update(thanks="")
    delete_with_files(WishPhoto.objects.filter(wish__worker=worker))
    WishStatusChange.objects.filter(wish__worker=worker).update(reason="")


HANDLER = Handler(
    name="wishes.wishes",
    models=("wishes.Wish", "wishes.WishPhoto"),
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
        Retention(
            model="wishes.WishPhoto",
            what=gettext_lazy("Photos with your micro-wishes"),
            rule=gettext_lazy(
                "Deleted %(days)d days after the wish came true or was closed, and at once "
                "when your account is deleted."
            ),
            default_days=WISH_PHOTO_DAYS,
            enforce=wish_photos_purge,
        ),
    ),
)
