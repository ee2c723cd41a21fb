"""The forecast ledger: every threshold forecast the tool issues, kept in SQLite and scored later.

``forecast predict``, ``forecast update`` and ``forecast recalibrate`` record each
P(threshold crossed by date) they report, with the fit id, data hash, thresholds-file hash,
seed, scenario and package version, and the threshold's rule as it was (so a later edit of the
thresholds file cannot change what an old forecast meant). ``score_open`` resolves open
forecasts against a dataset: a forecast is resolved when the data show the threshold crossed
on or before its date (outcome 1) or when the data reach past its date without a crossing
(outcome 0); it is then scored with the Brier score.

Default location: ``out/ledger.sqlite`` (beside the default fit); ``--ledger PATH`` or
``$FORECAST_LEDGER`` override it. Each recording or scoring is one transaction: a crash leaves
either all of a run's rows or none.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..errors import ForecastError
from .scores import reliability

DEFAULT_LEDGER = Path("out") / "ledger.sqlite"
SCHEMA_VERSION = 2
#: Columns added in schema 2 (scores against the labs' own determinations), added to older ledgers.
LAB_COLUMNS = {"lab_outcome": "INTEGER CHECK (lab_outcome IN (0, 1))", "lab_called_on": "TEXT", "lab_brier": "REAL"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    issued_at TEXT NOT NULL,
    command TEXT NOT NULL,
    fit_id TEXT, data_hash TEXT, thresholds_hash TEXT,
    seed INTEGER, version TEXT, scenario TEXT, as_of TEXT,
    args TEXT
);
CREATE TABLE IF NOT EXISTS forecasts (
    forecast_id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    threshold TEXT NOT NULL,
    rule TEXT NOT NULL,
    as_of TEXT NOT NULL,
    by_date TEXT NOT NULL,
    prob REAL NOT NULL CHECK (prob >= 0 AND prob <= 1),
    outcome INTEGER CHECK (outcome IN (0, 1)),
    crossed_on TEXT,
    scored_at TEXT,
    brier REAL,
    lab_outcome INTEGER CHECK (lab_outcome IN (0, 1)),
    lab_called_on TEXT,
    lab_brier REAL
);
CREATE INDEX IF NOT EXISTS forecasts_open ON forecasts(outcome) WHERE outcome IS NULL;
"""


def resolve_ledger(path: str | Path | None = None) -> Path:
    if path:
        return Path(path)
    env = os.environ.get("FORECAST_LEDGER")
    return Path(env) if env else DEFAULT_LEDGER


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def connect(path: str | Path | None = None) -> sqlite3.Connection:
    path = resolve_ledger(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=30)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        with conn:
            conn.executescript(SCHEMA)
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                raise ForecastError(
                    f"{path}: ledger schema {row[0]} is newer than this version of the tool "
                    f"({SCHEMA_VERSION}); upgrade the tool"
                )
            elif int(row[0]) < SCHEMA_VERSION:  # an older ledger: add the columns, keep every row
                have = {r[1] for r in conn.execute("PRAGMA table_info(forecasts)")}
                for name, decl in LAB_COLUMNS.items():
                    if name not in have:
                        conn.execute(f"ALTER TABLE forecasts ADD COLUMN {name} {decl}")
                conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
    except sqlite3.DatabaseError as exc:
        raise ForecastError(f"{path}: not a usable forecast ledger ({exc})") from None
    return conn


