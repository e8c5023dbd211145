"""The worker's wish form on the phone (/m/wishes/new/)."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Wish


class WishForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("What kind of wish"), queryset=None, empty_label=None, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Your wish"),
        max_length=Wish._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In your own words, e.g. 一件厚一点的雨衣. No phone numbers, no money."),
    )
    value = forms.DecimalField(
        label=_("About how much is it worth (yuan)"),
        min_value=0,
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "1"}),
    )
    publish_consent = forms.BooleanField(
        label=_(
            "After the community's review, my wish may be shown to donors with my name "
            "masked (外卖员 王* · my community · the wish)"
        ),
        error_messages={"required": _("A wish is shown to donors: tick to agree.")},
    )
    story_consent = forms.BooleanField(
        label=_("When it comes true, a short public story with my photo may follow it"),
        required=False,
    )
    # Made for each wish the form sends: a wish sent twice (a double tap, a replay after
    # the network came back) is one wish.
    client_key = forms.UUIDField(
        widget=forms.HiddenInput,
        initial=uuid.uuid4,
        error_messages={
            "invalid": _("This page is out of date: open it again and send your wish."),
            "required": _("This page is out of date: open it again and send your wish."),
        },
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
