"""The district department's switch for messages beyond the inbox (members.inbox): which
channels its workers may ask for. Staff never read workers' messages in the admin."""

from django.contrib import admin

from areas import access
from areas.admin_mixins import ScopedAdmin, ServiceAdminForm, ServiceAdminMixin
from areas.models import Area

from . import services
from .models import DistrictMessaging


class DistrictMessagingForm(ServiceAdminForm):
    class Meta:
        model = DistrictMessaging
        fields = ["area", "sms_enabled", "wechat_enabled"]

    def call_service(self, actor):
        return services.district_messaging_save(
            actor=actor,
            area=self.instance.area,
            sms_enabled=self.instance.sms_enabled,
            wechat_enabled=self.instance.wechat_enabled,
        )


@admin.register(DistrictMessaging)
class DistrictMessagingAdmin(ServiceAdminMixin, ScopedAdmin):
    form = DistrictMessagingForm
    list_display = ["area", "sms_enabled", "wechat_enabled", "updated_at"]
    list_select_related = ["area"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "area":  # the districts this user may set, and no other
            kwargs["queryset"] = access.areas_reached(request.user, access.Purpose.WRITE).filter(
                level=Area.Level.DISTRICT
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # turned off, not deleted
