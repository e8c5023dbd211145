"""Follow-up stories (跟踪报道, issue 15 §3): staff tell a wish that came true in public —
where the worker agreed to a public story — and another look (review) publishes it. A
story's words pass the same check as everything else shown in public; editing a published
story takes it back to review; a story can be withdrawn, saying why."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from core import photos, sensitive_words
from core.exceptions import ApplicationError, refuse

from ..models import Story, Wish
from .wishes import NUMBER_IN_TEXT

__all__ = ["story_save", "story_publish", "story_withdraw"]


def _check_words(title: str, body: str) -> None:
    if not title:
        raise refuse("title", _("Give the story a title."))
    if not body:
        raise refuse("body", _("Tell the story."))
    for field, text in (("title", title), ("body", body)):
        if NUMBER_IN_TEXT.search(text):
            raise refuse(field, _("Leave phone and ID numbers out of a public story."))
        if problem := sensitive_words.problem(text):
            raise refuse(field, problem)


@transaction.atomic
def story_save(*, actor, wish: Wish, title: str, body: str, photo=None) -> Story:
    """Write (or rewrite) the story of a wish that came true. It waits for review."""
    wish = access.get_for_user(
        Wish.objects.select_for_update(), actor, access.Purpose.WRITE, pk=wish.pk
    )
    if wish.status != Wish.Status.FULFILLED:
        raise refuse("wish", _("A story follows a wish that came true."))
    if wish.story_consent_at is None:
        raise refuse("wish", _("The worker did not agree to a public story about this wish."))
    title, body = (title or "").strip(), (body or "").strip()
    _check_words(title, body)
    story = Story.objects.select_for_update().filter(wish=wish).first()
    if story is None:
        story = Story(wish=wish, written_by=actor)
    story.title, story.body = title[:60], body[:2000]
    story.status, story.published_at, story.published_by = Story.Status.DRAFT, None, None
    if photo is not None:
        try:
            data = photos.photo_clean(photo)
        except ApplicationError as refusal:
            raise refuse("photo", refusal.message) from None
        story.photo.save("photo.jpg", ContentFile(data), save=False)
    story.save()
    return story


def _story_to_review(actor, story: Story) -> Story:
    return access.get_for_user(
        Story.objects.select_for_update().select_related("wish"),
        actor,
        access.Purpose.WRITE,
        pk=story.pk,
    )


@transaction.atomic
def story_publish(*, actor, story: Story) -> Story:
    """Reviewed: the story is public (its page can be shared)."""
    story = _story_to_review(actor, story)
    if story.status == Story.Status.PUBLISHED:
        return story
    if story.wish.story_consent_at is None:
        raise ApplicationError(_("The worker did not agree to a public story about this wish."))
    _check_words(story.title, story.body)
    story.status = Story.Status.PUBLISHED
    story.published_at, story.published_by = timezone.now(), actor
    story.withdrawn_reason = ""
    story.save()
    return story


@transaction.atomic
def story_withdraw(*, actor, story: Story, reason: str) -> Story:
    """Taken down (the worker asked, or something in it was wrong), saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise refuse("reason", _("Say why the story is withdrawn."))
    story = _story_to_review(actor, story)
    if story.status != Story.Status.PUBLISHED:
        raise ApplicationError(_("Only a published story is withdrawn."))
    story.status = Story.Status.WITHDRAWN
    story.withdrawn_reason = reason[:200]
    story.save()
    return story
