"""Quarterly recalibration: backtests at several origins, pooled into a calibration report.

Each origin is an independent job (fit as of the origin, predict, score), run in parallel worker
processes or on a Dask cluster. The report pools the held-out results of every origin: CRPS and
interval coverage per method, the PIT histogram and coverage against nominal for our model, CRPS
by horizon, and the reliability of threshold-event probabilities. Coverage outside two-sided
binomial bounds is flagged. The threshold forecasts made at each origin go into the ledger,
and open ledger forecasts (from ``predict``, ``update`` or earlier recalibrations) are scored
against the current data.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np
import pandas as pd

from .. import data as D
from ..errors import ForecastError
from ..forecasting.thresholds import load_thresholds
from . import backtest as BT
from . import ledger as L
from . import scores as SC
from .frontier_backtest import pooled_frontier
from .scores import reliability

HORIZON_BINS = (0, 90, 180, 365, 10_000)
#: How long `--dask-scheduler` waits for the scheduler before giving up.
DASK_CONNECT_TIMEOUT = "10s"
PIT_BINS = 10


def quarter_ends(start: str, until: pd.Timestamp) -> list[str]:
    """Quarter-end dates from quarter ``start`` ('YYYY-Qn') up to the last one before ``until``."""
    m = re.fullmatch(r"(\d{4})-?Q([1-4])", start.strip(), flags=re.IGNORECASE)
    if not m:
        raise ForecastError(f"--quarterly-from: '{start}' is not a quarter like 2024-Q2")
    first = pd.Period(f"{m.group(1)}Q{m.group(2)}", freq="Q").end_time.normalize()
    ends = pd.date_range(first, until, freq="QE")
    out = [d.date().isoformat() for d in ends if d < until]
    if not out:
        raise ForecastError(f"--quarterly-from {start}: no quarter ends before the newest result ({until.date()})")
    return out


def parse_origins(text: str) -> list[str]:
    out = []
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        d, msg = D.parse_date(part)
        if msg:
            raise ForecastError(f"--origins: {msg}")
        out.append(d.isoformat())
    if not out:
        raise ForecastError("--origins: no dates given")
    return sorted(set(out))


def origin_job(
    data_dir: str,
    origin: str,
    horizon_days: int,
    seed: int,
    fit_kwargs: dict | None,
    thresholds_path: str | None,
    model_config: str | None = None,
) -> dict:
    """One origin, self-contained (loads its own data) so it can run in another process or on
    a Dask worker. ``model_config``: ``ModelConfig`` as JSON (default: the defaults)."""
    import warnings

    from ..model import ModelConfig

    warnings.filterwarnings("ignore")
    ds = D.load_dataset(data_dir)
    units = dict(zip(ds.benchmarks["benchmark"], ds.benchmarks["unit"]))
    ths = load_thresholds(thresholds_path, units)
    config = ModelConfig.from_json(model_config) if model_config else None
    return BT.run_backtest(
        ds, origin, horizon_days=horizon_days, seed=seed, fit_kwargs=fit_kwargs, thresholds=ths, config=config
    )


def run_origins(
    data_dir,
    origins: list[str],
    *,
    horizon_days: int,
    seed: int,
    fit_kwargs=None,
    thresholds_path=None,
    workers: int = 1,
    dask_scheduler: str | None = None,
    progress=None,
    model_config: str | None = None,
) -> list[dict]:
    """Run every origin; ``progress(done, total, origin)`` is called as each finishes."""
    args = [
        (
            str(data_dir),
            o,
            int(horizon_days),
            int(seed),
            fit_kwargs,
            str(thresholds_path) if thresholds_path else None,
            model_config,
        )
        for o in origins
    ]
    results = []
    if dask_scheduler:
        try:
            from distributed import Client
            from distributed import as_completed as dask_completed
        except ImportError:
            raise ForecastError(
                "--dask-scheduler needs the optional 'dask' extra: pip install 'capability-forecast[dask]'"
            ) from None
        try:
            client = Client(dask_scheduler, timeout=DASK_CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise ForecastError(f"--dask-scheduler {dask_scheduler}: cannot connect ({exc})") from None
        with client:
            futures = [client.submit(origin_job, *a, pure=False) for a in args]
            for k, fut in enumerate(dask_completed(futures), start=1):
                res = fut.result()
                results.append(res)
                if progress:
                    progress(k, len(args), res["origin"])
    elif workers <= 1 or len(args) == 1:
        for k, a in enumerate(args, start=1):
            res = origin_job(*a)
            results.append(res)
            if progress:
                progress(k, len(args), res["origin"])
    else:
        import multiprocessing as mp

        with ProcessPoolExecutor(max_workers=min(workers, len(args)), mp_context=mp.get_context("spawn")) as pool:
            futures = [pool.submit(origin_job, *a) for a in args]
            for k, fut in enumerate(as_completed(futures), start=1):
                res = fut.result()
                results.append(res)
                if progress:
                    progress(k, len(args), res["origin"])
    return sorted(results, key=lambda r: r["origin"])


def climatology(resolved: list[dict]) -> dict:
    """The threshold events against climatology: the Brier score of always forecasting the base
    rate of crossings among the resolved events (per horizon too; per origin against the pooled
    rate), and the skill score 1 - Brier / Brier of climatology (above 0: better than
    climatology)."""
    if not resolved:
        return {"brier_climatology": None, "brier_skill": None, "by_horizon": [], "by_origin": []}
    o = np.array([e["outcome"] for e in resolved], dtype=float)
    p = np.array([e["prob"] for e in resolved], dtype=float)
    base = o.mean()
    clim = float(np.mean((base - o) ** 2))
    brier = float(np.mean((p - o) ** 2))
    by = []
    for h in sorted({e["horizon_days"] for e in resolved}):
        sel = np.array([e["horizon_days"] == h for e in resolved])
        b_h, c_h = float(np.mean((p[sel] - o[sel]) ** 2)), float(np.mean((o[sel].mean() - o[sel]) ** 2))
        by.append(
            {
                "horizon_days": int(h),
                "n": int(sel.sum()),
                "brier": b_h,
                "brier_climatology": c_h,
                "base_rate": float(o[sel].mean()),
            }
        )
    # per origin, against the same pooled base rate (an origin's own rate would use its outcomes)
    by_origin = []
    for org in sorted({e["origin"] for e in resolved if "origin" in e}):
        sel = np.array([e.get("origin") == org for e in resolved])
        by_origin.append(
            {
                "origin": org,
                "n": int(sel.sum()),
                "happened": int(o[sel].sum()),
                "brier": float(np.mean((p[sel] - o[sel]) ** 2)),
                "brier_climatology": float(np.mean((base - o[sel]) ** 2)),
            }
        )
    return {
        "base_rate": float(base),
        "brier_climatology": clim,
        "brier_skill": (1 - brier / clim) if clim > 0 else None,
        "by_horizon": by,
        "by_origin": by_origin,
    }


def pooled_report(per_origin: list[dict]) -> dict:
    """Pool held-out results over origins into the calibration report (JSON-ready)."""
    methods = list(per_origin[0]["scores"]) if per_origin else []
    pooled: dict[str, list] = {}
    for r in per_origin:
        for k, v in r["_pooled"].items():
            pooled.setdefault(k, []).extend(v)
    units = np.asarray(pooled.get("units", []))
    frac = units == "fraction"
    scores = {}
    for m in methods:
        c = np.asarray(pooled[f"crps_{m}"], dtype=float)
        s = {"crps": float(c[frac].mean()) if frac.any() else None, "n_crps": int(frac.sum()), "n": int(len(c))}
        for lv in SC.LEVELS:
            cov = np.asarray(pooled[f"cov{int(lv * 100)}_{m}"], dtype=float)
            s[f"coverage{int(lv * 100)}"] = float(cov.mean()) if len(cov) else None
        scores[m] = s
    baselines = [m for m in methods if m != "model" and scores[m]["crps"] is not None]
    best = min(baselines, key=lambda m: scores[m]["crps"], default=None)
    n = scores.get("model", {}).get("n", 0)
    # Acceptance regions treat the n held-out results as independent (two-sided binomial). They
    # are not: results of one model at one origin share its capability. ``n_effective`` (n over
    # the design effect) says how many independent results they are worth; a flag near the
    # bound with a much smaller n_effective is weak evidence.
    clusters = pooled.get("clusters") or [str(i) for i in range(n)]
    coverage = []
    for lv in SC.LEVELS if "model" in scores else ():
        hits = pooled[f"cov{int(lv * 100)}_model"]
        deff = SC.design_effect(hits, clusters) if len(clusters) == len(hits) else 1.0
        coverage.append(
            {
                "nominal": lv,
                "observed": scores["model"][f"coverage{int(lv * 100)}"],
                "n": n,
                "n_effective": max(1, int(round(n / deff))),
                "bounds95": list(SC.binomial_bounds(n, lv)),
            }
        )
    flags = SC.calibration_flags({c["nominal"]: (c["observed"], n) for c in coverage}) if n else []
    pit_vals = np.asarray(pooled.get("pit_model", []), dtype=float)
    hist = np.histogram(pit_vals, bins=PIT_BINS, range=(0, 1))[0].tolist() if len(pit_vals) else []
    hz = np.asarray(pooled.get("horizon_days", []), dtype=float)
    by_h = []
    for lo, hi in zip(HORIZON_BINS[:-1], HORIZON_BINS[1:]):
        sel = (hz > lo) & (hz <= hi) & frac
        if sel.any():
            by_h.append(
                {
                    "horizon_days": f"{lo + 1}-{hi}" if hi < 10_000 else f">{lo}",
                    "n": int(sel.sum()),
                    **{m: float(np.asarray(pooled[f"crps_{m}"])[sel].mean()) for m in methods},
                }
            )
    events = [e | {"origin": r["origin"]} for r in per_origin for e in r.get("events", [])]
    resolved = [e for e in events if e["outcome"] is not None]
    ev = {
        "n": len(events),
        "n_resolved": len(resolved),
        "brier": float(np.mean([(e["prob"] - e["outcome"]) ** 2 for e in resolved])) if resolved else None,
        "reliability": reliability([e["prob"] for e in resolved], [e["outcome"] for e in resolved]) if resolved else [],
        **climatology(resolved),
    }
    return {
        "origins": [r["origin"] for r in per_origin],
        "scores": scores,
        "best_baseline": best,
        "ratio_to_best_baseline": (scores["model"]["crps"] / scores[best]["crps"])
        if best and scores["model"]["crps"]
        else None,
        "coverage": coverage,
        "flags": flags,
        "pit": pit_vals.tolist(),
        "pit_histogram": hist,
        "crps_by_horizon": by_h,
        "frontier": pooled_frontier([f for r in per_origin for f in r.get("frontier", [])]),
        "events": ev,
        "per_origin": [
            {
                "origin": r["origin"],
                "n": r["scores"]["model"]["n"],
                "n_train_results": r["n_train_results"],
                "fit_seconds": r["fit_seconds"],
                "diagnostics": r["diagnostics"],
                "ratio_to_best_baseline": r["ratio_to_best_baseline"],
                "scores": {
                    m: {k: s[k] for k in ("crps", "coverage50", "coverage80", "coverage95", "n")}
                    for m, s in r["scores"].items()
                },
            }
            for r in per_origin
        ],
        "event_forecasts": events,
    }


def run_recalibrate(
    data=None,
    origins=None,
    *,
    quarterly_from: str | None = None,
    horizon_days: int = BT.DEFAULT_HORIZON_DAYS,
    seed: int = 1,
    workers: int = 2,
    dask_scheduler: str | None = None,
    fit_kwargs=None,
    thresholds_path=None,
    ledger=None,
    progress=None,
    config=None,
) -> dict:
    """Backtests at each origin, the pooled report, ledger recording and scoring. The report
    is returned; ``forecast.reports.recalibration.write_report`` writes it. ``config``: the
    ``ModelConfig`` of every origin's fit (default: the defaults), recorded in the report."""
    from ..inference import SamplerConfig, fit_id
    from ..model import ModelConfig

    config = config or ModelConfig()
    data_dir = D.resolve_data_dir(data)
    ds = D.load_dataset(data_dir)
    units = dict(zip(ds.benchmarks["benchmark"], ds.benchmarks["unit"]))
    ths = load_thresholds(thresholds_path, units)  # bad thresholds fail before any fitting
    newest = ds.newest_result_date
    if origins and quarterly_from:
        raise ForecastError("give --origins or --quarterly-from, not both")
    if not origins:
        if not quarterly_from:
            raise ForecastError("give --origins D1,D2,... or --quarterly-from YYYY-Qn")
        origins = quarter_ends(quarterly_from, newest)
    late = [o for o in origins if pd.Timestamp(o) >= newest]
    if late:
        raise ForecastError(
            f"origin(s) {', '.join(late)} on or after the newest result ({newest.date()}): nothing to score"
        )
    t0 = time.perf_counter()
    per_origin = run_origins(
        data_dir,
        origins,
        horizon_days=horizon_days,
        seed=seed,
        fit_kwargs=fit_kwargs,
        thresholds_path=thresholds_path,
        workers=workers,
        dask_scheduler=dask_scheduler,
        progress=progress,
        model_config=config.to_json(),
    )
    rep = pooled_report(per_origin)
    rep["model_config"] = config.to_json()
    rep["horizon_days"] = int(horizon_days)
    rep["seconds"] = time.perf_counter() - t0
    rep["data_hash"] = ds.data_hash
    rep["newest_result"] = newest.date().isoformat()
    # ledger: the event forecasts of each origin (one transaction per origin), then score what
    # the data now settle, including forecasts recorded by earlier runs
    scfg = SamplerConfig()
    for r in per_origin:
        rows = [
            {"threshold": e["threshold"], "as_of": r["origin"], "by": e["by"], "prob": e["prob"]} for e in r["events"]
        ]
        if rows:
            L.record(
                ledger,
                "recalibrate",
                rows,
                ths,
                scenario="baseline",
                args={"horizon_days": horizon_days},
                fit_attrs={
                    "fit_id": fit_id(config, scfg, ds.data_hash, r["origin"], seed),
                    "data_hash": ds.data_hash,
                    "seed": seed,
                },
            )
    from ..data.determinations import load_determinations

    determinations = load_determinations(data_dir)
    rep["ledger"] = {
        "path": str(L.resolve_ledger(ledger)),
        **L.score_open(ledger, ds, determinations, ths),
        "report": L.report(ledger),
        "lab_report": L.lab_report(ledger),
    }
    return rep
