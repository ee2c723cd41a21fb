"""The headline parameters of a fit, with intervals (numpy only)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import CI_PROB
from .forward import stack


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

    bc = stack(post, "beta_c")
    bt = stack(post, "beta_t")
    if bc is not None:
        add("training_compute_slope", "", bc)
    if bt is not None:
        add("algorithmic_progress_per_year", "", bt)
    btr = stack(post, "beta_t_recent")
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
        add("frontier_compute_growth_oom_per_year", "", stack(post, "g_c"))
    if "rho" in post:
        add("reasoning_effect", "", stack(post, "rho"))
        if bc is not None:
            add("reasoning_effect_training_oom", "", stack(post, "rho") / bc)
        rho_d = stack(post, "rho_domain")
        for j, d in enumerate(post["domain"].values):
            add("reasoning_effect", str(d), rho_d[:, j])
        add("test_time_elasticity", "", np.exp(stack(post, "log_gamma")))
        gd = stack(post, "gamma_domain")
        for j, d in enumerate(post["domain"].values):
            add("test_time_elasticity", str(d), gd[:, j])
            if bc is not None:
                add("test_time_elasticity_training_oom", str(d), gd[:, j] / bc)
        add("effort_step_log10", "", stack(post, "delta_eff"))
        add("effort_step_multiplier", "", 10 ** stack(post, "delta_eff"))
    add("model_sd", "", stack(post, "sigma_model"))
    out = []
    for name, dom, x in rows:
        mean, med, lo, hi = _interval(x, ci_prob)
        out.append({"quantity": name, "domain": dom, "mean": mean, "median": med, "lower": lo, "upper": hi})
    df = pd.DataFrame(out)
    df.index = [q if not d else f"{q}[{d}]" for q, d in zip(df["quantity"], df["domain"])]
    df.attrs["ci_prob"] = ci_prob
    return df
