"""Party's entry in the personal-data registry (members.personal_data): the worker's
party membership record (亮明身份, 到社区报到), which is sensitive data kept only with the
worker's separate consent and seen only with the party-affairs flag.

Withdrawing that consent or deleting the account ends the membership here (and its
three-management assignments) and blanks its personal details; the dates of revealing
and reporting stay, so the party-work figures of past months do not change."""

from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.personal_data import Handler, Holding, Retention, show

from .models import ManagementAssignment, PartyMember

SEEN_BY = gettext_lazy("Only staff responsible for party affairs.")


def party_my_data(worker) -> list[Holding]:
    member = (
        PartyMember.objects.filter(worker=worker)
        .select_related("membership_org", "reported_to")
        .first()
    )
    if member is None:
        return []
    record = [
        (_("Membership branch"), member.membership_org_display),
        (_("Registered or floating"), member.get_registration_display()),
        (_("Standing"), member.get_standing_display()),
        (_("Joined the party on"), show(member.joined_on)),
        (_("Revealed identity on"), show(member.revealed_on)),
        (_("Reported to the community"), member.reported_to.name if member.reported_to else ""),
        (_("Reported on"), show(member.reported_on)),
        (_("Lost contact"), show(member.lost_contact)),
        (_("Membership here ended on"), show(member.ended_on)),
        (_("Why it ended"), member.end_reason),
    ]
    assignments = [
        [
            (_("Kind"), assignment.get_kind_display()),
            (_("Organisation"), str(assignment.org)),
            (_("From"), show(assignment.started_on)),
            (_("Until"), show(assignment.ended_on)),
        ]
        for assignment in member.assignments.select_related("org")
    ]
    return [
        Holding("party.membership", _("Your party membership"), str(SEEN_BY), [record]),
        Holding(
            "party.assignments", _("Three-management assignments (三管)"), str(SEEN_BY), assignments
        ),
    ]


def _membership_end(worker, reason: str) -> None:
    member = PartyMember.objects.select_for_update().filter(worker=worker).first()
    if member is None:
        return
    today, now = timezone.localdate(), timezone.now()
    ended = Greatest(F("started_on"), Value(today))
    ManagementAssignment.objects.filter(member=member, ended_on__isnull=True).update(
        ended_on=ended, end_reason=reason[:200], updated_at=now
    )
    if member.ended_on is None:
        member.ended_on = max(today, member.reported_on or today, member.revealed_on or today)
        member.end_reason = reason[:200]
    member.joined_on = None
    member.membership_org_place = ""
    member.lost_contact = False
    member.save(
        update_fields=[
            "ended_on",
            "end_reason",
            "joined_on",
            "membership_org_place",
            "lost_contact",
            "updated_at",
        ]
    )


def party_withdraw_sensitive(*, worker, actor) -> None:
    _membership_end(worker, _("The worker withdrew consent to sensitive data."))


def party_erase(*, worker, actor) -> None:
    _membership_end(worker, _("Account deleted at the worker's request."))


HANDLER = Handler(
    name="party.membership",
    models=("party.PartyMember",),
    my_data=party_my_data,
    erase=party_erase,
    withdraw_sensitive=party_withdraw_sensitive,
    retention=(
        Retention(
            model="party.PartyMember",
            what=gettext_lazy("Your party membership (sensitive)"),
            rule=gettext_lazy(
                "Kept only with your separate consent, while your membership is managed here. "
                "When you withdraw that consent or delete your account, it ends here and its "
                "details are removed; only the dates you revealed and reported stay for the "
                "party-work figures."
            ),
        ),
    ),
)
