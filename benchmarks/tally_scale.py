"""Benchmark (not a test): count a 1,000,000-ballot ranked file from the command line.

Writes a deterministic aggregated CSV (one row per ballot, count 1, 10 candidates, each voter
ranking 1 to 6 of them by a seeded Plackett-Luce draw) in /tmp unless it is already there,
then runs `python -m assembly.tally` on it in a child process and prints the wall time and the
child's peak memory (max RSS from getrusage). Run from the repository root:

    python benchmarks/tally_scale.py [--ballots N] [--method irv|stv --seats 3] [--file PATH]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = [f"Candidate {chr(ord('A') + i)}" for i in range(10)]
WEIGHTS = [30, 22, 15, 10, 7, 5, 4, 3, 2, 2]  # popularity, most popular first


def generate(path: Path, ballots: int, seed: int) -> None:
    rng = random.Random(seed)
    ranks = 10
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("count," + ",".join(f"choice{i + 1}" for i in range(ranks)) + "\n")
        for _ in range(ballots):
            pool = list(range(len(CANDIDATES)))
            weights = list(WEIGHTS)
            row: list[str] = []
            for _rank in range(rng.randint(1, 6)):
                pick = rng.choices(range(len(pool)), weights)[0]
                row.append(CANDIDATES[pool.pop(pick)])
                weights.pop(pick)
            out.write("1," + ",".join(row + ["undervote"] * (ranks - len(row))) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--method", default="irv")
    parser.add_argument("--seats", type=int, default=1)
    parser.add_argument("--file", type=Path, help="default: /tmp/asamblea-tally-<N>.csv")
    args = parser.parse_args()
    path = args.file or Path(f"/tmp/asamblea-tally-{args.ballots}-s{args.seed}.csv")
    if not path.exists():
        started = time.perf_counter()
        generate(path, args.ballots, args.seed)
        print(
            f"wrote {path} ({path.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - started:.1f} s"
        )
    command = [
        sys.executable,
        "-m",
        "assembly.tally",
        str(path),
        "--method",
        args.method,
        "--seats",
        str(args.seats),
        "--format",
        "table",
    ]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb = usage.ru_maxrss  # KB on Linux
    cpu = usage.ru_utime + usage.ru_stime  # steadier than wall time on a busy machine
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    winners = [line for line in done.stdout.splitlines() if line.startswith("Winners")]
    print(
        f"{args.ballots:,} ballots, {args.method}, {args.seats} seat(s): "
        f"{winners[0] if winners else '?'}"
    )
    print(f"time {elapsed:.1f} s (CPU {cpu:.1f} s), peak memory {peak_kb / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
