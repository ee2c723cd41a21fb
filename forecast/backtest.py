"""Rolling-origin backtests: fit on what was known at an origin date, predict what came after.

For an origin D the model is fitted to ``ds.as_of(D)`` (models released and results reported on
or before D) and predicts every result reported in (D, D + horizon] on a benchmark with at least
``MIN_PRIOR`` results before D. Each prediction uses only what the as-of fit knows plus the
target's own description: the model's release date, its training compute if the dataset gives
one, whether it reasons by default, and the result's test-time setting (inference multiplier,
effort). A model with results before D keeps its posterior capability (its own earlier results
inform the prediction); a model new at D gets its capability from the fitted trends.

The peer methods of ``forecast.baselines`` predict the same targets from the same training
data, and every method is scored the same way: CRPS from predictive samples (arviz-stats) and
the coverage of central 50/80/95% intervals. Scores on fraction benchmarks are in score points
(fractions of 1); Elo and minute benchmarks are scored separately in their own units, because
one Elo point and one fraction point are not comparable.

Threshold events: at each origin the fit also gives P(threshold crossed by D + h) for a few
horizons h. Whether it happened is read from the full dataset (``observed_crossing``), so the
recalibration report can check the reliability of the event probabilities, not only of scores.
"""

from __future__ import annotations

import dataclasses

import time
import numpy as np
import pandas as pd

from .defaults import BACKTEST_CHAINS, BACKTEST_DRAWS, BACKTEST_TUNE
from .errors import ForecastError

QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
LEVELS = (0.5, 0.8, 0.95)
MIN_PRIOR = 5
DEFAULT_HORIZON_DAYS = 365
EVENT_HORIZONS_DAYS = (90, 180, 365)
#: backtest fits: enough draws for predictive quantiles, far cheaper than the reported fit
BACKTEST_FIT = {"draws": BACKTEST_DRAWS, "tune": BACKTEST_TUNE, "chains": BACKTEST_CHAINS}  # tune after the pilot
#: Backtest fits take no extension round: with it the 8 quarterly origins reached per-origin R-hat
#: 1.006-1.011 instead of 1.007-1.016 but took 218 s instead of 156 s, for the same CRPS (0.0779)
#: and coverage (the pilot of 200 + 100, 200 tuning steps); a backtest needs predictive
#: quantiles, not a publishable fit. With the current pilot: R-hat 1.005-1.012, 156 s.
BACKTEST_EXTEND_ROUNDS = 0
N_SAMPLES = 1000


def _ts(d) -> pd.Timestamp:
    try:
        return pd.Timestamp(d)
    except (ValueError, TypeError):
        raise ForecastError(f"not a date: {d!r} (use YYYY-MM-DD)") from None


def split(ds, origin, horizon_days: int = DEFAULT_HORIZON_DAYS, min_prior: int = MIN_PRIOR):
    """(training Dataset as of ``origin``, targets). Targets are results reported after the
    origin and within the horizon, on benchmarks with ``min_prior`` results before it, with the
    target model's release date, training compute and reasoning flag merged in."""
    origin = _ts(origin)
    train = ds.as_of(origin)
    counts = train.results["benchmark"].value_counts()
    eligible = set(counts[counts >= min_prior].index)
    r = ds.results
    later = r[(r["reported_date"] > origin) & (r["reported_date"] <= origin + pd.Timedelta(days=int(horizon_days)))
              & r["benchmark"].isin(eligible)]
    meta = ds.models[["model", "release_date", "train_flop", "reasoning"]]
    targets = later.merge(meta, on="model", how="left").merge(
        ds.benchmarks[["benchmark", "unit", "domain"]], on="benchmark", how="left")
    targets = targets.sort_values(["reported_date", "model", "benchmark"], kind="stable").reset_index(drop=True)
    return train, targets


# --------------------------------------------------------------------------------------------
# Scores (arviz-stats CRPS; coverage and PIT from the samples)
# --------------------------------------------------------------------------------------------


