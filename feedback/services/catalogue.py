"""A district's set-up, kept by its own staff: partner departments, categories (the
platform's are kept by a superuser), rules, and its own holidays and make-up working
days (the national calendar is kept by a superuser, from `chinesecalendar`)."""

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core.exceptions import full_clean_or_refuse, refuse

from ..models import CalendarDay, FeedbackCategory, FeedbackRules, PartnerDepartment


def _kept_by(actor, row: Model, *, platform_allowed: bool) -> None:
    """Who may save a district's row: those who write in that district; a row of the
    whole platform (no area), a superuser. A row never moves to another district."""
    area: Area | None = row.area
    if area is None:
        if not (platform_allowed and actor.is_superuser):
            raise refuse("area", _("Choose your district: the platform's rows are kept centrally."))
    else:
        if area.level != Area.Level.DISTRICT:
            raise refuse("area", _("Choose a district."))
        access.require_write_in(actor, area)
    if row.pk:
        stored = type(row).objects.select_for_update().get(pk=row.pk)
        if stored.area_id != row.area_id:
            raise refuse("area", _("This stays with its district: add a new one instead."))


def _save(row: Model) -> Model:
    full_clean_or_refuse(row, _("It could not be saved: please correct the fields shown."))
    row.save()
    return row


@transaction.atomic
def department_save(*, actor, department: PartnerDepartment) -> PartnerDepartment:
    _kept_by(actor, department, platform_allowed=False)
    department.name = (department.name or "").strip()
    department.duty_phone = (department.duty_phone or "").strip()
    if department.duty_phone and not department.duty_phone.isdigit():
        raise refuse("duty_phone", _("A mobile number: digits only."))
    return _save(department)


@transaction.atomic
def category_save(*, actor, category: FeedbackCategory) -> FeedbackCategory:
    """A district's own category, or one of the platform's taken over (same code); a
    partner department must be the district's own."""
    _kept_by(actor, category, platform_allowed=True)
    if category.partner_department_id and category.partner_department.area_id != category.area_id:
        raise refuse("partner_department", _("Choose a department of the same district."))
    category.name = (category.name or "").strip()
    return _save(category)


@transaction.atomic
def rules_save(*, actor, rules: FeedbackRules) -> FeedbackRules:
    _kept_by(actor, rules, platform_allowed=False)
    rules.duty_phone = (rules.duty_phone or "").strip()
    if rules.duty_phone and not rules.duty_phone.isdigit():
        raise refuse("duty_phone", _("A mobile number: digits only."))
    return _save(rules)


@transaction.atomic
def calendar_day_save(*, actor, day: CalendarDay) -> CalendarDay:
    """A district's own holiday or make-up working day; the national calendar's rows are
    a superuser's. Deadlines already set keep their date; new ones count it."""
    _kept_by(actor, day, platform_allowed=True)
    day.name = (day.name or "").strip()
    return _save(day)
