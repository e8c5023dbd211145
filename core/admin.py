from django.contrib import admin

from areas import access
from areas.admin_mixins import ScopedAdmin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdmin):
    """Read-only: auditors and area staff see the log of their areas."""

    read_purpose = access.Purpose.AUDIT
    list_display = ["at", "actor", "action", "subject", "object_repr", "row_count", "reason"]
    list_filter = ["action", "subject", "at"]
    search_fields = ["actor__username", "object_repr", "reason"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The ledger import pages register themselves.
from . import ledger_admin  # noqa: E402,F401
