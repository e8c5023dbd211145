"""The phone's forms: a suggestion, demand or hazard report (/m/report/), the worker's
answer to a resolved case (fixed / not fixed) and a message on a case."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.coords import CoordSystem

from .models import Case, Kind


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (the phone's form and the admin's); each is checked by
    the service (core.photos), which also refuses more than it takes."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(item, initial) for item in files]


class OfferedCategoryField(forms.Field):
    """A category among those the district offers ({pk: category} from
    routing.categories_offered, the process's copy): validated without a query, and
    without building a queryset, per report (the page lists `offered` itself)."""

    default_error_messages = {
        "invalid_choice": _("Choose one of the categories offered."),
    }
    offered: dict = {}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = str(value).strip()
        found = (
            self.offered.get(int(key))
            if key.isascii() and key.isdigit() and len(key) < 12
            else None
        )
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return found


class ReportForm(forms.Form):
    WHERE_HERE, WHERE_MAP, WHERE_STATION, WHERE_NONE = "here", "map", "station", "none"

    kind = forms.ChoiceField(label=_("What is it"), choices=Kind.choices, widget=forms.RadioSelect)
    category = OfferedCategoryField(label=_("Category"))
    text = forms.CharField(
        label=_("Tell us"),
        max_length=Case._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What, where exactly, since when. e.g. 3号楼楼道有人拉线给电动车充电."),
    )
    photos = PhotosField(
        label=_("Photos (up to 4)"),
        widget=MultiplePhotoInput(attrs={"accept": "image/*"}),
        required=False,
        help_text=_("Location and phone details are removed from the photos."),
    )
    where = forms.ChoiceField(label=_("Where"), widget=forms.RadioSelect)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    system = forms.ChoiceField(
        required=False,
        choices=[(system.value, system.value) for system in CoordSystem],
        widget=forms.HiddenInput,
    )
    place_note = forms.CharField(
        label=_("Where, in words"),
        max_length=Case._meta.get_field("place_note").max_length,
        required=False,
        help_text=_("A landmark, a gate, a building number."),
    )
    public = forms.BooleanField(
        label=_("It may be shown publicly, without my name"),
        required=False,
        help_text=_("Answers to suggestions and some hazards are published by the district."),
    )
    # Made for each case the form sends: sent twice (a double tap, a replay after the
    # network came back) it is one case.
    client_key = forms.UUIDField(
        widget=forms.HiddenInput,
        initial=uuid.uuid4,
        error_messages={
            "invalid": _("This page is out of date: open it again and send your report."),
            "required": _("This page is out of date: open it again and send your report."),
        },
    )
    # Set once the worker has seen the similar cases nearby and still sends their own; a
    # replay from the phone's queue (form-queue.js) sends replayed=1 instead.
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)
    replayed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, offered, station=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].offered = offered
        self.station = station
        choices = [
            (self.WHERE_HERE, _("Here, where I am (the phone's position)")),
            (self.WHERE_MAP, _("A point I pick on the map")),
            (self.WHERE_NONE, _("Not about one place (a suggestion, a difficulty)")),
        ]
        if station is not None:
            choices.insert(0, (self.WHERE_STATION, _("At %(station)s") % {"station": station.name}))
        self.fields["where"].choices = choices
        self.fields["where"].initial = choices[0][0]

    def clean(self):
        data = super().clean()
        where = data.get("where")
        if where in (self.WHERE_HERE, self.WHERE_MAP) and (
            data.get("lat") is None or data.get("lng") is None
        ):
            message = (
                _(
                    "The phone did not give its position: allow location, or pick a point on the map."
                )
                if where == self.WHERE_HERE
                else _("Tap the map where it is.")
            )
            self.add_error("where", message)
        return data


class AnswerForm(forms.Form):
    fixed = forms.TypedChoiceField(
        choices=[("yes", _("Yes, it is fixed")), ("no", _("No, it is not fixed"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label=_("Is it fixed?"),
    )
    comment = forms.CharField(
        label=_("Anything to add"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Write to the staff"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
