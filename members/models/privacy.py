"""A worker's rights over their personal data (PIPL arts. 44–47): the history of their
consents, and their requests to delete their account.

A consent event is kept as a fact without the value it was about: "withdrew consent to
sensitive data at T" says nothing of what the political status was. A deletion request is
handled by staff of the worker's community within DELETION_DEADLINE_DAYS; completing it
anonymises every record that names the worker (members.personal_data).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .workers import Worker


class ConsentEvent(models.Model):
    """One consent given or withdrawn. Written by services.privacy; never changed."""

    scope_area_path = "worker__area"

    class Kind(models.TextChoices):
        NOTICE_ACCEPTED = "notice", _("Agreed to the privacy notice")
        SENSITIVE_GIVEN = "sensitive", _("Agreed to keep sensitive data")
        SENSITIVE_WITHDRAWN = "withdrawn", _("Withdrew consent to sensitive data")

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="consent_events"
    )
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices)
    notice_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the worker did it on their phone."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent history")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["worker", "kind", "notice_version"], name="members_consent_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="notice") | ~models.Q(notice_version=""),
                name="members_consentevent_notice_names_its_version",
                violation_error_message=_("Agreeing to the privacy notice names its version."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class DeletionRequest(TimeStampedModel):
    """A worker asks for their account to be deleted (PIPL art. 47). Staff of the worker's
    community complete it (the records are anonymised) or refuse it with a reason the
    worker reads; the worker can cancel it while it waits."""

    scope_area_path = "worker__area"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the community")
        DONE = "done", _("Account deleted")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled by the worker")

    worker = models.ForeignKey(
        Worker,
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="deletion_requests",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    note = models.CharField(_("the worker's note"), max_length=200, blank=True)
    due_on = models.DateField(_("to be handled by"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    refusal_reason = models.CharField(_("reason the worker reads"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("account deletion request")
        verbose_name_plural = _("account deletion requests")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="members_deletion_queue_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=models.Q(status="pending"),
                name="members_deletionrequest_one_pending_per_worker",
                violation_error_message=_("This worker has already asked for deletion."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="members_deletionrequest_refusal_has_reason",
                violation_error_message=_("Tell the worker why their request is refused."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.get_status_display()}"

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.PENDING and self.due_on < timezone.localdate()
