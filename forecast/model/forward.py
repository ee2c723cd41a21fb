"""The numpy forward model: from posterior draws to capabilities, expected scores, predictive
draws and pointwise log-likelihoods, without compiling anything. Shared by the fit's
log-likelihood, prediction, forecasting, updates and attribution.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import expit, gammaln

from ..errors import ForecastError
from .config import ModelConfig
from .inputs import (
    ModelInputs,
    config_from_idata,
    effort_steps,
    inputs_from_idata,
    knot_years,
    reasoning_indicator,
    years_since,
)


def fraction_link(eta, shape: float = 1.0):
    """The share of a fraction benchmark's span from floor to ceiling that linear predictor
    ``eta`` reaches: ``sigmoid(eta) ** shape`` (``ModelConfig.link_shape``; 1: the logistic)."""
    s = expit(eta)
    return s if shape == 1.0 else s**shape


def date_term(beta_t, beta_t_recent, knot: float | None, t):
    """``beta_t * t + beta_t_recent * max(t - knot, 0)`` on arrays the caller has aligned (the
    recent term is left out when ``beta_t_recent`` or ``knot`` is None)."""
    out = beta_t * t
    if beta_t_recent is not None and knot is not None:
        out = out + beta_t_recent * np.maximum(t - knot, 0.0)
    return out


def date_effect(post: xr.Dataset, config: ModelConfig, t) -> np.ndarray | float:
    """Capability from the date term (algorithmic progress at fixed compute) per posterior draw:
    ``beta_t * t + beta_t_recent * max(t - knot, 0)``; ``t`` in years since the reference date,
    any shape (broadcast against draws on a new leading axis). 0 for variants without a date term."""
    if "beta_t" not in post:
        return 0.0
    t = np.asarray(t, dtype=float)
    shape = (-1,) + (1,) * t.ndim
    recent = stack(post, "beta_t_recent")
    return date_term(
        stack(post, "beta_t").reshape(shape), None if recent is None else recent.reshape(shape), knot_years(config), t
    )


def phi_eff(phi: np.ndarray, n_items: np.ndarray, use_n: bool):
    """Beta precision: benchmark-level mismatch (1/phi) plus binomial item sampling (1/n)."""
    if not use_n:
        return phi
    inv_n = np.where(np.isfinite(n_items), 1.0 / np.where(np.isfinite(n_items), n_items, 1.0), 0.0)
    return 1.0 / (1.0 / phi + inv_n)


def stack(post: xr.Dataset, name: str) -> np.ndarray | None:
    """Posterior variable as (n_draws, ...) numpy array, chains stacked."""
    if name not in post:
        return None
    da = post[name]
    other = [d for d in da.dims if d not in ("chain", "draw")]
    return da.transpose("chain", "draw", *other).values.reshape((-1,) + tuple(da.sizes[d] for d in other))


def select_draws(post: xr.Dataset, idx) -> xr.Dataset:
    """The posterior draws at flat indices ``idx`` (chains stacked), as one chain."""
    sub = post.stack(sample=("chain", "draw")).isel(sample=idx).drop_vars(["sample", "chain", "draw"])
    sub = sub.rename({"sample": "draw"}).assign_coords(draw=np.arange(len(idx))).expand_dims(chain=[0])
    return sub.transpose("chain", "draw", ...)


def benchmark_params(post: xr.Dataset, n_bench: int, bench_unit: np.ndarray):
    """(location, slope, phi, sigma) arrays of shape (draws, n_bench)."""
    location = stack(post, "location")
    slope = stack(post, "slope")
    n = location.shape[0]
    phi = np.ones((n, n_bench))
    sigma = np.ones((n, n_bench))
    frac_b = np.flatnonzero(bench_unit == 0)
    cont_b = np.flatnonzero(bench_unit != 0)
    if len(frac_b) and "log_phi" in post:
        phi[:, frac_b] = np.exp(stack(post, "log_phi"))
    if len(cont_b) and "sigma_continuous" in post:
        sigma[:, cont_b] = stack(post, "sigma_continuous")
    return location, slope, phi, sigma


def ceiling_draws(post: xr.Dataset, inputs: ModelInputs) -> np.ndarray:
    """Each benchmark's ceiling per draw, shape (draws, n_bench): the registry ceiling less the
    learnt gap on fraction benchmarks (``learn_ceiling``); the registry ceiling in fits without it."""
    n = post.sizes["chain"] * post.sizes["draw"]
    out = np.broadcast_to(inputs.ceiling, (n, len(inputs.ceiling))).copy()
    gap = stack(post, "ceiling_gap")
    if gap is not None:
        frac_b = np.flatnonzero(inputs.bench_unit == 0)
        out[:, frac_b] = inputs.ceiling[frac_b] - (inputs.ceiling - inputs.floor)[frac_b] * gap
    return out


def trend_draws(post: xr.Dataset, n_bench: int) -> np.ndarray:
    """Each benchmark's own progress per year of release date, shape (draws, n_bench); zeros in
    fits without it."""
    trend = stack(post, "benchmark_trend")
    if trend is None:
        return np.zeros((post.sizes["chain"] * post.sizes["draw"], n_bench))
    return trend


def test_time_shift(post: xr.Dataset, domain_idx, reasoning, log10_mult, effort_step) -> np.ndarray | float:
    if "rho_domain" not in post:
        return 0.0
    rho_d = stack(post, "rho_domain")
    gamma_d = stack(post, "gamma_domain")
    delta = stack(post, "delta_eff")[:, None]
    return rho_d[:, domain_idx] * reasoning + gamma_d[:, domain_idx] * (log10_mult + delta * effort_step)


def expected_and_loglik(eta, unit, floor, ceiling, y, phi, sigma, shape: float = 1.0):
    """Expected target and pointwise log density for the per-observation linear predictor
    (``shape``: the link's, ``fraction_link``)."""
    mu = np.empty_like(eta)
    ll = np.empty_like(eta)
    fr = unit == 0
    if fr.any():
        m = floor[fr] + (ceiling[..., fr] - floor[fr]) * fraction_link(eta[:, fr], shape)
        m = np.clip(m, 1e-6, 1 - 1e-6)
        mu[:, fr] = m
        if y is not None:
            a, b = m * phi[:, fr], (1 - m) * phi[:, fr]
            yy = y[fr]
            ll[:, fr] = (a - 1) * np.log(yy) + (b - 1) * np.log1p(-yy) + gammaln(a + b) - gammaln(a) - gammaln(b)
    co = ~fr
    if co.any():
        mu[:, co] = eta[:, co]
        if y is not None:
            s = sigma[:, co]
            ll[:, co] = -0.5 * ((y[co] - eta[:, co]) / s) ** 2 - np.log(s) - 0.5 * np.log(2 * np.pi)
    return mu, ll


def pointwise_loglik(post: xr.Dataset, inputs: ModelInputs, config: ModelConfig) -> np.ndarray:
    """Log density of every observation at every posterior draw, shape (draws, n_obs)."""
    theta = stack(post, "theta")
    location, slope, phi_b, sigma_b = benchmark_params(post, len(inputs.benchmark_ids), inputs.bench_unit)
    b = inputs.obs_bench
    theta_obs = theta[:, inputs.obs_model] + test_time_shift(
        post, inputs.bench_domain[b], inputs.reasoning_obs, inputs.log10_mult, inputs.effort_step
    )
    theta_obs = theta_obs + trend_draws(post, len(inputs.benchmark_ids))[:, b] * inputs.t_model[inputs.obs_model]
    eta = slope[:, b] * (theta_obs - location[:, b])
    phi = phi_eff(phi_b[:, b], inputs.n_items[b], config.use_n_items)
    ceiling = ceiling_draws(post, inputs)[:, b]
    _, ll = expected_and_loglik(
        eta, inputs.bench_unit[b], inputs.floor[b], ceiling, inputs.y, phi, sigma_b[:, b], config.link_shape
    )
    return ll


def pointwise_loglik_threaded(
    post: xr.Dataset, inputs: ModelInputs, config: ModelConfig, workers: int | None = None
) -> np.ndarray:
    """``pointwise_loglik`` over blocks of draws on ``workers`` threads (numpy and scipy's
    ufuncs release the GIL on arrays this size): the same array, in (chain, draw) order."""
    from concurrent.futures import ThreadPoolExecutor

    nc, nd = post.sizes["chain"], post.sizes["draw"]
    workers = max(1, min(workers or os.cpu_count() or 1, nd))
    if workers == 1:
        return pointwise_loglik(post, inputs, config)
    edges = np.linspace(0, nd, workers + 1).astype(int)
    blocks = [post.isel(draw=slice(a, b)) for a, b in zip(edges[:-1], edges[1:])]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(lambda p: pointwise_loglik(p, inputs, config).reshape(nc, p.sizes["draw"], -1), blocks))
    return np.concatenate(parts, axis=1).reshape(nc * nd, -1)


