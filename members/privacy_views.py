"""The worker's rights over their data, on the phone (PIPL arts. 44–47): see and download
what the platform holds and who may see it (/m/me/data/), agree to a new privacy notice or
withdraw the separate consent to sensitive data (/m/me/consent/), ask for the account to
be deleted or cancel that (/m/me/delete/). Thin: services.privacy decides.

Reading, downloading and deleting do not wait for the worker to agree to a new notice:
those are rights whether or not they agree (phone_login: ask_consent=False)."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError
from core.forms import show_refusal

from . import personal_data, phone_login, services
from .forms import DeletionRequestForm
from .models import DeletionRequest
from .phone_login import safe_next

# Records shown per kind on the page; the download has them all.
PAGE_RECORDS = 30


def _worker_or_register(request):
    worker = phone_login.current_worker(request)
    return worker, (None if worker is not None else redirect("mobile-register"))


@phone_login.worker_login_required(ask_consent=False)
@require_GET
def my_data(request):
    worker, elsewhere = _worker_or_register(request)
    if elsewhere:
        return elsewhere
    holdings = personal_data.my_data(worker)
    rules = personal_data.retention_rules()
    if request.GET.get("download") == "json":
        payload = {
            "downloaded_at": timezone.localtime().isoformat(timespec="seconds"),
            "privacy_notice_version": services.current_notice_version(),
            "data": [holding.as_json() for holding in holdings],
            "retention": [{"what": str(r.what), "rule": r.describe()} for r in rules],
        }
        response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 1})
        filename = f"my-data-{timezone.localdate():%Y%m%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
    shown = [
        (holding, holding.records[:PAGE_RECORDS], max(len(holding.records) - PAGE_RECORDS, 0))
        for holding in holdings
    ]
    return render(
        request, "mobile/my_data.html", {"worker": worker, "holdings": shown, "rules": rules}
    )


@phone_login.worker_login_required(ask_consent=False)
@require_http_methods(["GET", "POST"])
def consent(request):
    worker, elsewhere = _worker_or_register(request)
    if elsewhere:
        return elsewhere
    next_url = safe_next(request, reverse("mobile-me"))
    action = request.POST.get("action")
    if request.method == "POST" and action == "accept":
        try:
            services.notice_accept(worker=worker, version=request.POST.get("notice_version", ""))
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Thank you. You have agreed to the privacy notice."))
            return redirect(next_url)
    elif request.method == "POST" and action == "withdraw":
        try:
            services.sensitive_consent_withdraw(worker=worker)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Done. Your political status has been removed and will not be kept."),
            )
            return redirect("mobile-consent")
    elif request.method == "POST":
        messages.error(request, _("Choose one of the buttons on the page."))
    return render(
        request,
        "mobile/consent.html",
        {
            "worker": worker,
            "needs_notice": not phone_login.notice_settled(request),
            "notice_version": services.current_notice_version(),
            "next": next_url,
        },
    )


@phone_login.worker_login_required(ask_consent=False)
@require_http_methods(["GET", "POST"])
def delete_account(request):
    worker, elsewhere = _worker_or_register(request)
    if elsewhere:
        return elsewhere
    requests = worker.deletion_requests.order_by("-created_at", "-pk")
    pending = requests.filter(status=DeletionRequest.Status.PENDING).first()
    form = DeletionRequestForm(request.POST if request.POST.get("action") == "ask" else None)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        if pending is None:
            messages.info(request, _("There is no request waiting to cancel."))
            return redirect("mobile-delete")
        try:
            services.deletion_request_cancel(worker=worker, request=pending)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your request was cancelled. Your account stays."))
        return redirect("mobile-delete")
    if form.is_bound and form.is_valid():
        try:
            services.deletion_request_create(worker=worker, note=form.cleaned_data["note"])
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request, _("Your request was sent. The community will answer by the date shown.")
            )
            return redirect("mobile-delete")
    return render(
        request,
        "mobile/delete_account.html",
        {"worker": worker, "pending": pending, "latest": requests.first(), "form": form},
    )
