"""A worker's wishes on the phone: posting one (/m/wishes/new/), and their own with each
one's state and the community's word (/m/me/wishes/)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.forms import show_refusal
from members import phone_login

from . import selectors, services
from .forms import WishForm
from .models import Wish


@phone_login.registered_worker_required
@require_http_methods(["GET", "POST"])
def wish_new(request, worker):
    categories = services.categories_for(worker.area)
    form = WishForm(request.POST or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.wish_post(
                worker=worker,
                category=data["category"],
                text=data["text"],
                value=data["value"],
                story_consent=data["story_consent"],
                client_key=data["client_key"],
            )
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                _("Thank you! %(community)s will read your wish and publish it for donors.")
                % {"community": worker.area.name},
            )
            return redirect("mobile-my-wishes")
    return render(
        request,
        "mobile/wish_new.html",
        {"form": form, "rules": services.rules_for(worker.area), "worker": worker},
    )


@phone_login.registered_worker_required
@require_http_methods(["GET"])
def my_wishes(request, worker):
    return render(
        request,
        "mobile/my_wishes.html",
        {"wishes": selectors.wishes_of(worker), "open": services.OPEN},
    )


@phone_login.registered_worker_required
@require_POST
def wish_withdraw(request, wish_id: int, worker):
    wish = Wish(pk=wish_id)
    try:
        services.wish_withdraw(worker=worker, wish=wish)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Withdrawn. You may make another wish."))
    return redirect("mobile-my-wishes")
