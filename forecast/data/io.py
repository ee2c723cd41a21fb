"""Read and write the three-file dataset as strings, atomically.

Rows are kept as strings exactly as read (``RawDataset``) so that merging and writing never
reformat a number. Every row remembers the file and line it came from, so a problem found after a
merge still points at the line to fix.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from ..errors import DataValidationError, ForecastError, Problem
from . import schema as S

FILE_COL = "__file__"
LINE_COL = "__line__"
HIDDEN = [FILE_COL, LINE_COL]

#: The bundled dataset and default thresholds, shipped inside the package (``forecast/data/bundled``
#: is the repository's ``data/`` directory in a checkout, and a copy of it in an installed wheel).
BUNDLED_DATA = Path(str(resources.files("forecast.data") / "bundled")).resolve()


def resolve_data_dir(data: str | Path | None = None) -> Path:
    """``--data`` wins, then ``$FORECAST_DATA``, then the bundled data."""
    if data:
        return Path(data)
    env = os.environ.get("FORECAST_DATA")
    return Path(env) if env else BUNDLED_DATA


def read_csv_rows(path: Path, required: list[str], optional: list[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a CSV as strings, keeping the line each row starts on. Structural problems
    (missing columns, wrong field counts, unreadable bytes) are returned, not raised."""
    name = str(path)
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ForecastError(f"{name}: file not found") from None
    except UnicodeDecodeError as exc:
        raise DataValidationError([Problem(name, None, None, f"not UTF-8 text ({exc.reason})")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return pd.DataFrame(columns=required + HIDDEN), [Problem(name, 1, None, "empty file: no header row")]
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    for c in missing:
        problems.append(Problem(name, 1, c, f"required column '{c}' is missing from the header"))
    dupes = sorted({h for h in header if header.count(h) > 1})
    for c in dupes:
        problems.append(Problem(name, 1, c, f"column '{c}' appears more than once"))
    rows, lines = [], []
    prev_end = 1
    try:
        for rec in reader:
            start = prev_end + 1
            prev_end = reader.line_num
            if not rec or all(not f.strip() for f in rec):
                continue
            if len(rec) != len(header):
                problems.append(
                    Problem(name, start, None, f"malformed row: {len(rec)} fields, header has {len(header)}")
                )
                continue
            rows.append([f.strip() for f in rec])
            lines.append(start)
    except csv.Error as exc:
        problems.append(Problem(name, reader.line_num, None, f"malformed CSV: {exc}"))
    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for c in required + optional:
        if c not in frame.columns:
            frame[c] = ""
    frame[FILE_COL] = name
    frame[LINE_COL] = lines
    return frame.reset_index(drop=True), problems


@dataclass
class RawDataset:
    """The dataset as strings, with provenance columns; what is read is what is written."""

    models: pd.DataFrame
    benchmarks: pd.DataFrame
    results: pd.DataFrame
    directory: Path | None = None
    thresholds_text: str | None = None

    def copy(self) -> RawDataset:
        return RawDataset(self.models.copy(), self.benchmarks.copy(), self.results.copy(), self.directory)


def empty_raw() -> RawDataset:
    def frame(cols):
        return pd.DataFrame({c: pd.Series(dtype=str) for c in cols + HIDDEN})

    return RawDataset(
        frame(S.MODEL_COLUMNS + S.MODEL_OPTIONAL),
        frame(S.BENCHMARK_COLUMNS + S.BENCHMARK_OPTIONAL),
        frame(S.RESULT_COLUMNS + S.RESULT_OPTIONAL),
    )


def read_raw(directory: str | Path, allow_missing: bool = False) -> tuple[RawDataset, list[Problem]]:
    directory = Path(directory)
    if not directory.is_dir():
        if allow_missing:
            return empty_raw(), []
        raise ForecastError(f"{directory}: data directory not found (use --data DIR or set FORECAST_DATA)")
    out = empty_raw()
    out.directory = directory
    problems: list[Problem] = []
    present = any((directory / f).exists() for f in (S.MODELS_FILE, S.BENCHMARKS_FILE, S.RESULTS_FILE))
    specs = [
        ("models", S.MODELS_FILE, S.MODEL_COLUMNS, S.MODEL_OPTIONAL),
        ("benchmarks", S.BENCHMARKS_FILE, S.BENCHMARK_COLUMNS, S.BENCHMARK_OPTIONAL),
        ("results", S.RESULTS_FILE, S.RESULT_COLUMNS, S.RESULT_OPTIONAL),
    ]
    for attr, fname, req, opt in specs:
        path = directory / fname
        if not path.exists():
            if allow_missing or present:
                continue  # a partly built directory: the missing tables are empty
            raise ForecastError(
                f"{directory}: no dataset here; a data directory holds {S.MODELS_FILE}, "
                f"{S.BENCHMARKS_FILE} and {S.RESULTS_FILE}"
            )
        frame, probs = read_csv_rows(path, req, opt)
        setattr(out, attr, frame)
        problems += probs
    return out, problems


def to_csv_text(frame: pd.DataFrame, columns: list[str]) -> str:
    extra = [c for c in frame.columns if c not in columns and c not in HIDDEN]
    out = frame[columns + extra]
    return out.to_csv(index=False, lineterminator="\n")


def columns_for(kind: str) -> list[str]:
    return {
        "models": S.MODEL_COLUMNS + S.MODEL_OPTIONAL,
        "benchmarks": S.BENCHMARK_COLUMNS + S.BENCHMARK_OPTIONAL,
        "results": S.RESULT_COLUMNS + S.RESULT_OPTIONAL,
    }[kind]


def hash_raw(raw: RawDataset) -> str:
    """Content hash of the dataset: same rows and values, same hash (line order included)."""
    h = hashlib.sha256()
    for kind in ("models", "benchmarks", "results"):
        frame = getattr(raw, kind)
        # columns added after 0.1.0 count only where used, so older datasets keep their hash
        cols = [
            c
            for c in columns_for(kind)
            if c not in S.LATER_COLUMNS or frame.get(c, pd.Series(dtype=str)).astype(bool).any()
        ]
        h.update(kind.encode())
        h.update(
            to_csv_text(frame.drop(columns=[c for c in S.LATER_COLUMNS if c in frame and c not in cols]), cols).encode()
        )
    return h.hexdigest()[:16]


def default_file_mode() -> int:
    """0o666 less the umask: what a plain open() would create (mkstemp makes 0o600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_text(path: Path, text: str) -> None:
    """Write to a temporary file in the same directory, fsync, then rename over the target:
    a crash or Ctrl-C leaves either the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, default_file_mode())
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
