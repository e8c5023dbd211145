"""ApplicationError: the one way a service says "no" to a person.

Services raise it with a message in plain language (and optionally per-field messages);
the API turns it into a 400, forms and admin actions show it, imports report it per row.
A 500 is always a bug, never the way to refuse input.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.views import exception_handler as drf_exception_handler


class ApplicationError(Exception):
    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.fields = fields or {}


def refuse(field_name: str, message: str) -> ApplicationError:
    """An ApplicationError about one field: forms and the API show it by that field."""
    return ApplicationError(message, fields={field_name: [message]})


def full_clean_or_refuse(instance, message: str, **kwargs) -> None:
    """Run the model's validation; refuse with `message` and the per-field errors."""
    try:
        instance.full_clean(**kwargs)
    except DjangoValidationError as exc:
        raise ApplicationError(message, fields=exc.message_dict) from None


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        exc = drf_exceptions.ValidationError({"detail": exc.message, **exc.fields})
    elif isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)
