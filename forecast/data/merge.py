"""Merge new rows into a dataset (``data add``, ``update``, the importers): all or nothing, with a
report of what was added, updated and skipped, and why."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataValidationError, ForecastError, Problem
from . import schema as S
from .dataset import load_raw, write_raw
from .io import FILE_COL, LINE_COL, RawDataset, columns_for, empty_raw, read_csv_rows
from .validation import _p, parse_date, parse_number, result_key, validate_raw


@dataclass
class MergeReport:
    added: dict[str, int] = field(default_factory=lambda: {"models": 0, "benchmarks": 0, "results": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"models": 0, "benchmarks": 0, "results": 0})
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    notes: list[str] = field(default_factory=list)

    def skip(self, what: str, why: str) -> None:
        self.skipped.append((what, why))

    def summary(self) -> dict:
        reasons: dict[str, int] = {}
        for _, why in self.skipped:
            reasons[why] = reasons.get(why, 0) + 1
        return {
            "added": self.added,
            "updated": self.updated,
            "skipped": len(self.skipped),
            "skipped_by_reason": reasons,
            "notes": self.notes,
        }


def _same_values(a: pd.Series, b: pd.Series, cols: list[str]) -> bool:
    for c in cols:
        x, y = str(a.get(c, "") or ""), str(b.get(c, "") or "")
        nx, _ = parse_number(x)
        ny, _ = parse_number(y)
        if nx is not None and ny is not None:
            if not math.isclose(nx, ny, rel_tol=1e-9, abs_tol=1e-12):
                return False
        elif x != y:
            return False
    return True


def merge_entities(
    existing: pd.DataFrame,
    new: pd.DataFrame,
    id_col: str,
    kind: str,
    report: MergeReport,
    policy: str,
    fill_cols: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, list[Problem]]:
    """Merge model or benchmark rows by id.

    policy ``add``: an id already present with different values is a problem (the user must edit
    the dataset deliberately). policy ``import``: existing rows win, but blank ``fill_cols`` are
    filled from the import (counted as updated)."""
    problems: list[Problem] = []
    existing = existing.copy()
    index = {v: i for i, v in enumerate(existing[id_col])}
    compare = [c for c in columns_for(kind) if c in new.columns and c in existing.columns and c != id_col]
    to_add = []
    for _, r in new.iterrows():
        i = index.get(r[id_col])
        if i is None:
            to_add.append(r)
            index[r[id_col]] = -1
            continue
        if i == -1:
            report.skip(f"{kind[:-1]} {r[id_col]}", "repeated within the import")
            continue
        old = existing.iloc[i]
        if _same_values(old, r, [c for c in compare if r.get(c, "")]):
            report.skip(f"{kind[:-1]} {r[id_col]}", "already present")
            continue
        if policy == "add":
            diff = [c for c in compare if r.get(c, "") and not _same_values(old, r, [c])]
            problems.append(
                _p(
                    r,
                    diff[0] if diff else id_col,
                    f"{kind[:-1]} '{r[id_col]}' already exists with different values "
                    f"({', '.join(diff)}); edit {old[FILE_COL]}:{old[LINE_COL]} instead",
                )
            )
            continue
        filled = False
        for c in fill_cols:
            if not str(old.get(c, "")) and str(r.get(c, "")):
                existing.iat[i, existing.columns.get_loc(c)] = r[c]
                filled = True
        if filled:
            report.updated[kind] += 1
        else:
            report.skip(f"{kind[:-1]} {r[id_col]}", "already present; existing values kept")
    if to_add:
        existing = pd.concat([existing, pd.DataFrame(to_add)], ignore_index=True).fillna("")
        report.added[kind] += len(to_add)
    return existing, problems


def merge_results(
    existing: pd.DataFrame, new: pd.DataFrame, report: MergeReport, policy: str
) -> tuple[pd.DataFrame, list[Problem], pd.DataFrame]:
    """Merge results by key (model, benchmark, setting, inference_multiplier, evaluator).
    Identical rows are skipped. A different score is a problem under ``add``; under ``import`` the
    row from the same source is updated and a row from another source is kept as is. Returns
    (merged results, problems, the rejected rows: not merged, so not validated with the rest)."""
    problems: list[Problem] = []
    rejected = []
    existing = existing.copy()
    ekeys = result_key(existing) if len(existing) else pd.Series(dtype=str)
    index = {k: i for i, k in enumerate(ekeys)}
    nkeys = result_key(new) if len(new) else pd.Series(dtype=str)
    to_add = []
    for j, (_, r) in enumerate(new.iterrows()):
        k = nkeys.iloc[j]
        i = index.get(k)
        label = f"result {r['model']} / {r['benchmark']} / {r['setting'] or 'default'}"
        if i is None:
            to_add.append(r)
            index[k] = -1
            continue
        if i == -1:
            report.skip(label, "repeated within the import")
            continue
        old = existing.iloc[i]
        if _same_values(old, r, ["score"]):
            report.skip(label, "already present")
            continue
        if policy == "import" and old["source_url"] == r["source_url"]:
            existing.iat[i, existing.columns.get_loc("score")] = r["score"]
            report.updated["results"] += 1
            continue
        if policy == "import":
            report.skip(label, "conflicts with an existing result from another source; existing kept")
            continue
        problems.append(
            _p(
                r,
                "score",
                f"duplicate of the result at {old[FILE_COL]}:{old[LINE_COL]} "
                f"with a different score ({old['score']} there, {r['score']} here)",
            )
        )
        rejected.append(r)
    if to_add:
        existing = pd.concat([existing, pd.DataFrame(to_add)], ignore_index=True).fillna("")
        report.added["results"] += len(to_add)
    return existing, problems, pd.DataFrame(rejected, columns=new.columns).reset_index(drop=True)


def merge(raw: RawDataset, new: RawDataset, policy: str = "add") -> tuple[RawDataset, MergeReport]:
    """Merge ``new`` into ``raw`` and validate the whole result. Raises ``DataValidationError``
    (nothing merged) on any problem; problems in new rows name the new rows' file and line."""
    report = MergeReport()
    out = raw.copy()
    problems: list[Problem] = []
    out.benchmarks, p = merge_entities(out.benchmarks, new.benchmarks, "benchmark", "benchmarks", report, policy)
    problems += p
    out.models, p = merge_entities(
        out.models,
        new.models,
        "model",
        "models",
        report,
        policy,
        fill_cols=("train_flop", "train_flop_source_url", "organization", "train_flop_lower", "train_flop_upper"),
    )
    problems += p
    out.results, p, rejected = merge_results(out.results, new.results, report, policy)
    problems += p
    problems += [q for q in validate_raw(out) if q not in problems]
    if len(rejected):  # their other problems (a score out of range, a bad date) are reported too
        probe = out.copy()
        probe.results = rejected
        problems += [q for q in validate_raw(probe) if q not in problems]
    if problems:
        raise DataValidationError(problems, "input rejected, nothing written")
    return out, report


