"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at /open311/v2/, so a city's
12345 hotline or grid-governance system exchanges cases with the platform:

- GET  services.{json|xml}?jurisdiction_id=<district code>   the district's categories
- GET  services/<service_code>.{json|xml}                     a service definition
- POST requests.{json|xml}                                    a new case (api_key required)
- GET  requests.{json|xml}                                    cases, with the spec's filters
- GET  requests/<service_request_id>.{json|xml}               one case

Statuses are the spec's two, open and closed; the detailed state is in `status_notes`.
With an api_key a partner reads every case of its area; without one, only the cases their
workers agreed to show publicly, masked (no reporter, no exact place unless the category
is on the public map). Dates are W3C (ISO 8601) with the offset. Errors are the spec's
list of {code, description}, in plain words.
"""

import datetime as dt
import xml.etree.ElementTree as ET

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from areas.models import Area
from core.exceptions import ApplicationError

from .. import services
from ..models import Case, FeedbackCategory, Priority
from ..services import routing

CLOSED_STATES = {
    Case.Status.RESOLVED,
    Case.Status.CLOSED,
    Case.Status.DUPLICATE,
    Case.Status.DECLINED,
}
PAGE_SIZE, MAX_PAGE_SIZE = 50, 200
DEFAULT_DAYS = 90  # the spec's default window when no dates are given
# The attributes every service takes (its definition lists them; metadata is true).
ATTRIBUTES = ["priority", "external_id"]


class Refusal(Exception):
    def __init__(self, status: int, description: str):
        self.status, self.description = status, description


# Formats -----------------------------------------------------------------------------------


def _xml(root: str, item: str, rows: list[dict]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(element, key)
            if isinstance(value, list):  # a definition's attributes and their values
                for entry in value:
                    sub = ET.SubElement(child, "attribute" if key == "attributes" else "value")
                    for k, v in entry.items():
                        if isinstance(v, list):
                            values = ET.SubElement(sub, k)
                            for pair in v:
                                node = ET.SubElement(values, "value")
                                for pk, pv in pair.items():
                                    ET.SubElement(node, pk).text = _text(pv)
                        else:
                            ET.SubElement(sub, k).text = _text(v)
            else:
                child.text = _text(value)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _answer(fmt: str, root: str, item: str, rows, status=200):
    if fmt == "xml":
        return HttpResponse(
            _xml(root, item, rows), status=status, content_type="text/xml; charset=utf-8"
        )
    return JsonResponse(rows, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(fmt: str, refusal: Refusal):
    rows = [{"code": refusal.status, "description": refusal.description}]
    return _answer(fmt, "errors", "error", rows, status=refusal.status)


def _open311(view):
    """Format check, refusals in the spec's error list, no CSRF (a partner system posts)."""

    @csrf_exempt
    def wrapper(request, fmt, *args, **kwargs):
        if fmt not in ("json", "xml"):
            return _error("json", Refusal(404, _("Ask for .json or .xml.")))
        try:
            return view(request, fmt, *args, **kwargs)
        except Refusal as refusal:
            return _error(fmt, refusal)
        except ApplicationError as error:
            return _error(fmt, Refusal(400, error.message))

    return wrapper


# Jurisdictions, keys and services -----------------------------------------------------------


def _district(raw: str) -> Area:
    code = (raw or "").strip()
    if not (code.isascii() and code.isdigit() and len(code) in (6, 12)):
        raise Refusal(
            400, _("jurisdiction_id is required: the district's division code, e.g. 621002.")
        )
    district = Area.objects.filter(code=code.ljust(12, "0"), level=Area.Level.DISTRICT).first()
    if district is None:
        raise Refusal(404, _("There is no such district on this platform."))
    return district


def _partner(request, *, required: bool):
    key = request.POST.get("api_key") or request.GET.get("api_key") or ""
    if not key:
        if required:
            raise Refusal(403, _("An api_key is required to post a request."))
        return None
    partner = services.partner_for_key(key)
    if partner is None:
        raise Refusal(403, _("This api_key is not valid."))
    return partner


def _service(category: FeedbackCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.hint,
        "metadata": True,
        "type": "realtime",
        "keywords": category.get_kind_display(),
        "group": category.get_kind_display(),
    }


@require_http_methods(["GET"])
@_open311
def service_list(request, fmt):
    district = _district(request.GET.get("jurisdiction_id"))
    rows = [_service(c) for c in routing.categories_for(district).order_by("order", "pk")]
    return _answer(fmt, "services", "service", rows)


def _category(district: Area, code: str) -> FeedbackCategory:
    category = routing.categories_for(district).filter(code=code).first()
    if category is None:
        raise Refusal(404, _("This district has no service %(code)s.") % {"code": code[:30]})
    return category


@require_http_methods(["GET"])
@_open311
def service_definition(request, fmt, service_code):
    district = _district(request.GET.get("jurisdiction_id"))
    category = _category(district, service_code)
    attributes = [
        {
            "variable": True,
            "code": "priority",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("How urgent the case is; normal when not given."),
            "order": 1,
            "description": _("Priority"),
            "values": [{"key": value, "name": label} for value, label in Priority.choices],
        },
        {
            "variable": True,
            "code": "external_id",
            "datatype": "string",
            "required": False,
            "datatype_description": _(
                "Your system's own number for the case: the same number posted again is "
                "the one request."
            ),
            "order": 2,
            "description": _("Your case number"),
        },
    ]
    definition = {"service_code": category.code, "attributes": attributes}
    if fmt == "xml":
        return _answer(fmt, "service_definition", "service", [definition])
    return JsonResponse(definition, json_dumps_params={"ensure_ascii": False})


