"""Activities' entry in the personal-data registry (members.personal_data): sign-ups,
volunteer roles and volunteer service. Deleting an account gives up places at activities
still to come (the waiting list moves up), ends roles, and blanks what the worker wrote
about their service; attendance and hours stay in the counts, linked to the anonymised
record."""

from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.personal_data import Handler, Holding, Retention, show

from . import services
from .models import RoleAppointment, SignUp, VolunteerService

SEEN_BY = gettext_lazy("The activity's organisers and staff of its community.")


def activities_my_data(worker) -> list[Holding]:
    signups = [
        [
            (_("Activity"), signup.activity.title),
            (_("Starts at"), show(signup.activity.starts_at)),
            (_("Status"), signup.get_status_display()),
            (_("Signed up at"), show(signup.created_at)),
        ]
        for signup in SignUp.objects.filter(worker=worker)
        .select_related("activity")
        .order_by("-activity__starts_at")
    ]
    roles = [
        [
            (_("Role"), appointment.get_role_display()),
            (_("Area"), appointment.area.name),
            (_("From"), show(appointment.started_on)),
            (_("Until"), show(appointment.ended_on)),
        ]
        for appointment in RoleAppointment.objects.filter(worker=worker).select_related("area")
    ]
    service = [
        [
            (_("Date"), show(item.served_on)),
            (_("Service"), item.get_kind_display()),
            (_("Hours"), str(item.hours)),
            (_("What was done"), item.description),
            (_("Status"), item.get_status_display()),
        ]
        for item in VolunteerService.objects.filter(worker=worker)
    ]
    return [
        Holding("activities.signups", _("Activities you signed up for"), str(SEEN_BY), signups),
        Holding(
            "activities.roles",
            _("Volunteer roles"),
            _("Staff of the area you serve in."),
            roles,
        ),
        Holding(
            "activities.service",
            _("Volunteer service"),
            _("Staff of the community you served."),
            service,
        ),
    ]


def activities_erase(*, worker, actor) -> None:
    now = timezone.now()
    coming = SignUp.objects.filter(
        worker=worker, status__in=services.STILL_COMING, activity__starts_at__gt=now
    )
    for signup in coming:
        services.signup_cancel(worker=worker, signup=signup)
    RoleAppointment.objects.filter(worker=worker, ended_on__isnull=True).update(
        ended_on=Greatest(F("started_on"), Value(timezone.localdate())), updated_at=now
    )
    VolunteerService.objects.filter(worker=worker, status=VolunteerService.Status.REPORTED).update(
        status=VolunteerService.Status.REJECTED,
        reject_reason=_("Account deleted"),
        decided_at=now,
        updated_at=now,
    )
    VolunteerService.objects.filter(worker=worker).update(description="", updated_at=now)


HANDLER = Handler(
    name="activities.participation",
    models=("activities.SignUp", "activities.RoleAppointment", "activities.VolunteerService"),
    my_data=activities_my_data,
    erase=activities_erase,
    retention=(
        Retention(
            model="activities.SignUp",
            what=gettext_lazy("Sign-ups, roles and volunteer service"),
            rule=gettext_lazy(
                "Kept for the activities' and volunteering figures. When your account is "
                "deleted, places still to come are given up and what you wrote is removed; "
                "attendance and hours stay in the counts without your name."
            ),
        ),
    ),
)
