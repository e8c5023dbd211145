"""The party member's phone page: 双报到, the party half. Thin: the form collects, the
services decide (party.services)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from core.forms import show_refusal
from members import phone_login
from members.phone_login import worker_login_required

from . import services
from .forms import RevealForm
from .models import PartyMember


@worker_login_required
@require_http_methods(["GET", "POST"])
def party(request):
    """双报到, the party half: a party member reveals their identity (亮明身份) and reports
    to their work community (到社区报到)."""
    worker = phone_login.current_worker(request)
    if worker is None:
        return redirect("mobile-register")
    member = (
        PartyMember.objects.filter(worker=worker)
        .select_related("reported_to", "membership_org")
        .first()
    )
    initial = {}
    if member is not None:
        initial = {
            name: getattr(member, name)
            for name in (
                "standing",
                "registration",
                "membership_org_name",
                "membership_org_place",
                "joined_on",
            )
        }
        if member.membership_org_id:
            initial["membership_org_name"] = member.membership_org.name
    form = RevealForm(
        request.POST if request.POST.get("action") == "reveal" else None, initial=initial
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "report" and member is not None:
                services.party_member_report(member=member, community=worker.area)
                messages.success(
                    request,
                    _("You have reported to %(community)s.") % {"community": worker.area.name},
                )
                return redirect("mobile-party")
            if form.is_valid():
                services.party_member_reveal(
                    worker=worker,
                    details=form.details(),
                    sensitive_consent=form.cleaned_data["sensitive_consent"],
                )
                messages.success(request, _("Thank you for revealing your party membership."))
                return redirect("mobile-party")
        except ApplicationError as error:
            show_refusal(form, error)
            if not form.is_bound:
                messages.error(request, error.message)
    return render(
        request,
        "mobile/party.html",
        {
            "worker": worker,
            "member": member,
            "form": form,
            "needs_consent": not worker.sensitive_consent_at,
        },
    )
