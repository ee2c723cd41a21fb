"""`forecast memo` on the golden fit: its numbers are predict's, the HTML is self-contained, the
Markdown has its figures beside it, a failure leaves no half-written memo, and the CLI reports
bad arguments. The memo's parts are computed once per module to keep the fast tier fast."""

from __future__ import annotations

import base64
import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import matplotlib
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast import data as D
from forecast.cli import app
from forecast.errors import ForecastError
from forecast.forecasting import predict as PR
from forecast.inference import load_fit
from forecast.reports import memo as MM
from forecast.reports import text as TX
from forecast.reports.units import format_prob

matplotlib.use("Agg")
GOLDEN = Path(__file__).resolve().parent / "golden"
THRESHOLDS = GOLDEN / "thresholds.toml"
PNG = b"\x89PNG\r\n\x1a\n"
runner = CliRunner()

UPDATE = {
    "method": "reweight",
    "shift": [
        {
            "threshold": "sim-any",
            "by": "2025-12-31",
            "before": 0.31,
            "after": 0.57,
            "median_before": "2026-09-01",
            "median_after": "2025-10-11",
        },
        {
            "threshold": "sim-any",
            "by": "2026-12-31",
            "before": 0.6,
            "after": 0.84,
            "median_before": "2026-09-01",
            "median_after": "2025-10-11",
        },
        {
            "threshold": "sim-math-90",
            "by": "2025-12-31",
            "before": 0.95,
            "after": 0.99,
            "median_before": "2025-04-30",
            "median_after": "2025-04-30",
        },
        {
            "threshold": "sim-math-90",
            "by": "2026-12-31",
            "before": 0.99,
            "after": 1.0,
            "median_before": "2025-04-30",
            "median_after": "2025-04-30",
        },
    ],
    "surprise": [
        {
            "model": "sim-034",
            "benchmark": "bench-04",
            "setting": "",
            "observed": 42.0,
            "predicted_median": 12.0,
            "predictive_percentile": 0.97,
        },
        {
            "model": "sim-033",
            "benchmark": "bench-00",
            "setting": "pass@1",
            "observed": 0.91,
            "predicted_median": 0.9,
            "predictive_percentile": 0.52,
        },
        {
            "model": "sim-033",
            "benchmark": "bench-09",
            "setting": "",
            "observed": 0.3,
            "predicted_median": None,
            "predictive_percentile": None,
        },
    ],
    "influence": [
        {
            "threshold": "sim-any",
            "model": "sim-034",
            "benchmark": "bench-04",
            "setting": "",
            "by": "2026-12-31",
            "delta": 0.21,
        }
    ],
}
CALIBRATION = {
    "origins": ["2024-06-30", "2024-12-31"],
    "scores": {
        "model": {"crps": 0.051, "coverage50": 0.47, "coverage80": 0.74, "coverage95": 0.9, "n": 120},
        "trend": {"crps": 0.08, "coverage50": 0.3, "coverage80": 0.55, "coverage95": 0.7, "n": 120},
    },
    "coverage": [
        {"nominal": 0.5, "observed": 0.47, "n": 120},
        {"nominal": 0.8, "observed": 0.74, "n": 120},
        {"nominal": 0.95, "observed": 0.9, "n": 120},
    ],
    "pit": [i / 120 for i in range(120)],
    "best_baseline": "trend",
    "ratio_to_best_baseline": 0.64,
    "events": {
        "n": 40,
        "n_resolved": 30,
        "brier": 0.064,
        "brier_climatology": 0.19,
        "brier_skill": 0.66,
        "base_rate": 0.26,
    },
    "frontier": {
        "n": 24,
        "coverage": [{"nominal": 0.5, "observed": 0.46, "n": 24}, {"nominal": 0.9, "observed": 0.875, "n": 24}],
        "by_horizon": [
            {
                "horizon_days": 365,
                "unit": "fraction",
                "n": 12,
                "coverage90": 0.83,
                "crps_model": 0.059,
                "crps_persistence": 0.133,
                "crps_trend": 0.089,
            },
        ],
        "twelve_month_in90_by_origin": [{"origin": "2024-06-30", "n": 12, "in90": 0.8333}],
    },
}


