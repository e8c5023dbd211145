"""Writes for activities: organising them, sign-ups with a waiting list, attendance and the
points it earns.

The activity's row is locked (select_for_update) by every change to its sign-ups, so the
places are counted one request at a time: a full activity puts the next worker on the
waiting list, a cancellation promotes the first in the queue.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.selectors import offered_to
from core.exceptions import ApplicationError, full_clean_or_refuse, refuse
from members.inbox import in_workers_language
from members.models import Worker
from members.services import message_send
from party.models import PartyOrg
from points import services as points
from points.models import PointsEntry, PointsRule
from stations.models import Station

from .models import Activity, RoleAppointment, SignUp, VolunteerService

# The activity's QR code records attendance from a little before it starts until a little
# after it ends (people arrive early, roll calls run late).
ATTENDANCE_OPENS_BEFORE = dt.timedelta(minutes=30)
ATTENDANCE_CLOSES_AFTER = dt.timedelta(minutes=30)

HOLDS_A_PLACE = (SignUp.Status.CONFIRMED, SignUp.Status.ATTENDED)
STILL_COMING = (SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED)


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# Organising -------------------------------------------------------------------------------


@transaction.atomic
def activity_save(*, actor, activity: Activity) -> Activity:
    if activity.area_id is None:
        raise refuse("area", _("Choose the area that organises this activity."))
    access.require_write_to(actor, activity)
    activity.title = (activity.title or "").strip()
    activity.address = (activity.address or "").strip()
    if activity.station_id is not None:
        station = access.get_for_user(Station.objects.all(), actor, pk=activity.station_id)
        if station.status == Station.Status.CLOSED:
            raise refuse("station", _("This station has closed: choose another venue."))
        if activity.location is None:
            activity.location = station.location
    elif not activity.address:
        raise refuse("address", _("Give the venue: a station or an address."))
    if activity.party_org_id is not None:
        # Naming a party organisation takes party-affairs access to it.
        access.get_for_user(
            PartyOrg.objects.all(), actor, access.Purpose.PARTY, pk=activity.party_org_id
        )
    if activity.starts_at and activity.ends_at and activity.ends_at <= activity.starts_at:
        raise refuse("ends_at", _("An activity ends after it starts."))
    activity.audience = sorted(set(activity.audience or []))
    if activity.pk is None:
        activity.created_by = actor
    full_clean_or_refuse(activity, _("This activity cannot be saved: see the fields."))
    activity.save()
    return activity


def _for_change(actor, activity: Activity) -> Activity:
    return access.get_for_user(
        Activity.objects.select_for_update(), actor, access.Purpose.WRITE, pk=activity.pk
    )


@transaction.atomic
def activity_publish(*, actor, activity: Activity) -> Activity:
    """Workers see and sign up for published activities only."""
    activity = _for_change(actor, activity)
    if activity.status != Activity.Status.DRAFT:
        raise ApplicationError(_("Only a draft is published."))
    if activity.ends_at <= timezone.now():
        raise ApplicationError(_("This activity is already over: change its dates first."))
    activity.status = Activity.Status.PUBLISHED
    activity.save(update_fields=["status", "updated_at"])
    return activity


@transaction.atomic
def activity_cancel(*, actor, activity: Activity) -> Activity:
    """Called off before it starts: every place and waiting-list place is cancelled."""
    activity = _for_change(actor, activity)
    if activity.status == Activity.Status.CANCELLED:
        raise ApplicationError(_("This activity is already cancelled."))
    if activity.starts_at <= timezone.now():
        raise ApplicationError(_("This activity has started: it can no longer be cancelled."))
    activity.status = Activity.Status.CANCELLED
    activity.save(update_fields=["status", "updated_at"])
    activity.signups.filter(status__in=STILL_COMING).update(
        status=SignUp.Status.CANCELLED, updated_at=timezone.now()
    )
    return activity


def points_for(activity: Activity) -> int:
    """What attending earns: the activity's own figure, else the district's rule."""
    if activity.points is not None:
        return activity.points
    return points.rule_points(
        area=activity.area, event=PointsRule.Event.ATTENDANCE, activity_kind=activity.kind
    )


# Sign-ups ---------------------------------------------------------------------------------


def _locked(activity_pk: int) -> Activity:
    return Activity.objects.select_for_update().select_related("area").get(pk=activity_pk)


def _places_taken(activity: Activity) -> int:
    return activity.signups.filter(status__in=HOLDS_A_PLACE).count()


def _has_a_place(activity: Activity) -> bool:
    return activity.capacity is None or _places_taken(activity) < activity.capacity


@transaction.atomic
def signup_join(*, worker: Worker, activity: Activity) -> SignUp:
    """报名: a place if there is one, else the waiting list. Asking again returns the
    sign-up the worker already has."""
    activity = _locked(activity.pk)
    if activity.status != Activity.Status.PUBLISHED:
        raise ApplicationError(_("This activity is not open for sign-up."))
    if activity.starts_at <= timezone.now():
        raise ApplicationError(_("This activity has already started: sign-up is closed."))
    if activity.audience and worker.occupation not in activity.audience:
        raise ApplicationError(_("This activity is for other occupations."))
    if not Activity.objects.filter(offered_to(worker.area), pk=activity.pk).exists():
        # What a worker may join is this rule, whatever list or link led them here.
        raise ApplicationError(_("This activity is for the workers of another district."))
    signup = SignUp.objects.select_for_update().filter(activity=activity, worker=worker).first()
    if signup is not None and signup.status != SignUp.Status.CANCELLED:
        return signup
    status = SignUp.Status.CONFIRMED if _has_a_place(activity) else SignUp.Status.WAITLISTED
    if signup is None:
        return SignUp.objects.create(
            activity=activity, worker=worker, status=status, queued_at=timezone.now()
        )
    signup.status, signup.queued_at = status, timezone.now()  # the end of the queue
    signup.save(update_fields=["status", "queued_at", "updated_at"])
    return signup


def _promote_waiting(activity: Activity) -> list[SignUp]:
    """Fill free places from the waiting list, first come first served."""
    promoted = []
    while _has_a_place(activity):
        first = (
            activity.signups.select_for_update()
            .filter(status=SignUp.Status.WAITLISTED)
            .order_by("queued_at", "pk")
            .first()
        )
        if first is None:
            break
        first.status = SignUp.Status.CONFIRMED
        first.save(update_fields=["status", "updated_at"])
        promoted.append(first)
    return promoted


@transaction.atomic
def signup_cancel(*, worker: Worker, signup: SignUp) -> SignUp:
    """The worker gives up their place (or waiting-list place) before the activity starts;
    the first on the waiting list gets it."""
    activity = _locked(signup.activity_id)
    signup = SignUp.objects.select_for_update().get(pk=signup.pk)
    if signup.worker_id != worker.pk:
        raise ApplicationError(_("This is not your sign-up."))
    if signup.status not in STILL_COMING:
        raise ApplicationError(_("There is nothing to cancel: this sign-up is not active."))
    if activity.starts_at <= timezone.now():
        raise ApplicationError(_("The activity has started: it is too late to cancel."))
    signup.status = SignUp.Status.CANCELLED
    signup.save(update_fields=["status", "updated_at"])
    _promote_waiting(activity)
    return signup


# Attendance -------------------------------------------------------------------------------


def attendance_window(activity: Activity) -> tuple[dt.datetime, dt.datetime]:
    return (
        activity.starts_at - ATTENDANCE_OPENS_BEFORE,
        activity.ends_at + ATTENDANCE_CLOSES_AFTER,
    )


def _count_activity_hours(signup: SignUp) -> None:
    """An activity that counts volunteer hours records them for those who attend (verified:
    the attendance is the proof). Its points are the attendance's, not the hours'."""
    activity = signup.activity
    if not activity.volunteer_hours:
        return
    VolunteerService.objects.update_or_create(
        worker=signup.worker,
        activity=activity,
        defaults={
            "kind": VolunteerService.Kind.ACTIVITY,
            "area": activity.area,
            "served_on": timezone.localtime(activity.starts_at).date(),
            "hours": activity.volunteer_hours,
            "description": activity.title[:300],
            "source": VolunteerService.Source.ACTIVITY,
            "status": VolunteerService.Status.VERIFIED,
            "decided_at": timezone.now(),
            "reject_reason": "",
        },
    )


def _attend(signup: SignUp, *, source: str, actor=None) -> SignUp:
    signup.status = SignUp.Status.ATTENDED
    signup.attended_at = timezone.now()
    signup.attendance_source = source
    signup.attendance_recorded_by = actor
    signup.revoked_reason = ""
    signup.save()
    _count_activity_hours(signup)
    earned = points_for(signup.activity)
    if earned > 0:
        # One award per attendance: after a revocation (reversed) a new attendance earns
        # again, under the next key.
        awards = PointsEntry.objects.filter(
            source=PointsEntry.Source.ATTENDANCE,
            source_id=str(signup.pk),
            kind=PointsEntry.Kind.AWARD,
        ).count()
        points.points_award(
            worker=signup.worker,
            points=earned,
            source=PointsEntry.Source.ATTENDANCE,
            source_id=signup.pk,
            key=f"award-{awards + 1}",
            reason=_("Attended: %(title)s") % {"title": signup.activity.title},
            actor=actor,
        )
    return signup


@transaction.atomic
def attend_by_qr(*, worker: Worker, attendance_key: str) -> SignUp:
    """The worker scans the QR code shown at the venue. A worker who signed up attends; a
    walk-in attends if there is a free place. Scanning again changes nothing."""
    found = Activity.objects.filter(attendance_key=attendance_key).only("pk").first()
    if found is None:
        raise ApplicationError(_("This attendance code is not valid."))
    activity = _locked(found.pk)
    if activity.status != Activity.Status.PUBLISHED:
        raise ApplicationError(_("This activity is not taking attendance."))
    opens, closes = attendance_window(activity)
    now = timezone.now()
    if not opens <= now <= closes:
        raise ApplicationError(
            _("This code records attendance from %(opens)s to %(closes)s.")
            % {"opens": _local(opens), "closes": _local(closes)}
        )
    signup = SignUp.objects.select_for_update().filter(activity=activity, worker=worker).first()
    if signup is not None and signup.status == SignUp.Status.ATTENDED:
        return signup
    if signup is None or signup.status != SignUp.Status.CONFIRMED:
        if not _has_a_place(activity):
            raise ApplicationError(
                _("The activity is full: ask the organiser to record you at the roll call.")
            )
        if signup is None:
            signup = SignUp(activity=activity, worker=worker, queued_at=now)
    signup.activity = activity
    return _attend(signup, source=SignUp.AttendanceSource.QR)


@transaction.atomic
def attendance_roll_call(*, actor, activity: Activity, workers: list[Worker]) -> list[SignUp]:
    """The organiser marks who came (点名): those who signed up and those who walked in.
    Places do not limit a roll call: the organiser saw them there."""
    activity = _for_change(actor, activity)
    if activity.status != Activity.Status.PUBLISHED:
        raise ApplicationError(_("This activity is not taking attendance."))
    opens, _closes = attendance_window(activity)
    if timezone.now() < opens:
        raise ApplicationError(_("The activity has not started: the roll call comes later."))
    marked = []
    for worker in workers:
        signup = SignUp.objects.select_for_update().filter(activity=activity, worker=worker).first()
        if signup is not None and signup.status == SignUp.Status.ATTENDED:
            continue
        if signup is None:
            signup = SignUp(activity=activity, worker=worker, queued_at=timezone.now())
        signup.activity = activity
        marked.append(_attend(signup, source=SignUp.AttendanceSource.ROLL_CALL, actor=actor))
    return marked


@transaction.atomic
def attendance_revoke(*, actor, signup: SignUp, reason: str) -> SignUp:
    """A wrong attendance is taken back with a reason, and the points it earned with it."""
    reason = (reason or "").strip()
    if not reason:
        raise refuse("reason", _("Say why the attendance is taken back: the worker reads it."))
    signup = access.get_for_user(
        SignUp.objects.select_for_update().select_related("activity", "worker"),
        actor,
        access.Purpose.WRITE,
        pk=signup.pk,
    )
    if signup.status != SignUp.Status.ATTENDED:
        raise ApplicationError(_("This worker is not recorded as attending."))
    signup.status = SignUp.Status.NO_SHOW
    signup.attended_at = None
    signup.revoked_reason = reason[:200]
    signup.save()
    VolunteerService.objects.filter(worker=signup.worker, activity=signup.activity).update(
        status=VolunteerService.Status.REJECTED,
        reject_reason=(_("Attendance taken back: %(reason)s") % {"reason": reason})[:200],
        updated_at=timezone.now(),
    )
    awarded = (
        PointsEntry.objects.filter(
            source=PointsEntry.Source.ATTENDANCE,
            source_id=str(signup.pk),
            kind=PointsEntry.Kind.AWARD,
            reversed_by__isnull=True,
        )
        .select_related("account__worker")
        .first()
    )
    if awarded is not None:
        points.points_reverse(
            entry=awarded,
            reason=_("Attendance taken back: %(reason)s") % {"reason": reason},
            actor=actor,
        )
    return signup


def no_shows_mark(*, now: dt.datetime | None = None) -> int:
    """After the attendance window closes, confirmed places nobody used become no-shows
    (the beat job; running it twice changes nothing)."""
    now = now or timezone.now()
    return SignUp.objects.filter(
        status=SignUp.Status.CONFIRMED,
        activity__status=Activity.Status.PUBLISHED,
        activity__ends_at__lt=now - ATTENDANCE_CLOSES_AFTER,
    ).update(status=SignUp.Status.NO_SHOW, updated_at=now)


# The kind of message (members.inbox) a worker gets the evening before an activity.
ACTIVITY_TOMORROW = "activities.tomorrow"


def signups_remind_tomorrow(*, today: dt.date | None = None) -> int:
    """Tell each worker with a confirmed place at a published activity starting tomorrow
    (the beat job, in the evening; one reminder per place however often it runs)."""
    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    signups = SignUp.objects.filter(
        status=SignUp.Status.CONFIRMED,
        activity__status=Activity.Status.PUBLISHED,
        activity__starts_at__date=tomorrow,
    ).select_related("activity__station", "worker")
    for signup in signups:
        activity = signup.activity
        with in_workers_language():
            message_send(
                worker=signup.worker,
                kind=ACTIVITY_TOMORROW,
                title=_("Tomorrow: %(title)s") % {"title": activity.title},
                body=_("%(time)s at %(place)s. Can't come? Cancel your place so another can go.")
                % {
                    "time": timezone.localtime(activity.starts_at).strftime("%m-%d %H:%M"),
                    "place": activity.station.name if activity.station_id else activity.address,
                },
                link=reverse("mobile-activity", args=[activity.pk]),
                event_key=f"activity-tomorrow:{signup.pk}",
            )
    return len(signups)


# Volunteer roles and services -------------------------------------------------------------

MAX_HOURS_A_DAY = Decimal("12")
# How long after the day a worker may still report a service.
REPORT_WITHIN_DAYS = 90


@transaction.atomic
def role_appoint(
    *, actor, worker: Worker, role: str, area, started_on: dt.date, note: str = ""
) -> RoleAppointment:
    """Appoint a worker to a role in an area the user manages; one active appointment per
    role (the one already held is named)."""
    access.require_write_in(actor, area)
    worker = access.get_for_user(Worker.objects.all(), actor, pk=worker.pk)
    if started_on > timezone.localdate():
        raise refuse("started_on", _("This date is in the future."))
    held = RoleAppointment.objects.filter(worker=worker, role=role, ended_on__isnull=True).first()
    if held is not None:
        raise refuse(
            "role",
            _("This worker is already %(role)s in %(area)s since %(day)s.")
            % {"role": held.get_role_display(), "area": held.area.name, "day": held.started_on},
        )
    appointment = RoleAppointment(
        worker=worker,
        role=role,
        area=area,
        started_on=started_on,
        note=(note or "").strip()[:200],
        appointed_by=actor,
    )
    full_clean_or_refuse(appointment, _("This appointment cannot be saved: see the fields."))
    appointment.save()
    return appointment


@transaction.atomic
def role_end(*, actor, appointment: RoleAppointment, on: dt.date) -> RoleAppointment:
    appointment = access.get_for_user(
        RoleAppointment.objects.select_for_update(), actor, access.Purpose.WRITE, pk=appointment.pk
    )
    if appointment.ended_on is not None:
        raise ApplicationError(_("This appointment has already ended."))
    if on < appointment.started_on or on > timezone.localdate():
        raise refuse("ended_on", _("End it between its start and today."))
    appointment.ended_on = on
    appointment.save(update_fields=["ended_on", "updated_at"])
    return appointment


def _check_service(kind: str, served_on: dt.date, hours) -> Decimal:
    if kind not in VolunteerService.Kind.values or kind == VolunteerService.Kind.ACTIVITY:
        raise refuse("kind", _("Choose the kind of service from the list."))
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise refuse("hours", _("Enter the hours as a number, e.g. 2 or 1.5.")) from None
    if not Decimal("0.5") <= hours <= MAX_HOURS_A_DAY:
        raise refuse(
            "hours", _("Between 0.5 and %(max)s hours for one day.") % {"max": MAX_HOURS_A_DAY}
        )
    today = timezone.localdate()
    if served_on > today:
        raise refuse("served_on", _("This date is in the future."))
    if served_on < today - dt.timedelta(days=REPORT_WITHIN_DAYS):
        raise refuse(
            "served_on",
            _("Services are reported within %(days)d days.") % {"days": REPORT_WITHIN_DAYS},
        )
    return hours


@transaction.atomic
def service_report(
    *,
    worker: Worker,
    kind: str,
    served_on: dt.date,
    hours,
    description: str,
    client_key=None,
) -> tuple[VolunteerService, bool]:
    """The worker reports a service they gave; their community's staff verify it."""
    if client_key is not None:
        made = VolunteerService.objects.filter(client_key=client_key, worker=worker).first()
        if made is not None:
            return made, False
    hours = _check_service(kind, served_on, hours)
    description = (description or "").strip()
    if not description:
        raise refuse("description", _("Say what you did, so staff can verify it."))
    return (
        VolunteerService.objects.create(
            worker=worker,
            kind=kind,
            area=worker.area,
            served_on=served_on,
            hours=hours,
            description=description[:300],
            source=VolunteerService.Source.WORKER,
            client_key=client_key,
        ),
        True,
    )


