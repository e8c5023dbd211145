"""Forms of the station pages: the worker's check-in (签到) on the phone."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.coords import CoordSystem

from .models import CheckIn
from .services import SharedLocation


class CheckInForm(forms.Form):
    """What the check-in page sends, as a form post (no script) or as JSON from the
    page's script (online, or replayed from the phone's offline queue with made_at)."""

    services = forms.MultipleChoiceField(
        label=_("What did you use?"),
        choices=CheckIn.Service.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # Made when the page is shown: the same tap sent twice (a double tap, a retry, the
    # offline copy) is one check-in.
    client_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False)
    lng = forms.FloatField(widget=forms.HiddenInput, required=False)
    accuracy = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=0)
    system = forms.ChoiceField(
        widget=forms.HiddenInput,
        choices=[(s.value, s.value) for s in CoordSystem],
        required=False,
    )
    made_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)

    def location(self) -> SharedLocation | None:
        data = self.cleaned_data
        if data.get("lat") is None or data.get("lng") is None:
            return None
        return SharedLocation(
            lng=data["lng"],
            lat=data["lat"],
            accuracy_m=data.get("accuracy"),
            system=data.get("system") or CoordSystem.WGS84,
        )
