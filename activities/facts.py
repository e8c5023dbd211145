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
]
