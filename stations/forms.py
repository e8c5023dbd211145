"""Forms of the station pages: the worker's check-in (签到) on the phone, as a form post
or as the page script's JSON."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.coords import CoordSystem
from core.exceptions import ApplicationError
from members.forms import CodeForm, PhoneForm

from .models import CheckIn
from .services import SharedLocation


class CheckInForm(forms.Form):
    """What the check-in page sends, as a form post (no script) or as JSON from the
    page's script (online, or replayed from the phone's offline queue with made_at)."""

    services = forms.MultipleChoiceField(
        label=gettext_lazy("What did you use?"),
        choices=CheckIn.Service.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # Made when the page is shown, and made again on the phone at each tap by
    # check-in.js (a page opened from the phone's cache carries an old one): the same tap
    # sent twice (a double tap, a retry, the offline copy) is one check-in.
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


@dataclass(frozen=True)
class CheckInRequest:
    services: list
    client_key: uuid.UUID
    location: SharedLocation | None
    made_at: dt.datetime | None


def check_in_from_json(body) -> CheckInRequest:
    """The page script's JSON body (the same fields as CheckInForm), read without a Django
    form: this is the platform's busiest endpoint and the form's machinery was a tenth of
    its time (BENCHMARKS.md). Only types are checked here; the rules are the service's."""
    if not isinstance(body, dict):
        raise ApplicationError(_("This check-in could not be read."))
    wrong = {}
    services = body.get("services") or []
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        wrong["services"] = [_("Choose services from the list.")]
    try:
        client_key = uuid.UUID(str(body.get("client_key") or ""))
    except ValueError:
        client_key = None
        wrong["client_key"] = [_("This check-in has no valid key: reload the page.")]
    numbers = {}
    for name in ("lat", "lng", "accuracy"):
        value = body.get(name)
        try:
            numbers[name] = None if value in (None, "") else float(value)
        except (TypeError, ValueError):
            wrong[name] = [_("Enter a number.")]
    system = body.get("system") or CoordSystem.WGS84
    if system not in CoordSystem.__members__.values():
        wrong["system"] = [_("Unknown coordinate system.")]
    made_at = body.get("made_at")
    if made_at not in (None, ""):
        made_at = parse_datetime(str(made_at))
        if made_at is None:
            wrong["made_at"] = [_("Enter a date and time.")]
        elif timezone.is_naive(made_at):
            made_at = timezone.make_aware(made_at)
    else:
        made_at = None
    if wrong:
        raise ApplicationError(_("This check-in could not be read."), fields=wrong)
    location = None
    if numbers["lat"] is not None and numbers["lng"] is not None:
        location = SharedLocation(
            lng=numbers["lng"], lat=numbers["lat"], accuracy_m=numbers["accuracy"], system=system
        )
    return CheckInRequest(services, client_key, location, made_at)


class FirstCheckInForm(forms.Form):
    """A first check-in on the phone (issue 14 §2), on one page: the phone and the code sent
    to it (left out when the phone is already logged in), a name, and the privacy notice —
    what checking in needs, nothing more. Registering with the community (报到) is offered
    afterwards, on /m/me."""

    phone = PhoneForm.base_fields["phone"]
    code = CodeForm.base_fields["code"]
    # Asked on this page whoever the phone turns out to be: asking only when the phone has
    # no record would tell anyone typing numbers which ones are known, and refusing a
    # missing name after the code is checked would spend the code. A record the phone
    # already has keeps its own name.
    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=50,
        error_messages={"required": gettext_lazy("Write your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        label=gettext_lazy("I have read the privacy notice and agree to it."),
        error_messages={
            "required": gettext_lazy("Please read the privacy notice and agree to check in.")
        },
    )
    notice_version = forms.CharField(widget=forms.HiddenInput)
    client_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, phone_verified: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if phone_verified:  # logged in by code already: the phone is known and verified
            del self.fields["phone"], self.fields["code"]
