"""`make bench`: the real app under its production server, driven like a hall full of phones.

For each configuration (`run`: SQLite + in-memory layer, as `make run`; `pg1`/`pg2`: PostgreSQL +
Redis with 1 or 2 uvicorn workers) and each number of phones it seeds a fresh database, starts
uvicorn, connects N authenticated participant websockets (the `websockets` package, one asyncio
process) and measures: click → last phone, push fan-out, server CPU per delivered push, memory
per phone, a ballot burst through the real POST, a drop-and-reconnect of every phone, and a hall
opening the participant page at once. In the
same run a bare `websockets` broadcast server (benchmarks/bare_ws.py) at the same N and message
size gives the limit. It prints the figures and writes docs/performance.md.

Not a test, and not run by `make test`: it takes minutes and wants a quiet machine.

    python benchmarks/room_bench.py [--phones 100,500,1000,2000] [--configs run,pg1,pg2]
        [--clicks 10] [--ballots 1000] [--out docs/performance.md]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

from websockets.asyncio.client import connect as ws_connect

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"
ALL_PHONES = (100, 500, 1000, 2000)


@dataclass(frozen=True)
class Config:
    name: str
    title: str
    postgres: bool
    workers: int


CONFIGS = {
    "run": Config("run", "`make run` (SQLite, in-memory layer, 1 worker)", False, 1),
    "pg1": Config("pg1", "PostgreSQL + Redis, 1 uvicorn worker", True, 1),
    "pg2": Config("pg2", "PostgreSQL + Redis, 2 uvicorn workers", True, 2),
}

# Bounds, so that a broken server makes a slow report, never a hung benchmark.
CONNECT_TIMEOUT = 30.0  # one handshake and its first message
PUSH_TIMEOUT = 30.0  # until every phone has one push
BALLOT_TIMEOUT = 120.0  # one ballot's answer (an overloaded server took 75 s before)
RECONNECT_LIMIT = 120.0  # every phone back
PAGE_TIMEOUT = 120.0  # one page of a hall opening it at once
PAGES = 1000  # phones opening the page within about a second, at most
IDLE_SECONDS = 20.0  # the connected server left alone, before the pushes (`idle_cpu`): one
# period of the keepalive pings (live.fanout.keep_alive: every socket in one pass)
IDLE_FROM = 1000  # phones: measured where the bar is judged (a minute more for make bench)
CLICK_GAP = 0.4  # between facilitator clicks: longer than live.coalesce.WINDOW (0.25 s), so
# each click is broadcast at once instead of being merged with the one before

VERSION = re.compile(r'data-version="(\d+)"(?: data-parts="([^"]*)")?')
TURNOUT = re.compile(r"(\d+) of (\d+) have voted")
ROOM_IDS = ('id="room-version"', 'id="current-item"', 'id="stack"', 'id="agenda"')
# The person's own part: sent on a first connect, and again only if it changed since `since`.
OWN_PART = 'id="me"'

# The answer to a socket that reopens showing the current version: that version alone.
CURRENT = '<div id="room-version" data-version="{}" hidden></div>'


# -- numbers ------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float | None:
    """The q-th percentile, interpolated (with 10 samples, p99 is close to the maximum)."""
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def ms(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0:
        return f"−{ms(-value)}"
    return f"{value * 1000:,.0f}" if value >= 0.01 else f"{value * 1000:.1f}"


def ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or not b else f"{a / b:.1f}×"


# -- the server's process tree, from /proc ------------------------------------------------------


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def cpu_seconds(root: int) -> float:
    """utime + stime of every live process in the tree."""
    ticks = 0
    for pid in process_tree(root):
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_bytes(root: int) -> int:
    total = 0
    for pid in process_tree(root):
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return total * os.sysconf("SC_PAGE_SIZE")


async def idle_cpu(pid: int, phones: int) -> float | None:
    """The server's CPU per second with every phone connected and nothing said: the app's
    keepalive ping to each socket every 20 s (the bare server, as the founders' reference,
    sends none), its timers. Taken out of the CPU per push "beyond idle": the broadcast's own
    cost, as the bare server's is measured. From IDLE_FROM phones only (None below)."""
    if phones < IDLE_FROM:
        return None
    before, started = cpu_seconds(pid), time.perf_counter()
    await asyncio.sleep(IDLE_SECONDS)
    return (cpu_seconds(pid) - before) / (time.perf_counter() - started)


BEYOND = "cpu_per_push_beyond_idle"


