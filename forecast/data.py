"""Load, validate, merge and atomically write the three-file dataset.

Rows are kept as strings exactly as read (``RawDataset``) so that merging and writing never
reformat a number; typed views (``Dataset``) are derived for modelling. Every row remembers the
file and line it came from, so a problem found after a merge still points at the line to fix.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from . import schema as S
from .errors import DataValidationError, ForecastError, Problem

FILE_COL = "__file__"
LINE_COL = "__line__"
_HIDDEN = [FILE_COL, LINE_COL]

BUNDLED_DATA = Path(__file__).resolve().parent.parent / "data"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def resolve_data_dir(data: str | Path | None = None) -> Path:
    """``--data`` wins, then ``$FORECAST_DATA``, then the bundled ``data/``."""
    if data:
        return Path(data)
    env = os.environ.get("FORECAST_DATA")
    return Path(env) if env else BUNDLED_DATA


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


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
        return pd.DataFrame(columns=required + _HIDDEN), [Problem(name, 1, None, "empty file: no header row")]
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

    def copy(self) -> "RawDataset":
        return RawDataset(self.models.copy(), self.benchmarks.copy(), self.results.copy(), self.directory)


def empty_raw() -> RawDataset:
    def frame(cols):
        return pd.DataFrame({c: pd.Series(dtype=str) for c in cols + _HIDDEN})

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
            raise ForecastError(f"{directory}: no dataset here; a data directory holds {S.MODELS_FILE}, "
                                f"{S.BENCHMARKS_FILE} and {S.RESULTS_FILE}")
        frame, probs = read_csv_rows(path, req, opt)
        setattr(out, attr, frame)
        problems += probs
    return out, problems


# --------------------------------------------------------------------------------------------
# Value parsers: each returns (value, message-or-None)
# --------------------------------------------------------------------------------------------


def parse_number(text: str) -> tuple[float | None, str | None]:
    t = text.strip()
    if t == "":
        return None, None
    if t.endswith("%"):
        return None, f"'{text}' is a percentage; write fractions as numbers in [0, 1] (e.g. 0.85)"
    try:
        value = float(t.replace("_", ""))
    except ValueError:
        return None, f"'{text}' is not a number"
    if not math.isfinite(value):
        return None, f"'{text}' is not a finite number"
    return value, None


def parse_date(text: str) -> tuple[date | None, str | None]:
    t = text.strip()
    if t == "":
        return None, None
    if not DATE_RE.match(t):
        return None, f"'{text}' is not a date in the form YYYY-MM-DD"
    try:
        d = date.fromisoformat(t)
    except ValueError:
        return None, f"'{text}' is an impossible date"
    if not (S.EARLIEST_DATE <= t <= S.LATEST_DATE):
        return None, f"'{text}' is outside the plausible range {S.EARLIEST_DATE} to {S.LATEST_DATE}"
    return d, None


def parse_bool(text: str) -> tuple[bool | None, str | None]:
    t = text.strip().lower()
    if t in S.TRUE_WORDS:
        return True, None
    if t in S.FALSE_WORDS:
        return False, None
    return None, f"'{text}' is not true or false"


def _url_problem(text: str) -> str | None:
    t = text.strip()
    if not t:
        return "source_url is required: every row must cite a public source"
    if not (t.startswith("http://") or t.startswith("https://")):
        return f"'{text}' is not an http(s) URL"
    if any(ch.isspace() for ch in t):
        return f"'{text}' contains spaces; percent-encode them (%20)"
    return None


def _multiplier_norm(text: str) -> str:
    """Canonical text of an inference multiplier for identity: blank and 1 are the same."""
    value, msg = parse_number(text)
    if msg or value is None or value == 1:
        return "1"
    return repr(float(value))


def result_key(frame: pd.DataFrame) -> pd.Series:
    return (
        frame["model"].str.strip()
        + "|"
        + frame["benchmark"].str.strip()
        + "|"
        + frame["setting"].str.strip().str.lower()
        + "|"
        + frame["inference_multiplier"].map(_multiplier_norm)
        + "|"
        + frame["effort"].fillna("").str.strip().str.lower()
        + "|"
        + frame["evaluator"].fillna("").str.strip().str.lower()
    )


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _p(row: pd.Series, column: str | None, message: str) -> Problem:
    return Problem(str(row[FILE_COL]), int(row[LINE_COL]), column, message)


def _suggest(name: str, options) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def validate_raw(raw: RawDataset) -> list[Problem]:
    """Every problem in the dataset: values, references and duplicates. Empty list = valid."""
    problems: list[Problem] = []

    # models
    seen: dict[str, pd.Series] = {}
    for _, r in raw.models.iterrows():
        m = r["model"]
        if not m:
            problems.append(_p(r, "model", "model id is empty"))
        elif m in seen:
            problems.append(_p(r, "model", f"duplicate model id '{m}' (first at line {seen[m][LINE_COL]})"))
        else:
            seen[m] = r
        _, msg = parse_date(r["release_date"])
        if r["release_date"] == "":
            msg = "release_date is required"
        if msg:
            problems.append(_p(r, "release_date", msg))
        v, msg = parse_number(r["train_flop"])
        if msg:
            problems.append(_p(r, "train_flop", msg))
        elif v is not None and v <= 0:
            problems.append(_p(r, "train_flop", f"training compute must be positive, got {r['train_flop']}"))
        elif v is not None and not (1e15 <= v <= 1e31):
            problems.append(_p(r, "train_flop", f"{r['train_flop']} FLOP is outside 1e15..1e31; write FLOP, not log10 or PF-days"))
        _, msg = parse_bool(r["reasoning"])
        if msg:
            problems.append(_p(r, "reasoning", msg))
        msg = _url_problem(r["source_url"])
        if msg:
            problems.append(_p(r, "source_url", msg))

    # benchmarks
    units: dict[str, str] = {}
    for _, r in raw.benchmarks.iterrows():
        b = r["benchmark"]
        if not b:
            problems.append(_p(r, "benchmark", "benchmark id is empty"))
        elif b in units:
            problems.append(_p(r, "benchmark", f"duplicate benchmark id '{b}'"))
        unit = r["unit"]
        if unit not in S.UNITS:
            problems.append(_p(r, "unit", f"unit '{unit}' is not one of {', '.join(S.UNITS)}"))
        if b and b not in units:
            units[b] = unit
        if r["domain"] not in S.DOMAINS:
            problems.append(_p(r, "domain", f"domain '{r['domain']}' is not one of {', '.join(S.DOMAINS)}"))
        floor, msg_f = parse_number(r["floor"])
        ceiling, msg_c = parse_number(r["ceiling"])
        for col, msg in (("floor", msg_f), ("ceiling", msg_c)):
            if msg:
                problems.append(_p(r, col, msg))
        if unit == "fraction" and not (msg_f or msg_c):
            f = 0.0 if floor is None else floor
            c = 1.0 if ceiling is None else ceiling
            if not (0 <= f < c <= 1):
                problems.append(_p(r, "floor", f"need 0 <= floor < ceiling <= 1, got floor {f} and ceiling {c}"))
        n, msg = parse_number(r.get("n_items", ""))
        if msg or (n is not None and (n < 1 or n != int(n))):
            problems.append(_p(r, "n_items", msg or f"n_items must be a positive integer, got {r['n_items']}"))
        _, msg = parse_date(r.get("release_date", ""))
        if msg:
            problems.append(_p(r, "release_date", msg))
        msg = _url_problem(r["source_url"])
        if msg:
            problems.append(_p(r, "source_url", msg))

    # results
    keys: dict[str, pd.Series] = {}
    key_series = result_key(raw.results) if len(raw.results) else pd.Series(dtype=str)
    for i, r in raw.results.iterrows():
        m, b = r["model"], r["benchmark"]
        if m not in seen:
            problems.append(_p(r, "model", f"unknown model '{m}'{_suggest(m, seen)}; add it to models.csv (or --models)"))
        unit = units.get(b)
        if b not in units:
            problems.append(_p(r, "benchmark", f"unknown benchmark '{b}'{_suggest(b, units)}"))
        score, msg = parse_number(r["score"])
        if r["score"] == "":
            msg = "score is required"
        if msg:
            problems.append(_p(r, "score", msg))
        elif score is not None and unit == "fraction" and not (0 <= score <= 1):
            hint = f" (looks like a percentage: write {score / 100:g})" if 1 < score <= 100 else ""
            problems.append(_p(r, "score", f"score {r['score']} is outside [0, 1] for fraction benchmark '{b}'{hint}"))
        elif score is not None and unit == "minutes" and score <= 0:
            problems.append(_p(r, "score", f"a time horizon must be positive minutes, got {r['score']}"))
        elif score is not None and unit == "elo" and not (-1000 <= score <= 5000):
            problems.append(_p(r, "score", f"Elo {r['score']} is outside -1000..5000"))
        mult, msg = parse_number(r["inference_multiplier"])
        if msg:
            problems.append(_p(r, "inference_multiplier", msg))
        elif mult is not None and mult <= 0:
            problems.append(_p(r, "inference_multiplier", f"must be positive (1 = default setting), got {r['inference_multiplier']}"))
        _, msg = parse_date(r["reported_date"])
        if r["reported_date"] == "":
            msg = "reported_date is required"
        if msg:
            problems.append(_p(r, "reported_date", msg))
        eff = r.get("effort", "").strip().lower()
        if eff and eff not in S.EFFORT_LEVELS:
            problems.append(_p(r, "effort", f"effort '{eff}' is not one of {', '.join(S.EFFORT_LEVELS)} or blank"))
        ev = r.get("evaluator", "").strip().lower()
        if ev not in S.EVALUATORS:
            problems.append(_p(r, "evaluator", f"evaluator '{ev}' is not vendor, independent or blank"))
        msg = _url_problem(r["source_url"])
        if msg:
            problems.append(_p(r, "source_url", msg))
        k = key_series.iloc[i]
        if k in keys:
            first = keys[k]
            same = parse_number(first["score"])[0] == score
            what = "duplicate of" if same else f"conflicts with (score {first['score']} vs {r['score']})"
            problems.append(
                _p(r, "score", f"{what} the result at {first[FILE_COL]}:{first[LINE_COL]} "
                   f"(same model, benchmark, setting, inference_multiplier, effort, evaluator)")
            )
        else:
            keys[k] = r
    return problems


# --------------------------------------------------------------------------------------------
# Typed view
# --------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    """Typed, validated frames for modelling. Build with ``load_dataset``."""

    models: pd.DataFrame
    benchmarks: pd.DataFrame
    results: pd.DataFrame
    data_hash: str
    directory: Path | None = None
    meta: dict = field(default_factory=dict)

    def as_of(self, cutoff: str | date | pd.Timestamp) -> "Dataset":
        """Only models released and results reported on or before ``cutoff``."""
        ts = pd.Timestamp(cutoff)
        models = self.models[self.models["release_date"] <= ts]
        results = self.results[(self.results["reported_date"] <= ts) & self.results["model"].isin(models["model"])]
        return Dataset(models.reset_index(drop=True), self.benchmarks.copy(), results.reset_index(drop=True),
                       self.data_hash, self.directory, {**self.meta, "as_of": ts.date().isoformat()})

    @property
    def newest_result_date(self) -> pd.Timestamp | None:
        return None if self.results.empty else self.results["reported_date"].max()


def typed(raw: RawDataset) -> Dataset:
    """Convert a *validated* raw dataset to typed frames (blank train_flop -> NaN, blank multiplier -> 1)."""
    m = raw.models.drop(columns=_HIDDEN).copy()
    m["release_date"] = pd.to_datetime(m["release_date"], format="%Y-%m-%d")
    m["train_flop"] = pd.to_numeric(m["train_flop"].replace("", np.nan))
    m["reasoning"] = m["reasoning"].str.lower().isin(S.TRUE_WORDS)
    b = raw.benchmarks.drop(columns=_HIDDEN).copy()
    b["floor"] = pd.to_numeric(b["floor"].replace("", np.nan))
    b["ceiling"] = pd.to_numeric(b["ceiling"].replace("", np.nan))
    frac = b["unit"] == "fraction"
    b.loc[frac, "floor"] = b.loc[frac, "floor"].fillna(0.0)
    b.loc[frac, "ceiling"] = b.loc[frac, "ceiling"].fillna(1.0)
    b["n_items"] = pd.to_numeric(b["n_items"].replace("", np.nan))
    r = raw.results.drop(columns=_HIDDEN).copy()
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


# --------------------------------------------------------------------------------------------
# Hashing and writing
# --------------------------------------------------------------------------------------------


def to_csv_text(frame: pd.DataFrame, columns: list[str]) -> str:
    extra = [c for c in frame.columns if c not in columns and c not in _HIDDEN]
    out = frame[columns + extra]
    return out.to_csv(index=False, lineterminator="\n")


def _columns_for(kind: str) -> list[str]:
    return {
        "models": S.MODEL_COLUMNS + S.MODEL_OPTIONAL,
        "benchmarks": S.BENCHMARK_COLUMNS + S.BENCHMARK_OPTIONAL,
        "results": S.RESULT_COLUMNS + S.RESULT_OPTIONAL,
    }[kind]


def hash_raw(raw: RawDataset) -> str:
    """Content hash of the dataset: same rows and values, same hash (line order included)."""
    h = hashlib.sha256()
    for kind in ("models", "benchmarks", "results"):
        h.update(kind.encode())
        h.update(to_csv_text(getattr(raw, kind), _columns_for(kind)).encode())
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


def write_raw(raw: RawDataset, directory: Path) -> None:
    """Validate, then write all three files atomically. Order is benchmarks, models, results, so
    an interruption between files leaves a valid dataset (new entities, not yet their results)."""
    problems = validate_raw(raw)
    if problems:
        raise DataValidationError(problems, "refusing to write an invalid dataset")
    texts = {k: to_csv_text(getattr(raw, k), _columns_for(k)) for k in ("benchmarks", "models", "results")}
    for kind, fname in (("benchmarks", S.BENCHMARKS_FILE), ("models", S.MODELS_FILE), ("results", S.RESULTS_FILE)):
        path = directory / fname
        if path.exists() and path.read_text(encoding="utf-8-sig") == texts[kind]:
            continue
        atomic_write_text(path, texts[kind])


# --------------------------------------------------------------------------------------------
# Merging
# --------------------------------------------------------------------------------------------


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
        return {"added": self.added, "updated": self.updated, "skipped": len(self.skipped),
                "skipped_by_reason": reasons, "notes": self.notes}


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


def merge_entities(existing: pd.DataFrame, new: pd.DataFrame, id_col: str, kind: str, report: MergeReport,
                   policy: str, fill_cols: tuple[str, ...] = ()) -> tuple[pd.DataFrame, list[Problem]]:
    """Merge model or benchmark rows by id.

    policy ``add``: an id already present with different values is a problem (the user must edit
    the dataset deliberately). policy ``import``: existing rows win, but blank ``fill_cols`` are
    filled from the import (counted as updated)."""
    problems: list[Problem] = []
    existing = existing.copy()
    index = {v: i for i, v in enumerate(existing[id_col])}
    compare = [c for c in _columns_for(kind) if c in new.columns and c in existing.columns and c != id_col]
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
            problems.append(_p(r, diff[0] if diff else id_col,
                               f"{kind[:-1]} '{r[id_col]}' already exists with different values "
                               f"({', '.join(diff)}); edit {old[FILE_COL]}:{old[LINE_COL]} instead"))
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


def merge_results(existing: pd.DataFrame, new: pd.DataFrame, report: MergeReport,
                  policy: str) -> tuple[pd.DataFrame, list[Problem], pd.DataFrame]:
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
        problems.append(_p(r, "score", f"duplicate of the result at {old[FILE_COL]}:{old[LINE_COL]} "
                                       f"with a different score ({old['score']} there, {r['score']} here)"))
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
    out.models, p = merge_entities(out.models, new.models, "model", "models", report, policy,
                                   fill_cols=("train_flop", "train_flop_source_url", "organization"))
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


def read_new_files(results_path: Path, models_path: Path | None = None,
                   benchmarks_path: Path | None = None) -> RawDataset:
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


def bundled_benchmarks() -> pd.DataFrame:
    """The bundled benchmark registry (data/benchmarks.csv) as strings."""
    frame, problems = read_csv_rows(BUNDLED_DATA / S.BENCHMARKS_FILE, S.BENCHMARK_COLUMNS, S.BENCHMARK_OPTIONAL)
    if problems:
        raise DataValidationError(problems, "bundled benchmark registry is invalid")
    return frame


def add_files(data_dir: Path, results_path: Path, models_path: Path | None = None,
              benchmarks_path: Path | None = None, dry_run: bool = False) -> MergeReport:
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