def thresholds_hash(thresholds) -> str:
    text = json.dumps(
        [
            [t.id, t.combine, [[c.benchmark, c.comparison, c.value, c.inference_multiplier] for c in t.criteria]]
            for t in thresholds
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def rule_json(threshold) -> str:
    return json.dumps(
        {
            "id": threshold.id,
            "combine": threshold.combine,
            "criteria": [
                {
                    "benchmark": c.benchmark,
                    "comparison": c.comparison,
                    "value": c.value,
                    "inference_multiplier": c.inference_multiplier,
                }
                for c in threshold.criteria
            ],
            **(
                {
                    "lab": {
                        "lab": threshold.lab,
                        "lab_level": threshold.lab_level,
                        "category": threshold.category,
                        "determination_levels": list(threshold.determination_levels),
                        "match_category": threshold.match_category,
                    }
                }
                if threshold.determination_levels
                else {}
            ),
        }
    )


def threshold_from_rule(text: str, current=None):
    """The threshold as recorded with a forecast. A rule recorded before the lab fields existed
    takes them from ``current`` (the thresholds file now), by id or alias."""
    from ..forecasting.thresholds import Criterion, Threshold, by_id_or_alias

    d = json.loads(text)
    crit = tuple(
        Criterion(c["benchmark"], c["comparison"], float(c["value"]), float(c["inference_multiplier"]))
        for c in d["criteria"]
    )
    lab = d.get("lab")
    if lab is None and current:
        now = by_id_or_alias(current).get(d["id"])
        if now is not None:
            lab = {
                "lab": now.lab,
                "lab_level": now.lab_level,
                "category": now.category,
                "determination_levels": list(now.determination_levels),
                "match_category": now.match_category,
            }
    lab = lab or {}
    return Threshold(
        d["id"],
        "",
        "",
        "",
        crit,
        d["combine"],
        "",
        "",
        lab=lab.get("lab", ""),
        lab_level=lab.get("lab_level", ""),
        category=lab.get("category", ""),
        determination_levels=tuple(lab.get("determination_levels", ())),
        match_category=bool(lab.get("match_category", False)),
    )


def record(
    path,
    command: str,
    forecasts: list[dict],
    thresholds,
    *,
    fit_attrs: dict | None = None,
    scenario: str = "baseline",
    args: dict | None = None,
) -> int | None:
    """Record one run's forecasts in a single transaction. ``forecasts`` rows: threshold,
    as_of, by, prob. Returns the run id, or None when every forecast was already recorded by
    the same command from the same fit."""
    from .. import __version__

    by_id = {t.id: t for t in thresholds}
    fit_attrs = fit_attrs or {}
    fid = str(fit_attrs.get("fit_id", ""))
    with closing(connect(path)) as conn:
        try:
            # the same forecast re-issued (same command, fit, scenario, rule, as-of and date, e.g.
            # `make run` twice) is not a new forecast: it is recorded once
            if fid:
                seen = {
                    (t, r, a, b)
                    for t, r, a, b in conn.execute(
                        "SELECT f.threshold, f.rule, f.as_of, f.by_date FROM forecasts f JOIN runs r USING (run_id) "
                        "WHERE r.command = ? AND r.fit_id = ? AND r.scenario = ?",
                        (command, fid, scenario),
                    )
                }
                forecasts = [
                    f
                    for f in forecasts
                    if (f["threshold"], rule_json(by_id[f["threshold"]]), f["as_of"], f["by"]) not in seen
                ]
                if not forecasts:
                    return None
            with conn:  # one transaction: all rows or none
                cur = conn.execute(
                    "INSERT INTO runs (issued_at, command, fit_id, data_hash, thresholds_hash, seed, version, "
                    "scenario, as_of, args) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        _now(),
                        command,
                        str(fit_attrs.get("fit_id", "")),
                        str(fit_attrs.get("data_hash", "")),
                        thresholds_hash(thresholds),
                        int(fit_attrs.get("seed", 0) or 0),
                        __version__,
                        scenario,
                        forecasts[0]["as_of"] if forecasts else "",
                        json.dumps(args or {}, default=str),
                    ),
                )
                run_id = cur.lastrowid
                conn.executemany(
                    "INSERT INTO forecasts (run_id, threshold, rule, as_of, by_date, prob) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (
                            run_id,
                            f["threshold"],
                            rule_json(by_id[f["threshold"]]),
                            f["as_of"],
                            f["by"],
                            float(f["prob"]),
                        )
                        for f in forecasts
                    ],
                )
        except sqlite3.DatabaseError as exc:
            raise ForecastError(f"{resolve_ledger(path)}: could not record forecasts ({exc})") from None
    return run_id


def forecasts_from_predict(result: dict) -> list[dict]:
    """Ledger rows from a ``predict``-shaped dict."""
    return [
        {"threshold": t["id"], "as_of": result["as_of"], "by": d, "prob": p}
        for t in result["thresholds"]
        for d, p in t["prob_by"].items()
    ]


