"""Score against training and test-time compute: the posterior-median expected score of a
hypothetical reasoning model over a grid of both, with the fit's results placed on it (the memo's
compute-surface figure). Numpy on the posterior; ``forecast.model.predict_scores`` per grid column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import model as M
from ..model.forward import date_effect, select_draws, stack

#: Posterior draws used for the surface (the headline numbers use predict's).
SURFACE_DRAWS = 1000


def _thin(idata, max_draws: int, seed: int):
    """The fit with at most ``max_draws`` posterior draws (one chain), for figure-only work."""
    import xarray as xr

    post = idata["posterior"].to_dataset()
    n = post.sizes["chain"] * post.sizes["draw"]
    if n <= max_draws:
        return idata
    keep = np.sort(np.random.default_rng(seed).choice(n, size=max_draws, replace=False))
    sub = select_draws(post, keep)
    tree = xr.DataTree.from_dict(
        {
            "posterior": sub,
            "constant_data": idata["constant_data"].to_dataset(),
            "observed_data": idata["observed_data"].to_dataset(),
        }
    )
    tree.attrs.update(idata.attrs)
    return tree


def _surface_benchmark(inputs) -> int | None:
    """The fraction benchmark with most reasoning-mode results at non-default test-time settings
    (ties: most reasoning results, then most results): where the data say most about test-time
    scaling and the points on the surface are most numerous."""
    best, key = None, None
    for b in np.flatnonzero(inputs.bench_unit == 0):
        on = inputs.obs_bench == b
        reason = on & (inputs.reasoning_obs > 0)
        tt = reason & ((inputs.log10_mult != 0) | (inputs.effort_step != 0))
        k = (int(tt.sum()), int(reason.sum()), int(on.sum()))
        if key is None or k > key:
            best, key = int(b), k
    return best


def _expected_grid(thin, bench: str, as_of: pd.Timestamp, xs, ys, seed: int) -> np.ndarray:
    """Posterior-median expected score, shape (len(ys), len(xs)), of a reasoning model released on
    ``as_of`` with 10**x FLOP of training compute, evaluated at 10**y times its default test-time
    compute (``predict_scores``; one call per x with the same seed: common random numbers)."""
    z = np.empty((len(ys), len(xs)))
    rows = pd.DataFrame({"model": "hypothetical", "benchmark": bench, "inference_multiplier": 10.0 ** np.asarray(ys)})
    for j, c in enumerate(xs):
        models = pd.DataFrame(
            {"model": ["hypothetical"], "release_date": [as_of], "train_flop": [10.0**c], "reasoning": [True]}
        )
        pred = M.predict_scores(thin, rows, models, seed=seed, noise=False)
        z[:, j] = pred["expected"].median(dim=("chain", "draw")).values
    return z


def compute_surface(
    idata,
    as_of: pd.Timestamp,
    *,
    seed: int = 1,
    benchmark: str | None = None,
    max_draws: int = SURFACE_DRAWS,
    n_x: int = 21,
    n_y: int = 16,
) -> dict | None:
    """Posterior-median expected score of a hypothetical reasoning model released on ``as_of``
    over a grid of training compute (x, log10 FLOP) and test-time compute (y, log10 multiple of
    the default), from ``forecast.model.predict_scores``; and the fit's reasoning-mode results on
    that benchmark placed on it. A result's x is its model's training compute (posterior median
    where unknown) less the compute-equivalent of the algorithmic progress between its release
    and ``as_of`` (``beta_t / beta_c`` OOM a year): the compute a model released on ``as_of``
    would need for the same capability, so that a result sits where the surface predicts it
    (up to the model's own deviation); its y is log10 of its inference multiplier plus effort
    steps times ``delta_eff``. The compute range is where the score is neither at floor nor at
    ceiling, widened to the points.
    None when the fit has no compute or no test-time terms."""
    config = M.config_from_idata(idata)
    if not (config.has_compute and config.has_test_time):
        return None
    inputs = M.inputs_from_idata(idata)
    b = inputs.benchmark_ids.index(benchmark) if benchmark else _surface_benchmark(inputs)
    if b is None:
        return None
    bench = inputs.benchmark_ids[b]
    thin = _thin(idata, max_draws, seed)
    post = thin["posterior"].to_dataset()
    t_asof = float(M.years_since([as_of], config.ref_date)[0])
    ratio = 0.0
    shift = np.zeros(0)
    delta = float(np.median(stack(post, "delta_eff")))
    lc = np.median(stack(post, "log10_compute"), axis=0)
    on = np.flatnonzero((inputs.obs_bench == b) & (inputs.reasoning_obs > 0))
    mi = inputs.obs_model[on]
    if config.has_date:
        # the compute-equivalent (OOM) of the date term between each release and as_of
        bc = stack(post, "beta_c")[:, None]
        gap = np.reshape(date_effect(post, config, t_asof), (-1, 1)) - np.reshape(
            date_effect(post, config, inputs.t_model[mi]), (bc.shape[0], -1)
        )
        shift = np.median(gap / bc, axis=0)
        years = np.maximum(t_asof - inputs.t_model[mi], 1e-9)
        ratio = float(np.median(shift / years)) if len(mi) else 0.0
    pts = pd.DataFrame(
        {
            "model": [inputs.model_ids[m] for m in mi],
            "x": lc[mi] - shift,
            "y": inputs.log10_mult[on] + delta * inputs.effort_step[on],
            "score": inputs.score[on],
            "compute_known": inputs.c_known[mi],
        }
    )
    hi_y = max(3.0, float(np.ceil(pts["y"].max() + 0.3)) if len(pts) else 3.0)
    # half an order of magnitude below the lowest result (or the default), so no point sits on the edge
    lo_y = float(np.floor(2 * (min(0.0, float(pts["y"].min()) if len(pts) else 0.0) - 0.25)) / 2)
    # coarse scan for the informative compute range: not yet off the floor at the most test-time
    # compute, not yet at the ceiling at the default
    wide = np.arange(16.0, 32.01, 1.0)
    scan = _expected_grid(thin, bench, as_of, wide, [lo_y, hi_y], seed)
    span = max(inputs.ceiling[b] - inputs.floor[b], 1e-9)
    norm = (scan - inputs.floor[b]) / span
    alive = np.flatnonzero((norm[1] > 0.03) & (norm[0] < 0.97))
    if len(alive):
        lo_x, hi_x = wide[alive[0]] - 1.0, wide[alive[-1]] + 1.0
    else:
        trend = float(np.median(stack(post, "mu_c0") + stack(post, "g_c") * t_asof))
        lo_x, hi_x = trend - 3.0, trend + 1.0
    if len(pts):
        lo_x = min(lo_x, float(np.floor(pts["x"].min() - 0.3)))
        hi_x = max(hi_x, float(np.ceil(pts["x"].max() + 0.3)))
    lo_x = max(lo_x, hi_x - 10.0)  # at most ten orders of magnitude
    xs = np.linspace(lo_x, hi_x, n_x)
    ys = np.linspace(lo_y, hi_y, n_y)
    z = _expected_grid(thin, bench, as_of, xs, ys, seed)
    if len(pts):
        # label each model once (its result with the most test-time compute), at most eight
        last = pts.sort_values("y").groupby("model").tail(1)
        last = last.sort_values("score", ascending=False).head(8)
        pts["label"] = None
        pts.loc[last.index, "label"] = last["model"]
    unit = {0: "fraction", 1: "elo", 2: "minutes"}[int(inputs.bench_unit[b])]
    return {
        "benchmark": bench,
        "unit": unit,
        "x": xs,
        "y": ys,
        "z": z,
        "points": pts,
        "as_of": as_of.date().isoformat(),
        "compute_per_year": ratio,
        "delta_eff": delta,
        "n_draws": int(post.sizes["chain"] * post.sizes["draw"]),
    }
