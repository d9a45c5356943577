"""The apps import one another in one direction only (README, "Apps"): clinic is the kernel and
imports no other app; config and demo may import every app and none imports them."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# app -> the apps it may import (besides itself)
MAY_IMPORT = {
    "clinic": set(),
    "patients": {"clinic"},
    "scheduling": {"patients", "clinic"},
    "insurance": {"patients", "clinic"},
    "infusions": {"scheduling", "insurance", "patients", "clinic"},
    "charting": {"infusions", "scheduling", "insurance", "patients", "clinic"},
    # Reports read every domain app in aggregate; nothing imports reports but config.
    "reports": {"charting", "infusions", "scheduling", "insurance", "patients", "clinic"},
    "fhir": {"charting", "infusions", "scheduling", "insurance", "patients", "clinic"},
    "selfservice": {"infusions", "scheduling", "insurance", "patients", "clinic"},
    "waitlist": {"selfservice", "infusions", "scheduling", "insurance", "patients", "clinic"},
}
APPS = {*MAY_IMPORT, "config", "demo"}


def _imports(app: str) -> set[tuple[str, str]]:
    """(file, imported app) for every import of another app in the app's code, migrations aside."""
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in APPS and top != app:
                    found.add((str(path.relative_to(ROOT)), top))
    return found


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_an_app_imports_only_the_apps_below_it(app):
    wrong = sorted((path, other) for path, other in _imports(app) if other not in MAY_IMPORT[app])
    assert wrong == []


def test_clinic_imports_no_other_app():
    assert _imports("clinic") == set()
