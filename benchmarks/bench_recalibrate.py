"""Time `forecast recalibrate` over 8 quarterly origins on the bundled data (target: <= 5 min on 2 cores).

Prints the wall time, the per-origin fit times, and the pooled scores (our model against the
peer methods, and the ratio to the best of them). Writes nothing outside a temporary directory.

    .venv/bin/python benchmarks/bench_recalibrate.py [--workers 2] [--from 2024-Q1] [--origins N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from forecast.evaluation.recalibrate import quarter_ends, run_recalibrate
from forecast.reports.text import format_report


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--from", dest="start", default="2024-Q1")
    ap.add_argument("--origins", type=int, default=8)
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    from forecast import data as D

    ds = D.load_dataset(args.data)
    origins = quarter_ends(args.start, ds.newest_result_date)[: args.origins]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        rep = run_recalibrate(
            args.data,
            origins,
            workers=args.workers,
            ledger=Path(tmp) / "ledger.sqlite",
            progress=lambda k, n, o: print(
                f"  {k}/{n} origin {o} done at {time.perf_counter() - t0:.0f} s", flush=True
            ),
        )
        wall = time.perf_counter() - t0
    print(format_report(rep))
    print()
    print(
        f"origins: {len(origins)}  workers: {args.workers}  wall: {wall:.0f} s  (target <= 300 s: "
        f"{'met' if wall <= 300 else 'NOT met'})"
    )
    fits = [r["fit_seconds"] for r in rep["per_origin"]]
    print(
        f"per-origin fit: mean {sum(fits) / len(fits):.0f} s, max {max(fits):.0f} s; "
        f"ratio wall / sum of fits {wall / sum(fits):.2f}"
    )


if __name__ == "__main__":
    main()