@pytest.fixture(scope="module")
def golden():
    return load_fit(GOLDEN / "fit_v1.nc", ds=D.load_dataset(GOLDEN / "data"))


@pytest.fixture(scope="module")
def reference(golden):
    """What `forecast predict` says for the golden fit (default dates)."""
    return PR.predict_from_idata(golden, thresholds_path=THRESHOLDS, seed=1)


@pytest.fixture(scope="module")
def bare(golden):
    """(data, figures) of the memo of a fit without update or backtest; predict's calls counted."""
    calls = []
    real = PR.predict_from_idata

    def counting(*a, **k):
        calls.append(k)
        return real(*a, **k)

    with mock.patch.object(PR, "predict_from_idata", counting):
        data = MM.memo_data(golden, thresholds_path=THRESHOLDS, seed=1)
    return data, MM.memo_figures(data), calls


@pytest.fixture(scope="module")
def bare_memo(bare, golden, tmp_path_factory):
    data, figures, _ = bare
    out = tmp_path_factory.mktemp("memo") / "memo"
    with (
        mock.patch.object(MM, "memo_data", lambda *a, **k: data),
        mock.patch.object(MM, "memo_figures", lambda d: figures),
    ):
        paths = MM.build_memo(golden, out, formats=("html", "md", "pdf"), thresholds_path=THRESHOLDS)
    return paths


@pytest.fixture(scope="module")
def updated(golden):
    """The golden fit with an update recorded and a backtest report: every section filled."""
    tree = golden.copy()
    tree.attrs = {
        **golden.attrs,
        "last_update": json.dumps(UPDATE),
        "update_method": "reweight",
        "update_pareto_k": 0.31,
    }
    data = MM.memo_data(tree, thresholds_path=THRESHOLDS, calibration=CALIBRATION, seed=1)
    figures = MM.memo_figures(data)
    blocks = MM.memo_blocks(data, figures)
    return data, figures, MM.render_markdown(blocks, lambda f: f"figures/{f.name}.png"), MM.render_html(blocks)


# ------------------------------------------------------------------------------------------------
# the numbers are predict's


def test_memo_numbers_are_predicts(bare, reference):
    data, _, calls = bare
    assert len(calls) == 1  # predict_from_idata is called once
    assert data["year_ends"] == list(reference["thresholds"][0]["prob_by"])
    assert data["as_of"] == reference["as_of"] and data["until"] == reference["until"]
    assert data["n_draws"] == reference["n_draws"]
    assert [r["id"] for r in data["headline"]] == [t["id"] for t in reference["thresholds"]]
    for row, ref in zip(data["headline"], reference["thresholds"]):
        assert row["prob_already"] == ref["prob_already"]
        assert row["prob_by"] == ref["prob_by"]  # exactly, not approximately
        assert row["median_crossing"] == ref["median_crossing"]
        assert row["interval"] == ref["crossing_interval_80"]
        assert row["rule"] == ref["rule"]
    ref_fq = {(r["benchmark"], r["date"]): r for r in reference["frontier"]}
    for fr in data["frontier_rows"]:
        for d, (med, lo, hi) in fr["cells"].items():
            r = ref_fq[(fr["benchmark"], d)]
            assert (med, lo, hi) == (r["q0.5"], r["q0.05"], r["q0.95"])


def test_markdown_table_prints_predicts_numbers(bare_memo, reference):
    md = bare_memo["md"].read_text()
    until = reference["until"]
    for t in reference["thresholds"]:
        lo, hi = t["crossing_interval_80"]
        crossed = bool(t.get("observed_crossing"))
        row = (
            f"| {t['name']} ({t['rule']}) | {format_prob(t['prob_already'], crossed)} | "
            + " | ".join(format_prob(p, crossed) for p in t["prob_by"].values())
            + f" | {t['median_crossing'] or 'after ' + until} | {lo or 'after ' + until} to {hi or 'after ' + until} |"
        )
        assert row in md
        assert t["rule"] in md