def crps(samples: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Sample CRPS per row (lower is better), via arviz-stats with equal weights."""
    from arviz_stats.base import array_stats

    x = np.asarray(samples, dtype=float)[:, None, :]
    y = np.asarray(observed, dtype=float)
    return -np.asarray(array_stats.loo_score(x, y, np.zeros_like(x), kind="crps", chain_axis=-2, draw_axis=-1))


def pit(samples: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Probability integral transform: the predictive CDF at the observation (mid-rank on ties)."""
    y = np.asarray(observed, dtype=float)[:, None]
    return (samples < y).mean(axis=1) + 0.5 * (samples == y).mean(axis=1)


def covered(samples: np.ndarray, observed: np.ndarray, level: float) -> np.ndarray:
    lo, hi = np.quantile(samples, [(1 - level) / 2, (1 + level) / 2], axis=1)
    return (observed >= lo) & (observed <= hi)


def score_samples(samples: np.ndarray, observed: np.ndarray, units) -> dict:
    """Aggregate scores of one method: CRPS on fraction benchmarks (score points), CRPS per
    unit, coverage of the central 50/80/95% intervals over every target, and n."""
    units = np.asarray(units)
    observed = np.asarray(observed, dtype=float)
    c = crps(samples, observed) if len(observed) else np.array([])
    frac = units == "fraction"
    out = {"crps": float(c[frac].mean()) if frac.any() else None, "n_crps": int(frac.sum())}
    for lev in LEVELS:
        out[f"coverage{int(lev * 100)}"] = float(covered(samples, observed, lev).mean()) if len(observed) else None
    out["n"] = int(len(observed))
    out["crps_by_unit"] = {u: float(c[units == u].mean()) for u in sorted(set(units))}
    return out


def binomial_bounds(n: int, p: float, alpha: float = 0.05) -> tuple[float, float]:
    """Two-sided ``1 - alpha`` acceptance region for an observed coverage rate of n Bernoulli(p)."""
    from scipy import stats

    if n == 0:
        return 0.0, 1.0
    return float(stats.binom.ppf(alpha / 2, n, p) / n), float(stats.binom.isf(alpha / 2, n, p) / n)


def design_effect(indicator, clusters) -> float:
    """Variance inflation of a mean of ``indicator`` whose elements come in ``clusters`` (results
    of one model share its capability, so they miss or hit together): ``1 + (m0 - 1) * icc`` with
    the one-way ANOVA intra-cluster correlation, clipped at 0. 1 when every cluster has one
    element; the effective number of independent results is ``n / design_effect``."""
    y = np.asarray(indicator, dtype=float)
    g = pd.Series(y).groupby(pd.Series(np.asarray(clusters)).to_numpy())
    n, k = len(y), g.ngroups
    if k < 2 or n <= k:
        return 1.0
    m = g.size().to_numpy(dtype=float)
    means = g.mean().to_numpy()
    msb = float(np.sum(m * (means - y.mean()) ** 2) / (k - 1))
    msw = float(np.sum((y - g.transform("mean").to_numpy()) ** 2) / (n - k))
    m0 = (n - np.sum(m**2) / n) / (k - 1)
    denom = msb + (m0 - 1) * msw
    icc = 0.0 if denom <= 0 else max(0.0, (msb - msw) / denom)
    return float(1 + (m0 - 1) * icc)


def calibration_flags(coverage: dict[float, tuple[float, int]], alpha: float = 0.05,
                      effective_n: dict[float, float] | None = None) -> list[str]:
    """Levels whose observed coverage lies outside the two-sided binomial bounds (``alpha``).
    ``coverage`` maps nominal level to (observed rate, n). ``effective_n`` may shrink n for
    correlated targets (several results of one model are not independent)."""
    flags = []
    for lev, (rate, n) in sorted(coverage.items()):
        n_eff = int(round((effective_n or {}).get(lev, n)))
        lo, hi = binomial_bounds(n_eff, lev, alpha)
        if n_eff and not lo <= rate <= hi:
            side = "too narrow" if rate < lo else "too wide"
            flags.append(f"{int(lev * 100)}% intervals cover {rate:.0%} of {n} results "
                         f"(acceptable {lo:.0%}-{hi:.0%}): {side}")
    return flags


# --------------------------------------------------------------------------------------------
# Threshold events observed in the data
# --------------------------------------------------------------------------------------------


def observed_crossing(results: pd.DataFrame, threshold, until=None) -> tuple[pd.Timestamp | None, str | None]:
    """The first date by which some model's reported results meet ``threshold`` (and the model),
    or (None, None). A criterion with an inference multiplier m counts results run at up to m
    times the default test-time compute; ``all`` criteria must be met by the same model."""
    r = results if until is None else results[results["reported_date"] <= _ts(until)]
    per_model = None
    for c in threshold.criteria:
        sub = r[(r["benchmark"] == c.benchmark) & (r["inference_multiplier"] <= c.inference_multiplier * (1 + 1e-9))]
        sub = sub[c.met(sub["score"].to_numpy(dtype=float))]
        first = sub.groupby("model")["reported_date"].min()
        if per_model is None:
            per_model = first
        elif threshold.combine == "all":
            both = per_model.index.intersection(first.index)
            per_model = pd.concat([per_model[both], first[both]], axis=1).max(axis=1)
        else:
            per_model = pd.concat([per_model, first], axis=1).min(axis=1)
    if per_model is None or per_model.empty:
        return None, None
    m = per_model.idxmin()
    return pd.Timestamp(per_model[m]), str(m)


# --------------------------------------------------------------------------------------------
# One origin
# --------------------------------------------------------------------------------------------


def model_samples(idata, targets: pd.DataFrame, *, seed: int = 1, n_samples: int = N_SAMPLES) -> np.ndarray:
    """Posterior predictive samples (rows = targets) from an as-of fit."""
    from . import model as M

    if targets.empty:
        return np.empty((0, n_samples))
    models = targets[["model", "release_date", "train_flop", "reasoning"]].drop_duplicates("model")
    pred = M.predict_scores(idata, targets[["model", "benchmark", "inference_multiplier", "effort"]],
                            models=models, seed=seed)
    draws = pred["score"].stack(sample=("chain", "draw")).transpose("row", "sample").values
    if draws.shape[1] > n_samples:
        keep = np.random.default_rng(seed).choice(draws.shape[1], n_samples, replace=False)
        draws = draws[:, np.sort(keep)]
    return draws


def _prediction_rows(targets: pd.DataFrame, samples: np.ndarray) -> list[dict]:
    qs = np.quantile(samples, QUANTILES, axis=1).T if len(targets) else np.empty((0, len(QUANTILES)))
    mean = samples.mean(axis=1) if len(targets) else np.empty(0)
    rows = []
    for (_, r), m, q in zip(targets.iterrows(), mean, qs):
        rows.append({"model": r["model"], "benchmark": r["benchmark"], "setting": r.get("setting", ""),
                     "reported_date": r["reported_date"].date().isoformat(), "observed": float(r["score"]),
                     "mean": float(m), "quantiles": {f"{p:g}": float(v) for p, v in zip(QUANTILES, q)}})
    return rows


def _event_forecasts(idata, ds, thresholds, origin: pd.Timestamp, seed: int) -> list[dict]:
    """P(crossed by origin + h) from the as-of fit next to what happened (when the data reach
    that date). Thresholds already crossed in the data at the origin are left out."""
    from .forecasting import threshold_forecast
    from .predict import forecastable

    ths, _ = forecastable(thresholds, idata)
    open_ths = [t for t in ths if observed_crossing(ds.results, t, origin)[0] is None]
    if not open_ths:
        return []
    by = [(origin + pd.Timedelta(days=h)).date().isoformat() for h in EVENT_HORIZONS_DAYS]
    fc = threshold_forecast(idata, open_ths, by, seed=seed)
    newest = ds.newest_result_date
    out = []
    for t, f in zip(open_ths, fc["thresholds"]):
        first, who = observed_crossing(ds.results, t)
        for h, d in zip(EVENT_HORIZONS_DAYS, by):
            happened = first is not None and first <= pd.Timestamp(d)
            resolved = happened or (newest is not None and newest >= pd.Timestamp(d))
            out.append({"threshold": t.id, "by": d, "horizon_days": h, "prob": f["prob_by"][d],
                        "outcome": (1 if happened else 0) if resolved else None,
                        "crossed_on": first.date().isoformat() if happened else None,
                        "crossed_by_model": who if happened else None})
    return out


def run_backtest(ds, origin, *, horizon_days: int = DEFAULT_HORIZON_DAYS, seed: int = 1, methods=None,
                 fit_kwargs: dict | None = None, config=None, thresholds=None, progressbar: bool = False) -> dict:
    """Fit as of ``origin``, predict the targets with the model and each baseline, score them.
    Returns the JSON shape of ``forecast backtest --json`` (plus timings, diagnostics, events)."""
    from . import baselines as B
    from . import model as M

    origin = _ts(origin)
    methods = list(B.METHODS) if methods is None else list(methods)
    train, targets = split(ds, origin, horizon_days)
    if train.results.empty:
        raise ForecastError(f"no results reported on or before {origin.date()}: nothing to fit")
    t0 = time.perf_counter()
    fk = {**BACKTEST_FIT, **(fit_kwargs or {})}
    config = dataclasses.replace(config or M.ModelConfig(), extend_rounds=BACKTEST_EXTEND_ROUNDS)
    idata = M.fit_model(train, config, seed=seed, progressbar=progressbar, **fk)
    idata.attrs["as_of"] = origin.date().isoformat()
    fit_seconds = time.perf_counter() - t0
    diag = M.fit_diagnostics(idata)
    obs = targets["score"].to_numpy(dtype=float)
    units = targets["unit"].to_numpy() if len(targets) else np.array([])
    samples = {"model": model_samples(idata, targets, seed=seed)}
    for name in methods:
        samples[name] = B.baseline_samples(name, train.models, train.benchmarks, train.results, targets,
                                           n_samples=N_SAMPLES, seed=seed) if len(targets) else np.empty((0, N_SAMPLES))
    scores = {k: score_samples(s, obs, units) for k, s in samples.items()}
    best = min((k for k in methods if scores[k]["crps"] is not None), key=lambda k: scores[k]["crps"], default=None)
    events = _event_forecasts(idata, ds, thresholds, origin, seed) if thresholds else []
    horizon = (targets["reported_date"] - origin).dt.days.to_numpy() if len(targets) else np.array([])
    return {
        "origin": origin.date().isoformat(),
        "horizon_days": int(horizon_days),
        "predictions": _prediction_rows(targets, samples["model"]),
        "scores": scores,
        "best_baseline": best,
        "ratio_to_best_baseline": (scores["model"]["crps"] / scores[best]["crps"]
                                   if best and scores["model"]["crps"] is not None and scores[best]["crps"] else None),
        "diagnostics": diag,
        "n_train_results": int(len(train.results)),
        "fit_seconds": fit_seconds,
        "events": events,
        # per-target arrays kept for pooling across origins (not part of the JSON shape)
        "_pooled": {"units": units.tolist(), "horizon_days": horizon.tolist(), "observed": obs.tolist(),
                    "clusters": [f"{origin.date()}|{m}" for m in targets["model"]] if len(targets) else [],
                    **{f"pit_{k}": pit(s, obs).tolist() for k, s in samples.items()},
                    **{f"crps_{k}": crps(s, obs).tolist() if len(obs) else [] for k, s in samples.items()},
                    **{f"cov{int(lv * 100)}_{k}": covered(s, obs, lv).tolist() if len(obs) else []
                       for k, s in samples.items() for lv in LEVELS}},
    }


def format_backtest(res: dict) -> str:
    lines = [f"Backtest from origin {res['origin']} (horizon {res['horizon_days']} days): "
             f"{res['n_train_results']} results to fit, {len(res['predictions'])} held-out results to predict",
             f"fit diagnostics: max R-hat {res['diagnostics']['max_rhat']:.3f}, min bulk ESS "
             f"{res['diagnostics']['min_ess_bulk']:.0f}, divergences {res['diagnostics']['divergences']}", "",
             f"{'method':<26}{'CRPS':>8}{'cov50':>8}{'cov80':>8}{'cov95':>8}{'n':>6}   (CRPS on fraction benchmarks, score points)"]
    for k, s in res["scores"].items():
        c = "   n/a" if s["crps"] is None else f"{s['crps']:.4f}"
        cov = "".join(f"{'n/a' if s[f'coverage{p}'] is None else format(s[f'coverage{p}'], '.2f'):>8}" for p in (50, 80, 95))
        lines.append(f"{k:<26}{c:>8}{cov}{s['n']:>6}")
    if res.get("ratio_to_best_baseline") is not None:
        lines.append(f"\nmodel CRPS / best peer method ({res['best_baseline']}): {res['ratio_to_best_baseline']:.2f}")
    return "\n".join(lines)
