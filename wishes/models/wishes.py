"""Micro-wishes themselves: their categories, the district's rules, the wishes, the item
lines of a collective wish and each wish's history."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.models import TimeStampedModel
from core.private_files import field_storage, private_upload_to
from members.models import COMMUNITY_LEVELS, Outlet, Worker
from stations.models import Station


class WishCategory(models.Model):
    """What a wish is for: a catalogue, as stations' facilities are. The platform's own
    categories (no area) apply everywhere; a district adds its own (area = the district),
    offered where a wish belongs to that district (services.categories_for) and kept by
    that district's staff (services.category_save)."""

    area = models.ForeignKey(
        Area,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wish_categories",
        help_text=_("Empty: a category of the whole platform."),
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=30)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("wish category")
        verbose_name_plural = _("wish categories")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(area__isnull=True),
                name="wishes_category_platform_code_unique",
                violation_error_message=_("The platform already has a category with this code."),
            ),
            models.UniqueConstraint(
                fields=["area", "code"],
                name="wishes_category_district_code_unique",
                violation_error_message=_("This district already has a category with this code."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WishRules(TimeStampedModel):
    """A district's rules for wishes (defaults in settings where a district has none)."""

    scope_area_path = "area"

    area = models.OneToOneField(
        Area,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="wish_rules",
        limit_choices_to={"level": Area.Level.DISTRICT},
    )
    value_cap = models.DecimalField(
        _("most an individual wish may be worth (yuan)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1"))],
        help_text=_("Micro means micro: ¥500 unless the district decides otherwise."),
    )
    open_wishes_per_worker = models.PositiveSmallIntegerField(
        _("open individual wishes a worker may have at a time"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    claim_days = models.PositiveSmallIntegerField(
        _("days a donor has to hand a claimed wish over"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Then the claim lapses and the wish is back on the wall."),
    )
    open_claims_per_donor = models.PositiveSmallIntegerField(
        _("claims a donor may hold before handing any over"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("So that nobody takes the whole wall and leaves it waiting."),
    )

    class Meta:
        verbose_name = _("district's wish rules")
        verbose_name_plural = _("districts' wish rules")

    def __str__(self) -> str:
        return str(self.area)


class Wish(TimeStampedModel):
    """One wish. An individual wish is a worker's own; a collective wish is an outlet's or
    a station's, with the staff member who speaks for it and its item lines."""

    scope_area_path = "area"

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("A worker's own wish")
        COLLECTIVE = "collective", _("A collective wish (an outlet or a station)")

    class Source(models.TextChoices):
        PHONE = "phone", _("On the phone")
        STREET_INTERVIEW = "interview", _("Street interview (街头采访)")
        COUNCIL = "council", _("Workers' council (小哥议事会)")
        STAFF_VISIT = "visit", _("Staff visit")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        RETURNED = "returned", _("Returned")
        PUBLISHED = "published", _("Published")
        CLAIMED = "claimed", _("Claimed by a donor")
        FULFILLED = "fulfilled", _("Came true")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        MERGED = "merged", _("Merged into a collective wish")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    worker = models.ForeignKey(
        Worker,
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wishes",
    )
    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("outlet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wishes",
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wishes",
    )
    spokesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("speaks for it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "For a collective wish: the staff member who speaks for the outlet or station."
        ),
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="wishes",
        limit_choices_to=COMMUNITY_LEVELS,
    )
    category = models.ForeignKey(
        WishCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="wishes"
    )
    text = models.CharField(
        _("the wish"), max_length=200, help_text=_("In the worker's own words.")
    )
    value = models.DecimalField(
        _("estimated value (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    source = models.CharField(_("collected"), max_length=10, choices=Source.choices)
    publish_consent_at = models.DateTimeField(_("consent to publish given at"))
    story_consent_at = models.DateTimeField(
        _("consent to a public follow-up story given at"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    status_reason = models.CharField(_("reason given to the worker"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("came true at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_wishes",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the worker posted it on their phone."),
    )
    # Made on the phone for each wish it sends: a wish sent again (offline replay, a double
    # tap) finds the one it already made.
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "area"], name="wishes_wish_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="individual", worker__isnull=False))
                | (
                    models.Q(kind="collective", worker__isnull=True)
                    & (models.Q(outlet__isnull=False) | models.Q(station__isnull=False))
                ),
                name="wishes_wish_individual_has_worker_collective_has_place",
                violation_error_message=_(
                    "A worker's wish names the worker; a collective wish names an outlet or a "
                    "station."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status="merged", merged_into__isnull=False)
                | (~models.Q(status="merged") & models.Q(merged_into__isnull=True)),
                name="wishes_wish_merged_names_the_collective_wish",
                violation_error_message=_("A merged wish names the wish it was merged into."),
            ),
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True)
                | ~models.Q(status__in=["submitted", "returned"]),
                name="wishes_wish_published_at_only_once_published",
                violation_error_message=_("A wish waiting for review was not published."),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:30]

    @property
    def public_who(self) -> str:
        """Whose wish, as the public wall says it: 外卖骑手 王* (never a phone, an address
        or an ID), or the outlet's or station's name for a collective wish."""
        if self.worker_id:
            occupation = self.worker.get_occupation_display() or _("Worker")
            return f"{occupation} {self.worker.masked_name}"
        return str(self.outlet or self.station)


class WishItem(models.Model):
    """One line of a collective wish: what, how many, and what one is worth."""

    wish = models.ForeignKey(
        Wish, verbose_name=_("wish"), on_delete=models.CASCADE, related_name="items"
    )
    name = models.CharField(_("item"), max_length=50)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_value = models.DecimalField(
        _("value of one (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("item of a collective wish")
        verbose_name_plural = _("items of a collective wish")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="wishes_item_quantity_positive",
                violation_error_message=_("Ask for at least one."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"

    @property
    def still_needed(self) -> int:
        """How many no live claim has promised yet (the item annotated with `committed`
        by selectors: the wall's and the claim form's figure; the service counts again
        under the wish's lock)."""
        return self.quantity - self.committed


class WishStatusChange(models.Model):
    """One step of a wish's history: posted, published, returned, withdrawn, merged…"""

    wish = models.ForeignKey(
        Wish, verbose_name=_("wish"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        _("from"), max_length=10, choices=Wish.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=Wish.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty when the worker did it on their phone."),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("wish history entry")
        verbose_name_plural = _("wish history")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        before = self.get_from_status_display() or "—"
        at = timezone.localtime(self.at)
        return f"{at:%Y-%m-%d %H:%M} {before} → {self.get_to_status_display()}"


class WishPhoto(models.Model):
    """A photo with a wish (the worn-out helmet, the outlet's empty rest room): checked and
    re-encoded without its metadata, seen by the community's staff and the worker — never
    on the public wall."""

    scope_area_path = "wish__area"

    wish = models.ForeignKey(
        Wish, verbose_name=_("wish"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(
        _("photo"), storage=field_storage, upload_to=private_upload_to("wishes.photo")
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo of a wish")
        verbose_name_plural = _("photos of wishes")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name
