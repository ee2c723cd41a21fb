"""Dataset summaries and filtered views (pure pandas; the CLI only prints what these return)."""

from __future__ import annotations

import pandas as pd

from ..errors import ForecastError
from .dataset import Dataset
from .validation import parse_date


def summarise(ds: Dataset) -> dict:
    m, b, r = ds.models, ds.benchmarks, ds.results
    per_bench = []
    for _, row in b.iterrows():
        rr = r[r["benchmark"] == row["benchmark"]]
        if rr.empty:
            best, best_model, newest = "-", "-", "-"
        else:
            top = rr.loc[rr["score"].idxmax()]
            best = f"{top['score']:.3g}"
            best_model = top["model"]
            newest = ds.reach([row["benchmark"]]).date().isoformat()
        per_bench.append(
            {
                "benchmark": row["benchmark"],
                "domain": row["domain"],
                "unit": row["unit"],
                "n_results": int(len(rr)),
                "n_models": int(rr["model"].nunique()),
                "best": best,
                "best_model": best_model,
                # how far the data reach on it: backtests score it only up to here
                "newest": newest,
            }
        )
    test_time = (r["inference_multiplier"] != 1) | (r["effort"] != "")
    return {
        "data_hash": ds.data_hash,
        "n_models": int(len(m)),
        "n_benchmarks": int(len(b)),
        "n_results": int(len(r)),
        "n_reasoning": int(m["reasoning"].sum()),
        "n_with_compute": int(m["train_flop"].notna().sum()),
        "first_release": m["release_date"].min().date().isoformat() if len(m) else None,
        "last_release": m["release_date"].max().date().isoformat() if len(m) else None,
        "newest_result": r["reported_date"].max().date().isoformat() if len(r) else None,
        "domains": sorted(b["domain"].unique().tolist()),
        "by_evaluator": {k or "unknown": int(v) for k, v in r["evaluator"].value_counts().items()},
        "n_test_time": int(test_time.sum()),
        "benchmarks": sorted(per_bench, key=lambda x: -x["n_results"]),
    }


def filter_table(
    ds: Dataset,
    table: str,
    *,
    model: str | None = None,
    benchmark: str | None = None,
    domain: str | None = None,
    since: str | None = None,
) -> pd.DataFrame:
    if table not in ("models", "benchmarks", "results"):
        raise ForecastError(f"unknown table '{table}'; choose models, benchmarks or results")
    frame = getattr(ds, table).copy()
    if since:
        when, msg = parse_date(since)
        if msg:
            raise ForecastError(f"--since: {msg}")
        col = {"models": "release_date", "results": "reported_date", "benchmarks": None}[table]
        if col:
            frame = frame[frame[col] >= pd.Timestamp(when)]
    if model and "model" in frame:
        frame = frame[frame["model"].str.contains(model, case=False, regex=False)]
    if benchmark:
        if benchmark not in set(ds.benchmarks["benchmark"]):
            raise ForecastError(f"unknown benchmark '{benchmark}'")
        if "benchmark" in frame:
            frame = frame[frame["benchmark"] == benchmark]
    if domain:
        ids = set(ds.benchmarks.loc[ds.benchmarks["domain"] == domain, "benchmark"])
        if not ids:
            raise ForecastError(f"no benchmark has domain '{domain}'")
        if "benchmark" in frame:
            frame = frame[frame["benchmark"].isin(ids)]
    for c in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[c]):
            frame[c] = frame[c].dt.strftime("%Y-%m-%d")
    return frame.reset_index(drop=True)
