from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area


class ImportJob(models.Model):
    """One uploaded ledger (.xlsx) on its way in: checked first (a dry run: every row
    validated, nothing written), then committed by the user — all rows when all are valid,
    or explicitly only the valid ones. ledgers.services runs both steps, inline for small files
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
        Area, verbose_name=_("for area"), on_delete=models.PROTECT, related_name="+"
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
    # [{"row": 7, "messages": ["…"]}] in file order, up to ledgers.services.MAX_STORED_ERRORS.
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
