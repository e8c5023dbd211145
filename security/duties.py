"""Who must do what: the three administrator duties (三员分立), what each may touch, and who
needs a second factor. One place for these rules; the backend, the middleware and the admin
ask here."""

from django.conf import settings

from areas.models import StaffGrant

from .models import AdminDuty

Duty = AdminDuty.Duty

# The Django permissions each duty holds (AdminDutyBackend gives them). None of them reaches
# business data: that comes only from an area grant, which a duty holder may not have.
DUTY_PERMISSIONS: dict[str, frozenset[str]] = {
    Duty.SYSTEM: frozenset(
        {
            "auth.view_user",
            "auth.add_user",
            "auth.change_user",
            "areas.view_staffgrant",
            "areas.add_staffgrant",
            "areas.change_staffgrant",
            "areas.delete_staffgrant",
            "areas.view_area",
            "security.view_adminduty",
        }
    ),
    Duty.SECURITY: frozenset(
        {
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
            "axes.view_accessfailurelog",
            "axes.view_accesslog",
            "otp_totp.view_totpdevice",
            "otp_totp.delete_totpdevice",
            "otp_static.view_staticdevice",
            "otp_static.delete_staticdevice",
            "security.view_adminduty",
            # What may not be shown in public (core.sensitive_words).
            "core.view_sensitiveword",
            "core.add_sensitiveword",
            "core.change_sensitiveword",
            "core.delete_sensitiveword",
        }
    ),
    Duty.AUDIT: frozenset(
        {
            "security.view_securityevent",
            "areas.view_accesslog",
        }
    ),
}


def duty_of(user) -> str | None:
    """The user's administrator duty, or None (cached on the user for the request)."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_admin_duty"):
        user._admin_duty = (
            AdminDuty.objects.filter(user=user).values_list("duty", flat=True).first()
        )
    return user._admin_duty


def permissions_of(user) -> frozenset[str]:
    duty = duty_of(user)
    return DUTY_PERMISSIONS.get(duty, frozenset()) if user.is_active else frozenset()


def kinds_of_account(user) -> set[str]:
    """The names TWO_FACTOR_REQUIRED_FOR speaks of that describe this account."""
    kinds = set()
    if user.is_superuser:
        kinds.add("superuser")
    duty = duty_of(user)
    if duty:
        kinds.add(duty)
    kinds.update(StaffGrant.objects.filter(user=user).values_list("role", flat=True))
    return kinds


def two_factor_required(user) -> bool:
    if not getattr(user, "is_staff", False):
        return False
    if not hasattr(user, "_two_factor_required"):
        user._two_factor_required = bool(
            kinds_of_account(user) & set(settings.TWO_FACTOR_REQUIRED_FOR)
        )
    return user._two_factor_required


def duty_holder_refusal(user) -> str | None:
    """A grant check (areas.grant_checks): the three administrators hold no area grant."""
    from django.utils.translation import gettext as _

    if AdminDuty.objects.filter(user=user).exists():
        return _(
            "This account is an administrator (system, security or audit) and holds no "
            "area grant: give the grant to a separate account."
        )
    return None
