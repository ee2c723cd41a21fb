"""Time `forecast update` against what a user would do by hand on the same updated data:
`forecast fit` from scratch, then `forecast predict`. Prints times, convergence and the ratio for
each case; the target (issue "Updates in seconds") is update <= 0.5 x (fit + predict). Asserts
nothing.

    .venv/bin/python benchmarks/bench_update.py [--seed 1] [--case o1|quarter|both] [--repeats 1]

Cases:
- o1: the bundled data as of 2024-09-11, then OpenAI's 2024-09-12 results (docs/examples/), the
  surprising batch;
- quarter: the bundled data as of 2026-03-31, then the models released and results reported in
  the quarter after it (the routine case; ``--quarter`` picks another start).

Every command runs in a new process, as a user runs it (imports, data and fit I/O included). The
fit the update starts from is made first and not counted: a user has it already.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
FORECAST = str(Path(sys.executable).parent / "forecast")
EXAMPLES = ROOT / "docs" / "examples"


def run(args: list[str]) -> tuple[float, str]:
    """Seconds and stdout of ``forecast *args`` in a new process."""
    t = time.perf_counter()
    out = subprocess.run([FORECAST, *args], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"forecast {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return time.perf_counter() - t, out.stdout


def quarter_inputs(tmp: Path, start: str) -> tuple[Path, Path, Path]:
    """The data as of ``start`` (``tmp/asof``) and the rows the next quarter adds, as two CSVs of
    new results and models, plus the data as of the quarter's end (what a fit by hand reads)."""
    from forecast import data as D
    from forecast.data.io import columns_for, to_csv_text

    end = (pd.Timestamp(start) + pd.offsets.QuarterEnd(1)).date().isoformat()
    run(["data", "snapshot", "--as-of", start, "--out", str(tmp / "asof")])
    run(["data", "snapshot", "--as-of", end, "--out", str(tmp / "after")])
    before, after = D.load_raw(tmp / "asof"), D.load_raw(tmp / "after")
    new_r = after.results[~D.result_key(after.results).isin(set(D.result_key(before.results)))]
    new_m = after.models[~after.models["model"].isin(before.models["model"])]
    (tmp / "new_results.csv").write_text(to_csv_text(new_r, columns_for("results")))
    (tmp / "new_models.csv").write_text(to_csv_text(new_m, columns_for("models")))
    print(f"quarter {start} -> {end}: {len(new_r)} new results, {len(new_m)} new models")
    return tmp / "new_results.csv", tmp / "new_models.csv", tmp / "after"


def o1_inputs(tmp: Path) -> tuple[Path, Path, Path]:
    run(["data", "snapshot", "--as-of", "2024-09-11", "--out", str(tmp / "asof")])
    shutil.copytree(tmp / "asof", tmp / "after")
    r, m = EXAMPLES / "o1_results.csv", EXAMPLES / "o1_models.csv"
    run(["data", "add", str(r), "--models", str(m), "--data", str(tmp / "after")])
    print("o1: 2024-09-11, then OpenAI's results of 2024-09-12")
    return r, m, tmp / "after"


def diag_line(d: dict | None) -> str:
    if not d:
        return "no convergence check (reweighted)"
    ok = d["max_rhat"] <= 1.01 and d["min_ess_bulk"] >= 400 and d["divergences"] == 0
    return (
        f"max R-hat {d['max_rhat']:.4f}, min bulk ESS {d['min_ess_bulk']:.0f}, divergences {d['divergences']}"
        f" ({'converged' if ok else 'NOT converged'})"
    )


def one_case(case: str, seed: int, start: str) -> float:
    tmp = Path(tempfile.mkdtemp())
    try:
        results, models, after = o1_inputs(tmp) if case == "o1" else quarter_inputs(tmp, start)
        fit0 = ["fit", "--data", str(tmp / "asof"), "--seed", str(seed), "--out", str(tmp / "fit.nc"), "--json"]
        t_fit0, _ = run([*fit0, "--allow-diagnostics-failure"])
        # the update (writes the new rows into tmp/asof and the new fit to upd.nc)
        t_upd, out = run(
            [
                "update",
                str(results),
                "--models",
                str(models),
                "--data",
                str(tmp / "asof"),
                "--fit",
                str(tmp / "fit.nc"),
                "--out",
                str(tmp / "upd.nc"),
                "--seed",
                str(seed),
                "--json",
                "--no-ledger",
            ]
        )
        upd = json.loads(out)
        # by hand: a fit from scratch of the same updated data, then predict
        fit1 = ["fit", "--data", str(after), "--seed", str(seed), "--out", str(tmp / "refit.nc"), "--json"]
        t_fit1, out = run([*fit1, "--allow-diagnostics-failure"])
        refit = json.loads(out)
        t_pred, _ = run(["predict", "--fit", str(tmp / "refit.nc"), "--seed", str(seed), "--json", "--no-ledger"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    timing = upd.get("timing", {})
    print(f"  fit the update starts from (not counted): {t_fit0:6.1f} s")
    print(f"  forecast update:                          {t_upd:6.1f} s  ({upd['method']}, Pareto k {upd['pareto_k']})")
    print("    phases: " + ", ".join(f"{k.removesuffix('_seconds')} {v:.1f}" for k, v in timing.items()))
    print(f"    {diag_line(upd.get('diagnostics'))}")
    print(f"  forecast fit of the updated data:         {t_fit1:6.1f} s")
    print(f"    {diag_line(refit.get('diagnostics'))}")
    print(f"  forecast predict:                         {t_pred:6.1f} s")
    ratio = t_upd / (t_fit1 + t_pred)
    print(f"  update / (fit + predict) = {ratio:.2f}  (target <= 0.5: {'met' if ratio <= 0.5 else 'NOT met'})")
    return ratio


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--case", choices=["o1", "quarter", "both"], default="both")
    p.add_argument("--quarter", default="2026-03-31", help="start of the quarter case (its data as of this date)")
    p.add_argument("--repeats", type=int, default=1, help="repeat each case with seeds seed, seed+1, ...")
    args = p.parse_args()
    cases = ["o1", "quarter"] if args.case == "both" else [args.case]
    for case in cases:
        ratios = [one_case(case, args.seed + k, args.quarter) for k in range(args.repeats)]
        print(f"{case}: update / (fit + predict) = " + ", ".join(f"{r:.2f}" for r in ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())
