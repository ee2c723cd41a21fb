"""
Importers from the public datasets analysts already use, into the native schema.

Each importer returns a ``RawDataset`` of candidate rows plus a ``MergeReport`` holding the rows
it skipped and why; ``import_source`` merges the candidates into a data directory (policy
``import``: existing rows win, blanks are filled, rows from the same source are updated).

Mapping decisions (all tested in tests/test_importers.py):

* Epoch model-version ids become model ids with the effort or thinking-budget suffix removed and
  hosting prefixes (``chutes/``, ``deepinfra/``) dropped: ``o3-2025-04-16_high`` is model
  ``o3-2025-04-16`` with effort ``high``; ``claude-opus-4-20250514_32K`` is model
  ``claude-opus-4-20250514`` with a 32K thinking budget, effort ``high``.
* Thinking budgets map to effort levels: up to 4K tokens ``low``, up to 16K ``medium``, more
  ``high``. The multiplier stays blank: the size of an effort step is estimated by the model.
* A model reasons by default when its id matches a known reasoning family (o-series, R1, GPT-5,
  Gemini 2.5+, Grok 3 Mini / Grok 4, gpt-oss, QwQ, ``-thinking``) or when Epoch lists it only
  with effort suffixes. Hybrids listed with and without a budget (Claude 3.7+) do not.
* Epoch's public FrontierMath subsets are skipped (the private set is the benchmark).
* Leaderboards without dates get ``reported_date`` = the later of the model's release date and
  the benchmark's release date (a lower bound on when the number could have been known), with a
  note saying so.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ... import data as D
from ...errors import DataValidationError, ForecastError
from .common import budget_effort, is_reasoning_id, split_version  # noqa: F401  (the mapping rules, tested)
from .epoch_hub import import_epoch_hub
from .epoch_models import import_epoch_models
from .hub_official import import_official_hub, is_official_download
from .metr import import_metr

SOURCES = ("epoch-hub", "epoch-models", "metr")


def import_source(
    source: str, path: Path, data_dir: Path, dry_run: bool = False, add_new: bool = False, known_only: bool = False
) -> D.MergeReport:
    """Run one importer and merge into ``data_dir`` (created if empty). Nothing is written on
    error or with ``dry_run``. ``epoch-hub`` reads the official download (a zip, or its unpacked
    folder) or the older stitching export (a folder with ``model_versions.csv``); with
    ``known_only`` it imports results only on benchmarks already in the dataset's registry."""
    if source not in SOURCES:
        raise ForecastError(f"unknown import source '{source}'; choose one of {', '.join(SOURCES)}")
    data_dir = Path(data_dir)
    raw, problems = D.read_raw(data_dir, allow_missing=True)
    problems += [] if problems else D.validate_raw(raw)
    if problems:
        raise DataValidationError(problems, f"{data_dir}: existing dataset is invalid; fix it before importing")
    if not Path(path).exists():
        raise ForecastError(f"{path}: no such file or folder")
    if source == "epoch-hub" and is_official_download(path):
        new, pre = import_official_hub(path, raw, known_only=known_only)
    elif source == "epoch-hub":
        new, pre = import_epoch_hub(path, raw)
    elif source == "epoch-models":
        new, pre = import_epoch_models(path, raw, add_new=add_new)
    else:
        new, pre = import_metr(path, raw)
    # Import candidates that fail validation (e.g. an out-of-range leaderboard value) are skipped
    # with the reason instead of aborting the import; the merged dataset must then be valid.
    new, repeated = _dedupe(new)
    new, dropped = _drop_invalid(new, raw)
    dropped = repeated + dropped
    merged, report = D.merge(raw, new, policy="import")
    report.skipped = pre.skipped + dropped + report.skipped
    if not dry_run:
        D.write_raw(merged, data_dir)
    return report


def _dedupe(new: D.RawDataset) -> tuple[D.RawDataset, list[tuple[str, str]]]:
    """Leaderboards list some model versions twice (another source, a re-run): keep the first."""
    if new.results.empty:
        return new, []
    keys = D.result_key(new.results)
    dup = keys.duplicated(keep="first")
    skipped = [
        (
            f"{r[D.FILE_COL]}:{r[D.LINE_COL]} {r['model']} / {r['benchmark']}",
            "repeated within the import (same model, benchmark and setting); first kept",
        )
        for _, r in new.results[dup].iterrows()
    ]
    return D.RawDataset(new.models, new.benchmarks, new.results[~dup].reset_index(drop=True)), skipped


def _drop_invalid(new: D.RawDataset, raw: D.RawDataset) -> tuple[D.RawDataset, list[tuple[str, str]]]:
    """Validate candidate rows in the context of the existing dataset and drop those with problems."""
    trial = D.RawDataset(
        pd.concat([raw.models, new.models[~new.models["model"].isin(raw.models["model"])]], ignore_index=True).fillna(
            ""
        ),
        pd.concat(
            [raw.benchmarks, new.benchmarks[~new.benchmarks["benchmark"].isin(raw.benchmarks["benchmark"])]],
            ignore_index=True,
        ).fillna(""),
        new.results.copy(),
    )
    problems = D.validate_raw(trial)
    bad_result_lines = {(p.file, p.line) for p in problems if p.file in set(new.results[D.FILE_COL])}
    dropped = []
    mask = []
    for _, r in new.results.iterrows():
        where = (r[D.FILE_COL], r[D.LINE_COL])
        mask.append(where not in bad_result_lines)
        if where in bad_result_lines:
            why = next(p for p in problems if (p.file, p.line) == where)
            dropped.append(
                (f"{where[0]}:{where[1]} {r['model']} / {r['benchmark']}: {why.message}", f"invalid {why.column}")
            )
    results = new.results[mask].reset_index(drop=True) if mask else new.results
    return D.RawDataset(new.models, new.benchmarks, results), dropped
