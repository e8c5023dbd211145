"""The rules of a worker's record, said once. The service (members.services.workers: the
phone, the admin, the API) and the ledger checker (members.ledgers: an Excel import) both
ask these functions, so every path refuses the same things in the same words.

Each returns None when the value is fine, or the message a person reads. The "offered"
rules take the ids a caller already holds (the ledger preloads them for 30,000 rows), or
ask the selectors themselves.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area

from . import selectors
from .models import COMMUNITY_LEVEL_VALUES, Enterprise, Outlet, Worker

OLDEST_BIRTH_YEAR = 1940
YOUNGEST_WORKER_AGE = 16
NAME_MAX_LENGTH = Worker._meta.get_field("name").max_length


def name_problem(name: str) -> str | None:
    if not name:
        return _("Name is missing.")
    if len(name) > NAME_MAX_LENGTH:
        return _("Name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH}
    return None


def birth_year_problem(year: int | None) -> str | None:
    if year is None:
        return None
    latest = timezone.localdate().year - YOUNGEST_WORKER_AGE
    if not OLDEST_BIRTH_YEAR <= year <= latest:
        return _("Enter a birth year between %(first)d and %(last)d.") % {
            "first": OLDEST_BIRTH_YEAR,
            "last": latest,
        }
    return None


# A phone or ID number already on a record -------------------------------------------------
# One answer whichever community holds that record — in the asker's reach or another
# district's: a different answer (or a community's name) would tell staff typing numbers
# who is registered where. The words still say what to do next. Staff (the admin, the
# API, a ledger import) can search for the number: what they reach opens; the worker can
# log in with the number on their phone and correct their own registration there.


def registered_phone_problem(taken: bool, *, by_staff: bool) -> str | None:
    if not taken:
        return None
    if by_staff:
        return _(
            "This phone number is already registered. Search for it to open that record, or "
            "let the worker log in with it and correct their registration on the phone."
        )
    return _(
        "This phone number is already registered: log in with it to see or correct that "
        "registration, or ask the community to help."
    )


def registered_id_number_problem(taken: bool, *, by_staff: bool) -> str | None:
    if not taken:
        return None
    if by_staff:
        return _(
            "This ID number is already registered. Search for it to open that record (merge "
            "the two if they are one person), or ask the worker which phone they registered with."
        )
    return _(
        "This ID number is already registered with another phone number. Log in with that "
        "phone, or ask the community to help."
    )


def community_problem(area: Area | None) -> str | None:
    """A work or residence area is a community (or a street), not a whole district."""
    if area is not None and area.level not in COMMUNITY_LEVEL_VALUES:
        return _("Choose a community or a street, not a whole district.")
    return None


def enterprise_problem(enterprise: Enterprise | None, area: Area, offered=None) -> str | None:
    """The employer must be one offered to the work community (selectors): a name from
    another district is refused as one that is not there, and says nothing about it."""
    if enterprise is None:
        return None
    if offered is None:
        offered = selectors.enterprises_offered_to(area).filter(pk=enterprise.pk)
        known = offered.exists()
    else:
        known = enterprise.pk in offered
    if not known:
        return _("Choose your employer from the enterprises of your district.")
    return None


def outlet_problem(outlet: Outlet | None, enterprise: Enterprise | None, area: Area) -> str | None:
    if outlet is None:
        return None
    if enterprise is not None and outlet.enterprise_id != enterprise.pk:
        return _("This outlet belongs to another enterprise.")
    if not selectors.outlets_offered_to(area).filter(pk=outlet.pk).exists():
        return _("Choose an outlet of your district.")
    return None


def residence_problem(residence: Area | None, area: Area) -> str | None:
    if residence is None:
        return None
    problem = community_problem(residence)
    if problem:
        return problem
    if not residence.code.startswith(area.code[: selectors.CITY_CODE_DIGITS]):
        return _("Choose where you live in the same city as your work community.")
    return None


def reference_problems(worker: Worker, *, enterprises_offered=None) -> dict[str, str]:
    """What the record names — work community, employer, outlet, residence — checked
    together, by field."""
    problems = {}
    area = worker.area if worker.area_id else None
    if area is None:
        return {"area": _("Choose the community you work in.")}
    if problem := community_problem(area):
        problems["area"] = problem
    enterprise = worker.enterprise if worker.enterprise_id else None
    if problem := enterprise_problem(enterprise, area, enterprises_offered):
        problems["enterprise"] = problem
    outlet = worker.outlet if worker.outlet_id else None
    if problem := outlet_problem(outlet, enterprise, area):
        problems["outlet"] = problem
    residence = worker.residence_area if worker.residence_area_id else None
    if problem := residence_problem(residence, area):
        problems["residence_area"] = problem
    return problems
