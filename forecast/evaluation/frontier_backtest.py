"""The frontier backtest: what users read, scored against what happened.

A per-result backtest predicts known models' scores; threshold probabilities are made of the
*frontier*, the best of many models, most of them not yet released at the origin. So at an origin
D the as-of fit forecasts, for every benchmark a threshold names and every benchmark with at least
``MIN_RESULTS`` results, the frontier on D + 3, 6 and 12 months, and each forecast is scored
against the frontier observed in the data today: the best result (at the default test-time
setting) of the models released by that date. Two baselines get the same targets:

- persistence: the frontier stays where it was known to be at D;
- a frontier trend: METR's method, a log-linear (logit for fractions) fit to the frontier points
  known at D, extrapolated with its parameter and residual uncertainty.

Scores: PIT, coverage of the central 50/80/90% intervals, and CRPS (on fraction benchmarks in
score points; log2 minutes and Elo/400 for the others), per horizon and pooled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .scores import crps, pit

FRONTIER_HORIZONS_DAYS = (91, 182, 365)
FRONTIER_LEVELS = (0.5, 0.8, 0.9)
#: Benchmarks with at least this many results are backtested even when no threshold names them.
MIN_RESULTS = 20
N_SAMPLES = 1000


def frontier_benchmarks(ds, train, thresholds) -> list[str]:
    """Benchmarks a threshold names, or with at least ``MIN_RESULTS`` results in the data, that
    the fit at the origin knows (it has results on them)."""
    named = {c.benchmark for t in thresholds or [] for c in t.criteria}
    counts = ds.results["benchmark"].value_counts()
    many = set(counts[counts >= MIN_RESULTS].index)
    return sorted((named | many) & set(train.results["benchmark"]))


def observed_frontier(ds, benchmark: str, date, known_by=None) -> tuple[float | None, str | None]:
    """The best result on ``benchmark`` at the default test-time setting (any effort) of the
    models released by ``date``, among results reported by ``known_by`` (default: any time), and
    the model that holds it; (None, None) when there is none."""
    r = ds.results
    r = r[(r["benchmark"] == benchmark) & (r["inference_multiplier"] <= 1 + 1e-9)]
    released = r["model"].map(ds.models.set_index("model")["release_date"])
    r = r[released <= pd.Timestamp(date)]
    if known_by is not None:
        r = r[r["reported_date"] <= pd.Timestamp(known_by)]
    if r.empty:
        return None, None
    i = r["score"].idxmax()
    return float(r.at[i, "score"]), str(r.at[i, "model"])


def frontier_targets(ds, origin: pd.Timestamp, benchmarks: list[str]) -> pd.DataFrame:
    """One row per (benchmark, horizon) whose date the data reach on that benchmark (its newest
    reported result, ``Dataset.reach``): the observed frontier then, and the frontier as known at
    the origin (the persistence forecast)."""
    units = ds.benchmarks.set_index("benchmark")["unit"]
    rows = []
    for b in benchmarks:
        known, _ = observed_frontier(ds, b, origin, known_by=origin)
        if known is None:
            continue
        reach = ds.reach([b])
        for h in FRONTIER_HORIZONS_DAYS:
            when = origin + pd.Timedelta(days=h)
            if reach is None or when > reach:
                continue  # the data do not reach that date on b: the frontier then is not known yet
            seen, holder = observed_frontier(ds, b, when)
            rows.append(
                {
                    "benchmark": b,
                    "unit": units[b],
                    "horizon_days": h,
                    "date": when.date().isoformat(),
                    "observed": seen,
                    "observed_model": holder,
                    "persistence": known,
                }
            )
    return pd.DataFrame(rows)


def _scale(values, unit: str) -> np.ndarray:
    """The modelling scale on which CRPS is comparable within a unit: score points for fractions,
    log2 minutes for horizons, Elo/400."""
    v = np.asarray(values, dtype=float)
    if unit == "minutes":
        return np.log2(np.maximum(v, 1e-6))
    if unit == "elo":
        return v / 400.0
    return v


def trend_samples(train, targets: pd.DataFrame, *, seed: int, n: int = N_SAMPLES) -> np.ndarray:
    """The frontier-trend baseline (METR's method on each benchmark's frontier points known at the
    origin) at each target date, as predictive samples; where the origin knows too few results on
    a benchmark for a trend, the known frontier (persistence)."""
    from .baselines import MIN_TRAIN_CELLS, baseline_samples

    if targets.empty:
        return np.empty((0, n))
    out = np.repeat(targets["persistence"].to_numpy(dtype=float)[:, None], n, axis=1)
    default = train.results[train.results["inference_multiplier"] <= 1 + 1e-9]
    cells = default.groupby("benchmark")["model"].nunique()
    ok = targets["benchmark"].map(cells).fillna(0).to_numpy() >= MIN_TRAIN_CELLS
    if ok.any():
        t = pd.DataFrame(
            {
                "model": [f"frontier@{d}" for d in targets["date"][ok]],
                "benchmark": targets["benchmark"][ok].to_numpy(),
                "release_date": pd.to_datetime(targets["date"][ok]).to_numpy(),
                "train_flop": np.nan,
            }
        )
        out[ok] = baseline_samples(
            "metr_date_trend", train.models, train.benchmarks, train.results, t, n_samples=n, seed=seed
        )
    return out


def model_samples(idata, targets: pd.DataFrame, *, seed: int, n: int = N_SAMPLES) -> np.ndarray:
    """The as-of fit's frontier forecast at each target date (``frontier_samples``)."""
    from ..forecasting.frontier import frontier_samples

    if targets.empty:
        return np.empty((0, n))
    benches = sorted(set(targets["benchmark"]))
    dates = sorted({pd.Timestamp(d) for d in targets["date"]})
    samples = frontier_samples(idata, benches, dates, seed=seed, max_draws=n)
    index = {d.date().isoformat(): i for i, d in enumerate(dates)}
    return np.array([samples[b][index[d]] for b, d in zip(targets["benchmark"], targets["date"])])


