"""The keeper's counter (柜台) in the admin, shared by everything handed over on a pickup
code at a station — a reward redeemed with points, a micro-wish's gift.

The worker's phone shows the code as text and as a QR code of the counter's address with
the code filled in: scanning it opens the counter showing what is waiting and for whom
(masked), and one click hands it over; typing the code works the same. What the code
finds, and the handing over itself, go through the choke point in the app's own selector
and service: a keeper sees only codes of the stations they keep.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from core.forms import show_refusal

from . import access


class PickupCodeForm(forms.Form):
    pickup_code = forms.CharField(
        label=_("Pickup code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
        help_text=_("Scan the worker's QR code, or type the 8 characters."),
    )


class PickupCounterMixin:
    """A ModelAdmin's counter page at <changelist>/hand-over/ (URL name
    "<app>_<model>_hand_over"). The admin says what a code finds and how it is handed over."""

    counter_title = ""
    counter_template = ""  # shows `waiting` (before) and `handed` (after)

    def counter_waiting(self, request, pickup_code: str):
        """What the code names, still waiting and within the user's reach, or None."""
        raise NotImplementedError

    def counter_hand_over(self, request, pickup_code: str):
        """Hands it over (the app's service); returns what was handed over."""
        raise NotImplementedError

    def counter_done_message(self, handed) -> str:
        raise NotImplementedError

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_hand_over"
        return [
            path("hand-over/", self.admin_site.admin_view(self.hand_over_view), name=name),
            *super().get_urls(),
        ]

    def hand_over_view(self, request):
        if not access.reach_of(request.user).can_write_anything():
            raise PermissionDenied
        form = PickupCodeForm(request.POST or request.GET or None)
        handed = waiting = None
        if request.method == "GET" and form.is_valid():
            # Scanned: show what waits and for whom before the keeper confirms.
            waiting = self.counter_waiting(request, form.cleaned_data["pickup_code"])
        if request.method == "POST" and form.is_valid():
            try:
                handed = self.counter_hand_over(request, form.cleaned_data["pickup_code"])
            except ApplicationError as error:
                show_refusal(form, error)
            else:
                messages.success(request, self.counter_done_message(handed))
                form = PickupCodeForm()
        return TemplateResponse(
            request,
            self.counter_template,
            {
                **self.admin_site.each_context(request),
                "title": self.counter_title,
                "form": form,
                "handed": handed,
                "waiting": waiting,
                "opts": self.model._meta,
            },
        )
