"""How far a benchmark wanders from the shared capability trend over time, and the random walk
that carries that uncertainty into the frontier forecast.

The model gives each benchmark one straight trend of its own (``benchmark_trend``). The data do
not move that straight: AIME jumped with o1, ARC-AGI-2 and Cybench with agentic training, while
MMLU stopped moving. A frontier forecast a year ahead that knows only the straight trend is too
sure of itself (the frontier backtest, docs/backtesting.md). ``benchmark_drift`` measures the
wandering in the fit's own residuals: per benchmark and half-year of release, the mean residual
in capability units; its increments, less their sampling noise, give the variance of a random
walk per year, pooled over benchmarks. ``drift_paths`` draws that walk forward from the data's
date, one path per posterior draw and benchmark, shared by every release on the path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import logit

from .forward import benchmark_params, ceiling_draws, stack, test_time_shift, trend_draws
from .inputs import inputs_from_idata

#: Results are grouped by half-year of their model's release ...
DRIFT_BIN_YEARS = 0.5
#: ... and a group needs this many to count.
DRIFT_MIN_RESULTS = 3


def benchmark_drift(idata) -> float:
    """The random walk's sd per sqrt(year), in capability units (0 when the data cannot say)."""
    inputs = inputs_from_idata(idata)
    post = idata["posterior"].to_dataset()
    theta = stack(post, "theta").mean(axis=0)
    location, slope, _, _ = benchmark_params(post, len(inputs.benchmark_ids), inputs.bench_unit)
    location, slope = location.mean(axis=0), slope.mean(axis=0)
    b = inputs.obs_bench
    shift = np.asarray(
        test_time_shift(post, inputs.bench_domain[b], inputs.reasoning_obs, inputs.log10_mult, inputs.effort_step)
    )
    shift = shift.mean(axis=0) if shift.ndim else shift
    t = inputs.t_model[inputs.obs_model]
    th = theta[inputs.obs_model] + shift + trend_draws(post, len(inputs.benchmark_ids)).mean(axis=0)[b] * t
    ceiling = ceiling_draws(post, inputs).mean(axis=0)
    frac = inputs.bench_unit[b] == 0
    # the observed target on the capability scale: logit of the share of the span for fractions
    z = np.clip((inputs.y - inputs.floor[b]) / (ceiling[b] - inputs.floor[b]), 0.02, 0.98)
    target = np.where(frac, logit(z), inputs.y)
    resid = target / slope[b] - (th - location[b])
    df = pd.DataFrame({"b": b, "bin": np.floor(t / DRIFT_BIN_YEARS), "r": resid})
    g = df.groupby(["b", "bin"])["r"].agg(["mean", "var", "count"]).reset_index()
    g = g[g["count"] >= DRIFT_MIN_RESULTS].sort_values(["b", "bin"])
    num = den = 0.0
    for _, gb in g.groupby("b"):
        if len(gb) < 2:
            continue
        d = np.diff(gb["mean"].to_numpy())
        dt = np.diff(gb["bin"].to_numpy()) * DRIFT_BIN_YEARS
        noise = (gb["var"] / gb["count"]).to_numpy()
        num += float(np.sum(d**2 - (noise[1:] + noise[:-1])))
        den += float(np.sum(dt))
    return float(np.sqrt(max(num / den, 0.0))) if den > 0 else 0.0


def drift_paths(sd: float, start_t: float, t: np.ndarray, rng: np.random.Generator, steps_per_year: int = 12):
    """A random walk with sd ``sd`` per sqrt(year), 0 up to ``start_t``, evaluated at ``t``
    (draws, candidates): one path per draw, shared by every candidate of that draw."""
    n = t.shape[0]
    ahead = np.where(np.isfinite(t), np.maximum(t - start_t, 0.0), 0.0)
    n_steps = int(np.ceil(ahead.max() * steps_per_year)) if ahead.size else 0
    if sd <= 0 or n_steps == 0:
        return np.zeros_like(ahead)
    walk = np.cumsum(rng.normal(0.0, sd / np.sqrt(steps_per_year), (n, n_steps)), axis=1)
    walk = np.concatenate([np.zeros((n, 1)), walk], axis=1)
    k = np.minimum(np.round(ahead * steps_per_year).astype(int), n_steps)
    return np.take_along_axis(walk, k, axis=1)


def future_shift(
    post, config, drift_sd: float, as_of_t: float, t: np.ndarray, bench: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """What the fit cannot know about results of models released after ``as_of_t``, as a shift
    of their capability, shape (draws, rows): a new change of the date trend's slope after the
    data's date (Normal(0, ``beta_t_recent_sd``) per draw, as the model lets the slope change at
    its knot) and each benchmark's random walk about its trend (``drift_sd``), one path per draw
    and benchmark. Zero for rows at or before ``as_of_t`` (``t``: release times, years since
    the reference date; ``bench``: benchmark index of each row)."""
    n = post.sizes["chain"] * post.sizes["draw"]
    t = np.broadcast_to(np.asarray(t, dtype=float), (n, len(t)))
    out = np.zeros_like(t)
    if not config.future_uncertainty:
        return out
    if config.has_date and config.date_knot:
        out += config.beta_t_recent_sd * rng.standard_normal((n, 1)) * np.maximum(t - as_of_t, 0.0)
    if drift_sd > 0:
        for b in np.unique(bench):
            cols = np.flatnonzero(bench == b)
            out[:, cols] += drift_paths(drift_sd, as_of_t, t[:, cols], rng)
    return out
