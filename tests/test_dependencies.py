"""Dependencies run one way (DESIGN.md, config/settings/base.py PLATFORM_APP_LAYERS): an
app imports from, and points its models at, apps of lower layers only — not a higher one,
not even lazily inside a function, and not another app of its own layer. Where a lower app
needs something from above, it offers a registry the higher app registers into.

Read from the code itself: every import statement of every module of every app (its tests
and migrations included), and every relation of every installed model."""

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings

LAYERS = settings.PLATFORM_APP_LAYERS
LAYER_OF = {app: number for number, layer in enumerate(LAYERS) for app in layer}
# Above every app: it collects their URLs, settings and Celery schedule.
CONFIG = "config"


@dataclass(frozen=True)
class Dependency:
    source: str  # the app that depends
    target: str  # the app it depends on
    where: str  # file:line, or app.Model.field


def imports_in(app_dir: Path, app: str) -> Iterable[Dependency]:
    """Every import of another platform app (or of config) in the app's modules, and every
    module named as a string to importlib.import_module / apps.get_model."""
    for path in sorted(app_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute | ast.Name)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) in _BY_NAME
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names = [node.args[0].value]
            for name in names:
                target = name.split(".")[0]
                if target != app and (target in LAYER_OF or target == CONFIG):
                    yield Dependency(
                        app, target, f"{path.relative_to(app_dir.parent)}:{node.lineno}"
                    )


_BY_NAME = {"import_module", "get_model"}


def import_dependencies(root: Path) -> list[Dependency]:
    return [
        dependency
        for app in LAYER_OF
        if (root / app).is_dir()
        for dependency in imports_in(root / app, app)
    ]


def relation_dependencies() -> list[Dependency]:
    """Every foreign key, one-to-one and many-to-many of every platform model."""
    found = []
    for model in apps.get_models():
        source = model._meta.app_label
        if source not in LAYER_OF:
            continue
        for field in model._meta.get_fields():
            if not (field.is_relation and (field.concrete or field.many_to_many)):
                continue
            if field.auto_created and not field.concrete:
                continue  # the reverse side of someone else's relation
            target = field.related_model._meta.app_label
            if target != source and target in LAYER_OF:
                found.append(Dependency(source, target, f"{model._meta.label}.{field.name}"))
    return found


def against_the_order(dependencies: Iterable[Dependency]) -> list[Dependency]:
    return [
        d for d in dependencies if d.target == CONFIG or LAYER_OF[d.target] >= LAYER_OF[d.source]
    ]


def cycles(dependencies: Iterable[Dependency]) -> list[list[str]]:
    """Each cycle between apps once, as the apps along it."""
    graph: dict[str, set[str]] = {}
    for d in dependencies:
        graph.setdefault(d.source, set()).add(d.target)
    found, seen = [], set()

    def walk(app: str, path: list[str]) -> None:
        for target in sorted(graph.get(app, ())):
            if target in path:
                cycle = path[path.index(target) :]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    found.append([*cycle, target])
            elif len(path) < len(graph) + 1:
                walk(target, [*path, target])

    for app in sorted(graph):
        walk(app, [app])
    return found


def explain(dependencies: list[Dependency]) -> str:
    return "\n".join(f"  {d.source} → {d.target}  ({d.where})" for d in dependencies)


# The platform itself ----------------------------------------------------------------------


ROOT = Path(settings.BASE_DIR)


def test_no_app_imports_against_the_order():
    wrong = against_the_order(import_dependencies(ROOT))
    assert not wrong, (
        "These imports go up (or sideways) against PLATFORM_APP_LAYERS; offer a registry in "
        "the lower app and register into it from the higher one:\n" + explain(wrong)
    )


def test_no_model_points_up():
    wrong = against_the_order(relation_dependencies())
    assert not wrong, (
        "These relations point at a higher app; turn them around (the higher app's model "
        "names the lower one's):\n" + explain(wrong)
    )


def test_no_cycle_between_apps():
    found = cycles(import_dependencies(ROOT) + relation_dependencies())
    assert not found, "Cycles between apps: " + "; ".join(" → ".join(c) for c in found)


def test_the_apps_are_installed_in_their_layers_order():
    installed = [app for app in settings.INSTALLED_APPS if app in LAYER_OF]
    assert installed == [app for layer in LAYERS for app in layer]


# The check itself -------------------------------------------------------------------------


def test_a_planted_upward_import_is_caught_even_inside_a_function(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "planted.py").write_text(
        "def later():\n    from members.models import Worker\n    return Worker\n"
    )
    (tmp_path / "areas").mkdir()
    (tmp_path / "areas" / "planted.py").write_text(
        "from django.apps import apps\nStation = apps.get_model('stations.Station')\n"
    )
    wrong = against_the_order(import_dependencies(tmp_path))
    assert [(d.source, d.target, d.where) for d in wrong] == [
        ("core", "members", "core/planted.py:2"),
        ("areas", "stations", "areas/planted.py:2"),
    ]


def test_a_planted_cycle_is_caught():
    planted = [
        Dependency("members", "areas", "x"),
        Dependency("areas", "stations", "y"),
        Dependency("stations", "members", "z"),
    ]
    assert cycles(planted) == [["areas", "stations", "members", "areas"]]
    assert {d.where for d in against_the_order(planted)} == {"y"}  # stations may use members
