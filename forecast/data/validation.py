"""Value parsers and the validation of a whole dataset: every problem, each located by file,
line and column (``Problem``)."""

from __future__ import annotations

import difflib
import math
import re
from datetime import date

import pandas as pd

from ..errors import Problem
from . import schema as S
from .io import FILE_COL, LINE_COL, RawDataset

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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


def _p(row, column: str | None, message: str) -> Problem:
    return Problem(str(row[FILE_COL]), int(row[LINE_COL]), column, message)


def _suggest(name: str, options) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def today() -> str:
    """Today's date (ISO): no result can have been reported after it."""
    return date.today().isoformat()


def _impossible_date(r: dict, model: dict | None) -> list[Problem]:
    """A result reported before its model was released, or after today: it would leak into
    ``--as-of`` fits and backtests at the wrong date."""
    when = r["reported_date"]
    out = []
    if when > today():
        out.append(_p(r, "reported_date", f"reported {when}, after today ({today()})"))
    released = "" if model is None else str(model["release_date"])
    if released and DATE_RE.match(released) and when < released:
        out.append(
            _p(
                r,
                "reported_date",
                f"reported {when}, before model '{r['model']}' was released ({released}, "
                f"{model[FILE_COL]}:{model[LINE_COL]})",
            )
        )
    return out


def _compute_bound_problems(r: dict, point: float | None) -> list[Problem]:
    """Epoch's bounds on training compute: numbers in FLOP, lower <= upper, around the point."""
    out, bounds = [], {}
    for col in ("train_flop_lower", "train_flop_upper"):
        v, msg = parse_number(str(r.get(col, "") or ""))
        if msg:
            out.append(_p(r, col, msg))
        elif v is not None and not (1e15 <= v <= 1e31):
            out.append(_p(r, col, f"{r[col]} FLOP is outside 1e15..1e31; write FLOP, not log10 or PF-days"))
        elif v is not None:
            bounds[col] = v
    lo, hi = bounds.get("train_flop_lower"), bounds.get("train_flop_upper")
    if lo is not None and hi is not None and lo > hi:
        out.append(
            _p(r, "train_flop_lower", f"lower bound {r['train_flop_lower']} is above the upper {r['train_flop_upper']}")
        )
    elif point is not None and point > 0 and ((lo is not None and point < lo) or (hi is not None and point > hi)):
        out.append(_p(r, "train_flop", f"{r['train_flop']} FLOP is outside its bounds"))
    return out


def validate_raw(raw: RawDataset) -> list[Problem]:
    """Every problem in the dataset: values, references and duplicates. Empty list = valid."""
    problems: list[Problem] = []

    # models
    seen: dict[str, dict] = {}
    for r in raw.models.to_dict("records"):
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
            problems.append(
                _p(r, "train_flop", f"{r['train_flop']} FLOP is outside 1e15..1e31; write FLOP, not log10 or PF-days")
            )
        problems += _compute_bound_problems(r, v)
        _, msg = parse_bool(r["reasoning"])
        if msg:
            problems.append(_p(r, "reasoning", msg))
        msg = _url_problem(r["source_url"])
        if msg:
            problems.append(_p(r, "source_url", msg))

    # benchmarks
    units: dict[str, str] = {}
    for r in raw.benchmarks.to_dict("records"):
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
        gap, msg = parse_number(r.get("unreachable", ""))
        if msg:
            problems.append(_p(r, "unreachable", msg))
        elif gap is not None:
            f, c = (0.0 if floor is None else floor), (1.0 if ceiling is None else ceiling)
            if unit != "fraction":
                problems.append(_p(r, "unreachable", "an unreachable share applies to fraction benchmarks only"))
            elif not 0 < gap < c - f:
                problems.append(
                    _p(r, "unreachable", f"need 0 < unreachable < ceiling - floor ({c - f:g}), got {gap:g}")
                )
            msg = _url_problem(r.get("unreachable_source_url", ""))
            if msg:
                problems.append(_p(r, "unreachable_source_url", f"the audit behind 'unreachable': {msg}"))
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
    keys: dict[str, dict] = {}
    key_list = result_key(raw.results).tolist() if len(raw.results) else []
    for i, r in enumerate(raw.results.to_dict("records")):
        m, b = r["model"], r["benchmark"]
        if m not in seen:
            problems.append(
                _p(r, "model", f"unknown model '{m}'{_suggest(m, seen)}; add it to models.csv (or --models)")
            )
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
            problems.append(
                _p(
                    r,
                    "inference_multiplier",
                    f"must be positive (1 = default setting), got {r['inference_multiplier']}",
                )
            )
        _, msg = parse_date(r["reported_date"])
        if r["reported_date"] == "":
            msg = "reported_date is required"
        if msg:
            problems.append(_p(r, "reported_date", msg))
        else:
            problems += _impossible_date(r, seen.get(m))
        eff = r.get("effort", "").strip().lower()
        if eff and eff not in S.EFFORT_LEVELS:
            problems.append(_p(r, "effort", f"effort '{eff}' is not one of {', '.join(S.EFFORT_LEVELS)} or blank"))
        ev = r.get("evaluator", "").strip().lower()
        if ev not in S.EVALUATORS:
            problems.append(_p(r, "evaluator", f"evaluator '{ev}' is not vendor, independent or blank"))
        msg = _url_problem(r["source_url"])
        if msg:
            problems.append(_p(r, "source_url", msg))
        k = key_list[i]
        if k in keys:
            first = keys[k]
            same = parse_number(first["score"])[0] == score
            what = "duplicate of" if same else f"conflicts with (score {first['score']} vs {r['score']})"
            problems.append(
                _p(
                    r,
                    "score",
                    f"{what} the result at {first[FILE_COL]}:{first[LINE_COL]} "
                    f"(same model, benchmark, setting, inference_multiplier, effort, evaluator)",
                )
            )
        else:
            keys[k] = r
    return problems
