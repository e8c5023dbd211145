"""Activities on the phone: what the worker can join, signing up and cancelling,
attending by the activity's QR code; and the public monthly service list (暖新服务清单)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from areas.models import Area
from core.exceptions import ApplicationError
from core.forms import show_refusal
from core.identifiers import is_ascii_digits
from members import phone_login

from . import selectors, services
from .forms import ServiceReportForm
from .models import Activity, ActivityKind, SignUp


@phone_login.registered_worker_required
@require_GET
def activity_list(request, worker):
    return render(
        request,
        "mobile/activities.html",
        {
            "activities": selectors.open_for_worker(worker)[:50],
            "signups": selectors.signups_of(worker)[:20],
        },
    )


def _published(activity_id: int, worker) -> Activity:
    activity = selectors.activity_for_worker(worker, activity_id)
    if activity is None:
        raise Http404(_("No such activity."))
    return activity


@phone_login.registered_worker_required
@require_GET
def activity_detail(request, activity_id: int, worker):
    activity = _published(activity_id, worker)
    signup = SignUp.objects.filter(activity=activity, worker=worker).first()
    started = activity.starts_at <= timezone.now()
    return render(
        request,
        "mobile/activity.html",
        {
            "activity": activity,
            "signup": signup,
            "position": selectors.waiting_position(signup)
            if signup and signup.status == SignUp.Status.WAITLISTED
            else None,
            "places_taken": activity.signups.filter(status__in=services.HOLDS_A_PLACE).count(),
            "points": services.points_for(activity),
            "can_cancel": signup is not None
            and signup.status in services.STILL_COMING
            and not started,
            "can_sign_up": activity.status == Activity.Status.PUBLISHED
            and not started
            and (signup is None or signup.status == SignUp.Status.CANCELLED),
        },
    )


@phone_login.registered_worker_required
@require_POST
def activity_sign_up(request, activity_id: int, worker):
    activity = _published(activity_id, worker)
    try:
        signup = services.signup_join(worker=worker, activity=activity)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if signup.status == SignUp.Status.CONFIRMED:
            messages.success(request, _("You have a place. See you there!"))
        else:
            messages.info(
                request,
                _("The activity is full: you are number %(n)d on the waiting list.")
                % {"n": selectors.waiting_position(signup)},
            )
    return redirect("mobile-activity", activity.pk)


@phone_login.registered_worker_required
@require_POST
def activity_cancel_sign_up(request, activity_id: int, worker):
    activity = _published(activity_id, worker)
    signup = SignUp.objects.filter(activity=activity, worker=worker).first()
    if signup is None:
        messages.error(request, _("You have not signed up for this activity."))
    else:
        try:
            services.signup_cancel(worker=worker, signup=signup)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your sign-up is cancelled."))
    return redirect("mobile-activity", activity.pk)


@phone_login.registered_worker_required
@require_http_methods(["GET", "POST"])
def attend(request, key: str, worker):
    """Where the activity's QR code leads: one tap records the attendance."""
    activity = Activity.objects.filter(attendance_key=key).select_related("station").first()
    if activity is None:
        return render(request, "mobile/attend.html", {"invalid": True}, status=404)
    if request.method == "POST":
        try:
            services.attend_by_qr(worker=worker, attendance_key=key)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your attendance is recorded. Thank you for coming!"))
            return redirect("mobile-activity", activity.pk)
    opens, closes = services.attendance_window(activity)
    return render(
        request, "mobile/attend.html", {"activity": activity, "opens": opens, "closes": closes}
    )


@require_GET
def service_list(request):
    """暖新服务清单 of an area for a month (?area=<code>&month=YYYY-MM; this month by
    default): public, for the phone and for printing."""
    code = (request.GET.get("area") or "").strip()
    area = Area.objects.filter(code=code.ljust(12, "0")).first() if is_ascii_digits(code) else None
    if area is None:
        raise Http404(_("Choose an area: ?area=<division code>."))
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (request.GET.get("month") or "").split("-"))
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        year, month = today.year, today.month
    activities = list(selectors.service_list(area=area, year=year, month=month))
    kinds = dict(ActivityKind.choices)
    return render(
        request,
        "mobile/service_list.html",
        {
            "area": area,
            "year": year,
            "month": month,
            "activities": activities,
            "kinds_offered": sorted({str(kinds[a.kind]) for a in activities}),
            "previous": f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}",
            "next": f"{year + (month == 12)}-{month % 12 + 1:02d}",
        },
    )


@phone_login.registered_worker_required
@require_http_methods(["GET", "POST"])
def volunteering(request, worker):
    """The worker's roles, volunteer services and hours; reporting a service."""
    form = ServiceReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_report(worker=worker, **form.cleaned_data)
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Reported: your community will verify it."))
            return redirect("mobile-volunteering")
    return render(
        request, "mobile/volunteering.html", {"form": form, **selectors.volunteering_of(worker)}
    )
