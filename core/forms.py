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
