"""Donors and their claims: who gives (organisations, verified by staff, and individual
volunteers), what each has claimed, and for a collective wish how many of each item."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.identifiers import validate_mobile
from core.masking import mask_name
from core.models import TimeStampedModel
from core.private_files import field_storage, private_upload_to
from stations.models import Station

from .wishes import Wish, WishItem


class Donor(TimeStampedModel):
    """Someone who makes wishes come true: an organisation (a department, a union, a
    company…) or an individual volunteer. They sign in on the phone with the same SMS login
    as workers and keep this profile themselves; an organisation's claims count as the
    organisation's once staff of its district or street have verified it."""

    scope_area_path = "area"

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("An individual volunteer")
        ORGANISATION = "organisation", _("An organisation")

    class OrganisationKind(models.TextChoices):
        DEPARTMENT = "department", _("Government department")
        UNION = "union", _("Trade union (工会)")
        WOMENS_FEDERATION = "women", _("Women's federation (妇联)")
        RED_CROSS = "red_cross", _("Red Cross (红十字会)")
        COMPANY = "company", _("Company")
        SOCIAL_ORGANISATION = "social", _("Social organisation")
        VOLUNTEER_TEAM = "volunteers", _("Volunteer team")
        MERCHANT = "merchant", _("Merchant")

    phone = models.CharField(
        _("mobile phone"), max_length=11, unique=True, validators=[validate_mobile]
    )
    kind = models.CharField(_("giving as"), max_length=12, choices=Kind.choices)
    organisation_kind = models.CharField(
        _("kind of organisation"), max_length=12, choices=OrganisationKind.choices, blank=True
    )
    name = models.CharField(
        _("name"), max_length=60, help_text=_("The organisation's name, or your own.")
    )
    contact_name = models.CharField(
        _("contact person"), max_length=30, blank=True, help_text=_("For an organisation.")
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("district or street"),
        on_delete=models.PROTECT,
        related_name="wish_donors",
        limit_choices_to={"level__in": [Area.Level.DISTRICT, Area.Level.STREET]},
        help_text=_("Where the donor gives: its staff verify an organisation."),
    )
    consented_at = models.DateTimeField(
        _("agreed to be kept on record at"),
        help_text=_("The donor agreed that their name and phone are kept for their claims."),
    )
    erased_at = models.DateTimeField(
        _("profile deleted at"),
        null=True,
        blank=True,
        help_text=_("The donor deleted their profile: name and phone are gone, the counts stay."),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="organisation") & ~models.Q(organisation_kind=""))
                | (models.Q(kind="individual", organisation_kind="", verified_at__isnull=True)),
                name="wishes_donor_organisation_has_kind_individual_not_verified",
                violation_error_message=_(
                    "An organisation says what kind it is; an individual is not verified."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.public_name

    @property
    def is_verified_organisation(self) -> bool:
        return self.kind == self.Kind.ORGANISATION and self.verified_at is not None

    @property
    def public_name(self) -> str:
        """How the donor is named in public and to the worker: a verified organisation by
        its name, anyone else as a volunteer with a masked name (爱心人士 李*)."""
        if self.erased_at is not None:
            return str(_("A donor who left"))
        if self.is_verified_organisation:
            return self.name
        volunteer = _("Volunteer")
        return f"{volunteer} {mask_name(self.contact_name or self.name)}"


# Who gave, as the figures count it: an organisation's claims count as its own once it is
# verified, anyone else's (and an unverified organisation's) as an individual's.
DONOR_KINDS = [
    (Donor.Kind.INDIVIDUAL, _("An individual")),
    *Donor.OrganisationKind.choices,
]

# A claim that holds its wish (or its quantities): what the one-live-claim constraint counts.
LIVE_CLAIM = ("claimed", "handed_over", "fulfilled")
PICKUP_CODE_LENGTH = 8


class Claim(TimeStampedModel):
    """A donor's promise to make a wish come true: the whole of a worker's own wish, or
    some of a collective wish's items (ClaimLine). The gift is handed over at a station
    (never at the worker's address) on the worker's pickup code, or delivered by staff; the
    wish has come true when the worker confirms on the phone or staff confirm with a photo.
    A claim not handed over by its deadline lapses, or is cancelled: the wish is back on
    the wall."""

    scope_area_path = "wish__area"
    # The keeper of the handover station reaches the claims handed over there.
    scope_object_paths = {"stations.station": "station"}

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Claimed")
        HANDED_OVER = "handed_over", _("Handed over")
        FULFILLED = "fulfilled", _("Came true")
        LAPSED = "lapsed", _("Lapsed (deadline passed)")
        CANCELLED = "cancelled", _("Cancelled")

    wish = models.ForeignKey(
        Wish, verbose_name=_("wish"), on_delete=models.PROTECT, related_name="claims"
    )
    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="claims"
    )
    # A worker's own wish is claimed whole, by one donor at a time (the constraint below).
    whole = models.BooleanField(_("the whole wish"), default=True)
    # Who gave, for the figures: "individual", or the kind of a verified organisation.
    donor_kind = models.CharField(_("donor kind"), max_length=12, choices=DONOR_KINDS)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CLAIMED
    )
    deadline = models.DateTimeField(_("hand over by"))
    message = models.CharField(_("message to the worker"), max_length=200, blank=True)
    station = models.ForeignKey(
        Station,
        verbose_name=_("handover station"),
        on_delete=models.PROTECT,
        related_name="wish_claims",
        help_text=_("Where the gift is handed over: never the worker's address."),
    )
    pickup_code = models.CharField(_("pickup code"), max_length=PICKUP_CODE_LENGTH, unique=True)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    delivered_by_staff = models.BooleanField(
        _("delivered by staff"),
        default=False,
        help_text=_("Staff took the gift to the worker themselves (no pickup at the counter)."),
    )
    fulfilled_at = models.DateTimeField(_("came true at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the worker confirmed on their phone."),
    )
    fulfilment_photo = models.ImageField(
        _("photo of the handover"),
        storage=field_storage,
        upload_to=private_upload_to("wishes.photo"),
        blank=True,
    )
    thanks = models.CharField(_("the worker's thanks"), max_length=200, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_reason = models.CharField(_("why it was released"), max_length=200, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    # Made on the phone for each claim it sends: a double tap is one claim.
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "deadline"], name="wishes_claim_deadline_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["wish"],
                condition=models.Q(whole=True, status__in=LIVE_CLAIM),
                name="wishes_claim_one_live_claim_per_wish",
                violation_error_message=_("Someone has already claimed this wish."),
            ),
            models.CheckConstraint(
                condition=models.Q(released_at__isnull=True)
                | models.Q(status__in=["lapsed", "cancelled"]),
                name="wishes_claim_released_only_when_lapsed_or_cancelled",
                violation_error_message=_("Only a lapsed or cancelled claim was released."),
            ),
            models.CheckConstraint(
                condition=models.Q(fulfilled_at__isnull=True) | models.Q(status="fulfilled"),
                name="wishes_claim_fulfilled_at_only_when_fulfilled",
                violation_error_message=_("Only a claim that came true has a date it did."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor.public_name} → {self.wish}"


class ClaimLine(models.Model):
    """How many of one item of a collective wish a claim commits to."""

    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(
        WishItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="claim_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("item claimed")
        verbose_name_plural = _("items claimed")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "item"], name="wishes_claimline_once"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="wishes_claimline_quantity_positive",
                violation_error_message=_("Claim at least one."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.name} × {self.quantity}"
