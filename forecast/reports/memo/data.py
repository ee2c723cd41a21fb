"""Everything the memo states, computed once into one dict (``memo_data``): the forecast itself is
``forecast.forecasting.predict.predict_from_idata``; the rest gathers the latest update,
attribution, key quantities, the compute surface, data vintage, diagnostics and the backtest
calibration. No number is computed twice, so every format and ``forecast predict`` agree.

The predict call asks for P(crossed by date) at every month end up to the end of the last default
year instead of at year ends only. Same seed, same simulation horizon, hence the same simulated
frontiers: the year-end probabilities, the medians and intervals, are exactly those of
``forecast predict`` (a test checks it), and the monthly values draw the crossing-date CDFs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ... import CI_KIND, CI_PROB, __version__
from ...errors import ForecastError
from ..text import lab_call_cell

CALIBRATION_FILE = "recalibration.json"
#: Attribution starts from the frontier the day before the o1 announcement when the fit covers it.
ATTRIBUTION_START = "2024-09-11"
MAX_FAN_BENCHMARKS = 6
N_SURPRISES = 6


KQ_ROWS = (
    "training_compute_slope",
    "algorithmic_progress_per_year",
    "reasoning_effect",
    "test_time_elasticity",
    "model_sd",
)


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
        cov = [
            {
                "nominal": float(c["nominal"]),
                "observed": float(c["observed"]),
                "n": int(c.get("n") or 0),
                **({"bounds95": [float(v) for v in c["bounds95"]]} if c.get("bounds95") else {}),
                **({"n_effective": int(c["n_effective"])} if c.get("n_effective") else {}),
            }
            for c in cov
            if c.get("observed") is not None
        ]
        pit = [float(p) for p in (calibration.get("pit") or []) if p is not None and np.isfinite(float(p))]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ForecastError(f"{where}: malformed coverage or pit entries ({exc})") from None
    scores = calibration.get("scores") or {}
    if not isinstance(scores, dict):
        raise ForecastError(f"{where}: 'scores' must map each method to its scores")
    ratio = calibration.get("ratio_to_best_baseline")
    events = calibration.get("events") if isinstance(calibration.get("events"), dict) else {}
    return {
        "origins": [str(o) for o in calibration.get("origins") or []],
        "scores": scores,
        "coverage": cov,
        "pit": pit,
        "best_baseline": calibration.get("best_baseline"),
        "ratio_to_best_baseline": None if ratio is None else float(ratio),
        "events": {
            k: events.get(k)
            for k in ("n", "n_resolved", "brier", "brier_climatology", "brier_skill", "base_rate", "by_origin")
        }
        if events
        else None,
        "frontier": calibration.get("frontier") if isinstance(calibration.get("frontier"), dict) else None,
    }


def _date(ref: str, t_years: float) -> pd.Timestamp:
    return pd.Timestamp(ref) + pd.to_timedelta(round(float(t_years) * 365.25), unit="D")


def _observed_default(inputs, config, b: int) -> pd.DataFrame:
    """The fit's results on benchmark ``b`` at the model's default test-time setting."""
    m = inputs.obs_model
    default = (
        (inputs.obs_bench == b)
        & (inputs.log10_mult == 0)
        & (inputs.effort_step == 0)
        & (inputs.reasoning_obs == inputs.reasoning_model[m].astype(float))
    )
    idx = np.flatnonzero(default)
    return pd.DataFrame(
        {
            "model": [inputs.model_ids[m[i]] for i in idx],
            "date": [_date(config.ref_date, inputs.t_model[m[i]]) for i in idx],
            "score": inputs.score[idx],
        }
    )


def _vintage(idata, inputs, config, threshold_benchmarks: set[str]) -> dict:
    from ... import data as D
    from ...data.summary import summarise
    from ...forecasting.predict import STALE_DAYS

    t_max = int(np.argmax(inputs.t_model))
    post = idata["posterior"]
    out = {
        "as_of": idata.attrs.get("as_of") or "",
        "n_models": inputs.n_models,
        "n_benchmarks": len(inputs.benchmark_ids),
        "n_observations": inputs.n_obs,
        "n_reasoning_models": int(inputs.reasoning_model.sum()),
        "n_compute_known": int(inputs.c_known.sum()),
        "newest_model": inputs.model_ids[t_max],
        "newest_release": _date(config.ref_date, inputs.t_model[t_max]).date().isoformat(),
        "data_hash": str(idata.attrs.get("data_hash", "")),
        "fit_id": str(idata.attrs.get("fit_id", "")),
        "seed": idata.attrs.get("seed"),
        "forecast_version": str(idata.attrs.get("forecast_version", "")),
        "chains": int(post.sizes["chain"]),
        "draws": int(post.sizes["draw"]),
        "data_dir": str(idata.attrs.get("data_dir", "") or ""),
        "dataset": None,
        "dataset_note": "",
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
        out["dataset_note"] = (
            f"the data directory {d} has changed since this fit (data {ds.data_hash}, fit "
            f"{out['data_hash']}); counts below are from the fit only"
        )
        return out
    s = summarise(ds)
    r = ds.results
    on_th = r[r["benchmark"].isin(threshold_benchmarks)]
    out["dataset"] = {
        "n_results": s["n_results"],
        "newest_result": s["newest_result"],
        "by_evaluator": s["by_evaluator"],
        "first_release": s["first_release"],
        "last_release": s["last_release"],
        "threshold_results": int(len(on_th)),
        "threshold_by_evaluator": {k or "unknown": int(v) for k, v in on_th["evaluator"].value_counts().items()},
        # how far the data reach on each threshold benchmark: its newest reported result, named in
        # the headline when older than the data by more than the staleness warning's days
        "stale_days": STALE_DAYS,
        "reach": {
            b["benchmark"]: b["newest"]
            for b in sorted(s["benchmarks"], key=lambda b: b["benchmark"])
            if b["benchmark"] in threshold_benchmarks and b["n_results"]
        },
    }
    return out


def _diagnostics(idata) -> dict:
    from ...inference import RHAT_MAX, diagnostics, diagnostics_pass, recorded_diagnostics

    diag = recorded_diagnostics(idata)
    source = "recorded at fit time"
    if diag is None:
        diag = diagnostics(idata)
        source = "computed from the saved draws"
    method = str(idata.attrs.get("update_method", "") or "")
    k = idata.attrs.get("update_pareto_k")
    return {
        **{k2: float(v) for k2, v in diag.items()},
        "passed": bool(diagnostics_pass(diag)),
        "rhat_max": RHAT_MAX,
        "source": source,
        "update_method": method,
        "pareto_k": None if k is None or float(k) < 0 or float(k) >= 1e9 else float(k),
    }


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
    return {
        "method": up.get("method", ""),
        "shift": shift,
        "dates": list(dict.fromkeys(s["by"] for s in shift)),
        "thresholds": list(dict.fromkeys(s["threshold"] for s in shift)),
        "n_results": len(up.get("surprise", [])),
        "n_no_prediction": sum(1 for s in up.get("surprise", []) if s.get("predictive_percentile") is None),
        "surprise": surprise[:N_SURPRISES],
        "influence": influence,
    }


def memo_data(idata, *, thresholds_path=None, scenario: str = "baseline", calibration=None, seed: int = 1) -> dict:
    """Everything the memo states, computed once. The forecast itself is ``predict`` (the dict
    ``forecast.predict.predict_from_idata`` returns); ``headline`` picks its year-end columns."""
    from ... import model as M
    from ...forecasting.attribution import attribute_gain
    from ...forecasting.frontier import DEFAULT_HORIZON_YEARS, data_as_of, month_grid
    from ...forecasting.predict import measurable_limits, predict_from_idata, registry_units
    from ...forecasting.scenarios import get_scenario
    from ...forecasting.surface import compute_surface
    from ...forecasting.thresholds import load_thresholds

    get_scenario(scenario)  # an unknown scenario fails here, before any work
    calib = load_calibration(calibration)
    as_of, _ = data_as_of(idata)
    year_ends = [f"{y}-12-31" for y in range(as_of.year, as_of.year + DEFAULT_HORIZON_YEARS + 1)]
    grid = sorted({d.date().isoformat() for d in month_grid(as_of, pd.Timestamp(year_ends[-1]))} | set(year_ends))
    result = predict_from_idata(idata, by=grid, scenario=scenario, thresholds_path=thresholds_path, seed=seed)

    inputs = M.inputs_from_idata(idata)
    config = M.config_from_idata(idata)
    units = {
        b: {0: "fraction", 1: "elo", 2: "minutes"}[int(u)] for b, u in zip(inputs.benchmark_ids, inputs.bench_unit)
    }
    defs = {t.id: t for t in load_thresholds(thresholds_path, registry_units(idata))}
    rows = []
    for t in result["thresholds"]:
        rows.append(
            {
                "id": t["id"],
                "name": t.get("name") or t["id"],
                "lab_call": lab_call_cell(t),
                "lab_comparison": t.get("lab_comparison", ""),
                "lab_determinations": t.get("lab_determinations", []),
                "framework": t["framework"],
                "level": t["level"],
                "rule": t["rule"],
                "prob_already": t["prob_already"],
                "prob_by": {d: t["prob_by"][d] for d in year_ends},
                "median_crossing": t["median_crossing"],
                "interval": list(t["crossing_interval_80"]),
                "crossed": bool(t.get("observed_crossing")),
                "extrapolation": t.get("extrapolation"),
            }
        )
    fq = pd.DataFrame(result["frontier"])
    limits = measurable_limits(idata)
    benches: list[str] = []
    for t in result["thresholds"]:
        for c in defs[t["id"]].criteria:
            if c.benchmark not in benches:
                benches.append(c.benchmark)
    count = {
        b: sum(1 for t in result["thresholds"] for c in defs[t["id"]].criteria if c.benchmark == b) for b in benches
    }
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
            frontier_rows.append(
                {
                    "benchmark": b,
                    "unit": units.get(b, ""),
                    "limit": limits.get(b),
                    "cells": {r["date"]: (r["q0.5"], r["q0.05"], r["q0.95"]) for _, r in g.iterrows()},
                }
            )

    ref = pd.Timestamp(config.ref_date)
    releases = [ref + pd.to_timedelta(round(t * 365.25), unit="D") for t in inputs.t_model]
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
        "predict": result,
        "as_of": result["as_of"],
        "scenario": result["scenario"],
        "scenario_description": result["scenario_description"],
        "n_draws": result["n_draws"],
        "until": result["until"],
        "year_ends": year_ends,
        "headline": rows,
        "data_vintage": result.get("data_vintage"),
        "skipped": result["skipped"],
        "crossing_interval": result["crossing_interval"],
        "ci_prob": CI_PROB,
        "ci_kind": CI_KIND,
        "thresholds": {i: defs[i] for i in (t["id"] for t in result["thresholds"])},
        "units": units,
        "frontier": fq,
        "frontier_rows": frontier_rows,
        "fan_benchmarks": fan,
        "threshold_lines": lines,
        "observed": observed,
        "update": _last_update(idata, units),
        "attribution": attribution,
        "attribution_start": start,
        "key_quantities": kq_wide,
        "forest": (forest, kq_narrow.loc[forest.index]),
        "surface": compute_surface(idata, pd.Timestamp(result["as_of"]), seed=seed),
        "vintage": _vintage(idata, inputs, config, threshold_benchmarks),
        "threshold_benchmarks": sorted(threshold_benchmarks),
        "model_config": config.to_dict(),
        "diagnostics": _diagnostics(idata),
        "calibration": calib,
        "fit": result["fit"],
        "seed": seed,
        "forecast_version": __version__,
    }


def default_calibration_path(fit: str | Path) -> Path | None:
    p = Path(fit).parent / CALIBRATION_FILE
    return p if p.exists() else None
