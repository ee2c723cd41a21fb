"""Measure a full fit: compile and sampling time, ESS per second, R-hat, divergences, for nutpie
as `forecast fit` runs it (pilot run, then dense preconditioning), nutpie without the
preconditioner ("nutpie-diag"), and PyMC's own NUTS, on the same data and seed. Prints; asserts
nothing.

    .venv/bin/python benchmarks/bench_fit.py [--draws 500] [--tune 100] [--baseline-tune 1000]
        [--chains 4] [--samplers nutpie,nutpie-diag,pymc] [--seed 1] [--seeds 1,2,...] [--simulated]
        [--cli]

"fit wall" is ``forecast.model.fit_model`` from the dataset to the finished fit: model build,
compile, pilot, sampling (with any extension round), convergence diagnostics and the pointwise
log-likelihood. The imports (PyMC, nutpie, arviz-stats) are timed apart, with loading the data;
saving the file is not included. ``--seeds`` repeats the nutpie fit at other seeds. ``--cli``
also times ``forecast fit --seed N --json`` end to end in a new process at each nutpie seed (Python
start-up, imports, loading and validating the data, the fit, writing the file): what a user waits.

The samplers without a pilot run get ``--baseline-tune`` tuning steps (a diagonal mass matrix
needs a longer adaptation than the preconditioned chains, which start at pilot draws).

Uses the bundled dataset (``forecast.data.load_dataset()``); if it does not load or validate,
falls back to a simulated dataset of similar size (100 models x 30 benchmarks, ~1100 results)
and says so. Target: a full nutpie fit <= 30 s on 2 cores, R-hat <= 1.01, bulk ESS >= 400 for
every parameter, no divergences.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forecast.inference import FIT_DRAWS, FIT_TUNE  # noqa: E402


def get_dataset(simulated: bool):
    from forecast.model.simulate import simulate_dataset

    if not simulated:
        try:
            from forecast.data import load_dataset

            ds = load_dataset()
            if len(ds.results) > 0:
                return ds, f"bundled data (hash {ds.data_hash})"
            reason = "it has no results"
        except Exception as exc:  # the bundled data is owned elsewhere and may be mid-edit
            reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        print(f"NOTE: bundled dataset not usable ({reason}); using a simulated dataset instead")
    ds, _ = simulate_dataset(0, n_models=100, n_benchmarks=30, p_eval=0.3)
    return ds, "simulated (seed 0, 100 models x 30 benchmarks)"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--draws", type=int, default=FIT_DRAWS)
    p.add_argument("--tune", type=int, default=FIT_TUNE)
    p.add_argument("--baseline-tune", type=int, default=1000)
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--seeds",
        default="",
        help="comma-separated seeds: also fit with nutpie at each (the spread "
        "over seeds); the baselines run at --seed only",
    )
    p.add_argument("--samplers", default="nutpie,nutpie-diag,pymc")
    p.add_argument("--simulated", action="store_true", help="skip the bundled data")
    p.add_argument("--cli", action="store_true", help="also time `forecast fit --seed N --json` end to end")
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    # the sampler's and the diagnostics' imports (nutpie as the fit imports it): timed here, not in the fit
    from forecast import inference as INF
    from forecast.inference.compile_cache import nutpie_module

    nutpie_module()
    importlib.import_module("arviz_stats")

    ds, label = get_dataset(args.simulated)
    print(
        f"data: {label}: {len(ds.models)} models, {ds.results['benchmark'].nunique()} benchmarks, "
        f"{len(ds.results)} results, {ds.models['train_flop'].isna().mean():.0%} unknown compute"
    )
    print(f"imports + data: {time.perf_counter() - t0:.1f} s")
    rows = []
    other_seeds = [int(s) for s in args.seeds.split(",") if s.strip() and int(s) != args.seed]
    runs = [(s, args.seed) for s in args.samplers.split(",")]
    if "nutpie" in args.samplers.split(","):
        runs += [("nutpie", s) for s in other_seeds]
    for sampler, seed in runs:
        t1 = time.perf_counter()
        # the baselines as nutpie and PyMC come: no preconditioner, no cap on the tree depth
        config = (
            INF.SamplerConfig() if sampler == "nutpie" else INF.SamplerConfig(precondition=False, max_tree_depth=None)
        )
        idata = INF.fit_model(
            ds,
            sampler_config=config,
            seed=seed,
            draws=args.draws,
            chains=args.chains,
            tune=args.tune if sampler == "nutpie" else args.baseline_tune,
            sampler=sampler.removesuffix("-diag"),
            progressbar=False,
        )
        wall = time.perf_counter() - t1
        d = INF.fit_diagnostics(idata)
        samp = float(idata.attrs.get("sampling_seconds", float("nan")))
        comp = float(idata.attrs.get("compile_seconds", float("nan")))
        steps = float(idata["sample_stats"]["n_steps"].mean()) if "n_steps" in idata["sample_stats"] else float("nan")
        rows.append(
            dict(
                sampler=sampler,
                seed=seed,
                wall=wall,
                compile=comp,
                sampling=samp,
                steps=steps,
                ess_per_s=d["min_ess_bulk"] / samp,
                extended=int(idata.attrs.get("extension_rounds", 0)),
                **d,
            )
        )
    print()
    print(
        f"{'sampler':11} {'seed':>4} {'fit wall s':>10} {'compile s':>10} {'sampling s':>11} {'mean steps':>10} "
        f"{'min ESS':>8} {'ESS/s':>7} {'max R-hat':>9} {'diverg.':>7} {'extended':>8}"
    )
    for r in rows:
        print(
            f"{r['sampler']:11} {r['seed']:4d} {r['wall']:10.1f} {r['compile']:10.1f} {r['sampling']:11.1f} "
            f"{r['steps']:10.1f} {r['min_ess_bulk']:8.0f} {r['ess_per_s']:7.1f} {r['max_rhat']:9.4f} "
            f"{r['divergences']:7d} {r['extended']:8d}"
        )
    by = {r["sampler"]: r for r in rows if r["seed"] == args.seed}
    if "nutpie" in by and "pymc" in by:
        print(
            f"\nnutpie / pymc: ESS per sampling second x{by['nutpie']['ess_per_s'] / by['pymc']['ess_per_s']:.1f}, "
            f"fit wall time x{by['nutpie']['wall'] / by['pymc']['wall']:.2f}"
        )
    if "nutpie" in by and "nutpie-diag" in by:
        print(
            f"preconditioned / diagonal nutpie: ESS per sampling second "
            f"x{by['nutpie']['ess_per_s'] / by['nutpie-diag']['ess_per_s']:.1f}"
        )
    if "nutpie" in by:
        r = by["nutpie"]
        ok = meets_target(r["wall"], r)
        print(
            f"target (<=30 s, R-hat<=1.01, ESS>=400, 0 divergences) at seed {args.seed}: {'met' if ok else 'NOT met'}"
        )
        seeds = [r for r in rows if r["sampler"] == "nutpie"]
        if len(seeds) > 1:
            walls = np.array([r["wall"] for r in seeds])
            met = sum(meets_target(r["wall"], r) for r in seeds)
            print(
                f"nutpie over {len(seeds)} seeds: fit wall median {np.median(walls):.1f} s "
                f"(range {walls.min():.1f}-{walls.max():.1f}), target met at {met}, "
                f"extension rounds at {sum(r['extended'] > 0 for r in seeds)}"
            )
    if args.cli and not args.simulated:
        print()
        for seed in [args.seed, *other_seeds]:
            wall, out = cli_fit(seed, args)
            d = out.get("diagnostics", {})
            ok = bool(d) and meets_target(wall, d)
            print(
                f"end to end, `forecast fit --seed {seed} --json` in a new process: {wall:.1f} s (of which the fit "
                f"{out.get('timing', {}).get('wall_seconds', float('nan')):.1f} s), max R-hat "
                f"{d.get('max_rhat', float('nan')):.4f}, min ESS {d.get('min_ess_bulk', float('nan')):.0f}, "
                f"divergences {d.get('divergences')}: target {'met' if ok else 'NOT met'}"
            )
    print(f"total wall: {time.perf_counter() - t0:.1f} s")
    return 0


def meets_target(wall: float, d: dict) -> bool:
    """The issue's target: a fit in <= 30 s with R-hat and ESS at the bar and no divergence."""
    from forecast.inference import converged_cleanly

    return wall <= 30 and converged_cleanly(d)


def cli_fit(seed: int, args) -> tuple[float, dict]:
    """Wall time and JSON output of ``forecast fit`` run as a user runs it (a new process)."""
    import json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-c",
            "from forecast.cli import main; main()",
            "fit",
            "--seed",
            str(seed),
            "--json",
            "--draws",
            str(args.draws),
            "--tune",
            str(args.tune),
            "--chains",
            str(args.chains),
            "--out",
            str(Path(tmp) / "fit.nc"),
            "--allow-diagnostics-failure",
        ]
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
        wall = time.perf_counter() - t
    if proc.returncode != 0:
        print(f"forecast fit --seed {seed} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
        return wall, {}
    return wall, json.loads(proc.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