def push_cpu(cpu: float, seconds: float, idle: float | None, pushes: int) -> dict:
    """CPU per delivered push over `seconds` of pushing: all of it, and beyond the idle's."""
    pushes = max(1, pushes)
    if idle is None:
        return {"cpu_per_push": cpu / pushes}
    return {
        "cpu_per_push": cpu / pushes,
        BEYOND: max(0.0, cpu - idle * seconds) / pushes,
        "idle_cpu_ms_per_s": idle * 1000,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def token() -> str:
    """A CSRF secret as Django's cookie holds it (32 letters and digits)."""
    return "".join(random.choices(string.ascii_letters + string.digits, k=32))


# -- phones -------------------------------------------------------------------------------------


class Watch:
    """Waits until every phone passes `test`, noting when each did (from its reader task)."""

    def __init__(
        self, phones: list[Phone], test: Callable[[Phone], bool], since: str = "changed_at"
    ) -> None:
        self.test = test
        self.times: list[float] = []
        self.pending = set()
        for phone in phones:
            if test(phone):
                self.times.append(getattr(phone, since))  # passed before the watch began
            else:
                self.pending.add(phone)
        self.done = asyncio.Event()
        if not self.pending:
            self.done.set()
        Phone.watch = self

    def check(self, phone: Phone, at: float) -> None:
        if phone in self.pending and self.test(phone):
            self.pending.discard(phone)
            self.times.append(at)
            if not self.pending:
                self.done.set()

    async def wait(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self.done.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            Phone.watch = None


class Phone:
    """One participant's websocket: what it shows now (room version, turnout) and since when."""

    watch: Watch | None = None

    def __init__(self, url: str, cookie: str, *, room: bool = True) -> None:
        self.url, self.cookie, self.room = url, cookie, room
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.version = -1
        self.turnout: int | None = None
        self.changed_at = 0.0
        self.turnout_at = 0.0
        self.push_size = 0
        self.stale = 0  # pushes older than the screen, dropped as static/assembly/js/app.js does
        self.unexpected_closes = 0
        self.failed_handshakes = 0  # refused, reset or timed out, then retried
        self.whole_rooms = 0  # how many times it was sent the whole room on connecting
        self.missed = False  # dropped an older push since its last whole room (as app.js notes)
        # As app.js: what each part is as of, so that a dropped push is asked for again
        # ({"type": "sync"}) only if it had a part no newer push has painted since.
        self.painted: dict[str, int] = {}
        self.whole_at = -1
        self.sync_asked = False
        self.syncs = 0
        self.turnouts = 0  # pushes of the turnout it was sent (a ballot burst's, coalesced)

    async def connect(
        self, attempts: int = 3, *, since: int | None = None, room_asked: bool = False
    ) -> bool:
        """Open the socket; `since`: the version the screen shows, sent as app.js does (?v=),
        so that the server may answer with that version alone if nothing changed; `room_asked`:
        the whole room all the same (?room=1, after dropping an older push, as app.js does)."""
        url = self.url if since is None else f"{self.url}&v={since}"
        url += "&room=1" if room_asked else ""
        for attempt in range(attempts):
            try:
                self.ws = await ws_connect(
                    url,
                    origin=self.url.split("/ws/")[0].replace("ws://", "http://"),
                    additional_headers={"Cookie": self.cookie} if self.cookie else None,
                    compression=None,
                    max_size=None,
                    ping_interval=None,
                    open_timeout=CONNECT_TIMEOUT,
                    close_timeout=1,
                )
                if self.room:
                    await self.first_room(since, room_asked)
                self.reader = asyncio.create_task(self.read())
                return True
            except Exception:
                self.failed_handshakes += 1
                await self.drop()
                if attempt + 1 < attempts:
                    await asyncio.sleep(0.2 + random.random() * 0.5)
        return False

    async def first_room(self, since: int | None, room_asked: bool) -> None:
        """Until the server's answer to the opening socket: the room, or its version alone. The
        socket joins the room's pushes before that answer is sent, so a push made meanwhile
        (the facilitator acting as the hall comes back) may come first: it is painted, as
        app.js paints it, and the answer still awaited."""
        deadline = time.perf_counter() + CONNECT_TIMEOUT
        while True:
            timeout = deadline - time.perf_counter()
            message = await asyncio.wait_for(self.ws.recv(), max(timeout, 0.001))
            current = since is not None and not room_asked and message == CURRENT.format(since)
            whole = all(marker in message for marker in ROOM_IDS)
            if current or (whole and (since is not None or OWN_PART in message)):
                break
            found = VERSION.search(message, 0, 400)
            if found is None or found.group(2) is None:
                raise RuntimeError(f"not the room: {message[:200]!r}")
            self.on_message(message, time.perf_counter())  # a push of some parts
        self.whole_rooms += not current
        self.missed = self.missed and current
        self.on_message(message, time.perf_counter())

    async def read(self) -> None:
        try:
            async for message in self.ws:
                self.on_message(message, time.perf_counter())
        except asyncio.CancelledError:
            raise
        except Exception:
            pass
        self.unexpected_closes += 1

    def on_message(self, message: str, at: float) -> None:
        parts = None  # all of them
        if message.startswith("push "):  # the bare server's
            version = int(message.split(" ", 2)[1])
        else:
            found = VERSION.search(message, 0, 400)
            if found is None:
                return
            version = int(found.group(1))
            parts = found.group(2).split(" ") if found.group(2) is not None else None
        if 'id="turnout"' in message:
            self.turnouts += 1
        # As the page's script does: a push older than what the screen shows is dropped, and
        # the room asked for again if a part of it has not been painted newer since.
        if version < self.version:
            self.stale += 1
            lacking = parts is None or any(
                self.painted.get(part, self.whole_at) < version for part in parts
            )
            if lacking and not self.sync_asked:
                self.ask_room(version)
            return
        self.sync_asked = False
        if parts is None:
            self.painted, self.whole_at = {}, version
        else:
            self.painted.update(dict.fromkeys(parts, version))
        counted = TURNOUT.search(message) if 'id="turnout"' in message else None
        if counted:
            self.turnout = int(counted.group(1))
            self.turnout_at = at
        self.version = version
        self.changed_at = at
        self.push_size = len(message.encode())
        if Phone.watch is not None:
            Phone.watch.check(self, at)

    def ask_room(self, dropped: int) -> None:
        if self.ws is None or self.ws.state.name != "OPEN":
            self.missed = True  # asked as the socket reopens (room=1)
            return
        self.sync_asked = True
        self.syncs += 1
        message = json.dumps({"type": "sync", "version": dropped})
        asyncio.get_running_loop().create_task(self.ws.send(message))

    async def drop(self) -> None:
        """Lose the connection at once, as a phone leaving the Wi-Fi does (no close frame)."""
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader
            self.reader = None
        if self.ws is not None:
            with contextlib.suppress(Exception):
                self.ws.transport.abort()
            self.ws = None

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader
            self.reader = None
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 2)
            self.ws = None


async def connect_all(phones: list[Phone], concurrency: int | None) -> tuple[float, int]:
    """Connect every phone (at most `concurrency` handshakes at once); seconds, failures."""
    gate = asyncio.Semaphore(concurrency or len(phones) or 1)

    async def one(phone: Phone) -> bool:
        async with gate:
            return await phone.connect()

    started = time.perf_counter()
    results = await asyncio.gather(*(one(p) for p in phones))
    return time.perf_counter() - started, results.count(False)


# -- HTTP, by hand: one request per connection, as a phone on a busy Wi-Fi often does -----------


async def http(
    port: int,
    method: str,
    path: str,
    *,
    fields: dict | None = None,
    session: str = "",
    csrf: str = "",
    timeout: float = 30.0,
) -> tuple[int, str]:
    body = urlencode(fields or {}).encode()
    cookies = "; ".join(
        part for part in (f"sessionid={session}" if session else "", f"csrftoken={csrf}") if part
    )
    head = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Origin: http://127.0.0.1:{port}",
        f"Cookie: {cookies}",
        f"X-CSRFToken: {csrf}",
        "HX-Request: true",  # as htmx sends it: the answer is the page's fragments
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]

    async def exchange() -> tuple[int, str]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            raw = await reader.read()
        finally:
            writer.close()
        status = int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else 0
        return status, raw.decode("utf-8", "replace")

    return await asyncio.wait_for(exchange(), timeout)


