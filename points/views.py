"""The worker's points on the phone: balance and history with reasons, the rewards they
can exchange them for, their pickup codes."""

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError
from core.forms import show_refusal
from members import phone_login

from . import selectors, services
from .forms import RedeemForm

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


# Rewards on the phone ------------------------------------------------------------------------


@phone_login.registered_worker_required
@require_GET
def reward_list(request, worker):
    return render(
        request,
        "mobile/rewards.html",
        {
            "rewards": selectors.catalogue_for(worker),
            "balance": selectors.balance_of(worker),
            "redemptions": selectors.redemptions_of(worker)[:10],
        },
    )


@phone_login.registered_worker_required
@require_http_methods(["GET", "POST"])
def reward_redeem(request, reward_id: int, worker):
    reward = selectors.catalogue_for(worker).filter(pk=reward_id).first()
    if reward is None:
        raise Http404(_("This reward is not offered to you now."))
    form = RedeemForm(request.POST or None, reward=reward)
    if request.method == "POST" and form.is_valid():
        try:
            redemption, _created = services.redeem(
                worker=worker,
                reward=reward,
                station=form.cleaned_data["station"],
                client_key=form.cleaned_data["client_key"],
            )
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            return redirect("mobile-redemption", redemption.pk)
    return render(
        request,
        "mobile/reward.html",
        {"reward": reward, "form": form, "balance": selectors.balance_of(worker)},
    )


@phone_login.registered_worker_required
@require_http_methods(["GET", "POST"])
def redemption_detail(request, redemption_id: int, worker):
    """The pickup code as text and as a QR code for the keeper to scan; cancel."""
    redemption = selectors.redemptions_of(worker).filter(pk=redemption_id).first()
    if redemption is None:
        raise Http404(_("No such redemption."))
    if request.method == "POST":
        try:
            services.redemption_cancel(redemption=redemption, worker=worker)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Cancelled: your points are back."))
        return redirect("mobile-redemption", redemption.pk)
    hand_over_url = request.build_absolute_uri(
        reverse("admin:points_redemption_hand_over") + f"?pickup_code={redemption.pickup_code}"
    )
    return render(
        request,
        "mobile/redemption.html",
        {
            "redemption": redemption,
            "qr_svg": segno.make(hand_over_url, error="m").svg_inline(scale=6, border=2),
        },
    )
