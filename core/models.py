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
