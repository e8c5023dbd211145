"""What the security audit log listens to: logins and failures, logouts, lockouts, grant
changes, unmasking and exports (the personal-data access log), and every admin change."""

from axes.signals import user_locked_out
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from areas.models import AccessLog, StaffGrant

from . import audit, backends
from .models import AdminDuty

Kind = audit.Kind


@receiver(user_logged_in, dispatch_uid="security-login")
def _logged_in(sender, request, user, **kwargs):
    # Workers sign in on the phone by SMS code; the log is about staff and administrators.
    if user.is_staff:
        audit.record(Kind.LOGIN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="security-logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None and user.is_staff:
        audit.record(Kind.LOGOUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="security-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password with asterisks in `credentials`.
    if request is not None:
        backends.count_failure(request)
    audit.record(Kind.LOGIN_FAILED, username=credentials.get("username", ""), request=request)


@receiver(user_locked_out, dispatch_uid="security-locked-out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit.record(
        Kind.LOCKED_OUT,
        username=username or "",
        request=request,
        detail={"by": "account", "address": ip_address},
    )


def _grant_detail(grant: StaffGrant) -> dict:
    return {
        "user": grant.user.username,
        "role": grant.role,
        "area": grant.area.code,
        "party_affairs": grant.party_affairs,
        "may_unmask": grant.may_unmask,
    }


@receiver(post_save, sender=StaffGrant, dispatch_uid="security-grant-saved")
def _grant_saved(sender, instance, created, **kwargs):
    audit.record(
        Kind.GRANT_CHANGED,
        target=str(instance)[:200],
        detail={"change": "added" if created else "changed", **_grant_detail(instance)},
    )


@receiver(post_delete, sender=StaffGrant, dispatch_uid="security-grant-deleted")
def _grant_deleted(sender, instance, **kwargs):
    audit.record(
        Kind.GRANT_CHANGED,
        target=str(instance)[:200],
        detail={"change": "removed", **_grant_detail(instance)},
    )


@receiver(post_save, sender=AdminDuty, dispatch_uid="security-duty-saved")
def _duty_saved(sender, instance, created, **kwargs):
    audit.record(
        Kind.DUTY_CHANGED,
        target=instance.user.username,
        detail={"change": "added" if created else "changed", "duty": instance.duty},
    )


@receiver(post_delete, sender=AdminDuty, dispatch_uid="security-duty-deleted")
def _duty_deleted(sender, instance, **kwargs):
    audit.record(
        Kind.DUTY_CHANGED,
        target=instance.user.username,
        detail={"change": "removed", "duty": instance.duty},
    )


@receiver(post_save, sender=AccessLog, dispatch_uid="security-personal-data-access")
def _personal_data_accessed(sender, instance, created, **kwargs):
    if not created:
        return
    kind = Kind.EXPORTED if instance.action == AccessLog.Action.EXPORT else Kind.UNMASKED
    audit.record(
        kind,
        actor=instance.actor,
        target=f"{instance.subject} {instance.object_repr}".strip()[:200],
        detail={
            "fields": instance.fields,
            "rows": instance.row_count,
            "reason": instance.reason,
            "access_log": instance.pk,
        },
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="security-admin-change")
def _admin_changed(sender, instance, created, **kwargs):
    if not created:
        return
    audit.record(
        Kind.ADMIN_CHANGE,
        actor=instance.user,
        target=f"{instance.content_type.app_label}.{instance.content_type.model} "
        f"#{instance.object_id} {instance.object_repr}"[:200],
        detail={
            "action": {1: "added", 2: "changed", 3: "deleted"}.get(instance.action_flag),
            "message": instance.get_change_message()[:500],
        },
    )
