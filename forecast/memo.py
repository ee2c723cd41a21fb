"""`forecast memo`: a decision memo from a saved fit, as self-contained HTML, Markdown with PNG
figures beside it, and PDF.

One flow, one dict: ``memo_data`` calls ``forecast.predict.predict_from_idata`` once and gathers
everything else the memo states (the latest update, attribution, key quantities, data vintage,
diagnostics, backtest calibration) into a dict; ``memo_figures`` draws the figures from that
dict (``forecast.plots``); ``memo_blocks`` turns it into a list of blocks (headings, paragraphs,
tables, figures); and three small renderers write the blocks as Markdown, HTML and PDF. No number
is computed twice, so the three formats and ``forecast predict`` say the same thing.

The predict call asks for P(crossed by date) at every month end up to the end of the last default
year instead of at year ends only. Same seed, same simulation horizon, hence the same simulated
frontiers: the year-end probabilities, the medians and intervals, are exactly those of
``forecast predict`` (a test checks it), and the monthly values draw the crossing-date CDFs.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import CI_KIND, CI_PROB, __version__
from .errors import ForecastError

FORMATS = ("html", "md", "pdf")
MEMO_STEM = "memo"
FIGURE_DIR = "figures"
CALIBRATION_FILE = "recalibration.json"
FIG_DPI = 130
#: Posterior draws used for the compute / test-time surface (the headline numbers use predict's).
SURFACE_DRAWS = 1000
#: Attribution starts from the frontier the day before the o1 announcement when the fit covers it.
ATTRIBUTION_START = "2024-09-11"
MAX_FAN_BENCHMARKS = 6
MAX_CDF_PER_FIGURE = 5
N_SURPRISES = 6
NO_UPDATE = "no update since this fit"
NO_BACKTEST = "no backtest run yet: run forecast recalibrate"

KQ_ROWS = ("training_compute_slope", "algorithmic_progress_per_year", "reasoning_effect", "test_time_elasticity",
           "model_sd")
KQ_LABELS = {
    "training_compute_slope": "training compute (per OOM)",
    "algorithmic_progress_per_year": "algorithmic progress (per year)",
    "reasoning_effect": "reasoning by default",
    "test_time_elasticity": "test-time compute (per OOM)",
    "model_sd": "model-specific deviation (sd)",
}


def parse_formats(formats) -> tuple[str, ...]:
    """'html,md' or ['html', 'pdf'] -> ('html', 'md'); an unknown format is an error."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out = []
    for f in items:
        f = str(f).strip().lower()
        if not f:
            continue
        if f == "markdown":
            f = "md"
        if f not in FORMATS:
            raise ForecastError(f"unknown memo format '{f}'; choose from {', '.join(FORMATS)} (comma-separated)")
        if f not in out:
            out.append(f)
    if not out:
        raise ForecastError(f"no memo format given; choose from {', '.join(FORMATS)}")
    return tuple(out)


def load_calibration(calibration) -> dict | None:
    """The backtest calibration written by ``forecast recalibrate`` (a dict, or a JSON file), checked
    for the parts the memo uses: ``coverage`` [{nominal, observed, n}], ``pit`` [floats],
    ``scores`` {method: {crps, coverage50, ...}}, ``origins``."""
    if calibration is None:
        return None
    if isinstance(calibration, (str, Path)):
        path = Path(calibration)
        try:
            calibration = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ForecastError(f"{path}: calibration file not found (run forecast recalibrate)") from None
        except (OSError, ValueError) as exc:
            raise ForecastError(f"{path}: not a readable calibration JSON file ({exc})") from None
        where = str(path)
    else:
        where = "calibration"
    if not isinstance(calibration, dict):
        raise ForecastError(f"{where}: expected a JSON object with coverage, pit, scores and origins")
    cov = calibration.get("coverage") or []
    try:
        cov = [{"nominal": float(c["nominal"]), "observed": float(c["observed"]), "n": int(c.get("n") or 0),
                **({"bounds95": [float(v) for v in c["bounds95"]]} if c.get("bounds95") else {}),
                **({"n_effective": int(c["n_effective"])} if c.get("n_effective") else {})}
               for c in cov if c.get("observed") is not None]
        pit = [float(p) for p in (calibration.get("pit") or []) if p is not None and np.isfinite(float(p))]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ForecastError(f"{where}: malformed coverage or pit entries ({exc})") from None
    scores = calibration.get("scores") or {}
    if not isinstance(scores, dict):
        raise ForecastError(f"{where}: 'scores' must map each method to its scores")
    ratio = calibration.get("ratio_to_best_baseline")
    events = calibration.get("events") if isinstance(calibration.get("events"), dict) else {}
    return {"origins": [str(o) for o in calibration.get("origins") or []], "scores": scores, "coverage": cov,
            "pit": pit, "best_baseline": calibration.get("best_baseline"),
            "ratio_to_best_baseline": None if ratio is None else float(ratio),
            "events": {k: events.get(k) for k in ("n", "n_resolved", "brier")} if events else None}


# ------------------------------------------------------------------------------------------------
# The one dict
# ------------------------------------------------------------------------------------------------


def _date(ref: str, t_years: float) -> pd.Timestamp:
    return pd.Timestamp(ref) + pd.to_timedelta(float(t_years) * 365.25, unit="D")


def _thin(idata, max_draws: int, seed: int):
    """The fit with at most ``max_draws`` posterior draws (one chain), for figure-only work."""
    import xarray as xr

    from . import model as M

    post = idata["posterior"].to_dataset()
    n = post.sizes["chain"] * post.sizes["draw"]
    if n <= max_draws:
        return idata
    keep = np.sort(np.random.default_rng(seed).choice(n, size=max_draws, replace=False))
    sub = M.select_draws(post, keep)
    tree = xr.DataTree.from_dict({"posterior": sub, "constant_data": idata["constant_data"].to_dataset(),
                                  "observed_data": idata["observed_data"].to_dataset()})
    tree.attrs.update(idata.attrs)
    return tree


def _observed_default(inputs, config, b: int) -> pd.DataFrame:
    """The fit's results on benchmark ``b`` at the model's default test-time setting."""
    m = inputs.obs_model
    default = ((inputs.obs_bench == b) & (inputs.log10_mult == 0) & (inputs.effort_step == 0)
               & (inputs.reasoning_obs == inputs.reasoning_model[m].astype(float)))
    idx = np.flatnonzero(default)
    return pd.DataFrame({"model": [inputs.model_ids[m[i]] for i in idx],
                         "date": [_date(config.ref_date, inputs.t_model[m[i]]) for i in idx],
                         "score": inputs.score[idx]})


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
    from . import model as M

    z = np.empty((len(ys), len(xs)))
    rows = pd.DataFrame({"model": "hypothetical", "benchmark": bench, "inference_multiplier": 10.0 ** np.asarray(ys)})
    for j, c in enumerate(xs):
        models = pd.DataFrame({"model": ["hypothetical"], "release_date": [as_of], "train_flop": [10.0 ** c],
                               "reasoning": [True]})
        pred = M.predict_scores(thin, rows, models, seed=seed, noise=False)
        z[:, j] = pred["expected"].median(dim=("chain", "draw")).values
    return z


