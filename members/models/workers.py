"""Workers (新就业群体) and where they work: enterprises, their outlets (the 摸排 ledger),
and each worker's registration (报到) with its history.

Personal data: the phone is kept in clear (workers log in with it) but shown masked; the
resident ID number is encrypted at rest (core.crypto) with a blind index for lookups;
political status is sensitive and kept only with the worker's separate consent (a database
constraint). See core.masking for what staff see by default.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.crypto import EncryptedTextField, blind_index
from core.identifiers import validate_id_number, validate_mobile, validate_uscc
from core.masking import mask_id_number, mask_name, mask_phone
from core.models import TimeStampedModel

# Workers, outlets and stations belong to a community (or, where a street keeps them
# itself, a street): never to a whole district.
COMMUNITY_LEVEL_VALUES = (Area.Level.COMMUNITY, Area.Level.STREET)
COMMUNITY_LEVELS = {"level__in": COMMUNITY_LEVEL_VALUES}


class Occupation(models.TextChoices):
    COURIER = "courier", _("Courier (快递员)")
    FOOD_DELIVERY = "food_delivery", _("Food delivery rider (外卖骑手)")
    RIDE_HAIL = "ride_hail", _("Ride-hail driver (网约车司机)")
    TRUCK = "truck", _("Truck driver (货车司机)")
    DESIGNATED_DRIVER = "designated_driver", _("Designated driver (代驾)")
    LIVE_STREAMER = "live_streamer", _("Live streamer (网络主播)")
    PARKING_WARDEN = "parking_warden", _("Parking warden (停车巡管员)")
    OTHER = "other", _("Other")


class Enterprise(TimeStampedModel):
    """A new-economy enterprise whose workers use the stations: a platform, an express
    company, a fleet… Kept by the area that registered it (a district, usually); its
    outlets sit in communities."""

    scope_area_path = "area"

    class Kind(models.TextChoices):
        PLATFORM = "platform", _("Platform (平台企业)")
        EXPRESS = "express", _("Express company (快递企业)")
        LOGISTICS = "logistics", _("Logistics (物流企业)")
        RIDE_HAIL = "ride_hail", _("Ride-hail company (网约车企业)")
        MERCHANT = "merchant", _("Merchant (商户)")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_uscc],
        help_text=_("统一社会信用代码: 18 characters, from the business licence."),
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("registered by (area)"),
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("party-building instructor (党建指导员)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instructed_enterprises",
    )

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="members_enterprise_unique_credit_code",
                violation_error_message=_("An enterprise with this credit code already exists."),
            ),
            models.UniqueConstraint(
                fields=["area", "name"],
                name="members_enterprise_unique_name_in_area",
                violation_error_message=_("This area already has an enterprise of this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Outlet(TimeStampedModel):
    """An enterprise's site in a community — a 快递网点, 配送站点 or 车队 — with the head
    counts of the 摸排 survey: the base ledger of who works where."""

    scope_area_path = "area"

    class Kind(models.TextChoices):
        EXPRESS_OUTLET = "express_outlet", _("Express outlet (快递网点)")
        DELIVERY_STATION = "delivery_station", _("Delivery station (配送站点)")
        FLEET = "fleet", _("Fleet (车队)")
        OTHER = "other", _("Other")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="outlets"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    area = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="outlets",
        limit_choices_to=COMMUNITY_LEVELS,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    worker_count = models.PositiveIntegerField(_("workers"), default=0)
    party_member_count = models.PositiveIntegerField(_("party members among them"), default=0)
    surveyed_on = models.DateField(_("surveyed on (摸排日期)"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=11, blank=True, validators=[validate_mobile]
    )

    class Meta:
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets (摸排台账)")
        ordering = ["area__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "area", "name"],
                name="members_outlet_unique_name",
                violation_error_message=_(
                    "This enterprise already has an outlet of this name in this community."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(party_member_count__lte=models.F("worker_count")),
                name="members_outlet_party_members_among_workers",
                violation_error_message=_(
                    "Party members are counted among the workers: there cannot be more of them."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.name}"


class Worker(TimeStampedModel):
    """A new-employment worker and their registration (报到) with a community."""

    scope_area_path = "area"
    # Registration figures count where the registration was made (members/facts.py).
    figures_area_paths = ("registered_area",)

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class PoliticalStatus(models.TextChoices):
        CPC_MEMBER = "cpc", _("CPC member (中共党员)")
        PROBATIONARY = "probationary", _("Probationary member (中共预备党员)")
        CYL_MEMBER = "cyl", _("Youth League member (共青团员)")
        MASSES = "masses", _("The masses (群众)")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        # Known from checking in at a station (a verified phone, a name, the privacy
        # notice), not registered with a community: 报到 stays a deliberate act the
        # worker is invited to on /m/me, so review queues hold only real registrations.
        UNREGISTERED = "checked_in", _("Checked in, not registered (未报到)")
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Registered")
        REJECTED = "rejected", _("Returned")
        MERGED = "merged", _("Merged into another record")

    class Source(models.TextChoices):
        SELF = "self", _("Self-registered on the phone")
        STAFF = "staff", _("Registered by staff at a station")
        IMPORT = "import", _("Imported from a ledger")
        INVITATION = "invitation", _("Came by invitation")

    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(
        _("mobile phone"), max_length=11, unique=True, validators=[validate_mobile]
    )
    id_number = EncryptedTextField(
        _("resident ID number"), blank=True, validators=[validate_id_number]
    )
    # HMAC of the normalised ID number (core.crypto.blind_index): lookups and uniqueness.
    id_number_index = models.CharField(max_length=64, null=True, blank=True, unique=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    # Asked at registration (报到); a worker who has only checked in may not have said.
    occupation = models.CharField(
        _("occupation"), max_length=20, choices=Occupation.choices, blank=True
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("employer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workers",
    )
    platform = models.CharField(
        _("platform"), max_length=50, blank=True, help_text=_("e.g. 美团, 饿了么, 滴滴, 货拉拉")
    )
    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("outlet"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workers",
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("work community (报到社区)"),
        on_delete=models.PROTECT,
        related_name="workers",
        limit_choices_to=COMMUNITY_LEVELS,
    )
    residence_area = models.ForeignKey(
        Area,
        verbose_name=_("residence community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resident_workers",
        limit_choices_to=COMMUNITY_LEVELS,
    )
    political_status = models.CharField(
        _("political status"), max_length=20, choices=PoliticalStatus.choices, blank=True
    )
    status = models.CharField(
        _("registration status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    status_reason = models.CharField(_("reason given to the worker"), max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    invitation = models.ForeignKey(
        "members.Invitation",
        verbose_name=_("came by invitation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    tags = ArrayField(
        models.CharField(max_length=30), verbose_name=_("tags"), default=list, blank=True
    )
    privacy_notice_version = models.CharField(_("privacy notice accepted"), max_length=20)
    consented_at = models.DateTimeField(_("consent given at"))
    sensitive_consent_at = models.DateTimeField(
        _("consent to sensitive data given at"), null=True, blank=True
    )
    # When the worker registered (报到) with a community: the registration figures count
    # by it. Empty for a record that has only checked in; set when they register.
    registered_at = models.DateTimeField(
        _("registered at"), null=True, blank=True, default=timezone.now
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # The community the registration was made with and approved by: the registration
    # figures count there. It follows the work community until the registration is
    # approved; after that a move is a transfer (WorkerTransfer) the receiving community
    # accepts, and the old community keeps the registration in its figures (save()).
    registered_area = models.ForeignKey(
        Area,
        verbose_name=_("registered with"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # When the worker last logged in on the phone (members.phone_login): the retention rule
    # for records nobody uses (members.personal_data) reads it.
    last_login_at = models.DateTimeField(_("last logged in"), null=True, blank=True)
    # Set when the account was deleted (PIPL art. 47): the record stays for the counts and
    # the points ledger, with nothing left that names the person (services.privacy).
    erased_at = models.DateTimeField(_("account deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "area"], name="members_worker_queue_idx"),
            GinIndex(fields=["tags"], name="members_worker_tags_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(political_status="")
                | models.Q(sensitive_consent_at__isnull=False),
                name="members_worker_political_status_needs_consent",
                violation_error_message=_(
                    "Political status is kept only with the worker's consent to sensitive data."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status="checked_in", registered_at__isnull=True)
                | models.Q(
                    status__in=["pending", "approved", "rejected"], registered_at__isnull=False
                )
                | models.Q(status="merged"),
                name="members_worker_registered_at_says_when_it_registered",
                violation_error_message=_(
                    "A registration says when it was made; a record that only checked in "
                    "has not registered."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status="merged", merged_into__isnull=False)
                | (~models.Q(status="merged") & models.Q(merged_into__isnull=True)),
                name="members_worker_merged_names_the_kept_record",
                violation_error_message=_(
                    "A merged record must name the record it was merged into."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")),
                name="members_worker_not_merged_into_itself",
                violation_error_message=_("A record cannot be merged into itself."),
            ),
            models.CheckConstraint(
                # A deleted account's phone is a placeholder no one can log in with.
                condition=models.Q(phone__regex=r"^1[3-9][0-9]{9}$")
                | models.Q(erased_at__isnull=False),
                name="members_worker_phone_is_mobile",
                violation_error_message=_("Enter an 11-digit mainland mobile number."),
            ),
        ]

    def __str__(self) -> str:
        return self.masked_label

    @property
    def masked_label(self) -> str:
        """How a worker is named wherever staff see them: 张* 138****1234."""
        return f"{self.masked_name} {self.masked_phone}"

    @staticmethod
    def id_number_index_of(id_number: str) -> str | None:
        """The blind index of a (normalised) ID number: how a record is found by its ID and
        kept unique, here and in the ledger's COPY path, which writes no model instances."""
        return blind_index(id_number, "id_number") if id_number else None

    def save(self, *args, **kwargs):
        # The blind index is derived from the ID number and must never drift from it.
        self.id_number_index = self.id_number_index_of(self.id_number)
        self.registered_area_id = self.registered_area_of()
        if update_fields := kwargs.get("update_fields"):
            if "id_number" in update_fields:
                update_fields = {*update_fields, "id_number_index"}
            if {"area", "status", "registered_at"} & set(update_fields):
                update_fields = {*update_fields, "registered_area"}
            kwargs["update_fields"] = update_fields
        super().save(*args, **kwargs)

    def registered_area_of(self) -> int | None:
        """Where the registration counts: none before the worker registers; the work
        community until the registration is approved; then where it was approved, however
        often the worker moves (a transfer moves only `area`)."""
        if self.registered_at is None:
            return None
        if self.status != self.Status.APPROVED or self.registered_area_id is None:
            return self.area_id
        return self.registered_area_id

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class WorkerStatusChange(models.Model):
    """One step of a registration's history: submitted, approved, returned, merged…"""

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        _("from"), max_length=10, choices=Worker.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=Worker.Status.choices)
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
        verbose_name = _("registration history entry")
        verbose_name_plural = _("registration history")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        before = self.get_from_status_display() or "—"
        return f"{self.at:%Y-%m-%d %H:%M} {before} → {self.get_to_status_display()}"


