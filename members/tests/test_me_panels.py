"""The /m/me panel registry: apps above members put their panels on the worker's page
without members knowing them (the panels themselves are tested in their apps)."""

import pytest
from django.test import override_settings

from core.registry import Registry
from members import me_panels
from members.me_panels import Panel

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {"first.html": "[first {{ worker }}]", "second.html": "[second {{ n }}]"},
                )
            ]
        },
    }
]


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(me_panels, "_panels", Registry("/m/me panel"))
    return me_panels


def count(request, worker):
    return {"n": 3}


@override_settings(TEMPLATES=TEMPLATES)
def test_panels_render_in_order_and_share_their_box(registry, rf):
    registry.register(Panel(name="b.alone", order=30, template="first.html"))
    registry.register(
        Panel(name="a.count", order=20, template="second.html", context=count, box="mine")
    )
    registry.register(Panel(name="a.who", order=10, template="first.html", box="mine"))
    boxes = registry.render(rf.get("/m/me/"), "王小二")
    assert [(box.name, box.parts) for box in boxes] == [
        ("mine", ["[first 王小二]", "[second 3]"]),
        ("b-alone", ["[first 王小二]"]),
    ]


def test_a_name_is_registered_once(registry):
    panel = Panel(name="a.who", order=10, template="first.html")
    registry.register(panel)
    registry.register(panel)  # ready() running twice changes nothing
    with pytest.raises(ValueError):
        registry.register(Panel(name="a.who", order=11, template="second.html"))