def score_frontier(targets: pd.DataFrame, samples: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per target: the model's PIT, its coverage at each level, and each method's CRPS (the
    persistence forecast is a point: its CRPS is the absolute error)."""
    out = targets.copy()
    if targets.empty:
        return out
    obs = targets["observed"].to_numpy(dtype=float)
    units = targets["unit"].to_numpy()
    scaled = {k: np.array([_scale(s, u) for s, u in zip(v, units)]) for k, v in samples.items()}
    y = np.array([_scale(o, u) for o, u in zip(obs, units)])
    m = samples["model"]
    out["pit"] = pit(m, obs)
    for lv in FRONTIER_LEVELS:
        lo, hi = np.quantile(m, [(1 - lv) / 2, (1 + lv) / 2], axis=1)
        out[f"in{int(lv * 100)}"] = (obs >= lo) & (obs <= hi)
    for q in (0.05, 0.5, 0.95):
        out[f"q{q:g}"] = np.quantile(m, q, axis=1)
    for k, s in scaled.items():
        out[f"crps_{k}"] = crps(s, y)
    out["crps_persistence"] = np.abs(np.array([_scale(p, u) for p, u in zip(targets["persistence"], units)]) - y)
    return out


def run_frontier_backtest(idata, ds, train, origin, thresholds, *, seed: int = 1) -> list[dict]:
    """The frontier backtest at one origin: a row per target with the forecast's quantiles, PIT,
    coverage and the three methods' CRPS (JSON-ready)."""
    origin = pd.Timestamp(origin)
    benches = frontier_benchmarks(ds, train, thresholds)
    targets = frontier_targets(ds, origin, benches)
    if targets.empty:
        return []
    samples = {"model": model_samples(idata, targets, seed=seed), "trend": trend_samples(train, targets, seed=seed)}
    scored = score_frontier(targets, samples)
    scored["origin"] = origin.date().isoformat()
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in scored.to_dict("records")]


def pooled_frontier(rows: list[dict]) -> dict:
    """The frontier backtest over every origin: coverage of the 50/80/90% intervals against
    nominal, the PIT histogram, CRPS of the model, persistence and the trend per horizon and
    unit, and the share of 12-month targets inside the 90% interval at each origin."""
    if not rows:
        return {"n": 0}
    df = pd.DataFrame(rows)
    out = {"n": int(len(df)), "levels": list(FRONTIER_LEVELS), "horizons_days": list(FRONTIER_HORIZONS_DAYS)}
    out["coverage"] = [
        {"nominal": lv, "observed": float(df[f"in{int(lv * 100)}"].mean()), "n": int(len(df))} for lv in FRONTIER_LEVELS
    ]
    out["pit"] = [float(x) for x in df["pit"]]
    out["pit_histogram"] = np.histogram(df["pit"], bins=10, range=(0, 1))[0].tolist()
    out["pit_mean"] = float(df["pit"].mean())
    by = []
    for (h, unit), g in df.groupby(["horizon_days", "unit"]):
        by.append(
            {
                "horizon_days": int(h),
                "unit": unit,
                "n": int(len(g)),
                "coverage90": float(g["in90"].mean()),
                "crps_model": float(g["crps_model"].mean()),
                "crps_persistence": float(g["crps_persistence"].mean()),
                "crps_trend": float(g["crps_trend"].mean()),
            }
        )
    out["by_horizon"] = by
    frac = df[df["unit"] == "fraction"]
    out["crps"] = {m: float(frac[f"crps_{m}"].mean()) if len(frac) else None for m in ("model", "persistence", "trend")}
    y12 = df[df["horizon_days"] == max(FRONTIER_HORIZONS_DAYS)]
    out["twelve_month_in90_by_origin"] = [
        {"origin": o, "n": int(len(g)), "in90": float(g["in90"].mean())} for o, g in y12.groupby("origin")
    ]
    out["below_interval"] = float((df["pit"] < 0.05).mean())
    out["above_interval"] = float((df["pit"] > 0.95).mean())
    out["by_benchmark"] = frontier_by_benchmark(df)
    return out


#: The per-benchmark summary also scores the latest this many origins that have targets on the
#: benchmark: what the model says now is best judged by what it said lately.
RECENT_ORIGINS = 4


def frontier_by_benchmark(df: pd.DataFrame) -> list[dict]:
    """Per benchmark, over every horizon and origin: targets, 90% coverage, mean PIT (0.5 for an
    unbiased forecast; below it the frontier came in lower than forecast) and the shares below
    and above the 90% interval; the same PIT mean and coverage over its latest
    ``RECENT_ORIGINS`` origins."""
    out = []
    for b, g in df.groupby("benchmark"):
        last = sorted(set(g["origin"]))[-RECENT_ORIGINS:]
        r = g[g["origin"].isin(last)]
        out.append(
            {
                "benchmark": b,
                "n": int(len(g)),
                "coverage90": float(g["in90"].mean()),
                "pit_mean": float(g["pit"].mean()),
                "below_interval": float((g["pit"] < 0.05).mean()),
                "above_interval": float((g["pit"] > 0.95).mean()),
                "recent_origins": [str(o) for o in last],
                "recent_n": int(len(r)),
                "recent_coverage90": float(r["in90"].mean()),
                "recent_pit_mean": float(r["pit"].mean()),
            }
        )
    return out
