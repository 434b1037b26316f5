"""Benchmark (not a test): count Minneapolis 2013 mayor (80,101 ballots, 33 rounds) and time it.

Run from the repository root: python benchmarks/tally_bench.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assembly.tally import count_rcv, load_rctab_config, read_aggregated_csv  # noqa: E402

CASE = ROOT.parent / "shared" / "reference" / "tally" / "03_rctab_minneapolis2013_mayor_irv"


def main() -> int:
    if not CASE.is_dir():
        print(f"reference data not available: {CASE}", file=sys.stderr)
        return 1
    contest = load_rctab_config(CASE / "2013_minneapolis_mayor_config.json")
    started = time.perf_counter()
    election = read_aggregated_csv(CASE / "ballots_aggregated.csv", contest.candidates)
    parsed = time.perf_counter()
    result = count_rcv(election.ballots, contest.candidates, contest.rules, write_ins=True)
    counted = time.perf_counter()
    print(
        f"Minneapolis 2013 mayor: {election.total:,} ballots ({len(election.ballots):,} distinct), "
        f"{len(result.rounds)} rounds, winner {result.winners[0]}"
    )
    print(
        f"read {parsed - started:.3f} s, count {counted - parsed:.3f} s, "
        f"total {counted - started:.3f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
