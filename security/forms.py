"""Forms of the login and the second factor."""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class SecurityLoginForm(AdminAuthenticationForm):
    """The admin's login form, saying so when the address is locked out (an account's
    lockout has its own page, django-axes)."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "security_address_locked", False):
                raise forms.ValidationError(
                    _(
                        "Too many failed logins from this network address. Try again in "
                        "%(minutes)d minutes, or ask the security administrator."
                    )
                    % {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
                    code="address_locked",
                ) from None
            raise


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        # People type codes with spaces ("123 456") or paste them with a dash.
        return "".join(ch for ch in self.cleaned_data["token"] if ch.isalnum()).lower()
