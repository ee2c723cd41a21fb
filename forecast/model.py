"""The capability model: one latent capability per model, driven by training compute, date
(algorithmic progress) and test-time compute, linked to every benchmark by its own curve.

This is the only module that imports PyMC. Everything after the fit (key quantities, predictions,
attribution) works on the posterior with numpy/xarray, so it runs without compiling anything.

Equations, priors and their sources: docs/methodology.md.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import expit, gammaln

from . import CI_PROB, __version__
from . import schema as S
from .errors import ForecastError

VARIANTS = ("joint", "compute_only", "date_only")
#: Config keys of earlier releases that no longer mean anything; ignored when a saved fit is read.
RETIRED_CONFIG_KEYS = {"sigma_continuous_sd"}  # HalfNormal scale, replaced by a LogNormal (0.1.0)
UNIT_CODES = {"fraction": 0, "elo": 1, "minutes": 2}
#: Effort level -> step in "effort units" (one step = delta_eff log10 of test-time compute).
#: ``none`` (reasoning off on a hybrid) has step 0 and switches the reasoning indicator off.
EFFORT_STEPS = {"": 0, "medium": 0, **{k: v for k, v in S.EFFORT_LEVELS.items() if v is not None}}
FRACTION_CLIP = 1e-3


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------


@dataclass
class ModelConfig:
    """Everything that defines a fit besides the data and the seed. JSON round-trips exactly.

    Capability ``theta`` is in logits of a benchmark of average steepness (the geometric-mean slope
    of fraction benchmarks is pinned to 1) and is measured from the average location (difficulty)
    of the fraction benchmarks (their locations sum to zero). ``alpha`` is the capability of a
    model trained with ``10**c_ref`` FLOP, released on ``ref_date``, with no model deviation.
    """

    variant: str = "joint"
    ref_date: str = "2024-01-01"
    c_ref: float = 24.0
    # capability trend
    alpha_sd: float = 2.0
    beta_c_mu: float = 0.5
    beta_c_sd: float = 0.5
    beta_t_mu: float = 0.3
    beta_t_sd: float = 0.5
    #: Recent acceleration: the date trend may change slope at this date (``beta_t_recent`` is the
    #: extra capability per year after it, prior Normal(0, beta_t_recent_sd)). Added after the
    #: backtests showed models released in 2025 under-predicted by a single 2019-2025 slope
    #: (docs/backtesting.md). None: one slope throughout.
    date_knot: str | None = "2024-01-01"
    beta_t_recent_sd: float = 0.5
    sigma_model_sd: float = 1.0
    # compute trend (for unknown training compute)
    mu_c0_mu: float = 25.0
    mu_c0_sd: float = 1.5
    g_c_mu: float = 0.6
    g_c_sd: float = 0.3
    s_c_sd: float = 1.5
    # test-time compute
    rho_mu: float = 0.5
    rho_sd: float = 1.0
    rho_domain_sd: float = 0.5
    #: reasoning results a domain needs to count towards the centred form (see build_model)
    centre_min_results: int = 20
    log_gamma_mu: float = float(np.log(0.3))
    log_gamma_sd: float = 0.75
    gamma_domain_sd: float = 0.5
    delta_eff_median: float = 0.4
    delta_eff_log_sd: float = 0.5
    # benchmarks
    location_sd: float = 3.0
    log_slope_fraction_sd: float = 0.5
    log_slope_continuous_mu: float = float(np.log(1.5))
    log_slope_continuous_sd: float = 0.75
    log_phi_mu: float = float(np.log(30.0))
    log_phi_sd: float = 1.0
    sigma_continuous_median: float = 0.5
    sigma_continuous_log_sd: float = 0.6
    use_n_items: bool = True
    #: Replicate results (same model, benchmark, inference multiplier and effort, but another
    #: source, shot count or agent scaffold) enter as one observation: their median score. The
    #: model has no scaffold effect, so replicates would otherwise count as independent evidence.
    aggregate_replicates: bool = True
    # sampler
    adaptation: str = "diag"
    #: 0.9 rather than 0.85: on the data as of 2024-09-11 (sparse benchmarks, section "Sparse
    #: benchmarks" of docs/methodology.md) divergences per 4000 draws fell from 1-6 to 0-1 (4 seeds)
    target_accept: float = 0.9
    #: Dense preconditioning (forecast.sampler.with_preconditioner): the chains sample in
    #: coordinates whitened by the posterior covariance of a short pilot run (``pilot_tune`` +
    #: ``pilot_draws`` per chain; an update's pilot starts at the previous fit's draws). The
    #: posterior has a ridge (date slopes, intercept, compute slope and the locations of
    #: benchmarks measured in one era) that a diagonal mass matrix crosses slowly: bulk ESS per
    #: draw 0.05 without, about 0.3 with it (docs/methodology.md section 3).
    precondition: bool = True
    pilot_tune: int = 200
    pilot_draws: int = 25
    #: the last this many tuning steps of each pilot chain join its draws in the covariance
    #: estimate (as warm-up draws estimate the mass matrix in Stan's adaptation): 4 x 125 rows
    #: for 4 x 225 steps, where 4 x 100 draws after the tuning took 4 x 300 (docs/methodology.md)
    pilot_warmup_draws: int = 100
    #: The pilot covariance is shrunk towards the inverse of the log density's curvature
    #: (minus the Hessian, ``forecast.sampler.curvatures``) averaged over this many pilot draws,
    #: on the coordinates where it is stable across them: exact on the ridge, where the draws are
    #: noisy (``forecast.sampler.dense_preconditioner``). 0: towards the pilot's variances.
    precondition_hessian_points: int = 8
    #: weight of the target in the shrunk covariance (``forecast.sampler.dense_preconditioner``)
    precondition_shrinkage: float = 0.2
    #: When the preconditioned run misses R-hat <= RHAT_MAX or bulk ESS >= ESS_MIN, run as many
    #: chains again, each started where one of the first ended, with the same preconditioner
    #: (``extend_tune`` tuning steps, then as many draws), and pool them: up to this many times.
    #: At the default 500 draws the worst of ~970 R-hats lands above 1.01 in about 1 fit in 8.
    extend_rounds: int = 1
    extend_tune: int = 100
    #: When the main run (with its extension rounds) still has divergences or misses R-hat/ESS,
    #: it is replaced by a new one at this target acceptance rate (smaller steps), with the same
    #: preconditioner. 0.97 everywhere took 63 leapfrog steps a draw instead of 31-42 (1.5x the
    #: time); as a retry it costs that only where needed: the o1 update that had 112 divergences
    #: at 0.9 had none (docs/methodology.md). 0: no retry.
    retry_target_accept: float = 0.97
    #: Tree depth cap of the main run (and its extension rounds) at ``target_accept``; runs at a
    #: higher acceptance (the retry, or a refit inheriting it) keep nutpie's cap of 10. At 0.9 the
    #: trees are 31 leapfrog steps (depth 5) except in a chain whose step size adapted a little
    #: smaller, which then takes 63-step trees for a third of its draws and finishes last (seed 1:
    #: 23,308 steps against 15,948-17,164 for the others). Capped, every chain takes 31 steps a
    #: draw: bundled data, seeds 1-8, main run 10.5-12.4 s instead of 14-15.5 s and no extension
    #: round (one before), minimum bulk ESS 425-769 (514-841 before). Only where extension rounds
    #: are on, to give a run whose shorter trajectories mix too slowly more draws: the backtests'
    #: 2-chain fits without them reached R-hat 1.053 at one origin when capped (1.014 at most
    #: uncapped) and keep nutpie's cap. None: no cap.
    max_tree_depth: int | None = 5

    def __post_init__(self):
        if self.variant not in VARIANTS:
            raise ForecastError(f"model variant '{self.variant}' is not one of {', '.join(VARIANTS)}")

    @property
    def has_compute(self) -> bool:
        return self.variant in ("joint", "compute_only")

    @property
    def has_date(self) -> bool:
        return self.variant in ("joint", "date_only")

    @property
    def has_test_time(self) -> bool:
        return self.variant == "joint"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ModelConfig":
        names = {f.name for f in fields(cls)}
        d = {k: v for k, v in d.items() if k not in RETIRED_CONFIG_KEYS}  # older fits keep loading
        unknown = sorted(set(d) - names)
        if unknown:
            raise ForecastError(f"unknown model config key(s): {', '.join(unknown)}")
        return cls(**d)

    @classmethod
    def from_json(cls, text: str) -> "ModelConfig":
        return cls.from_dict(json.loads(text))


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


@dataclass
class ModelInputs:
    """Numpy arrays for the model, with the labels of every axis."""

    model_ids: list[str]
    benchmark_ids: list[str]
    domains: list[str]
    # per model
    t_model: np.ndarray  # years since ref_date
    log10c_obs: np.ndarray  # NaN where unknown
    c_known: np.ndarray  # bool
    reasoning_model: np.ndarray  # bool
    # per benchmark
    bench_unit: np.ndarray  # int code (UNIT_CODES)
    bench_domain: np.ndarray  # index into domains
    floor: np.ndarray
    ceiling: np.ndarray
    n_items: np.ndarray  # NaN where unknown
    y_center: np.ndarray  # centre of continuous targets (0 for fractions)
    # per observation
    obs_model: np.ndarray
    obs_bench: np.ndarray
    log10_mult: np.ndarray
    effort_step: np.ndarray
    reasoning_obs: np.ndarray  # 0/1
    y: np.ndarray  # modelled target: clipped fraction, elo/400 - centre, log2(min) - centre
    score: np.ndarray  # raw score in the benchmark's unit
    obs_ids: list[str] = field(default_factory=list)

    @property
    def n_models(self) -> int:
        return len(self.model_ids)

    @property
    def n_obs(self) -> int:
        return len(self.y)

    @property
    def obs_unit(self) -> np.ndarray:
        return self.bench_unit[self.obs_bench]

    @property
    def obs_domain(self) -> np.ndarray:
        return self.bench_domain[self.obs_bench]


def years_since(dates, ref_date: str) -> np.ndarray:
    d = pd.to_datetime(pd.Series(dates))
    return ((d - pd.Timestamp(ref_date)).dt.days / 365.25).to_numpy(dtype=float)


def knot_years(config: "ModelConfig") -> float | None:
    return None if not config.date_knot else float(years_since([config.date_knot], config.ref_date)[0])


def date_term(beta_t, beta_t_recent, knot: float | None, t):
    """``beta_t * t + beta_t_recent * max(t - knot, 0)`` on arrays the caller has aligned (the
    recent term is left out when ``beta_t_recent`` or ``knot`` is None)."""
    out = beta_t * t
    if beta_t_recent is not None and knot is not None:
        out = out + beta_t_recent * np.maximum(t - knot, 0.0)
    return out


def date_effect(post: xr.Dataset, config: "ModelConfig", t) -> np.ndarray | float:
    """Capability from the date term (algorithmic progress at fixed compute) per posterior draw:
    ``beta_t * t + beta_t_recent * max(t - knot, 0)``; ``t`` in years since the reference date,
    any shape (broadcast against draws on a new leading axis). 0 for variants without a date term."""
    if "beta_t" not in post:
        return 0.0
    t = np.asarray(t, dtype=float)
    shape = (-1,) + (1,) * t.ndim
    recent = _stack(post, "beta_t_recent")
    return date_term(_stack(post, "beta_t").reshape(shape), None if recent is None else recent.reshape(shape),
                     knot_years(config), t)


def effort_steps(effort) -> np.ndarray:
    """Effort strings -> integer steps (unknown strings raise)."""
    out = []
    for e in pd.Series(effort).fillna("").astype(str).str.strip().str.lower():
        if e == "none":
            out.append(0)
        elif e in EFFORT_STEPS:
            out.append(EFFORT_STEPS[e])
        else:
            raise ForecastError(f"effort '{e}' is not one of {', '.join(S.EFFORT_LEVELS)} or blank")
    return np.asarray(out, dtype=float)


def reasoning_indicator(model_reasons, effort) -> np.ndarray:
    """Result-level reasoning: the model reasons by default and effort is not 'none', or an
    effort level is set explicitly (which turns reasoning on for a hybrid model)."""
    e = pd.Series(effort).fillna("").astype(str).str.strip().str.lower().to_numpy()
    r = np.asarray(model_reasons, dtype=bool)
    return ((r & (e != "none")) | ((e != "") & (e != "none"))).astype(float)


def _transform_target(score: np.ndarray, unit: np.ndarray) -> np.ndarray:
    y = np.array(score, dtype=float)
    frac = unit == 0
    y[frac] = np.clip(y[frac], FRACTION_CLIP, 1 - FRACTION_CLIP)
    y[unit == 1] = y[unit == 1] / 400.0
    y[unit == 2] = np.log2(np.maximum(y[unit == 2], 1e-6))
    return y


REPLICATE_KEY = ["model", "benchmark", "inference_multiplier", "effort"]


def obs_keys(results: pd.DataFrame) -> list[str]:
    """Stable observation ids: model|benchmark|multiplier|effort (plus a counter if repeated)."""
    mult = pd.to_numeric(results["inference_multiplier"], errors="coerce").fillna(1.0)
    effort = results["effort"] if "effort" in results else pd.Series("", index=results.index)
    base = (results["model"].astype(str) + "|" + results["benchmark"].astype(str) + "|"
            + mult.map(lambda v: f"{v:g}") + "|" + effort.fillna("").astype(str))
    dup = base.groupby(base).cumcount()
    return [b if d == 0 else f"{b}#{d}" for b, d in zip(base, dup)]


def aggregate_replicates(results: pd.DataFrame) -> pd.DataFrame:
    """One row per (model, benchmark, inference_multiplier, effort): the median score, the
    earliest reported date, and ``n_replicates``."""
    r = results.copy()
    r["inference_multiplier"] = pd.to_numeric(r["inference_multiplier"], errors="coerce").fillna(1.0)
    if "effort" not in r:
        r["effort"] = ""
    r["effort"] = r["effort"].fillna("")
    agg = {"score": "median", "n_replicates": "size"}
    if "reported_date" in r:
        agg["reported_date"] = "min"
    r["n_replicates"] = 1
    out = r.groupby(REPLICATE_KEY, sort=False, as_index=False).agg(
        **{k: (k if k != "n_replicates" else "score", v) for k, v in agg.items()})
    return out.reset_index(drop=True)


def prepare(ds, config: ModelConfig | None = None) -> ModelInputs:
    """Turn a ``Dataset`` into model arrays. Every model in ``ds.models`` is kept (a model with
    known compute and no results still informs the compute trend); benchmarks without results
    are dropped (they would carry only prior parameters)."""
    config = config or ModelConfig()
    models = ds.models.reset_index(drop=True)
    results = ds.results.reset_index(drop=True)
    if results.empty:
        raise ForecastError("no results to fit: the dataset (or its as-of cut) has no benchmark results")
    unknown_models = sorted(set(results["model"]) - set(models["model"]))
    if unknown_models:
        raise ForecastError(f"results refer to models missing from models: {', '.join(unknown_models[:5])}")
    used_b = set(results["benchmark"])
    bench = ds.benchmarks[ds.benchmarks["benchmark"].isin(used_b)].reset_index(drop=True)
    missing_b = sorted(used_b - set(bench["benchmark"]))
    if missing_b:
        raise ForecastError(f"results refer to unknown benchmarks: {', '.join(missing_b[:5])}")
    if config.aggregate_replicates:
        results = aggregate_replicates(results)
    model_ids = models["model"].astype(str).tolist()
    bench_ids = bench["benchmark"].astype(str).tolist()
    domains = sorted(bench["domain"].astype(str).unique().tolist())
    m_index = {m: i for i, m in enumerate(model_ids)}
    b_index = {b: i for i, b in enumerate(bench_ids)}
    d_index = {d: i for i, d in enumerate(domains)}

    flop = pd.to_numeric(models["train_flop"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log10c = np.where(flop > 0, np.log10(flop), np.nan)
    bench_unit = bench["unit"].map(UNIT_CODES).to_numpy(dtype=int)
    floor = pd.to_numeric(bench["floor"], errors="coerce").fillna(0.0).to_numpy(dtype=float).copy()
    ceiling = pd.to_numeric(bench["ceiling"], errors="coerce").fillna(1.0).to_numpy(dtype=float).copy()
    floor[bench_unit != 0], ceiling[bench_unit != 0] = 0.0, 1.0
    n_items = pd.to_numeric(bench.get("n_items", pd.Series(np.nan, index=bench.index)),
                            errors="coerce").to_numpy(dtype=float)

    obs_model = results["model"].map(m_index).to_numpy(dtype=int)
    obs_bench = results["benchmark"].map(b_index).to_numpy(dtype=int)
    mult = pd.to_numeric(results["inference_multiplier"], errors="coerce").fillna(1.0).to_numpy(dtype=float).copy()
    if np.any(mult <= 0):
        raise ForecastError("inference_multiplier must be positive")
    effort = results["effort"] if "effort" in results else pd.Series("", index=results.index)
    reasons = models["reasoning"].astype(bool).to_numpy()[obs_model]
    score = pd.to_numeric(results["score"], errors="coerce").to_numpy(dtype=float)
    if np.any(~np.isfinite(score)):
        raise ForecastError("every result needs a finite score")
    unit = bench_unit[obs_bench]
    y = _transform_target(score, unit)
    y_center = np.zeros(len(bench_ids))
    for b in range(len(bench_ids)):
        if bench_unit[b] != 0:
            y_center[b] = float(np.mean(y[obs_bench == b]))
    y = y - y_center[obs_bench]
    obs_ids = obs_keys(results)
    return ModelInputs(
        model_ids=model_ids,
        benchmark_ids=bench_ids,
        domains=domains,
        t_model=years_since(models["release_date"], config.ref_date),
        log10c_obs=log10c,
        c_known=np.isfinite(log10c),
        reasoning_model=models["reasoning"].astype(bool).to_numpy(),
        bench_unit=bench_unit,
        bench_domain=bench["domain"].map(d_index).to_numpy(dtype=int),
        floor=floor,
        ceiling=ceiling,
        n_items=n_items,
        y_center=y_center,
        obs_model=obs_model,
        obs_bench=obs_bench,
        log10_mult=np.log10(mult),
        effort_step=effort_steps(effort),
        reasoning_obs=reasoning_indicator(reasons, effort),
        y=y,
        score=score,
        obs_ids=obs_ids,
    )


def _phi_eff(phi: np.ndarray, n_items: np.ndarray, use_n: bool):
    """Beta precision: benchmark-level mismatch (1/phi) plus binomial item sampling (1/n)."""
    if not use_n:
        return phi
    inv_n = np.where(np.isfinite(n_items), 1.0 / np.where(np.isfinite(n_items), n_items, 1.0), 0.0)
    return 1.0 / (1.0 / phi + inv_n)


# --------------------------------------------------------------------------------------------
# PyMC model
# --------------------------------------------------------------------------------------------


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


def _beta_logp(value, eta, lo, span, phi, lgam_phi, log_y, log1m_y):
    """Log density of a fraction observation: Beta with mean floor + span * sigmoid(eta) and
    precision phi. ``log_y`` and ``log1m_y`` are log(y), log(1-y) of the observed fractions,
    passed as data so they are not recomputed at every gradient."""
    import pytensor.tensor as pt

    mu = pt.clip(lo + span * pt.sigmoid(eta), 1e-6, 1 - 1e-6)
    a = mu * phi
    b = (1 - mu) * phi
    return (a - 1) * log_y + (b - 1) * log1m_y + lgam_phi - _fast_gammaln(a) - _fast_gammaln(b)


def _beta_random(eta, lo, span, phi, lgam_phi, log_y, log1m_y, rng=None, size=None):
    eta, lo, span, phi = np.broadcast_arrays(eta, lo, span, phi)
    if size is not None:
        eta, lo, span, phi = (np.broadcast_to(v, size) for v in (eta, lo, span, phi))
    mu = np.clip(lo + span * expit(eta), 1e-6, 1 - 1e-6)
    return rng.beta(mu * phi, (1 - mu) * phi)


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
            # Normal(log10 C | trend_c(t), s_c) of every model with known compute
            pm.Potential("log10_compute_obs", pt.sum(known * (
                -0.5 * pt.sqr((c_filled - trend_c) / s_c) - pt.log(s_c) - 0.5 * np.log(2 * np.pi))))
            beta_c = _standardised("beta_c", config.beta_c_mu, config.beta_c_sd)
            c_eff = known * c_filled + (1 - known) * trend_c
            theta_mean = theta_mean + beta_c * (c_eff - config.c_ref)
            tau2 = tau2 + (1 - known) * pt.sqr(beta_c * s_c)
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
            n_reason = np.bincount(inputs.bench_domain[inputs.obs_bench][inputs.reasoning_obs > 0],
                                   minlength=len(inputs.domains))
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
        ls_frac = pm.ZeroSumNormal("log_slope_fraction", sigma=config.log_slope_fraction_sd,
                                   dims="benchmark_fraction")
        log_phi = _standardised("log_phi", config.log_phi_mu, config.log_phi_sd, dims="benchmark_fraction")
        if len(cont_b):
            ls_cont = _standardised("log_slope_continuous", config.log_slope_continuous_mu,
                                     config.log_slope_continuous_sd, dims="benchmark_continuous")
            # zero-avoiding: with two Codeforces results (the data as of 2024-09-11) a HalfNormal
            # let sigma -> 0 with the line through both points, a funnel (244 divergences)
            sigma_c = pm.LogNormal("sigma_continuous", np.log(config.sigma_continuous_median),
                                   config.sigma_continuous_log_sd, dims="benchmark_continuous")
            loc_cont = pm.Normal("location_continuous", 0.0, config.location_sd, dims="benchmark_continuous")
            perm = pm.Data("bench_order", perm)
            location = pt.concatenate([loc_frac, loc_cont])[perm]
            log_slope = pt.concatenate([ls_frac, ls_cont])[perm]
            phi_b = pt.concatenate([pt.exp(log_phi), pt.ones_like(sigma_c)])[perm]
            sigma_b = pt.concatenate([pt.ones_like(log_phi), sigma_c])[perm]
        else:
            location, log_slope, phi_b, sigma_b = loc_frac, ls_frac, pt.exp(log_phi), pt.ones(n_b)
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
                theta_obs = (theta_obs + rho_d[dom] * pm.Data(f"reasoning_obs{suffix}", inputs.reasoning_obs[sel])
                             + gamma_d[dom] * (pm.Data(f"log10_mult{suffix}", inputs.log10_mult[sel])
                                               + delta * pm.Data(f"effort_step{suffix}", inputs.effort_step[sel])))
            eta = slope[ob] * (theta_obs - location[ob])
            y = pm.Data(f"y_obs{suffix}", inputs.y[sel])
            if suffix:
                pm.Normal("y_continuous", eta, sigma_b[ob], observed=y)
            else:
                pm.CustomDist("y", eta, pm.Data("obs_floor", inputs.floor[b]), pm.Data("obs_span", span[b]),
                              phi_b[ob], lgam_phi[ob], pm.Data("log_y", np.log(inputs.y[sel])),
                              pm.Data("log1m_y", np.log1p(-inputs.y[sel])), logp=_beta_logp, random=_beta_random,
                              observed=y)
    return model


# --------------------------------------------------------------------------------------------
# Numpy forward model (shared by log-likelihood, prediction and attribution)
# --------------------------------------------------------------------------------------------


def _stack(post: xr.Dataset, name: str) -> np.ndarray | None:
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


def _benchmark_params(post: xr.Dataset, n_bench: int, bench_unit: np.ndarray):
    """(location, slope, phi, sigma) arrays of shape (draws, n_bench)."""
    location = _stack(post, "location")
    slope = _stack(post, "slope")
    n = location.shape[0]
    phi = np.ones((n, n_bench))
    sigma = np.ones((n, n_bench))
    frac_b = np.flatnonzero(bench_unit == 0)
    cont_b = np.flatnonzero(bench_unit != 0)
    if len(frac_b) and "log_phi" in post:
        phi[:, frac_b] = np.exp(_stack(post, "log_phi"))
    if len(cont_b) and "sigma_continuous" in post:
        sigma[:, cont_b] = _stack(post, "sigma_continuous")
    return location, slope, phi, sigma


def _test_time_shift(post: xr.Dataset, domain_idx, reasoning, log10_mult, effort_step) -> np.ndarray | float:
    if "rho_domain" not in post:
        return 0.0
    rho_d = _stack(post, "rho_domain")
    gamma_d = _stack(post, "gamma_domain")
    delta = _stack(post, "delta_eff")[:, None]
    return rho_d[:, domain_idx] * reasoning + gamma_d[:, domain_idx] * (log10_mult + delta * effort_step)


def _expected_and_loglik(eta, unit, floor, ceiling, y, phi, sigma):
    """Expected target and pointwise log density for the per-observation linear predictor."""
    mu = np.empty_like(eta)
    ll = np.empty_like(eta)
    fr = unit == 0
    if fr.any():
        m = floor[fr] + (ceiling[fr] - floor[fr]) * expit(eta[:, fr])
        m = np.clip(m, 1e-6, 1 - 1e-6)
        mu[:, fr] = m
        if y is not None:
            a, b = m * phi[:, fr], (1 - m) * phi[:, fr]
            yy = y[fr]
            ll[:, fr] = ((a - 1) * np.log(yy) + (b - 1) * np.log1p(-yy)
                         + gammaln(a + b) - gammaln(a) - gammaln(b))
    co = ~fr
    if co.any():
        mu[:, co] = eta[:, co]
        if y is not None:
            s = sigma[:, co]
            ll[:, co] = -0.5 * ((y[co] - eta[:, co]) / s) ** 2 - np.log(s) - 0.5 * np.log(2 * np.pi)
    return mu, ll


def pointwise_loglik(post: xr.Dataset, inputs: ModelInputs, config: ModelConfig) -> np.ndarray:
    """Log density of every observation at every posterior draw, shape (draws, n_obs)."""
    theta = _stack(post, "theta")
    location, slope, phi_b, sigma_b = _benchmark_params(post, len(inputs.benchmark_ids), inputs.bench_unit)
    b = inputs.obs_bench
    theta_obs = theta[:, inputs.obs_model] + _test_time_shift(
        post, inputs.bench_domain[b], inputs.reasoning_obs, inputs.log10_mult, inputs.effort_step)
    eta = slope[:, b] * (theta_obs - location[:, b])
    phi = _phi_eff(phi_b[:, b], inputs.n_items[b], config.use_n_items)
    _, ll = _expected_and_loglik(eta, inputs.bench_unit[b], inputs.floor[b], inputs.ceiling[b], inputs.y,
                                 phi, sigma_b[:, b])
    return ll


def pointwise_loglik_threaded(post: xr.Dataset, inputs: ModelInputs, config: ModelConfig,
                              workers: int | None = None) -> np.ndarray:
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


# --------------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------------


def _constant_data(inputs: ModelInputs) -> xr.Dataset:
    unit_names = {v: k for k, v in UNIT_CODES.items()}
    return xr.Dataset(
        {
            "t_model": ("model", inputs.t_model),
            "log10_compute_observed": ("model", inputs.log10c_obs),
            "compute_known": ("model", inputs.c_known),
            "reasoning_model": ("model", inputs.reasoning_model),
            "bench_unit": ("benchmark", np.array([unit_names[u] for u in inputs.bench_unit], dtype=object).astype(str)),
            "bench_domain": ("benchmark", np.asarray(inputs.domains, dtype=object)[inputs.bench_domain].astype(str)),
            "floor": ("benchmark", inputs.floor),
            "ceiling": ("benchmark", inputs.ceiling),
            "n_items": ("benchmark", inputs.n_items),
            "y_center": ("benchmark", inputs.y_center),
            "obs_model": ("obs", np.asarray(inputs.model_ids, dtype=object)[inputs.obs_model].astype(str)),
            "obs_benchmark": ("obs", np.asarray(inputs.benchmark_ids, dtype=object)[inputs.obs_bench].astype(str)),
            "log10_mult": ("obs", inputs.log10_mult),
            "effort_step": ("obs", inputs.effort_step),
            "reasoning_obs": ("obs", inputs.reasoning_obs),
        },
        coords={"model": inputs.model_ids, "benchmark": inputs.benchmark_ids, "domain": inputs.domains,
                "obs": inputs.obs_ids},
    )


def inputs_from_idata(idata) -> ModelInputs:
    """Rebuild the fitted ``ModelInputs`` from a fit's constant and observed data."""
    c = idata["constant_data"].to_dataset()
    o = idata["observed_data"].to_dataset()
    model_ids = [str(v) for v in c["model"].values]
    bench_ids = [str(v) for v in c["benchmark"].values]
    domains = [str(v) for v in c["domain"].values]
    m_index = {m: i for i, m in enumerate(model_ids)}
    b_index = {b: i for i, b in enumerate(bench_ids)}
    d_index = {d: i for i, d in enumerate(domains)}
    return ModelInputs(
        model_ids=model_ids,
        benchmark_ids=bench_ids,
        domains=domains,
        t_model=c["t_model"].values.astype(float),
        log10c_obs=c["log10_compute_observed"].values.astype(float),
        c_known=c["compute_known"].values.astype(bool),
        reasoning_model=c["reasoning_model"].values.astype(bool),
        bench_unit=np.array([UNIT_CODES[str(u)] for u in c["bench_unit"].values], dtype=int),
        bench_domain=np.array([d_index[str(d)] for d in c["bench_domain"].values], dtype=int),
        floor=c["floor"].values.astype(float),
        ceiling=c["ceiling"].values.astype(float),
        n_items=c["n_items"].values.astype(float),
        y_center=c["y_center"].values.astype(float),
        obs_model=np.array([m_index[str(m)] for m in c["obs_model"].values], dtype=int),
        obs_bench=np.array([b_index[str(b)] for b in c["obs_benchmark"].values], dtype=int),
        log10_mult=c["log10_mult"].values.astype(float),
        effort_step=c["effort_step"].values.astype(float),
        reasoning_obs=c["reasoning_obs"].values.astype(float),
        y=o["y"].values.astype(float),
        score=o["score"].values.astype(float),
        obs_ids=[str(v) for v in c["obs"].values],
    )


