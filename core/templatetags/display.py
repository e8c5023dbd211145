"""Quantities in words on the phone's pages (core.display): {{ m|distance }}, {{ h|hours }}."""

from django import template

from core.display import distance_text, hours_text

register = template.Library()


@register.filter
def distance(metres) -> str:
    return distance_text(metres or 0)


@register.filter
def hours(value) -> str:
    return hours_text(value)