def compute_surface(idata, as_of: pd.Timestamp, *, seed: int = 1, benchmark: str | None = None,
                    max_draws: int = SURFACE_DRAWS, n_x: int = 21, n_y: int = 16) -> dict | None:
    """Posterior-median expected score of a hypothetical reasoning model released on ``as_of``
    over a grid of training compute (x, log10 FLOP) and test-time compute (y, log10 multiple of
    the default), from ``forecast.model.predict_scores``; and the fit's reasoning-mode results on
    that benchmark placed on it. A result's x is its model's training compute (posterior median
    where unknown) less the compute-equivalent of the algorithmic progress between its release
    and ``as_of`` (``beta_t / beta_c`` OOM a year): the compute a model released on ``as_of``
    would need for the same capability, so that a result sits where the surface predicts it
    (up to the model's own deviation); its y is log10 of its inference multiplier plus effort steps times ``delta_eff``. The
    compute range is where the score is neither at floor nor at ceiling, widened to the points.
    None when the fit has no compute or no test-time terms."""
    from . import model as M

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
    delta = float(np.median(M._stack(post, "delta_eff")))
    lc = np.median(M._stack(post, "log10_compute"), axis=0)
    on = np.flatnonzero((inputs.obs_bench == b) & (inputs.reasoning_obs > 0))
    mi = inputs.obs_model[on]
    if config.has_date:
        # the compute-equivalent (OOM) of the date term between each release and as_of
        bc = M._stack(post, "beta_c")[:, None]
        gap = (np.reshape(M.date_effect(post, config, t_asof), (-1, 1))
               - np.reshape(M.date_effect(post, config, inputs.t_model[mi]), (bc.shape[0], -1)))
        shift = np.median(gap / bc, axis=0)
        years = np.maximum(t_asof - inputs.t_model[mi], 1e-9)
        ratio = float(np.median(shift / years)) if len(mi) else 0.0
    pts = pd.DataFrame({
        "model": [inputs.model_ids[m] for m in mi],
        "x": lc[mi] - shift,
        "y": inputs.log10_mult[on] + delta * inputs.effort_step[on],
        "score": inputs.score[on],
        "compute_known": inputs.c_known[mi],
    })
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
        trend = float(np.median(M._stack(post, "mu_c0") + M._stack(post, "g_c") * t_asof))
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
    return {"benchmark": bench, "unit": unit, "x": xs, "y": ys, "z": z, "points": pts, "as_of": as_of.date().isoformat(),
            "compute_per_year": ratio, "delta_eff": delta, "n_draws": int(post.sizes["chain"] * post.sizes["draw"])}


def _vintage(idata, inputs, config, threshold_benchmarks: set[str]) -> dict:
    from . import data as D
    from .summary import summarise

    t_max = int(np.argmax(inputs.t_model))
    post = idata["posterior"]
    out = {
        "as_of": idata.attrs.get("as_of") or "",
        "n_models": inputs.n_models, "n_benchmarks": len(inputs.benchmark_ids), "n_observations": inputs.n_obs,
        "n_reasoning_models": int(inputs.reasoning_model.sum()), "n_compute_known": int(inputs.c_known.sum()),
        "newest_model": inputs.model_ids[t_max],
        "newest_release": _date(config.ref_date, inputs.t_model[t_max]).date().isoformat(),
        "data_hash": str(idata.attrs.get("data_hash", "")), "fit_id": str(idata.attrs.get("fit_id", "")),
        "seed": idata.attrs.get("seed"), "forecast_version": str(idata.attrs.get("forecast_version", "")),
        "chains": int(post.sizes["chain"]), "draws": int(post.sizes["draw"]),
        "data_dir": str(idata.attrs.get("data_dir", "") or ""), "dataset": None, "dataset_note": "",
    }
    d = out["data_dir"]
    if not d:
        out["dataset_note"] = "the fit does not name its data directory"
        return out
    try:
        ds = D.load_dataset(d)
    except ForecastError as exc:
        out["dataset_note"] = f"the data directory {d} could not be read ({str(exc).splitlines()[0]})"
        return out
    if ds.data_hash != out["data_hash"]:
        out["dataset_note"] = (f"the data directory {d} has changed since this fit (data {ds.data_hash}, fit "
                               f"{out['data_hash']}); counts below are from the fit only")
        return out
    s = summarise(ds)
    r = ds.results
    on_th = r[r["benchmark"].isin(threshold_benchmarks)]
    out["dataset"] = {
        "n_results": s["n_results"], "newest_result": s["newest_result"], "by_evaluator": s["by_evaluator"],
        "first_release": s["first_release"], "last_release": s["last_release"],
        "threshold_results": int(len(on_th)),
        "threshold_by_evaluator": {k or "unknown": int(v) for k, v in on_th["evaluator"].value_counts().items()},
    }
    return out


def _diagnostics(idata) -> dict:
    from . import model as M
    from .fit import diagnostics_pass
    from .model import RHAT_MAX

    diag = M.recorded_diagnostics(idata)
    source = "recorded at fit time"
    if diag is None:
        diag = M.diagnostics(idata)
        source = "computed from the saved draws"
    method = str(idata.attrs.get("update_method", "") or "")
    k = idata.attrs.get("update_pareto_k")
    return {**{k2: float(v) for k2, v in diag.items()}, "passed": bool(diagnostics_pass(diag)), "rhat_max": RHAT_MAX,
            "source": source, "update_method": method,
            "pareto_k": None if k is None or float(k) < 0 or float(k) >= 1e9 else float(k)}


def _last_update(idata, units: dict[str, str]) -> dict | None:
    raw = idata.attrs.get("last_update")
    if not raw:
        return None
    try:
        up = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except (ValueError, TypeError):
        return None
    surprise = [s for s in up.get("surprise", []) if s.get("predictive_percentile") is not None]
    surprise.sort(key=lambda s: -abs(s["predictive_percentile"] - 0.5))
    for s in surprise:
        s["unit"] = units.get(s["benchmark"], "")
    influence, seen = [], set()
    for x in sorted(up.get("influence", []), key=lambda x: -abs(x["delta"])):
        if x["threshold"] in seen or abs(x["delta"]) < 0.005:
            continue
        seen.add(x["threshold"])
        influence.append(x)
    shift = up.get("shift", [])
    return {"method": up.get("method", ""), "shift": shift, "dates": list(dict.fromkeys(s["by"] for s in shift)),
            "thresholds": list(dict.fromkeys(s["threshold"] for s in shift)),
            "n_results": len(up.get("surprise", [])),
            "n_no_prediction": sum(1 for s in up.get("surprise", []) if s.get("predictive_percentile") is None),
            "surprise": surprise[:N_SURPRISES], "influence": influence}


