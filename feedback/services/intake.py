"""Cases coming in: a worker's report from the phone, one staff collected offline (a 小哥
议事会, a street visit, a 12345 referral), and a worker who has the same problem joining
an open case instead of making a second one. Each refusal is in plain words and keeps
nothing; a case sent twice (a double tap, an offline replay) is the one case."""

import uuid

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import RoleAppointment
from areas import access
from areas.models import Area
from core import photos as photo_checks
from core import sensitive_words
from core.exceptions import ApplicationError, refuse
from members.models import Worker

from ..models import (
    Case,
    CaseFollower,
    CaseNotice,
    CasePhoto,
    FeedbackCategory,
    Kind,
    Priority,
)
from . import history, routing

MAX_PHOTOS = 4
TEXT_MAX = 500


def _clean_text(text: str, *, public: bool) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise refuse("text", _("Say what it is about."))
    if len(text) > TEXT_MAX:
        raise refuse("text", _("At most %(n)d characters, please.") % {"n": TEXT_MAX})
    if public and (problem := sensitive_words.problem(text)):
        raise refuse("text", problem)
    return text


def _clean_kind(kind: str, category: FeedbackCategory) -> str:
    if kind not in Kind.values:
        raise refuse("kind", _("Choose a suggestion, a demand or a hazard report."))
    if category.kind != kind:
        raise refuse(
            "category",
            _("“%(category)s” is not a category of %(kind)s: choose another.")
            % {"category": category.name, "kind": Kind(kind).label},
        )
    return kind


def cleaned_photos(uploads) -> list[bytes]:
    """Each photo checked and re-encoded (core.photos) before anything is kept: more than
    four, or one that is not a photo, refuses the case."""
    uploads = [upload for upload in uploads or [] if upload]
    if len(uploads) > MAX_PHOTOS:
        raise refuse("photos", _("At most %(n)d photos.") % {"n": MAX_PHOTOS})
    cleaned = []
    for upload in uploads:
        try:
            cleaned.append(photo_checks.photo_clean(upload))
        except ApplicationError as refusal:
            raise refuse("photos", refusal.message) from None
    return cleaned


def keep_photos(case: Case, cleaned: list[bytes], role: str) -> None:
    for number, data in enumerate(cleaned, start=1):
        CasePhoto(case=case, role=role).image.save(f"{role}-{number}.jpg", ContentFile(data))


def _point_of(point, station):
    """Where the case is on a map: the point given, else the station it was reported at."""
    if point is None and station is not None:
        return station.location
    return point


def _sent_before(client_key, reporter: Worker | None) -> Case:
    """The case this key made, sent again (a double tap, an offline replay): refused when it
    came from another account."""
    existing = Case.objects.get(client_key=client_key)
    if existing.reporter_id != (reporter.pk if reporter else None):
        raise ApplicationError(_("This case was sent from another account."))
    return existing


def _replayed(client_key, reporter: Worker | None) -> Case | None:
    if client_key is None or not Case.objects.filter(client_key=client_key).exists():
        return None
    return _sent_before(client_key, reporter)


# The roles whose reports count as a "moving probe"'s (移动探头; facts: probe_reports).
PROBE_ROLES = [RoleAppointment.Role.GRID_WORKER, RoleAppointment.Role.SUPERVISOR]


def _create(*, route: routing.Route, actor, client_key, photos: list[bytes], **fields) -> Case:
    """The case, its routing steps and its first history entry, in one round trip
    (feedback/sql/feedback_case_record.v1.sql: every report is recorded here); the one
    case already made when the same client key arrives again, at the same moment too."""
    now = timezone.now()
    case = Case(
        area=route.area,
        responsible_area=route.responsible_area,
        department=route.department,
        status=Case.Status.SUBMITTED,
        client_key=client_key,
        recorded_by=actor,
        created_at=now,
        updated_at=now,
        **fields,
    )
    case.due_at = history.deadline(case, start=now)
    point = case.location
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM feedback_case_record(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                client_key,
                now,
                case.kind,
                case.category_id,
                case.text,
                case.priority,
                case.source,
                case.source_note,
                case.reporter_id,
                PROBE_ROLES,
                case.station_id,
                point.x if point is not None else None,
                point.y if point is not None else None,
                case.place_note,
                case.area_id,
                case.responsible_area_id,
                case.department_id,
                case.status,
                case.public,
                case.due_at,
                actor.pk if actor is not None else None,
                [rule for rule, _area, _department in route.hops],
                [area.pk if area else None for _rule, area, _department in route.hops],
                [dep.pk if dep else None for _rule, _area, dep in route.hops],
            ],
        )
        case_id, created, role = cursor.fetchone()
    if not created:
        return _sent_before(client_key, fields.get("reporter"))
    case.pk, case.reporter_role = case_id, role
    case._state.adding, case._state.db = False, "default"
    keep_photos(case, photos, CasePhoto.Role.PROBLEM)
    if route.department is not None:
        history.notify_unit(
            case,
            CaseNotice.Kind.REFERRED,
            _("New case %(number)s for %(department)s: %(text)s")
            % {"number": case.number, "department": route.department, "text": case.text[:60]},
            event="referred:0",
        )
    return case


@transaction.atomic
def case_submit(
    *,
    worker: Worker,
    kind: str,
    category: FeedbackCategory,
    text: str,
    place: routing.Place,
    public: bool = False,
    place_note: str = "",
    photos=(),
    client_key: uuid.UUID | None = None,
) -> Case:
    """A worker reports on the phone. The place routes it (routing.route); the deadline
    runs from now in working days. The same client key again is the case it made: found
    when the insert meets it (no read first: every report would pay for the rare replay),
    or when something on the way refuses a replay of a case the platform has."""
    try:
        return _submit(worker, kind, category, text, place, public, place_note, photos, client_key)
    except ApplicationError:
        if (existing := _replayed(client_key, worker)) is not None:
            return existing
        raise


