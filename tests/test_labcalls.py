"""The labs' own calls beside the proxies: matching determinations to thresholds, the first call
that a level is reached, the words comparing proxy and lab, and the ledger's scores against them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from forecast import data as D
from forecast.data.determinations import load_determinations
from forecast.evaluation import ledger as L
from forecast.forecasting.labcalls import compare, first_positive, lab_determinations, lab_outcome
from forecast.forecasting.thresholds import Criterion, Threshold, load_thresholds

ROOT = Path(__file__).resolve().parent.parent


def _th(lab="OpenAI", level="High", category="cyber", levels=("High",), match=True, tid="openai-cyber-high"):
    return Threshold(
        tid,
        "PF v2",
        level,
        "d",
        (Criterion("b1", ">=", 0.8),),
        "all",
        "https://x",
        "n",
        lab=lab,
        lab_level=level,
        category=category,
        display_name=f"{lab} {level}, {category}",
        determination_levels=levels,
        match_category=match,
    )


CALLS = pd.DataFrame(
    [
        ("2025-08-07", "OpenAI", "High", "bio-chem", "gpt-5", "treated as crossed"),
        ("2025-12-11", "OpenAI", "High", "cyber", "gpt-5.2", "not crossed"),
        ("2026-02-05", "OpenAI", "High", "cyber", "gpt-5.3-codex", "treated as crossed"),
        ("2026-02-19", "Google DeepMind", "Cyber Uplift Level 1", "cyber", "gemini-3.1-pro", "alert threshold reached"),
    ],
    columns=["date", "lab", "level", "category", "model", "determination"],
).assign(source_url="https://x", quote="")


def test_calls_match_by_lab_level_and_category():
    calls = lab_determinations(_th(), CALLS)
    assert [c["model"] for c in calls] == ["gpt-5.2", "gpt-5.3-codex"]  # not the bio-chem "High"
    assert first_positive(_th(), calls)["date"] == "2026-02-05"
    gdm_alert = _th("Google DeepMind", "Cyber Uplift Level 1 (alert threshold)", levels=("Cyber Uplift Level 1",))
    gdm_ccl = _th("Google DeepMind", "Cyber Uplift Level 1 (CCL)", levels=("Cyber Uplift Level 1",))
    assert first_positive(gdm_alert, lab_determinations(gdm_alert, CALLS))["model"] == "gemini-3.1-pro"
    assert first_positive(gdm_ccl, lab_determinations(gdm_ccl, CALLS)) is None  # an alert is not the CCL


def test_lab_outcome_by_date():
    th, calls = _th(), lab_determinations(_th(), CALLS)
    assert lab_outcome(th, calls, "2026-06-30", "2026-10-07") == (1, "2026-02-05")
    assert lab_outcome(th, calls, "2025-12-31", "2026-10-07") == (0, "")  # called later, not by then
    assert lab_outcome(th, calls, "2027-06-30", "2026-10-07") == (1, "2026-02-05")
    assert lab_outcome(_th(levels=("Critical",)), [], "2027-06-30", "2026-10-07") == (None, "")  # not that far yet
    assert lab_outcome(_th(levels=()), calls, "2026-06-30", "2026-10-07") == (None, "")  # no lab level


def test_compare_says_ahead_behind_or_agree():
    th, calls = _th(), lab_determinations(_th(), CALLS)
    assert "runs ahead of the lab" in compare(th, calls, "2025-06-01", "2026-07-24")
    assert "runs behind the lab" in compare(th, calls, None, "2026-07-24")
    assert "agree within three months" in compare(th, calls, "2026-01-20", "2026-07-24")
    assert "after this forecast's data" in compare(th, calls, None, "2025-11-24")
    crit = _th(level="Critical", levels=("Critical",))
    assert "neither the proxy" in compare(crit, [], None, "2026-07-24")
    assert "runs ahead" in compare(crit, [], "2026-05-01", "2026-07-24")


def test_bundled_thresholds_have_the_labs_calls_beside_them():
    """With the bundled determinations, at least three thresholds have published calls, among them
    OpenAI's first High in cybersecurity (GPT-5.3-Codex, February 2026)."""
    ths = load_thresholds(None)
    det = load_determinations(ROOT / "data")
    have = {t.id: lab_determinations(t, det) for t in ths}
    assert sum(bool(v) for v in have.values()) >= 3
    first = first_positive(next(t for t in ths if t.id == "openai-pf2-cyber-high"), have["openai-pf2-cyber-high"])
    assert first["model"] == "gpt-5.3-codex" and first["date"].startswith("2026-02")