def config_from_idata(idata) -> ModelConfig:
    return ModelConfig.from_json(idata.attrs["model_config"])


def draw_log10_compute(post: xr.Dataset, inputs: ModelInputs, config: ModelConfig,
                       rng: np.random.Generator) -> np.ndarray:
    """log10 training compute per draw (draws, n_models): observed where known; for the others a
    draw from its conditional posterior given the draw's capability (Gaussian conditioning of the
    analytically integrated latent, see ``build_model``)."""
    theta = _stack(post, "theta")
    n = theta.shape[0]
    out = np.broadcast_to(inputs.log10c_obs, (n, inputs.n_models)).copy()
    miss = ~inputs.c_known
    if not miss.any():
        return out
    beta_c, s_c, sig = (_stack(post, k)[:, None] for k in ("beta_c", "s_c", "sigma_model"))
    t = inputs.t_model[miss]
    trend = _stack(post, "mu_c0")[:, None] + _stack(post, "g_c")[:, None] * t
    mean = _stack(post, "alpha")[:, None] + beta_c * (trend - config.c_ref)
    mean = mean + date_effect(post, config, t)
    r = theta[:, miss] - mean  # = beta_c * s_c * z_c + sigma_model * z_m
    v = (beta_c * s_c) ** 2 + sig**2
    cond_mean = r * beta_c * s_c**2 / v
    cond_sd = np.sqrt(s_c**2 * sig**2 / v)
    out[:, miss] = trend + cond_mean + cond_sd * rng.standard_normal(r.shape)
    return out