# Requests ----------------------------------------------------------------------------------


def _status(case: Case) -> str:
    return "closed" if case.status in CLOSED_STATES else "open"


def _request_row(case: Case, *, partner) -> dict:
    notes = case.get_status_display()
    if case.answer:
        notes = f"{notes}：{case.answer}"
    elif case.status_reason:
        notes = f"{notes}：{case.status_reason}"
    shows_place = partner is not None or case.category.on_public_map
    point = case.location if shows_place else None
    return {
        "service_request_id": str(case.pk),
        "status": _status(case),
        "status_notes": notes,
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.text,
        "agency_responsible": str(case.department or case.responsible_area),
        "service_notice": "",
        "requested_datetime": timezone.localtime(case.created_at).isoformat(),
        "updated_datetime": timezone.localtime(case.updated_at).isoformat(),
        "expected_datetime": timezone.localtime(case.due_at).isoformat() if case.is_open else None,
        "address": case.place_note if shows_place else "",
        "address_id": "",
        "zipcode": "",
        "lat": round(point.y, 6) if point else None,
        "long": round(point.x, 6) if point else None,
        "media_url": "",
    }


def _visible(partner):
    cases = Case.objects.select_related("category", "responsible_area", "department")
    if partner is not None:
        return cases.filter(area__code__startswith=partner.area.prefix)
    return cases.filter(public=True).exclude(status=Case.Status.DUPLICATE)


def _date(raw: str | None, name: str):
    if not raw:
        return None
    try:
        parsed = parse_datetime(raw.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise Refusal(
            400,
            _("%(name)s must be a W3C date and time, e.g. 2026-12-01T00:00:00+08:00.")
            % {"name": name},
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _whole(raw: str | None, name: str, default: int, most: int) -> int:
    if raw in (None, ""):
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= most:
        raise Refusal(
            400,
            _("%(name)s must be a whole number from 1 to %(most)d.") % {"name": name, "most": most},
        )
    return int(raw)


def _request_list(request, fmt):
    partner = _partner(request, required=False)
    cases = _visible(partner)
    jurisdiction = request.GET.get("jurisdiction_id")
    if jurisdiction:
        cases = cases.filter(area__code__startswith=_district(jurisdiction).prefix)
    ids = [i.strip() for i in (request.GET.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        # The spec: with ids, every other filter is ignored.
        wanted = [int(i) for i in ids if i.isascii() and i.isdigit() and len(i) <= 12]
        rows = [
            _request_row(c, partner=partner) for c in cases.filter(pk__in=wanted).order_by("pk")
        ]
        return _answer(fmt, "service_requests", "request", rows)
    codes = [c.strip() for c in (request.GET.get("service_code") or "").split(",") if c.strip()]
    if codes:
        cases = cases.filter(category__code__in=codes)
    start, end = (
        _date(request.GET.get("start_date"), "start_date"),
        _date(request.GET.get("end_date"), "end_date"),
    )
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    if start:
        cases = cases.filter(created_at__gte=start)
    if end:
        cases = cases.filter(created_at__lte=end)
    statuses = {s.strip() for s in (request.GET.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Refusal(400, _("status is open, closed, or both."))
    if statuses == {"open"}:
        cases = cases.exclude(status__in=CLOSED_STATES)
    elif statuses == {"closed"}:
        cases = cases.filter(status__in=CLOSED_STATES)
    size = _whole(request.GET.get("page_size"), "page_size", PAGE_SIZE, MAX_PAGE_SIZE)
    page = _whole(request.GET.get("page"), "page", 1, 100_000)
    chosen = cases.order_by("-created_at", "-pk")[(page - 1) * size : page * size]
    return _answer(
        fmt, "service_requests", "request", [_request_row(c, partner=partner) for c in chosen]
    )


def _request_create(request, fmt):
    partner = _partner(request, required=True)
    data = request.POST
    district_code = data.get("jurisdiction_id") or (
        partner.area.code if partner.area.level == Area.Level.DISTRICT else ""
    )
    district = _district(district_code)
    category = _category(district, (data.get("service_code") or "").strip())
    if not data.get("lat") or not data.get("long"):
        raise Refusal(400, _("lat and long are required: this server does not look addresses up."))
    case, created = services.case_receive(
        partner=partner,
        category=category,
        text=data.get("description") or "",
        lng=data.get("long"),
        lat=data.get("lat"),
        priority=data.get("attribute[priority]") or Priority.NORMAL,
        external_id=data.get("attribute[external_id]") or "",
        place_note=data.get("address_string") or "",
    )
    notice = _("Received: %(unit)s answers it by %(due)s.") % {
        "unit": case.department or case.responsible_area,
        "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d"),
    }
    rows = [{"service_request_id": str(case.pk), "service_notice": notice, "account_id": None}]
    return _answer(fmt, "service_requests", "request", rows, status=201 if created else 200)


@require_http_methods(["GET", "POST"])
@_open311
def requests(request, fmt):
    if request.method == "POST":
        return _request_create(request, fmt)
    return _request_list(request, fmt)


@require_http_methods(["GET"])
@_open311
def request_detail(request, fmt, request_id):
    partner = _partner(request, required=False)
    case = _visible(partner).filter(pk=request_id).first() if len(request_id) <= 12 else None
    if case is None:
        raise Refusal(404, _("There is no such request."))
    return _answer(fmt, "service_requests", "request", [_request_row(case, partner=partner)])
