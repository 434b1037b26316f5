"""Browser tests: a real ASGI server (uvicorn, as in production) on a seeded demo database,
driven through Debian's Chromium by Playwright. Run in their own pytest process (`make e2e`).

With DATABASE_URL set (CI's second pass) the server gets a fresh PostgreSQL database of its own;
with REDIS_URL it uses Redis for the live layer.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import expect

# These run on a shared 2-core machine beside other work, where a page can take more than
# Playwright's default 5 s to settle. What must be fast says so with its own timeout ("within a
# second" in the proposals and live-room tests); the rest may take up to 10 s.
expect.set_options(timeout=10_000)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = os.environ.get("SCREENSHOTS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'db.sqlite3'}"
        return
    import psycopg

    name = f"asamblea_e2e_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


class Server:
    """The app under uvicorn, as production runs it; it can be stopped and started again."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--lifespan",
                "off",
                "--ws-per-message-deflate",
                "false",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2)
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.process.kill()
                    raise RuntimeError("the test server did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def app_server(database_url, tmp_path_factory) -> Iterator[Server]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ASAMBLEA_VAR_DIR": str(tmp_path_factory.mktemp("var")),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.setdefault("CHANNEL_PREFIX", f"asamblea-e2e-{uuid.uuid4().hex[:8]}")
    server = Server(env)
    server.manage("migrate", "-v0")
    server.manage("demo")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def server(app_server: Server) -> str:
    return app_server.url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
LAPTOP = {"viewport": {"width": 1366, "height": 900}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}


def signed_in(browser, server: str, email: str, *, locale: str = "en-US", **options):
    """A fresh browser context signed in as `email` (the demo password) through the login form."""
    context = browser.new_context(locale=locale, **options)
    page = context.new_page()
    page.goto(server + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", "asamblea-demo")
    page.locator("main form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(server + "/")
    return context, page


def another_screen(browser, context, *, locale: str = "en-US", **options):
    """A page signed in as `context` is, in a window of its own (a projector, a second laptop).
    A second tab of one context, once the room is live, slowed every click on the first to about
    2 s in headless Chromium (Playwright waits for a stable frame); a real one is its own screen."""
    state = context.storage_state()
    return browser.new_context(storage_state=state, locale=locale, **options).new_page()


@pytest.fixture(autouse=True)
def _close_windows(request) -> Iterator[None]:
    """Each test's windows close after it: a page left open keeps its socket and its timers."""
    yield
    if "browser" in request.fixturenames:
        for context in request.getfixturevalue("browser").contexts:
            context.close()


def tick_open_anyway(console) -> None:
    """Tick "open it anyway" on the console's decision (a push repainting the form keeps it)."""
    console.locator("#decision input[name=override_quorum]").check()


def screenshot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def new_meeting(server: Server, title: str = "Extraordinary assembly") -> int:
    """A fresh meeting of the demo organization with the demo agenda; its id."""
    out = server.manage(
        "shell",
        "-c",
        "from assembly.management.commands.demo import AGENDA; "
        "from assembly.models import Organization; "
        "org = Organization.objects.get(slug='inquilinos-unidos'); "
        f"m = org.meetings.create(title={title!r}); "
        "[m.items.create(position=n, title=t, kind=k, timebox_minutes=mins, description=d) "
        " for n, (t, k, mins, d) in enumerate(AGENDA, start=1)]; "
        "print(m.pk)",
    )
    return int(out.stdout.strip().splitlines()[-1])


def check_in(server: str, meeting: int, phones, desk) -> None:
    """Members check in from their phones; the secretary checks in Ernesto, who has none."""
    from playwright.sync_api import expect

    for phone in phones:
        phone.goto(f"{server}/m/{meeting}/")
        phone.locator("form[action$='/check-in/'] button").click()
        expect(phone.locator("#me")).to_contain_text(re.compile("You are in as|Estás dentro como"))
    desk.goto(f"{server}/m/{meeting}/attendance/")
    desk.get_by_role("button", name="Check in Ernesto Díaz").click()
    expect(desk.locator("#present-people")).to_contain_text("Ernesto Díaz")
