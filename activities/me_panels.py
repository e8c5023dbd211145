"""The way to activities and volunteering from the worker's own page (/m/me;
members.me_panels), beside their points balance."""

from members.me_panels import Panel

links_panel = Panel(
    name="activities.links",
    order=11,
    template="activities/_me_links.html",
    box="my-points",
)