def draw_log10_compute(
    post: xr.Dataset, inputs: ModelInputs, config: ModelConfig, rng: np.random.Generator
) -> np.ndarray:
    """log10 training compute per draw (draws, n_models): observed where known; for the others a
    draw from its conditional posterior given the draw's capability (Gaussian conditioning of the
    analytically integrated latent, see ``build_model``)."""
    theta = stack(post, "theta")
    n = theta.shape[0]
    out = np.broadcast_to(inputs.log10c_obs, (n, inputs.n_models)).copy()
    sd = np.where(inputs.c_known, inputs.log10c_sd, np.inf)
    miss = sd > 0  # unknown compute, or known only within Epoch's bounds
    if not miss.any():
        return out
    beta_c, s_c, sig = (stack(post, k)[:, None] for k in ("beta_c", "s_c", "sigma_model"))
    t = inputs.t_model[miss]
    trend = stack(post, "mu_c0")[:, None] + stack(post, "g_c")[:, None] * t
    # C given the measurement (none: the trend), Normal(prior_mean, prior_var), as in build_model
    w = np.where(np.isfinite(sd[miss]), s_c**2 / (s_c**2 + np.where(np.isfinite(sd[miss]), sd[miss], 0.0) ** 2), 0.0)
    prior_mean = trend + w * (np.nan_to_num(inputs.log10c_obs[miss]) - trend)
    prior_var = s_c**2 * (1 - w)
    mean = stack(post, "alpha")[:, None] + beta_c * (prior_mean - config.c_ref)
    mean = mean + date_effect(post, config, t)
    r = theta[:, miss] - mean  # = beta_c * (C - prior_mean) + sigma_model * z_m
    v = beta_c**2 * prior_var + sig**2
    cond_mean = r * beta_c * prior_var / v
    cond_sd = np.sqrt(prior_var * sig**2 / v)
    out[:, miss] = prior_mean + cond_mean + cond_sd * rng.standard_normal(r.shape)
    return out


