"""The way to the worker's estate passes from their own page (/m/me; members.me_panels),
with how many of them show a code now, beside their wishes and reports."""

from members import phone_login
from members.me_panels import Panel

from .selectors import passes_working


def working_passes(request, worker) -> dict:
    # Passes belong to the phone the worker signed in with (the pass pages' rule).
    phone = phone_login.signed_in_phone(request) or worker.phone
    return {"passes_working": passes_working(phone).count()}


passes_panel = Panel(
    name="estates.passes",
    order=14,
    template="estates/_me_passes.html",
    context=working_passes,
    box="my-points",
)