def score_open(path, ds, determinations: pd.DataFrame | None = None, thresholds=None) -> dict:
    """Resolve and score every open forecast the data now settle (the proxy crossed in the data
    by the date, or the data past it without a crossing), and, separately, against the labs' own
    determinations (the lab called the level reached by the date, or its calls reach past the date
    without one). Returns counts."""
    from .backtest import observed_crossing

    scored = 0
    lab_scored = _score_against_labs(path, determinations, thresholds) if determinations is not None else 0
    with closing(connect(path)) as conn:
        rows = conn.execute("SELECT forecast_id, rule, by_date, prob FROM forecasts WHERE outcome IS NULL").fetchall()
        cache: dict[str, tuple] = {}
        updates = []
        for fid, rule, by, prob in rows:
            if rule not in cache:
                th = threshold_from_rule(rule)
                # "not crossed" only where the data cover every benchmark the threshold names
                cache[rule] = (observed_crossing(ds.results, th)[0], ds.reach(c.benchmark for c in th.criteria))
            first, reach = cache[rule]
            by_ts = pd.Timestamp(by)
            if first is not None and first <= by_ts:
                outcome = 1
            elif reach is not None and reach >= by_ts:
                outcome = 0
            else:
                continue
            updates.append((outcome, first.date().isoformat() if outcome else None, _now(), (prob - outcome) ** 2, fid))
        with conn:
            conn.executemany(
                "UPDATE forecasts SET outcome = ?, crossed_on = ?, scored_at = ?, brier = ? WHERE forecast_id = ?",
                updates,
            )
        scored = len(updates)
        n_open = conn.execute("SELECT COUNT(*) FROM forecasts WHERE outcome IS NULL").fetchone()[0]
    return {"scored_now": scored, "still_open": int(n_open), "lab_scored_now": lab_scored}


def _score_against_labs(path, determinations: pd.DataFrame, thresholds) -> int:
    """Score open forecasts against the labs' own calls; returns how many were scored now."""
    from ..forecasting.labcalls import lab_determinations, lab_outcome

    newest = str(determinations["date"].max()) if len(determinations) else None
    with closing(connect(path)) as conn:
        rows = conn.execute(
            "SELECT forecast_id, rule, by_date, prob FROM forecasts WHERE lab_outcome IS NULL"
        ).fetchall()
        cache: dict[str, tuple] = {}
        updates = []
        for fid, rule, by, prob in rows:
            if rule not in cache:
                th = threshold_from_rule(rule, thresholds)
                cache[rule] = (th, lab_determinations(th, determinations))
            th, calls = cache[rule]
            outcome, called_on = lab_outcome(th, calls, by, newest)
            if outcome is None:
                continue
            updates.append((outcome, called_on or None, (prob - outcome) ** 2, fid))
        with conn:
            conn.executemany(
                "UPDATE forecasts SET lab_outcome = ?, lab_called_on = ?, lab_brier = ? WHERE forecast_id = ?", updates
            )
    return len(updates)


def table(path) -> pd.DataFrame:
    """Every forecast with its run's provenance, as a DataFrame."""
    with closing(connect(path)) as conn:
        return pd.read_sql_query(
            "SELECT f.*, r.command, r.issued_at, r.fit_id, r.data_hash, r.thresholds_hash, r.seed, r.version, "
            "r.scenario FROM forecasts f JOIN runs r USING (run_id) ORDER BY f.forecast_id",
            conn,
        )


def report(path) -> dict:
    """How past forecasts fared: Brier score per command and reliability bins, over the scored
    forecasts whose threshold was not already crossed in the data when they were issued."""
    df = table(path)
    scored = df[df["outcome"].notna()]
    # a threshold already crossed in the data when the forecast was issued tells nothing about
    # forecasting skill: counted, but left out of the scores
    known = scored["crossed_on"].notna() & (scored["crossed_on"].astype(str) <= scored["as_of"].astype(str))
    out = {
        "n_forecasts": int(len(df)),
        "n_scored": int(len(scored)),
        "n_open": int(df["outcome"].isna().sum()),
        "n_already_crossed_when_issued": int(known.sum()),
    }
    scored = scored[~known]
    if scored.empty:
        out.update({"brier": None, "by_command": [], "reliability": []})
        return out
    out["brier"] = float(scored["brier"].mean())
    out["by_command"] = [
        {
            "command": c,
            "n": int(len(g)),
            "brier": float(g["brier"].mean()),
            "mean_prob": float(g["prob"].mean()),
            "observed_rate": float(g["outcome"].mean()),
        }
        for c, g in scored.groupby("command")
    ]
    out["reliability"] = reliability(scored["prob"].to_numpy(float), scored["outcome"].to_numpy(float))
    return out


def lab_report(path) -> dict:
    """How past proxy forecasts fared against the labs' own calls: Brier score over the forecasts
    the determinations settle, per command, with the rate at which the labs had called the level."""
    df = table(path)
    scored = df[df["lab_outcome"].notna()] if "lab_outcome" in df else df.iloc[0:0]
    out = {"n_scored": int(len(scored)), "brier": float(scored["lab_brier"].mean()) if len(scored) else None}
    out["by_command"] = [
        {
            "command": c,
            "n": int(len(g)),
            "brier": float(g["lab_brier"].mean()),
            "mean_prob": float(g["prob"].mean()),
            "called_rate": float(g["lab_outcome"].mean()),
        }
        for c, g in scored.groupby("command")
    ]
    return out