def test_markdown_names_every_threshold_and_has_figures_beside_it(bare_memo, bare):
    md_path = bare_memo["md"]
    md = md_path.read_text()
    for tid in bare[0]["thresholds"]:
        assert tid in md
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert len(images) >= 5
    for rel in images:
        f = md_path.parent / rel
        assert f.exists() and f.read_bytes().startswith(PNG)
    kinds = {f.kind for f in bare[1]}
    assert len(kinds) >= 5, kinds
    assert {"frontier", "crossing_cdf", "compute_surface", "attribution", "key_quantities"} <= kinds


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained(bare_memo):
    text = bare_memo["html"].read_text()
    p = _Tags()
    p.feed(text)
    names = [t for t, _ in p.tags]
    assert "script" not in names and "link" not in names and "iframe" not in names
    imgs = [a for t, a in p.tags if t == "img"]
    assert len(imgs) >= 5
    for a in imgs:
        assert a["src"].startswith("data:image/png;base64,")
        assert base64.b64decode(a["src"].split(",", 1)[1]).startswith(PNG)
    for _, a in p.tags:
        for k in ("src", "href"):
            assert not str(a.get(k, "")).startswith(("http:", "https:", "//", "file:")), a
    assert "url(" not in text and "@import" not in text


def test_pdf_is_written(bare_memo):
    pdf = bare_memo["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    assert set(bare_memo) == {"html", "md", "pdf"}


def test_without_update_or_backtest_the_memo_says_so(bare_memo, bare):
    md = bare_memo["md"].read_text()
    assert "No update since this fit" in md
    assert MM.NO_BACKTEST in md.lower() or "No backtest run yet: run forecast recalibrate" in md
    kinds = {f.kind for f in bare[1]}
    assert not kinds & {"update_shift", "calibration", "pit"}
    assert "A proxy crossing is not a lab determination" in md
    assert "vendor-reported" in md and "independent" in md


def test_sections_come_in_the_issue_order(bare_memo):
    md = bare_memo["md"].read_text()
    heads = [
        "## 1. Headline",
        "## 2. What changed",
        "## 3. Figures",
        "## 4. Method",
        "## 5. Data vintage",
        "## 6. Caveats",
    ]
    pos = [md.index(h) for h in heads]
    assert pos == sorted(pos)
    assert md.index("### Diagnostics") < md.index("### Backtest calibration") < md.index("## 6. Caveats")


# ------------------------------------------------------------------------------------------------
# with an update and a backtest


def test_update_section_and_shift_figure(updated):
    data, figures, md, html = updated
    assert "| sim-any | 0.31 -> 0.57 | 0.60 -> 0.84 | 2026-09-01 -> 2025-10-11 |" in md
    assert "| sim-034 | bench-04 |  | 42 min | 12 min | 0.970 |" in md  # minutes in their unit
    assert md.index("sim-034 | bench-04") < md.index("sim-033 | bench-00")  # most surprising first
    assert "1 new results were on benchmarks new to the fit" in md
    assert "sim-any: sim-034 on bench-04" in md and "+0.21 by 2026-12-31" in md
    assert "Pareto k 0.31" in md
    kinds = [f.kind for f in figures]
    assert "update_shift" in kinds
    assert html.count('<img src="data:image/png;base64,') == len(figures) >= 7


def test_backtest_section_and_calibration_figures(updated):
    data, figures, md, _ = updated
    kinds = {f.kind for f in figures}
    assert {"calibration", "pit"} <= kinds
    assert "no backtest run yet" not in md.lower()
    assert "| model | 0.051 | 0.470 | 0.740 | 0.900 | 120 |" in md
    assert "50% intervals held 47% of 120 results (within" in md
    assert "best peer method (trend): 0.64" in md
    assert "Brier score 0.064" in md and "against 0.190 for climatology" in md and "skill +0.66" in md
    assert "24 targets; 50% intervals held 46%; 90% intervals held 88%" in md
    assert "| 365 days | fraction | 12 | 83% | 0.059 | 0.133 | 0.089 |" in md
    assert "by origin: 2024-06-30 83% of 12" in md


def test_backtests_of_another_model_config_are_flagged(updated):
    """The memo cautions when the recalibration report scored other model settings than the
    fit's, and names them; a report with the fit's settings (or from before the record) is quiet."""
    from forecast.model import ModelConfig
    from forecast.reports.memo.content import config_difference

    data, figures, md, _ = updated
    assert "another model configuration" not in md  # CALIBRATION has no model_config: quiet
    fit_cfg = data["model_config"]
    same = ModelConfig.from_dict(fit_cfg).to_json()
    other = ModelConfig.from_dict({**fit_cfg, "learn_ceiling": True, "link_shape": 0.5}).to_json()
    assert config_difference(fit_cfg, same) == ""
    assert config_difference(fit_cfg, other) == (
        "learn_ceiling: fit False, backtests True, link_shape: fit 1.0, backtests 0.5"
    )
    flagged = {**data, "calibration": {**data["calibration"], "model_config": other}}
    md2 = MM.render_markdown(MM.memo_blocks(flagged, figures), lambda f: f"figures/{f.name}.png")
    assert "scored another model configuration than this forecast's fit (learn_ceiling: fit False" in md2
    # the method section names the fit's own settings
    for cfg, says in (
        (ModelConfig().to_dict(), "Model settings: the defaults."),
        ({**ModelConfig().to_dict(), "link_shape": 0.7}, "differ from this version's defaults: link_shape = 0.7."),
    ):
        md3 = MM.render_markdown(
            MM.memo_blocks({**data, "model_config": cfg}, figures), lambda f: f"figures/{f.name}.png"
        )
        assert says in md3


def test_calibration_file_is_checked(tmp_path):
    bad = tmp_path / "recalibration.json"
    bad.write_text("{not json")
    with pytest.raises(ForecastError, match="not a readable calibration JSON"):
        MM.load_calibration(bad)
    with pytest.raises(ForecastError, match="not found"):
        MM.load_calibration(tmp_path / "missing.json")
    with pytest.raises(ForecastError, match="malformed"):
        MM.load_calibration({"coverage": [{"observed": 0.5}]})
    ok = MM.load_calibration(CALIBRATION)
    assert ok["coverage"][0] == {"nominal": 0.5, "observed": 0.47, "n": 120}


# ------------------------------------------------------------------------------------------------
# writing and the CLI


def test_a_failure_leaves_the_previous_memo(bare, golden, tmp_path):
    data, figures, _ = bare
    out = tmp_path / "memo"
    (out / "figures").mkdir(parents=True)
    (out / "memo.md").write_text("previous memo")
    (out / "figures" / "old.png").write_bytes(PNG)

    def boom(blocks):
        raise RuntimeError("disk full")

    with (
        mock.patch.object(MM, "memo_data", lambda *a, **k: data),
        mock.patch.object(MM, "memo_figures", lambda d: figures),
        mock.patch.object(MM, "render_html", boom),
    ):
        with pytest.raises(RuntimeError):
            MM.build_memo(golden, out, formats=("md", "html"))
    assert (out / "memo.md").read_text() == "previous memo"
    assert (out / "figures" / "old.png").exists() and not (out / "memo.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memo"]  # no temporary directory left behind


def test_formats_are_checked():
    assert MM.parse_formats("html, MD,pdf,html") == ("html", "md", "pdf")
    assert MM.parse_formats(["markdown"]) == ("md",)
    with pytest.raises(ForecastError, match="unknown memo format 'docx'"):
        MM.parse_formats("html,docx")
    with pytest.raises(ForecastError, match="no memo format"):
        MM.parse_formats(" , ")


@pytest.mark.parametrize(
    "args,message",
    [
        (["--format", "html,docx"], "unknown memo format 'docx'"),
        (["--scenario", "moonshot"], "unknown scenario 'moonshot'"),
        (["--fit", "nowhere/fit.nc"], "no fit here"),
        (["--calibration", "nowhere/recalibration.json"], "calibration file not found"),
        (["--thresholds", "nowhere/thresholds.toml"], "thresholds file not found"),
    ],
)
def test_cli_errors_exit_nonzero_with_a_message(args, message, tmp_path):
    base = ["memo", "--fit", str(GOLDEN / "fit_v1.nc"), "--out", str(tmp_path / "memo")]
    res = runner.invoke(app, base + args)
    assert res.exit_code != 0
    assert message in res.output
    assert not (tmp_path / "memo").exists()


def test_cli_writes_the_memo(tmp_path):
    out = tmp_path / "memo"
    res = runner.invoke(
        app,
        [
            "memo",
            "--fit",
            str(GOLDEN / "fit_v1.nc"),
            "--out",
            str(out),
            "--format",
            "md",
            "--thresholds",
            str(THRESHOLDS),
        ],
    )
    assert res.exit_code == 0, res.output
    assert f"md: {out / 'memo.md'}" in res.output
    md = (out / "memo.md").read_text()
    assert "sim-horizon-day" in md and len(list((out / "figures").glob("*.png"))) >= 5
    assert not (out / "memo.html").exists()


def test_probabilities_print_1_only_where_the_data_show_the_crossing():
    assert format_prob(0.999) == ">0.99" and format_prob(1.0) == ">0.99"
    assert format_prob(1.0, crossed=True) == "1.00"
    assert format_prob(0.001) == "<0.01" and format_prob(0.0) == "<0.01"
    assert format_prob(0.5) == "0.50" and format_prob(None) == "-"


def test_horizons_past_what_the_suite_measures_print_as_beyond_it():
    from forecast.reports.units import format_score

    assert format_score(500.0, "minutes", 960.0) == "8.33 h"
    assert format_score(5e8, "minutes", 960.0) == "> 16 h"
    assert format_score(5e8, "minutes") != "> 16 h"


def test_benchmarks_measured_long_before_the_data_date_are_named(bare):
    reach = {"gpqa_diamond": "2026-10-01", "metr_time_horizon": "2026-04-07", "cybench": "2026-02-05"}
    text = TX.lagging_benchmarks(reach, "2026-10-07", 90)
    # oldest first, each with its lag; a benchmark measured within 90 days is not named
    assert text.index("cybench on 2026-02-05 (244 days before)") < text.index("metr_time_horizon on 2026-04-07")
    assert "gpqa_diamond" not in text
    assert TX.lagging_benchmarks({"gpqa_diamond": "2026-10-01"}, "2026-10-07", 90) == ""
    # in the memo: the headline names them, the vintage section lists every threshold benchmark
    data, figures, _ = bare
    data = copy.deepcopy(data)
    as_of = pd.Timestamp(data["as_of"])
    late = (as_of - pd.Timedelta(days=200)).date().isoformat()
    data["vintage"]["dataset"] = {
        "n_results": 10,
        "newest_result": data["as_of"],
        "by_evaluator": {"independent": 10},
        "first_release": "2020-01-01",
        "last_release": data["as_of"],
        "threshold_results": 10,
        "threshold_by_evaluator": {"independent": 10},
        "stale_days": 90,
        "reach": {"b_late": late, "b_now": data["as_of"]},
    }
    md = MM.render_markdown(MM.memo_blocks(data, figures), lambda f: f"figures/{f.name}.png")
    headline = md.split("## 2.")[0]
    assert f"b_late on {late} (200 days before)" in headline and "b_now on" not in headline
    assert f"b_late {late}, b_now {data['as_of']}" in md.split("### Data vintage")[1]
