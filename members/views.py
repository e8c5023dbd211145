"""The worker's phone pages: log in by SMS code, register with a community (报到), see and
correct their own record. Thin: forms collect, services decide (members.services,
members.phone_login)."""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from areas.models import Area
from core.exceptions import ApplicationError
from core.forms import show_refusal
from core.identifiers import is_ascii_digits
from core.ratelimit import client_ip

from . import me_panels, phone_login, services
from .forms import (
    CodeForm,
    CorrectionForm,
    PhoneForm,
    RegisterForm,
)
from .models import COMMUNITY_LEVEL_VALUES, Worker, WorkerTransfer
from .phone_login import safe_next, worker_login_required

COMMUNITY_SEARCH_LIMIT = 30
# The invitation a worker arrived with, kept until they register (or open another).
INVITATION_SESSION_KEY = "invitation_code"


@require_http_methods(["GET", "POST"])
def login(request):
    """Step 1: the phone number → a code is sent. Step 2: the code → logged in."""
    next_url = safe_next(request, reverse("mobile-me"))
    phone_form, code_form = PhoneForm(), None
    if request.method == "POST" and request.POST.get("action") == "verify":
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            try:
                phone = phone_login.login_code_verify(
                    phone=code_form.cleaned_data["phone"], code=code_form.cleaned_data["code"]
                )
            except ApplicationError as error:
                show_refusal(code_form, error)
            else:
                phone_login.sign_in(request, phone)
                return redirect(next_url)
    elif request.method == "POST":
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            try:
                phone_login.login_code_send(
                    phone=phone_form.cleaned_data["phone"], ip=client_ip(request)
                )
            except ApplicationError as error:
                show_refusal(phone_form, error)
            else:
                code_form = CodeForm(initial={"phone": phone_form.cleaned_data["phone"]})
                messages.info(request, phone_login.code_sent_message())
    return render(
        request,
        "mobile/login.html",
        {"phone_form": phone_form, "code_form": code_form, "next": next_url},
    )


@require_POST
def login_code(request):
    """A login code sent from a page's script, the page staying where it is (the first
    check-in asks for the code beside the name): 200 {"message"}, or 400 {"error"} in
    words the page shows as they are."""
    try:
        body = json.loads(request.body or b"{}")
        phone = str(body.get("phone") or "") if isinstance(body, dict) else ""
    except (ValueError, UnicodeDecodeError):
        phone = ""
    try:
        phone_login.login_code_send(phone=phone, ip=client_ip(request))
    except ApplicationError as error:
        return JsonResponse({"error": error.message}, status=400)
    return JsonResponse({"message": phone_login.code_sent_message()})


@require_POST
def logout(request):
    phone_login.sign_out(request)
    messages.info(request, _("You have logged out."))
    return redirect("mobile-home")


def _chosen_area(request) -> Area | None:
    """The work community the worker chose (?area=<code>), or the one of the station whose
    poster they came from (the station's pages link here with its area's code)."""
    code = (request.GET.get("area") or "").strip()
    if is_ascii_digits(code):
        return Area.objects.filter(code=code, level__in=COMMUNITY_LEVEL_VALUES).first()
    return None


def _details_initial(worker: Worker | None) -> dict:
    """The worker's record as form values. The ID number is left out: it is never sent back
    to the page in full (a shared phone, a screenshot); an empty field keeps it."""
    if worker is None:
        return {}
    return {
        "name": worker.name,
        "occupation": worker.occupation,
        "enterprise": worker.enterprise_id,
        "platform": worker.platform,
        "residence_area": worker.residence_area_id,
        "gender": worker.gender,
        "birth_year": worker.birth_year,
        "political_status": worker.political_status,
        "sensitive_consent": bool(worker.sensitive_consent_at),
    }


@worker_login_required
@require_http_methods(["GET", "POST"])
def register(request):
    """报到: the worker registers with a community. A phone already registered resumes its
    record (the service updates it and never duplicates it)."""
    worker = phone_login.current_worker(request)
    invitation = services.invitation_for_registration(request.session.get(INVITATION_SESSION_KEY))
    area = (
        _chosen_area(request)
        or (worker.area if worker else None)
        or (invitation.batch.community if invitation else None)
    )
    if area is None:
        return redirect(f"{reverse('mobile-communities')}?{urlencode({'next': 'register'})}")
    form = RegisterForm(
        request.POST or None,
        area=area,
        initial={**_details_initial(worker), "notice_version": services.PRIVACY_NOTICE_VERSION},
    )
    if request.method == "POST" and form.is_valid():
        details = form.details()
        details.phone = phone_login.signed_in_phone(request)
        try:
            services.worker_register_on_phone(
                details=details,
                notice_version=form.cleaned_data["notice_version"],
                sensitive_consent=form.cleaned_data["sensitive_consent"],
                invitation=invitation,
            )
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            messages.success(
                request,
                _("Thank you! %(community)s will review your registration.")
                % {"community": area.name},
            )
            # ?then= : the page that sent them to register first (a station's check-in).
            return redirect(safe_next(request, reverse("mobile-me"), param="then"))
    return render(
        request,
        "mobile/register.html",
        {
            "form": form,
            "area": area,
            "worker": worker,
            "notice_version": services.PRIVACY_NOTICE_VERSION,
        },
    )


