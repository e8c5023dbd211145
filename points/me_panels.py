"""The worker's points balance on their own page (/m/me; members.me_panels)."""

from members.me_panels import Panel

from .selectors import balance_of


def balance(request, worker) -> dict:
    return {"points_balance": balance_of(worker)}


balance_panel = Panel(
    name="points.balance",
    order=10,
    template="points/_me_balance.html",
    context=balance,
    box="my-points",
)
