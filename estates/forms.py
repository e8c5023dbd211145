"""The phone's forms: the worker's fill-in step, the consent, an objection; the guard's
check."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms import CodeForm, PhoneForm
from members.models import Occupation


class PassDetailsForm(forms.Form):
    """Step 1: what the property company will see — and, for a phone not logged in yet, the
    phone and the code texted to it, on the same page (the estate's budget: four screens
    from the scan to a pass the guard accepts)."""

    phone = PhoneForm.base_fields["phone"]
    code = CodeForm.base_fields["code"]
    name = forms.CharField(label=_("Name"), max_length=50)
    employer = forms.CharField(
        label=_("Employer"),
        max_length=100,
        help_text=_("The company or station you work for, e.g. 顺丰速运惠州博罗营业部."),
    )
    platform = forms.CharField(
        label=_("Platform"), max_length=50, required=False, help_text=_("e.g. 美团, 饿了么")
    )
    occupation = forms.ChoiceField(label=_("Occupation"), choices=Occupation.choices)

    def __init__(self, *args, phone_verified: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if phone_verified:  # logged in by code already
            del self.fields["phone"], self.fields["code"]


class ConsentForm(forms.Form):
    consent_version = forms.CharField(widget=forms.HiddenInput)


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("Why the suspension is wrong"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GuardCheckForm(forms.Form):
    gate = forms.TypedChoiceField(label=_("Gate"), coerce=int)
    code = forms.CharField(
        label=_("Pass code"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}
        ),
        help_text=_("Scan the worker's code, or type the number under it."),
    )

    def __init__(self, *args, gates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gate"].choices = [(gate.pk, str(gate)) for gate in gates]
