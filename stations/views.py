"""Pages: the workers' mobile map and station page, check-in (签到) and its history, the
QR poster entry, printable posters."""

import io
import json
import zipfile
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from areas import access
from areas.models import Area
from core.display import distance_text
from core.exceptions import ApplicationError
from core.forms import show_refusal
from core.identifiers import is_ascii_digits
from core.ratelimit import client_ip
from members import phone_login
from members.models import Worker
from members.services import current_notice_version, worker_check_in_on_phone

from . import links, selectors, services
from .forms import CheckInForm, FirstCheckInForm, check_in_from_json
from .models import CheckIn, Facility, Station

CHECK_INS_PER_PAGE = 20


@require_GET
def mobile_home(request):
    """The map and the nearest open stations. The page asks the browser for its location
    and falls back to the district default."""
    lat, lng = settings.MAP_DEFAULT_CENTER
    # A district's own posters and links can carry ?area=<code> so the map opens on that
    # district when the phone does not share its location.
    code = (request.GET.get("area") or "").strip()
    if is_ascii_digits(code):
        area = Area.objects.filter(code=code.ljust(12, "0"), centre__isnull=False).first()
        if area is not None:
            lat, lng = area.centre.y, area.centre.x
    reach = distance_text(settings.NEARBY_DEFAULT_RADIUS_M)
    map_config = {
        "defaultLat": lat,
        "defaultLng": lng,
        "tileUrl": settings.MAP_TILES["url"],
        "tileSubdomains": settings.MAP_TILES["subdomains"],
        "attribution": settings.MAP_TILES["attribution"],
        "attributionPrefix": settings.MAP_ATTRIBUTION_PREFIX,
        "nearbyUrl": reverse("station-nearby"),
        # The words the page puts together; %s and %(…)s are filled in by home.js.
        "text": {
            "located": _("Nearest stations to you"),
            "fallback": _("Location unavailable: showing stations near the district centre"),
            "noneOpen": _("No station is open within %(reach)s right now.") % {"reach": reach},
            "noneAtAll": _("No station within %(reach)s.") % {"reach": reach},
            "noneWith": _("No station within %(reach)s has all of: %%s.") % {"reach": reach},
            "noneOpenWith": _("No station within %(reach)s with %%s is open right now.")
            % {"reach": reach},
            "filtersOn": _("Showing only: %s"),
            "openOnly": _("open now"),
            "nearestOpen": _("Nearest open station"),
            "error": _("Could not load stations. Check your connection and try again."),
            "offline": _(
                "No network: these are the stations found at %s; whether they are open may "
                "have changed."
            ),
            "walk": _("%s min walk"),
            "ebike": _("%s min by e-bike"),
            "view": _("View station"),
        },
    }
    return render(
        request,
        "mobile/home.html",
        {"facilities": Facility.objects.all(), "map_config": map_config},
    )


@require_GET
def mobile_station(request, station_id: int):
    try:
        station = selectors.public_station_detail(station_id=station_id)
    except Station.DoesNotExist:
        raise Http404(_("No such station.")) from None
    return render(
        request,
        "mobile/station.html",
        {
            "station": station,
            "opening": selectors.station_opening_state(station),
            # A worker whose phone is logged in and who has agreed to the notice checks in
            # here with one tap (issue 14 §2); anyone else goes to the check-in page.
            "check_in_form": (
                CheckInForm()
                if phone_login.current_worker_id(request) and phone_login.notice_settled(request)
                else None
            ),
            "hours": selectors.weekly_hours(station),
            "navigation": links.navigation_links(station),
            "from_poster": request.GET.get("from") == "poster",
            "poster_digest": services.poster_digest(station),
        },
    )


@require_GET
def poster_entry(request, token: str):
    """Where a poster's QR code leads. Current key → the station page; a rotated key →
    a friendly "this poster is out of date" page that still links to the station."""
    key = services.poster_key_from_token(token)
    station, current = selectors.station_for_poster_key(key) if key else (None, False)
    if station is None:
        return render(request, "mobile/poster_invalid.html", status=404)
    if current:
        return redirect(reverse("mobile-station", args=[station.pk]) + "?from=poster")
    return render(request, "mobile/poster_outdated.html", {"station": station}, status=410)


