"""Activities' and volunteering's figures for rollups and dashboards (core.facts; reports/
discovers them)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.facts import Fact, Measure

from .models import Activity, SignUp, VolunteerService

FACTS = [
    Fact(
        key="activities.held",
        label=_("Activities held"),
        model="activities.Activity",
        area_path="area",
        station_path="station",
        date_field="starts_at",
        where=Q(status=Activity.Status.PUBLISHED),
        breakdown="kind",
    ),
    Fact(
        key="activities.sign_ups",
        label=_("Sign-ups"),
        model="activities.SignUp",
        area_path="activity__area",
        date_field="created_at",
        where=~Q(status=SignUp.Status.CANCELLED),
    ),
    Fact(
        key="activities.attendances",
        label=_("Attendances"),
        model="activities.SignUp",
        area_path="activity__area",
        date_field="attended_at",
        where=Q(status=SignUp.Status.ATTENDED),
    ),
    # Dated by the sign-up, as sign-ups are: a sign-up keeps no date of its own for the
    # no-show (the activity's date is another table's, and updated_at moves with any later
    # change), and this way the no-shows of a period are among that period's sign-ups.
    Fact(
        key="activities.no_shows",
        label=_("No-shows"),
        model="activities.SignUp",
        area_path="activity__area",
        date_field="created_at",
        where=Q(status=SignUp.Status.NO_SHOW),
    ),
    Fact(
        key="activities.volunteer_hours",
        label=_("Verified volunteer hours"),
        model="activities.VolunteerService",
        area_path="area",
        measure=Measure.SUM,
        over="hours",
        date_field="served_on",
        where=Q(status=VolunteerService.Status.VERIFIED),
        breakdown="kind",
    ),
    Fact(
        key="activities.volunteer_services",
        label=_("Verified volunteer services by type"),
        model="activities.VolunteerService",
        area_path="area",
        date_field="served_on",
        where=Q(status=VolunteerService.Status.VERIFIED),
        breakdown="kind",
    ),
    # People, not appointments: a worker holding two roles is one role holder in the
    # total and counts under each role. An appointment ends on a date no later than today
    # (activities.services.role_end), so the open ones are the roles held now.
    Fact(
        key="activities.role_holders",
        label=_("Workers holding a role (聘任)"),
        model="activities.RoleAppointment",
        area_path="area",
        measure=Measure.DISTINCT,
        over="worker",
        where=Q(ended_on__isnull=True),
        breakdown="role",
    ),
]
