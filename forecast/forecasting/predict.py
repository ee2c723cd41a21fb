"""`forecast predict`: one dict that the CLI prints as a table or JSON (and the memo reuses)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
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
    add_lab_calls(fc, ths, idata)
    fc["data_vintage"] = data_vintage(idata, fc["as_of"])
    fc["frontier"] = frontier_records(idata, fq)
    flag_extrapolations(fc, ths, idata)
    fc["fit"] = {
        k: (lambda v: v.item() if hasattr(v, "item") else v)(idata.attrs.get(k))
        for k in ("fit_id", "data_hash", "seed", "forecast_version")
    }
    fc["crossing_interval"] = CROSSING_INTERVAL
    return fc


def measurable_limits(idata) -> dict[str, float]:
    """The most each benchmark's suite can measure (``measurable_max``), where the registry gives it."""
    from ..model import inputs_from_idata

    inputs = inputs_from_idata(idata)
    return {b: float(v) for b, v in zip(inputs.benchmark_ids, inputs.measurable_max) if np.isfinite(v)}


def frontier_records(idata, fq: pd.DataFrame) -> list[dict]:
    """The frontier quantiles as JSON records, with each benchmark's unit and, where its suite
    has a measurable maximum, that maximum and whether the median forecast passes it."""
    if fq.empty:
        return []
    units, limits = registry_units(idata), measurable_limits(idata)
    out = []
    for r in fq.to_dict(orient="records"):
        r["unit"] = units.get(r["benchmark"], "")
        if r["benchmark"] in limits:
            r["measurable_max"] = limits[r["benchmark"]]
            r["beyond_measurable"] = bool(r["q0.5"] > limits[r["benchmark"]])
        out.append(r)
    return out


def flag_extrapolations(fc: dict, ths, idata) -> None:
    """A threshold whose proxy asks for more than its benchmark's suite measures gets a note
    (``extrapolation``): its probabilities rest on the model's extrapolation past the tasks."""
    limits, units = measurable_limits(idata), registry_units(idata)

    def fmt(v: float, b: str) -> str:
        return f"{v / 60:g} h" if units.get(b) == "minutes" else f"{v:g}"

    by_id = {t.id: t for t in ths}
    for t in fc["thresholds"]:
        past = [c for c in by_id[t["id"]].criteria if c.benchmark in limits and c.value > limits[c.benchmark]]
        t["extrapolation"] = (
            "; ".join(
                f"the proxy asks for {c.benchmark} {c.comparison} {fmt(c.value, c.benchmark)}, past the "
                f"{fmt(limits[c.benchmark], c.benchmark)} its task suite measures: a probability of the model's "
                "extrapolation, not of a measurement"
                for c in past
            )
            or None
        )


#: Data older than this on the day of writing get a visible warning.
STALE_DAYS = 90


def determinations_for(idata) -> pd.DataFrame:
    """The labs' determinations beside the fit's data directory, else beside the bundled data."""
    from ..data.determinations import determinations_path, load_determinations

    data_dir = str(idata.attrs.get("data_dir", "") or "")
    return load_determinations(data_dir if data_dir and determinations_path(data_dir).exists() else None)


def add_lab_calls(fc: dict, ths, idata) -> None:
    """Beside each threshold's P(proxy crossed by date): the lab level it stands for, the lab's
    own published calls on that level (``lab_determinations``, an empty list when there is none),
    when the data show the proxy crossed, and one sentence comparing the two."""
    from .frontier import observed_crossing_in_fit
    from .labcalls import compare, lab_determinations

    determinations = determinations_for(idata)
    by_id = {t.id: t for t in ths}
    for t in fc["thresholds"]:
        th = by_id[t["id"]]
        calls = lab_determinations(th, determinations)
        crossed_on, crossed_by = observed_crossing_in_fit(idata, th)
        t.update(
            {
                "name": th.display_name or th.id,
                "lab": th.lab,
                "lab_level": th.lab_level,
                "category": th.category,
                "aliases": list(th.aliases),
                "observed_crossing": {"date": crossed_on, "model": crossed_by} if crossed_on else None,
                "lab_determinations": [
                    {k: c[k] for k in ("date", "model", "lab", "level", "determination", "source_url")} for c in calls
                ],
                "lab_comparison": compare(th, calls, crossed_on, fc["as_of"]),
            }
        )
    fc["determinations_newest"] = str(determinations["date"].max()) if len(determinations) else None


def data_vintage(idata, as_of: str, today: str | None = None) -> dict:
    """How old the data behind the forecast are on the day of writing: the as-of date, the newest
    result and the newest release in the fit, their age in days, and a warning past ``STALE_DAYS``."""
    from ..data.validation import today as today_fn

    today = today or today_fn()
    inputs_ref = idata["constant_data"]
    config = idata.attrs.get("model_config")
    newest_result = str(idata.attrs.get("newest_result", "") or "") or None
    ref = json.loads(config).get("ref_date", "2024-01-01") if config else "2024-01-01"
    t = np.asarray(inputs_ref["t_model"].values, dtype=float)
    newest_release = (pd.Timestamp(ref) + pd.to_timedelta(round(float(t.max()) * 365.25), unit="D")).date().isoformat()
    age = (pd.Timestamp(today) - pd.Timestamp(as_of)).days
    stale = age > STALE_DAYS
    return {
        "as_of": as_of,
        "newest_result": newest_result,
        "newest_release": newest_release,
        "written_on": today,
        "age_days": int(age),
        "stale": bool(stale),
        "warning": (
            f"The data are {age} days old on {today} (as of {as_of}): results published since are not in this "
            "forecast. Update the data (forecast data import, forecast update) before quoting it."
        )
        if stale
        else None,
    }


def predict(fit: str | Path, **kwargs) -> dict:
    return predict_from_idata(load_fit(fit), **kwargs)