class PhoneChange(models.Model):
    """A worker's number changed (issue 14 §2): by the worker, who proved the new one with
    a code sent to it, or by staff who checked who the worker is when the old one was
    lost. Only masked numbers are kept: the history says that it changed, not what the
    numbers were."""

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.CASCADE, related_name="phone_changes"
    )
    old_phone_masked = models.CharField(_("old number"), max_length=11)
    new_phone_masked = models.CharField(_("new number"), max_length=11)
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
        verbose_name = _("change of phone number")
        verbose_name_plural = _("changes of phone number")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.old_phone_masked} → {self.new_phone_masked}"


class WorkerTransfer(models.Model):
    """A registered worker moves to another community or district (issue 14 §2): the
    receiving community accepts (or declines, with a reason the worker reads). Until then
    the worker stays registered where they are. The old community keeps the history (this
    row, which its staff read) and its figures: the registration keeps counting where it
    was made (Worker.registered_area); the receiving community counts a transfer in."""

    scope_area_path = "to_area"  # the receiving community's staff decide
    # …and the community the worker leaves reads it, as its history of who moved away.
    scope_also_read_via = ("from_area",)

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the receiving community")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.CASCADE, related_name="transfers"
    )
    from_area = models.ForeignKey(
        Area,
        verbose_name=_("from community"),
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_area = models.ForeignKey(
        Area,
        verbose_name=_("to community"),
        on_delete=models.PROTECT,
        related_name="transfers_in",
        limit_choices_to=COMMUNITY_LEVELS,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("reason given to the worker"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the worker asked on their phone."),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer to another community")
        verbose_name_plural = _("transfers to another community")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=models.Q(status="pending"),
                name="members_transfer_one_pending_per_worker",
                violation_error_message=_("This worker already has a transfer waiting."),
            ),
            models.CheckConstraint(
                condition=~models.Q(from_area=models.F("to_area")),
                name="members_transfer_to_another_community",
                violation_error_message=_("A transfer goes to another community."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="members_transfer_decided_says_when",
                violation_error_message=_("A decided transfer says when it was decided."),
            ),
        ]
        indexes = [models.Index(fields=["to_area", "status"], name="members_transfer_queue_idx")]

    def __str__(self) -> str:
        return f"{self.worker.masked_label}: {self.from_area.name} → {self.to_area.name}"
