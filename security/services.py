"""Writes of the security controls: second factors, recovery codes, lockouts, duties, the
audit log's purge. Each records what it did in the security audit log."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from areas.models import StaffGrant
from core.exceptions import ApplicationError

from . import audit
from .models import AUDIT_RETENTION_FLOOR_DAYS, AdminDuty, PasswordState, SecurityEvent

RECOVERY_CODES = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def totp_device_start(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (replacing an unconfirmed one): it
    counts only after the first code from it is given (totp_device_confirm)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user, device: TOTPDevice, token: str, request=None) -> list[str]:
    """Confirm the authenticator with a code from it; returns new recovery codes (shown
    once). A wrong code changes nothing."""
    if device.user_id != user.pk or device.confirmed:
        raise ApplicationError(_("Start the set-up again."))
    if not device.verify_token(token):
        raise ApplicationError(
            _("That code is not right. Check the phone's time and type the newest code."),
            fields={"token": [_("That code is not right.")]},
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(audit.Kind.TWO_FACTOR_ADDED, actor=user, request=request)
    return recovery_codes_renew(user=user)


def recovery_codes_renew(*, user) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [secrets.token_hex(4) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_verify(*, user, token: str, request=None):
    """The device that accepts `token` (an authenticator code or a recovery code), or an
    ApplicationError. A recovery code is used up; using one is logged. After a wrong code
    django-otp makes each device wait (1 s, 2 s, 4 s…) before it checks another."""
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    waiting = [device for device in devices if not device.verify_is_allowed()[0]]
    if devices and len(waiting) == len(devices):
        raise ApplicationError(
            _("Too many wrong codes. Wait a few seconds, then type the newest code."),
            fields={"token": [_("Wait a few seconds before trying again.")]},
        )
    for device in devices:
        if device not in waiting and device.verify_token(token):
            if isinstance(device, StaticDevice):
                audit.record(audit.Kind.RECOVERY_CODE_USED, actor=user, request=request)
            return device
    audit.record(audit.Kind.TWO_FACTOR_FAILED, actor=user, request=request)
    raise ApplicationError(
        _("That code is not right. Type the newest code from your app, or a recovery code."),
        fields={"token": [_("That code is not right.")]},
    )


@transaction.atomic
def second_factor_reset(*, actor, user, request=None) -> None:
    """The security administrator removes someone's second factor (a lost phone): they set
    it up again at their next login."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(audit.Kind.TWO_FACTOR_RESET, actor=actor, request=request, target=user.username)


def password_set_recorded(*, user) -> None:
    """Note when a staff password was set: its maximum age counts from here."""
    PasswordState.objects.update_or_create(user=user, defaults={"changed_at": timezone.now()})


def duty_refusal(*, user, duty: str) -> str | None:
    """Why `user` may not hold `duty`, in plain words, or None. The three stay apart from
    the superuser and from business data: a duty holder holds no area grant."""
    if duty not in AdminDuty.Duty.values:
        return _("Choose one of the three administrator duties.")
    if user.is_superuser:
        return _("A superuser is for installation only; give the duty to a separate account.")
    if StaffGrant.objects.filter(user=user).exists():
        return _(
            "This account has an area grant. An administrator duty never comes with "
            "business data: use a separate account."
        )
    return None


@transaction.atomic
def duty_assign(*, actor, user, duty: str | None) -> AdminDuty | None:
    """Give `user` one of the three administrator duties (replacing the one they hold: one
    person, one duty), or none."""
    if duty is None:
        AdminDuty.objects.filter(user=user).delete()
        return None
    refusal = duty_refusal(user=user, duty=duty)
    if refusal:
        raise ApplicationError(refusal)
    holder, _created = AdminDuty.objects.update_or_create(user=user, defaults={"duty": duty})
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return holder


def audit_purge(*, now=None) -> int:
    """Delete audit entries older than SECURITY_AUDIT_RETENTION_DAYS (never fewer than 184
    days: the database refuses younger ones). Runs from beat; the purge is itself logged."""
    days = max(settings.SECURITY_AUDIT_RETENTION_DAYS, AUDIT_RETENTION_FLOOR_DAYS)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    # A raw DELETE: the ORM would first collect the rows, which changes nothing here but
    # costs a query per batch.
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {SecurityEvent._meta.db_table} WHERE at < %s",  # noqa: S608
            [cutoff],
        )
        purged = cursor.rowcount
    if purged:
        audit.record(audit.Kind.AUDIT_PURGED, detail={"entries": purged, "before": str(cutoff)})
    return purged