def memo_data(idata, *, thresholds_path=None, scenario: str = "baseline", calibration=None, seed: int = 1) -> dict:
    """Everything the memo states, computed once. The forecast itself is ``predict`` (the dict
    ``forecast.predict.predict_from_idata`` returns); ``headline`` picks its year-end columns."""
    from . import model as M
    from .attribution import attribute_gain
    from .forecasting import DEFAULT_HORIZON_YEARS, get_scenario, month_grid, simulate_frontier
    from .predict import predict_from_idata, registry_units
    from .thresholds import load_thresholds

    sc = get_scenario(scenario)
    calib = load_calibration(calibration)
    as_of = simulate_frontier(idata, pd.Timestamp("2000-01-01"), scenario=sc, seed=seed, max_draws=1).as_of
    year_ends = [f"{y}-12-31" for y in range(as_of.year, as_of.year + DEFAULT_HORIZON_YEARS + 1)]
    grid = sorted({d.date().isoformat() for d in month_grid(as_of, pd.Timestamp(year_ends[-1]))} | set(year_ends))
    result = predict_from_idata(idata, by=grid, scenario=scenario, thresholds_path=thresholds_path, seed=seed)

    inputs = M.inputs_from_idata(idata)
    config = M.config_from_idata(idata)
    units = {b: {0: "fraction", 1: "elo", 2: "minutes"}[int(u)] for b, u in zip(inputs.benchmark_ids, inputs.bench_unit)}
    defs = {t.id: t for t in load_thresholds(thresholds_path, registry_units(idata))}
    rows = []
    for t in result["thresholds"]:
        rows.append({"id": t["id"], "framework": t["framework"], "level": t["level"], "rule": t["rule"],
                     "prob_already": t["prob_already"], "prob_by": {d: t["prob_by"][d] for d in year_ends},
                     "median_crossing": t["median_crossing"], "interval": list(t["crossing_interval_80"])})
    fq = pd.DataFrame(result["frontier"])
    benches: list[str] = []
    for t in result["thresholds"]:
        for c in defs[t["id"]].criteria:
            if c.benchmark not in benches:
                benches.append(c.benchmark)
    count = {b: sum(1 for t in result["thresholds"] for c in defs[t["id"]].criteria if c.benchmark == b) for b in benches}
    fan = sorted(benches, key=lambda b: -count[b])[:MAX_FAN_BENCHMARKS]
    fan = [b for b in benches if b in fan]
    lines = {}
    for b in fan:
        by_value: dict[float, list[str]] = {}
        for t in result["thresholds"]:
            for c in defs[t["id"]].criteria:
                if c.benchmark == b:
                    by_value.setdefault(c.value, []).append(t["id"])
        lines[b] = sorted(by_value.items())
    observed = {b: _observed_default(inputs, config, inputs.benchmark_ids.index(b)) for b in fan}
    frontier_rows = []
    if not fq.empty:
        for b in benches:
            g = fq[(fq["benchmark"] == b) & fq["date"].isin(year_ends)]
            frontier_rows.append({"benchmark": b, "unit": units.get(b, ""),
                                  "cells": {r["date"]: (r["q0.5"], r["q0.05"], r["q0.95"]) for _, r in g.iterrows()}})

    ref = pd.Timestamp(config.ref_date)
    releases = [ref + pd.to_timedelta(t * 365.25, unit="D") for t in inputs.t_model]
    start = ATTRIBUTION_START
    if not (min(releases) <= pd.Timestamp(start) < max(releases)):
        start = (max(releases) - pd.DateOffset(years=1)).date().isoformat()
    try:
        attribution = attribute_gain(idata, start)
    except ForecastError:
        attribution = None

    kq_wide = M.key_quantities(idata, CI_PROB)
    kq_narrow = M.key_quantities(idata, 0.5)
    forest = kq_wide[kq_wide["quantity"].isin(KQ_ROWS)]
    threshold_benchmarks = {c.benchmark for t in result["thresholds"] for c in defs[t["id"]].criteria}
    return {
        "predict": result, "as_of": result["as_of"], "scenario": result["scenario"],
        "scenario_description": result["scenario_description"], "n_draws": result["n_draws"],
        "until": result["until"], "year_ends": year_ends, "headline": rows, "skipped": result["skipped"],
        "crossing_interval": result["crossing_interval"], "ci_prob": CI_PROB, "ci_kind": CI_KIND,
        "thresholds": {i: defs[i] for i in (t["id"] for t in result["thresholds"])},
        "units": units, "frontier": fq, "frontier_rows": frontier_rows, "fan_benchmarks": fan,
        "threshold_lines": lines, "observed": observed,
        "update": _last_update(idata, units),
        "attribution": attribution, "attribution_start": start,
        "key_quantities": kq_wide, "forest": (forest, kq_narrow.loc[forest.index]),
        "surface": compute_surface(idata, pd.Timestamp(result["as_of"]), seed=seed),
        "vintage": _vintage(idata, inputs, config, threshold_benchmarks),
        "diagnostics": _diagnostics(idata), "calibration": calib,
        "fit": result["fit"], "seed": seed, "forecast_version": __version__,
    }


# ------------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------------


@dataclass
class MemoFigure:
    name: str  # file stem
    kind: str  # frontier, crossing_cdf, compute_surface, attribution, update_shift, calibration, pit, key_quantities
    title: str
    caption: str
    png: bytes


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIG_DPI)
    return buf.getvalue()


def _fmt_value(v: float, unit: str) -> str:
    from .plots import format_score

    return format_score(v, unit)


def _threshold_label(value: float, ids: list[str], unit: str) -> str:
    return f">= {_fmt_value(value, unit)}: " + (ids[0] if len(ids) == 1 else f"{len(ids)} thresholds")


