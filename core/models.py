from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base for every domain model: when a row was made and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AccessLog(models.Model):
    """One look at unmasked personal data, or one export of it: who, what, when, why.

    Written by core.audit.record_access() and never changed; auditors read it for their
    areas (areas.access.Purpose.AUDIT)."""

    scope_area_path = "area"

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed unmasked")
        EDIT = "edit", _("Opened for editing (unmasked)")
        EXPORT = "export", _("Exported unmasked")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="personal_data_accesses",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    subject = models.CharField(_("kind of record"), max_length=100)  # "members.worker"
    object_id = models.CharField(_("record id"), max_length=40, blank=True)
    object_repr = models.CharField(_("record (masked)"), max_length=200, blank=True)
    fields = ArrayField(models.CharField(max_length=50), verbose_name=_("fields"), default=list)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="core_accesslog_reason_given",
                violation_error_message=_("Say why the unmasked data is needed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.subject}"


class ImportJob(models.Model):
    """One uploaded ledger (.xlsx) on its way in: checked first (a dry run: every row
    validated, nothing written), then committed by the user — all rows when all are valid,
    or explicitly only the valid ones. core.ledgers runs both steps, inline for small files
    and as Celery tasks for large ones. The file is kept until the job is finished and
    purged LEDGER_IMPORT_KEEP_DAYS later (it holds personal data in the clear)."""

    scope_area_path = "area"

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked: waiting for your decision")
        COMMITTING = "committing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed: nothing was imported")
        CANCELLED = "cancelled", _("Cancelled")

    RUNNING = (Status.CHECKING, Status.COMMITTING)

    kind = models.CharField(_("ledger"), max_length=40)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("for area"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    filename = models.CharField(_("file"), max_length=200)
    content = models.BinaryField(_("file content"), null=True, editable=False)
    language = models.CharField(max_length=10, editable=False)  # the uploader's, for messages
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CHECKING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    written_rows = models.PositiveIntegerField(_("rows imported"), default=0)
    # [{"row": 7, "messages": ["…"]}] in file order, up to core.ledgers.MAX_STORED_ERRORS.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    preview = models.JSONField(_("preview"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    skip_invalid = models.BooleanField(_("only the valid rows were imported"), default=False)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING
