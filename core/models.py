from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base for every domain model: when a row was made and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class OutboxJob(models.Model):
    """A Celery job to run, written in the transaction of the change that asks for it
    (core.outbox.enqueue): it is sent when that transaction commits and, if Redis was
    down then, by the drain beat job once Redis is back. Done when the task has run."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("times sent"), default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("queued job")
        verbose_name_plural = _("queued jobs")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(done_at__isnull=True),
                name="core_outboxjob_pending",
            )
        ]

    def __str__(self):
        return f"{self.task}{tuple(self.args)!r}"


class RateLimitCount(models.Model):
    """A rate-limit counter kept in the database while Redis is unreachable
    (core.ratelimit): the same key and window as in Redis."""

    key = models.CharField(max_length=255, primary_key=True)
    count = models.IntegerField(default=0)
    window_ends = models.DateTimeField()

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")

    def __str__(self):
        return f"{self.key}: {self.count}"


class SensitiveWord(models.Model):
    """A word that may not appear in what the platform shows in public (a wish, a thank-you
    note, a story, later a published suggestion or an article): the list the security
    administrator keeps (core.sensitive_words checks against it)."""

    word = models.CharField(_("word"), max_length=30, unique=True)
    note = models.CharField(_("why"), max_length=100, blank=True)
    active = models.BooleanField(_("checked"), default=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sensitive word")
        verbose_name_plural = _("sensitive words")
        ordering = ["word"]

    def __str__(self):
        return self.word
