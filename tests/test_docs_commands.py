"""The commands we ship keep no client addresses: the README promises none is stored, and an
access log would keep one line per request with the address in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands(program: str) -> list[str]:
    """Each `program ...` command quoted in the README (a quote may run over two lines)."""
    text = re.sub(r"\n\s*", " ", (ROOT / "README.md").read_text())
    return re.findall(rf"`({program} [^`]*)`", text)


def makefile_commands(program: str) -> list[str]:
    return [line for line in (ROOT / "Makefile").read_text().splitlines() if program in line]


def test_every_uvicorn_command_we_ship_runs_without_an_access_log():
    found = readme_commands("uvicorn") + makefile_commands("/uvicorn ")
    assert len(found) >= 2  # the deployment's and `make run`'s
    for command in found:
        assert "--no-access-log" in command, command


def test_daphne_is_shown_quiet_too_and_make_run_does_not_use_runserver():
    for command in readme_commands("daphne"):
        assert "-v 0" in command, command
    assert "runserver" not in (ROOT / "Makefile").read_text()  # daphne's logs every address


def test_the_deployment_section_names_the_shared_cache():
    deploying = (ROOT / "README.md").read_text().split("## Deploying it for real")[1]
    deploying = deploying.split("\n## ")[0]
    assert "shared cache" in deploying
    assert "--no-access-log" in deploying
