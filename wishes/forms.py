"""The phone's wish forms: the worker's wish (/m/wishes/new/), the wall's choices, a
donor's profile and a claim."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Donor, Wish


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
    photo = forms.ImageField(
        label=_("A photo (optional)"),
        required=False,
        help_text=_(
            "Only the community sees it, not the public wall. Location and phone details "
            "are removed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
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


class WallFilterForm(forms.Form):
    """The wall's choices: where (a district) and what kind of wish. Anything the form does
    not know is ignored rather than refused: the wall always shows something."""

    area = forms.ModelChoiceField(
        label=_("Where"), queryset=None, required=False, empty_label=_("Everywhere")
    )
    category = forms.ModelChoiceField(
        label=_("What kind of wish"), queryset=None, required=False, empty_label=_("All kinds")
    )

    def __init__(self, *args, districts, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = districts
        self.fields["area"].to_field_name = "code"
        self.fields["category"].queryset = categories


def _area_label(area) -> str:
    return area.name if area.level == "district" else f"— {area.name}"


class DonorForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I give as"), choices=Donor.Kind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        help_text=_("The organisation's full name, or your own name."),
    )
    organisation_kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=[("", "—"), *Donor.OrganisationKind.choices],
        required=False,
    )
    contact_name = forms.CharField(
        label=_("Contact person (an organisation)"), max_length=30, required=False
    )
    area = forms.ModelChoiceField(
        label=_("District or street where you give"),
        queryset=None,
        help_text=_("Its staff check an organisation before its name is shown."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that my name and phone number are kept with the wishes I claim, so "
            "that the community can reach me about them"
        ),
        error_messages={"required": _("Tick to agree: a claim needs someone to call.")},
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = _area_label


class ClaimForm(forms.Form):
    """The claim form of one wish: a word to the worker and, for a collective wish, how
    many of each item (the fields say what is still needed; the service has the last word,
    under the wish's lock)."""

    ITEM_PREFIX = "item_"

    message = forms.CharField(
        label=_("A word to the worker (optional)"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    client_key = forms.UUIDField(
        widget=forms.HiddenInput,
        initial=uuid.uuid4,
        error_messages={
            "invalid": _("This page is out of date: open it again."),
            "required": _("This page is out of date: open it again."),
        },
    )

    station = forms.ModelChoiceField(
        label=_("Where you hand the gift over"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=_("A station near the worker: the keeper gives it to them on their code."),
        error_messages={"invalid_choice": _("Choose one of the stations offered.")},
    )

    def __init__(self, *args, wish, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        if wish.kind != Wish.Kind.COLLECTIVE:
            return
        for item in wish.items.all():  # annotated with `committed` (selectors)
            if (still_needed := item.still_needed) > 0:
                self.fields[f"{self.ITEM_PREFIX}{item.pk}"] = forms.IntegerField(
                    label=_("%(item)s — %(count)d still needed")
                    % {"item": item.name, "count": still_needed},
                    min_value=0,
                    required=False,
                    initial=0,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )

    def quantities(self) -> dict[int, int]:
        """{item id: how many} of the items given."""
        return {
            int(name.removeprefix(self.ITEM_PREFIX)): value or 0
            for name, value in self.cleaned_data.items()
            if name.startswith(self.ITEM_PREFIX)
        }


class ThanksForm(forms.Form):
    """The worker says the gift has reached them, with a word for the donor if they like."""

    thanks = forms.CharField(
        label=_("A thank-you for the donor (optional)"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
