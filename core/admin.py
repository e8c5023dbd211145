"""Core's one table people keep by hand: the sensitive words (the security administrator's
duty, security.duties, or a superuser's)."""

from django.contrib import admin

from .models import SensitiveWord


@admin.register(SensitiveWord)
class SensitiveWordAdmin(admin.ModelAdmin):
    list_display = ["word", "note", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["word", "note"]
