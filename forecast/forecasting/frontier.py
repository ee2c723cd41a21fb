"""From a posterior to threshold-crossing probabilities (numpy only; no sampler).

The frontier at date D is the best model released by D: the models already in the fit (their
posterior capability) plus simulated future releases. Per posterior draw, future models arrive
at the recent release rate, each with training compute at the fitted compute trend, a deviation
from the trends resampled from the last year's releases (``empirical_releases``; before 0.3.0 a
Normal draw of ``sigma_model`` and of the compute spread), reasoning by default with the recent
share, and the date term (algorithmic progress). A threshold is crossed by D when some model released by D meets all
(or any) of its criteria: with its best reported score where it has one on that benchmark, else
with a predictive score that includes benchmark noise. Because the same simulated models are
reused for every date, P(crossed by D) never decreases with D.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from scipy.optimize import minimize
from scipy.special import expit

from .. import model as M
from ..errors import ForecastError
from ..model.drift import benchmark_drift, drift_paths
from ..model.forward import (
    benchmark_params,
    ceiling_draws,
    date_term,
    fraction_link,
    stack,
    test_time_shift,
    trend_draws,
)
from ..model.inputs import knot_years
from .scenarios import SCENARIOS, Scenario, get_scenario
from .thresholds import Threshold

DEFAULT_HORIZON_YEARS = 6
CROSSING_INTERVAL = 0.8


@dataclass
class FrontierSim:
    """Per draw, per candidate model: release time, capability (before test-time terms),
    reasoning flag. Candidates are fitted models followed by simulated ones."""

    as_of: pd.Timestamp
    t_release: np.ndarray  # (draws, models) years since ref date
    theta: np.ndarray  # (draws, models)
    reasoning: np.ndarray  # (draws, models) bool
    log10_mult: np.ndarray  # (draws, models) evaluation test-time multiplier
    n_fitted: int
    draws: np.ndarray  # indices of the posterior draws used (chains stacked)
    post: xr.Dataset  # the posterior at those draws, as one chain (shared by every benchmark's scores)
    t_date: np.ndarray | None = None  # (draws, models) the time the date terms see (frozen without progress)
    drift_sd: float = 0.0  # the benchmarks' random walk about their trends, per sqrt(year) (drift.py)


def _years(ts, ref: str) -> np.ndarray:
    return M.years_since(pd.Series(pd.to_datetime(ts)), ref)


def data_as_of(idata) -> tuple[pd.Timestamp, float]:
    """The data's date of a fit (its ``as_of`` attribute, else the newest fitted release), as a
    date and in years since the reference date: where the frontier simulation starts."""
    inputs = M.inputs_from_idata(idata)
    config = M.config_from_idata(idata)
    if idata.attrs.get("as_of"):
        as_of = pd.Timestamp(idata.attrs["as_of"])
        return as_of, float(_years([as_of], config.ref_date)[0])
    as_of_t = float(inputs.t_model.max())
    return pd.Timestamp(config.ref_date) + pd.to_timedelta(round(as_of_t * 365.25), unit="D"), as_of_t


def simulate_frontier(
    idata, until: pd.Timestamp, *, scenario: Scenario | None = None, seed: int = 0, max_draws: int = 1000
) -> FrontierSim:
    scenario = scenario or SCENARIOS["baseline"]
    inputs = M.inputs_from_idata(idata)
    config = M.config_from_idata(idata)
    post = idata["posterior"].to_dataset()
    rng = np.random.default_rng(seed)
    n_all = post.sizes["chain"] * post.sizes["draw"]
    keep = np.sort(rng.choice(n_all, size=min(max_draws, n_all), replace=False))
    n = len(keep)
    sub = M.select_draws(post, keep)

    def p(name):
        return stack(sub, name)

    t_fit = inputs.t_model
    as_of, as_of_t = data_as_of(idata)
    until_t = float(_years([until], config.ref_date)[0])
    recent = t_fit > as_of_t - 1.0
    rate = max(float(recent.sum()), 1.0)  # releases per year in the last year of data
    share = float(inputs.reasoning_model[recent].mean()) if recent.any() else 0.0
    if scenario.reasoning_share is not None:
        share = scenario.reasoning_share
    horizon = max(until_t - as_of_t, 0.0)
    n_new = rng.poisson(rate * horizon, size=n) if horizon > 0 else np.zeros(n, dtype=int)
    width = int(n_new.max()) if n_new.size else 0
    t_new = as_of_t + rng.uniform(0, horizon, size=(n, width))
    valid = np.arange(width)[None, :] < n_new[:, None]
    empirical = config.empirical_releases and int(recent.sum()) >= 2
    sigma_m = p("sigma_model")[:, None]
    th_new = np.zeros((n, width)) if empirical else sigma_m * rng.standard_normal((n, width))
    alpha = p("alpha")
    if alpha is not None:
        th_new = th_new + alpha[:, None]
    if config.has_compute:
        g = p("g_c")[:, None]
        mu0 = p("mu_c0")[:, None]
        base = mu0 + g * np.minimum(t_new, as_of_t)
        g_after = g if scenario.compute_growth_oom is None else scenario.compute_growth_oom
        lc = base + g_after * np.maximum(t_new - as_of_t, 0)
        if not empirical:
            lc = lc + p("s_c")[:, None] * rng.standard_normal((n, width))
        th_new = th_new + p("beta_c")[:, None] * (lc - config.c_ref)
    if empirical:
        # each release deviates from the trends as one of the last year's releases did (drawn
        # per posterior draw): the spread of the models that were actually released, not a
        # Normal tail whose maximum over a hundred releases a year runs past the real frontier
        th_new = th_new + _recent_deviations(p, inputs, config, recent, rng, (n, width))
    t_eff = t_new if scenario.algorithmic_progress else np.minimum(t_new, as_of_t)
    future = config.future_uncertainty
    if future and config.has_date and knot_years(config) is not None and scenario.algorithmic_progress:
        # The model lets the date trend change slope once (at the knot), with a Normal(0,
        # beta_t_recent_sd) change; after the data's date it may change again by as much, and
        # nothing in the data can say how: one new change per draw, shared by every release.
        change = config.beta_t_recent_sd * rng.standard_normal((n, 1))
        th_new = th_new + change * np.maximum(t_new - as_of_t, 0.0)
    if config.has_date:
        recent = p("beta_t_recent")
        th_new = th_new + date_term(
            p("beta_t")[:, None], None if recent is None else recent[:, None], knot_years(config), t_eff
        )
    reason_new = rng.uniform(size=(n, width)) < share
    mult_new = np.where(valid, scenario.test_time_oom_per_year * np.maximum(t_new - as_of_t, 0), 0.0)
    t_new = np.where(valid, t_new, np.inf)  # empty slots are never released
    theta = np.concatenate([p("theta"), th_new], axis=1)
    t_all = np.concatenate([np.broadcast_to(t_fit, (n, len(t_fit))), t_new], axis=1)
    reasoning = np.concatenate(
        [np.broadcast_to(inputs.reasoning_model.astype(bool), (n, len(t_fit))), reason_new], axis=1
    )
    mult = np.concatenate([np.zeros((n, len(t_fit))), mult_new], axis=1)
    t_date = np.concatenate([np.broadcast_to(t_fit, (n, len(t_fit))), np.where(valid, t_eff, as_of_t)], axis=1)
    drift = benchmark_drift(idata) if future else 0.0
    return FrontierSim(as_of, t_all, theta, reasoning, mult, len(t_fit), keep, sub, t_date, drift)


def _recent_deviations(p, inputs, config, recent: np.ndarray, rng, shape) -> np.ndarray:
    """Per posterior draw, deviations of capability from the trends (the intercept, training
    compute at its trend for the release date, the date term) of the fitted models released in
    the last year, resampled to ``shape`` (draws, releases)."""
    t = inputs.t_model[recent][None, :]
    trend = np.zeros((shape[0], 1)) + (0.0 if p("alpha") is None else p("alpha")[:, None])
    if config.has_compute:
        lc = p("mu_c0")[:, None] + p("g_c")[:, None] * t
        trend = trend + p("beta_c")[:, None] * (lc - config.c_ref)
    if config.has_date:
        late = p("beta_t_recent")
        trend = trend + date_term(p("beta_t")[:, None], None if late is None else late[:, None], knot_years(config), t)
    dev = p("theta")[:, recent] - trend
    pick = rng.integers(dev.shape[1], size=shape)
    return np.take_along_axis(dev, pick, axis=1)


def observed_best(inputs, b: int, max_log10_mult: float = 0.0) -> np.ndarray:
    """Per fitted model, its best reported score on benchmark index ``b`` with at most
    ``10**max_log10_mult`` times the default test-time compute (any effort); NaN if none."""
    best = np.full(len(inputs.model_ids), np.nan)
    sel = (inputs.obs_bench == b) & (inputs.log10_mult <= max_log10_mult + 1e-9)
    for m, v in zip(inputs.obs_model[sel], inputs.score[sel]):
        best[m] = v if np.isnan(best[m]) else max(best[m], v)
    return best


def observed_crossing_in_fit(idata, threshold: Threshold) -> tuple[str | None, str | None]:
    """(release date, model) of the first fitted model whose reported results meet the threshold
    (with ``all`` criteria, the same model meets every one), or (None, None): the crossings that
    ``prob_already`` counts with certainty."""
    inputs = M.inputs_from_idata(idata)
    config = M.config_from_idata(idata)
    met = None
    for c in threshold.criteria:
        if c.benchmark not in inputs.benchmark_ids:
            return None, None
        best = observed_best(inputs, inputs.benchmark_ids.index(c.benchmark), float(np.log10(c.inference_multiplier)))
        ok = np.where(np.isfinite(best), c.met(np.nan_to_num(best)), False)
        met = ok if met is None else (met & ok if threshold.combine == "all" else met | ok)
    if met is None or not met.any():
        return None, None
    i = int(np.flatnonzero(met)[np.argmin(inputs.t_model[met])])
    date = pd.Timestamp(config.ref_date) + pd.to_timedelta(round(inputs.t_model[i] * 365.25), unit="D")
    return date.date().isoformat(), inputs.model_ids[i]


#: A fitted model released this long before the data's date without a result on a benchmark may
#: still be evaluated on it (results lag releases); older ones are not expected to be.
PENDING_YEARS = 0.5


@dataclass(frozen=True)
class Evaluation:
    """Which models get measured on a benchmark, as the data show it before the data's date: the
    probability that a model is evaluated rises with its capability (labs and evaluators measure
    their strongest models; nobody runs MMLU on a frontier model any more), a logistic curve in
    capability fitted to recent models (``evaluation_profile``), and with ``trend`` it moves with
    release date; and the effort step of the frontier runs (the highest effort reported on the
    benchmark in the last year)."""

    intercept: float
    slope: float
    centre: float
    scale: float
    effort_step: float
    trend: float = 0.0  # change in log-odds per year after the data's date (never > 0)
    as_of_t: float = 0.0

    def prob(self, theta: np.ndarray, t: np.ndarray | None = None) -> np.ndarray:
        eta = self.intercept + self.slope * (np.asarray(theta) - self.centre) / self.scale
        if t is not None and self.trend:
            dt = np.asarray(t, dtype=float) - self.as_of_t
            eta = eta + self.trend * np.where(np.isfinite(dt), np.maximum(dt, 0.0), 0.0)
        return expit(eta)


#: Prior sd of the evaluation curve's intercept and slope (per sd of capability): weak, so that
#: a year with two evaluated models gives a curve, not a certainty.
EVALUATION_PRIOR_SD = 2.0
#: The evaluation trend compares the share of releases measured on a benchmark in the year to
#: ``EVALUATION_LAG_YEARS`` before the data's date with the share in the year before that: results
#: lag releases, and the models of the last months, not yet measured, would read as a fall.
EVALUATION_LAG_YEARS = 0.25
#: ... and only for a benchmark measured on at least this many releases of the earlier year: the
#: o1 example's Codeforces (two ratings, of 2022-2023 models) otherwise read as retired.
EVALUATION_TREND_MIN_MEASURED = 5


def _share(inputs, evaluated: np.ndarray, lo: float, hi: float) -> tuple[float, int, int]:
    """(share of the models released in (lo, hi] that are evaluated, smoothed by half a model
    each way; how many were released; how many of them are evaluated)."""
    sel = (inputs.t_model > lo) & (inputs.t_model <= hi)
    n, k = int(sel.sum()), int(evaluated[sel].sum())
    return (k + 0.5) / (n + 1.0), n, k


def evaluation_profile(inputs, theta_mean: np.ndarray, as_of_t: float, b: int, trend: bool = False) -> Evaluation:
    """The evaluation curve on benchmark ``b``: a logistic regression of "has a result at the
    default test-time setting" on capability over the models released in the year before
    ``as_of_t``, with Normal(0, ``EVALUATION_PRIOR_SD``) priors (maximum a posteriori). With
    ``trend``, a benchmark whose share of measured releases fell from one year to the next
    (``EVALUATION_LAG_YEARS`` back) is taken to keep falling at that rate in log-odds per year
    after the data's date; a rising share, or a benchmark measured on fewer than
    ``EVALUATION_TREND_MIN_MEASURED`` releases of the earlier year (a new one, or one too sparse to
    show a trend), keeps the curve as it is."""
    recent = (inputs.t_model > as_of_t - 1.0) & (inputs.t_model <= as_of_t + 1e-9)
    on_b = (inputs.obs_bench == b) & (inputs.log10_mult <= 1e-9)
    runs = on_b & recent[inputs.obs_model] & (inputs.reasoning_obs > 0)
    effort = max(float(inputs.effort_step[runs].max()) if runs.any() else 0.0, 0.0)
    if recent.sum() < 2:
        return Evaluation(-np.inf, 0.0, 0.0, 1.0, effort)
    evaluated = np.zeros(inputs.n_models, dtype=bool)
    evaluated[inputs.obs_model[on_b]] = True
    x, y = theta_mean[recent], evaluated[recent].astype(float)
    centre, scale = float(np.median(x)), float(max(np.std(x), 1e-6))
    z = (x - centre) / scale

    def loss(w):
        eta = w[0] + w[1] * z
        return -np.sum(y * eta - np.logaddexp(0.0, eta)) + np.sum(w**2) / (2 * EVALUATION_PRIOR_SD**2)

    w = minimize(loss, np.zeros(2), method="L-BFGS-B").x
    fall = 0.0
    if trend:
        end = as_of_t - EVALUATION_LAG_YEARS + 1e-9
        s_now, n_now, _ = _share(inputs, evaluated, end - 1.0, end)
        s_then, _, k_then = _share(inputs, evaluated, end - 2.0, end - 1.0)
        # only a benchmark in use in the earlier year: a fall from one or two results is noise
        if n_now and k_then >= EVALUATION_TREND_MIN_MEASURED:
            fall = min(float(np.log(s_now / (1 - s_now)) - np.log(s_then / (1 - s_then))), 0.0)
    return Evaluation(float(w[0]), float(w[1]), centre, scale, effort, fall, float(as_of_t))


def _scores(
    idata, sim: FrontierSim, benchmark: str, extra_log10_mult: float, seed: int, noise: bool = True
) -> np.ndarray:
    """Score of every candidate model on ``benchmark``, shape (draws, models), NaN where the
    candidate is not evaluated on it.

    A fitted model with a reported result on the benchmark (at no more than the criterion's
    test-time compute) keeps its best reported score: it is known, and replacing it with a
    predictive draw would let the maximum over many noisy draws run ahead of the observed
    frontier. A future release, or a fitted model released in the last ``PENDING_YEARS`` without
    a result yet, is evaluated with the probability that models of its capability were evaluated
    on the benchmark in the year before the data's date (``evaluation_profile``), at the effort of
    that year's frontier runs, and then gets a predictive draw including benchmark noise. Older
    fitted models without a result are not evaluated: the frontier is the best *measured* model,
    as the data record it."""
    inputs = M.inputs_from_idata(idata)
    b_index = {b: i for i, b in enumerate(inputs.benchmark_ids)}
    if benchmark not in b_index:
        raise ForecastError(f"benchmark '{benchmark}' has no results in the fit; it cannot be forecast")
    b = b_index[benchmark]
    rng = np.random.default_rng(seed)
    sub = sim.post
    config = M.config_from_idata(idata)
    as_of_t = float(_years([sim.as_of], config.ref_date)[0])
    theta_fit = stack(idata["posterior"].to_dataset(), "theta")
    ev = evaluation_profile(inputs, theta_fit.mean(axis=0), as_of_t, b, trend=config.evaluation_trend)
    dom = np.full(sim.theta.shape[1], inputs.bench_domain[b])
    effort = np.where(sim.reasoning, ev.effort_step, 0.0)
    effort[:, : sim.n_fitted] = 0.0  # fitted models keep their own reported settings
    shift = test_time_shift(sub, dom, sim.reasoning.astype(float), sim.log10_mult + extra_log10_mult, effort)
    th = sim.theta + shift + trend_draws(sub, len(inputs.benchmark_ids))[:, [b]] * sim.t_date
    # the benchmark's own wandering from its straight trend, for releases after the data's date
    th = th + drift_paths(sim.drift_sd, as_of_t, sim.t_date, rng)
    location, slope, phi, sigma = benchmark_params(sub, len(inputs.benchmark_ids), inputs.bench_unit)
    eta = slope[:, [b]] * (th - location[:, [b]])
    unit = inputs.bench_unit[b]
    if unit == 0:
        lo, hi = inputs.floor[b], ceiling_draws(sub, inputs)[:, [b]]
        shape = config.link_shape
        mu = lo + (hi - lo) / (1 + np.exp(-eta)) if shape == 1.0 else lo + (hi - lo) * fraction_link(eta, shape)
        mu = np.clip(mu, 1e-6, 1 - 1e-6)
        out = rng.beta(mu * phi[:, [b]], (1 - mu) * phi[:, [b]]) if noise else mu
    else:
        y = eta + (sigma[:, [b]] * rng.standard_normal(eta.shape) if noise else 0.0)
        y = y + inputs.y_center[b]
        out = y * 400.0 if unit == 1 else 2.0**y
    # who is evaluated: future releases and pending fitted models with the recent probability
    p = ev.prob(sim.theta, sim.t_release)
    pending = np.zeros(sim.theta.shape[1], dtype=bool)
    pending[: sim.n_fitted] = inputs.t_model > as_of_t - PENDING_YEARS
    pending[sim.n_fitted :] = True
    evaluated = pending[None, :] & (rng.uniform(size=out.shape) < p)
    seen = observed_best(inputs, b, extra_log10_mult)
    known = np.flatnonzero(np.isfinite(seen))
    evaluated[:, known] = True
    out = np.where(evaluated, out, np.nan)
    out[:, known] = seen[known]
    return out


def month_grid(start: pd.Timestamp, until: pd.Timestamp) -> pd.DatetimeIndex:
    return pd.date_range(start.normalize() + pd.offsets.MonthEnd(0), until, freq="ME")


def crossing_times(
    idata, threshold: Threshold, sim: FrontierSim, *, seed: int = 0, cache: dict | None = None
) -> np.ndarray:
    """Per draw, the release time (years since the reference date) of the first model that meets
    the threshold; +inf when none does within the simulation. ``cache``: a dict shared by calls
    on the same ``idata`` and ``sim``, which keeps the scores of each (benchmark, test-time
    multiplier, seed) for the next threshold that asks for them (the same draws, computed once:
    thresholds share benchmarks, 8 distinct score sets for the 32 criteria of the defaults)."""
    met = None
    for k, c in enumerate(threshold.criteria):
        key = (c.benchmark, float(np.log10(c.inference_multiplier)), seed + 7919 * (k + 1))
        if cache is not None and key in cache:
            s = cache[key]
        else:
            s = _scores(idata, sim, *key)
            if cache is not None:
                cache[key] = s
        ok = c.met(s)
        met = ok if met is None else (met & ok if threshold.combine == "all" else met | ok)
    t = np.where(met, sim.t_release, np.inf)
    return t.min(axis=1)


def _quantile_date(tc: np.ndarray, q: float, ref: pd.Timestamp) -> str | None:
    """The ``q`` quantile of crossing times (years since ``ref``) as a date; None past the
    simulation (no interpolation towards +inf)."""
    v = np.quantile(tc, q, method="inverted_cdf")
    return None if not np.isfinite(v) else (ref + pd.to_timedelta(v * 365.25, unit="D")).date().isoformat()


def threshold_forecast(
    idata,
    thresholds: list[Threshold],
    by: list[str] | None = None,
    *,
    scenario: str = "baseline",
    seed: int = 0,
    horizon_years: float = DEFAULT_HORIZON_YEARS,
    max_draws: int = 1000,
) -> dict:
    """P(crossed by each date), the median crossing date and its 80% interval, per threshold.
    Returns a JSON-ready dict (the shape of ``forecast predict --json``)."""
    config = M.config_from_idata(idata)
    sc = get_scenario(scenario)
    as_of, _ = data_as_of(idata)
    by_dates = (
        sorted(pd.Timestamp(d) for d in by)
        if by
        else [pd.Timestamp(f"{y}-12-31") for y in range(as_of.year, as_of.year + int(horizon_years) + 1)]
    )
    until = max(by_dates[-1], as_of + pd.DateOffset(years=int(horizon_years)))
    sim = simulate_frontier(idata, until, scenario=sc, seed=seed, max_draws=max_draws)
    ref = pd.Timestamp(config.ref_date)
    out = []
    lo_q, hi_q = (1 - CROSSING_INTERVAL) / 2, (1 + CROSSING_INTERVAL) / 2
    cache: dict = {}
    for th in thresholds:
        tc = crossing_times(idata, th, sim, seed=seed, cache=cache)
        already = float(np.mean(tc <= float(_years([as_of], config.ref_date)[0])))
        prob_by = {}
        for d in by_dates:
            td = float(_years([d], config.ref_date)[0])
            prob_by[d.date().isoformat()] = float(np.mean(tc <= td))

        out.append(
            {
                "id": th.id,
                "framework": th.framework,
                "level": th.level,
                "rule": th.rule,
                "prob_by": prob_by,
                "prob_already": already,
                "median_crossing": _quantile_date(tc, 0.5, ref),
                "crossing_interval_80": [_quantile_date(tc, lo_q, ref), _quantile_date(tc, hi_q, ref)],
                "source_url": th.source_url,
                "_crossing_years": tc,
            }
        )
    return {
        "as_of": as_of.date().isoformat(),
        "scenario": sc.name,
        "scenario_description": sc.description,
        "until": until.date().isoformat(),
        "n_draws": int(sim.theta.shape[0]),
        "thresholds": out,
    }


def frontier_quantiles(
    idata,
    benchmarks: list[str],
    dates: list[pd.Timestamp],
    *,
    scenario: str = "baseline",
    seed: int = 0,
    max_draws: int = 1000,
    qs=(0.05, 0.1, 0.5, 0.9, 0.95),
) -> pd.DataFrame:
    """Quantiles of the best predictive score among models released by each date, per benchmark."""
    samples = frontier_samples(idata, benchmarks, dates, scenario=scenario, seed=seed, max_draws=max_draws)
    rows = []
    for b in benchmarks:
        for d, best in zip(dates, samples[b]):
            qv = np.quantile(best, qs)
            rows.append({"benchmark": b, "date": d.date().isoformat(), **{f"q{q:g}": float(v) for q, v in zip(qs, qv)}})
    return pd.DataFrame(rows)


def _best(scores: np.ndarray, released: np.ndarray) -> np.ndarray:
    """Per draw, the best score among evaluated candidates released (NaN where none is)."""
    s = np.where(released & np.isfinite(scores), scores, -np.inf).max(axis=1)
    return np.where(np.isfinite(s), s, np.nan)


def frontier_samples(
    idata,
    benchmarks: list[str],
    dates: list[pd.Timestamp],
    *,
    scenario: str = "baseline",
    seed: int = 0,
    max_draws: int = 1000,
) -> dict[str, np.ndarray]:
    """Per benchmark, draws of the frontier (the best score among models released by each date),
    shape (len(dates), draws): what ``frontier_quantiles`` summarises and the frontier backtest
    scores."""
    sc = get_scenario(scenario)
    sim = simulate_frontier(idata, max(dates), scenario=sc, seed=seed, max_draws=max_draws)
    config = M.config_from_idata(idata)
    out = {}
    for k, b in enumerate(benchmarks):
        s = _scores(idata, sim, b, 0.0, seed + 104729 * (k + 1))
        out[b] = np.array([_best(s, sim.t_release <= float(_years([d], config.ref_date)[0])) for d in dates])
    return out