def test_ledger_scores_forecasts_against_the_labs_calls_too(tmp_path):
    path = tmp_path / "l.sqlite"
    th = _th()
    rows = [
        {"threshold": th.id, "as_of": "2025-11-24", "by": d, "prob": p}
        for d, p in [("2025-12-31", 0.3), ("2026-06-30", 0.8), ("2027-12-31", 0.9)]
    ]
    L.record(path, "predict", rows, [th], fit_attrs={"fit_id": "f", "data_hash": "h", "seed": 1})
    res = L.score_open(
        path,
        D.Dataset(
            pd.DataFrame(),
            pd.DataFrame(),
            pd.DataFrame(columns=["model", "benchmark", "score", "reported_date", "inference_multiplier"]),
            "h",
        ),
        CALLS,
        [th],
    )
    assert res["lab_scored_now"] == 3  # the call of 2026-02-05 settles 2027-12-31 too
    t = L.table(path).set_index("by_date")
    assert t.loc["2025-12-31", "lab_outcome"] == 0 and t.loc["2025-12-31", "lab_brier"] == pytest.approx(0.09)
    assert t.loc["2026-06-30", "lab_outcome"] == 1 and t.loc["2026-06-30", "lab_called_on"] == "2026-02-05"
    rep = L.lab_report(path)
    assert rep["n_scored"] == 3 and rep["brier"] == pytest.approx((0.09 + 0.04 + 0.01) / 3)
    # a date past the newest call, with no call yet, stays open
    crit = _th(level="Critical", levels=("Critical",), tid="openai-cyber-critical")
    L.record(
        path,
        "predict",
        [{"threshold": crit.id, "as_of": "2025-11-24", "by": "2027-12-31", "prob": 0.4}],
        [crit],
        fit_attrs={"fit_id": "f", "data_hash": "h", "seed": 1},
    )
    empty = D.Dataset(
        pd.DataFrame(),
        pd.DataFrame(),
        pd.DataFrame(columns=["model", "benchmark", "score", "reported_date", "inference_multiplier"]),
        "h",
    )
    assert L.score_open(path, empty, CALLS, [th, crit])["lab_scored_now"] == 0


def test_an_older_ledger_gains_the_lab_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    old = L.SCHEMA.replace(
        ",\n    lab_outcome INTEGER CHECK (lab_outcome IN (0, 1)),\n    lab_called_on TEXT,\n    lab_brier REAL", ""
    )
    conn.executescript(old)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute("INSERT INTO runs (issued_at, command) VALUES ('2026-01-01', 'predict')")
    conn.execute(
        "INSERT INTO forecasts (run_id, threshold, rule, as_of, by_date, prob) VALUES "
        "(1, 'anthropic-asl3-cbrn3-gpqa', '{}', '2025-01-01', '2025-12-31', 0.5)"
    )
    conn.commit()
    conn.close()
    t = L.table(path)
    assert {"lab_outcome", "lab_called_on", "lab_brier"} <= set(t.columns) and len(t) == 1


def test_predict_json_carries_the_labs_calls_and_the_data_vintage(tmp_path, monkeypatch):
    """Every threshold in `predict --json` has ``lab_determinations`` (a list, empty when the lab
    has made no call), its name and lab level, and the forecast says how old its data are."""
    from forecast.data import validation
    from forecast.forecasting.predict import predict_from_idata
    from forecast.inference import load_fit

    golden = Path(__file__).resolve().parent / "golden"
    text = (golden / "thresholds.toml").read_text()
    text = text.replace(
        'level = "L1"\n',
        'level = "L1"\nlab = "OpenAI"\nlab_level = "High"\ncategory = "cyber"\n'
        'match_category = true\ndisplay_name = "OpenAI High, cybersecurity"\n'
        'determination_levels = ["High"]\n',
        1,
    )
    path = tmp_path / "t.toml"
    path.write_text(text)
    monkeypatch.setattr(validation, "today", lambda: "2026-12-05")
    idata = load_fit(golden / "fit_v1.nc")
    res = predict_from_idata(idata, thresholds_path=path, by=["2026-12-31"])
    assert all(isinstance(t["lab_determinations"], list) for t in res["thresholds"])
    first = res["thresholds"][0]
    assert first["name"] == "OpenAI High, cybersecurity" and first["lab_determinations"]
    assert set(first["lab_determinations"][0]) == {"date", "model", "lab", "level", "determination", "source_url"}
    assert res["thresholds"][1]["lab_determinations"] == []
    v = res["data_vintage"]
    assert v["as_of"] == res["as_of"] and v["written_on"] == "2026-12-05"
    assert v["stale"] and v["age_days"] > 90 and "days old" in v["warning"]


def test_a_line_no_lab_draws_is_not_called_metr_s():
    """The o1 example's own lines name no lab and are not METR's: the table and the sentence say
    so; METR's horizon lines still say METR."""
    from pathlib import Path

    from forecast.forecasting.labcalls import compare
    from forecast.forecasting.thresholds import load_thresholds
    from forecast.reports.text import lab_call_cell

    root = Path(__file__).resolve().parent.parent
    own = load_thresholds(root / "docs/examples/o1_thresholds.toml")[0]
    assert "METR" not in compare(own, [], None, "2024-09-11") and "thresholds file's own" in compare(
        own, [], None, "2024-09-11"
    )
    assert lab_call_cell({"framework": own.framework, "lab": own.lab, "lab_level": ""}) == "no lab call"
    metr = [t for t in load_thresholds() if t.framework.startswith("METR")][0]
    assert "METR's metric" in compare(metr, [], None, "2026-07-24")
    assert lab_call_cell({"framework": metr.framework, "lab": metr.lab, "lab_level": ""}) == "no lab call (METR metric)"
