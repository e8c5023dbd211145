"""{% retention_rules %}: the privacy notice quotes how long each kind of personal data is
kept, from the one place the rules are registered (members.personal_data), wherever the
notice is shown (its own page, registration, the consent page)."""

from django import template

from members import personal_data

register = template.Library()


@register.inclusion_tag("mobile/_retention_rules.html")
def retention_rules():
    return {"rules": personal_data.retention_rules()}
