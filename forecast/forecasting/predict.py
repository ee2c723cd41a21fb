"""`forecast predict`: one dict that the CLI prints as a table or JSON (and the memo reuses)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..data import parse_date
from ..errors import ForecastError
from ..inference import load_fit
from .frontier import CROSSING_INTERVAL, frontier_quantiles, threshold_forecast
from .scenarios import get_scenario
from .thresholds import load_thresholds, select


def fit_benchmark_units(idata) -> dict[str, str]:
    c = idata["constant_data"]
    return {str(b): str(u) for b, u in zip(c["benchmark"].values, c["bench_unit"].values)}


def registry_units(idata) -> dict[str, str]:
    """Benchmarks a threshold may name: the bundled registry plus those in the fit."""
    from ..data import bundled_benchmarks

    frame = bundled_benchmarks()
    return {**dict(zip(frame["benchmark"], frame["unit"])), **fit_benchmark_units(idata)}


def forecastable(ths, idata) -> tuple[list, list[dict]]:
    """Split thresholds into those the fit can forecast and those naming a benchmark the fit has
    no results on (e.g. METR horizons before METR published, in a fit as of 2024-09-11)."""
    in_fit = set(fit_benchmark_units(idata))
    ok, skipped = [], []
    for t in ths:
        missing = sorted({c.benchmark for c in t.criteria} - in_fit)
        if missing:
            skipped.append({"id": t.id, "reason": f"no results on {', '.join(missing)} in this fit"})
        else:
            ok.append(t)
    return ok, skipped


def predict_from_idata(
    idata, *, threshold_ids=None, by=None, scenario="baseline", thresholds_path=None, seed: int = 1
) -> dict:
    get_scenario(scenario)  # an unknown scenario is reported before anything else
    for d in by or []:
        _, msg = parse_date(d)
        if msg:
            raise ForecastError(f"--by: {msg}")
    ths = select(load_thresholds(thresholds_path, registry_units(idata)), threshold_ids)
    ths, skipped = forecastable(ths, idata)
    if not ths:
        raise ForecastError(
            "none of the selected thresholds can be forecast from this fit: "
            + "; ".join(f"{x['id']}: {x['reason']}" for x in skipped)
        )
    fc = threshold_forecast(idata, ths, by, scenario=scenario, seed=seed)
    fc["skipped"] = skipped
    dates = [pd.Timestamp(d) for d in fc["thresholds"][0]["prob_by"]] if fc["thresholds"] else []
    benches = sorted({c.benchmark for t in ths for c in t.criteria})
    fq = (
        frontier_quantiles(idata, benches, dates, scenario=scenario, seed=seed) if benches and dates else pd.DataFrame()
    )
    for t in fc["thresholds"]:
        t.pop("_crossing_years", None)
    fc["frontier"] = fq.to_dict(orient="records")
    fc["fit"] = {
        k: (lambda v: v.item() if hasattr(v, "item") else v)(idata.attrs.get(k))
        for k in ("fit_id", "data_hash", "seed", "forecast_version")
    }
    fc["crossing_interval"] = CROSSING_INTERVAL
    return fc


def predict(fit: str | Path, **kwargs) -> dict:
    return predict_from_idata(load_fit(fit), **kwargs)
