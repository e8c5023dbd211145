"""Suggestions and reports on the phone: a worker reports (/m/report/, or "报告问题" on a
station's page, which puts the station in), is offered the open cases like theirs nearby
to follow instead ("我也遇到了"), follows their own cases (/m/me/cases/), reads the
answer, says fixed or not fixed, and writes to the unit."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from areas.models import Area
from core.exceptions import ApplicationError
from core.forms import show_refusal
from members import phone_login
from stations.models import Station

from . import selectors, services
from .forms import AnswerForm, MessageForm, ReportForm
from .models import Case, Kind
from .services import routing


def _wants_json(request) -> bool:
    """Sent by the page's script (form-queue.js): in the background, or replayed from the
    phone's queue after the network came back."""
    return "application/json" in request.headers.get("Accept", "")


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("The report could not be sent.")


def _station_from(request) -> Station | None:
    raw = request.POST.get("station") or request.GET.get("station") or ""
    if not raw.isascii() or not raw.isdigit():
        return None
    return (
        Station.objects.exclude(status=Station.Status.CLOSED)
        .select_related("area")
        .defer("area__boundary", "area__centre")
        .filter(pk=int(raw))
        .first()
    )


def _place(form: ReportForm, station) -> routing.Place:
    data = form.cleaned_data
    where = data["where"]
    if where == ReportForm.WHERE_STATION and station is not None:
        return routing.Place(station=station)
    if where in (ReportForm.WHERE_HERE, ReportForm.WHERE_MAP):
        return routing.Place(lng=data["lng"], lat=data["lat"], system=data.get("system") or "wgs84")
    return routing.Place()


def _map_config(station, worker) -> dict:
    """The pick-a-point map: it opens on the station, else the worker's community, else the
    district default; the words report.js puts together."""
    lat, lng = settings.MAP_DEFAULT_CENTER
    if station is not None:
        lat, lng = station.lat, station.lng
    elif worker.area.centre is not None:
        lat, lng = worker.area.centre.y, worker.area.centre.x
    return {
        "lat": lat,
        "lng": lng,
        "tileUrl": settings.MAP_TILES["url"],
        "tileSubdomains": settings.MAP_TILES["subdomains"],
        "attribution": settings.MAP_TILES["attribution"],
        "attributionPrefix": settings.MAP_ATTRIBUTION_PREFIX,
        "text": {
            "locating": _("Finding your position…"),
            "located": _("Your position is set (within about %(metres)s m)."),
            "noLocation": _(
                "The phone did not give its position: pick a point on the map instead."
            ),
            "tapMap": _("Tap the map where it is."),
            "picked": _("The point is set. Tap again to move it."),
        },
    }


# Reporting is the hot path (BENCHMARKS.md): the worker's record without its area's shape.
REPORTER_FIELDS = ("area_id", "erased_at", "status", "phone")


@phone_login.registered_worker_required(only=REPORTER_FIELDS)
@require_http_methods(["GET", "POST"])
def report(request, worker):
    station = _station_from(request)
    district_code = routing.district_code_of(station.area_id if station else worker.area_id)
    offered = routing.categories_offered(district_code)
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        offered=offered,
        station=station,
        initial={
            "kind": request.GET.get("kind") if request.GET.get("kind") in Kind.values else None
        },
    )
    similar = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            place = _place(form, station)
            if not (data["confirm_new"] or data["replayed"]):
                where = {
                    "category": data["category"],
                    "point": place.point(),
                    "station": place.station,
                }
                if found := selectors.similar_open_ids(**where):
                    if _wants_json(request):  # the page asks the worker first (a normal post)
                        return JsonResponse({"similar": len(found)}, status=409)
                    similar = selectors.similar_open(**where, found=found)
            if similar:
                form.data = form.data.copy()
                form.data["confirm_new"] = "on"
            else:
                case = services.case_submit(
                    worker=worker,
                    kind=data["kind"],
                    category=data["category"],
                    text=data["text"],
                    place=place,
                    public=data["public"],
                    place_note=data["place_note"],
                    photos=data["photos"],
                    client_key=data["client_key"],
                )
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            if not similar:
                messages.success(
                    request,
                    _("Thank you! Your case %(number)s is with %(unit)s. You will hear of it here.")
                    % {"number": case.number, "unit": case.department or case.responsible_area},
                )
                next_url = reverse("mobile-my-case", args=[case.pk])
                if _wants_json(request):
                    return JsonResponse({"next": next_url}, status=201)
                return redirect(next_url)
    if request.method == "POST" and _wants_json(request):
        return JsonResponse({"error": _first_error(form)}, status=400)
    return render(
        request,
        "mobile/report.html",
        {
            "form": form,
            "station": station,
            "similar": similar,
            "categories": list(offered.values()),
            "kinds": Kind.choices,
            "map_config": _map_config(station, worker),
        },
    )


