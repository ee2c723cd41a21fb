"""Measure a full fit: compile and sampling time, ESS per second, R-hat, divergences, for nutpie
as `forecast fit` runs it (pilot run, then dense preconditioning), nutpie without the
preconditioner ("nutpie-diag"), and PyMC's own NUTS, on the same data and seed. Prints; asserts
nothing.

    .venv/bin/python benchmarks/bench_fit.py [--draws 600] [--tune 200] [--baseline-tune 1000]
        [--chains 4] [--samplers nutpie,nutpie-diag,pymc] [--simulated]

The samplers without a pilot run get ``--baseline-tune`` tuning steps (a diagonal mass matrix
needs a longer adaptation than the preconditioned chains, which start at pilot draws).

Uses the bundled dataset (``forecast.data.load_dataset()``); if it does not load or validate,
falls back to a simulated dataset of similar size (100 models x 30 benchmarks, ~1100 results)
and says so. Target: a full nutpie fit <= 30 s on 2 cores, R-hat <= 1.01, bulk ESS >= 400 for
every parameter, no divergences.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def get_dataset(simulated: bool):
    from forecast.simulate import simulate_dataset

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
    p.add_argument("--draws", type=int, default=600)
    p.add_argument("--tune", type=int, default=200)
    p.add_argument("--baseline-tune", type=int, default=1000)
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--samplers", default="nutpie,nutpie-diag,pymc")
    p.add_argument("--simulated", action="store_true", help="skip the bundled data")
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    from forecast import model as M

    ds, label = get_dataset(args.simulated)
    print(f"data: {label}: {len(ds.models)} models, {ds.results['benchmark'].nunique()} benchmarks, "
          f"{len(ds.results)} results, {ds.models['train_flop'].isna().mean():.0%} unknown compute")
    print(f"imports + data: {time.perf_counter() - t0:.1f} s")
    rows = []
    for sampler in args.samplers.split(","):
        t1 = time.perf_counter()
        config = M.ModelConfig(precondition=sampler == "nutpie")
        idata = M.fit_model(ds, config, seed=args.seed, draws=args.draws, chains=args.chains,
                            tune=args.tune if sampler == "nutpie" else args.baseline_tune,
                            sampler=sampler.removesuffix("-diag"), progressbar=False)
        wall = time.perf_counter() - t1
        d = M.diagnostics(idata)
        samp = float(idata.attrs.get("sampling_seconds", float("nan")))
        comp = float(idata.attrs.get("compile_seconds", float("nan")))
        steps = float(idata["sample_stats"]["n_steps"].mean()) if "n_steps" in idata["sample_stats"] else float("nan")
        rows.append(dict(sampler=sampler, wall=wall, compile=comp, sampling=samp, steps=steps,
                         ess_per_s=d["min_ess_bulk"] / samp, **d))
    print()
    print(f"{'sampler':11} {'fit wall s':>10} {'compile s':>10} {'sampling s':>11} {'mean steps':>10} "
          f"{'min ESS':>8} {'ESS/s':>7} {'max R-hat':>9} {'diverg.':>7}")
    for r in rows:
        print(f"{r['sampler']:11} {r['wall']:10.1f} {r['compile']:10.1f} {r['sampling']:11.1f} {r['steps']:10.1f} "
              f"{r['min_ess_bulk']:8.0f} {r['ess_per_s']:7.1f} {r['max_rhat']:9.4f} {r['divergences']:7d}")
    by = {r["sampler"]: r for r in rows}
    if "nutpie" in by and "pymc" in by:
        print(f"\nnutpie / pymc: ESS per sampling second x{by['nutpie']['ess_per_s'] / by['pymc']['ess_per_s']:.1f}, "
              f"fit wall time x{by['nutpie']['wall'] / by['pymc']['wall']:.2f}")
    if "nutpie" in by and "nutpie-diag" in by:
        print(f"preconditioned / diagonal nutpie: ESS per sampling second "
              f"x{by['nutpie']['ess_per_s'] / by['nutpie-diag']['ess_per_s']:.1f}")
    if "nutpie" in by:
        r = by["nutpie"]
        ok = r["wall"] <= 30 and r["max_rhat"] <= 1.01 and r["min_ess_bulk"] >= 400 and r["divergences"] == 0
        print(f"target (<=30 s, R-hat<=1.01, ESS>=400, 0 divergences): {'met' if ok else 'NOT met'}")
    print(f"total wall: {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
