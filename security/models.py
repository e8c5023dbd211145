"""The security audit log and the three administrators (三员分立), GB/T 22239-2019 level 3.

SecurityEvent is append-only: a trigger (security/sql/security_event_append_only.v1.sql)
refuses every UPDATE, and every DELETE of an entry younger than 184 days, so neither the
application nor anyone with its database account can rewrite what happened. Older entries
are purged by a beat job after SECURITY_AUDIT_RETENTION_DAYS (at least 184).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

# The floor the database itself keeps (the trigger): 等保 level 3 asks for six months.
AUDIT_RETENTION_FLOOR_DAYS = 184


class SecurityEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login-failed", _("Login failed")
        LOGOUT = "logout", _("Logged out")
        LOCKED_OUT = "locked-out", _("Locked out")
        UNLOCKED = "unlocked", _("Lockout lifted")
        SESSION_EXPIRED = "session-expired", _("Session ended by timeout")
        TWO_FACTOR_ADDED = "2fa-added", _("Two-factor authentication set up")
        TWO_FACTOR_FAILED = "2fa-failed", _("Two-factor code refused")
        TWO_FACTOR_RESET = "2fa-reset", _("Two-factor authentication reset")
        RECOVERY_CODE_USED = "recovery-used", _("Recovery code used")
        PASSWORD_CHANGED = "password-changed", _("Password changed")
        GRANT_CHANGED = "grant-changed", _("Grant or role changed")
        DUTY_CHANGED = "duty-changed", _("Administrator duty changed")
        UNMASKED = "unmasked", _("Personal data unmasked")
        EXPORTED = "exported", _("Personal data exported")
        ADMIN_CHANGE = "admin-change", _("Changed in the admin")
        AUDIT_PURGED = "audit-purged", _("Old audit entries purged")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices, db_index=True)
    # Who acted (empty for a failed login by an unknown name); the name is kept as text too,
    # so the entry still says who it was after the account is gone.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # an entry outlives the account and is never updated for it
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    target = models.CharField(_("about"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["username", "-at"], name="security_event_user_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.get_kind_display()}"


class AdminDuty(TimeStampedModel):
    """One of the three separated administrator duties (三员分立). A person holds at most
    one, and a duty holder holds no area grant: administering accounts, security or the
    audit log never comes with business data."""

    class Duty(models.TextChoices):
        SYSTEM = "system", _("System administrator (accounts and grants)")
        SECURITY = "security", _("Security administrator (security settings, lockouts)")
        AUDIT = "audit", _("Audit administrator (reads the audit log)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="admin_duty",
    )
    duty = models.CharField(_("duty"), max_length=10, choices=Duty.choices)

    class Meta:
        verbose_name = _("administrator duty")
        verbose_name_plural = _("administrator duties (三员)")
        constraints = [
            models.CheckConstraint(
                condition=Q(duty__in=["system", "security", "audit"]),
                name="security_adminduty_known_duty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_duty_display()}"


class PasswordState(models.Model):
    """When a staff account's password was last set: the maximum age counts from here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="password_state",
    )
    changed_at = models.DateTimeField(_("password set at"))

    class Meta:
        verbose_name = _("password age")
        verbose_name_plural = _("password ages")

    def __str__(self) -> str:
        return f"{self.user} · {self.changed_at:%Y-%m-%d}"