def finalize_idata(idata, inputs: ModelInputs, config: ModelConfig, **attrs):
    """Replace PyMC's constant/observed groups by the model's own (dim ``obs``), add the pointwise
    log-likelihood of every observation (one variable ``score`` over ``obs``, for PSIS-LOO) and
    record config and provenance in attrs."""
    coords = {"obs": inputs.obs_ids}
    idata["constant_data"] = xr.DataTree(_constant_data(inputs))
    idata["observed_data"] = xr.DataTree(xr.Dataset(
        {"score": ("obs", inputs.score), "y": ("obs", inputs.y)}, coords=coords))
    post = idata["posterior"].to_dataset()
    nc, nd = post.sizes["chain"], post.sizes["draw"]
    if config.has_compute and "log10_compute" not in post:
        lc = draw_log10_compute(post, inputs, config, np.random.default_rng(attrs.get("seed", 0)))
        idata["posterior"]["log10_compute"] = xr.DataArray(
            lc.reshape(nc, nd, -1), dims=("chain", "draw", "model"),
            coords={"chain": post["chain"].values, "draw": post["draw"].values, "model": inputs.model_ids})
    ll = pointwise_loglik_threaded(post, inputs, config)
    idata["log_likelihood"] = xr.DataTree(xr.Dataset(
        {"score": (("chain", "draw", "obs"), ll.reshape(nc, nd, -1))},
        coords={"chain": post["chain"].values, "draw": post["draw"].values, **coords}))
    idata.attrs.update({"model_config": config.to_json(), "forecast_version": __version__, **attrs})
    return idata