def _poster_context(request, station: Station) -> dict:
    url = request.build_absolute_uri(reverse("poster-entry", args=[services.poster_token(station)]))
    qr = segno.make(url, error="m")
    return {
        "station": station,
        "url": url,
        "qr_svg": qr.svg_inline(scale=8, border=2, dark="#111"),
        "facilities": [sf.facility for sf in station.station_facilities.all()],
    }


def _staff_required(request):
    if not request.user.is_authenticated or not request.user.is_staff:
        raise Http404


def station_poster(request, station_id: int):
    """One A4 print-ready poster (HTML with an inline SVG QR code)."""
    _staff_required(request)
    station = access.get_for_user(
        selectors.station_list(user=request.user), request.user, pk=station_id
    )
    return render(request, "stations/poster.html", {"posters": [_poster_context(request, station)]})


def bulk_posters(request):
    """Posters for every open station under a street or district: one printable page per
    station (?file=zip for a ZIP of separate HTML files)."""
    _staff_required(request)
    code = (request.GET.get("area") or "").strip().ljust(12, "0")
    area = access.areas_reached(request.user).filter(code=code).first()
    if area is None:
        raise Http404(_("Choose a street or district you manage."))
    stations = (
        selectors.station_list(user=request.user)
        .filter(area__code__startswith=area.prefix)
        .exclude(status=Station.Status.CLOSED)
        .order_by("area__code", "name")
    )
    posters = [_poster_context(request, s) for s in stations]
    if request.GET.get("file") == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for poster in posters:
                html = render(request, "stations/poster.html", {"posters": [poster]}).content
                archive.writestr(
                    f"{poster['station'].area.name}-{poster['station'].name}.html", html
                )
        response = HttpResponse(out.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="posters-{area.code[:9]}.zip"'
        return response
    return render(request, "stations/poster.html", {"posters": posters, "area": area})


def rotate_poster(request, station_id: int):
    """POST only: issue a new poster key (admin button)."""
    _staff_required(request)
    if request.method != "POST":
        raise PermissionDenied
    station = get_object_or_404(Station, pk=station_id)
    services.station_rotate_poster_key(actor=request.user, station=station)
    return redirect("admin:stations_station_change", station_id)


@require_POST
def station_today(request, station_id: int):
    """The keeper's one tap on their home page (the admin index): the station closed for
    the rest of today (closed=1), or open again (closed=0)."""
    _staff_required(request)
    station = access.get_for_user(
        Station.objects.all(), request.user, access.Purpose.WRITE, pk=station_id
    )
    closed = request.POST.get("closed") == "1"
    try:
        services.station_closed_today(actor=request.user, station=station, closed=closed)
    except ApplicationError as refusal:
        messages.error(request, refusal.message)
    else:
        message = (
            _("%(name)s is marked closed for today: the workers' map says so now.")
            if closed
            else _("%(name)s is open again today by its opening hours.")
        )
        messages.success(request, message % {"name": station.name})
    return redirect("admin:index")


# Check-in (签到) ---------------------------------------------------------------------------


def _check_in_station(station_id: int) -> Station:
    try:
        return selectors.public_station_detail(station_id=station_id)
    except Station.DoesNotExist:
        raise Http404(_("No such station.")) from None


def _check_in_message(check_in: CheckIn, created: bool, station: Station) -> str:
    if created:
        said = _("Checked in at %(station)s. Welcome, take a rest!") % {"station": station.name}
    else:
        said = _("You had already checked in at %(station)s at %(time)s: it counts once.") % {
            "station": station.name,
            "time": timezone.localtime(check_in.at).strftime("%H:%M"),
        }
    return " ".join([said, *services.check_in_remarks(check_in)])


@require_http_methods(["GET", "POST"])
def check_in(request, station_id: int):
    """The check-in page a poster leads to. A phone without a record checks in on this one
    page (first_check_in); a worker whose record the staff made agrees to the privacy
    notice first; everyone else taps 签到."""
    station = _check_in_station(station_id)
    worker = phone_login.current_worker(request)
    if worker is None:
        return _first_check_in(request, station)
    if not phone_login.notice_settled(request):
        consent_url = reverse("mobile-consent")
        return redirect(f"{consent_url}?{urlencode({'next': request.get_full_path()})}")
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done, created = services.check_in(
                worker=worker,
                station=station,
                services=form.cleaned_data["services"],
                location=form.location(),
                client_key=form.cleaned_data["client_key"],
            )
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _check_in_message(done, created, station))
            return redirect("mobile-check-ins")
    return render(request, "mobile/check_in.html", {"station": station, "form": form})


