"""Where did the frontier's capability gain come from? A per-draw decomposition of the capability
difference between the best model at one date and the best at a later date into training
compute, algorithmic progress (the date term), test-time compute and model-specific residual.

Pure numpy/xarray on a fitted posterior: no PyMC.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import CI_PROB
from ..errors import ForecastError
from ..model import config_from_idata, date_effect, inputs_from_idata, stack, years_since

O1_ANNOUNCEMENT = "2024-09-12"
COMPONENTS = ("training_compute", "algorithmic_progress", "test_time_compute", "model_residual")


def _default_capability(post, inputs, domain: str | None) -> np.ndarray:
    """Per-draw capability of every fitted model at its default setting (reasoning on if the
    model reasons by default, multiplier 1, default effort), in ``domain`` or, if None, with the
    global reasoning effect."""
    theta = stack(post, "theta")
    if "rho" not in post:
        return theta
    rho = stack(post, "rho") if domain is None else stack(post, "rho_domain")[:, inputs.domains.index(domain)]
    return theta + rho[:, None] * inputs.reasoning_model[None, :].astype(float)


def frontier_models(
    idata, start: str = O1_ANNOUNCEMENT, end: str | None = None, domain: str | None = None
) -> tuple[str, str]:
    """The model with the highest posterior-mean default capability released on or before
    ``start``, and the one released on or before ``end`` (default: the newest release)."""
    inputs = inputs_from_idata(idata)
    config = config_from_idata(idata)
    post = idata["posterior"].to_dataset()
    cap = _default_capability(post, inputs, domain).mean(axis=0)
    t_start = years_since([start], config.ref_date)[0]
    t_end = inputs.t_model.max() if end is None else years_since([end], config.ref_date)[0]
    before = np.flatnonzero(inputs.t_model <= t_start + 1e-9)
    upto = np.flatnonzero(inputs.t_model <= t_end + 1e-9)
    if len(before) == 0:
        raise ForecastError(f"no model in the fit was released on or before {start}")
    old = before[np.argmax(cap[before])]
    new = upto[np.argmax(cap[upto])]
    return inputs.model_ids[old], inputs.model_ids[new]


def attribute_gain(
    idata,
    start: str = O1_ANNOUNCEMENT,
    end: str | None = None,
    *,
    old_model: str | None = None,
    new_model: str | None = None,
    domain: str | None = None,
    ci_prob: float = CI_PROB,
) -> pd.DataFrame:
    """Decompose ``theta(new) - theta(old)`` at default settings, per posterior draw:

    - training_compute: ``beta_c * (log10C_new - log10C_old)`` (unknown compute: its posterior draws)
    - algorithmic_progress: the date term's change ``date_effect(t_new) - date_effect(t_old)``
    - test_time_compute: ``rho * (R_new - R_old)`` (default reasoning; global rho or ``domain``'s)
    - model_residual: the rest (model-specific deviations ``eps``)

    Returns a DataFrame indexed by component (plus ``total``) with mean, lower, upper (equal-tailed
    ``ci_prob`` interval) and share (component mean / total mean). ``attrs`` name the two models.
    The components sum to the total in every draw.
    """
    inputs = inputs_from_idata(idata)
    post = idata["posterior"].to_dataset()
    if old_model is None or new_model is None:
        o, n = frontier_models(idata, start, end, domain)
        old_model = old_model or o
        new_model = new_model or n
    try:
        i, j = inputs.model_ids.index(old_model), inputs.model_ids.index(new_model)
    except ValueError as exc:
        raise ForecastError(f"model not in the fit: {exc}") from None
    cap = _default_capability(post, inputs, domain)
    total = cap[:, j] - cap[:, i]
    n = total.shape[0]
    comp = {c: np.zeros(n) for c in COMPONENTS}
    if "beta_c" in post:
        lc = stack(post, "log10_compute")
        comp["training_compute"] = stack(post, "beta_c") * (lc[:, j] - lc[:, i])
    if "beta_t" in post:
        config = config_from_idata(idata)
        comp["algorithmic_progress"] = date_effect(post, config, inputs.t_model[j]) - date_effect(
            post, config, inputs.t_model[i]
        )
    if "rho" in post:
        rho = stack(post, "rho") if domain is None else stack(post, "rho_domain")[:, inputs.domains.index(domain)]
        comp["test_time_compute"] = rho * (float(inputs.reasoning_model[j]) - float(inputs.reasoning_model[i]))
    comp["model_residual"] = total - sum(comp[c] for c in COMPONENTS if c != "model_residual")
    comp["total"] = total
    lo_q, hi_q = (1 - ci_prob) / 2, (1 + ci_prob) / 2
    tot_mean = float(np.mean(total))
    rows = []
    for name, x in comp.items():
        rows.append(
            {
                "component": name,
                "mean": float(np.mean(x)),
                "lower": float(np.quantile(x, lo_q)),
                "upper": float(np.quantile(x, hi_q)),
                "share": float(np.mean(x) / tot_mean) if tot_mean != 0 else np.nan,
            }
        )
    df = pd.DataFrame(rows).set_index("component")
    df.attrs.update(
        {
            "old_model": old_model,
            "new_model": new_model,
            "start": start,
            "end": end,
            "domain": domain or "global",
            "ci_prob": ci_prob,
        }
    )
    return df
