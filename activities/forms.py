"""Forms of the worker's activity pages."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PhoneDateInput

from .models import VolunteerService


class ServiceReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Service"),
        choices=[(k, label) for k, label in VolunteerService.Kind.choices if k != "activity"],
    )
    served_on = forms.DateField(
        label=_("Date"), initial=timezone.localdate, widget=PhoneDateInput()
    )
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    description = forms.CharField(
        label=_("What you did"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
