"""The project's URLs plus the baselines of the check-in and feedback benchmarks: bare
Django views that do one INSERT of a check-in or of a case (no session, no checks),
measured in the same run."""

import random

from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from feedback.models import Case, FeedbackCategory
from stations.models import CheckIn


@csrf_exempt
@require_POST
def bare_insert(request):
    station_id, worker_id = (int(v) for v in request.GET["ids"].split(","))
    CheckIn.objects.create(
        station_id=station_id,
        worker_id=worker_id,
        at=timezone.now(),
        source=CheckIn.Source.PHONE,
        services=[],
    )
    return JsonResponse({"ok": random.random() >= 0})


@csrf_exempt
@require_POST
def bare_case(request):
    """The feedback baseline: one INSERT of a case, nothing routed, checked or timed."""
    area_id = int(request.GET["area"])
    now = timezone.now()
    Case.objects.create(
        kind="hazard",
        category_id=_bare_category(),
        text="楼道里有人拉线给电动车充电",
        source=Case.Source.OTHER,
        source_note="bench-bare",
        area_id=area_id,
        responsible_area_id=area_id,
        # Closed as it is made: thousands of baseline rows must not become open, overdue
        # cases for the deadline benchmark that follows.
        status=Case.Status.CLOSED,
        closed_at=now,
        due_at=now,
    )
    return JsonResponse({"ok": True}, status=201)


def _bare_category(cache={}):  # noqa: B006 - the category is read once per process
    if "pk" not in cache:
        cache["pk"] = FeedbackCategory.objects.get(area=None, code="flying-wire").pk
    return cache["pk"]


urlpatterns = [
    path("bench/bare-insert/", bare_insert),
    path("bench/bare-case/", bare_case),
    path("", include("config.urls")),
]