@worker_login_required
@require_http_methods(["GET", "POST"])
def me(request):
    """The worker's own record: status (and the reason if returned), details, history;
    corrections go through worker_correct_own."""
    worker = phone_login.current_worker(request)
    if worker is None:
        return redirect("mobile-register")
    area = _chosen_area(request) or worker.area
    form = CorrectionForm(request.POST or None, area=area, initial=_details_initial(worker))
    if request.method == "POST" and form.is_valid():
        details, given = form.changed_details(worker)
        if not given:
            messages.info(request, _("Nothing was changed."))
            return redirect("mobile-me")
        try:
            updated = services.worker_correct_own(worker=worker, details=details, given=given)
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            if "area" in given and updated.area_id == worker.area_id:
                messages.success(
                    request,
                    _(
                        "Saved. %(new)s has been asked to accept you; until it does, you "
                        "stay registered with %(old)s."
                    )
                    % {"new": area.name, "old": worker.area.name},
                )
            elif "area" in given:
                messages.success(
                    request, _("Saved. Your new community will review your registration.")
                )
            else:
                messages.success(request, _("Your details were saved."))
            return redirect("mobile-me")
    return render(
        request,
        "mobile/me.html",
        {
            "worker": worker,
            "form": form,
            "area": area,
            "area_changed": area.pk != worker.area_id,
            "history": worker.status_changes.all(),
            "transfers": worker.transfers.select_related("from_area", "to_area"),
            "waiting_transfer": worker.transfers.filter(
                status=WorkerTransfer.Status.PENDING
            ).first(),
            "unread_messages": worker.messages.filter(read_at__isnull=True).count(),
            # Check-ins, points, activities: what the apps above registered (me_panels).
            "panels": me_panels.render(request, worker),
        },
    )


@worker_login_required
@require_POST
def withdraw_transfer(request):
    """The worker takes back the move to another community they asked for."""
    worker = phone_login.current_worker(request)
    if worker is None:
        return redirect("mobile-register")
    try:
        services.transfer_withdraw(worker=worker)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Withdrawn: you stay registered with %(community)s.")
            % {"community": worker.area.name},
        )
    return redirect("mobile-me")


@require_http_methods(["GET"])
def communities(request):
    """Choosing the work community: search by name, or open the division tree level by
    level. Choosing one goes back to the page that asked (register or me)."""
    back = "mobile-me" if request.GET.get("next") == "me" else "mobile-register"
    query = (request.GET.get("q") or "").strip()
    parent = Area.objects.filter(code=(request.GET.get("parent") or "").strip()).first()
    areas = Area.objects.select_related("parent__parent__parent__parent").annotate(
        has_children=Exists(Area.objects.filter(parent=OuterRef("pk")))
    )
    if query:
        areas = areas.filter(level__in=COMMUNITY_LEVEL_VALUES, name__icontains=query)
        areas = areas.order_by("code")[:COMMUNITY_SEARCH_LIMIT]
    elif parent is not None:
        areas = areas.filter(parent=parent).order_by("code")
    else:
        areas = areas.filter(parent__isnull=True).order_by("code")
    return render(
        request,
        "mobile/communities.html",
        {
            "areas": areas,
            "query": query,
            "parent": parent,
            "back": reverse(back),
            "next": request.GET.get("next", "register"),
            "choosable": COMMUNITY_LEVEL_VALUES,
        },
    )


@require_http_methods(["GET"])
def invitation(request, code: str = ""):
    """Where an invitation's link or QR code leads (喊你回家): the campaign's message and a
    way to register with the community it invites to. Typing the code from a letter at
    /m/i/?code=… works the same. The opening is counted; the code is kept in the session
    so the registration that follows is credited to it."""
    code = code or request.GET.get("code", "")
    if not code:
        return render(request, "mobile/invitation_code.html")
    opened = services.invitation_open(code)
    if opened is None:
        return render(request, "mobile/invitation_code.html", {"code": code}, status=404)
    campaign = opened.batch.campaign
    running = campaign.status == campaign.Status.ACTIVE
    if running:
        request.session[INVITATION_SESSION_KEY] = opened.code
    worker = phone_login.current_worker(request) if phone_login.signed_in_phone(request) else None
    return render(
        request,
        "mobile/invitation.html",
        {
            "invitation": opened,
            "campaign": campaign,
            "community": opened.batch.community,
            "running": running,
            "worker": worker,
        },
    )


@require_http_methods(["GET"])
def privacy_notice(request):
    return render(
        request, "mobile/privacy.html", {"notice_version": services.PRIVACY_NOTICE_VERSION}
    )


@phone_login.registered_worker_required
@require_http_methods(["GET", "POST"])
def change_phone(request, worker):
    """A new phone number, proved by a code sent to it (as the login is); the session
    goes on under the new number. A worker who lost the old phone cannot log in to get
    here: their community's staff change it in the admin."""
    phone_form, code_form = PhoneForm(), None
    if request.method == "POST" and request.POST.get("action") == "verify":
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            try:
                phone = phone_login.login_code_verify(
                    phone=code_form.cleaned_data["phone"], code=code_form.cleaned_data["code"]
                )
                services.worker_phone_change(worker=worker, new_phone=phone)
            except ApplicationError as error:
                show_refusal(code_form, error)
            else:
                phone_login.sign_in(request, phone)
                messages.success(request, _("Your number is changed: log in with it from now on."))
                return redirect("mobile-me")
    elif request.method == "POST":
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            try:
                new_phone = services.worker_phone_check(
                    worker=worker, new_phone=phone_form.cleaned_data["phone"]
                )
                phone_login.login_code_send(phone=new_phone, ip=client_ip(request))
            except ApplicationError as error:
                show_refusal(phone_form, error)
            else:
                code_form = CodeForm(initial={"phone": new_phone})
                messages.info(request, phone_login.code_sent_message())
    return render(
        request,
        "mobile/change_phone.html",
        {"worker": worker, "phone_form": phone_form, "code_form": code_form},
    )
