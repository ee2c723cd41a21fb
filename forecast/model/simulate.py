"""Simulated datasets drawn from the capability model with known parameters.

Used by parameter-recovery tests and the fit benchmark. The generating process is the joint
model of ``forecast.model`` (see docs/methodology.md), written here in plain numpy so that a bug
in the PyMC model cannot hide itself by being copied into the simulator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from ..data import Dataset

DOMAINS = ("math", "code", "science", "knowledge", "agentic", "reasoning")
REF_DATE = pd.Timestamp("2024-01-01")
C_REF = 25.0

DEFAULT_TRUTH = {
    "beta_c": 0.6,
    "beta_t": 0.35,
    "sigma_model": 0.4,
    "mu_c0": 24.6,
    "g_c": 0.55,
    "s_c": 0.7,
    "rho": 0.8,
    "rho_domain_sd": 0.3,
    "log_gamma": float(np.log(0.35)),
    "gamma_domain_sd": 0.3,
    "delta_eff": 0.4,
    "phi": 40.0,
    "sigma_continuous": 0.3,
    # a trend break the model does not have: extra capability per year after ``t_break`` (years
    # since 2024-01-01); zero by default. Used to show that the calibration check has teeth.
    "beta_t_break": 0.0,
    "t_break": 1.0,
    # ceilings below the registry's (label errors): each fraction benchmark loses a share of its
    # span drawn uniformly from [0, ceiling_gap_max]; and benchmark-specific progress per year,
    # Normal(0, benchmark_trend_sd) demeaned. Both zero by default (the 0.2.0 model).
    "ceiling_gap_max": 0.0,
    "benchmark_trend_sd": 0.0,
    # the link's shape on fraction benchmarks (``ModelConfig.link_shape``; the default model's)
    "link_shape": 0.5,
}


def simulate_dataset(
    seed: int,
    n_models: int = 60,
    n_benchmarks: int = 12,
    *,
    p_eval: float = 0.4,
    p_missing_compute: float = 0.4,
    p_extra: float = 0.25,
    start: str = "2021-01-01",
    end: str = "2026-06-30",
    **truth_overrides,
):
    """Draw a ``Dataset`` and the truth that generated it.

    ``n_benchmarks`` >= 3: the last benchmark is a time horizon (minutes), the one before it an
    Elo rating, the rest fractions (a third with a 0.25 guessing floor). Each model is evaluated on
    each benchmark with probability ``p_eval``; a share ``p_extra`` of results also appears at a
    non-default effort, with reasoning off (hybrids), or with a consensus/rerank multiplier.
    ``truth_overrides`` replace entries of ``DEFAULT_TRUTH`` (e.g. ``beta_t=0.0``).
    Returns ``(dataset, truth)`` where ``truth`` holds scalars and per-model/benchmark/domain arrays.
    """
    if n_benchmarks < 3:
        raise ValueError("n_benchmarks must be at least 3 (fractions, one Elo, one horizon)")
    unknown = set(truth_overrides) - set(DEFAULT_TRUTH)
    if unknown:
        raise ValueError(f"unknown truth keys: {sorted(unknown)}")
    tr = {**DEFAULT_TRUTH, **truth_overrides}
    rng = np.random.default_rng(seed)

    # ---- models ---------------------------------------------------------------------------
    t0, t1 = pd.Timestamp(start), pd.Timestamp(end)
    days = np.sort(rng.uniform(0, (t1 - t0).days, n_models)).astype(int)
    release = t0 + pd.to_timedelta(days, unit="D")
    t = ((release - REF_DATE).days / 365.25).to_numpy(dtype=float)
    log10c = tr["mu_c0"] + tr["g_c"] * t + tr["s_c"] * rng.standard_normal(n_models)
    # compute goes missing more often for recent (frontier) models, ~p_missing_compute overall
    p_miss = np.clip(p_missing_compute * (0.5 + 1.5 * (t > 0.5)), 0, 0.95)
    missing = rng.uniform(size=n_models) < p_miss
    reasoning = (t > 0.7) & (rng.uniform(size=n_models) < 0.6)
    z = rng.standard_normal(n_models)
    theta = tr["beta_c"] * (log10c - C_REF) + tr["beta_t"] * t + tr["sigma_model"] * z
    theta = theta + tr["beta_t_break"] * np.maximum(t - tr["t_break"], 0.0)
    model_ids = [f"sim-{i:03d}" for i in range(n_models)]
    models = pd.DataFrame(
        {
            "model": model_ids,
            "organization": rng.choice(["org-a", "org-b", "org-c", "org-d"], n_models),
            "release_date": release,
            "train_flop": np.where(missing, np.nan, 10.0**log10c),
            "reasoning": reasoning,
            "source_url": "https://example.org/sim",
        }
    )

    # ---- benchmarks -----------------------------------------------------------------------
    units = ["fraction"] * (n_benchmarks - 2) + ["elo", "minutes"]
    domains = [DOMAINS[i % len(DOMAINS)] for i in range(n_benchmarks)]
    domains[-2], domains[-1] = "code", "agentic"
    is_frac = np.array([u == "fraction" for u in units])
    floor = np.where(is_frac & (np.arange(n_benchmarks) % 3 == 1), 0.25, 0.0)
    n_items = np.where(rng.uniform(size=n_benchmarks) < 0.7, rng.integers(100, 2000, n_benchmarks), np.nan)
    n_items[~is_frac] = np.nan
    location = rng.normal(0.3, 1.2, n_benchmarks)
    log_slope = rng.normal(0, 0.4, n_benchmarks)
    log_slope[is_frac] -= log_slope[is_frac].mean()  # geometric-mean slope of fractions = 1
    log_slope[~is_frac] = rng.normal(np.log(1.5), 0.3, (~is_frac).sum())
    slope = np.exp(log_slope)
    phi = tr["phi"] * np.exp(rng.normal(0, 0.3, n_benchmarks))
    intercept = np.where(np.array(units) == "elo", 4.0, 3.0)  # 1600 Elo; 8 minutes at theta = location
    gap = np.where(is_frac, rng.uniform(0, 1, n_benchmarks) * tr["ceiling_gap_max"], 0.0)
    trend = tr["benchmark_trend_sd"] * rng.standard_normal(n_benchmarks)
    trend = trend - trend.mean()
    bench_ids = [f"bench-{j:02d}" for j in range(n_benchmarks)]
    benchmarks = pd.DataFrame(
        {
            "benchmark": bench_ids,
            "domain": domains,
            "unit": units,
            "floor": np.where(is_frac, floor, np.nan),
            "ceiling": np.where(is_frac, 1.0, np.nan),
            "source_url": "https://example.org/sim",
            "name": bench_ids,
            "n_items": n_items,
        }
    )
    dom_names = sorted(set(domains))
    d_idx = np.array([dom_names.index(d) for d in domains])
    rho_d = tr["rho"] + tr["rho_domain_sd"] * rng.standard_normal(len(dom_names))
    gamma_d = np.exp(tr["log_gamma"] + tr["gamma_domain_sd"] * rng.standard_normal(len(dom_names)))

    # ---- results --------------------------------------------------------------------------
    rows = []
    for i in range(n_models):
        for j in range(n_benchmarks):
            if rng.uniform() >= p_eval:
                continue
            settings = [("", 1.0)]
            if rng.uniform() < p_extra:
                if reasoning[i]:
                    options = [("low", 1.0), ("high", 1.0), ("minimal", 1.0), ("xhigh", 1.0), ("none", 1.0)]
                else:
                    options = [("", 64.0), ("", 1000.0), ("high", 1.0)]  # 'high' on a hybrid turns reasoning on
                settings.append(options[rng.integers(len(options))])
            for effort, mult in settings:
                rows.append((i, j, effort, mult))
    mi = np.array([r[0] for r in rows])
    bj = np.array([r[1] for r in rows])
    effort = np.array([r[2] for r in rows], dtype=object)
    mult = np.array([r[3] for r in rows])
    step_map = {"": 0, "none": 0, "minimal": -2, "low": -1, "medium": 0, "high": 1, "xhigh": 2, "max": 2}
    step = np.array([step_map[e] for e in effort], dtype=float)
    r_obs = ((reasoning[mi] & (effort != "none")) | ((effort != "") & (effort != "none"))).astype(float)
    dj = d_idx[bj]
    theta_obs = theta[mi] + rho_d[dj] * r_obs + gamma_d[dj] * (np.log10(mult) + tr["delta_eff"] * step)
    theta_obs = theta_obs + trend[bj] * t[mi]
    eta = slope[bj] * (theta_obs - location[bj])
    score = np.empty(len(rows))
    u = np.array(units)[bj]
    fr = u == "fraction"
    mu = floor[bj][fr] + (1 - floor[bj][fr]) * (1 - gap[bj][fr]) * expit(eta[fr]) ** tr["link_shape"]
    n_b = n_items[bj][fr]
    ph = phi[bj][fr]
    ph = np.where(np.isfinite(n_b), 1.0 / (1.0 / ph + 1.0 / np.nan_to_num(n_b, nan=1.0)), ph)
    score[fr] = rng.beta(mu * ph, (1 - mu) * ph)
    el = u == "elo"
    score[el] = 400.0 * (intercept[bj][el] + eta[el] + tr["sigma_continuous"] * rng.standard_normal(el.sum()))
    mn = u == "minutes"
    score[mn] = 2.0 ** (intercept[bj][mn] + eta[mn] + tr["sigma_continuous"] * rng.standard_normal(mn.sum()))
    results = pd.DataFrame(
        {
            "model": np.array(model_ids)[mi],
            "benchmark": np.array(bench_ids)[bj],
            "score": score,
            "inference_multiplier": mult,
            "setting": [f"cons@{int(m)}" if m > 1 else "" for m in mult],
            "reported_date": release[mi] + pd.to_timedelta(rng.integers(0, 60, len(rows)), unit="D"),
            "source_url": "https://example.org/sim",
            "effort": effort.astype(str),
            "evaluator": "vendor",
            "notes": "",
        }
    )
    truth = {
        **{
            k: tr[k]
            for k in (
                "beta_c",
                "beta_t",
                "sigma_model",
                "mu_c0",
                "g_c",
                "s_c",
                "rho",
                "log_gamma",
                "delta_eff",
                "sigma_continuous",
            )
        },
        "theta": pd.Series(theta, index=model_ids),
        "log10_compute": pd.Series(log10c, index=model_ids),
        "location": pd.Series(location, index=bench_ids),
        "slope": pd.Series(slope, index=bench_ids),
        "ceiling_gap": pd.Series(gap[is_frac], index=np.array(bench_ids)[is_frac]),
        "benchmark_trend": pd.Series(trend, index=bench_ids),
        "rho_domain": pd.Series(rho_d, index=dom_names),
        "gamma_domain": pd.Series(gamma_d, index=dom_names),
    }
    ds = Dataset(models=models, benchmarks=benchmarks, results=results, data_hash=f"sim-{seed}")
    return ds, truth
