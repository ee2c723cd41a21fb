"""Scores of probabilistic forecasts (numpy, arviz-stats): CRPS, PIT, interval coverage with
binomial acceptance bounds, the design effect of clustered results, and the reliability of
event probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd

LEVELS = (0.5, 0.8, 0.95)


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


def calibration_flags(
    coverage: dict[float, tuple[float, int]], alpha: float = 0.05, effective_n: dict[float, float] | None = None
) -> list[str]:
    """Levels whose observed coverage lies outside the two-sided binomial bounds (``alpha``).
    ``coverage`` maps nominal level to (observed rate, n). ``effective_n`` may shrink n for
    correlated targets (several results of one model are not independent)."""
    flags = []
    for lev, (rate, n) in sorted(coverage.items()):
        n_eff = int(round((effective_n or {}).get(lev, n)))
        lo, hi = binomial_bounds(n_eff, lev, alpha)
        if n_eff and not lo <= rate <= hi:
            side = "too narrow" if rate < lo else "too wide"
            flags.append(
                f"{int(lev * 100)}% intervals cover {rate:.0%} of {n} results (acceptable {lo:.0%}-{hi:.0%}): {side}"
            )
    return flags


def reliability(prob, outcome, bins=(0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)) -> list[dict]:
    import numpy as np

    prob, outcome = np.asarray(prob, float), np.asarray(outcome, float)
    idx = np.clip(np.digitize(prob, bins[1:-1], right=False), 0, len(bins) - 2)
    rows = []
    for k in range(len(bins) - 1):
        m = idx == k
        if m.any():
            rows.append(
                {
                    "bin_lo": bins[k],
                    "bin_hi": bins[k + 1],
                    "n": int(m.sum()),
                    "mean_forecast": float(prob[m].mean()),
                    "observed_freq": float(outcome[m].mean()),
                }
            )
    return rows
