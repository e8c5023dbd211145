"""The estate quick pass on the phone. A worker scans a gate's poster: the first time they
fill in (prefilled from their registration), agree to exactly what the property company
sees and for how long, and their pass is on the screen; for the pass's days after that,
the scan and one tap. The guard opens /m/guard/, scans or types the code and reads valid
or not valid with the masked name, employer and occupation."""

import segno
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.forms import show_refusal
from core.masking import mask_name
from core.ratelimit import client_ip
from members import phone_login
from members.models import Occupation

from . import selectors, services
from .forms import ConsentForm, GuardCheckForm, ObjectionForm, PassDetailsForm
from .models import EstatePass, Gate

# The fill-in step's answers wait here for the consent step (the pass is made only when
# the worker agrees).
SESSION_DRAFT = "estates_draft"
SESSION_GUARD_GATE = "estates_guard_gate"


def _gate_or_404(token: str) -> Gate:
    gate = services.gate_for_token(token)
    if gate is None:
        raise Http404(_("This gate code is out of date, or the estate does not take passes now."))
    return gate


def _prefill(request) -> dict:
    """The worker's registration, where they have one."""
    worker = phone_login.current_worker(request)
    if worker is None:
        return {}
    return {
        "name": worker.name,
        "employer": worker.enterprise.name if worker.enterprise_id else "",
        "platform": worker.platform,
        "occupation": worker.occupation,
    }


DETAILS = ("name", "employer", "platform", "occupation")


