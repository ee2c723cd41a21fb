"""The labs' own threshold determinations (``determinations.csv``): one row per published call of
a lab on one of its thresholds (date, lab, framework and version, level, model, determination, a
short quote, the source). They are what a proxy forecast is finally judged against, so they sit
beside the dataset, validated like it, but are not fitted (not in the data hash)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import DataValidationError, Problem
from . import schema as S
from .io import BUNDLED_DATA, FILE_COL, LINE_COL, read_csv_rows
from .validation import _p, _url_problem, parse_date, today


def validate_determinations(frame: pd.DataFrame) -> list[Problem]:
    """Every problem of a determinations table (from ``read_csv_rows``)."""
    problems: list[Problem] = []
    seen: dict[tuple, pd.Series] = {}
    for _, r in frame.iterrows():
        for col in ("lab", "framework", "level", "model"):
            if not r[col]:
                problems.append(_p(r, col, f"{col} is required"))
        _, msg = parse_date(r["date"])
        if r["date"] == "":
            msg = "date is required"
        if msg:
            problems.append(_p(r, "date", msg))
        elif r["date"] > today():
            problems.append(_p(r, "date", f"dated {r['date']}, after today ({today()})"))
        d = r["determination"].strip().lower()
        if d not in S.DETERMINATIONS:
            problems.append(
                _p(r, "determination", f"'{r['determination']}' is not one of {', '.join(S.DETERMINATIONS)}")
            )
        msg = _url_problem(r["source_url"])
        if msg:
            problems.append(_p(r, "source_url", msg))
        key = (r["date"], r["lab"], r["level"].lower(), r["model"], r.get("category", "").lower())
        if key in seen:
            first = seen[key]
            problems.append(
                _p(
                    r,
                    "level",
                    f"the same call as {first[FILE_COL]}:{first[LINE_COL]} (date, lab, level, model, category)",
                )
            )
        else:
            seen[key] = r
    return problems


def determinations_path(data: str | Path | None = None) -> Path:
    return (Path(data) if data else BUNDLED_DATA) / S.DETERMINATIONS_FILE


def load_determinations(data: str | Path | None = None, *, required: bool = False) -> pd.DataFrame:
    """The validated determinations of a data directory (default: the bundled data), newest
    first; an empty table when the directory has none (unless ``required``). Raises
    ``DataValidationError`` naming file, line and column."""
    path = determinations_path(data)
    columns = S.DETERMINATION_COLUMNS + S.DETERMINATION_OPTIONAL
    if not path.exists():
        if required:
            raise DataValidationError([Problem(str(path), None, None, "file not found")])
        return pd.DataFrame(columns=columns)
    frame, problems = read_csv_rows(path, S.DETERMINATION_COLUMNS, S.DETERMINATION_OPTIONAL)
    problems += validate_determinations(frame) if not problems else []
    if problems:
        raise DataValidationError(problems, f"{path}: determinations are invalid")
    frame["determination"] = frame["determination"].str.strip().str.lower()
    frame = frame.sort_values(["date", "lab", "level"], ascending=[False, True, True], kind="stable")
    return frame[columns].reset_index(drop=True)
