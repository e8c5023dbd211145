"""Cases (suggestions, demands, hazard reports) and what happens to them: where they were
sent and why, the tasks they were split into, the conversation with the worker, the
photos, the workers who have the same problem, each change of state, and the notices
the responsible units receive."""

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import RoleAppointment
from areas.models import Area
from core.models import TimeStampedModel
from core.private_files import field_storage, private_upload_to
from members.models import Worker
from stations.models import Station

from .catalogue import FeedbackCategory, Kind, PartnerDepartment, Priority

PHOTOS = "feedback.photo"  # the private files' kind (and folder)


class Case(TimeStampedModel):
    """One suggestion, demand or hazard report. `area` is where it is (the community,
    or the street or district where nothing finer is known): the tenant whose staff see
    it. `responsible_area` is the unit that must act — `area` or one above it (the
    category's level, then escalation) — and `department` the partner department it was
    referred to."""

    scope_area_path = "area"

    class Source(models.TextChoices):
        PHONE = "phone", _("On the phone")
        COUNCIL = "council", _("Workers' council (小哥议事会)")
        VISIT = "visit", _("Street visit")
        HOTLINE = "hotline", _("12345 hotline referral")
        PARTNER = "partner", _("Partner system (Open311)")
        OTHER = "other", _("Other, in person")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting to be accepted")
        ACCEPTED = "accepted", _("Accepted (受理)")
        REFERRED = "referred", _("Referred to a partner department")
        IN_PROGRESS = "in_progress", _("Being worked on")
        RESOLVED = "resolved", _("Answered, waiting for the worker")
        CLOSED = "closed", _("Closed, done (办结)")
        DUPLICATE = "duplicate", _("Same as another case")
        DECLINED = "declined", _("Not taken up (不予受理)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    category = models.ForeignKey(
        FeedbackCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    text = models.CharField(_("what it is about"), max_length=500)
    priority = models.CharField(
        _("priority"), max_length=6, choices=Priority.choices, default=Priority.NORMAL
    )
    source = models.CharField(_("collected"), max_length=8, choices=Source.choices)
    source_note = models.CharField(
        _("source reference"),
        max_length=60,
        blank=True,
        help_text=_("The 12345 ticket number, the council's date, the partner's case id…"),
    )
    reporter = models.ForeignKey(
        Worker,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_cases",
    )
    # The 移动探头 figure: a report by a worker appointed part-time grid worker or
    # supervisor (activities.RoleAppointment) when they sent it.
    reporter_role = models.CharField(
        _("reporter's role"),
        max_length=14,
        blank=True,
        choices=[
            (RoleAppointment.Role.GRID_WORKER, RoleAppointment.Role.GRID_WORKER.label),
            (RoleAppointment.Role.SUPERVISOR, RoleAppointment.Role.SUPERVISOR.label),
        ],
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("at the station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_cases",
    )
    location = gis_models.PointField(_("place"), srid=4326, geography=True, null=True, blank=True)
    place_note = models.CharField(
        _("where, in words"), max_length=100, blank=True, help_text=_("A landmark, a gate…")
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="feedback_cases"
    )
    responsible_area = models.ForeignKey(
        Area,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="feedback_cases_responsible",
    )
    department = models.ForeignKey(
        PartnerDepartment,
        verbose_name=_("partner department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    status = models.CharField(
        _("status"), max_length=11, choices=Status.choices, default=Status.SUBMITTED
    )
    status_reason = models.CharField(_("reason given to the worker"), max_length=200, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("same as"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    public = models.BooleanField(
        _("may be shown publicly"),
        default=False,
        help_text=_("The worker agreed that it appears, masked, on the public pages."),
    )
    answer = models.TextField(_("answer"), max_length=1000, blank=True)
    published_at = models.DateTimeField(_("answer published at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due by"))
    # Late once: the on-time rate counts it so even after it is done.
    late = models.BooleanField(_("was overdue"), default=False)
    # Overdue at its present unit since (cleared when it climbs to the unit above, which
    # gets a deadline of its own, and when the worker reopens it).
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(_("times escalated"), default=0)
    paused_since = models.DateTimeField(
        _("waiting for the worker since"),
        null=True,
        blank=True,
        help_text=_("The deadline does not run while staff wait for the worker's answer."),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    satisfied = models.BooleanField(_("worker satisfied"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the worker sent it from their phone."),
    )
    # Made on the phone for each case it sends: sent again (offline replay, a double tap)
    # it finds the case it already made.
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases (suggestions, demands, hazards)")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "area"], name="feedback_case_queue_idx"),
            models.Index(
                fields=["due_at"],
                condition=models.Q(status__in=["submitted", "accepted", "referred", "in_progress"]),
                name="feedback_case_open_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="duplicate", duplicate_of__isnull=False)
                | (~models.Q(status="duplicate") & models.Q(duplicate_of__isnull=True)),
                name="feedback_case_duplicate_names_the_case",
                violation_error_message=_("A duplicate names the case it repeats."),
            ),
            models.CheckConstraint(
                condition=~models.Q(duplicate_of=models.F("pk")),
                name="feedback_case_not_a_duplicate_of_itself",
                violation_error_message=_("A case cannot repeat itself."),
            ),
        ]

    OPEN = ("submitted", "accepted", "referred", "in_progress")

    def __str__(self) -> str:
        return f"{self.number} {self.text[:30]}"

    @property
    def number(self) -> str:
        """The reference a worker or a hotline quotes: 案件 #123."""
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_open
            and self.paused_since is None
            and self.due_at is not None
            and self.due_at < timezone.now()
        )


class CaseFollower(models.Model):
    """A worker who has the same problem ("我也遇到了"): told of its progress, counted as
    its weight, never a second case."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="followers"
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("worker with the same problem")
        verbose_name_plural = _("workers with the same problem")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "worker"],
                name="feedback_casefollower_once",
                violation_error_message=_("You already follow this case."),
            )
        ]

    def __str__(self) -> str:
        return self.worker.masked_label


class CasePhoto(models.Model):
    """A photo of the problem (the worker's, at most four) or of the fix (staff's):
    checked and re-encoded without its metadata; private to the case's staff and reporter."""

    scope_area_path = "case__area"

    class Role(models.TextChoices):
        PROBLEM = "problem", _("The problem")
        FIX = "fix", _("The fix")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="photos"
    )
    role = models.CharField(_("shows"), max_length=8, choices=Role.choices)
    image = models.ImageField(
        _("photo"), storage=field_storage, upload_to=private_upload_to(PHOTOS)
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo of a case")
        verbose_name_plural = _("photos of cases")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name


class CaseHop(models.Model):
    """One move of a case: where it was sent and by which rule (the place's boundary, the
    nearest station, the worker's community, the category's unit, staff re-routing or
    referring with a reason, escalation when overdue)."""

    scope_area_path = "case__area"

    class Rule(models.TextChoices):
        STATION = "station", _("At a station: the station's community")
        BOUNDARY = "boundary", _("Inside a community's boundary")
        NEAREST_STATION = "nearest", _("No boundary: the nearest station's community")
        WIDER_BOUNDARY = "wider", _("Only a street's or district's boundary")
        REPORTER = "reporter", _("No place: the worker's own community")
        CHOSEN = "chosen", _("Chosen by the staff who recorded it")
        CATEGORY = "category", _("The category's responsible unit")
        REROUTED = "rerouted", _("Re-routed by staff (转办)")
        REFERRED = "referred", _("Referred to a partner department")
        ESCALATED = "escalated", _("Overdue: escalated one level up")
        REOPENED = "reopened", _("Not fixed: back to the unit")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="hops"
    )
    rule = models.CharField(_("rule"), max_length=10, choices=Rule.choices)
    to_area = models.ForeignKey(
        Area,
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_department = models.ForeignKey(
        PartnerDepartment,
        verbose_name=_("to the department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the platform's rules did it."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("routing step")
        verbose_name_plural = _("routing steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} → {self.to_department or self.to_area}"


class CaseTask(models.Model):
    """A piece of the work a case was split into (任务分解): one unit (an area's staff or
    a partner department), a deadline, and the result when done."""

    scope_area_path = "case__area"

    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="tasks"
    )
    description = models.CharField(_("what to do"), max_length=200)
    unit = models.ForeignKey(
        Area,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        PartnerDepartment,
        verbose_name=_("partner department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    due_at = models.DateTimeField(_("due by"))
    status = models.CharField(
        _("status"), max_length=9, choices=Status.choices, default=Status.OPEN
    )
    result = models.CharField(_("result"), max_length=300, blank=True)
    late = models.BooleanField(_("was overdue"), default=False)
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("task of a case")
        verbose_name_plural = _("tasks of cases")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(status="open"),
                name="feedback_task_open_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(unit__isnull=False) & models.Q(department__isnull=True))
                | (models.Q(unit__isnull=True) & models.Q(department__isnull=False)),
                name="feedback_casetask_one_unit",
                violation_error_message=_("A task goes to one unit: an area or a department."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="open")
                | ~models.Q(result="")
                | models.Q(status="cancelled"),
                name="feedback_casetask_done_has_result",
                violation_error_message=_("A task done says what was done."),
            ),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def unit_name(self) -> str:
        return str(self.department or self.unit)


class CaseStatusChange(models.Model):
    """One step of a case's history: accepted, resolved, reopened, closed…"""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        _("from"), max_length=11, choices=Case.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=11, choices=Case.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the worker did it on their phone, or the platform's rules."),
    )
    reason = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("case history entry")
        verbose_name_plural = _("case history")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        before = self.get_from_status_display() or "—"
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {before} → {self.get_to_status_display()}"


class CaseMessage(models.Model):
    """The conversation on a case, both ways. Staff write as their unit (the worker reads
    "社区工作人员", never a staff member's name); the worker is masked to staff."""

    scope_area_path = "case__area"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="messages"
    )
    from_staff = models.BooleanField(_("from staff"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.CharField(_("message"), max_length=500)
    asks_reporter = models.BooleanField(
        _("waits for the worker's answer"),
        default=False,
        help_text=_("The deadline stops until the worker answers."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("message on a case")
        verbose_name_plural = _("messages on cases")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(from_staff=False, author__isnull=True)
                | models.Q(from_staff=True, author__isnull=False),
                name="feedback_casemessage_staff_names_the_author",
                violation_error_message=_("A staff message names its author."),
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]


class CaseNotice(models.Model):
    """What a unit is told: a case reopened, overdue, escalated to it, referred to it.
    Shown on the admin's work queue until someone of the unit has read it; sent by text
    message too where the unit has a duty phone."""

    scope_area_path = "area"

    class Kind(models.TextChoices):
        REFERRED = "referred", _("Referred to your department")
        REOPENED = "reopened", _("Not fixed: reopened")
        OVERDUE = "overdue", _("Overdue")
        ESCALATED = "escalated", _("Escalated to you, overdue below")
        TASK_OVERDUE = "task", _("A task is overdue")
        ANSWERED = "answered", _("The worker answered")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=9, choices=Kind.choices)
    # The unit told: an area's staff (for a department: its district, which follows it up).
    area = models.ForeignKey(
        Area, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        PartnerDepartment,
        verbose_name=_("partner department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.CharField(_("notice"), max_length=200)
    # Once per event: a job run twice tells the unit once.
    event_key = models.CharField(max_length=80, unique=True, editable=False)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    texted_at = models.DateTimeField(_("text message sent at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("notice about a case")
        verbose_name_plural = _("notices about cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["area"],
                condition=models.Q(read_at__isnull=True),
                name="feedback_notice_unread_idx",
            )
        ]

    def __str__(self) -> str:
        return self.text
