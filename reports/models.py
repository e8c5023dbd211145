"""The rollup tables (issue 13; DESIGN.md, "Rollups and dashboards").

- `BucketRow`: the figures of one part (the facts one write path computes together) for
  one node of the tree (an area at any level, or a station), one period (day, ISO week,
  month, quarter, year) and an optional breakdown value. Computed from raw rows and
  *replaced*, never incremented. `Bucket` is the read-only view of one figure per row.
- `DirtyBucket`: a finest bucket (a source table's rows in one area on one local day)
  that a write has changed and the job has not yet recomputed. Database triggers add these
  rows in the writer's own transaction (reports/triggers.py), so nothing is lost when Redis
  or Celery is down, and COPY, bulk updates and SQL functions are caught too.
- `AreaAncestry`: each area with every area above it (and itself), the join that lets one
  statement compute every level of the tree at once.
- `SealedPeriod`: the day before which a retention rule deleted a fact's raw rows; figures
  of periods that start before it are never recomputed from what is left.

Every rollup row carries `district_code`, the *rollup unit* it belongs to: the 6-digit
district prefix for a district and everything in it (streets, communities, stations), a
city's 4-digit or a province's 2-digit prefix for that node itself. Jobs fan out one task
per unit, and the tables can be distributed by this column (Citus) when a province
outgrows one machine.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.private_files import private_storage, private_upload_to
from stations.models import Station

from .periods import PeriodKind

# Levels whose areas roll up in their district's unit; above them, each area is its own unit.
DISTRICT_UNIT_LEVELS = {Area.Level.DISTRICT, Area.Level.STREET, Area.Level.COMMUNITY}


def district_code_of(area: Area) -> str:
    """The rollup unit of an area (the same rule as SQL's reports_district_code)."""
    if area.level in DISTRICT_UNIT_LEVELS:
        return area.code[:6]
    return area.prefix


def is_above_districts(unit: str) -> bool:
    """A city's or a province's unit (its area's prefix, shorter than a district's six
    digits): it has units below it, whose figures its additive days add up."""
    return len(unit) < 6


class BucketRow(models.Model):
    """The stored figures: every fact of one *part* (reports.facts.part_of — the facts one
    write path computes together, e.g. the check-ins' additive facts) for one node, period
    and breakdown value, in one row (`figures`: {fact key: value}; a fact absent is 0).

    One row per part rather than per fact keeps a city's year of check-ins to about a
    million rows instead of seven (BENCHMARKS.md, "Rollups at city scale"): the cost of a
    rebuild is writing. A row is always written whole by the one path that owns its part,
    so replacing a row replaces every figure in it and nothing else.
    """

    part = models.CharField(max_length=64)
    district_code = models.CharField(max_length=6)
    # Exactly one of area and station: the node the figures are for.
    area = models.ForeignKey(Area, null=True, on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey(Station, null=True, on_delete=models.CASCADE, related_name="+")
    period_kind = models.CharField(
        max_length=7, choices=[(kind.value, kind.value) for kind in PeriodKind]
    )
    period_start = models.DateField()
    # "" for the facts' totals; otherwise what the row is broken down by
    # (reports.facts.dimension_of: "occupation", "source", or a fact's key for an
    # expression) and one value of it (core.facts.breakdown_key: "-" for rows without one).
    # Facts of one part broken down by different things never share a row.
    dimension = models.CharField(max_length=64, default="", blank=True)
    breakdown = models.CharField(max_length=40, default="", blank=True)
    figures = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            # NULLS NOT DISTINCT: an area's row (station NULL) is one row, not one per
            # insert — the upsert's conflict target.
            models.UniqueConstraint(
                fields=[
                    "part",
                    "area",
                    "station",
                    "period_kind",
                    "period_start",
                    "dimension",
                    "breakdown",
                ],
                name="reports_bucketrow_one_per_node_period",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=models.Q(area__isnull=True) ^ models.Q(station__isnull=True),
                name="reports_bucketrow_area_or_station",
            ),
        ]
        indexes = [
            # The job replaces a unit's rows of one part and period kind at a time.
            models.Index(
                fields=["district_code", "part", "period_kind", "period_start"],
                name="reports_bucketrow_unit_idx",
            ),
            # The dashboards read nodes' periods, every part at once.
            models.Index(
                fields=["area", "period_kind", "period_start"],
                name="reports_bucketrow_area_idx",
                condition=models.Q(area__isnull=False),
            ),
            models.Index(
                fields=["station", "period_kind", "period_start"],
                name="reports_bucketrow_station_idx",
                condition=models.Q(station__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        node = f"area {self.area_id}" if self.area_id else f"station {self.station_id}"
        extra = f" [{self.dimension}={self.breakdown}]" if self.dimension else ""
        return f"{self.part} {node} {self.period_kind} {self.period_start}{extra}"


class Bucket(models.Model):
    """One figure: a fact's value for one node, period and breakdown value — a read-only
    view (`reports_bucket`, migration 0005) that unfolds each BucketRow into its facts.
    Every read (selectors, the stats API, verify) filters this by fact, node and period;
    the planner pushes node and period down to BucketRow's indexes."""

    id = models.CharField(primary_key=True, max_length=100)  # "<row id>:<fact key>"
    row_id = models.BigIntegerField()  # the BucketRow it is read from
    fact = models.CharField(_("figure"), max_length=64)
    district_code = models.CharField(_("district code"), max_length=6)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    period_kind = models.CharField(
        _("period"), max_length=7, choices=[(kind.value, kind.value) for kind in PeriodKind]
    )
    period_start = models.DateField(_("period starts"))
    breakdown = models.CharField(_("breakdown"), max_length=40)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        managed = False
        db_table = "reports_bucket"
        verbose_name = _("figure")
        verbose_name_plural = _("figures")

    def __str__(self) -> str:
        node = f"area {self.area_id}" if self.area_id else f"station {self.station_id}"
        extra = f" [{self.breakdown}]" if self.breakdown else ""
        return f"{self.fact} {node} {self.period_kind} {self.period_start}{extra} = {self.value}"


class DirtyBucket(models.Model):
    """Written by triggers only (reports/triggers.py and reports/sql/).

    Append-only, with no unique key, on purpose: a writer never waits on a mark another
    transaction or the job holds (the check-in path stays as fast as it was), and the job
    deletes exactly the rows it read, in the transaction that writes their figures — a mark
    committed while the job was computing stays for the next run, and a crash loses none.
    """

    # The model whose rows changed, as "app_label.modelname", or "areas.area" for a
    # change of the tree itself.
    source = models.CharField(max_length=64)
    district_code = models.CharField(max_length=6)
    area_id = models.BigIntegerField()  # no foreign key: a trigger must never fail on it
    # The local day the changed rows count on; NULL: a state (a fact counted as it is now)
    # changed.
    day = models.DateField(null=True)
    marked_at = models.DateTimeField(db_default=Now())
    # Copied already to the units above (the city and province over a district): those
    # read the raw rows themselves, so the beat sends their tasks in the same wave as the
    # district's instead of after it (reports.services.pass_marks_up). A copy is made
    # passed up: its chain above is marked.
    passed_up = models.BooleanField(db_default=False)

    class Meta:
        indexes = [models.Index(fields=["district_code", "id"], name="reports_dirty_unit_idx")]

    def __str__(self) -> str:
        return f"{self.source} area {self.area_id} {self.day or 'now'}"


class AreaAncestry(models.Model):
    """(area, ancestor) for every area and each area above it, itself included. Rebuilt by
    the job when the tree changes (reports.engine.refresh_ancestry)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    ancestor = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    # The ancestor's rollup unit: a unit's job computes the ancestors in its unit.
    district_code = models.CharField(max_length=6)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "ancestor"], name="reports_ancestry_once")
        ]
        indexes = [models.Index(fields=["district_code", "area"], name="reports_ancestry_idx")]

    def __str__(self) -> str:
        return f"{self.area_id} under {self.ancestor_id}"


class RangeFigure(models.Model):
    """A distinct count (workers who checked in…) over a custom range of days, for one
    node: it cannot be added up from day buckets, and counting it from the raw rows takes
    seconds at city scale — so a page never counts it while someone waits. The page asks
    for it (reports.ranges), a job counts it and keeps it here, and the page shows it from
    then on. It is current while no day of its range was recomputed after it: the stored
    day rows' `computed_at` say when (a stale one is still shown, and counted again)."""

    fact = models.CharField(max_length=64)
    part = models.CharField(max_length=64)  # reports.facts.part_of(fact): its day rows
    district_code = models.CharField(max_length=6)  # the node's rollup unit
    area = models.ForeignKey(Area, null=True, on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey(Station, null=True, on_delete=models.CASCADE, related_name="+")
    since = models.DateField()
    until = models.DateField()  # the first day after the range
    value = models.DecimalField(max_digits=20, decimal_places=2)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fact", "area", "station", "since", "until"],
                name="reports_rangefigure_once",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=models.Q(area__isnull=True) ^ models.Q(station__isnull=True),
                name="reports_rangefigure_one_node",
            ),
        ]

    def __str__(self) -> str:
        node = f"area {self.area_id}" if self.area_id else f"station {self.station_id}"
        return f"{self.fact} {node} {self.since}–{self.until} = {self.value}"


class SealedPeriod(models.Model):
    """A fact whose raw rows before `before` were deleted by a retention rule: no period
    starting before that day is recomputed (its figures stay as they were computed)."""

    fact = models.CharField(max_length=64, unique=True)
    before = models.DateField()
    sealed_at = models.DateTimeField(db_default=Now())

    def __str__(self) -> str:
        return f"{self.fact} sealed before {self.before}"


class CoverageSnapshot(models.Model):
    """The 一刻钟服务圈 coverage and site suggestions of one area (reports/coverage.py), as the
    job last computed them: pages, the stats API and the 大屏 read this, never compute it
    per request."""

    area = models.OneToOneField(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="+"
    )
    district_code = models.CharField(_("district code"), max_length=6)
    result = models.JSONField(_("result"))  # coverage.Coverage.to_dict()
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("coverage snapshot")
        verbose_name_plural = _("coverage snapshots")

    def __str__(self) -> str:
        return f"{self.area_id} {self.computed_at:%Y-%m-%d %H:%M}"


class DisplayToken(models.Model):
    """A revocable token that opens one area's 大屏 on a command-centre screen without a
    staff login (issue 13 §2): it reads the 大屏 of that area and nothing else. Only its
    SHA-256 is kept; the token itself is shown once, when it is made."""

    scope_area_path = "area"

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(
        _("screen"), max_length=100, help_text=_("Where the screen is, e.g. 区指挥中心大屏.")
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("made at"), db_default=Now())
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("大屏 display token")
        verbose_name_plural = _("大屏 display tokens")

    def __str__(self) -> str:
        return self.label


def _private_storage():
    """The private files' storage (a callable, so migrations name it instead of copying it)."""
    return private_storage


MONTHLY_REPORT_FILES = "reports.monthly"  # the private files' kind (and folder)


class MonthlyReport(models.Model):
    """An area's report (月报) for one month (issue 13 §3): the figures of its child areas
    (a community's stations) and its own totals, as a government-layout workbook and a
    printable page. reports/monthly.py lays it out, reports/monthly_services.py makes and
    submits it.

    The *current* copy is made again whenever someone asks (the figures stay live); the
    *submitted* copy is a separate copy of the files and the table, taken when the area
    marked its month submitted, and never changed afterwards. Each copy is kept twice: the
    workbook without the party columns, and with them for party-affairs staff."""

    scope_area_path = "area"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not submitted")
        SUBMITTED = "submitted", _("Submitted")

    class Generation(models.TextChoices):
        NONE = "", _("Not made yet")
        QUEUED = "queued", _("Waiting to be made")
        RUNNING = "running", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Making it failed")

    GENERATING = (Generation.QUEUED, Generation.RUNNING)

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The month's first day."))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )

    # The current copy.
    generation = models.CharField(
        _("making"), max_length=10, choices=Generation.choices, default="", blank=True
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("asked for at"), null=True, blank=True)
    # Counts the copies made: a submission names the copy its submitter looked at.
    version = models.PositiveIntegerField(_("copy number"), default=0)
    generated_at = models.DateTimeField(_("made at"), null=True, blank=True)
    # reports.monthly.build_table(): the title, columns, rows and total, every column
    # (party ones too: pages show each reader the columns they may read).
    table = models.JSONField(_("figures"), null=True, blank=True)
    file = models.FileField(
        _("workbook"),
        storage=_private_storage,
        upload_to=private_upload_to(MONTHLY_REPORT_FILES),
        blank=True,
    )
    party_file = models.FileField(
        _("workbook with party figures"),
        storage=_private_storage,
        upload_to=private_upload_to(MONTHLY_REPORT_FILES),
        blank=True,
    )

    # The submitted copy: set once, never changed.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_generated_at = models.DateTimeField(
        _("submitted copy made at"), null=True, blank=True
    )
    submitted_table = models.JSONField(_("submitted figures"), null=True, blank=True)
    submitted_file = models.FileField(
        _("submitted workbook"),
        storage=_private_storage,
        upload_to=private_upload_to(MONTHLY_REPORT_FILES),
        blank=True,
    )
    submitted_party_file = models.FileField(
        _("submitted workbook with party figures"),
        storage=_private_storage,
        upload_to=private_upload_to(MONTHLY_REPORT_FILES),
        blank=True,
    )

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month", "area__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "month"],
                name="reports_monthlyreport_one_per_area_month",
                violation_error_message=_("This area already has a report for this month."),
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1),
                name="reports_monthlyreport_month_starts_on_the_first",
                violation_error_message=_("A report's month is written as its first day."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(
                    submitted_by__isnull=False,
                    submitted_at__isnull=False,
                    submitted_table__isnull=False,
                ),
                name="reports_monthlyreport_submitted_says_who_and_when",
                violation_error_message=_("A submitted report says who submitted it and when."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.month:%Y-%m}"

    @property
    def is_generating(self) -> bool:
        return self.generation in self.GENERATING

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED
