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

from ..errors import ForecastError
from ..inference import BACKTEST_CHAINS, BACKTEST_DRAWS, BACKTEST_EXTEND_ROUNDS, BACKTEST_TUNE, SamplerConfig
from .scores import LEVELS, covered, crps, pit, score_samples

QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
MIN_PRIOR = 5
DEFAULT_HORIZON_DAYS = 365
EVENT_HORIZONS_DAYS = (90, 180, 365)
#: backtest fits: enough draws for predictive quantiles, far cheaper than the reported fit
BACKTEST_FIT = {"draws": BACKTEST_DRAWS, "tune": BACKTEST_TUNE, "chains": BACKTEST_CHAINS}  # tune after the pilot
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
    later = r[
        (r["reported_date"] > origin)
        & (r["reported_date"] <= origin + pd.Timedelta(days=int(horizon_days)))
        & r["benchmark"].isin(eligible)
    ]
    meta = ds.models[["model", "release_date", "train_flop", "reasoning"]]
    targets = later.merge(meta, on="model", how="left").merge(
        ds.benchmarks[["benchmark", "unit", "domain"]], on="benchmark", how="left"
    )
    targets = targets.sort_values(["reported_date", "model", "benchmark"], kind="stable").reset_index(drop=True)
    return train, targets


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


def model_samples(
    idata, targets: pd.DataFrame, *, seed: int = 1, n_samples: int = N_SAMPLES, origin=None
) -> np.ndarray:
    """Posterior predictive samples (rows = targets) from an as-of fit; models released after
    ``origin`` carry the future's uncertainty (``predict_scores(future_after=...)``)."""
    from ..model import predict_scores

    if targets.empty:
        return np.empty((0, n_samples))
    models = targets[["model", "release_date", "train_flop", "reasoning"]].drop_duplicates("model")
    pred = predict_scores(
        idata,
        targets[["model", "benchmark", "inference_multiplier", "effort"]],
        models=models,
        seed=seed,
        future_after=origin,
    )
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
        rows.append(
            {
                "model": r["model"],
                "benchmark": r["benchmark"],
                "setting": r.get("setting", ""),
                "reported_date": r["reported_date"].date().isoformat(),
                "observed": float(r["score"]),
                "mean": float(m),
                "quantiles": {f"{p:g}": float(v) for p, v in zip(QUANTILES, q)},
            }
        )
    return rows


def _event_forecasts(idata, ds, thresholds, origin: pd.Timestamp, seed: int) -> list[dict]:
    """P(crossed by origin + h) from the as-of fit next to what happened (when the data reach
    that date on every benchmark the threshold names, ``Dataset.reach``). Thresholds already
    crossed in the data at the origin are left out."""
    from ..forecasting.frontier import threshold_forecast
    from ..forecasting.predict import forecastable

    ths, _ = forecastable(thresholds, idata)
    open_ths = [t for t in ths if observed_crossing(ds.results, t, origin)[0] is None]
    if not open_ths:
        return []
    by = [(origin + pd.Timedelta(days=h)).date().isoformat() for h in EVENT_HORIZONS_DAYS]
    fc = threshold_forecast(idata, open_ths, by, seed=seed)
    out = []
    for t, f in zip(open_ths, fc["thresholds"]):
        first, who = observed_crossing(ds.results, t)
        # resolved where the data cover every benchmark the threshold names up to the date, and
        # only there, crossed or not: resolving crossings the data show early while leaving the
        # rest open would keep the events that happened and drop those that did not
        reach = ds.reach(c.benchmark for c in t.criteria)
        for h, d in zip(EVENT_HORIZONS_DAYS, by):
            happened = first is not None and first <= pd.Timestamp(d)
            resolved = reach is not None and reach >= pd.Timestamp(d)
            out.append(
                {
                    "threshold": t.id,
                    "by": d,
                    "horizon_days": h,
                    "prob": f["prob_by"][d],
                    "outcome": (1 if happened else 0) if resolved else None,
                    "crossed_on": first.date().isoformat() if happened else None,
                    "crossed_by_model": who if happened else None,
                }
            )
    return out


def run_backtest(
    ds,
    origin,
    *,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    seed: int = 1,
    methods=None,
    fit_kwargs: dict | None = None,
    config=None,
    sampler_config: SamplerConfig | None = None,
    thresholds=None,
    progressbar: bool = False,
) -> dict:
    """Fit as of ``origin``, predict the targets with the model and each baseline, score them.
    Returns the JSON shape of ``forecast backtest --json`` (plus timings, diagnostics, events)."""
    from ..inference import fit_diagnostics, fit_model
    from . import baselines as B

    origin = _ts(origin)
    methods = list(B.METHODS) if methods is None else list(methods)
    train, targets = split(ds, origin, horizon_days)
    if train.results.empty:
        raise ForecastError(f"no results reported on or before {origin.date()}: nothing to fit")
    t0 = time.perf_counter()
    fk = {**BACKTEST_FIT, **(fit_kwargs or {})}
    sampler_config = dataclasses.replace(sampler_config or SamplerConfig(), extend_rounds=BACKTEST_EXTEND_ROUNDS)
    idata = fit_model(train, config, sampler_config=sampler_config, seed=seed, progressbar=progressbar, **fk)
    idata.attrs["as_of"] = origin.date().isoformat()
    fit_seconds = time.perf_counter() - t0
    diag = fit_diagnostics(idata)
    obs = targets["score"].to_numpy(dtype=float)
    units = targets["unit"].to_numpy() if len(targets) else np.array([])
    samples = {"model": model_samples(idata, targets, seed=seed, origin=origin)}
    for name in methods:
        samples[name] = (
            B.baseline_samples(
                name, train.models, train.benchmarks, train.results, targets, n_samples=N_SAMPLES, seed=seed
            )
            if len(targets)
            else np.empty((0, N_SAMPLES))
        )
    scores = {k: score_samples(s, obs, units) for k, s in samples.items()}
    best = min((k for k in methods if scores[k]["crps"] is not None), key=lambda k: scores[k]["crps"], default=None)
    events = _event_forecasts(idata, ds, thresholds, origin, seed) if thresholds else []
    from .frontier_backtest import run_frontier_backtest

    frontier = run_frontier_backtest(idata, ds, train, origin, thresholds, seed=seed)
    horizon = (targets["reported_date"] - origin).dt.days.to_numpy() if len(targets) else np.array([])
    return {
        "origin": origin.date().isoformat(),
        "horizon_days": int(horizon_days),
        "predictions": _prediction_rows(targets, samples["model"]),
        "scores": scores,
        "best_baseline": best,
        "ratio_to_best_baseline": (
            scores["model"]["crps"] / scores[best]["crps"]
            if best and scores["model"]["crps"] is not None and scores[best]["crps"]
            else None
        ),
        "diagnostics": diag,
        "n_train_results": int(len(train.results)),
        "fit_seconds": fit_seconds,
        "events": events,
        "frontier": frontier,
        # per-target arrays kept for pooling across origins (not part of the JSON shape)
        "_pooled": {
            "units": units.tolist(),
            "horizon_days": horizon.tolist(),
            "observed": obs.tolist(),
            "clusters": [f"{origin.date()}|{m}" for m in targets["model"]] if len(targets) else [],
            **{f"pit_{k}": pit(s, obs).tolist() for k, s in samples.items()},
            **{f"crps_{k}": crps(s, obs).tolist() if len(obs) else [] for k, s in samples.items()},
            **{
                f"cov{int(lv * 100)}_{k}": covered(s, obs, lv).tolist() if len(obs) else []
                for k, s in samples.items()
                for lv in LEVELS
            },
        },
    }
