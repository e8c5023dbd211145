"""What a district sets up before the first case arrives: its partner departments (联动部门),
its categories with who answers them and in how many working days, its rules, and the
working-day calendar deadlines are counted in."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.models import TimeStampedModel

DISTRICT_ONLY = {"level": Area.Level.DISTRICT}


class Kind(models.TextChoices):
    """What the worker brings: an idea, a difficulty of their own, or a hazard they saw."""

    SUGGESTION = "suggestion", _("Suggestion (意见建议)")
    DEMAND = "demand", _("Demand (诉求)")
    HAZARD = "hazard", _("Hazard report (随手拍)")


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class PartnerDepartment(TimeStampedModel):
    """A department outside the social-work tree that answers some cases (联动部门): the
    transport bureau for blocked lanes, market regulation, human resources and social
    security for labour disputes, housing, the union. The district refers cases to it and
    records its answer; its duty phone hears of referrals and overdue cases."""

    scope_area_path = "area"

    class Sector(models.TextChoices):
        TRANSPORT = "transport", _("Transport (交通运输)")
        MARKET = "market", _("Market regulation (市场监管)")
        LABOUR = "labour", _("Human resources and social security (人社)")
        HOUSING = "housing", _("Housing (住建)")
        UNION = "union", _("Trade union (工会)")
        URBAN = "urban", _("Urban management (城管)")
        POLICE = "police", _("Public security and traffic police (公安交警)")
        FIRE = "fire", _("Fire and rescue (消防)")
        OTHER = "other", _("Other")

    area = models.ForeignKey(
        Area,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="partner_departments",
        limit_choices_to=DISTRICT_ONLY,
    )
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices)
    name = models.CharField(_("name"), max_length=60)
    duty_phone = models.CharField(
        _("duty phone for notices"),
        max_length=20,
        blank=True,
        help_text=_("An office's mobile number: it is told by text message of referrals."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner department (联动部门)")
        verbose_name_plural = _("partner departments (联动部门)")
        ordering = ["area__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                name="feedback_partnerdepartment_name_unique",
                violation_error_message=_("This district already has a department of this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FeedbackCategory(models.Model):
    """What a case is about, who answers it and how fast. The platform's categories (no
    area; the seeds' defaults) apply in every district; a district adds its own, or takes
    one of the platform's over by adding one with the same code (its unit, its deadlines,
    or `offered` off to stop using it)."""

    class Responsible(models.TextChoices):
        COMMUNITY = "community", _("The community")
        STREET = "street", _("The street")
        DISTRICT = "district", _("The district")
        PARTNER = "partner", _("A partner department")

    area = models.ForeignKey(
        Area,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_categories",
        limit_choices_to=DISTRICT_ONLY,
        help_text=_("Empty: a category of the whole platform."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=30)
    hint = models.CharField(
        _("hint for the worker"),
        max_length=100,
        blank=True,
        help_text=_("One line under the name on the phone: what belongs here."),
    )
    responsible = models.CharField(_("answered by"), max_length=10, choices=Responsible.choices)
    partner_department = models.ForeignKey(
        PartnerDepartment,
        verbose_name=_("partner department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="categories",
    )
    days_urgent = models.PositiveSmallIntegerField(
        _("working days when urgent"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    days_normal = models.PositiveSmallIntegerField(
        _("working days when normal"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    days_low = models.PositiveSmallIntegerField(
        _("working days when low"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    on_public_map = models.BooleanField(
        _("shown on the public map"),
        default=False,
        help_text=_(
            "Hazards of this category appear, masked, on the public map. Leave off where a "
            "report may name a shop or a person."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("feedback category")
        verbose_name_plural = _("feedback categories")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(area__isnull=True),
                name="feedback_category_platform_code_unique",
                violation_error_message=_("The platform already has a category with this code."),
            ),
            models.UniqueConstraint(
                fields=["area", "code"],
                name="feedback_category_district_code_unique",
                violation_error_message=_("This district already has a category with this code."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(responsible="partner", partner_department__isnull=False)
                    | (~models.Q(responsible="partner") & models.Q(partner_department__isnull=True))
                ),
                name="feedback_category_partner_names_the_department",
                violation_error_message=_(
                    "A category answered by a partner department names the department (and "
                    "only then)."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(days_urgent__lte=models.F("days_normal"))
                & models.Q(days_normal__lte=models.F("days_low")),
                name="feedback_category_deadlines_in_order",
                violation_error_message=_(
                    "Urgent cases get the fewest working days, low ones the most."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def working_days(self, priority: str) -> int:
        return {
            Priority.URGENT: self.days_urgent,
            Priority.NORMAL: self.days_normal,
            Priority.LOW: self.days_low,
        }[priority]


class FeedbackRules(TimeStampedModel):
    """A district's rules for cases (defaults in settings where a district has none)."""

    scope_area_path = "area"

    area = models.OneToOneField(
        Area,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="feedback_rules",
        limit_choices_to=DISTRICT_ONLY,
    )
    close_after_days = models.PositiveSmallIntegerField(
        _("days a resolved case waits for the worker's answer"),
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Then it closes on its own, counted as neither satisfied nor not."),
    )
    duty_phone = models.CharField(
        _("duty phone for overdue notices"),
        max_length=20,
        blank=True,
        help_text=_(
            "The district office's mobile number: told by text message when a case "
            "reaches the district overdue."
        ),
    )

    class Meta:
        verbose_name = _("district's feedback rules")
        verbose_name_plural = _("districts' feedback rules")

    def __str__(self) -> str:
        return str(self.area)


class CalendarDay(models.Model):
    """A day that is not what its weekday says: a holiday on a weekday, or a make-up working
    day (调休) on a weekend. The platform's rows (no area) are the national calendar, loaded
    from `chinesecalendar` and kept up to date each year; a district adds its own (an
    autonomous region's festival), which win over the national row of the same date.
    Every other Monday–Friday is a working day, every other weekend day is not."""

    area = models.ForeignKey(
        Area,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_days",
        limit_choices_to=DISTRICT_ONLY,
        help_text=_("Empty: the national calendar."),
    )
    date = models.DateField(_("date"))
    working = models.BooleanField(
        _("working day"), help_text=_("On: a make-up working day. Off: a holiday.")
    )
    name = models.CharField(_("name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("holidays and make-up working days")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(area__isnull=True),
                name="feedback_calendarday_national_date_unique",
                violation_error_message=_("The national calendar already has this date."),
            ),
            models.UniqueConstraint(
                fields=["area", "date"],
                name="feedback_calendarday_district_date_unique",
                violation_error_message=_("This district's calendar already has this date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