# -- the app ------------------------------------------------------------------------------------


@dataclass
class Result:
    config: str
    phones: int
    figures: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def reachable() -> tuple[bool, str]:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3) as conn:
            pg_version = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:
        return False, f"PostgreSQL at {PG_ADMIN} is unreachable ({error.__class__.__name__})"
    try:
        import redis

        redis_version = redis.Redis.from_url(REDIS_URL, socket_timeout=3).info()["redis_version"]
    except Exception as error:
        return False, f"Redis at {REDIS_URL} is unreachable ({error.__class__.__name__})"
    return True, f"PostgreSQL {pg_version}, Redis {redis_version}"


@contextlib.contextmanager
def environment(config: Config, phones: int) -> Iterator[dict]:
    """A fresh var dir (and PostgreSQL database, Redis prefix) for one run; gone afterwards."""
    var_dir = tempfile.mkdtemp(prefix=f"asamblea-bench-{config.name}-{phones}-")
    tag = f"asamblea_bench_{os.getpid()}_{config.name}_{phones}"
    env = {
        **os.environ,
        "ASAMBLEA_VAR_DIR": var_dir,
        "SECRET_KEY": token() + token(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "",
        "PYTHONPATH": str(ROOT),
    }
    for name in ("DATABASE_URL", "REDIS_URL", "CHANNEL_PREFIX"):
        env.pop(name, None)
    try:
        if config.postgres:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{tag}"')
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{tag}"
            env["REDIS_URL"] = REDIS_URL
            env["CHANNEL_PREFIX"] = tag
        yield env
    finally:
        if config.postgres:
            import psycopg
            import redis

            with contextlib.suppress(Exception), psycopg.connect(PG_ADMIN, autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{tag}" WITH (FORCE)')
            with contextlib.suppress(Exception):
                client = redis.Redis.from_url(REDIS_URL)
                for key in client.scan_iter(match=f"{tag}*", count=1000):
                    client.delete(key)
        shutil.rmtree(var_dir, ignore_errors=True)


def django_side(env: dict, *args: str, timeout: float = 600) -> dict:
    done = subprocess.run(
        [PYTHON, str(ROOT / "benchmarks" / "room_django.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"room_django.py {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Server:
    """A server process (and its children) of our own, stopped by its own process group."""

    def __init__(self, command: list[str], env: dict, log: Path) -> None:
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for_port(self, port: int, limit: float = 60.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return
            time.sleep(0.1)
        raise RuntimeError(f"the server did not listen within {limit:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)

    def errors(self) -> list[str]:
        """The exceptions the server logged (the last line of each traceback)."""
        lines = self.log.read_text(errors="replace").splitlines()
        found = []
        for i, line in enumerate(lines):
            if line.startswith("Traceback"):
                tail = next(
                    (
                        later
                        for later in lines[i + 1 :]
                        if later and not later.startswith((" ", "Traceback"))
                    ),
                    "?",
                )
                found.append(tail.strip())
        return found


async def drive_app(port: int, seed: dict, server: Server, args, result: Result) -> None:
    figures, notes = result.figures, result.notes
    meeting = seed["meeting"]
    url = f"ws://127.0.0.1:{port}/ws/meetings/{meeting}/participant/?lang=en"
    phones = [Phone(url, f"sessionid={key}") for key in seed["phones"]]
    csrf = {phone: token() for phone in phones}
    facilitator, facilitator_csrf = seed["facilitator"], token()

    async def act(path: str, **fields) -> tuple[int, str]:
        return await http(
            port, "POST", f"/m/{meeting}/{path}", fields=fields,
            session=facilitator, csrf=facilitator_csrf,
        )  # fmt: skip

    # Warm up (imports, templates, the room cache) so the baseline is a serving server; a few
    # rounds of concurrent handshakes, so that with two workers both have served a socket.
    warm = phones[: min(50, len(phones))]
    for _round in range(3):
        await connect_all(warm, None)
        await asyncio.gather(*(phone.close() for phone in warm))
    await asyncio.sleep(1)
    rss_before = rss_bytes(server.pid)

    # (iv) connect every phone, 200 handshakes at a time, each with its room.
    seconds, failed = await connect_all(phones, 200)
    figures["connect_s"] = seconds
    if failed:
        notes.append(f"{failed} of {len(phones)} phones could not connect with their room")
    live = [p for p in phones if p.ws is not None]
    await asyncio.sleep(1)
    figures["mem_per_phone_kb"] = (rss_bytes(server.pid) - rss_before) / max(1, len(live)) / 1024
    figures["rss_mb"] = rss_bytes(server.pid) / 2**20

    # (i)-(iii) the facilitator closes and reopens the speakers' list: every phone gets a push.
    idle = await idle_cpu(server.pid, len(live))
    clicks, spreads, sizes, statuses, missing = [], [], [], Counter(), 0
    cpu_before, pushing = cpu_seconds(server.pid), time.perf_counter()
    for k in range(args.clicks):
        target = max(p.version for p in live) + 1
        watch = Watch(live, lambda p, target=target: p.version >= target)
        started = time.perf_counter()
        answer = asyncio.create_task(act("stack/close/", closed="1" if k % 2 == 0 else "0"))
        arrived = await watch.wait(PUSH_TIMEOUT)
        status, _ = await answer
        statuses[status] += 1
        if watch.times:
            clicks.append(max(watch.times) - started)
            spreads.append(max(watch.times) - min(watch.times))
            sizes.append(live[0].push_size)
        if not arrived:
            missing += len(watch.pending)
        await asyncio.sleep(CLICK_GAP)
    cpu, pushing = cpu_seconds(server.pid) - cpu_before, time.perf_counter() - pushing
    figures.update(push_cpu(cpu, pushing, idle, args.clicks * len(live)))
    figures.update(
        click_p50=pct(clicks, 50), click_p95=pct(clicks, 95), click_p99=pct(clicks, 99),
        spread_p50=pct(spreads, 50), spread_p95=pct(spreads, 95),
        push_bytes=int(statistics.median(sizes)) if sizes else 0,
        click_statuses=dict(statuses),
    )  # fmt: skip
    if missing:
        notes.append(f"clicks: {missing} phone-pushes never arrived within {PUSH_TIMEOUT:.0f} s")
    if set(statuses) != {200}:
        notes.append(f"clicks answered {dict(statuses)}")

    # (v) a ballot burst: a motion opened, then each phone votes through the real POST.
    status, page = await act("decisions/", question="Adopt the budget", method="motion")
    found = re.search(r"/decisions/(\d+)/open/", page)
    if status != 200 or not found:
        notes.append(f"decision-create answered {status}; no burst")
        figures["decision"] = None
    else:
        decision = int(found.group(1))
        figures["decision"] = decision
        await asyncio.sleep(CLICK_GAP)
        target = max(p.version for p in live) + 1
        watch = Watch(live, lambda p: p.version >= target)
        status, _ = await act(f"decisions/{decision}/open/")
        if status != 200 or not await watch.wait(PUSH_TIMEOUT):
            notes.append(f"decision-open answered {status}, or the room did not hear of it")
        await asyncio.sleep(CLICK_GAP)
        await burst(port, meeting, decision, live, args.ballots, csrf, figures, notes)

    # (vi) every phone loses the Wi-Fi at once, then all come back together, each saying which
    # version its screen shows (as app.js does): first after the facilitator acted meanwhile
    # (every phone needs the whole room), then again with nothing changed (the version alone).
    stale, syncs = sum(p.stale for p in live), sum(p.syncs for p in live)
    if stale:
        notes.append(
            f"{stale} pushes arrived older than the screen and were dropped (as app.js does; "
            "expected with concurrent actions, a problem only if phones end up behind); "
            f"for {syncs} of them a part had not been painted newer since, and the phone "
            "asked for the room again on its socket"
        )
    for changed, key in ((True, "reconnect"), (False, "reconnect_same")):
        await asyncio.gather(*(p.drop() for p in live))
        if changed:
            status, _ = await act("stack/close/", closed="0")
            if status != 200:
                notes.append(f"the change made while the phones were away answered {status}")
        rooms_before = sum(p.whole_rooms for p in live)
        started = time.perf_counter()
        back = await asyncio.gather(*(reconnect(p, started) for p in live))
        times = [t for t in back if t is not None]
        figures[f"{key}_s"] = max(times) if len(times) == len(live) else None
        figures[f"{key}_p50_s"] = pct(times, 50)
        figures[f"{key}_whole_rooms"] = sum(p.whole_rooms for p in live) - rooms_before
        if len(times) < len(live):
            notes.append(
                f"{key}: {len(live) - len(times)} of {len(live)} phones not back with their "
                f"room within {RECONNECT_LIMIT:.0f} s"
            )
        expected = max(p.version for p in live)
        behind = sum(1 for p in live if p.ws is not None and p.version < expected)
        if behind:
            notes.append(f"{key}: {behind} phones were left on an older room than the others")
    figures["failed_handshakes"] = sum(p.failed_handshakes for p in phones)

    # (vii) a hall opening the participant page at once (the QR code on the projector), while
    # the others are in the room: each its own connection, spread evenly over about a second.
    hall = seed["phones"][: min(PAGES, len(seed["phones"]))]
    cpu_before = cpu_seconds(server.pid)
    started = time.perf_counter()
    loads = await asyncio.gather(
        *(open_page(port, meeting, key, started + i / len(hall)) for i, key in enumerate(hall))
    )
    figures["page_cpu"] = (cpu_seconds(server.pid) - cpu_before) / len(hall)
    figures["page_codes"] = dict(Counter(code for code, _ in loads))
    times = [seconds for code, seconds in loads if code == 200]
    figures.update(page_p50=pct(times, 50), page_p95=pct(times, 95), page_max=max(times or [0]))
    if set(figures["page_codes"]) != {200}:
        notes.append(f"a hall opening the page was answered {figures['page_codes']}")
    await asyncio.gather(*(p.close() for p in phones))


async def open_page(port: int, meeting: int, session: str, at: float) -> tuple[int | str, float]:
    """One phone opening the participant page at `at` (perf_counter), as a browser asks for it
    (compressed): its status and the seconds until the whole page arrived."""
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    started = time.perf_counter()
    head = (
        f"GET /m/{meeting}/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: sessionid={session}"
        "\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
    )

    async def exchange() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(head.encode())
            raw = await reader.read()
        finally:
            writer.close()
        return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else 0

    try:
        code: int | str = await asyncio.wait_for(exchange(), PAGE_TIMEOUT)
    except (OSError, TimeoutError) as failed:
        code = type(failed).__name__
    return code, time.perf_counter() - started


async def reconnect(phone: Phone, started: float) -> float | None:
    deadline = started + RECONNECT_LIMIT
    missed = phone.missed  # as app.js: the whole room after dropping an older push
    while time.perf_counter() < deadline:
        if await phone.connect(attempts=1, since=phone.version, room_asked=missed):
            return time.perf_counter() - started
        await asyncio.sleep(0.2 + random.random() * 0.5)  # a phone's retry, jittered
    return None


async def burst(port, meeting, decision, live, ballots, csrf, figures, notes) -> None:
    """The first `ballots` phones each POST one ballot, spread evenly over about a second;
    then every phone must show the final turnout."""
    spread = 1.0
    voters = live[:ballots]
    path = f"/m/{meeting}/decisions/{decision}/vote/"
    turnouts_before = sum(phone.turnouts for phone in live)

    async def vote(i: int, phone: Phone) -> tuple[int | str, float, float]:
        await asyncio.sleep(i * spread / len(voters))
        started = time.perf_counter()
        session = phone.cookie.removeprefix("sessionid=")
        try:
            status, _ = await http(
                port, "POST", path, fields={"vote": "yes"}, session=session,
                csrf=csrf[phone], timeout=BALLOT_TIMEOUT,
            )  # fmt: skip
        except Exception as error:
            status = error.__class__.__name__
        return status, started, time.perf_counter()

    answers = await asyncio.gather(*(vote(i, p) for i, p in enumerate(voters)))
    codes = Counter(status for status, _, _ in answers)
    acks = [done - sent for status, sent, done in answers if status == 200]
    last_ack = max(done for _, _, done in answers)
    accepted = codes.get(200, 0)
    figures.update(
        ballots_sent=len(voters), ballot_codes=dict(codes),
        ack_p50=pct(acks, 50), ack_p95=pct(acks, 95), ack_max=max(acks) if acks else None,
        burst_s=last_ack - min(sent for _, sent, _ in answers),
    )  # fmt: skip
    watch = Watch(live, lambda p: p.turnout == accepted, since="turnout_at")
    arrived = await watch.wait(PUSH_TIMEOUT)
    # Negative when the last phone had the final count before the last answer reached its voter.
    figures["final_count_s"] = max(watch.times) - last_ack if arrived else None
    turnouts = sum(phone.turnouts for phone in live) - turnouts_before
    figures["turnouts_per_phone"] = turnouts / max(1, len(live))
    if not arrived:
        shown = Counter(p.turnout for p in watch.pending)
        notes.append(
            f"ballots: {len(watch.pending)} phones never showed '{accepted} of …' within "
            f"{PUSH_TIMEOUT:.0f} s; they show {dict(shown.most_common(3))}"
        )


def run_app(config: Config, phones: int, args, result: Result) -> None:
    with environment(config, phones) as env:
        started = time.perf_counter()
        seed = django_side(env, "seed", str(phones))
        result.figures["seed_s"] = time.perf_counter() - started
        port = free_port()
        command = [
            PYTHON, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(config.workers), "--lifespan", "off",
            "--ws-per-message-deflate", "false", "--no-access-log",
        ]  # fmt: skip
        server = Server(command, env, Path(env["ASAMBLEA_VAR_DIR"]) / "server.log")
        try:
            server.wait_for_port(port)
            asyncio.run(asyncio.wait_for(ready(port), 60))
            asyncio.run(drive_app(port, seed, server, args, result))
        finally:
            server.stop()
            errors = server.errors()
            if errors:
                common = Counter(errors).most_common(3)
                result.notes.append(
                    f"the server logged {len(errors)} exceptions: "
                    + "; ".join(f"{n}× {text}" for text, n in common)
                )
        decision = result.figures.get("decision")
        if decision:
            counted = django_side(env, "count", str(seed["meeting"]), str(decision))
            result.figures.update(
                stored=counted["distinct_voters"],
                stored_rows=counted["participations"],
                queries_per_ballot=max(counted["queries_per_ballot"], default=None),
                queries_per_box_batch=counted["queries_per_box_batch"],
                queries_per_push=counted["queries_per_turnout_push"],
            )
            if counted["participations"] != counted["distinct_voters"]:
                result.notes.append(
                    f"ballots: {counted['participations']} participation rows for "
                    f"{counted['distinct_voters']} voters"
                )
            if set(counted["probe_statuses"]) != {200}:
                result.notes.append(f"query probe answered {counted['probe_statuses']}")


async def ready(port: int) -> None:
    """Until Django answers (each worker of several may still be importing)."""
    while True:
        try:
            status, _ = await http(port, "GET", "/accounts/login/", timeout=10)
            if status:
                break
        except (OSError, TimeoutError):
            pass
        await asyncio.sleep(0.2)
    await asyncio.gather(*(http(port, "GET", "/accounts/login/") for _ in range(8)))


def run_bare(phones: int, size: int, args) -> Result:
    result = Result("bare", phones, {"push_bytes": size})
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="asamblea-bench-bare-") as tmp:
        command = [PYTHON, str(ROOT / "benchmarks" / "bare_ws.py"), "--port", str(port)]
        server = Server([*command, "--size", str(size)], dict(os.environ), Path(tmp) / "log")
        try:
            server.wait_for_port(port)
            asyncio.run(drive_bare(port, phones, server, args, result))
        finally:
            server.stop()
    return result


async def drive_bare(port: int, n: int, server: Server, args, result: Result) -> None:
    figures = result.figures
    url = f"ws://127.0.0.1:{port}/"
    clients = [Phone(url, "", room=False) for _ in range(n)]
    control = Phone(url, "", room=False)
    rss_before = rss_bytes(server.pid)
    # All at once, as the app's phones reconnect: the bare time to take N handshakes.
    figures["connect_s"], failed = await connect_all(clients, None)
    if failed:
        result.notes.append(f"{failed} clients could not connect")
    await control.connect()
    live = [c for c in clients if c.ws is not None]
    await asyncio.sleep(1)
    figures["mem_per_phone_kb"] = (rss_bytes(server.pid) - rss_before) / max(1, len(live)) / 1024
    idle = await idle_cpu(server.pid, len(live))
    lasts, spreads = [], []
    cpu_before, pushing = cpu_seconds(server.pid), time.perf_counter()
    for k in range(1, args.clicks + 1):
        watch = Watch(live, lambda c, k=k: c.version >= k)
        started = time.perf_counter()
        await control.ws.send(f"go {k}")
        await watch.wait(PUSH_TIMEOUT)
        if watch.times:
            lasts.append(max(watch.times) - started)
            spreads.append(max(watch.times) - min(watch.times))
        await asyncio.sleep(0.05)
    cpu, pushing = cpu_seconds(server.pid) - cpu_before, time.perf_counter() - pushing
    figures.update(push_cpu(cpu, pushing, idle, args.clicks * len(live)))
    figures.update(
        click_p50=pct(lasts, 50), click_p95=pct(lasts, 95), click_p99=pct(lasts, 99),
        spread_p50=pct(spreads, 50), spread_p95=pct(spreads, 95),
    )  # fmt: skip
    await asyncio.gather(*(c.close() for c in [*clients, control]))


# -- the report ---------------------------------------------------------------------------------


def machine() -> list[str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    memory = re.search(r"MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text())
    packages = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("Django", "channels", "channels-redis", "redis", "uvicorn", "websockets")
    )
    return [
        f"- Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- CPU: {os.cpu_count()} × {model.group(1).strip() if model else platform.machine()}",
        f"- Memory: {int(memory.group(1)) / 2**20:.1f} GiB" if memory else "- Memory: ?",
        f"- {platform.system()} {platform.release()}, Python {platform.python_version()}",
        f"- {packages}",
    ]


ROWS: list[tuple[str, Callable[[dict], str]]] = [
    ("click → last phone, p50 / p95 / p99 (ms)",
     lambda f: f"{ms(f.get('click_p50'))} / {ms(f.get('click_p95'))} / {ms(f.get('click_p99'))}"),
    ("push fan-out, first → last phone, p50 / p95 (ms)",
     lambda f: f"{ms(f.get('spread_p50'))} / {ms(f.get('spread_p95'))}"),
    ("server CPU per delivered push: all / beyond the idle server's (ms)",
     lambda f: f"{f['cpu_per_push'] * 1000:.3f} / "
     + (f"{f[BEYOND] * 1000:.3f}" if BEYOND in f else "—") if "cpu_per_push" in f else "—"),
    ("idle server with every phone connected: CPU (ms per second)",
     lambda f: f"{f['idle_cpu_ms_per_s']:.1f}" if "idle_cpu_ms_per_s" in f else "—"),
    ("push size (bytes)", lambda f: f"{f['push_bytes']:,}" if f.get("push_bytes") else "—"),
    ("memory per connected phone (KB)",
     lambda f: f"{f['mem_per_phone_kb']:.0f}" if "mem_per_phone_kb" in f else "—"),
    ("connect every phone (s)", lambda f: f"{f['connect_s']:.2f}" if "connect_s" in f else "—"),
    ("failed handshakes, retried (connect + reconnect)",
     lambda f: str(f["failed_handshakes"]) if "failed_handshakes" in f else "—"),
    ("ballots: answers", lambda f: ", ".join(
        f"{n} × {code}" for code, n in sorted(f.get("ballot_codes", {}).items(), key=str)) or "—"),
    ("ballots: stored (sent)",
     lambda f: f"{f['stored']} ({f['ballots_sent']})" if "stored" in f else "—"),
    ("ballot ack p50 / p95 / max (ms)",
     lambda f: f"{ms(f.get('ack_p50'))} / {ms(f.get('ack_p95'))} / {ms(f.get('ack_max'))}"
     if "ack_p50" in f else "—"),
    ("last ack → every phone shows the final count (ms)",
     lambda f: ms(f.get("final_count_s")) if "ballot_codes" in f else "—"),
    ("turnout pushes per phone during the burst (coalesced)",
     lambda f: f"{f['turnouts_per_phone']:.1f}" if "turnouts_per_phone" in f else "—"),
    ("queries: ballot box batch of 1 / of 50; Django's view per ballot; turnout push",
     lambda f: "{} / {}; {}; {}".format(*f["queries_per_box_batch"], f["queries_per_ballot"],
                                      f["queries_per_push"])
     if "queries_per_box_batch" in f else "—"),
    ("all phones dropped, the room changed meanwhile → all back with it (s)",
     lambda f: back(f, "reconnect")),
    ("all phones dropped, nothing changed → all back (s)",
     lambda f: back(f, "reconnect_same")),
    ("a hall opens the page within a second: answers",
     lambda f: ", ".join(f"{n} × {code}" for code, n in sorted(
         f.get("page_codes", {}).items(), key=str)) or "—"),
    ("… page load p50 / p95 / max (ms); server CPU per page (ms)",
     lambda f: f"{ms(f.get('page_p50'))} / {ms(f.get('page_p95'))} / {ms(f.get('page_max'))}; "
     f"{f['page_cpu'] * 1000:.1f}" if "page_cpu" in f else "—"),
]  # fmt: skip


def back(f: dict, key: str) -> str:
    if f.get(f"{key}_s") is None:
        return "not all" if f"{key}_p50_s" in f else "—"
    rooms = f.get(f"{key}_whole_rooms")
    return f"{f[f'{key}_s']:.2f} ({rooms} whole rooms sent)" if rooms is not None else "—"


def tables(results: list[Result], skipped: dict[str, str]) -> list[str]:
    out = []
    for n in sorted({r.phones for r in results}):
        row = {r.config: r for r in results if r.phones == n}
        columns = [name for name in (*CONFIGS, "bare") if name in row]
        out += [f"### {n:,} phones", ""]
        titles = [CONFIGS[c].title if c in CONFIGS else "bare `websockets`" for c in columns]
        out.append("| | " + " | ".join(titles) + " |")
        out.append("|---" * (len(columns) + 1) + "|")
        for label, show in ROWS:
            out.append(f"| {label} | " + " | ".join(show(row[c].figures) for c in columns) + " |")
        bare = row.get("bare")
        if bare:
            b = bare.figures
            out.append(
                "| × bare: click→last p50, fan-out p50, CPU per push (all; beyond idle) | "
                + " | ".join(
                    f"{ratio(row[c].figures.get('click_p50'), b.get('click_p50'))}, "
                    f"{ratio(row[c].figures.get('spread_p50'), b.get('spread_p50'))}, "
                    f"{ratio(row[c].figures.get('cpu_per_push'), b.get('cpu_per_push'))}; "
                    f"{ratio(row[c].figures.get(BEYOND), b.get(BEYOND))}"
                    if c != "bare" else "1×"
                    for c in columns
                )
                + " |"
            )  # fmt: skip
        out.append("")
        for c in columns:
            for note in row[c].notes:
                out.append(f"- **{c}**: {note}")
        for name, why in skipped.items():
            out.append(f"- **{name}** skipped: {why}")
        out.append("")
    return out


def write_report(path: Path, results, skipped, args, full: bool, started: float) -> str:
    lines = ["# Performance: a hall of phones", ""]
    if not full:
        lines += [
            f"> **Partial run** (phones {args.phones}, configurations {args.configs}): not the "
            "full `make bench` set; do not compare it with the figures of a full run.",
            "",
        ]
    lines += [
        "Written by `make bench` (benchmarks/room_bench.py). The real app under uvicorn, as "
        "`make run` and production serve it, driven from one asyncio process on the same "
        "machine: N participant phones on authenticated websockets, the facilitator acting over "
        "HTTP (a real POST with CSRF, closing and reopening the speakers' list, "
        f"{args.clicks} times), a ballot burst through the page's own POST, and every phone "
        "dropped and reconnected at once. Beside it, in the same run, a bare `websockets` "
        "broadcast server (benchmarks/bare_ws.py) at the same N, sending a message of the "
        "app's push size: the practical limit of Python here.",
        "",
        "## Machine",
        "",
        *machine(),
        f"- Run took {(time.perf_counter() - started) / 60:.1f} min",
        "",
        "## How to run",
        "",
        "`make bench` (all of it: 100, 500, 1,000 and 2,000 phones on `make run`, PostgreSQL + "
        "Redis with 1 and with 2 workers; 6 to 30 minutes, by the machine). A part: "
        "`.venv/bin/python benchmarks/room_bench.py --phones 100,1000 --configs run,pg1 "
        "--out /tmp/performance.md`. PostgreSQL is expected at postgres://postgres@127.0.0.1:5432 "
        "(a throwaway database is created and dropped) and Redis at redis://127.0.0.1:6379/0 "
        "(under a unique prefix, deleted afterwards); without them those configurations are "
        "skipped.",
        "",
        "## How to read it",
        "",
        "- *click → last phone*: from sending the facilitator's POST to the last phone receiving "
        "the push; *fan-out*: first to last phone for the same push. For the bare server, from a "
        "client asking for a broadcast to the last client receiving it. p99 of "
        f"{args.clicks} samples is close to the maximum.",
        "- *server CPU per delivered push*: user + system CPU of the server's processes over the "
        "clicks (the facilitator's requests included), divided by clicks × phones: all of it, "
        "and beyond what the same server spends idle in that time (measured for "
        f"{IDLE_SECONDS:.0f} s just before, every phone connected, from {IDLE_FROM:,} phones): "
        "the broadcast's own cost. "
        "The app's idle cost is its keepalive ping to every socket every 20 s, in one pass, "
        "which frees a vanished phone's socket and keeps proxies and NATs from closing a "
        "quiet one; "
        "the bare server, as the founders' reference (shared/reference/live/ws_server.py: "
        '"we measure broadcast cost, not zlib/pings"), sends none.',
        "- *memory per phone*: the server's RSS (all processes) with every phone connected, minus "
        "before, divided by the phones.",
        "- *final count*: from the last ballot's answer to the last phone showing the turnout "
        "with every accepted ballot; negative when the phones had it before that answer.",
        "- *turnout pushes per phone*: the pushes carrying the turnout that each phone was sent "
        "from the first ballot until it showed the final count (coalesced: a few a second, "
        "for every worker together).",
        "- *ballots*: min(1,000, N) phones each POST `vote=yes` on an open motion, spread evenly "
        "over about a second, one connection per ballot; stored = distinct voters in the "
        "database afterwards. Queries measured in-process with CaptureQueriesContext on the same "
        "database: the ballot box's batch of 1 and of 50 ballots (what a burst meets, "
        "assembly/ballot_box.py), Django's view for one ballot (what the box passes on: a "
        "proxy's vote, a second ballot, a page without htmx), and the turnout push, which the "
        "server runs after the answers.",
        "- *reconnect*: every phone's TCP connection aborted at once, then all reconnect "
        "together (retrying, jittered, as a phone does), each saying which version its screen "
        "shows (as app.js does), until each has the room again: once after the facilitator "
        "acted while they were away (each needs the whole room; its own part only if that "
        "changed), once with nothing changed (each is told its version is current).",
        "- *a hall opens the page*: min(1,000, N) phones each GET the participant page with "
        "their session (gzip accepted, one connection each), spread evenly over about a "
        "second, while every phone is connected: as a hall does when the facilitator says "
        '"scan the code". Load time until the whole page arrived; server CPU over the burst '
        "divided by the pages (the connected phones' keepalive included). The room does not "
        "change meanwhile: every page after the first takes the room as built for its version.",
        "- CPU is read from /proc in clock ticks (10 ms): with few phones the per-push figure is "
        "coarse. The client runs on the same cores as the server, for the bare server too.",
        "",
        "## Figures",
        "",
        *tables(results, skipped),
    ]
    text = "\n".join(lines).rstrip() + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", default=",".join(map(str, ALL_PHONES)))
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--clicks", type=int, default=10)
    parser.add_argument("--ballots", type=int, default=1000)
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args()
    counts = [int(n) for n in args.phones.split(",") if n.strip()]
    names = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in names if c not in CONFIGS]
    if unknown or not counts or min(counts) < 1 or args.clicks < 1:
        parser.error(f"configurations are {', '.join(CONFIGS)}; phones and clicks at least 1")
    full = tuple(counts) == ALL_PHONES and names == list(CONFIGS)
    # Each phone is a socket here and another in the server (its own process, same limit).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 2 * max(counts) + 200:
        print(f"warning: open files limited to {hard}; phones will fail to connect")

    skipped: dict[str, str] = {}
    if any(CONFIGS[c].postgres for c in names):
        ok, why = reachable()
        print(why if ok else f"!!! {why}")
        if not ok:
            for c in names:
                if CONFIGS[c].postgres:
                    skipped[c] = why
    started = time.perf_counter()
    results: list[Result] = []
    for n in counts:
        size = 0
        for name in names:
            if name in skipped:
                continue
            print(f"-- {name}, {n} phones", flush=True)
            result = Result(name, n)
            try:
                run_app(CONFIGS[name], n, args, result)
            except Exception as error:  # a broken configuration must not hide the others
                result.notes.append(f"failed: {error.__class__.__name__}: {error}")
            results.append(result)
            size = size or result.figures.get("push_bytes", 0)
            print(json.dumps(result.figures, default=str), *result.notes, sep="\n", flush=True)
        print(f"-- bare websockets, {n} clients, {size or 1000} bytes", flush=True)
        results.append(run_bare(n, size or 1000, args))
        print(json.dumps(results[-1].figures), *results[-1].notes, sep="\n", flush=True)
    print(write_report(Path(args.out), results, skipped, args, full, started))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
