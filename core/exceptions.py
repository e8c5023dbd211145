"""ApplicationError: the one way a service says "no" to a person.

Services raise it with a message in plain language (and optionally per-field messages);
the API turns it into a 400, forms and admin actions show it, imports report it per row.
A 500 is always a bug, never the way to refuse input.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpResponseBadRequest
from django.utils.translation import gettext as _
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


def unstorable_input_message() -> str:
    return _(
        "Something you sent cannot be stored: an invisible NUL character, or a number too "
        "large. Please check it and try again."
    )


def api_exception_handler(exc, context):
    if isinstance(exc, DataError):
        # What PostgreSQL refuses to store or compare (NUL bytes in text, integers beyond
        # 64 bits) is bad input, whatever field or filter it came through: a 400, not a 500.
        exc = drf_exceptions.ValidationError({"detail": unstorable_input_message()})
    elif isinstance(exc, ApplicationError):
        exc = drf_exceptions.ValidationError({"detail": exc.message, **exc.fields})
    elif isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": " ".join(exc.messages)}
        )
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # ValidationError("…") or ValidationError([...]) raised outside a serializer's
        # fields: the same shape as every other refusal (the schema's Error), one sentence.
        response.data = {"detail": " ".join(str(message) for message in response.data)}
    return response


class UnstorableInputMiddleware:
    """Pages and the admin answer input the database cannot store (NUL bytes, integers
    beyond 64 bits, in any field, filter or search) with a 400 in plain words, as the API
    does (api_exception_handler), instead of a 500. The request's transaction has already
    been rolled back by the time the exception reaches here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DataError):
            return HttpResponseBadRequest(
                unstorable_input_message(), content_type="text/plain; charset=utf-8"
            )
        return None
