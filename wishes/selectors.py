"""Reads of micro-wishes, every one through the scoping choke point (areas.access)."""

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from areas import access, references
from areas.models import Area
from core.identifiers import normalize_typable_code
from members import phone_login
from stations.models import Station

from .models import (
    LIVE_CLAIM,
    Claim,
    ClaimLine,
    Donor,
    Story,
    Wish,
    WishCategory,
    WishItem,
    WishPhoto,
)


def wish_list(*, user) -> QuerySet:
    """The wishes of the user's areas, each with its places and its items (with what live
    claims committed): the API's list, one query per page whatever its size."""
    return (
        access.scope(Wish.objects.all(), user)
        .select_related("area", "category", "worker", "outlet", "station")
        .prefetch_related(_items_with_commitments())
    )


def review_queue(*, user) -> QuerySet:
    """Wishes waiting for the user's review, oldest first."""
    return (
        access.scope(Wish.objects.filter(status=Wish.Status.SUBMITTED), user, access.Purpose.WRITE)
        .select_related("area", "category", "worker")
        .order_by("created_at")
    )


def wishes_of(worker) -> QuerySet:
    """A worker's own wishes, newest first, each with its live claims and their donors
    (their phone's /m/me/wishes/)."""
    live_claims = Claim.objects.filter(status__in=LIVE_CLAIM).select_related("donor", "station")
    return (
        Wish.objects.filter(worker=worker)
        .select_related("category")
        .prefetch_related(Prefetch("claims", queryset=live_claims, to_attr="live_claims"))
        .order_by("-created_at")
    )


def categories_seen_by(user) -> QuerySet:
    """The categories a staff member works with (areas.references)."""
    return references.district_catalogue_seen_by(WishCategory.objects.all(), user)


# The wall, donors and claims ------------------------------------------------------------------

# What the public wall shows: a wish published and still waiting for (some of) its donors.
ON_THE_WALL = Q(status=Wish.Status.PUBLISHED)


def wall(*, area: Area | None = None, category: WishCategory | None = None) -> QuerySet:
    """Published wishes anyone may browse (/m/wishes/), newest first, of `area` and below
    and of `category` when given. Public by design, like wish_in_public and the stories:
    published wishes only, shown masked (Wish.public_who), so not scoped to a user."""
    wishes = Wish.objects.filter(ON_THE_WALL)
    if area is not None:
        wishes = wishes.filter(area__code__startswith=area.prefix)
    if category is not None:
        wishes = wishes.filter(category=category)
    return (
        wishes.select_related("area", "category", "worker", "outlet", "station")
        .prefetch_related(_items_with_commitments())
        .order_by("-published_at", "-pk")
    )


def _items_with_commitments() -> Prefetch:
    """Each item of a collective wish with `committed`: how many live claims promised."""
    committed = Coalesce(
        Sum("claim_lines__quantity", filter=Q(claim_lines__claim__status__in=LIVE_CLAIM)), 0
    )
    return Prefetch("items", queryset=WishItem.objects.annotate(committed=committed).order_by("pk"))


def wish_in_public(wish_id: int) -> Wish | None:
    """A wish as the wall shows it (published, claimed or come true; never one under
    review, returned, withdrawn or merged)."""
    return (
        Wish.objects.filter(
            pk=wish_id,
            status__in=[Wish.Status.PUBLISHED, Wish.Status.CLAIMED, Wish.Status.FULFILLED],
        )
        .select_related("area", "category", "worker", "outlet", "station")
        .prefetch_related(_items_with_commitments())
        .first()
    )


def wall_districts() -> QuerySet:
    """The districts with wishes on the wall, to choose from."""
    digits = Area.PREFIX_LENGTH[Area.Level.DISTRICT]
    codes = {
        code[:digits].ljust(12, "0")
        for code in Wish.objects.filter(ON_THE_WALL).values_list("area__code", flat=True).distinct()
    }
    return Area.objects.filter(level=Area.Level.DISTRICT, code__in=codes).order_by("code")


def donor_areas() -> QuerySet:
    """Where a donor may say they give: every district, each followed by its streets."""
    return Area.objects.filter(level__in=[Area.Level.DISTRICT, Area.Level.STREET]).order_by("code")


def donor_of_phone(phone: str | None) -> Donor | None:
    return Donor.objects.select_related("area").filter(phone=phone).first() if phone else None


def claims_of(donor: Donor) -> QuerySet:
    """A donor's own claims, newest first (/m/me/claims/)."""
    return (
        Claim.objects.filter(donor=donor)
        .select_related("wish", "wish__area", "wish__worker", "wish__outlet", "wish__station")
        .prefetch_related("lines__item")
        .order_by("-created_at")
    )