def _award_hours(service: VolunteerService, actor) -> None:
    rate = points.rule_points(area=service.area, event=PointsRule.Event.VOLUNTEER_HOUR)
    earned = int(service.hours * rate)  # whole points; half hours round down
    if earned > 0:
        points.points_award(
            worker=service.worker,
            points=earned,
            source=PointsEntry.Source.VOLUNTEER,
            source_id=service.pk,
            reason=_("Volunteer service: %(what)s, %(hours)s h")
            % {"what": service.get_kind_display(), "hours": service.hours},
            actor=actor,
        )


@transaction.atomic
def service_record(
    *, actor, worker: Worker, kind: str, area, served_on: dt.date, hours, description: str
) -> VolunteerService:
    """The organiser records a service they saw given: verified at once (they are staff of
    the area), and its points awarded."""
    access.require_write_in(actor, area)
    worker = access.get_for_user(Worker.objects.all(), actor, pk=worker.pk)
    hours = _check_service(kind, served_on, hours)
    service = VolunteerService.objects.create(
        worker=worker,
        kind=kind,
        area=area,
        served_on=served_on,
        hours=hours,
        description=(description or "").strip()[:300] or str(VolunteerService.Kind(kind).label),
        source=VolunteerService.Source.ORGANISER,
        status=VolunteerService.Status.VERIFIED,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    _award_hours(service, actor)
    return service


def _reported(actor, service: VolunteerService) -> VolunteerService:
    service = access.get_for_user(
        VolunteerService.objects.select_for_update().select_related("worker", "area"),
        actor,
        access.Purpose.WRITE,
        pk=service.pk,
    )
    if service.status != VolunteerService.Status.REPORTED:
        raise ApplicationError(
            _("This service is already %(status)s.") % {"status": service.get_status_display()}
        )
    return service


@transaction.atomic
def service_verify(*, actor, service: VolunteerService) -> VolunteerService:
    service = _reported(actor, service)
    service.status = VolunteerService.Status.VERIFIED
    service.decided_by, service.decided_at = actor, timezone.now()
    service.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _award_hours(service, actor)
    return service


@transaction.atomic
def service_reject(*, actor, service: VolunteerService, reason: str) -> VolunteerService:
    reason = (reason or "").strip()
    if not reason:
        raise refuse("reason", _("Tell the worker why, so they can correct it."))
    service = _reported(actor, service)
    service.status = VolunteerService.Status.REJECTED
    service.decided_by, service.decided_at = actor, timezone.now()
    service.reject_reason = reason[:200]
    service.save(
        update_fields=["status", "decided_by", "decided_at", "reject_reason", "updated_at"]
    )
    return service


# Merging two records of one person (members.merge) -----------------------------------------

# How far along a sign-up is. Of two sign-ups of one person for the same activity (both
# records had signed up), the one further along stays with the person.
SIGNUP_PROGRESS = {
    SignUp.Status.ATTENDED: 4,
    SignUp.Status.CONFIRMED: 3,
    SignUp.Status.WAITLISTED: 2,
    SignUp.Status.NO_SHOW: 1,
    SignUp.Status.CANCELLED: 0,
}


def _set_aside(signup: SignUp, reason: str) -> None:
    """A sign-up left on a merged-away record because the person's other one goes further:
    it no longer holds a place (the waiting list moves up) or counts an attendance (its
    points and hours are taken back: one person attended once)."""
    if signup.status == SignUp.Status.ATTENDED:
        signup.revoked_reason = reason[:200]
        VolunteerService.objects.filter(worker=signup.worker, activity=signup.activity).update(
            status=VolunteerService.Status.REJECTED,
            reject_reason=reason[:200],
            updated_at=timezone.now(),
        )
        for award in PointsEntry.objects.filter(
            source=PointsEntry.Source.ATTENDANCE,
            source_id=str(signup.pk),
            kind=PointsEntry.Kind.AWARD,
            reversed_by__isnull=True,
        ):
            points.points_reverse(entry=award, reason=reason)
    if signup.status in (*HOLDS_A_PLACE, SignUp.Status.WAITLISTED):
        signup.status, signup.attended_at = SignUp.Status.CANCELLED, None
        signup.save()
        if signup.activity.starts_at > timezone.now():
            _promote_waiting(signup.activity)


@transaction.atomic
def signups_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """The duplicate's sign-ups follow the person. Where both records signed up for the
    same activity, the sign-up further along stays with the person (their attendance,
    their place) and the other is set aside on the merged-away record."""
    reason = _("The same person's other record counts for this activity")
    for signup in SignUp.objects.select_for_update().filter(worker=duplicate):
        activity = _locked(signup.activity_id)
        other = SignUp.objects.select_for_update().filter(activity=activity, worker=kept).first()
        if other is None:
            continue
        if SIGNUP_PROGRESS[signup.status] > SIGNUP_PROGRESS[other.status]:
            # The duplicate's goes further: the two change records in one statement (the
            # one-per-worker constraint is checked at its end), keeping each row — and
            # the points entries that name it — whole.
            SignUp.objects.filter(pk__in=[signup.pk, other.pk]).update(
                worker=Case(
                    When(worker=duplicate, then=Value(kept.pk)), default=Value(duplicate.pk)
                )
            )
            signup, other = other, signup
            signup.refresh_from_db()
        signup.activity = activity
        _set_aside(signup, reason)
    SignUp.objects.filter(worker=duplicate).exclude(
        activity__in=SignUp.objects.filter(worker=kept).values("activity")
    ).update(worker=kept, updated_at=timezone.now())


@transaction.atomic
def role_appointments_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """Appointments follow the person; both records holding the same role now is refused
    (one active appointment per role): end one of them first."""
    active = RoleAppointment.objects.filter(ended_on__isnull=True)
    both = active.filter(worker=duplicate, role__in=active.filter(worker=kept).values("role"))
    held = both.first()
    if held is not None:
        raise ApplicationError(
            _("Both records are %(role)s: end one of the two appointments first.")
            % {"role": held.get_role_display()}
        )
    RoleAppointment.objects.filter(worker=duplicate).update(worker=kept, updated_at=timezone.now())


@transaction.atomic
def volunteer_services_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """Volunteer services follow the person. An activity's hours counted on both records
    stay counted once, on the kept record (signups_merge has set the other aside)."""
    counted = VolunteerService.objects.filter(worker=kept, activity__isnull=False).values(
        "activity"
    )
    twice = VolunteerService.objects.filter(worker=duplicate, activity__in=counted)
    twice.exclude(status=VolunteerService.Status.REJECTED).update(
        status=VolunteerService.Status.REJECTED,
        reject_reason=_("Counted on the same person's other record"),
        updated_at=timezone.now(),
    )
    VolunteerService.objects.filter(worker=duplicate).exclude(activity__in=counted).update(
        worker=kept, updated_at=timezone.now()
    )