def _cores(chains: int) -> int:
    return max(1, min(chains, os.cpu_count() or 1))


def warm_start(model, previous):
    """Initial points for a refit on grown data: each chain starts at a draw (chosen by the
    chain's seed) of the ``previous`` posterior, mapped onto this model's parameters by
    coordinate label (model, benchmark, domain) and transformed to the sampler's space. Entries
    new to the data (a new model, a new benchmark) and padding slots start at a draw of their
    standard-normal prior for ``*_z``-type variables, or at the mean of the known entries
    otherwise; zero-sum variables are re-centred. Returns ``fn(seed) -> {value var name: array}``
    for ``forecast.sampler.compile_model``, or None when the previous posterior lacks a parameter
    of this model (another config or model version): the sampler then starts as for a new fit."""
    import pytensor
    from pymc.distributions.multivariate import ZeroSumTransform

    post = previous["posterior"].to_dataset()
    free = list(model.free_RVs)
    if any(rv.name not in post for rv in free):
        return None
    stacked = {rv.name: post[rv.name].stack(sample=("chain", "draw")).transpose("sample", ...) for rv in free}
    n_draws = stacked[free[0].name].sizes["sample"]
    maps = {}  # var name -> index of each of this model's entries in the previous draws (-1: new)
    for rv in free:
        da = stacked[rv.name]
        dims = model.named_vars_to_dims.get(rv.name) or ()
        if len(dims) != 1 or da.ndim != 2:
            continue
        new_labels = [str(x) for x in model.coords[dims[0]]]
        old_labels = [str(x) for x in da[da.dims[1]].values]
        if new_labels != old_labels:
            where = {m: i for i, m in enumerate(old_labels)}
            maps[rv.name] = np.array([where.get(m, -1) for m in new_labels])
    standard = {rv.name for rv in free if rv.name.endswith("_z") or rv.name.startswith("z_")}
    zero_sum = {rv.name for rv in free if isinstance(model.rvs_to_transforms.get(rv), ZeroSumTransform)}
    values, outputs = [], []
    for rv in free:
        x = pytensor.tensor.TensorType("float64", shape=(None,) * rv.ndim)()
        values.append(x)
        transform = model.rvs_to_transforms.get(rv)
        outputs.append(transform.forward(x, *rv.owner.inputs) if transform is not None else x)
    forward = pytensor.function(values, outputs, on_unused_input="ignore", mode="FAST_COMPILE")
    names = [model.rvs_to_values[rv].name for rv in free]

    def values_at(i: int, rng: np.random.Generator) -> list[np.ndarray]:
        args = []
        for rv in free:
            v = np.asarray(stacked[rv.name].values[i], dtype="float64")
            idx = maps.get(rv.name)
            if idx is not None:
                # a prior draw, not 0: nutpie refuses a start with a zero-gradient coordinate,
                # which z = 0 of a padding slot without results would be
                fill = rng.standard_normal(len(idx)) if rv.name in standard else np.full(len(idx), v.mean())
                v = np.where(idx >= 0, v[np.maximum(idx, 0)], fill)
                if rv.name in zero_sum:
                    v = v - v.mean()
            args.append(v)
        return [np.asarray(o, dtype="float64") for o in forward(*args)]

    def point(seed) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        return dict(zip(names, values_at(int(rng.integers(n_draws)), rng)))

    return point


