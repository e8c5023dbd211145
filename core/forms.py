"""Form helpers every app's pages share."""

from django import forms

from .exceptions import ApplicationError


def show_refusal(form: forms.Form, error: ApplicationError) -> None:
    """Put a service's refusal on the form: per field where it names fields the form has,
    otherwise at the top."""
    placed = False
    for name, messages in error.fields.items():
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
                placed = True
    if not placed:
        form.add_error(None, error.message)


class PhoneDateInput(forms.DateInput):
    """The phone's own date picker (<input type="date">). Its value must be ISO 8601
    (2026-12-01) whatever the page's language: Django's zh-hans date format gives
    "2026年12月1日", which the browser cannot read and shows as an empty field (issue 14 §2:
    the volunteer form's date came up blank)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