def memo_figures(data: dict) -> list[MemoFigure]:
    """Every figure of the memo, drawn from ``memo_data``'s dict and rendered to PNG once."""
    from matplotlib.figure import Figure

    from . import plots as P

    figs: list[MemoFigure] = []
    as_of = pd.Timestamp(data["as_of"])
    fan = data["fan_benchmarks"]
    if fan:
        n = len(fan)
        ncol = 1 if n == 1 else 2
        nrow = int(np.ceil(n / ncol))
        fig = Figure(figsize=(6.8 if ncol == 1 else 11, 4.2 * nrow), layout="constrained")
        axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
        for ax, b in zip(axes, fan):
            unit = data["units"].get(b, "fraction")
            lines = [(_threshold_label(v, ids, unit), v) for v, ids in data["threshold_lines"][b]]
            P.plot_frontier_fan(data["frontier"], b, unit=unit, observed=data["observed"].get(b), thresholds=lines, ax=ax)
            ax.set_xlim(as_of - pd.DateOffset(years=3), pd.Timestamp(data["year_ends"][-1]))
        for ax in axes[n:]:
            ax.set_visible(False)
        legend: dict[str, object] = {}
        for ax in axes[:n]:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                legend.setdefault(lab, h)
        fig.legend(list(legend.values()), list(legend), loc="outside lower center", ncol=3, fontsize=8, frameon=False)
        figs.append(MemoFigure("frontier", "frontier", "The frontier over time",
                               "Best score among models released by each date, per benchmark that a threshold names. "
                               "Points: the fit's results at default test-time settings; dashed step: the best "
                               f"result so far; fan: the predictive median and intervals after {data['as_of']} "
                               f"(scenario {data['scenario']}); dotted lines: threshold values.", _png(fig)))
    ths = data["predict"]["thresholds"]
    groups: list[list[dict]] = []
    for t in ths:
        fw = t["framework"]
        if groups and groups[-1][0]["framework"] == fw and len(groups[-1]) < MAX_CDF_PER_FIGURE:
            groups[-1].append(t)
        else:
            groups.append([t])
    # merge consecutive single-threshold groups so that small frameworks share a figure
    merged: list[list[dict]] = []
    for g in groups:
        if merged and len(merged[-1]) + len(g) <= MAX_CDF_PER_FIGURE and (len(g) < 3 or len(merged[-1]) < 3):
            merged[-1].extend(g)
        else:
            merged.append(list(g))
    for k, g in enumerate(merged, start=1):
        fig = P.plot_crossing_cdf(g, as_of=data["as_of"], interval=data["crossing_interval"])
        ax = fig.axes[0]
        ax.set_xlim(as_of - pd.DateOffset(months=2), pd.Timestamp(data["until"]))
        frameworks = ", ".join(dict.fromkeys(t["framework"] for t in g))
        figs.append(MemoFigure(f"crossing-{k}", "crossing_cdf", f"Crossing dates: {frameworks}",
                               "P(crossed by date) at each month end (the distribution function of the crossing "
                               "date); a large open marker at the median crossing date (none when the median is already past: "
                               "the legend gives P already); a curve that stays below 1 means some "
                               f"simulated frontiers do not cross by {data['until']}.", _png(fig)))
    s = data["surface"]
    if s is not None:
        fig = P.plot_compute_surface(
            s["x"], s["y"], s["z"], unit=s["unit"], points=s["points"], benchmark=s["benchmark"],
            subtitle=f"a reasoning model released {s['as_of']}; points: results of reasoning models",
            xlabel=f"training compute (log10 FLOP; for results: date-adjusted to {s['as_of']})",
            ylabel="test-time compute (log10 multiple of the default)")
        figs.append(MemoFigure("compute-surface", "compute_surface", "Score against training and test-time compute",
                               f"Posterior-median expected {s['benchmark']} score ({s['n_draws']} draws) of a "
                               f"hypothetical reasoning model released on {s['as_of']}, as a function of its training "
                               "compute and of the test-time compute it is evaluated with: the model's version of o1's "
                               "claim that performance rises smoothly with both. Iso-score lines are labelled. "
                               "Points are the fit's reasoning-mode results on this benchmark, filled with their "
                               "observed score on the same grey scale, so a point that matches its background is "
                               "one the surface explains. A result's x is the training compute a model released on "
                               f"{s['as_of']} would need for its model's capability: its training compute less the "
                               "compute-equivalent of the algorithmic progress between its release and "
                               f"{s['as_of']} (on average {s['compute_per_year']:.2f} OOM a year); its y is its inference multiplier, "
                               f"with effort levels at {s['delta_eff']:.2f} OOM a step. Circles: training compute "
                               "known; diamonds: estimated by the fit.", _png(fig)))
    a = data["attribution"]
    if a is not None:
        fig = P.plot_attribution(a)
        figs.append(MemoFigure("attribution", "attribution", "Where the capability gain came from",
                               f"Capability gain from {a.attrs['old_model']} (the frontier on {data['attribution_start']}) "
                               f"to {a.attrs['new_model']} (the newest frontier), split per posterior draw into "
                               f"training compute, algorithmic progress, test-time compute and the model's own "
                               f"deviation; whiskers: {CI_PROB:.0%} {CI_KIND} intervals; percentages: share of "
                               "the mean total.", _png(fig)))
    up = data["update"]
    if up is not None and up["shift"]:
        fig = P.plot_update_shift(up["shift"])
        figs.append(MemoFigure("update-shift", "update_shift", "What the latest update changed",
                               f"P(crossed by date) before (open) and after (filled) the latest update ({up['method']}), "
                               "per threshold, at the date where it moved most.", _png(fig)))
    cal = data["calibration"]
    if cal is not None and cal["coverage"]:
        fig = P.plot_calibration(cal["coverage"])
        figs.append(MemoFigure("calibration", "calibration", "Backtest calibration: coverage",
                               "Share of held-out results inside the model's central predictive intervals against "
                               "the intervals' nominal probability; grey bars: where a calibrated model's coverage "
                               "falls 95% of the time with that many results.", _png(fig)))
    if cal is not None and cal["pit"]:
        fig = P.plot_pit(cal["pit"])
        figs.append(MemoFigure("pit", "pit", "Backtest calibration: PIT",
                               "Predictive CDF at each held-out result: flat if calibrated, U-shaped if the "
                               "intervals are too narrow, hump-shaped if too wide.", _png(fig)))
    wide, narrow = data["forest"]
    if len(wide):
        labels = {i: KQ_LABELS.get(r["quantity"], r["quantity"]) + (f": {r['domain']}" if r["domain"] else "")
                  for i, r in wide.iterrows()}
        fig = P.plot_key_quantities(wide, narrow, labels=labels)
        figs.append(MemoFigure("key-quantities", "key_quantities", "Key quantities of the fit",
                               f"Posterior medians with 50% and {CI_PROB:.0%} {CI_KIND} intervals, in capability "
                               "units (logits of a benchmark of average steepness) per unit of each driver: an order of "
                               "magnitude (OOM) of training or test-time compute, a year of algorithmic progress, "
                               "reasoning on; 'driver: domain' rows are by benchmark domain.", _png(fig)))
    return figs


# ------------------------------------------------------------------------------------------------
# Blocks: the memo's text, tables and figure slots, from the dict
# ------------------------------------------------------------------------------------------------


