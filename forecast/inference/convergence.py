"""Convergence diagnostics of a fit (arviz-stats): the worst rank-normalised split R-hat and bulk
ESS over every sampled quantity, and the divergences. Computed once when a fit is made and
recorded in its attrs."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from .config import ESS_MIN, RHAT_MAX


def converged(d: dict) -> bool:
    return d["max_rhat"] <= RHAT_MAX and d["min_ess_bulk"] >= ESS_MIN


def converged_cleanly(d: dict) -> bool:
    """R-hat and bulk ESS at the bar and no divergence (diagnostics as ``diagnostics`` returns
    them): what keeps a main run from the retry, and the speed target's convergence part."""
    return converged(d) and d["divergences"] == 0


def recorded_diagnostics(idata) -> dict[str, float] | None:
    """The diagnostics recorded in a fit's attrs (``fit_model`` computes them once), or None
    when there are none readable (an older fit)."""
    raw = idata.attrs.get("diagnostics")
    if not raw:
        return None
    try:
        d = json.loads(raw) if isinstance(raw, str) else dict(raw)
        return {
            "max_rhat": float(d["max_rhat"]),
            "min_ess_bulk": float(d["min_ess_bulk"]),
            "divergences": int(d["divergences"]),
        }
    except (ValueError, TypeError, KeyError):
        return None


def fit_diagnostics(idata) -> dict[str, float]:
    """The diagnostics recorded in a fit, else computed from its draws."""
    recorded = recorded_diagnostics(idata)
    return recorded if recorded is not None else diagnostics(idata)


def diagnostics(idata, posterior: xr.Dataset | None = None) -> dict[str, float]:
    """Worst rank-normalised split R-hat and bulk ESS over every variable of ``posterior``
    (default: the fit's posterior group) by arviz-stats, and the fit's divergences. Quantities
    constant across the draws (a known training compute) are left out: their R-hat is 0/0."""
    import warnings

    import arviz_stats as azs

    post = idata["posterior"].to_dataset() if posterior is None else posterior
    flat = [v.values.reshape(v.sizes["chain"], v.sizes["draw"], -1) for v in post.data_vars.values()]
    x = np.concatenate(flat, axis=2) if flat else np.zeros((1, 1, 0))
    x = x[:, :, np.ptp(x, axis=(0, 1)) > 0]
    max_rhat, min_ess = float("nan"), float("nan")
    if x.shape[2]:
        da = xr.DataArray(x, dims=("chain", "draw", "quantity"))
        with warnings.catch_warnings():  # too short to split: arviz-stats returns NaN and says so
            warnings.filterwarnings("ignore", message="invalid value encountered", category=RuntimeWarning)
            rhat, ess = azs.rhat(da, method="rank").values, azs.ess(da, method="bulk").values
        max_rhat, min_ess = float(np.nanmax(rhat)), float(np.nanmin(ess))
    ss = idata["sample_stats"]
    div = int(ss["diverging"].values.sum()) if "diverging" in ss else 0
    return {"max_rhat": max_rhat, "min_ess_bulk": min_ess, "divergences": div}


def worst(a: dict, b: dict) -> dict[str, float]:
    """The worse of two diagnostics of one fit (over different variables); NaN means none."""

    def pick(f, key):
        vals = [float(d[key]) for d in (a, b) if not np.isnan(float(d[key]))]
        return f(vals) if vals else float("nan")

    return {
        "max_rhat": pick(max, "max_rhat"),
        "min_ess_bulk": pick(min, "min_ess_bulk"),
        "divergences": max(int(a["divergences"]), int(b["divergences"])),
    }


def diagnostics_pass(diag: dict) -> bool:
    """What ``forecast fit`` requires before it saves over the target (else exit 3): R-hat at
    the bar and no divergence."""
    return diag["max_rhat"] <= RHAT_MAX and diag["divergences"] == 0