def claim_list(*, user) -> QuerySet:
    """The claims on wishes of the user's areas, or handed over at the stations they keep."""
    return (
        access.scope(Claim.objects.all(), user)
        .select_related("wish", "wish__area", "donor", "station")
        .prefetch_related(Prefetch("lines", queryset=ClaimLine.objects.select_related("item")))
    )


def donor_list(*, user) -> QuerySet:
    """The donors giving in the user's district or street (a community's staff reach none:
    a donor belongs to a district or a street)."""
    return access.scope(Donor.objects.all(), user).select_related("area")


def donors_to_verify(*, user) -> QuerySet:
    """Organisations waiting for the user's verification, oldest first."""
    return access.scope(
        Donor.objects.filter(
            kind=Donor.Kind.ORGANISATION, verified_at__isnull=True, erased_at__isnull=True
        ),
        user,
        access.Purpose.WRITE,
    ).order_by("created_at")


def claims_to_hand_over(*, user) -> QuerySet:
    """Claims whose gift is still to be handed over, at the stations the user keeps (a
    keeper) or in the areas they reach (the community's staff)."""
    return access.scope(
        Claim.objects.filter(status=Claim.Status.CLAIMED), user, access.Purpose.WRITE
    )


def claims_near_deadline(*, user, within) -> QuerySet:
    """Live claims whose deadline comes within `within` (a timedelta), soonest first."""
    return access.scope(
        Claim.objects.filter(status=Claim.Status.CLAIMED, deadline__lt=timezone.now() + within),
        user,
        access.Purpose.WRITE,
    ).order_by("deadline")


def handover_stations(wish: Wish) -> QuerySet:
    """Where a wish's gift may be handed over: a station's own wish at that station;
    otherwise the open stations of the wish's street, or of its district when the street
    has none."""
    if wish.station_id:
        return Station.objects.filter(pk=wish.station_id)
    open_stations = Station.objects.filter(status=Station.Status.OPEN).order_by("name")
    street = wish.area.code[: Area.PREFIX_LENGTH[Area.Level.STREET]]
    in_street = open_stations.filter(area__code__startswith=street)
    if in_street.exists():
        return in_street
    district = wish.area.code[: Area.PREFIX_LENGTH[Area.Level.DISTRICT]]
    return open_stations.filter(area__code__startswith=district)


def claim_at_counter(*, user, pickup_code: str) -> Claim | None:
    """The claim a scanned or typed pickup code names, as the counter shows it before the
    keeper confirms: only one this user may hand over, still waiting. None otherwise (the
    handover itself says why)."""
    return (
        access.scope(Claim.objects.all(), user, access.Purpose.WRITE)
        .filter(
            pickup_code=normalize_typable_code(pickup_code),
            status=Claim.Status.CLAIMED,
            deadline__gt=timezone.now(),
        )
        .select_related("wish", "wish__worker", "wish__outlet", "wish__station", "donor", "station")
        .first()
    )


def may_view_photo(request, name: str) -> bool:
    """A wish's photo, or a handover photo, is seen by staff who read its wish's area
    (core.private_files); a wish's photo also by its worker on their phone."""
    wish_photos = WishPhoto.objects.filter(image=name)
    if request.user.is_authenticated:
        claims = Claim.objects.filter(fulfilment_photo=name)
        if access.scope(wish_photos, request.user).exists():
            return True
        if access.scope(claims, request.user).exists():
            return True
    worker_id = phone_login.current_worker_id(request)
    return worker_id is not None and wish_photos.filter(wish__worker_id=worker_id).exists()


# Follow-up stories -----------------------------------------------------------------------------


def stories_published() -> QuerySet:
    """Published stories, newest first (/m/wishes/stories/)."""
    return (
        Story.objects.filter(status=Story.Status.PUBLISHED)
        .select_related("wish", "wish__area", "wish__worker", "wish__outlet", "wish__station")
        .order_by("-published_at", "-pk")
    )


def story_in_public(story_id: int) -> Story | None:
    """A published story with its wish's claims that came true (their donors and thanks)."""
    came_true = Claim.objects.filter(status=Claim.Status.FULFILLED).select_related("donor")
    return (
        stories_published()
        .filter(pk=story_id)
        .prefetch_related(Prefetch("wish__claims", queryset=came_true, to_attr="came_true"))
        .first()
    )


def may_view_story_photo(request, name: str) -> bool:
    """A story's photo is public once the story is; before, staff who read its area."""
    stories = Story.objects.filter(photo=name)
    if stories.filter(status=Story.Status.PUBLISHED).exists():
        return True
    return request.user.is_authenticated and access.scope(stories, request.user).exists()
