"""{{ photo.image|private_url }}: the scoped address of a private file (core.private_files),
for the pages that show one to whoever may see it."""

from django import template

from core.private_files import url_for

register = template.Library()


@register.filter
def private_url(field_file) -> str:
    return url_for(field_file.name) if field_file else ""
