"""The personal-data access log: every unmasked view or export is written here (DESIGN.md
rule 6). Callers decide *whether* the user may unmask (areas.access, Purpose.UNMASK); this
module only records that they did."""

from django.db import models
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

from .models import AccessLog


def record_access(
    *,
    actor,
    action: str,
    reason: str,
    area=None,
    obj: models.Model | None = None,
    model: type[models.Model] | None = None,
    fields: list[str] = (),
    row_count: int | None = None,
    object_repr: str = "",
) -> AccessLog:
    """Log one access. `obj` for a single record, `model` + `row_count` for an export."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why you need the full personal data.")
        raise ApplicationError(message, fields={"reason": [message]})
    model = model or type(obj)
    return AccessLog.objects.create(
        actor=actor,
        action=action,
        subject=model._meta.label_lower,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        fields=list(fields),
        row_count=row_count,
        reason=reason[:200],
        area=area,
    )
