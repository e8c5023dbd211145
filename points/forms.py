"""Forms of the worker's reward pages."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _


class RedeemForm(forms.Form):
    station = forms.ModelChoiceField(
        label=_("Pick it up at"), queryset=None, widget=forms.RadioSelect, empty_label=None
    )
    # Made when the page is shown: a double-tapped button redeems once.
    client_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, reward, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = reward.pickup_stations.all()