def _preconditioned(compiled, config: ModelConfig, seed: int, run: dict, timing: dict):
    """``compiled`` with a dense preconditioner (``forecast.sampler.with_preconditioner``) from
    a pilot run (started where ``compiled`` starts: a warm start for an update), whose draws
    also start the main chains: the covariance of its draws and last tuning steps
    (``pilot_warmup_draws``) shrunk towards the inverse curvature of the log density at a few
    of them. Returns (compiled, preconditioned?): not when the covariance
    cannot be factorised (sampled as before).

    An update does not take the covariance of the previous fit instead of running a pilot: on
    the o1 case that refit had 113 divergences, and on the quarterly case (a new benchmark,
    whose zero-sum coordinates do not map onto the old ones) R-hat 1.15."""
    from .sampler import curvatures, dense_preconditioner, flat_unconstrained, nutpie_module, with_preconditioner

    nutpie = nutpie_module()

    t0 = time.perf_counter()
    warm = min(config.pilot_warmup_draws, config.pilot_tune)
    pilot = nutpie.sample(compiled, draws=config.pilot_draws, tune=config.pilot_tune, seed=seed + 10_000,
                          store_unconstrained=True, save_warmup=warm > 0, **run)  # with progress, like the main run
    timing["pilot_seconds"] = time.perf_counter() - t0
    x = flat_unconstrained(pilot, compiled)
    pooled = x
    if warm:
        w = pilot["warmup_sample_stats"]["unconstrained_draw"].values[:, -warm:]
        pooled = np.concatenate([w.reshape(-1, w.shape[-1]), x])
    t0 = time.perf_counter()
    try:
        curvature = None
        if config.precondition_hessian_points > 0:
            rows = np.random.default_rng(seed).choice(len(pooled), min(len(pooled), config.precondition_hessian_points),
                                                      replace=False)
            curvature = curvatures(compiled, pooled[rows], workers=_cores(run["chains"]))
        mu, chol = dense_preconditioner(pooled, config.precondition_shrinkage, curvature)
    except (np.linalg.LinAlgError, FloatingPointError):
        return compiled, 0.0
    finally:
        timing["preconditioner_seconds"] = time.perf_counter() - t0
    # each chain starts at a pilot draw, past the pilot's tuning
    out, info = with_preconditioner(compiled, mu, chol, lambda s: x[np.random.default_rng(s).integers(len(x))])
    timing["precondition_jit_seconds"] = info["jit_seconds"]
    return out, 1.0


#: Convergence required of a fit (``forecast fit`` exits non-zero above it) and sought by
#: ``sample_model``'s extension rounds.
RHAT_MAX = 1.01
ESS_MIN = 400


def _converged(d: dict) -> bool:
    return d["max_rhat"] <= RHAT_MAX and d["min_ess_bulk"] >= ESS_MIN


def converged_cleanly(d: dict) -> bool:
    """R-hat and bulk ESS at the bar and no divergence (diagnostics as ``diagnostics`` returns
    them): what keeps a main run from the retry, and the speed target's convergence part."""
    return _converged(d) and d["divergences"] == 0


