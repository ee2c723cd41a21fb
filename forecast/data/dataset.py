"""The validated dataset: load a data directory into typed frames for modelling (``Dataset``),
and write a validated ``RawDataset`` back atomically."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataValidationError
from . import schema as S
from .io import (
    BUNDLED_DATA,
    HIDDEN,
    RawDataset,
    atomic_write_text,
    columns_for,
    hash_raw,
    read_csv_rows,
    read_raw,
    resolve_data_dir,
    to_csv_text,
)
from .validation import validate_raw


@dataclass
class Dataset:
    """Typed, validated frames for modelling. Build with ``load_dataset``."""

    models: pd.DataFrame
    benchmarks: pd.DataFrame
    results: pd.DataFrame
    data_hash: str
    directory: Path | None = None
    meta: dict = field(default_factory=dict)

    def as_of(self, cutoff: str | date | pd.Timestamp) -> Dataset:
        """Only models released and results reported on or before ``cutoff``."""
        ts = pd.Timestamp(cutoff)
        models = self.models[self.models["release_date"] <= ts]
        results = self.results[(self.results["reported_date"] <= ts) & self.results["model"].isin(models["model"])]
        return Dataset(
            models.reset_index(drop=True),
            self.benchmarks.copy(),
            results.reset_index(drop=True),
            self.data_hash,
            self.directory,
            {**self.meta, "as_of": ts.date().isoformat()},
        )

    @property
    def newest_result_date(self) -> pd.Timestamp | None:
        return None if self.results.empty else self.results["reported_date"].max()

    def reach(self, benchmarks) -> pd.Timestamp | None:
        """The last date the data cover on every one of ``benchmarks``: the earliest of their
        newest reported results (None when one has none). Past it, what happened on them is not
        known yet, not unchanged: a source that stops earlier than the rest (a download of an
        earlier date, an evaluator that has not published), or a benchmark no one runs any more.
        Backtests and the ledger resolve "not crossed" and score frontiers only up to it."""
        newest = self.results.groupby("benchmark")["reported_date"].max()
        dates = [newest.get(b) for b in dict.fromkeys(benchmarks)]
        if not dates or any(d is None or pd.isna(d) for d in dates):
            return None
        return min(dates)


def typed(raw: RawDataset) -> Dataset:
    """Convert a *validated* raw dataset to typed frames (blank train_flop -> NaN, blank multiplier -> 1)."""
    m = raw.models.drop(columns=HIDDEN).copy()
    m["release_date"] = pd.to_datetime(m["release_date"], format="%Y-%m-%d")
    for col in ("train_flop", "train_flop_lower", "train_flop_upper"):
        m[col] = pd.to_numeric(m[col].replace("", np.nan)) if col in m else np.nan
    m["reasoning"] = m["reasoning"].str.lower().isin(S.TRUE_WORDS)
    b = raw.benchmarks.drop(columns=HIDDEN).copy()
    b["floor"] = pd.to_numeric(b["floor"].replace("", np.nan))
    b["ceiling"] = pd.to_numeric(b["ceiling"].replace("", np.nan))
    frac = b["unit"] == "fraction"
    b.loc[frac, "floor"] = b.loc[frac, "floor"].fillna(0.0)
    b.loc[frac, "ceiling"] = b.loc[frac, "ceiling"].fillna(1.0)
    b["n_items"] = pd.to_numeric(b["n_items"].replace("", np.nan))
    b["unreachable"] = pd.to_numeric(b["unreachable"].replace("", np.nan)) if "unreachable" in b else np.nan
    r = raw.results.drop(columns=HIDDEN).copy()
    r["score"] = pd.to_numeric(r["score"])
    r["inference_multiplier"] = pd.to_numeric(r["inference_multiplier"].replace("", np.nan)).fillna(1.0)
    r["reported_date"] = pd.to_datetime(r["reported_date"], format="%Y-%m-%d")
    r["evaluator"] = r["evaluator"].fillna("").str.lower()
    r["effort"] = r["effort"].fillna("").str.lower()
    return Dataset(m, b, r, data_hash=hash_raw(raw), directory=raw.directory)


def load_dataset(data: str | Path | None = None) -> Dataset:
    """Read and validate a data directory; raise ``DataValidationError`` listing every problem."""
    raw = load_raw(data)
    return typed(raw)


def load_raw(data: str | Path | None = None) -> RawDataset:
    directory = resolve_data_dir(data)
    raw, problems = read_raw(directory)
    problems += validate_raw(raw) if not problems else []
    if problems:
        raise DataValidationError(problems, f"{directory}: dataset is invalid")
    return raw


def write_raw(raw: RawDataset, directory: Path) -> None:
    """Validate, then write all three files atomically. Order is benchmarks, models, results, so
    an interruption between files leaves a valid dataset (new entities, not yet their results)."""
    problems = validate_raw(raw)
    if problems:
        raise DataValidationError(problems, "refusing to write an invalid dataset")
    texts = {k: to_csv_text(getattr(raw, k), columns_for(k)) for k in ("benchmarks", "models", "results")}
    for kind, fname in (("benchmarks", S.BENCHMARKS_FILE), ("models", S.MODELS_FILE), ("results", S.RESULTS_FILE)):
        path = directory / fname
        if path.exists() and path.read_text(encoding="utf-8-sig") == texts[kind]:
            continue
        atomic_write_text(path, texts[kind])


def bundled_benchmarks() -> pd.DataFrame:
    """The bundled benchmark registry (data/benchmarks.csv) as strings."""
    frame, problems = read_csv_rows(BUNDLED_DATA / S.BENCHMARKS_FILE, S.BENCHMARK_COLUMNS, S.BENCHMARK_OPTIONAL)
    if problems:
        raise DataValidationError(problems, "bundled benchmark registry is invalid")
    return frame
