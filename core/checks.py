"""System checks: the platform refuses to start without usable personal-data keys."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from . import crypto


@register()
def personal_data_keys(app_configs, **kwargs):
    try:
        crypto.keyring()
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error),
                hint="See FIELD_ENCRYPTION_KEYS / BLIND_INDEX_KEY in .env.example.",
                id="core.E001",
            )
        ]
    return []