def _submit(worker, kind, category, text, place, public, place_note, photos, client_key) -> Case:
    if worker.erased_at or worker.merged_into_id:
        raise ApplicationError(_("This account can no longer send reports."))
    kind = _clean_kind(kind, category)
    text = _clean_text(text, public=public)
    cleaned = cleaned_photos(photos)
    point = place.point()
    if kind == Kind.HAZARD and point is None and place.station is None:
        raise refuse("place", _("Say where the hazard is: share your position, or pick a point."))
    route = routing.route(category=category, point=point, station=place.station, reporter=worker)
    return _create(
        route=route,
        actor=None,
        client_key=client_key,
        photos=cleaned,
        kind=kind,
        category=category,
        text=text,
        priority=Priority.NORMAL,
        source=Case.Source.PHONE,
        reporter=worker,
        station=place.station,
        location=_point_of(point, place.station),
        place_note=" ".join((place_note or "").split())[:100],
        public=bool(public),
    )


@transaction.atomic
def case_record(
    *,
    actor,
    kind: str,
    category: FeedbackCategory,
    text: str,
    source: str,
    source_note: str = "",
    priority: str = Priority.NORMAL,
    area: Area | None = None,
    place: routing.Place | None = None,
    reporter: Worker | None = None,
    photos=(),
    client_key: uuid.UUID | None = None,
) -> Case:
    """Staff record a case collected offline, naming where it came from. The place routes
    it as a worker's would, or staff name the area; they must work in that area."""
    if source not in Case.Source.values or source == Case.Source.PHONE:
        raise refuse("source", _("Say where the case was collected."))
    if priority not in Priority.values:
        raise refuse("priority", _("Choose a priority."))
    if (existing := _replayed(client_key, reporter)) is not None:
        return existing
    kind = _clean_kind(kind, category)
    text = _clean_text(text, public=False)
    cleaned = cleaned_photos(photos)
    place = place or routing.Place()
    point = place.point()
    if area is None and point is None and place.station is None and reporter is None:
        raise refuse("area", _("Say where it is: an area, a point on the map or a station."))
    route = routing.route(
        category=category,
        point=point,
        station=place.station,
        reporter=reporter,
        chosen_area=area,
    )
    access.require_write_in(actor, route.area)
    return _create(
        route=route,
        actor=actor,
        client_key=client_key,
        photos=cleaned,
        kind=kind,
        category=category,
        text=text,
        priority=priority,
        source=source,
        source_note=(source_note or "").strip()[:60],
        reporter=reporter,
        station=place.station,
        location=_point_of(point, place.station),
        public=False,
    )


@transaction.atomic
def case_follow(*, worker: Worker, case: Case) -> CaseFollower:
    """ "我也遇到了": the worker follows an open case instead of reporting it again."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.reporter_id == worker.pk:
        raise ApplicationError(_("You reported this yourself: you hear of it already."))
    if not case.is_open:
        raise ApplicationError(_("This case is closed: report it again if it is still there."))
    follower, _created = CaseFollower.objects.get_or_create(case=case, worker=worker)
    return follower


def cases_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """Two records of one person merged: the duplicate's cases are the kept record's."""
    Case.objects.filter(reporter=duplicate).update(reporter=kept, updated_at=timezone.now())


def followers_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """…and so are the cases it followed (once; never one the kept record reported)."""
    for follower in CaseFollower.objects.filter(worker=duplicate).select_related("case"):
        taken = (
            follower.case.reporter_id == kept.pk
            or CaseFollower.objects.filter(case=follower.case, worker=kept).exists()
        )
        if taken:
            follower.delete()
        else:
            follower.worker = kept
            follower.save(update_fields=["worker"])


# Partner systems (Open311) ---------------------------------------------------------------

PARTNER_KEYS = uuid.UUID("5b0d7c8e-3f0e-4d55-9a57-2f4f6c1b7a31")  # namespace of their ids


@transaction.atomic
def case_receive(
    *,
    partner,
    category: FeedbackCategory,
    text: str,
    lng,
    lat,
    priority: str = Priority.NORMAL,
    external_id: str = "",
    place_note: str = "",
) -> tuple[Case, bool]:
    """A case a partner system posts (Open311 POST requests): routed by its point as a
    worker's report is, inside the partner's area only. The partner's own id for it
    (`external_id`) makes a retried post the one case. Returns (case, created)."""
    external_id = (external_id or "").strip()[:40]
    client_key = uuid.uuid5(PARTNER_KEYS, f"{partner.pk}:{external_id}") if external_id else None
    if client_key and (existing := Case.objects.filter(client_key=client_key).first()):
        return existing, False
    if priority not in Priority.values:
        raise refuse("priority", _("Choose a priority: urgent, normal or low."))
    text = _clean_text(text, public=False)
    point = routing.Place(lng=lng, lat=lat).point()
    if point is None:
        raise refuse("place", _("Give the place as lat and long (WGS-84)."))
    route = routing.route(category=category, point=point)
    if not partner.area.contains(route.area):
        raise refuse("place", _("This place is outside the area your system exchanges cases for."))
    case = _create(
        route=route,
        actor=None,
        client_key=client_key,
        photos=[],
        kind=category.kind,
        category=category,
        text=text,
        priority=priority,
        source=Case.Source.PARTNER,
        source_note=f"{partner.name[:40]} {external_id}".strip()[:60],
        location=point,
        place_note=" ".join((place_note or "").split())[:100],
        public=False,
    )
    return case, True
