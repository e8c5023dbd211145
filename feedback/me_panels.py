"""The way to the worker's suggestions and reports from their own page (/m/me;
members.me_panels), beside their points and wishes."""

from members.me_panels import Panel

links_panel = Panel(
    name="feedback.links",
    order=13,
    template="feedback/_me_links.html",
    box="my-points",
)