@require_http_methods(["GET", "POST"])
def gate_entry(request, token: str):
    """Scanning a gate's poster: the pass in one tap while it lasts, else step 1 of 3 —
    fill in (with the phone's number and code on the same page when it is not logged in)."""
    gate = _gate_or_404(token)
    phone = phone_login.signed_in_phone(request)
    estate_pass = services.live_pass(phone=phone, estate=gate.estate) if phone else None
    if estate_pass is not None and request.method == "GET" and not request.GET.get("again"):
        return render(
            request, "mobile/estate_gate.html", {"gate": gate, "estate_pass": estate_pass}
        )
    form = PassDetailsForm(
        request.POST or None, phone_verified=bool(phone), initial=_prefill(request)
    )
    if request.method == "POST" and request.POST.get("action") == "send_code" and not phone:
        # Without the page's script, "send me a code" posts the form: the code goes out and
        # the page comes back with what was typed.
        try:
            phone_login.login_code_send(
                phone=(request.POST.get("phone") or "").strip(), ip=client_ip(request)
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.info(request, phone_login.code_sent_message())
        form = PassDetailsForm(initial={**request.POST.dict(), "code": ""})
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The answers first: refusing them after the code is checked would spend it.
            details = services.pass_details_check(
                estate=gate.estate, **{key: data[key] for key in DETAILS}
            )
            if not phone:
                phone = phone_login.login_code_verify(phone=data["phone"], code=data["code"])
                phone_login.sign_in(request, phone)
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            request.session[SESSION_DRAFT] = {"estate": gate.estate_id, **details}
            return redirect("mobile-estate-consent", token=token)
    suspended = (
        EstatePass.objects.filter(
            estate=gate.estate, phone=phone, status=EstatePass.Status.SUSPENDED
        ).first()
        if phone
        else None
    )
    return render(
        request,
        "mobile/estate_fill_in.html",
        {"gate": gate, "form": form, "suspended": suspended, "signed_in": bool(phone)},
    )


@phone_login.worker_login_required
@require_http_methods(["GET", "POST"])
def gate_consent(request, token: str):
    """Step 2 of 3: what the property company will see, for how long — agree, and the
    pass is made."""
    gate = _gate_or_404(token)
    draft = request.session.get(SESSION_DRAFT) or {}
    if draft.get("estate") != gate.estate_id:
        return redirect("mobile-estate-gate", token=token)
    form = ConsentForm(request.POST or None, initial={"consent_version": services.CONSENT_VERSION})
    if request.method == "POST" and form.is_valid():
        try:
            estate_pass = services.pass_authorise(
                phone=phone_login.signed_in_phone(request),
                estate=gate.estate,
                worker=phone_login.current_worker(request),
                consent_version=form.cleaned_data["consent_version"],
                **{key: draft[key] for key in DETAILS},
            )
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            request.session.pop(SESSION_DRAFT, None)
            return redirect(
                reverse("mobile-estate-pass", args=[estate_pass.pk]) + f"?gate={gate.pk}"
            )
    return render(
        request,
        "mobile/estate_consent.html",
        {
            "gate": gate,
            "form": form,
            "draft": draft,
            "consent_text": services.consent_text(gate.estate),
            "masked_name": mask_name(draft.get("name", "")),
            "occupation_label": Occupation(draft["occupation"]).label,
        },
    )


def _own_pass(request, pass_id: int) -> EstatePass:
    phone = phone_login.signed_in_phone(request)
    estate_pass = selectors.passes_of_phone(phone).filter(pk=pass_id).first() if phone else None
    if estate_pass is None:
        raise Http404
    return estate_pass


def _code_payload(request, estate_pass: EstatePass, *, opened: bool) -> dict:
    """The code now, its QR (the guard's page with the code) and its seconds left. The
    pass opened on the phone is noted (the wait at the gate counts from it); the script's
    refresh every 30 s is not, or the wait would never count more than 30 s."""
    if opened:
        code = services.pass_show(phone=estate_pass.phone, estate_pass=estate_pass)
    else:
        code = services.pass_code(estate_pass)
    url = request.build_absolute_uri(reverse("mobile-guard") + f"?code={code}")
    return {
        "code": code,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#111"),
        "seconds_left": services.seconds_left(),
    }


@phone_login.worker_login_required
def pass_page(request, pass_id: int):
    """Step 3 of 3, and every visit after: the pass, its code changing every 30 seconds."""
    estate_pass = _own_pass(request, pass_id)
    now = timezone.now()
    usable = estate_pass.works_at(now)
    context = {
        "estate_pass": estate_pass,
        "usable": usable,
        "masked_name": mask_name(estate_pass.name),
        "days_left": max(0, (estate_pass.expires_at - now).days),
    }
    if usable:
        context.update(_code_payload(request, estate_pass, opened=True))
    return render(request, "mobile/estate_pass.html", context)


@phone_login.worker_login_required
def pass_code_json(request, pass_id: int):
    """The next code, fetched by the pass page's script when the last one runs out."""
    estate_pass = _own_pass(request, pass_id)
    if not estate_pass.works_at(timezone.now()):
        return JsonResponse({"error": _("This pass does not work now.")}, status=410)
    return JsonResponse(_code_payload(request, estate_pass, opened=False))


@phone_login.worker_login_required
def my_passes(request):
    phone = phone_login.signed_in_phone(request)
    return render(
        request,
        "mobile/estate_passes.html",
        {
            "passes": selectors.passes_of_phone(phone),
            "now": timezone.now(),
            "objection_form": ObjectionForm(),
        },
    )


@phone_login.worker_login_required
@require_POST
def pass_object(request, pass_id: int):
    estate_pass = _own_pass(request, pass_id)
    form = ObjectionForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Say why you think the suspension is wrong."))
        services.pass_contest(
            phone=estate_pass.phone, estate_pass=estate_pass, text=form.cleaned_data["text"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your objection is with the community; you will hear back."))
    return redirect("mobile-estate-passes")


@phone_login.worker_login_required
@require_POST
def pass_delete(request, pass_id: int):
    estate_pass = _own_pass(request, pass_id)
    name = estate_pass.estate.name
    services.pass_delete(phone=estate_pass.phone, estate_pass=estate_pass)
    messages.success(request, _("Your pass for %(estate)s is deleted.") % {"estate": name})
    return redirect("mobile-estate-passes")


# The guard ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def guard(request):
    """The guard's page: scan (the code's QR opens this page with ?code=) or type the code,
    and read the answer in large type. Staff log in through the admin's login."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('admin:login')}?next={request.get_full_path()}")
    gates = list(services.gates_guarded_by(request.user))
    if not gates:
        raise Http404(_("You do not check passes at any gate."))
    chosen = request.session.get(SESSION_GUARD_GATE)
    if chosen not in {gate.pk for gate in gates}:
        chosen = gates[0].pk
    form = GuardCheckForm(
        request.POST or None,
        gates=gates,
        initial={"gate": chosen, "code": request.GET.get("code", "")},
    )
    answer = None
    if request.method == "POST" and form.is_valid():
        gate = next(gate for gate in gates if gate.pk == form.cleaned_data["gate"])
        try:
            entry = services.pass_check(
                actor=request.user, gate=gate, code=form.cleaned_data["code"]
            )
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            request.session[SESSION_GUARD_GATE] = gate.pk
            answer = services.guard_view_of(entry)
            form = GuardCheckForm(gates=gates, initial={"gate": gate.pk})
    return render(
        request,
        "mobile/estate_guard.html",
        {"form": form, "answer": answer, "auto_submit": bool(request.GET.get("code"))},
    )
