"""Reads for cases: the staff's scoped lists and queues, the worker's own cases, the open
cases like a new one nearby, a case's timeline, and who may see a photo."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from members import phone_login

from .models import Case, CaseNotice, CasePhoto, CaseTask, FeedbackCategory


def case_list(*, user) -> QuerySet:
    return access.scope(Case.objects.all(), user).select_related(
        "category", "area", "responsible_area", "department", "reporter"
    )


def acceptance_queue(*, user) -> QuerySet:
    """Cases waiting to be accepted (研判) in the user's reach."""
    return access.scope(
        Case.objects.filter(status=Case.Status.SUBMITTED), user, access.Purpose.WRITE
    )


def overdue_cases(*, user, now=None) -> QuerySet:
    """Open cases past their deadline in the user's reach (the clock not stopped)."""
    now = now or timezone.now()
    return access.scope(
        Case.objects.filter(status__in=Case.OPEN, paused_since__isnull=True, due_at__lt=now),
        user,
        access.Purpose.WRITE,
    )


def unread_notices(*, user) -> QuerySet:
    """Notices to the units the user writes for, not yet read by anyone of them."""
    return access.scope(CaseNotice.objects.filter(read_at__isnull=True), user, access.Purpose.WRITE)


def notice_list(*, user) -> QuerySet:
    return access.scope(CaseNotice.objects.all(), user).select_related("case")


def open_tasks(*, user) -> QuerySet:
    return access.scope(CaseTask.objects.filter(status=CaseTask.Status.OPEN), user)


def cases_of(worker) -> QuerySet:
    """The worker's own cases and those they follow, newest first (/m/me/cases/)."""
    return (
        Case.objects.filter(Q(reporter=worker) | Q(followers__worker=worker))
        .distinct()
        .select_related("category", "responsible_area", "department")
        .order_by("-created_at")
    )


def case_for_worker(worker, pk) -> Case | None:
    """A case the worker reported or follows; None for any other (a 404)."""
    return cases_of(worker).filter(pk=pk).first()


def similar_open_ids(
    *, category: FeedbackCategory, point: Point | None, station=None, now=None
) -> list[int]:
    """The ids (up to 20) of open cases of the same category within
    FEEDBACK_SIMILAR_METRES of the place (or at the same station) from the last
    FEEDBACK_SIMILAR_DAYS. Asked on every report, so the usual answer (none) is one
    indexed query with a kept plan; a page's script only needs to know there are some (similar_open loads
    them for the page)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.FEEDBACK_SIMILAR_DAYS)
    if point is None and station is None:
        return []
    # The usual answer is none: one call of a function whose plan the connection keeps
    # (feedback/sql/feedback_similar_open.v1.sql; BENCHMARKS.md).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT case_id FROM feedback_similar_open(%s, %s, %s, %s, %s, %s, %s)",
            [
                category.code,
                list(Case.OPEN),
                since,
                point.x if point is not None else None,
                point.y if point is not None else None,
                settings.FEEDBACK_SIMILAR_METRES,
                station.pk if station is not None else None,
            ],
        )
        return list(dict.fromkeys(pk for (pk,) in cursor.fetchall()))[:20]


def similar_open(
    *, category: FeedbackCategory, point: Point | None, station=None, found=None, now=None
) -> list[Case]:
    """The five nearest (or newest, at a station) of similar_open_ids, with their
    followers: offered to the worker to follow ("我也遇到了") instead of a second case.
    `found`: those ids when the caller has them already."""
    if found is None:
        found = similar_open_ids(category=category, point=point, station=station, now=now)
    if not found:
        return []
    cases = (
        Case.objects.filter(pk__in=found)
        .select_related("category")
        .annotate(follower_count=Count("followers"))
    )
    if point is not None:
        cases = cases.annotate(distance=Distance("location", point)).order_by("distance", "pk")
    else:
        cases = cases.order_by("-created_at")
    return list(cases[:5])


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    kind: str  # status, hop, message, task
    text: str
    who: str


def timeline(case: Case, *, for_staff: bool, detailed: bool = True) -> list[Step]:
    """Every state, hop, task and message of a case in time order. The worker reads the
    staff's unit, never a staff member's name; staff read the worker masked. Workers who
    only follow the case read its steps without words (`detailed` off): the messages and
    the reasons are the reporter's conversation with the unit."""

    def said(reason: str) -> str:
        return f"：{reason}" if reason and detailed else ""

    unit = str(case.department or case.responsible_area)
    steps = [
        Step(
            change.at,
            "status",
            f"{change.get_to_status_display()}{said(change.reason)}",
            (change.actor.get_username() if for_staff and change.actor else ""),
        )
        for change in case.status_changes.select_related("actor")
    ]
    steps += [
        Step(
            hop.at,
            "hop",
            f"{hop.get_rule_display()} → {hop.to_department or hop.to_area or ''}{said(hop.reason)}",
            (hop.actor.get_username() if for_staff and hop.actor else ""),
        )
        for hop in case.hops.select_related("to_area", "to_department", "actor")
    ]
    steps += [
        Step(
            task.created_at,
            "task",
            f"{task.description} · {task.unit_name} · {task.get_status_display()}{said(task.result)}",
            "",
        )
        for task in case.tasks.select_related("unit", "department")
    ]
    reporter = case.reporter.masked_label if (case.reporter_id and for_staff) else _("You")
    steps += [
        Step(
            message.at,
            "message",
            message.text,
            (
                (
                    message.author.get_username()
                    if for_staff
                    else _("Staff of %(unit)s") % {"unit": unit}
                )
                if message.from_staff
                else reporter
            ),
        )
        for message in (case.messages.select_related("author") if detailed else [])
    ]
    return sorted(steps, key=lambda step: step.at)