@phone_login.registered_worker_required
@require_POST
def follow(request, worker, case_id: int):
    """ "我也遇到了": the worker follows a similar open case instead of sending their own."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise Http404
    try:
        services.case_follow(worker=worker, case=case)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("mobile-report")
    messages.success(
        request,
        _("Thank you: you follow case %(number)s and will hear of it. It counts for more now.")
        % {"number": case.number},
    )
    return redirect("mobile-my-cases")


@phone_login.registered_worker_required
@require_http_methods(["GET"])
def my_cases(request, worker):
    return render(
        request,
        "mobile/my_cases.html",
        {"cases": selectors.cases_of(worker)[:100], "worker": worker},
    )


@phone_login.registered_worker_required
@require_http_methods(["GET", "POST"])
def my_case(request, worker, case_id: int):
    case = selectors.case_for_worker(worker, case_id)
    if case is None:
        raise Http404
    is_reporter = case.reporter_id == worker.pk
    answer_form = AnswerForm(prefix="answer")
    message_form = MessageForm(prefix="message")
    if request.method == "POST" and is_reporter:
        try:
            if "answer-fixed" in request.POST:
                answer_form = AnswerForm(request.POST, prefix="answer")
                if answer_form.is_valid():
                    case = services.case_reporter_answer(
                        worker=worker,
                        case=case,
                        fixed=answer_form.cleaned_data["fixed"],
                        comment=answer_form.cleaned_data["comment"],
                    )
                    messages.success(
                        request,
                        _("Thank you: the case is closed.")
                        if case.status == Case.Status.CLOSED
                        else _("The case is open again: the unit is told and has a new deadline."),
                    )
                    return redirect("mobile-my-case", case_id=case.pk)
            else:
                message_form = MessageForm(request.POST, prefix="message")
                if message_form.is_valid():
                    services.case_message_reporter(
                        worker=worker, case=case, text=message_form.cleaned_data["text"]
                    )
                    messages.success(request, _("Sent."))
                    return redirect("mobile-my-case", case_id=case.pk)
        except ApplicationError as error:
            messages.error(request, error.message)
    elif request.method == "POST":
        messages.error(request, _("Only the worker who reported it can answer here."))
    return render(
        request,
        "mobile/my_case.html",
        {
            "case": case,
            "is_reporter": is_reporter,
            "steps": selectors.timeline(case, for_staff=False, detailed=is_reporter),
            "photos": case.photos.all() if is_reporter else [],
            "answer_form": answer_form,
            "message_form": message_form,
            "followers": case.followers.count(),
        },
    )


# In public ---------------------------------------------------------------------------------

ANSWERS_PAGE_SIZE = 20
MAP_MOST = 500  # markers on the public map at once (the newest)


@require_http_methods(["GET"])
def answers_index(request):
    """The districts that publish their answers; one district's page below."""
    return render(
        request,
        "mobile/feedback_answers_index.html",
        {"districts": selectors.districts_with_answers()},
    )


@require_http_methods(["GET"])
def answers(request, code: str):
    """ "你提的建议，我们这样办": a district's published cases, each with its official
    answer, its progress and the tasks done. No login; the worker is never named."""
    district = (
        Area.objects.filter(code=code, level=Area.Level.DISTRICT).first()
        if code.isdigit()
        else None
    )
    if district is None:
        raise Http404
    page = Paginator(selectors.published_answers(district=district), ANSWERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for case in page.object_list:
        case.progress = selectors.progress_of(case)
        case.done_tasks = [t for t in case.tasks.all() if t.status == "done"]
    return render(request, "mobile/feedback_answers.html", {"district": district, "page": page})


@require_http_methods(["GET"])
def hazard_map(request):
    """The public map of hazards (随手拍) where their category allows it, with their state."""
    lat, lng = settings.MAP_DEFAULT_CENTER
    config = {
        "lat": lat,
        "lng": lng,
        "tileUrl": settings.MAP_TILES["url"],
        "tileSubdomains": settings.MAP_TILES["subdomains"],
        "attribution": settings.MAP_TILES["attribution"],
        "attributionPrefix": settings.MAP_ATTRIBUTION_PREFIX,
        "dataUrl": reverse("mobile-hazard-map-data"),
        "text": {"none": _("No hazard is on the map here right now.")},
    }
    return render(request, "mobile/feedback_map.html", {"map_config": config})


@require_http_methods(["GET"])
def hazard_map_data(request):
    """GeoJSON of the public hazards: category, state, words, day; never who reported."""
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [round(case.location.x, 5), round(case.location.y, 5)],
            },
            "properties": {
                "number": case.number,
                "category": case.category.name,
                "state": case.get_status_display(),
                "open": case.is_open,
                "text": case.text[:120],
                "reported": timezone.localtime(case.created_at).date().isoformat(),
            },
        }
        for case in selectors.public_hazards()[:MAP_MOST]
    ]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        json_dumps_params={"ensure_ascii": False},
    )
