"""The PyMC model: the only module that imports PyMC.

One latent capability per model, driven by training compute, date (algorithmic progress) and
test-time compute, linked to every benchmark by its own sigmoid (fractions, with floor and
ceiling) or line (Elo, log2 minutes). Equations, priors and their sources: docs/methodology.md.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from scipy.special import expit

from ..errors import ForecastError
from .config import ModelConfig
from .inputs import ModelInputs, knot_years


def _coords(inputs: ModelInputs) -> dict[str, list]:
    frac = inputs.bench_unit == 0
    return {
        "model": inputs.model_ids,
        "benchmark": inputs.benchmark_ids,
        "domain": inputs.domains,
        "obs": inputs.obs_ids,
        "benchmark_fraction": [b for b, f in zip(inputs.benchmark_ids, frac) if f],
        "benchmark_continuous": [b for b, f in zip(inputs.benchmark_ids, frac) if not f],
    }


def _fast_gammaln(x):
    """log Gamma(x) for x > 0 as plain elementwise arithmetic (shift by 6, then Stirling's series;
    absolute error < 1e-8). PyTensor fuses it, and its gradient, into one loop: about 4x cheaper
    than the special function and its digamma gradient, which dominated the cost of a gradient."""
    import pytensor.tensor as pt

    z = x + 6.0
    shift = pt.log(x * (x + 1.0) * (x + 2.0) * (x + 3.0) * (x + 4.0) * (x + 5.0))
    iz = 1.0 / z
    iz2 = iz * iz
    series = iz * (1.0 / 12 - iz2 * (1.0 / 360 - iz2 * (1.0 / 1260 - iz2 / 1680)))
    return (z - 0.5) * pt.log(z) - z + 0.5 * np.log(2 * np.pi) + series - shift


def _beta_logp(value, eta, lo, span, phi, lgam_phi, log_y, log1m_y, shape: float = 1.0):
    """Log density of a fraction observation: Beta with mean floor + span * sigmoid(eta) ** shape
    and precision phi. ``log_y`` and ``log1m_y`` are log(y), log(1-y) of the observed fractions,
    passed as data so they are not recomputed at every gradient."""
    import pytensor.tensor as pt

    link = pt.sigmoid(eta) if shape == 1.0 else pt.sigmoid(eta) ** shape
    mu = pt.clip(lo + span * link, 1e-6, 1 - 1e-6)
    a = mu * phi
    b = (1 - mu) * phi
    return (a - 1) * log_y + (b - 1) * log1m_y + lgam_phi - _fast_gammaln(a) - _fast_gammaln(b)


def _beta_random(eta, lo, span, phi, lgam_phi, log_y, log1m_y, rng=None, size=None, shape: float = 1.0):
    eta, lo, span, phi = np.broadcast_arrays(eta, lo, span, phi)
    if size is not None:
        eta, lo, span, phi = (np.broadcast_to(v, size) for v in (eta, lo, span, phi))
    mu = np.clip(lo + span * expit(eta) ** shape, 1e-6, 1 - 1e-6)
    return rng.beta(mu * phi, (1 - mu) * phi)


def _ceiling_span(inputs: ModelInputs, config: ModelConfig, frac_b, cont_b, span, perm):
    """Per benchmark, the span from floor to the learnt ceiling (1 for continuous benchmarks):
    the registry span less a gap, a share of it with a logit-normal prior centred on the audit
    where there is one and on a mean learnt across benchmarks elsewhere (non-centred). Only
    benchmarks with an audit, or whose best result has come within ``ceiling_learn_from`` of
    the span, learn a gap: on a benchmark far from its ceiling the gap is not identified, and a
    learnt one scales down the whole curve (measured: it cost the per-result backtest 0.005 of
    CRPS and ten points of 80% coverage, on the benchmarks still climbing). The masks and the
    prior centres are data, so a refit on other data compiles to the same graph."""
    import pymc as pm
    import pytensor.tensor as pt
    from scipy.special import logit

    audit = inputs.unreachable[frac_b] / span[frac_b]
    has = np.isfinite(audit)
    best = np.full(len(inputs.benchmark_ids), -np.inf)
    np.maximum.at(best, inputs.obs_bench, inputs.score)
    near = (best[frac_b] - inputs.floor[frac_b]) / span[frac_b] >= config.ceiling_learn_from
    z = pm.Normal("ceiling_gap_z", 0.0, 1.0, dims="benchmark_fraction")
    audit_logit = logit(np.clip(np.nan_to_num(audit, nan=0.5), 1e-4, 0.5))
    has_d = pm.Data("ceiling_audited", has.astype(float), dims="benchmark_fraction")
    centre = has_d * pm.Data("ceiling_audit_logit", audit_logit, dims="benchmark_fraction")
    mean = _standardised("ceiling_gap_mean", float(logit(config.ceiling_gap_share)), config.ceiling_gap_mean_sd)
    centre = centre + (1.0 - has_d) * mean
    sd = has_d * config.ceiling_audit_logit_sd + (1.0 - has_d) * config.ceiling_gap_logit_sd
    learn = pm.Data("ceiling_learnt", (has | near).astype(float), dims="benchmark_fraction")
    gap = pm.Deterministic("ceiling_gap", learn * pt.sigmoid(centre + sd * z), dims="benchmark_fraction")
    span_frac = span[frac_b] * (1.0 - gap)
    if len(cont_b):
        return pt.concatenate([span_frac, pt.ones(len(cont_b))])[perm]
    return span_frac


def _standardised(name: str, mu: float, sd: float, dims=None):
    """``Normal(mu, sd)`` written as ``mu + sd * z`` with a free ``{name}_z ~ N(0, 1)``. Same
    model; but nutpie starts chains near zero in the unconstrained space, and a chain started
    at mu_c0 = 0 (prior mean 25) got stuck with a 1e-5 step size. This puts zero at the prior mean."""
    import pymc as pm

    z = pm.Normal(f"{name}_z", 0.0, 1.0, dims=dims)
    return pm.Deterministic(name, mu + sd * z, dims=dims)


#: The model axis of the sampled graph is padded to a multiple of this (see build_model).
MODEL_SLOT_BLOCK = 64


def model_slots(n_models: int) -> int:
    """Slots for ``n_models`` models: the next multiple of ``MODEL_SLOT_BLOCK``."""
    return max(1, -(-int(n_models) // MODEL_SLOT_BLOCK)) * MODEL_SLOT_BLOCK


def build_model(inputs: ModelInputs, config: ModelConfig | None = None):
    """The PyMC model.

    Benchmark-level parameters are centred (each benchmark has many observations); model-level
    deviations are non-centred. Unknown training compute is integrated out analytically: for a
    model without known compute, ``theta = alpha + beta_c (trend_c(t) - c_ref) + beta_t t + tau z`` with
    ``tau**2 = sigma_model**2 + beta_c**2 s_c**2`` is exactly the marginal of the two Gaussian
    latents; ``finalize_idata`` then draws that model's compute from its conditional posterior.
    This removes one latent per model and the ridge between compute and model deviation.
    Fraction observations are the observed variable ``y``, the others ``y_continuous``.
    """
    import pymc as pm
    import pytensor.tensor as pt

    config = config or ModelConfig()
    coords = _coords(inputs)
    n_b = len(inputs.benchmark_ids)
    frac_b = np.flatnonzero(inputs.bench_unit == 0)
    cont_b = np.flatnonzero(inputs.bench_unit != 0)
    if len(frac_b) == 0:
        raise ForecastError("the model needs at least one fraction benchmark to pin the capability scale")
    # position of each benchmark in concatenate([fraction params, continuous params])
    perm = np.empty(n_b, dtype=int)
    perm[frac_b] = np.arange(len(frac_b))
    perm[cont_b] = len(frac_b) + np.arange(len(cont_b))
    n_m = inputs.n_models
    pad = model_slots(n_m) - n_m
    known = np.concatenate([inputs.c_known.astype(float), np.zeros(pad)])
    c_filled = np.concatenate([np.where(inputs.c_known, inputs.log10c_obs, 0.0), np.zeros(pad)])
    c_sd = np.concatenate([np.where(inputs.c_known, inputs.log10c_sd, 0.0), np.zeros(pad)])
    t_padded = np.concatenate([inputs.t_model, np.zeros(pad)])
    inv_n = np.where(np.isfinite(inputs.n_items), 1.0 / np.nan_to_num(inputs.n_items, nan=1.0), 0.0)
    if not config.use_n_items:
        inv_n = np.zeros(n_b)
    span = inputs.ceiling - inputs.floor
    # fraction and continuous observations are two likelihood terms (see the end of the model)
    obs_sets = [("", np.flatnonzero(inputs.obs_unit == 0)), ("_continuous", np.flatnonzero(inputs.obs_unit != 0))]
    coords = {**coords, "model_slot": [*inputs.model_ids, *(f"_slot{i}" for i in range(pad))]}

    with pm.Model(coords=coords, check_bounds=False) as model:
        # Every data array is pm.Data (an input of the compiled function, not a constant in it)
        # and the model axis is padded to ``model_slots`` entries: refits on other or grown data
        # then compile to the same graph, which forecast.sampler loads from its disk cache.
        # Padding slots have no results and unknown compute: their z_model is prior-only.
        t_model = pm.Data("t_model", t_padded)

        # ---- latent capability -------------------------------------------------------
        sigma_m = pm.HalfNormal("sigma_model", config.sigma_model_sd)
        alpha = pm.Normal("alpha", 0.0, config.alpha_sd)
        theta_mean = alpha * pt.ones_like(t_model)
        tau2 = pt.sqr(sigma_m) * pt.ones_like(t_model)
        if config.has_compute:
            mu_c0 = _standardised("mu_c0", config.mu_c0_mu, config.mu_c0_sd)
            g_c = _standardised("g_c", config.g_c_mu, config.g_c_sd)
            s_c = pm.HalfNormal("s_c", config.s_c_sd)
            trend_c = mu_c0 + g_c * t_model
            known = pm.Data("compute_known", known)
            c_filled = pm.Data("log10_compute_filled", c_filled)
            c_sd = pm.Data("log10_compute_sd", c_sd)
            # A model's log10 compute C ~ Normal(trend_c(t), s_c); Epoch measures it as c_filled
            # with sd c_sd (0: a point estimate; from Epoch's bounds otherwise). The measurement's
            # marginal density Normal(c_filled | trend_c, sqrt(s_c^2 + c_sd^2)) enters once per
            # measured model, and C given it, Normal(c_eff, post_var), is integrated out of theta.
            v = pt.sqr(s_c) + pt.sqr(c_sd)
            pm.Potential(
                "log10_compute_obs",
                pt.sum(known * (-0.5 * pt.sqr(c_filled - trend_c) / v - 0.5 * pt.log(v) - 0.5 * np.log(2 * np.pi))),
            )
            beta_c = _standardised("beta_c", config.beta_c_mu, config.beta_c_sd)
            w = known * pt.sqr(s_c) / v  # 1 for a point estimate, 0 for unknown compute
            c_eff = trend_c + w * (c_filled - trend_c)
            theta_mean = theta_mean + beta_c * (c_eff - config.c_ref)
            tau2 = tau2 + (1 - w) * pt.sqr(beta_c * s_c)
        if config.has_date:
            beta_t = _standardised("beta_t", config.beta_t_mu, config.beta_t_sd)
            theta_mean = theta_mean + beta_t * t_model
            k = knot_years(config)
            if k is not None:
                beta_t_recent = pm.Normal("beta_t_recent", 0.0, config.beta_t_recent_sd)
                theta_mean = theta_mean + beta_t_recent * pt.maximum(t_model - k, 0.0)
        z_m = pm.Normal("z_model", 0.0, 1.0, dims="model_slot")
        theta_slots = theta_mean + pt.sqrt(tau2) * z_m
        pm.Deterministic("theta", theta_slots[:n_m], dims="model")  # not in the log density

        # ---- test-time compute (applied per observation below) ----------------------------
        if config.has_test_time:
            rho = _standardised("rho", config.rho_mu, config.rho_sd)
            rho_sd = pm.HalfNormal("rho_domain_sd", config.rho_domain_sd)
            # Centred when most domains have reasoning results, so that rho_domain_sd is identified
            # (the bundled data: the non-centred form left a slow direction, R-hat 1.02);
            # non-centred otherwise (before o1 no model reasoned: the centred form is then a
            # funnel, 1300 divergences on the data as of 2024-09-11).
            n_reason = np.bincount(
                inputs.bench_domain[inputs.obs_bench][inputs.reasoning_obs > 0], minlength=len(inputs.domains)
            )
            if (n_reason >= config.centre_min_results).sum() >= max(2, len(n_reason) / 2):
                rho_d = pm.Normal("rho_domain", rho, rho_sd, dims="domain")
            else:
                z_rho = pm.Normal("rho_domain_z", 0.0, 1.0, dims="domain")
                rho_d = pm.Deterministic("rho_domain", rho + rho_sd * z_rho, dims="domain")
            log_gamma = _standardised("log_gamma", config.log_gamma_mu, config.log_gamma_sd)
            gamma_sd = pm.HalfNormal("gamma_domain_sd", config.gamma_domain_sd)
            z_gamma = pm.Normal("z_gamma", 0.0, 1.0, dims="domain")
            gamma_d = pm.Deterministic("gamma_domain", pt.exp(log_gamma + gamma_sd * z_gamma), dims="domain")
            delta = pm.LogNormal("delta_eff", np.log(config.delta_eff_median), config.delta_eff_log_sd)

        # ---- benchmark links -----------------------------------------------------------
        loc_frac = pm.ZeroSumNormal("location_fraction", sigma=config.location_sd, dims="benchmark_fraction")
        ls_frac = pm.ZeroSumNormal("log_slope_fraction", sigma=config.log_slope_fraction_sd, dims="benchmark_fraction")
        log_phi = _standardised("log_phi", config.log_phi_mu, config.log_phi_sd, dims="benchmark_fraction")
        if len(cont_b):
            ls_cont = _standardised(
                "log_slope_continuous",
                config.log_slope_continuous_mu,
                config.log_slope_continuous_sd,
                dims="benchmark_continuous",
            )
            # zero-avoiding: with two Codeforces results (the data as of 2024-09-11) a HalfNormal
            # let sigma -> 0 with the line through both points, a funnel (244 divergences)
            sigma_c = pm.LogNormal(
                "sigma_continuous",
                np.log(config.sigma_continuous_median),
                config.sigma_continuous_log_sd,
                dims="benchmark_continuous",
            )
            loc_cont = pm.Normal("location_continuous", 0.0, config.location_sd, dims="benchmark_continuous")
            perm = pm.Data("bench_order", perm)
            location = pt.concatenate([loc_frac, loc_cont])[perm]
            log_slope = pt.concatenate([ls_frac, ls_cont])[perm]
            phi_b = pt.concatenate([pt.exp(log_phi), pt.ones_like(sigma_c)])[perm]
            sigma_b = pt.concatenate([pt.ones_like(log_phi), sigma_c])[perm]
        else:
            location, log_slope, phi_b, sigma_b = loc_frac, ls_frac, pt.exp(log_phi), pt.ones(n_b)
        # ---- ceilings and benchmark-specific progress ------------------------------------------
        span_b = pt.as_tensor_variable(span)
        if config.learn_ceiling:
            span_b = _ceiling_span(inputs, config, frac_b, cont_b, span, perm)
        trend_b = None
        if config.benchmark_trend_sd > 0 and config.has_date:
            trend_b = pm.ZeroSumNormal("benchmark_trend", sigma=config.benchmark_trend_sd, dims="benchmark")
        location = pm.Deterministic("location", location, dims="benchmark")
        slope = pm.Deterministic("slope", pt.exp(log_slope), dims="benchmark")
        phi_b = 1.0 / (1.0 / phi_b + pm.Data("inv_n_items", inv_n))  # item sampling noise on top of benchmark mismatch
        lgam_phi = pt.gammaln(phi_b)

        # ---- likelihood --------------------------------------------------------------------
        # Fractions (Beta) and centred Elo/400 or log2-minutes targets (Normal) are two observed
        # variables, each over its own observations (``y`` and ``y_continuous``). One variable
        # with a switch evaluated both densities at every observation: the Normal's share was a
        # fifth of a gradient, for 53 of 1607 observations.
        for suffix, sel in obs_sets:
            if not len(sel):
                continue
            b = inputs.obs_bench[sel]
            ob = pm.Data(f"obs_bench{suffix}", b)
            theta_obs = theta_slots[pm.Data(f"obs_model{suffix}", inputs.obs_model[sel])]
            if config.has_test_time:
                dom = pm.Data(f"obs_domain{suffix}", inputs.bench_domain[b])
                theta_obs = (
                    theta_obs
                    + rho_d[dom] * pm.Data(f"reasoning_obs{suffix}", inputs.reasoning_obs[sel])
                    + gamma_d[dom]
                    * (
                        pm.Data(f"log10_mult{suffix}", inputs.log10_mult[sel])
                        + delta * pm.Data(f"effort_step{suffix}", inputs.effort_step[sel])
                    )
                )
            if trend_b is not None:
                theta_obs = theta_obs + trend_b[ob] * t_model[pm.Data(f"obs_model_t{suffix}", inputs.obs_model[sel])]
            eta = slope[ob] * (theta_obs - location[ob])
            y = pm.Data(f"y_obs{suffix}", inputs.y[sel])
            if suffix:
                pm.Normal("y_continuous", eta, sigma_b[ob], observed=y)
            else:
                pm.CustomDist(
                    "y",
                    eta,
                    pm.Data("obs_floor", inputs.floor[b]),
                    span_b[ob],
                    phi_b[ob],
                    lgam_phi[ob],
                    pm.Data("log_y", np.log(inputs.y[sel])),
                    pm.Data("log1m_y", np.log1p(-inputs.y[sel])),
                    logp=_beta_logp if config.link_shape == 1.0 else partial(_beta_logp, shape=config.link_shape),
                    random=_beta_random if config.link_shape == 1.0 else partial(_beta_random, shape=config.link_shape),
                    observed=y,
                )
    return model
