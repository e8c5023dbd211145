"""Follow-up stories (跟踪报道): a wish that came true, told in public with a photo, the
donor's name and the worker masked — only where the worker agreed to a public story, and
only once staff have reviewed it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.private_files import field_storage, private_upload_to

from .wishes import Wish


class Story(TimeStampedModel):
    scope_area_path = "wish__area"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (waiting for review)")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    wish = models.OneToOneField(
        Wish, verbose_name=_("wish"), on_delete=models.PROTECT, related_name="story"
    )
    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("the story"), max_length=2000)
    photo = models.ImageField(
        _("photo"),
        storage=field_storage,
        upload_to=private_upload_to("wishes.story"),
        blank=True,
        help_text=_("Shown once the story is published; location and camera details removed."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_reason = models.CharField(_("why it was withdrawn"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("follow-up story")
        verbose_name_plural = _("follow-up stories (跟踪报道)")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True) | ~models.Q(status="draft"),
                name="wishes_story_draft_not_published",
                violation_error_message=_("A draft has not been published."),
            ),
        ]

    def __str__(self) -> str:
        return self.title
