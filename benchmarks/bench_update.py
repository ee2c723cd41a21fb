"""Time `forecast update` against a full refit, on the o1 worked example: the dataset as of
2024-09-11, then OpenAI's 2024-09-12 results (docs/examples/). Prints times and the ratio; the
target is an update in at most half the time of a full fit. Asserts nothing.

    .venv/bin/python benchmarks/bench_update.py [--seed 1] [--case o1|quarter]

Both paths are timed as a user runs them: a new process each (imports, data, fit I/O included).
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

ROOT = Path(__file__).resolve().parent.parent
FORECAST = str(Path(sys.executable).parent / "forecast")


def run(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([FORECAST, *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def run_update(results: Path, models: Path, tmp: Path, seed: int) -> tuple[float, dict]:
    """Time `forecast update` of ``tmp/asof`` and ``tmp/fit.nc`` in a new process; return
    (seconds, its JSON report)."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [
            FORECAST,
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
        ],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"forecast update failed:\n{out.stderr[-2000:]}")
    return time.perf_counter() - t0, json.loads(out.stdout)


def print_refit(res: dict) -> None:
    """The refit's own diagnostics and phases: a fast update is only useful if it converged."""
    d, t = res.get("diagnostics"), res.get("timing", {})
    if d:
        print(
            f"  refit: max R-hat {d['max_rhat']:.4f}, min bulk ESS {d['min_ess_bulk']:.0f}, "
            f"divergences {d['divergences']}"
        )
    print("  phases: " + ", ".join(f"{k.removesuffix('_seconds')} {v:.1f} s" for k, v in t.items()))


def quarter(seed: int, as_of: str = "2025-09-30") -> int:
    """The routine case: the bundled data as of ``as_of``, then the results reported after it
    (a quarter's new results, few of them surprising)."""
    from forecast import data as D

    tmp = Path(tempfile.mkdtemp())
    try:
        run(["data", "snapshot", "--as-of", as_of, "--out", str(tmp / "asof")])
        raw = D.load_raw(ROOT / "data")
        new_r = raw.results[raw.results["reported_date"] > as_of]
        new_m = raw.models[raw.models["release_date"] > as_of]
        (tmp / "new_results.csv").write_text(D.to_csv_text(new_r, D._columns_for("results")))
        (tmp / "new_models.csv").write_text(D.to_csv_text(new_m, D._columns_for("models")))
        t_fit = run(
            [
                "fit",
                "--data",
                str(tmp / "asof"),
                "--seed",
                str(seed),
                "--out",
                str(tmp / "fit.nc"),
                "--json",
                "--allow-diagnostics-failure",
            ]
        )
        t_upd, res = run_update(tmp / "new_results.csv", tmp / "new_models.csv", tmp, seed)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"full fit as of {as_of}:              {t_fit:6.1f} s")
    print(
        f"forecast update ({len(new_r)} results, {len(new_m)} models reported after it): {t_upd:6.1f} s "
        f"by {res['method']} (Pareto k {res['pareto_k']})"
    )
    print_refit(res)
    ratio = t_upd / t_fit
    print(f"update / full fit = {ratio:.2f}  (target <= 0.5: {'met' if ratio <= 0.5 else 'NOT met'})")
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--case",
        choices=["o1", "quarter"],
        default="o1",
        help="o1: the o1 announcement on the data as of 2024-09-11 (a refit); quarter: the bundled "
        "data as of 2025-09-30, then the results reported after it",
    )
    args = p.parse_args()
    if args.case == "quarter":
        return quarter(args.seed)
    tmp = Path(tempfile.mkdtemp())
    try:
        run(["data", "snapshot", "--as-of", "2024-09-11", "--out", str(tmp / "asof")])
        t_fit = run(
            [
                "fit",
                "--data",
                str(tmp / "asof"),
                "--seed",
                str(args.seed),
                "--out",
                str(tmp / "fit.nc"),
                "--json",
                "--allow-diagnostics-failure",
            ]
        )
        shutil.copytree(tmp / "asof", tmp / "asof2")
        ex = ROOT / "docs" / "examples"
        t_upd, res = run_update(ex / "o1_results.csv", ex / "o1_models.csv", tmp, args.seed)
        subprocess.run(
            [
                FORECAST,
                "data",
                "add",
                str(ex / "o1_results.csv"),
                "--models",
                str(ex / "o1_models.csv"),
                "--data",
                str(tmp / "asof2"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        t_refit = run(
            [
                "fit",
                "--data",
                str(tmp / "asof2"),
                "--seed",
                str(args.seed),
                "--out",
                str(tmp / "refit.nc"),
                "--json",
                "--allow-diagnostics-failure",
            ]
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"full fit as of 2024-09-11:        {t_fit:6.1f} s")
    print(f"full refit with the o1 results:   {t_refit:6.1f} s")
    print(f"forecast update (o1 results):     {t_upd:6.1f} s  (includes before/after forecasts and influence)")
    print_refit(res)
    ratio = t_upd / t_refit
    print(f"update / refit = {ratio:.2f}  (target <= 0.5: {'met' if ratio <= 0.5 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