def read_new_files(
    results_path: Path, models_path: Path | None = None, benchmarks_path: Path | None = None
) -> RawDataset:
    """New rows to merge (``data add``, ``update``); structural problems raise, naming file and line."""
    new = empty_raw()
    problems: list[Problem] = []
    for attr, path, req, opt in (
        ("results", results_path, S.RESULT_COLUMNS, S.RESULT_OPTIONAL),
        ("models", models_path, S.MODEL_COLUMNS, S.MODEL_OPTIONAL),
        ("benchmarks", benchmarks_path, S.BENCHMARK_COLUMNS, S.BENCHMARK_OPTIONAL),
    ):
        if path is None:
            continue
        frame, p = read_csv_rows(Path(path), req, opt)
        setattr(new, attr, frame)
        problems += p
    if problems:
        raise DataValidationError(problems, "input rejected, nothing written")
    return new


def add_files(
    data_dir: Path,
    results_path: Path,
    models_path: Path | None = None,
    benchmarks_path: Path | None = None,
    dry_run: bool = False,
) -> MergeReport:
    """``forecast data add``: validate new rows against the dataset and append them atomically."""
    raw = load_raw(data_dir)
    new = read_new_files(results_path, models_path, benchmarks_path)
    merged, report = merge(raw, new, policy="add")
    if not dry_run:
        write_raw(merged, Path(data_dir))
    return report


def snapshot(data_dir: Path, as_of: str, out: Path) -> None:
    """Write the dataset restricted to models released and results reported by ``as_of``."""
    _, msg = parse_date(as_of)
    if msg:
        raise ForecastError(f"--as-of: {msg}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ForecastError(f"{out}: exists and is not empty; choose a new directory")
    raw = load_raw(data_dir)
    m = raw.models[raw.models["release_date"] <= as_of]
    r = raw.results[(raw.results["reported_date"] <= as_of) & raw.results["model"].isin(m["model"])]
    write_raw(RawDataset(m.reset_index(drop=True), raw.benchmarks.copy(), r.reset_index(drop=True)), out)
