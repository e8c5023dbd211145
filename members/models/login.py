from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.masking import mask_phone


class LoginCode(models.Model):
    """A 6-digit code sent by SMS to log a worker in (members.phone_login). Only a keyed
    hash of the code is kept; a code works once, for a few minutes, for a few tries."""

    phone = models.CharField(_("mobile phone"), max_length=11)
    code_hash = models.CharField(max_length=64)
    requested_from = models.GenericIPAddressField(_("requested from"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    failed_attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("login code")
        verbose_name_plural = _("login codes")
        indexes = [
            models.Index(fields=["phone", "-created_at"], name="members_logincode_phone_idx")
        ]

    def __str__(self) -> str:
        return f"{mask_phone(self.phone)} {self.created_at:%Y-%m-%d %H:%M}"