def may_view_photo(request, name: str) -> bool:
    """A case's photo is seen by staff who read its area, and by its reporter on their
    phone (core.private_files)."""
    photos = CasePhoto.objects.filter(image=name)
    if request.user.is_authenticated and access.scope(photos, request.user).exists():
        return True
    worker_id = phone_login.current_worker_id(request)
    return worker_id is not None and photos.filter(case__reporter_id=worker_id).exists()


# In public ---------------------------------------------------------------------------------

# A hazard stays on the public map this long after it closed (then the map shows what is
# still to be done and what was just done).
MAP_DAYS_AFTER_CLOSING = 30
NOT_SHOWN = (Case.Status.DUPLICATE, Case.Status.DECLINED)


def published_answers(*, district) -> QuerySet:
    """A district's published cases with their official answers, newest first, with how
    many of their tasks are done ("你提的建议，我们这样办")."""
    return (
        Case.objects.filter(
            published_at__isnull=False,
            public=True,
            area__code__startswith=district.prefix,
        )
        .exclude(status__in=NOT_SHOWN)
        .select_related("category", "responsible_area", "department")
        .prefetch_related("tasks")
        .annotate(
            task_count=Count("tasks", filter=~Q(tasks__status=CaseTask.Status.CANCELLED)),
            tasks_done=Count("tasks", filter=Q(tasks__status=CaseTask.Status.DONE)),
        )
        .order_by("-published_at", "-pk")
    )


def progress_of(case: Case) -> int:
    """How far a published case is, in %: answered is 100; otherwise the share of its tasks
    done (accepted with none done yet: 10, so a case taken up never reads 0)."""
    if case.status in (Case.Status.RESOLVED, Case.Status.CLOSED):
        return 100
    if case.task_count:
        return max(10, round(90 * case.tasks_done / case.task_count))
    return 10


def districts_with_answers() -> QuerySet:
    codes = (
        Case.objects.filter(published_at__isnull=False, public=True)
        .values_list("area__code", flat=True)
        .distinct()
    )
    prefixes = {code[:6] for code in codes}
    return Area.objects.filter(
        level=Area.Level.DISTRICT, code__in=[p.ljust(12, "0") for p in prefixes]
    ).order_by("code")


def public_hazards(*, now=None) -> QuerySet:
    """Hazards the public map shows: reported with the worker's agreement to show them, of
    a category the district puts on the map, open or closed within the last month; never
    the reporter."""
    now = now or timezone.now()
    recent = now - dt.timedelta(days=MAP_DAYS_AFTER_CLOSING)
    return (
        Case.objects.filter(
            kind="hazard",
            public=True,
            category__on_public_map=True,
            location__isnull=False,
        )
        .exclude(status__in=NOT_SHOWN)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=recent))
        .select_related("category")
        .order_by("-created_at")
    )
