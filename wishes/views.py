"""Wishes on the phone: a worker posts one (/m/wishes/new/) and follows their own
(/m/me/wishes/); anyone browses the wall (/m/wishes/, masked, no login); a donor signed in
with the SMS login keeps a profile (/m/donor/), claims a wish on its page
(/m/wishes/<id>/) and follows their claims (/m/me/claims/)."""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import private_files, wechat
from core.exceptions import ApplicationError
from core.forms import show_refusal
from members import phone_login

from . import selectors, services
from .forms import ClaimForm, DonorForm, ThanksForm, WallFilterForm, WishForm
from .models import Claim, Donor, Wish, WishCategory

WALL_PAGE_SIZE = 20


def _wants_json(request) -> bool:
    """Sent by the page's script (form-queue.js): a wish written offline and replayed, or
    the form sent in the background so that a dropped network keeps it on the phone."""
    return "application/json" in request.headers.get("Accept", "")


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("The wish could not be sent.")


@phone_login.registered_worker_required
@require_http_methods(["GET", "POST"])
def wish_new(request, worker):
    categories = services.categories_for(worker.area)
    data = request.POST if request.method == "POST" else None
    form = WishForm(data, request.FILES or None, categories=categories)
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
                photo=data.get("photo"),
            )
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                _("Thank you! %(community)s will read your wish and publish it for donors.")
                % {"community": worker.area.name},
            )
            if _wants_json(request):
                return JsonResponse({"next": reverse("mobile-my-wishes")}, status=201)
            return redirect("mobile-my-wishes")
    if request.method == "POST" and _wants_json(request):
        return JsonResponse({"error": _first_error(form)}, status=400)
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
        {"wishes": selectors.wishes_of(worker), "withdrawable": services.WITHDRAWABLE},
    )


@phone_login.registered_worker_required
@require_http_methods(["GET", "POST"])
def my_wish(request, wish_id: int, worker):
    """One of the worker's own wishes: its state and history, the donor's word, the pickup
    code and its QR code for the keeper's counter, and "I have it" with a thank-you."""
    wish = selectors.wishes_of(worker).filter(pk=wish_id).first()
    if wish is None:
        raise Http404
    claim = next(iter(wish.live_claims), None)
    form = ThanksForm(request.POST or None)
    if request.method == "POST" and claim is not None and form.is_valid():
        try:
            services.claim_confirm(worker=worker, claim=claim, thanks=form.cleaned_data["thanks"])
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Wonderful! We will pass your thanks on."))
            return redirect("mobile-my-wish", wish.pk)
    qr_svg = ""
    if claim is not None and claim.status == Claim.Status.CLAIMED:
        counter = reverse("admin:wishes_claim_hand_over") + f"?pickup_code={claim.pickup_code}"
        qr_svg = segno.make(request.build_absolute_uri(counter), error="m").svg_inline(
            scale=6, border=2
        )
    return render(
        request,
        "mobile/my_wish.html",
        {"wish": wish, "claim": claim, "form": form, "qr_svg": qr_svg},
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


# The wall and donors ---------------------------------------------------------------------------


@require_http_methods(["GET"])
def wall(request):
    """Published wishes anyone may browse, masked; a choice the form does not know (an old
    link, a typed address) is dropped rather than refused."""
    choices = WallFilterForm(
        request.GET,
        districts=selectors.wall_districts(),
        categories=WishCategory.objects.filter(active=True),
    )
    choices.is_valid()
    chosen = choices.cleaned_data
    wishes = selectors.wall(area=chosen.get("area"), category=chosen.get("category"))
    page = Paginator(wishes, WALL_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mobile/wishes_wall.html",
        {"choices": choices, "page": page, "donor": _signed_in_donor(request)},
    )


def _signed_in_donor(request) -> Donor | None:
    return selectors.donor_of_phone(phone_login.signed_in_phone(request))


@require_http_methods(["GET", "POST"])
def wish_page(request, wish_id: int):
    """One wish of the wall and, while it is published, its claim form: claiming needs the
    SMS login and a donor profile, and comes back here after each."""
    wish = selectors.wish_in_public(wish_id)
    if wish is None:
        raise Http404
    here = request.get_full_path()
    donor = _signed_in_donor(request)
    form = None
    stations = selectors.handover_stations(wish)
    if wish.status == Wish.Status.PUBLISHED and stations.exists():
        form = ClaimForm(
            request.POST if request.method == "POST" else None, wish=wish, stations=stations
        )
    if request.method == "POST":
        if not phone_login.signed_in_phone(request):
            return redirect(f"{reverse('mobile-login')}?{urlencode({'next': here})}")
        if donor is None:
            return redirect(f"{reverse('mobile-donor')}?{urlencode({'then': here})}")
        if form is None:
            messages.error(request, _("This wish is not open for claims any more."))
            return redirect(here)
        if form.is_valid():
            try:
                services.claim_make(
                    donor=donor,
                    wish=wish,
                    station=form.cleaned_data["station"],
                    quantities=form.quantities(),
                    message=form.cleaned_data["message"],
                    client_key=form.cleaned_data["client_key"],
                )
            except ApplicationError as error:
                show_refusal(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you! The wish is yours to make come true: bring the gift to "
                        "%(station)s before the date on your claim."
                    )
                    % {"station": form.cleaned_data["station"].name},
                )
                return redirect("mobile-my-claims")
    return render(request, "mobile/wish_public.html", {"wish": wish, "form": form, "donor": donor})


