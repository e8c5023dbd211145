"""Forms for the worker's phone pages: log in by code, register (报到), correct own record.

The forms only collect and tidy input; the rules live in the services (members.services,
members.phone_login), whose refusals are shown by the fields they concern.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.models import Area

from .models import COMMUNITY_LEVEL_VALUES, Enterprise, Occupation, Worker
from .services import WorkerDetails


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "13812345678"}
        ),
    )


class CodeForm(PhoneForm):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6"}
        ),
    )


def communities_near(area: Area):
    """Communities and streets in the same district as `area` (for the residence choice)."""
    district_prefix = area.code[:6]
    return Area.objects.filter(
        code__startswith=district_prefix, level__in=COMMUNITY_LEVEL_VALUES
    ).order_by("code")


class WorkerDetailsForm(forms.Form):
    """What a worker fills in about themselves. The work community is chosen on its own
    page (a search and a drill-down) and arrives as `area`; everything else is here."""

    name = forms.CharField(label=_("Name"), max_length=50)
    occupation = forms.ChoiceField(
        label=_("What work do you do?"),
        choices=[("", "—")] + Occupation.choices,
    )
    enterprise = forms.ModelChoiceField(
        label=_("Employer"), queryset=Enterprise.objects.none(), required=False
    )
    platform = forms.CharField(
        label=_("Platform"),
        max_length=50,
        required=False,
        help_text=_("e.g. 美团, 饿了么, 滴滴, 货拉拉"),
    )
    residence_area = forms.ModelChoiceField(
        label=_("Community where you live"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Optional. Leave empty if you live elsewhere."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", _("Not given"))] + Worker.Gender.choices, required=False
    )
    birth_year = forms.IntegerField(label=_("Birth year"), required=False)
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=20,
        required=False,
        help_text=_(
            "Optional. Kept encrypted; staff see only its first and last characters. "
            "Leave empty to keep the one already given."
        ),
    )

    def __init__(self, *args, area: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.area = area
        self.fields["enterprise"].queryset = Enterprise.objects.filter(
            area__code__startswith=area.code[:6]
        ).order_by("name")
        self.fields["residence_area"].queryset = communities_near(area)

    def details(self) -> WorkerDetails:
        data = self.cleaned_data
        return WorkerDetails(
            name=data["name"],
            area=self.area,
            occupation=data["occupation"],
            enterprise=data.get("enterprise"),
            platform=data.get("platform", ""),
            residence_area=data.get("residence_area"),
            gender=data.get("gender", ""),
            birth_year=data.get("birth_year"),
            id_number=data.get("id_number", ""),
            political_status=data.get("political_status", ""),
        )


class RegisterForm(WorkerDetailsForm):
    political_status = forms.ChoiceField(
        label=_("Political status"),
        choices=[("", _("Not given"))] + Worker.PoliticalStatus.choices,
        required=False,
        help_text=_("Optional, and kept only if you also tick the separate consent below."),
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to it."),
        error_messages={"required": _("Please read the privacy notice and agree to register.")},
    )
    sensitive_consent = forms.BooleanField(
        label=_("I also agree that my political status is kept (sensitive personal data)."),
        required=False,
    )
    notice_version = forms.CharField(widget=forms.HiddenInput)


class CorrectionForm(WorkerDetailsForm):
    """/m/me: the same fields; only those that changed are sent to the service."""

    def changed_details(self, worker: Worker) -> tuple[WorkerDetails, list[str]]:
        details = self.details()
        given = [
            name
            for name in self.fields
            if name != "political_status" and getattr(details, name) != _current(worker, name)
        ]
        if not details.id_number and "id_number" in given:
            given.remove("id_number")  # left empty: the one on record stays (it is not shown)
        if worker.area_id != self.area.pk:
            given.append("area")
        return details, given


def _current(worker: Worker, name: str):
    value = getattr(worker, name)
    return "" if value is None and name in ("gender", "platform", "id_number") else value


class DeletionRequestForm(forms.Form):
    """Asking for the account to be deleted (services.deletion_request_create)."""

    note = forms.CharField(
        label=_("Anything the community should know"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my registration, points and sign-ups can no longer be used."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
