from django import template

from core.work_queue import items_for

register = template.Library()


@register.simple_tag(takes_context=True)
def work_queue(context):
    return items_for(context["request"])