@phone_login.worker_login_required(ask_consent=False)
@require_http_methods(["GET", "POST"])
def donor_profile(request):
    """The donor's own profile: who gives, and where (its staff verify an organisation)."""
    phone = phone_login.signed_in_phone(request)
    donor = selectors.donor_of_phone(phone)
    initial = {}
    if donor is not None:
        initial = {
            "kind": donor.kind,
            "name": donor.name,
            "organisation_kind": donor.organisation_kind,
            "contact_name": donor.contact_name,
            "area": donor.area,
            "consent": True,
        }
    form = DonorForm(request.POST or None, initial=initial, areas=selectors.donor_areas())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.donor_profile_save(
                phone=phone,
                profile=services.DonorProfile(
                    kind=data["kind"],
                    name=data["name"],
                    area=data["area"],
                    organisation_kind=data["organisation_kind"],
                    contact_name=data["contact_name"],
                ),
            )
        except ApplicationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved. Thank you for giving."))
            return redirect(phone_login.safe_next(request, reverse("mobile-wishes"), param="then"))
    return render(request, "mobile/donor.html", {"form": form, "donor": donor})


@phone_login.worker_login_required(ask_consent=False)
@require_POST
def donor_delete(request):
    """The donor deletes their profile: what they still hold goes back to the wall."""
    if services.donor_erase(phone=phone_login.signed_in_phone(request)) is not None:
        messages.success(
            request,
            _("Your donor profile is deleted. Thank you for the wishes you made come true."),
        )
    return redirect("mobile-wishes")


@phone_login.worker_login_required(ask_consent=False)
@require_http_methods(["GET"])
def my_claims(request):
    donor = _signed_in_donor(request)
    if donor is None:
        return redirect(f"{reverse('mobile-donor')}?{urlencode({'then': request.path})}")
    return render(
        request,
        "mobile/my_claims.html",
        {"donor": donor, "claims": selectors.claims_of(donor), "live": Claim.Status.CLAIMED},
    )


@phone_login.worker_login_required(ask_consent=False)
@require_POST
def claim_cancel(request, claim_id: int):
    donor = _signed_in_donor(request)
    try:
        if donor is None:
            raise ApplicationError(_("This is not one of your claims."))
        services.claim_cancel(claim=Claim(pk=claim_id), donor=donor)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your claim is taken back: the wish is on the wall again."))
    return redirect("mobile-my-claims")


# Follow-up stories ------------------------------------------------------------------------


@require_http_methods(["GET"])
def stories(request):
    page = Paginator(selectors.stories_published(), WALL_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "mobile/wish_stories.html", {"page": page})


@require_http_methods(["GET"])
def story_page(request, story_id: int):
    """A story anyone may read and share: its title, image and description tags make the
    share card; inside WeChat, the official account's signature (core.wechat) lets the
    JS-SDK set the same card."""
    story = selectors.story_in_public(story_id)
    if story is None:
        raise Http404
    here = request.build_absolute_uri()
    image = ""
    if story.photo:
        image = request.build_absolute_uri(private_files.url_for(story.photo.name))
    share = {
        "title": story.title,
        "desc": story.body[:80],
        "link": here,
        "imgUrl": image,
        "config": wechat.share_config(here),
    }
    return render(
        request,
        "mobile/wish_story.html",
        {
            "story": story,
            "image": image,
            "share": share,
            "jssdk_url": settings.WECHAT_JSSDK_URL if share["config"] else "",
        },
    )
