"""The worker's recent check-ins on their own page (/m/me; members.me_panels)."""

from members.me_panels import Panel

from .selectors import check_ins_of

RECENT_CHECK_INS = 3  # on /m/me; the rest at /m/me/check-ins/


def recent_check_ins(request, worker) -> dict:
    return {"recent_check_ins": check_ins_of(worker)[:RECENT_CHECK_INS]}


check_ins_panel = Panel(
    name="stations.check_ins",
    order=20,
    template="stations/_me_check_ins.html",
    context=recent_check_ins,
    box="my-check-ins",
)