def model_theta_draws(
    post: xr.Dataset, inputs: ModelInputs, config: ModelConfig, models: pd.DataFrame, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Capability draws (draws, n_models_requested) and log10 compute draws for the models in
    ``models`` (columns model, release_date, train_flop, reasoning). Models in the fit use their
    posterior; others get eps and unknown compute from the conditional prior per draw."""
    theta_fit = stack(post, "theta")
    n = theta_fit.shape[0]
    idx = {m: i for i, m in enumerate(inputs.model_ids)}
    out = np.empty((n, len(models)))
    logc = np.full((n, len(models)), np.nan)
    lc_fit = stack(post, "log10_compute")
    t_new = years_since(models["release_date"], config.ref_date) if "release_date" in models else None
    for j, (_, r) in enumerate(models.iterrows()):
        m = str(r["model"])
        if m in idx:
            out[:, j] = theta_fit[:, idx[m]]
            if lc_fit is not None:
                logc[:, j] = lc_fit[:, idx[m]]
            continue
        if t_new is None or not np.isfinite(t_new[j]):
            raise ForecastError(f"model '{m}' is not in the fit: give its release_date")
        th = stack(post, "alpha") + stack(post, "sigma_model") * rng.standard_normal(n)
        if config.has_compute:
            flop = pd.to_numeric(pd.Series([r.get("train_flop", np.nan)]), errors="coerce").iloc[0]
            if np.isfinite(flop) and flop > 0:
                lc = np.full(n, np.log10(flop))
            else:
                lc = stack(post, "mu_c0") + stack(post, "g_c") * t_new[j] + stack(post, "s_c") * rng.standard_normal(n)
            logc[:, j] = lc
            th = th + stack(post, "beta_c") * (lc - config.c_ref)
        if config.has_date:
            th = th + date_effect(post, config, t_new[j])
        out[:, j] = th
    return out, logc


def predict_scores(
    idata,
    rows: pd.DataFrame,
    models: pd.DataFrame | None = None,
    *,
    seed: int = 0,
    noise: bool = True,
    future_after: str | pd.Timestamp | None = None,
) -> xr.Dataset:
    """Posterior (predictive) scores for rows of (model, benchmark[, inference_multiplier, effort]).

    ``models`` (columns model, release_date, train_flop, reasoning) describes models that are not
    in the fit (train_flop may be NaN); models in the fit use their posterior capability. Returns
    a Dataset over (chain, draw, row) with ``theta`` (capability incl. test-time terms),
    ``expected`` (mean score in the benchmark's unit) and, if ``noise``, ``score`` (a predictive
    draw including benchmark noise). Fractions are in [0, 1], Elo in Elo, horizons in minutes.

    ``future_after`` (the data's date): rows of models released after it also carry what the fit
    cannot know about the future (``forecast.model.drift.future_shift``: a new change of the date
    trend's slope and each benchmark's random walk about its trend), as the frontier simulation
    does. Without it, a model's capability is the fitted trend's.
    """
    inputs = inputs_from_idata(idata)
    config = config_from_idata(idata)
    post = idata["posterior"].to_dataset()
    rng = np.random.default_rng(seed)
    rows = rows.reset_index(drop=True).copy()
    if "inference_multiplier" not in rows:
        rows["inference_multiplier"] = 1.0
    if "effort" not in rows:
        rows["effort"] = ""
    b_index = {b: i for i, b in enumerate(inputs.benchmark_ids)}
    bad = sorted(set(rows["benchmark"]) - set(b_index))
    if bad:
        raise ForecastError(f"benchmark(s) not in the fit: {', '.join(map(str, bad[:5]))}")
    # model table: fitted models plus given ones (given ones override nothing already fitted)
    fitted = pd.DataFrame({"model": inputs.model_ids, "reasoning": inputs.reasoning_model})
    meta = (
        fitted
        if models is None
        else pd.concat([fitted, models[~models["model"].isin(inputs.model_ids)]], ignore_index=True)
    )
    uniq = pd.Index(rows["model"].astype(str).unique())
    unknown = sorted(set(uniq) - set(meta["model"].astype(str)))
    if unknown:
        raise ForecastError(f"model(s) neither in the fit nor in `models`: {', '.join(unknown[:5])}")
    meta = meta.set_index(meta["model"].astype(str)).loc[uniq].reset_index(drop=True)
    # release time of each model, for the benchmark trends (fitted models: their fitted time)
    t_of = dict(zip(inputs.model_ids, inputs.t_model))
    if models is not None and "release_date" in models:
        extra = models[~models["model"].astype(str).isin(t_of)]
        t_of.update(zip(extra["model"].astype(str), years_since(extra["release_date"], config.ref_date)))
    theta_m, _ = model_theta_draws(post, inputs, config, meta, rng)
    col = {m: i for i, m in enumerate(uniq)}
    mi = rows["model"].astype(str).map(col).to_numpy()
    bi = rows["benchmark"].map(b_index).to_numpy()
    reasons = meta["reasoning"].astype(bool).to_numpy()[mi]
    mult = pd.to_numeric(rows["inference_multiplier"], errors="coerce").fillna(1.0).to_numpy(dtype=float).copy()
    steps = effort_steps(rows["effort"])
    r_obs = reasoning_indicator(reasons, rows["effort"])
    theta_obs = theta_m[:, mi] + test_time_shift(post, inputs.bench_domain[bi], r_obs, np.log10(mult), steps)
    location, slope, phi_b, sigma_b = benchmark_params(post, len(inputs.benchmark_ids), inputs.bench_unit)
    t_rows = np.array([t_of[m] for m in rows["model"].astype(str)], dtype=float)
    theta_obs = theta_obs + trend_draws(post, len(inputs.benchmark_ids))[:, bi] * t_rows
    if future_after is not None and config.future_uncertainty:
        from .drift import benchmark_drift, future_shift

        as_of_t = float(years_since([pd.Timestamp(future_after)], config.ref_date)[0])
        theta_obs = theta_obs + future_shift(post, config, benchmark_drift(idata), as_of_t, t_rows, bi, rng)
    eta = slope[:, bi] * (theta_obs - location[:, bi])
    unit = inputs.bench_unit[bi]
    mu, _ = expected_and_loglik(
        eta, unit, inputs.floor[bi], ceiling_draws(post, inputs)[:, bi], None, None, None, config.link_shape
    )
    nc, nd = post.sizes["chain"], post.sizes["draw"]
    center = inputs.y_center[bi]

    def to_unit(v):
        out = v.copy()
        out[:, unit == 1] = (v[:, unit == 1] + center[unit == 1]) * 400.0
        out[:, unit == 2] = 2.0 ** (v[:, unit == 2] + center[unit == 2])
        return out

    data = {"theta": theta_obs, "expected": to_unit(mu)}
    if noise:
        draw = mu.copy()
        fr = unit == 0
        if fr.any():
            phi = phi_eff(phi_b[:, bi][:, fr], inputs.n_items[bi][fr], config.use_n_items)
            draw[:, fr] = rng.beta(mu[:, fr] * phi, (1 - mu[:, fr]) * phi)
        if (~fr).any():
            draw[:, ~fr] = mu[:, ~fr] + sigma_b[:, bi][:, ~fr] * rng.standard_normal(mu[:, ~fr].shape)
        data["score"] = to_unit(draw)
    coords = {
        "chain": post["chain"].values,
        "draw": post["draw"].values,
        "row": np.arange(len(rows)),
        "model": ("row", rows["model"].astype(str).to_numpy()),
        "benchmark": ("row", rows["benchmark"].astype(str).to_numpy()),
    }
    return xr.Dataset({k: (("chain", "draw", "row"), v.reshape(nc, nd, -1)) for k, v in data.items()}, coords=coords)
