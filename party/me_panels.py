"""The way to the party member's page on the worker's own page (/m/me; members.me_panels)."""

from members.me_panels import Panel

party_link_panel = Panel(name="party.link", order=90, template="party/_me_link.html")
