"""The party member's form on the phone (亮明身份)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PhoneDateInput

from .models import PartyMember
from .services import MembershipDetails


class RevealForm(forms.Form):
    """亮明身份 on the phone: the party member says where their membership is kept."""

    standing = forms.ChoiceField(label=_("Membership"), choices=PartyMember.Standing.choices)
    registration = forms.ChoiceField(
        label=_("Is your membership kept here or elsewhere?"),
        choices=PartyMember.Registration.choices,
        initial=PartyMember.Registration.FLOATING,
    )
    membership_org_name = forms.CharField(
        label=_("Party branch that keeps your membership (组织关系所在党支部)"), max_length=100
    )
    membership_org_place = forms.CharField(
        label=_("Where is that branch?"),
        max_length=100,
        required=False,
        help_text=_("e.g. 河南省周口市"),
    )
    joined_on = forms.DateField(
        label=_("Joined the party on"),
        required=False,
        widget=PhoneDateInput(),
    )
    sensitive_consent = forms.BooleanField(
        label=_("I agree that my party membership is kept (sensitive personal data)."),
        required=False,
    )

    def details(self) -> MembershipDetails:
        data = self.cleaned_data
        return MembershipDetails(
            registration=data["registration"],
            standing=data["standing"],
            membership_org_name=data["membership_org_name"],
            membership_org_place=data.get("membership_org_place", ""),
            joined_on=data.get("joined_on"),
        )
