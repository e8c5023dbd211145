"""The worker's points on the phone: balance and history with reasons."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from members import phone_login

from . import selectors

ENTRIES_PER_PAGE = 20


@phone_login.registered_worker_required
@require_GET
def my_points(request, worker):
    page = Paginator(selectors.history_of(worker), ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mobile/points.html",
        {"worker": worker, "balance": selectors.balance_of(worker), "page": page},
    )
