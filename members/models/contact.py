"""Contact pairing (结对联系): each worker can be paired with a staff member or a grid worker
who keeps in touch — at least one contact a month (the seeds' rule). A beat job marks the
pairs not contacted in the current month (ContactPair.uncontacted_month)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .workers import Worker


class ContactPair(TimeStampedModel):
    scope_area_path = "worker__area"

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="contact_pairs"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_pairs",
    )
    grid_worker = models.ForeignKey(
        Worker,
        verbose_name=_("grid worker (网格员)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_pairs_kept",
    )
    started_on = models.DateField(_("paired from"))
    ended_on = models.DateField(_("paired until"), null=True, blank=True)
    # Set by the monthly-contact job: the first day of the month in which this pair has
    # had no contact yet; cleared when a contact is logged in that month.
    uncontacted_month = models.DateField(_("not contacted in the month of"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact pair (结对联系)")
        verbose_name_plural = _("contact pairs (结对联系)")
        ordering = ["worker__area__code", "-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(staff__isnull=False, grid_worker__isnull=True)
                | models.Q(staff__isnull=True, grid_worker__isnull=False),
                name="members_contactpair_one_contact_person",
                violation_error_message=_("Pair the worker with a staff member or a grid worker."),
            ),
            models.UniqueConstraint(
                fields=["worker"],
                condition=models.Q(ended_on__isnull=True),
                name="members_contactpair_one_active_per_worker",
                violation_error_message=_("This worker is already paired."),
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="members_contactpair_ends_after_it_starts",
                violation_error_message=_("A pairing cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} ↔ {self.contact_person}"

    @property
    def contact_person(self):
        return self.staff if self.staff_id else self.grid_worker


class ContactLog(models.Model):
    scope_area_path = "pair__worker__area"

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit (走访)")
        PHONE = "phone", _("Phone call")
        WECHAT = "wechat", _("WeChat")
        GROUP_MESSAGE = "group", _("Group message")

    pair = models.ForeignKey(
        ContactPair, verbose_name=_("pair"), on_delete=models.CASCADE, related_name="logs"
    )
    kind = models.CharField(_("how"), max_length=8, choices=Kind.choices)
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact log")
        verbose_name_plural = _("contact logs")
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["pair", "-on"], name="members_contactlog_pair_idx")]

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()}"
