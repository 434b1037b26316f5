"""Benchmark (not a test): what a phone downloads to open the participant page.

Against a running demo (`make run` in another terminal), it signs in as Lupe in Debian's
Chromium at phone size, opens the meeting and prints every response and the websocket's first
message, raw and as gzip would send them (a TLS proxy in front usually compresses).

Run from the repository root: python benchmarks/participant_weight.py [http://127.0.0.1:8000]
"""

from __future__ import annotations

import gzip
import os
import sys

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def main() -> int:
    base = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
    rows: list[tuple[str, int, int]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        page = context.new_page()
        page.goto(base + "/accounts/login/")
        page.fill("input[name=login]", "lupe@example.org")
        page.fill("input[name=password]", "asamblea-demo")
        page.locator("main form[action$='/accounts/login/'] button[type=submit]").click()
        page.wait_for_url(base + "/")

        failed: list[str] = []

        def record(response) -> None:
            if not response.ok:
                failed.append(f"{response.status} {response.url}")
                return
            body = response.body()
            rows.append((response.url.removeprefix(base), len(body), len(gzip.compress(body))))

        frames: list[str] = []
        page.on("response", record)
        page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(f)))
        page.goto(base + "/m/1/", wait_until="networkidle")
        page.wait_for_timeout(500)
        browser.close()
    if failed or not rows:
        print("not measured, the server answered: " + "; ".join(failed), file=sys.stderr)
        return 1
    if frames:
        first = frames[0].encode() if isinstance(frames[0], str) else frames[0]
        rows.append(("websocket: the room on connect", len(first), len(gzip.compress(first))))
    width = max(len(url) for url, _, _ in rows)
    print(f"{'what':<{width}}  {'bytes':>8}  {'gzipped':>8}")
    for url, raw, packed in rows:
        print(f"{url:<{width}}  {raw:>8,}  {packed:>8,}")
    total_raw = sum(raw for _, raw, _ in rows)
    total_packed = sum(packed for _, _, packed in rows)
    print(f"{'total':<{width}}  {total_raw:>8,}  {total_packed:>8,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