def _import_quietly(modules) -> None:
    """Import ``modules``, for a background thread; a module that fails to import here fails
    again, with its error, where it is used."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001
            pass


def _add_deterministics(idata, model) -> None:
    """The model's deterministics, computed from the stored free variables in one vectorised
    pass (PyTensor's C backend, cached on disk across processes)."""
    import pymc as pm

    post = idata["posterior"].to_dataset()
    attrs = dict(post.attrs)
    post = pm.compute_deterministics(post, model=model, extend_dataset=True, progressbar=False)
    post.attrs.update(attrs)
    idata["posterior"] = post


def _extend(idata, base, compiled, *, draws: int, tune: int, seed: int, run: dict, model):
    """``idata`` with as many chains again: each started at the last draw of one of its chains
    (already in the posterior, so no burn-in beyond ``tune`` steps of step-size adaptation),
    sampled with the preconditioner of ``compiled`` (``base`` with ``with_preconditioner``),
    and appended along ``chain``."""
    from .sampler import flat_unconstrained, nutpie_module, with_preconditioner

    nutpie = nutpie_module()

    n_chains, n_draws = idata["posterior"].sizes["chain"], idata["posterior"].sizes["draw"]
    x = flat_unconstrained(idata, base).reshape(n_chains, n_draws, -1)[:, -1]
    more, _ = with_preconditioner(base, compiled.shared_data["mu"], compiled.shared_data["chol"],
                                  lambda s: x[int(s) % n_chains])
    ext = nutpie.sample(more, draws=draws, tune=tune, seed=seed, store_unconstrained=True, save_warmup=False, **run)
    _add_deterministics(ext, model)
    out = idata.copy()
    for group in ("posterior", "sample_stats", "unconstrained_posterior"):
        a, b = idata[group].to_dataset(), ext[group].to_dataset()
        b = b.assign_coords(chain=b["chain"].values + int(a["chain"].values.max()) + 1)
        merged = xr.concat([a, b], dim="chain", data_vars="all", coords="minimal", compat="override",
                           join="outer")
        merged.attrs = a.attrs
        out[group] = merged
    return out


def sample_model(model, *, seed: int, draws: int, tune: int, chains: int, sampler: str,
                 progressbar: bool, config: ModelConfig, init=None, check=None,
                 target_accept: float | None = None) -> tuple[Any, dict]:
    """Run the sampler; return (DataTree, timings). ``check(idata) -> diagnostics`` (default
    ``diagnostics``) decides the extension rounds and the retry; when its last call saw the
    returned draws, its result is in the DataTree's attrs as ``diagnostics`` (JSON), so it need
    not be computed again. ``target_accept`` overrides ``config.target_accept`` (pilot and first
    main run)."""
    import pymc as pm

    timing: dict[str, float] = {}
    if sampler == "nutpie":
        from .sampler import compile_model, nutpie_module

        nutpie = nutpie_module()

        t0 = time.perf_counter()
        # Only the free variables are stored; the deterministics are computed afterwards by PyMC
        # in one vectorised pass (PyTensor's C backend, cached on disk across processes).
        # compile_model reuses numba machine code cached on disk by earlier processes.
        compiled, info = compile_model(model, var_names=[v.name for v in model.free_RVs], initial_point_fn=init)
        timing["compile_seconds"] = time.perf_counter() - t0
        timing["compile_graph_seconds"] = info["graph_seconds"]
        timing["compile_jit_seconds"] = info["jit_seconds"]
        run = dict(chains=chains, cores=_cores(chains), adaptation=config.adaptation,
                   target_accept=target_accept or config.target_accept, progress_bar=progressbar)
        t_sampling = time.perf_counter()
        # what the convergence check and the saved fit import (1.5 s, mostly arviz-stats with
        # scipy.stats), on a thread while the sampler's own threads run
        threading.Thread(target=_import_quietly, args=(("arviz_stats", "h5netcdf"),), daemon=True).start()
        base = compiled
        if config.precondition and info["path"] in ("cached-cfunc", "cached-graph"):
            compiled, timing["preconditioned"] = _preconditioned(compiled, config, seed, run, timing)
        extend = config.extend_rounds > 0 and timing.get("preconditioned") == 1.0
        timing["extension_rounds"] = timing["check_seconds"] = timing["main_sampling_seconds"] = 0.0
        timing["deterministics_seconds"] = 0.0

        def main_run(target_accept: float, seed_main: int):
            """The preconditioned chains, then extension rounds while R-hat or ESS miss the bar;
            returns (draws, their diagnostics or None when not checked)."""
            r = {**run, "target_accept": target_accept}
            if config.max_tree_depth and extend and target_accept <= config.target_accept:
                r["maxdepth"] = config.max_tree_depth
            t0 = time.perf_counter()
            idata = nutpie.sample(compiled, draws=draws, tune=tune, seed=seed_main, store_unconstrained=extend,
                                  save_warmup=False, **r)
            timing["main_sampling_seconds"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            _add_deterministics(idata, model)
            timing["deterministics_seconds"] += time.perf_counter() - t0
            for k in range(config.extend_rounds + 1 if extend else 0):
                t0 = time.perf_counter()
                d = (check or diagnostics)(idata)  # ~1.2 s for ~970 quantities
                timing["check_seconds"] += time.perf_counter() - t0
                if _converged(d) or k == config.extend_rounds:
                    return idata, d
                t0 = time.perf_counter()
                idata = _extend(idata, base, compiled, draws=draws, tune=config.extend_tune,
                                seed=seed_main + 20_000 * (k + 1), run=r, model=model)
                timing["extension_rounds"] += 1.0
                timing["extension_seconds"] = timing.get("extension_seconds", 0.0) + time.perf_counter() - t0
            return idata, None

        idata, checked = main_run(run["target_accept"], seed)
        timing["target_accept"] = float(run["target_accept"])  # of the returned draws
        if (checked is not None and config.retry_target_accept > run["target_accept"]
                and not converged_cleanly(checked)):
            # divergences, or R-hat still above the bar after the extension rounds: the chains met
            # curvature their step size cannot follow (a funnel the data leave half-identified).
            # A new main run with smaller steps, same preconditioner, replaces this one.
            timing["retry_target_accept"] = float(config.retry_target_accept)
            t0 = time.perf_counter()
            idata, checked = main_run(config.retry_target_accept, seed + 30_000)
            timing["target_accept"] = float(config.retry_target_accept)
            timing["retry_seconds"] = time.perf_counter() - t0
        # the sampler-space draws the extension rounds start from, their copy in the sample stats,
        # and the main run's tuning steps of them (nutpie keeps those even without save_warmup)
        for group in ("unconstrained_posterior", "warmup_unconstrained_posterior"):
            if group in idata.children:
                del idata[group]
        if "unconstrained_draw" in idata["sample_stats"].data_vars:
            idata["sample_stats"] = idata["sample_stats"].to_dataset().drop_vars("unconstrained_draw")
        if checked is not None:  # of the returned draws
            idata.attrs["diagnostics"] = json.dumps(checked)
        # pilot and extension included; the convergence check (diagnostics, not sampling) is not
        timing["sampling_seconds"] = time.perf_counter() - t_sampling - timing["check_seconds"]
    elif sampler == "pymc":
        t0 = time.perf_counter()
        idata = pm.sample(draws=draws, tune=tune, chains=chains, cores=_cores(chains), random_seed=seed,
                          nuts_sampler="pymc", progressbar=progressbar, model=model, target_accept=config.target_accept,
                          compute_convergence_checks=False, quiet=True)
        total = time.perf_counter() - t0
        st = idata["posterior"].attrs.get("sampling_time", None)
        timing["sampling_seconds"] = float(st) if st is not None else total
        timing["compile_seconds"] = max(0.0, total - timing["sampling_seconds"])
    else:
        raise ForecastError(f"sampler '{sampler}' is not one of nutpie, pymc")
    return idata, timing


def drop_padding_slots(post: xr.Dataset, model_ids: list[str]) -> xr.Dataset:
    """``z_model`` over the fitted models only (dim ``model``), without build_model's padding."""
    if "model_slot" not in post.dims:
        return post
    z = post["z_model"].isel(model_slot=slice(0, len(model_ids))).rename(model_slot="model")
    attrs = dict(post.attrs)
    post = post.drop_vars("z_model").drop_dims("model_slot")
    post["z_model"] = z.assign_coords(model=list(model_ids))
    post.attrs.update(attrs)
    return post


def fit_model(ds, config: ModelConfig | None = None, *, seed: int = 1, draws: int = 1000, tune: int = 1000,
              chains: int = 4, sampler: str = "nutpie", progressbar: bool = True, start_from=None):
    """Fit the capability model to a dataset; return an ``xarray.DataTree`` with groups
    posterior, sample_stats, log_likelihood (``score`` over ``obs``), observed_data and
    constant_data (everything ``predict_scores`` needs), config and provenance in attrs.
    ``start_from``: an earlier fit whose posterior draws start the chains (``warm_start``)."""
    config = config or ModelConfig()
    inputs = prepare(ds, config)
    model = build_model(inputs, config)
    init = warm_start(model, start_from) if start_from is not None and sampler == "nutpie" else None
    # a posterior that needed the retry's smaller steps is refitted with them from the start
    accept = max(config.target_accept, float(start_from.attrs.get("target_accept", 0.0))) \
        if start_from is not None else None

    def check(idata):  # on the draws as the fit will hold them: without build_model's padding
        return diagnostics(idata, drop_padding_slots(idata["posterior"].to_dataset(), inputs.model_ids))

    idata, timing = sample_model(model, seed=seed, draws=draws, tune=tune, chains=chains, sampler=sampler,
                                 progressbar=progressbar, config=config, init=init, check=check,
                                 target_accept=accept)
    checked = idata.attrs.pop("diagnostics", None)
    timing["warm_start"] = float(init is not None)
    idata["posterior"] = drop_padding_slots(idata["posterior"].to_dataset(), inputs.model_ids)
    sampled = set(idata["posterior"].data_vars)
    idata = finalize_idata(idata, inputs, config, seed=int(seed), sampler=sampler,
                           data_hash=str(getattr(ds, "data_hash", "")), **timing)
    # The diagnostics once: the check's, extended by the variables finalize_idata added
    t0 = time.perf_counter()
    if checked is None:
        diag = diagnostics(idata)
    else:
        post = idata["posterior"].to_dataset()
        diag = worst(json.loads(checked), diagnostics(idata, post[[v for v in post.data_vars if v not in sampled]]))
    idata.attrs["diagnostics"] = json.dumps(diag)
    idata.attrs["check_seconds"] = float(timing.get("check_seconds", 0.0)) + time.perf_counter() - t0
    return idata


def recorded_diagnostics(idata) -> dict[str, float] | None:
    """The diagnostics recorded in a fit's attrs (``fit_model`` computes them once), or None
    when there are none readable (an older fit)."""
    raw = idata.attrs.get("diagnostics")
    if not raw:
        return None
    try:
        d = json.loads(raw) if isinstance(raw, str) else dict(raw)
        return {"max_rhat": float(d["max_rhat"]), "min_ess_bulk": float(d["min_ess_bulk"]),
                "divergences": int(d["divergences"])}
    except (ValueError, TypeError, KeyError):
        return None


def fit_diagnostics(idata) -> dict[str, float]:
    """The diagnostics recorded in a fit, else computed from its draws."""
    recorded = recorded_diagnostics(idata)
    return recorded if recorded is not None else diagnostics(idata)


# --------------------------------------------------------------------------------------------
# Diagnostics and summaries
# --------------------------------------------------------------------------------------------


def rank_diagnostics(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rank-normalised split R-hat and bulk ESS of each quantity of ``x`` (chain, draw, quantity):
    the values of arviz-stats' ``rhat(method="rank")`` and ``ess(method="bulk")`` (Vehtari et al.
    2021). arviz-stats rank-normalises one quantity at a time, three times each (1.9 of its 2.5 s
    on a fit's ~970 quantities); here the ranks and normal scores of all quantities are computed
    at once along an axis (scipy's ``rankdata``, Blom's offset 3/8 as arviz-stats uses), and
    arviz-stats' own R-hat and ESS of the normalised draws (``method="identity"``) finish the
    job. A quantity with a NaN draw gets NaN, as in arviz-stats. Needs >= 2 chains, >= 8 draws."""
    from arviz_stats.base import array_stats
    from scipy import special, stats

    n_chain, n_draw, q = x.shape
    half = n_draw // 2
    split = np.concatenate([x[:, :half], x[:, n_draw - half:]], axis=0)  # (2 chains, half, q)
    split = np.ascontiguousarray(np.moveaxis(split, 2, 0))  # (q, chain, draw): arviz-stats' order
    bad = np.isnan(split).any(axis=(1, 2))
    split[bad] = 0.0
    n = split[0].size

    def z_scale(a):  # normal scores of the ranks over chains and draws (norm.ppf is ndtri)
        ranks = stats.rankdata(a.reshape(q, n), method="average", axis=1)
        return special.ndtri((ranks - 3 / 8) / (n - 2 * 3 / 8 + 1)).reshape(a.shape)

    z = z_scale(split)
    folded = z_scale(np.abs(split - np.median(split.reshape(q, n), axis=1)[:, None, None]))
    rhat = np.maximum(array_stats.rhat(z, method="identity"), array_stats.rhat(folded, method="identity"))
    ess = array_stats.ess(z, method="identity")
    return np.where(bad, np.nan, rhat), np.where(bad, np.nan, ess)


def diagnostics(idata, posterior: xr.Dataset | None = None) -> dict[str, float]:
    """Worst R-hat and bulk ESS over every variable of ``posterior`` (default: the fit's
    posterior group) by arviz-stats, and the fit's divergences. Quantities constant across the
    draws (a known training compute) are left out: their R-hat is 0/0."""
    import arviz_stats as azs

    import warnings

    post = idata["posterior"].to_dataset() if posterior is None else posterior
    # arviz-stats loops over quantities, so constants are dropped first
    flat = [v.values.reshape(v.sizes["chain"], v.sizes["draw"], -1) for v in post.data_vars.values()]
    x = np.concatenate(flat, axis=2) if flat else np.zeros((1, 1, 0))
    x = x[:, :, np.ptp(x, axis=(0, 1)) > 0]
    max_rhat, min_ess = float("nan"), float("nan")
    if x.shape[2]:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="invalid value encountered", category=RuntimeWarning)
            if x.shape[0] >= 2 and x.shape[1] >= 8:
                rhat, ess = rank_diagnostics(x)
            else:  # too short to split: arviz-stats' own checks decide (NaN)
                da = xr.DataArray(x, dims=("chain", "draw", "quantity"))
                rhat, ess = azs.rhat(da).values, azs.ess(da, method="bulk").values
            max_rhat, min_ess = float(np.nanmax(rhat)), float(np.nanmin(ess))
    ss = idata["sample_stats"]
    div = int(ss["diverging"].values.sum()) if "diverging" in ss else 0
    return {"max_rhat": max_rhat, "min_ess_bulk": min_ess, "divergences": div}


def worst(a: dict, b: dict) -> dict[str, float]:
    """The worse of two diagnostics of one fit (over different variables); NaN means none."""
    def pick(f, key):
        vals = [float(d[key]) for d in (a, b) if not np.isnan(float(d[key]))]
        return f(vals) if vals else float("nan")

    return {"max_rhat": pick(max, "max_rhat"), "min_ess_bulk": pick(min, "min_ess_bulk"),
            "divergences": max(int(a["divergences"]), int(b["divergences"]))}


def _interval(x: np.ndarray, ci_prob: float) -> tuple[float, float, float, float]:
    x = np.asarray(x, dtype=float)
    lo, med, hi = np.quantile(x, [(1 - ci_prob) / 2, 0.5, (1 + ci_prob) / 2])
    return float(np.mean(x)), float(med), float(lo), float(hi)


def key_quantities(idata, ci_prob: float = CI_PROB) -> pd.DataFrame:
    """The headline parameters with equal-tailed ``ci_prob`` intervals. Rows absent from a
    variant (e.g. the date slope in ``compute_only``) are omitted.

    Units: capability (theta) is in logits of an average-steepness benchmark; ``*_training_oom``
    rows convert an effect to the training compute (orders of magnitude) that buys the same gain.
    """
    post = idata["posterior"].to_dataset()
    rows: list[tuple[str, str, np.ndarray]] = []

    def add(name, domain, x):
        rows.append((name, domain, np.asarray(x)))

    bc = _stack(post, "beta_c")
    bt = _stack(post, "beta_t")
    if bc is not None:
        add("training_compute_slope", "", bc)
    if bt is not None:
        add("algorithmic_progress_per_year", "", bt)
    btr = _stack(post, "beta_t_recent")
    if bt is not None and btr is not None:
        add("algorithmic_progress_per_year_recent", "", bt + btr)
        add("algorithmic_progress_acceleration", "", btr)
    if bc is not None and bt is not None:
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            add("algorithmic_progress_oom_per_year", "", bt / bc)
            add("algorithmic_progress_multiplier_per_year", "", 10 ** (bt / bc))
            if btr is not None:
                add("algorithmic_progress_multiplier_per_year_recent", "", 10 ** ((bt + btr) / bc))
    if "g_c" in post:
        add("frontier_compute_growth_oom_per_year", "", _stack(post, "g_c"))
    if "rho" in post:
        add("reasoning_effect", "", _stack(post, "rho"))
        if bc is not None:
            add("reasoning_effect_training_oom", "", _stack(post, "rho") / bc)
        rho_d = _stack(post, "rho_domain")
        for j, d in enumerate(post["domain"].values):
            add("reasoning_effect", str(d), rho_d[:, j])
        add("test_time_elasticity", "", np.exp(_stack(post, "log_gamma")))
        gd = _stack(post, "gamma_domain")
        for j, d in enumerate(post["domain"].values):
            add("test_time_elasticity", str(d), gd[:, j])
            if bc is not None:
                add("test_time_elasticity_training_oom", str(d), gd[:, j] / bc)
        add("effort_step_log10", "", _stack(post, "delta_eff"))
        add("effort_step_multiplier", "", 10 ** _stack(post, "delta_eff"))
    add("model_sd", "", _stack(post, "sigma_model"))
    out = []
    for name, dom, x in rows:
        mean, med, lo, hi = _interval(x, ci_prob)
        out.append({"quantity": name, "domain": dom, "mean": mean, "median": med, "lower": lo, "upper": hi})
    df = pd.DataFrame(out)
    df.index = [q if not d else f"{q}[{d}]" for q, d in zip(df["quantity"], df["domain"])]
    df.attrs["ci_prob"] = ci_prob
    return df


# --------------------------------------------------------------------------------------------
# Prediction
# --------------------------------------------------------------------------------------------


def _model_theta_draws(post: xr.Dataset, inputs: ModelInputs, config: ModelConfig, models: pd.DataFrame,
                       rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Capability draws (draws, n_models_requested) and log10 compute draws for the models in
    ``models`` (columns model, release_date, train_flop, reasoning). Models in the fit use their
    posterior; others get eps and unknown compute from the conditional prior per draw."""
    theta_fit = _stack(post, "theta")
    n = theta_fit.shape[0]
    idx = {m: i for i, m in enumerate(inputs.model_ids)}
    out = np.empty((n, len(models)))
    logc = np.full((n, len(models)), np.nan)
    lc_fit = _stack(post, "log10_compute")
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
        th = _stack(post, "alpha") + _stack(post, "sigma_model") * rng.standard_normal(n)
        if config.has_compute:
            flop = pd.to_numeric(pd.Series([r.get("train_flop", np.nan)]), errors="coerce").iloc[0]
            if np.isfinite(flop) and flop > 0:
                lc = np.full(n, np.log10(flop))
            else:
                lc = _stack(post, "mu_c0") + _stack(post, "g_c") * t_new[j] + _stack(post, "s_c") * rng.standard_normal(n)
            logc[:, j] = lc
            th = th + _stack(post, "beta_c") * (lc - config.c_ref)
        if config.has_date:
            th = th + date_effect(post, config, t_new[j])
        out[:, j] = th
    return out, logc


def predict_scores(idata, rows: pd.DataFrame, models: pd.DataFrame | None = None, *, seed: int = 0,
                   noise: bool = True) -> xr.Dataset:
    """Posterior (predictive) scores for rows of (model, benchmark[, inference_multiplier, effort]).

    ``models`` (columns model, release_date, train_flop, reasoning) describes models that are not
    in the fit (train_flop may be NaN); models in the fit use their posterior capability. Returns
    a Dataset over (chain, draw, row) with ``theta`` (capability incl. test-time terms),
    ``expected`` (mean score in the benchmark's unit) and, if ``noise``, ``score`` (a predictive
    draw including benchmark noise). Fractions are in [0, 1], Elo in Elo, horizons in minutes.
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
    meta = fitted if models is None else pd.concat(
        [fitted, models[~models["model"].isin(inputs.model_ids)]], ignore_index=True)
    uniq = pd.Index(rows["model"].astype(str).unique())
    unknown = sorted(set(uniq) - set(meta["model"].astype(str)))
    if unknown:
        raise ForecastError(f"model(s) neither in the fit nor in `models`: {', '.join(unknown[:5])}")
    meta = meta.set_index(meta["model"].astype(str)).loc[uniq].reset_index(drop=True)
    theta_m, _ = _model_theta_draws(post, inputs, config, meta, rng)
    col = {m: i for i, m in enumerate(uniq)}
    mi = rows["model"].astype(str).map(col).to_numpy()
    bi = rows["benchmark"].map(b_index).to_numpy()
    reasons = meta["reasoning"].astype(bool).to_numpy()[mi]
    mult = pd.to_numeric(rows["inference_multiplier"], errors="coerce").fillna(1.0).to_numpy(dtype=float).copy()
    steps = effort_steps(rows["effort"])
    r_obs = reasoning_indicator(reasons, rows["effort"])
    theta_obs = theta_m[:, mi] + _test_time_shift(post, inputs.bench_domain[bi], r_obs, np.log10(mult), steps)
    location, slope, phi_b, sigma_b = _benchmark_params(post, len(inputs.benchmark_ids), inputs.bench_unit)
    eta = slope[:, bi] * (theta_obs - location[:, bi])
    unit = inputs.bench_unit[bi]
    mu, _ = _expected_and_loglik(eta, unit, inputs.floor[bi], inputs.ceiling[bi], None, None, None)
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
            phi = _phi_eff(phi_b[:, bi][:, fr], inputs.n_items[bi][fr], config.use_n_items)
            draw[:, fr] = rng.beta(mu[:, fr] * phi, (1 - mu[:, fr]) * phi)
        if (~fr).any():
            draw[:, ~fr] = mu[:, ~fr] + sigma_b[:, bi][:, ~fr] * rng.standard_normal(mu[:, ~fr].shape)
        data["score"] = to_unit(draw)
    coords = {"chain": post["chain"].values, "draw": post["draw"].values, "row": np.arange(len(rows)),
              "model": ("row", rows["model"].astype(str).to_numpy()),
              "benchmark": ("row", rows["benchmark"].astype(str).to_numpy())}
    return xr.Dataset({k: (("chain", "draw", "row"), v.reshape(nc, nd, -1)) for k, v in data.items()}, coords=coords)


# --------------------------------------------------------------------------------------------
# Model comparison
# --------------------------------------------------------------------------------------------


def compare_variants(ds, seed: int = 1, *, variants=VARIANTS, config: ModelConfig | None = None,
                     return_fits: bool = False, **fit_kwargs):
    """Fit each variant on the same observations and compare them by PSIS-LOO (arviz-stats)."""
    import arviz_stats as azs

    base = (config or ModelConfig()).to_dict()
    fits = {}
    for v in variants:
        fits[v] = fit_model(ds, ModelConfig.from_dict({**base, "variant": v}), seed=seed, **fit_kwargs)
    table = azs.compare(fits)
    return (table, fits) if return_fits else table
