"""The Spanish catalogue is complete, current with the source, and compiled."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "assembly" / "locale" / "es" / "LC_MESSAGES" / "django.po"

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext's msgfmt")


def msgids(po_text: str) -> set[str]:
    """Every msgid, its continuation lines joined (catalogues may wrap long strings)."""
    found = re.findall(r'^msgid ((?:".*"\n)+)', po_text, flags=re.MULTILINE)
    joined = {"".join(re.findall(r'"(.*)"', block)) for block in found}
    return joined - {""}


def test_every_spanish_string_is_translated_and_none_is_fuzzy():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr
    assert "translated messages" in result.stderr


def test_no_user_facing_string_is_missing_from_the_catalogue():
    committed = CATALOGUE.read_text()
    try:
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "es",
                "--no-obsolete",
                "--no-wrap",
                "--add-location",
                "file",
                "-i",
                ".venv/*",
                "-i",
                "tests/*",
                "-i",
                "var/*",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        fresh = CATALOGUE.read_text()
    finally:
        CATALOGUE.write_text(committed)
    new = msgids(fresh) - msgids(committed)
    assert not new, f"untranslated strings; run `make messages` and translate: {sorted(new)}"


def test_the_compiled_catalogue_matches_the_source(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(CATALOGUE)], check=True)
    committed = CATALOGUE.with_suffix(".mo").read_bytes()
    assert compiled.read_bytes() == committed, "run `make messages` to recompile django.mo"
