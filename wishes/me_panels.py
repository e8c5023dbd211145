"""The way to the worker's wishes from their own page (/m/me; members.me_panels), beside
their points and activities."""

from members.me_panels import Panel

links_panel = Panel(
    name="wishes.links",
    order=12,
    template="wishes/_me_links.html",
    box="my-points",
)
