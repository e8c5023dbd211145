"""The panels other apps put on the worker's own page (/m/me): recent check-ins, the
points balance, the way to activities.

Members sits below stations, points and activities (DESIGN.md), so it cannot read a
worker's check-ins or balance itself. Each app registers its Panel in its
AppConfig.ready(); the /m/me view renders every registered panel, lowest `order` first,
between the worker's record and the party link. Members knows nothing of what they show.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from core.registry import Registry


def no_context(request, worker) -> dict:
    return {}


@dataclass(frozen=True)
class Panel:
    name: str  # unique, "app.what": "points.balance"
    order: int  # place on the page, lowest first
    template: str  # rendered with `worker` and what `context` returns
    context: Callable[[object, object], dict] = no_context  # (request, worker) -> dict
    # Panels of one box share a <section class="panel {box}"> (the balance and the
    # activities links sit together); by default each panel is a box of its own.
    box: str = ""


@dataclass
class Box:
    name: str  # the section's class
    parts: list[SafeString] = field(default_factory=list)


_panels: Registry[Panel] = Registry("/m/me panel")


def register(panel: Panel) -> Panel:
    return _panels.register(panel.name, panel)


def render(request, worker) -> list[Box]:
    """Every registered panel rendered for this worker, gathered in their boxes."""
    boxes: list[Box] = []
    for panel in sorted(_panels, key=lambda p: (p.order, p.name)):
        html = render_to_string(
            panel.template, {"worker": worker, **panel.context(request, worker)}, request
        )
        box = panel.box or panel.name.replace(".", "-")
        if not boxes or boxes[-1].name != box:
            boxes.append(Box(box))
        boxes[-1].parts.append(html)
    return boxes