def _first_check_in(request, station: Station):
    """A first check-in in one page (issue 14 §2): the phone and its code (unless the phone
    is logged in), a name and the privacy notice; then the check-in is made and the worker
    is told so. No registration (报到) is filed: /m/me invites them to it afterwards."""
    signed_in = phone_login.signed_in_phone(request)
    form = FirstCheckInForm(
        request.POST or None,
        phone_verified=bool(signed_in),
        initial={"notice_version": current_notice_version()},
    )
    if request.method == "POST" and request.POST.get("action") == "send_code" and not signed_in:
        # Without the page's script, "send the code" posts the form: the code goes out and
        # the page comes back with what was typed.
        phone = (request.POST.get("phone") or "").strip()
        try:
            phone_login.login_code_send(phone=phone, ip=client_ip(request))
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.info(request, phone_login.code_sent_message())
        form = FirstCheckInForm(initial={**request.POST.dict(), "code": ""})
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            phone = signed_in or phone_login.login_code_verify(
                phone=data["phone"], code=data["code"]
            )
            worker = worker_check_in_on_phone(
                phone=phone,
                name=data["name"],
                notice_version=data["notice_version"],
                area=station.area,
            )
            if not signed_in:
                phone_login.sign_in(request, phone)
            done, created = services.check_in(
                worker=worker, station=station, client_key=data["client_key"]
            )
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _check_in_message(done, created, station))
            return redirect(reverse("mobile-check-ins") + "?first=1")
    return render(
        request,
        "mobile/first_check_in.html",
        {
            "station": station,
            "form": form,
            "signed_in": bool(signed_in),
            "notice_version": current_notice_version(),
        },
    )


@require_POST
def check_in_api(request):
    """JSON check-in for the page's script: sent at once when online, or later from the
    phone's offline queue (with made_at). 200 with the check-in (created or the one it
    already made), 400 with a message that will never change (the queue drops it), 401
    when the phone is not logged in (the queue keeps it until it is)."""
    worker_id = phone_login.current_worker_id(request)
    if worker_id is None:
        return JsonResponse(
            {"error": _("Log in to send your check-ins."), "login": reverse("mobile-login")},
            status=401,
        )
    if not phone_login.notice_settled(request):
        # Like a phone that is not logged in: the queue keeps the check-in, and the page
        # goes to the consent step ("login" is where the script sends the worker next).
        return JsonResponse(
            {
                "error": _("Agree to the current privacy notice to send your check-ins."),
                "login": reverse("mobile-consent"),
            },
            status=401,
        )
    try:
        body = json.loads(request.body or b"{}")
        station_id = int(body.get("station"))
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"error": _("This check-in could not be read.")}, status=400)
    try:
        sent = check_in_from_json(body)
        # Bare references: the database function checks the station and follows a merged
        # record, in the same round trip as the check-in (the platform's busiest write).
        station = Station(pk=station_id)
        done, created = services.check_in(
            worker=Worker(pk=worker_id),
            station=station,
            services=sent.services,
            location=sent.location,
            client_key=sent.client_key,
            made_at=sent.made_at,
        )
    except ApplicationError as error:
        return JsonResponse({"error": error.message, "fields": error.fields}, status=400)
    return JsonResponse(
        {
            "created": created,
            "message": _check_in_message(done, created, station),
            "at": done.at.isoformat(),
            "station": station.name,
            # The page goes there; ?checked_in=1 has it say so (no session write here).
            "history": reverse("mobile-check-ins") + "?checked_in=1",
        },
        status=201 if created else 200,
    )


@phone_login.registered_worker_required
@require_GET
def my_check_ins(request, worker):
    page = Paginator(selectors.check_ins_of(worker), CHECK_INS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    just_checked_in = None
    if request.GET.get("checked_in") == "1" and page.number == 1 and page.object_list:
        latest = page.object_list[0]
        latest.registration_returned = worker.status == Worker.Status.REJECTED
        just_checked_in = _check_in_message(latest, True, latest.station)
    return render(
        request,
        "mobile/check_ins.html",
        {"worker": worker, "page": page, "just_checked_in": just_checked_in},
    )
