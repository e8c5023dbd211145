from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("Security")

    def ready(self):
        from areas import grant_checks

        # Logins, failures, lockouts, grant changes, unmasking, exports and every admin
        # change are written to the security audit log (security.audit).
        from . import signals  # noqa: F401
        from .duties import duty_holder_refusal

        grant_checks.register("security.no-grant-for-administrators", duty_holder_refusal)
