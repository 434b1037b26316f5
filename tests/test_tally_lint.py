"""Belt and braces for ruff's banned-api rule: the tally package must never import Django."""

from __future__ import annotations

import ast
from pathlib import Path

TALLY = Path(__file__).resolve().parents[1] / "assembly" / "tally"


def imported_roots(source: str) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_tally_package_never_imports_django() -> None:
    modules = sorted(TALLY.rglob("*.py"))
    assert modules, f"no modules found under {TALLY}"
    offenders = [
        str(p.relative_to(TALLY)) for p in modules if "django" in imported_roots(p.read_text())
    ]
    assert offenders == []


def test_tally_lint_guard_detects_a_django_import() -> None:
    # The guard itself must notice both import forms, or it would pass vacuously.
    assert "django" in imported_roots("from django.db import models\n")
    assert "django" in imported_roots("import django.conf\n")
    assert "django" not in imported_roots("from .results import Result\n")
