"""Feedback's entry in the personal-data registry (members.personal_data): the worker's
cases, their photos, the conversation, the cases they follow. Deleting an account removes
the worker's photos, their words in conversations and what they follow; a case itself
stays with the unit working on it (the broken light is still broken) and is no longer
linked to anything that names them. Photos of a closed case are deleted after a year."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.personal_data import Handler, Holding, Retention, delete_with_files, show

from .models import Case, CaseFollower, CaseMessage, CasePhoto

PHOTO_DAYS = 365
CLOSED = (Case.Status.CLOSED, Case.Status.DECLINED, Case.Status.DUPLICATE)

SEEN_BY = gettext_lazy(
    "Staff of the case's community, and of the street and district above it, masked; a "
    "partner department it is referred to. Publicly only what you agreed to show, masked."
)


def feedback_my_data(worker) -> list[Holding]:
    cases = [
        [
            (_("Sent at"), show(case.created_at)),
            (_("Kind"), case.get_kind_display()),
            (_("Category"), case.category.name),
            (_("What it is about"), case.text),
            (_("Status"), case.get_status_display()),
            (_("Answer"), case.answer),
            (_("May be shown publicly"), _("Yes") if case.public else _("No")),
        ]
        for case in Case.objects.filter(reporter=worker).select_related("category")
    ]
    photos = [
        [(_("Case"), photo.case.number), (_("Added at"), show(photo.created_at))]
        for photo in CasePhoto.objects.filter(
            case__reporter=worker, role=CasePhoto.Role.PROBLEM
        ).select_related("case")
    ]
    messages = [
        [
            (_("Case"), message.case.number),
            (_("At"), show(message.at)),
            (_("Message"), message.text),
        ]
        for message in CaseMessage.objects.filter(
            case__reporter=worker, from_staff=False
        ).select_related("case")
    ]
    followed = [
        [(_("Case"), follower.case.number), (_("Since"), show(follower.created_at))]
        for follower in CaseFollower.objects.filter(worker=worker).select_related("case")
    ]
    return [
        Holding("feedback.cases", _("Your suggestions and reports"), str(SEEN_BY), cases),
        Holding(
            "feedback.photos",
            _("Photos with your reports"),
            str(_("Staff of the case's community, street and district.")),
            photos,
        ),
        Holding(
            "feedback.messages",
            _("Your messages on your cases"),
            str(_("Staff of the unit answering the case.")),
            messages,
        ),
        Holding(
            "feedback.followed",
            _("Cases you said you have too"),
            str(_("Staff see how many workers follow a case, not who.")),
            followed,
        ),
    ]


def case_photos_purge(*, before) -> int:
    """Photos of cases closed before `before` (the retention rule, run by the privacy
    beat job): deleted with their files."""
    return delete_with_files(
        CasePhoto.objects.filter(case__status__in=CLOSED, case__closed_at__lt=before)
    )


def feedback_erase(*, worker, actor) -> None:
    delete_with_files(CasePhoto.objects.filter(case__reporter=worker, role=CasePhoto.Role.PROBLEM))
    CaseMessage.objects.filter(case__reporter=worker, from_staff=False).update(text="")
    CaseFollower.objects.filter(worker=worker).delete()
    Case.objects.filter(reporter=worker).update(public=False, client_key=None)


HANDLER = Handler(
    name="feedback.cases",
    models=("feedback.Case", "feedback.CasePhoto", "feedback.CaseFollower"),
    my_data=feedback_my_data,
    erase=feedback_erase,
    retention=(
        Retention(
            model="feedback.Case",
            what=gettext_lazy("Your suggestions and reports"),
            rule=gettext_lazy(
                "Kept for the figures and for the units that answer them. When your account "
                "is deleted, your photos, your messages and the cases you follow are removed "
                "and nothing public names you; the case itself stays with the unit working "
                "on it."
            ),
        ),
        Retention(
            model="feedback.CasePhoto",
            what=gettext_lazy("Photos with your reports"),
            rule=gettext_lazy(
                "Deleted %(days)d days after the case closed, and at once when your account "
                "is deleted."
            ),
            default_days=PHOTO_DAYS,
            enforce=case_photos_purge,
        ),
        Retention(
            model="feedback.CaseFollower",
            what=gettext_lazy("Cases you said you have too"),
            rule=gettext_lazy("Kept while your account is; removed when it is deleted."),
        ),
    ),
)