def _p(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _when(d: str | None, until: str) -> str:
    return d if d else f"after {until}"


def _interval(iv, until: str) -> str:
    lo, hi = iv
    return f"{_when(lo, until)} to {_when(hi, until)}"


def _join(items: list[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _headline_text(data: dict) -> list[str]:
    rows, until, ye = data["headline"], data["until"], data["year_ends"]
    width = f"{data['crossing_interval']:.0%}"
    paras = [f"Forecast as of {data['as_of']} under the {data['scenario']} scenario ({data['scenario_description']}), "
             f"from {data['n_draws']} posterior draws of fit {data['fit'].get('fit_id') or '-'} "
             f"(data {data['fit'].get('data_hash') or '-'}, seed {data['seed']}). "
             f"{len(rows)} threshold{'s' if len(rows) != 1 else ''} forecast"
             + (f"; {len(data['skipped'])} not forecast (no results on their benchmarks in this fit)."
                if data["skipped"] else ".")]
    already = [r for r in rows if r["prob_already"] >= 0.5]
    ahead = sorted([r for r in rows if r["prob_already"] < 0.5],
                   key=lambda r: (r["median_crossing"] is None, r["median_crossing"] or ""))
    s = []
    if already:
        s.append(f"Probably crossed already (P >= 0.5 on {data['as_of']}): "
                 + _join([f"{r['id']} (P {_p(r['prob_already'])})" for r in already]) + ".")
    nxt = [r for r in ahead if r["median_crossing"]]
    if nxt:
        r = nxt[0]
        s.append(f"Next expected crossing: {r['id']} ({r['rule']}), median {r['median_crossing']}, {width} interval "
                 f"{_interval(r['interval'], until)}; P(crossed by {ye[0]}) = {_p(r['prob_by'][ye[0]])}, "
                 f"by {ye[-1]} = {_p(r['prob_by'][ye[-1]])}.")
        if len(nxt) > 1:
            s.append("Then: " + _join([f"{r['id']} (median {r['median_crossing']})" for r in nxt[1:4]])
                     + (f" and {len(nxt) - 4} more" if len(nxt) > 4 else "") + ".")
    unlikely = [r for r in rows if r["prob_by"][ye[-1]] < 0.5]
    if unlikely:
        s.append(f"Less likely than not to be crossed by {ye[-1]}: "
                 + _join([f"{r['id']} (P {_p(r['prob_by'][ye[-1]])})" for r in unlikely]) + ".")
    if s:
        paras.append(" ".join(s))
    paras.append(f"P is the share of simulated frontiers (fitted models plus simulated future releases) that meet the "
                 f"threshold's rule by the date; crossing dates are medians with {width} equal-tailed intervals. "
                 "These are the numbers `forecast predict` prints for the same fit, thresholds, scenario and seed.")
    return paras


def _frontier_cell(cell, unit: str) -> str:
    if not cell:
        return "-"
    med, lo, hi = cell
    return f"{_fmt_value(med, unit)} [{_fmt_value(lo, unit)}, {_fmt_value(hi, unit)}]"


def _headline_table(data: dict) -> tuple[list[str], list[list[str]]]:
    ye, until = data["year_ends"], data["until"]
    width = f"{data['crossing_interval']:.0%}"
    header = ["threshold", "now"] + [f"by {d[:4]}" for d in ye] + ["median crossing", f"{width} interval"]
    rows = [[r["id"], _p(r["prob_already"])] + [_p(r["prob_by"][d]) for d in ye]
            + [_when(r["median_crossing"], until), _interval(r["interval"], until)] for r in data["headline"]]
    return header, rows


def _update_blocks(data: dict) -> list[tuple]:
    up = data["update"]
    if up is None:
        return [("p", f"{NO_UPDATE[0].upper()}{NO_UPDATE[1:]} (fit {data['fit'].get('fit_id') or '-'}, as of "
                      f"{data['as_of']}). `forecast update` records what new results changed; the next memo will "
                      "show it here.")]
    d = data["diagnostics"]
    how = {"reweight": "reweighting the previous posterior draws by the new results' likelihood (Pareto-smoothed "
                       "importance sampling)",
           "refit": "a full refit (the new results were too surprising for reweighting)"}.get(up["method"], up["method"])
    k = f", Pareto k {d['pareto_k']:.2f}" if d.get("pareto_k") is not None else ""
    out = [("p", f"The latest update added {up['n_results']} results and was made by {how}{k}. P(crossed by date) "
                 "before -> after, and the median crossing date before -> after, for the thresholds the update "
                 "reported:")]
    header = ["threshold"] + [f"by {x[:7]}" for x in up["dates"]] + ["median crossing"]
    rows = []
    for th in up["thresholds"]:
        ss = {s["by"]: s for s in up["shift"] if s["threshold"] == th}
        first = next(iter(ss.values()))
        rows.append([th] + [f"{ss[x]['before']:.2f} -> {ss[x]['after']:.2f}" if x in ss else "-" for x in up["dates"]]
                    + [f"{first.get('median_before') or '-'} -> {first.get('median_after') or '-'}"])
    out.append(("table", header, rows))
    if up["surprise"]:
        out.append(("p", "The most surprising new results (predictive percentile under the previous fit; 0.5 = as "
                         "expected, near 0 or 1 = a surprise):"))
        out.append(("table", ["model", "benchmark", "setting", "observed", "predicted median", "percentile"],
                    [[s["model"], s["benchmark"], s.get("setting", ""), _fmt_value(s["observed"], s["unit"]),
                      _fmt_value(s["predicted_median"], s["unit"]), f"{s['predictive_percentile']:.3f}"]
                     for s in up["surprise"]]))
    if up["n_no_prediction"]:
        out.append(("p", f"{up['n_no_prediction']} new results were on benchmarks new to the fit: no prediction."))
    if up["influence"]:
        out.append(("p", "The single result that moved each threshold most:"))
        out.append(("list", [f"{x['threshold']}: {x['model']} on {x['benchmark']} ({x['setting']}), "
                             f"{x['delta']:+.2f} by {x['by']}" for x in up["influence"]]))
    return out


def _method_blocks(data: dict) -> list[tuple]:
    kq = data["key_quantities"]

    def q(name):
        if name not in kq.index:
            return None
        r = kq.loc[name]
        return f"{r['median']:.2f} [{r['lower']:.2f}, {r['upper']:.2f}]"

    text = ("One latent capability per model, regressed on log training compute (unknown compute is a latent "
            "drawn from the compute trend), release date (algorithmic progress at fixed compute) and, per result, "
            "test-time compute (a reasoning effect and an elasticity per log10 of inference compute, by domain); "
            "each benchmark links capability to score through its own sigmoid with floor and ceiling (fractions, "
            "Beta noise) or a line (Elo, log2 minutes, Normal noise). Fitted by NUTS (nutpie) in PyMC. Forecasts "
            "simulate the frontier per posterior draw: the fitted models plus future releases at the recent release "
            "rate, with training compute from the fitted trend, their own deviations and the date term; a threshold "
            "is crossed when a released model meets its rule with a predictive score including benchmark noise. "
            f"Intervals are {data['ci_prob']:.0%} equal-tailed ({data['ci_kind']}) except crossing dates "
            f"({data['crossing_interval']:.0%}). Details: docs/methodology.md.")
    out = [("p", text)]
    rows = []
    for name, label in (("training_compute_slope", "capability per OOM of training compute"),
                        ("algorithmic_progress_per_year", "capability per year at fixed compute (before 2024)"),
                        ("algorithmic_progress_multiplier_per_year", "same, as effective-compute multiplier per year"),
                        ("algorithmic_progress_per_year_recent", "capability per year at fixed compute (since 2024)"),
                        ("algorithmic_progress_multiplier_per_year_recent", "same, as effective-compute multiplier per year"),
                        ("frontier_compute_growth_oom_per_year", "training compute growth (OOM per year)"),
                        ("reasoning_effect", "reasoning effect (global)"),
                        ("test_time_elasticity", "capability per OOM of test-time compute (global)"),
                        ("model_sd", "model-specific deviation (sd)")):
        v = q(name)
        if v is not None:
            rows.append([label, v])
    if rows:
        out.append(("table", ["quantity", f"median [{data['ci_prob']:.0%} interval]"], rows))
    return out


def _vintage_blocks(data: dict) -> list[tuple]:
    v, d = data["vintage"], data["diagnostics"]
    items = [f"Fit {v['fit_id'] or '-'} (forecast {v['forecast_version'] or '-'}, seed {v['seed']}), "
             f"{v['chains']} chains x {v['draws']} draws; data hash {v['data_hash'] or '-'}"
             + (f", as of {v['as_of']}" if v["as_of"] else "") + ".",
             f"{v['n_models']} models ({v['n_reasoning_models']} reasoning by default, training compute known for "
             f"{v['n_compute_known']}), {v['n_benchmarks']} benchmarks, {v['n_observations']} observations after "
             f"aggregating replicate results. Newest model: {v['newest_model']} (released {v['newest_release']})."]
    ds = v["dataset"]
    if ds:
        ev = ds["by_evaluator"]
        items.append(f"Data directory {v['data_dir']}: {ds['n_results']} results, newest reported {ds['newest_result']}; "
                     f"{ev.get('vendor', 0)} vendor-reported, {ev.get('independent', 0)} independent"
                     + "".join(f", {n} {k}" for k, n in ev.items() if k not in ("vendor", "independent")) + ".")
    elif v["dataset_note"]:
        items.append(v["dataset_note"][0].upper() + v["dataset_note"][1:] + ".")
    out = [("h3", "Data vintage"), ("list", items), ("h3", "Diagnostics")]
    verdict = "passed" if d["passed"] else "FAILED"
    text = (f"Max R-hat {d['max_rhat']:.4f} (at most {d['rhat_max']} required), min bulk ESS {d['min_ess_bulk']:.0f}, "
            f"{d['divergences']:.0f} divergences: {verdict} ({d['source']}).")
    if d["update_method"] == "reweight":
        text += (" This fit was updated by importance reweighting"
                 + (f" (Pareto k {d['pareto_k']:.2f}; above 0.7 the update would have refitted)" if d["pareto_k"] is not None else "")
                 + "; the draws are a resample of an MCMC fit.")
    if not d["passed"]:
        text += " Read the forecast with care: the sampler has not shown convergence."
    out.append(("p", text))
    out.append(("h3", "Backtest calibration"))
    cal = data["calibration"]
    if cal is None:
        out.append(("p", NO_BACKTEST[0].upper() + NO_BACKTEST[1:] + "."))
        return out
    from .plots import binomial_band

    origins = cal["origins"]
    out.append(("p", f"Rolling-origin backtest ({len(origins)} origin{'s' if len(origins) != 1 else ''}"
                     + (f": {origins[0]} to {origins[-1]}" if origins else "") + "): refit at each origin on the data "
                     "known then, predict the results reported after it."))
    if cal["scores"]:
        rows = []
        for name, s in cal["scores"].items():
            if not isinstance(s, dict):
                continue
            f = (lambda x: "-" if x is None else f"{float(x):.3f}")
            rows.append([str(name), f(s.get("crps")), f(s.get("coverage50")), f(s.get("coverage80")),
                         f(s.get("coverage95")), str(s.get("n", "-"))])
        out.append(("table", ["method", "CRPS (lower is better)", "coverage 50%", "coverage 80%", "coverage 95%", "n"], rows))
    if cal.get("best_baseline") and cal.get("ratio_to_best_baseline") is not None:
        r = cal["ratio_to_best_baseline"]
        out.append(("p", f"CRPS of the model / CRPS of the best peer method ({cal['best_baseline']}): {r:.2f} "
                         f"({'better' if r < 1 else 'not better'} than the best peer on fraction benchmarks)."))
    ev = cal.get("events") or {}
    if ev.get("n_resolved") and ev.get("brier") is not None:
        out.append(("p", f"Threshold-event forecasts made at the origins: {ev.get('n')} forecasts, {ev['n_resolved']} "
                         f"resolved by the data, Brier score {float(ev['brier']):.3f} (0 is perfect, 0.25 is a coin "
                         "flip)."))
    if cal["coverage"]:
        verdicts = []
        for c in sorted(cal["coverage"], key=lambda c: c["nominal"]):
            lo, hi = c.get("bounds95") or binomial_band(c["nominal"], c["n"])
            ok = lo <= c["observed"] <= hi
            eff = f", worth {c['n_effective']} independent ones" if c.get("n_effective") else ""
            verdicts.append(f"{c['nominal']:.0%} intervals held {c['observed']:.0%} of {c['n']} results{eff} "
                            f"({'within' if ok else 'outside'} the 95% binomial range {lo:.0%}-{hi:.0%})")
        out.append(("p", "Coverage: " + "; ".join(verdicts) + "."))
    return out


def _caveat_blocks(data: dict) -> list[tuple]:
    v = data["vintage"]
    items = ["A proxy crossing is not a lab determination. Each threshold is a benchmark proxy of a lab's capability "
             "threshold; labs decide with internal evaluations (uplift trials, red-teaming, expert judgement) that no "
             "public benchmark reproduces. What each proxy misses is listed below."]
    ds = v["dataset"]
    if ds:
        ev = ds["threshold_by_evaluator"]
        n = ds["threshold_results"]
        items.append(f"Vendor-reported and independent scores are pooled. Of the {n} results on the thresholds' "
                     f"benchmarks, {ev.get('vendor', 0)} are vendor-reported and {ev.get('independent', 0)} independent. "
                     "Vendors choose settings, scaffolds and subsets and report their best; the model has no "
                     "vendor effect, and replicates of one setting enter as their median.")
    else:
        items.append("Vendor-reported and independent scores are pooled: vendors choose settings, scaffolds and "
                     "subsets and report their best; the model has no vendor effect.")
    items.append(f"The forecast assumes the {data['scenario']} scenario: {data['scenario_description']}. Other "
                 "scenarios: `forecast memo --scenario NAME`.")
    items.append("Unknown training compute (most frontier models since mid-2024) is drawn from the all-model compute "
                 "trend, so the split between training compute and the date term is uncertain for those models.")
    if data["skipped"]:
        why: dict[str, list[str]] = {}
        for x in data["skipped"]:
            why.setdefault(x["reason"], []).append(x["id"])
        items.append("Not forecast: " + "; ".join(f"{', '.join(ids)} ({reason})" for reason, ids in why.items()) + ".")
    out = [("list", items), ("h3", "What each proxy misses")]
    notes = []
    for tid, t in data["thresholds"].items():
        note = re.sub(r"\s+", " ", t.proxy_note).strip()
        notes.append(f"{tid} ({t.framework}, {t.level}; rule `{t.rule}`): {note}")
    out.append(("list", notes))
    return out


def memo_blocks(data: dict, figures: list[MemoFigure]) -> list[tuple]:
    """The memo as blocks: ("title"|"h2"|"h3"|"p", text), ("list", items), ("table", header,
    rows), ("figure", MemoFigure). Text may hold `code` spans; nothing else is markup."""
    blocks: list[tuple] = [("title", f"Capability-threshold forecast memo, as of {data['as_of']}"),
                           ("meta", f"forecast {data['forecast_version']}; fit {data['fit'].get('fit_id') or '-'}; "
                                    f"scenario {data['scenario']}; seed {data['seed']}"),
                           ("h2", "1. Headline")]
    blocks += [("p", t) for t in _headline_text(data)]
    header, rows = _headline_table(data)
    blocks.append(("table", header, rows))
    if data["frontier_rows"]:
        ye = data["year_ends"]
        blocks.append(("p", "The frontier (best model released by the date) on the thresholds' benchmarks: "
                            "predictive median [90% interval: 5th to 95th percentile]."))
        blocks.append(("table", ["benchmark"] + [d[:4] for d in ye],
                       [[r["benchmark"]] + [_frontier_cell(r["cells"].get(d), r["unit"]) for d in ye]
                        for r in data["frontier_rows"]]))
    blocks.append(("h2", "2. What changed since the previous forecast"))
    blocks += _update_blocks(data)
    blocks.append(("h2", "3. Figures"))
    for f in figures:
        blocks.append(("figure", f))
    blocks.append(("h2", "4. Method in brief"))
    blocks += _method_blocks(data)
    blocks.append(("h2", "5. Data vintage, diagnostics and backtest calibration"))
    blocks += _vintage_blocks(data)
    blocks.append(("h2", "6. Caveats"))
    blocks += _caveat_blocks(data)
    return blocks


# ------------------------------------------------------------------------------------------------
# Renderers
# ------------------------------------------------------------------------------------------------


def render_markdown(blocks: list[tuple], image_src) -> str:
    """Markdown; ``image_src(figure)`` gives each image's path."""
    out = []

    def cell(x):
        return str(x).replace("|", "\\|").replace("\n", " ")

    n_fig = 0
    for b in blocks:
        kind = b[0]
        if kind == "title":
            out.append(f"# {b[1]}")
        elif kind == "meta":
            out.append(f"*{b[1]}*")
        elif kind == "h2":
            out.append(f"## {b[1]}")
        elif kind == "h3":
            out.append(f"### {b[1]}")
        elif kind == "p":
            out.append(b[1])
        elif kind == "list":
            out.append("\n".join(f"- {x}" for x in b[1]))
        elif kind == "table":
            header, rows = b[1], b[2]
            lines = ["| " + " | ".join(cell(h) for h in header) + " |",
                     "|" + "|".join("---" for _ in header) + "|"]
            lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
            out.append("\n".join(lines))
        elif kind == "figure":
            n_fig += 1
            f = b[1]
            out.append(f"**Figure {n_fig}. {f.title}.**\n\n![{f.title}]({image_src(f)})\n\n{f.caption}")
    return "\n\n".join(out) + "\n"


def _html_inline(text: str) -> str:
    parts = str(text).split("`")
    return "".join(html.escape(p) if i % 2 == 0 else f"<code>{html.escape(p)}</code>" for i, p in enumerate(parts))


HTML_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #111; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; border-bottom: 1px solid #999; margin-top: 2rem; }
h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.85rem; }
th, td { border: 1px solid #bbb; padding: 0.2rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #eee; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.85rem; color: #333; }
code { font-size: 0.9em; background: #f3f3f3; padding: 0 0.2em; }
.meta { color: #555; font-style: italic; }
"""


def render_html(blocks: list[tuple]) -> str:
    """One self-contained HTML file: inline CSS, images as base64 data URIs, no external links
    needed to display it."""
    body = []
    n_fig = 0
    for b in blocks:
        kind = b[0]
        if kind == "title":
            body.append(f"<h1>{_html_inline(b[1])}</h1>")
        elif kind == "meta":
            body.append(f'<p class="meta">{_html_inline(b[1])}</p>')
        elif kind in ("h2", "h3"):
            body.append(f"<{kind}>{_html_inline(b[1])}</{kind}>")
        elif kind == "p":
            body.append(f"<p>{_html_inline(b[1])}</p>")
        elif kind == "list":
            body.append("<ul>" + "".join(f"<li>{_html_inline(x)}</li>" for x in b[1]) + "</ul>")
        elif kind == "table":
            head = "".join(f"<th>{_html_inline(h)}</th>" for h in b[1])
            rows = "".join("<tr>" + "".join(f"<td>{_html_inline(c)}</td>" for c in r) + "</tr>" for r in b[2])
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif kind == "figure":
            n_fig += 1
            f = b[1]
            src = "data:image/png;base64," + base64.b64encode(f.png).decode("ascii")
            body.append(f'<figure id="fig-{html.escape(f.name)}"><img src="{src}" alt="{html.escape(f.title)}">'
                        f"<figcaption><b>Figure {n_fig}. {_html_inline(f.title)}.</b> {_html_inline(f.caption)}"
                        "</figcaption></figure>")
    title = next((b[1] for b in blocks if b[0] == "title"), "memo")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{HTML_STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def render_pdf(blocks: list[tuple]) -> bytes:
    """A4 PDF with fpdf2, in DejaVu Sans (shipped with matplotlib, so any character prints)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    fonts = _font_dir()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(fonts / "DejaVuSans-Oblique.ttf"))
    pdf.add_page()
    nl = dict(new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def text(t, size=9.5, style="", h=4.8):
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(0, h, str(t).replace("`", ""), align="L", **nl)

    n_fig = 0
    for b in blocks:
        kind = b[0]
        if kind == "title":
            text(b[1], 16, "B", 8)
        elif kind == "meta":
            text(b[1], 8.5, "I")
            pdf.ln(2)
        elif kind == "h2":
            if pdf.get_y() > pdf.h - 45:
                pdf.add_page()
            pdf.ln(3)
            text(b[1], 12.5, "B", 7)
        elif kind == "h3":
            pdf.ln(1)
            text(b[1], 10.5, "B", 6)
        elif kind == "p":
            text(b[1])
            pdf.ln(1.5)
        elif kind == "list":
            for item in b[1]:
                pdf.set_font("DejaVu", "", 9)
                pdf.set_x(pdf.l_margin + 3)
                pdf.multi_cell(0, 4.5, "\u2022 " + str(item).replace("`", ""), align="L", **nl)
                pdf.ln(0.6)
            pdf.ln(1)
        elif kind == "table":
            header, rows = b[1], b[2]
            ncol = len(header)
            size = 8 if ncol <= 5 else (7 if ncol <= 8 else 6)
            pdf.set_font("DejaVu", "", size)
            first = 2.2 if ncol > 3 else 1.5
            widths = [first] + [1.0] * (ncol - 1)
            if header and header[-1].endswith("interval"):
                widths[-1] = 2.0
            pdf.set_draw_color(170, 170, 170)
            head_style = FontFace(family="DejaVu", emphasis="BOLD", fill_color=(235, 235, 235))
            with pdf.table(col_widths=widths, text_align="LEFT", line_height=size * 0.5, first_row_as_headings=True,
                           headings_style=head_style) as table:
                r = table.row()
                for h in header:
                    r.cell(str(h).replace("`", ""))
                for row in rows:
                    r = table.row()
                    for c in row:
                        r.cell(str(c).replace("`", ""))
            pdf.ln(2)
        elif kind == "figure":
            n_fig += 1
            f = b[1]
            from PIL import Image

            with Image.open(io.BytesIO(f.png)) as im:
                w_px, h_px = im.size
            w = pdf.epw
            h = w * h_px / w_px
            # wide figures at most 125 mm tall, so that two share a page; tall ones up to a page
            max_h = pdf.h - pdf.t_margin - pdf.b_margin - 25 if h_px > 0.9 * w_px else 125.0
            if h > max_h:
                w, h = w * max_h / h, max_h
            if pdf.get_y() + h + 15 > pdf.h - pdf.b_margin:
                pdf.add_page()
            pdf.image(io.BytesIO(f.png), x=pdf.l_margin + (pdf.epw - w) / 2, w=w, h=h)
            pdf.ln(1)
            pdf.set_font("DejaVu", "B", 8.5)
            pdf.multi_cell(0, 4.2, f"Figure {n_fig}. {f.title}.", **nl)
            text(f.caption, 8, "", 4)
            pdf.ln(3)
    return bytes(pdf.output())


# ------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------


def build_memo(idata, out_dir, formats=("html", "md"), thresholds_path=None, scenario: str = "baseline",
               calibration=None, seed: int = 1) -> dict[str, Path]:
    """Write the memo to ``out_dir`` in each of ``formats`` (html, md, pdf): ``memo.html`` (self-
    contained), ``memo.md`` with its PNGs in ``figures/``, ``memo.pdf``. Everything is written to
    a temporary directory first and moved into place at the end, so a failure leaves the previous
    memo (or nothing), never half of one. ``calibration``: a dict or a JSON file from
    ``forecast recalibrate``, or None. Returns {format: path}."""
    formats = parse_formats(formats)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ForecastError(f"{out_dir}: exists and is not a directory; give another --out")
    data = memo_data(idata, thresholds_path=thresholds_path, scenario=scenario, calibration=calibration, seed=seed)
    figures = memo_figures(data)
    blocks = memo_blocks(data, figures)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        staged: dict[str, Path] = {}
        if "md" in formats:
            fdir = tmp / FIGURE_DIR
            fdir.mkdir()
            for k, f in enumerate(figures, start=1):
                (fdir / f"fig{k}-{f.name}.png").write_bytes(f.png)
            index = {id(f): k for k, f in enumerate(figures, start=1)}
            text = render_markdown(blocks, lambda f: f"{FIGURE_DIR}/fig{index[id(f)]}-{f.name}.png")
            (tmp / f"{MEMO_STEM}.md").write_text(text, encoding="utf-8")
            staged["md"] = tmp / f"{MEMO_STEM}.md"
        if "html" in formats:
            (tmp / f"{MEMO_STEM}.html").write_text(render_html(blocks), encoding="utf-8")
            staged["html"] = tmp / f"{MEMO_STEM}.html"
        if "pdf" in formats:
            (tmp / f"{MEMO_STEM}.pdf").write_bytes(render_pdf(blocks))
            staged["pdf"] = tmp / f"{MEMO_STEM}.pdf"
        out_dir.mkdir(parents=True, exist_ok=True)
        if "md" in formats:
            old = out_dir / FIGURE_DIR
            trash = None
            if old.exists():
                trash = tmp / ".old-figures"
                os.replace(old, trash)
            os.replace(tmp / FIGURE_DIR, old)
        written = {}
        for fmt in formats:
            target = out_dir / staged[fmt].name
            os.replace(staged[fmt], target)
            written[fmt] = target
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def default_calibration_path(fit: str | Path) -> Path | None:
    p = Path(fit).parent / CALIBRATION_FILE
    return p if p.exists() else None


def memo(fit: str | Path, out_dir: str | Path, *, formats="html,md", thresholds_path=None, scenario: str = "baseline",
         calibration: str | Path | None = None, seed: int = 1) -> dict[str, Path]:
    """``forecast memo``: check the arguments, load the fit, ``build_memo``. Without
    ``calibration`` the ``recalibration.json`` beside the fit is used if there is one."""
    from .fit import load_fit
    from .forecasting import get_scenario

    formats = parse_formats(formats)
    get_scenario(scenario)
    if thresholds_path is not None and not Path(thresholds_path).exists():
        raise ForecastError(f"{thresholds_path}: thresholds file not found")
    cal = load_calibration(calibration if calibration is not None else default_calibration_path(fit))
    idata = load_fit(fit)
    return build_memo(idata, out_dir, formats=formats, thresholds_path=thresholds_path, scenario=scenario,
                      calibration=cal, seed=seed)
