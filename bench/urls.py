"""The project's URLs plus the baseline of the check-in benchmark: a bare Django view that
does one INSERT of a check-in (no session, no checks), measured in the same run."""

import random

from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

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


urlpatterns = [
    path("bench/bare-insert/", bare_insert),
    path("", include("config.urls")),
]
