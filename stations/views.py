"""Pages: the workers' mobile map and station page, the QR poster entry, printable posters."""

import io
import zipfile

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from areas import access
from areas.models import Area

from . import links, selectors, services
from .models import Facility, Station


def _tile_config() -> dict:
    if settings.MAP_TILE_PROVIDER == "tianditu" and settings.TIANDITU_KEY:
        key = settings.TIANDITU_KEY
        return {
            "url": "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
            "&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
            f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}",
            "subdomains": "01234567",
            "attribution": "天地图",
        }
    return {
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "subdomains": "abc",
        "attribution": "© OpenStreetMap",
    }


@require_GET
def mobile_home(request):
    """The map and the nearest open stations. The page asks the browser for its location
    and falls back to the district default."""
    lat, lng = settings.MAP_DEFAULT_CENTER
    # A district's own posters and links can carry ?area=<code> so the map opens on that
    # district when the phone does not share its location.
    code = (request.GET.get("area") or "").strip()
    if code.isdigit():
        area = Area.objects.filter(code=code.ljust(12, "0"), centre__isnull=False).first()
        if area is not None:
            lat, lng = area.centre.y, area.centre.x
    return render(
        request,
        "mobile/home.html",
        {
            "facilities": Facility.objects.all(),
            "default_lat": lat,
            "default_lng": lng,
            "tiles": _tile_config(),
        },
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
            "hours": selectors.weekly_hours(station),
            "navigation": links.navigation_links(station),
            "from_poster": request.GET.get("from") == "poster",
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
