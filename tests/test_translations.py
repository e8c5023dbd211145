"""The catalogue says everything the code says (issue 14 §5): every string marked for
translation in the code and templates has a zh-hans translation, none of them fuzzy.

Extraction runs on a copy of the project's tracked files, so the repository's catalogue is
never rewritten by a test: a string added without its translation fails here, with its
text, instead of showing English to a worker."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUE = Path("locale/zh_Hans/LC_MESSAGES/django.po")
pytestmark = pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgattrib")),
    reason="gettext is not installed (scripts/services.sh installs it)",
)


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [name for name in listed.split("\0") if name]


def entries(po: Path, *flags: str) -> list[str]:
    """The msgids msgattrib selects with `flags` (the header entry left out)."""
    out = subprocess.run(
        ["msgattrib", "--no-wrap", *flags, str(po)], capture_output=True, check=True, text=True
    ).stdout
    return [
        line.removeprefix("msgid ").strip('"')
        for line in out.splitlines()
        if line.startswith("msgid ") and line != 'msgid ""'
    ]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """makemessages run on a copy of the tracked files, as `make messages` runs it."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    copy = tmp_path_factory.mktemp("catalogue")
    for name in tracked_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--ignore=.venv",
            "--ignore=var",
            "--ignore=bench",
            "--no-obsolete",
            "-v0",
        ],
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy)},
        check=True,
    )
    return copy / CATALOGUE


def test_every_string_in_the_code_has_a_translation(extracted):
    assert entries(extracted, "--untranslated") == []


def test_no_translation_is_fuzzy(extracted):
    assert entries(ROOT / CATALOGUE, "--only-fuzzy") == []
    assert entries(extracted, "--only-fuzzy") == []


def test_change_reads_xiugai_as_in_djangos_own_admin():
    """ "Change" is 修改 (to edit), as Django's admin says it; 更换 means to replace."""
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Change") == "修改"
