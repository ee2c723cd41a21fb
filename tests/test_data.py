"""The data layer: the bundled dataset, validation messages, atomic all-or-nothing writes."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast import data as D
from forecast.cli import app
from forecast.data import schema as S
from forecast.errors import DataValidationError

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def tree_digest(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.fixture
def data_copy(tmp_path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    for f in (S.MODELS_FILE, S.BENCHMARKS_FILE, S.RESULTS_FILE):
        shutil.copy(ROOT / "data" / f, d / f)
    return d


# ---------------------------------------------------------------------------------------------
# the bundled dataset


@pytest.fixture(scope="module")
def bundled() -> D.Dataset:
    return D.load_dataset(ROOT / "data")


def test_bundled_dataset_meets_sizes(bundled):
    assert len(bundled.models) >= 80
    assert len(bundled.benchmarks) >= 15
    assert len(bundled.results) >= 800
    assert bundled.models["release_date"].min() <= pd.Timestamp("2020-12-31")
    assert {"math", "code", "science", "knowledge", "agentic"} <= set(bundled.benchmarks["domain"])


def test_bundled_dataset_reaches_into_2026(bundled):
    """At least 25 models released in 2026 with results, 300 results for them, and a newest
    release on or after 2026-07-01; the benchmarks that still discriminate at the frontier."""
    m, r = bundled.models, bundled.results
    new = set(m.loc[m["release_date"] >= "2026-01-01", "model"])
    on_new = r[r["model"].isin(new)]
    assert on_new["model"].nunique() >= 25 and len(on_new) >= 300
    assert m["release_date"].max() >= pd.Timestamp("2026-07-01")
    assert {"swe_bench_pro", "terminal_bench_2", "osworld_verified", "arc_agi_2", "frontiermath_tier4"} <= set(
        on_new["benchmark"]
    )
    assert {"vendor", "independent"} <= set(on_new["evaluator"])


def test_bundled_determinations_are_sourced_and_recent():
    from forecast.data.determinations import load_determinations

    d = load_determinations(ROOT / "data", required=True)
    assert len(d) >= 12 and d["source_url"].str.match(r"^https?://\S+$").all()
    assert d["date"].max() >= "2026-06-01"
    assert set(d["determination"]) <= set(S.DETERMINATIONS)


def test_every_bundled_row_is_sourced():
    for f in (S.MODELS_FILE, S.BENCHMARKS_FILE, S.RESULTS_FILE):
        frame = pd.read_csv(ROOT / "data" / f, dtype=str, keep_default_na=False)
        assert (frame["source_url"].str.match(r"^https?://\S+$")).all(), f


def test_bundled_has_o1_announcement_and_test_time_rows(bundled):
    r = bundled.results
    aime = r[(r["benchmark"] == "aime_2024") & (r["reported_date"] == "2024-09-12")]
    assert {"gpt-4o-2024-05-13", "o1-preview-2024-09-12", "o1-2024-09-12"} <= set(aime["model"])
    o1 = aime[aime["model"] == "o1-2024-09-12"].set_index("inference_multiplier")["score"]
    assert {1.0, 64.0, 1000.0} <= set(o1.index)
    assert o1[1.0] < o1[64.0] < o1[1000.0]  # more test-time compute, higher score, as announced
    for bench in ("codeforces", "gpqa_diamond", "math"):
        assert not r[(r["benchmark"] == bench) & (r["model"] == "o1-2024-09-12")].empty, bench
    arc = r[(r["benchmark"] == "arc_agi_1") & r["model"].str.startswith("o3-preview")]
    assert arc["inference_multiplier"].nunique() >= 2
    assert len(r[r["benchmark"] == "metr_time_horizon"]) >= 20
    assert (r["effort"] != "").sum() >= 50


# ---------------------------------------------------------------------------------------------
# parsers


@pytest.mark.parametrize(
    "text,ok",
    [
        ("2024-02-29", True),
        ("2023-02-29", False),
        ("2024-13-45", False),
        ("24-01-01", False),
        ("2024/01/01", False),
        ("", True),
    ],
)
def test_parse_date(text, ok):
    value, msg = D.parse_date(text)
    assert (msg is None) == ok


def test_parse_number_percentage_hint():
    value, msg = D.parse_number("85%")
    assert value is None and "fractions" in msg


# ---------------------------------------------------------------------------------------------
# data add: bad input


BAD_RESULTS = """model,benchmark,score,inference_multiplier,setting,reported_date,source_url
no-such-model,gpqa_diamond,0.5,,pass@1,2024-05-01,https://example.org/a
gpt-4o-2024-05-13,gpqa_diamond,about half,,pass@1,2024-05-01,https://example.org/b
gpt-4o-2024-05-13,gpqa_diamond,1.7,,pass@1 rerun,2024-05-01,https://example.org/c
gpt-4o-2024-05-13,mmlu,0.8,,pass@1 rerun,2024-13-45,https://example.org/d
"""


def test_add_rejects_bad_rows_and_changes_nothing(data_copy, tmp_path):
    bad = tmp_path / "new.csv"
    bad.write_text(BAD_RESULTS)
    before = tree_digest(data_copy)
    res = runner.invoke(app, ["data", "add", str(bad), "--data", str(data_copy)])
    assert res.exit_code != 0
    err = res.stderr
    assert f"{bad}:2 [model]" in err and "unknown model 'no-such-model'" in err
    assert f"{bad}:3 [score]" in err and "not a number" in err
    assert f"{bad}:4 [score]" in err and "outside [0, 1]" in err
    assert f"{bad}:5 [reported_date]" in err and "impossible date" in err
    assert tree_digest(data_copy) == before
    assert not list(data_copy.glob(".*.tmp"))


IMPOSSIBLE_DATES = """model,benchmark,score,inference_multiplier,setting,reported_date,source_url
gpt-4o-2024-05-13,gpqa_diamond,0.5,,before release,2024-05-01,https://example.org/a
gpt-4o-2024-05-13,gpqa_diamond,0.5,,from the future,2099-01-01,https://example.org/b
"""


def test_results_reported_before_release_or_after_today_are_rejected(data_copy, tmp_path, monkeypatch):
    """A result cannot have been reported before its model was released (2024-05-13 here) or after
    today: both would leak into ``--as-of`` fits. ``data add`` names file and line, writes nothing."""
    from forecast.data import validation

    monkeypatch.setattr(validation, "today", lambda: "2026-12-05")
    bad = tmp_path / "new.csv"
    bad.write_text(IMPOSSIBLE_DATES.replace("2099-01-01", "2027-01-01"))
    before = tree_digest(data_copy)
    res = runner.invoke(app, ["data", "add", str(bad), "--data", str(data_copy)])
    assert res.exit_code != 0
    assert f"{bad}:2 [reported_date]" in res.stderr and "before model 'gpt-4o-2024-05-13' was released" in res.stderr
    assert f"{bad}:3 [reported_date]" in res.stderr and "after today (2026-12-05)" in res.stderr
    assert tree_digest(data_copy) == before
    # and `data validate` finds the same rows in a data file
    shutil.copy(data_copy / S.RESULTS_FILE, tmp_path / "r.csv")
    with open(data_copy / S.RESULTS_FILE, "a") as f:
        f.write(IMPOSSIBLE_DATES.splitlines()[1] + ",,,\n")
    res = runner.invoke(app, ["data", "validate", "--data", str(data_copy)])
    assert res.exit_code == 1 and "[reported_date]" in res.stderr and "before model" in res.stderr


def test_determinations_are_validated_with_file_and_line(tmp_path):
    from forecast.data.determinations import load_determinations

    (tmp_path / S.DETERMINATIONS_FILE).write_text(
        "date,lab,framework,level,model,determination,source_url\n"
        "2026-02-05,OpenAI,Preparedness Framework,High,gpt-5.3-codex,treated as crossed,https://openai.com/x\n"
        "2026-13-01,OpenAI,Preparedness Framework,High,gpt-5.4,maybe,ftp://x\n"
    )
    with pytest.raises(DataValidationError) as err:
        load_determinations(tmp_path)
    text = str(err.value)
    assert ":3 [date]" in text and ":3 [determination]" in text and ":3 [source_url]" in text
    assert ":2 " not in text


def test_percentage_hint_and_negative_compute(data_copy, tmp_path):
    models = tmp_path / "m.csv"
    models.write_text(
        "model,organization,release_date,train_flop,reasoning,source_url\n"
        "new-model,Org,2025-01-01,-3e24,maybe,https://example.org/m\n"
    )
    results = tmp_path / "r.csv"
    results.write_text(
        "model,benchmark,score,inference_multiplier,setting,reported_date,source_url\n"
        "new-model,gpqa_diamond,74.4,,pass@1,2025-01-02,https://example.org/r\n"
    )
    with pytest.raises(DataValidationError) as exc:
        D.add_files(data_copy, results, models)
    text = str(exc.value)
    assert "looks like a percentage: write 0.744" in text
    assert f"{models}:2 [train_flop]" in text and "positive" in text
    assert f"{models}:2 [reasoning]" in text


def test_conflicting_duplicate_is_rejected(data_copy, tmp_path):
    r = pd.read_csv(data_copy / S.RESULTS_FILE, dtype=str, keep_default_na=False).iloc[[0]].copy()
    r["score"] = str(float(r["score"].iloc[0]) * 0.5 + 0.01)
    path = tmp_path / "dup.csv"
    r.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as exc:
        D.add_files(data_copy, path)
    assert "different score" in str(exc.value) and f"{path}:2" in str(exc.value)


def test_conflicting_duplicate_reports_its_other_problems_too(data_copy, tmp_path):
    """A row that conflicts with an existing result and is also out of range and misdated gets
    all three problems, each at its file, line and column, and nothing is written."""
    before = tree_digest(data_copy)
    res = pd.read_csv(data_copy / S.RESULTS_FILE, dtype=str, keep_default_na=False)
    r = res[res["benchmark"] == "mmlu"].iloc[[0]].copy()
    r["score"], r["reported_date"] = "1.7", "2024-13-45"
    path = tmp_path / "dup.csv"
    r.to_csv(path, index=False)
    out = runner.invoke(app, ["data", "add", str(path), "--data", str(data_copy)])
    assert out.exit_code != 0
    assert f"{path}:2 [score]" in out.stderr and "different score" in out.stderr
    assert "outside [0, 1]" in out.stderr
    assert f"{path}:2 [reported_date]" in out.stderr
    assert tree_digest(data_copy) == before


def test_malformed_csv_names_line(data_copy, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(
        "model,benchmark,score,inference_multiplier,setting,reported_date,source_url\ngpt-4o-2024-05-13,mmlu,0.8\n"
    )
    res = runner.invoke(app, ["data", "add", str(path), "--data", str(data_copy)])
    assert res.exit_code != 0 and f"{path}:2" in res.stderr and "malformed row" in res.stderr


def test_missing_column_named(data_copy, tmp_path):
    path = tmp_path / "nocol.csv"
    path.write_text("model,benchmark,score\nx,y,1\n")
    with pytest.raises(DataValidationError) as exc:
        D.add_files(data_copy, path)
    assert "[source_url]" in str(exc.value) and "missing from the header" in str(exc.value)


# ---------------------------------------------------------------------------------------------
# data add: good input


GOOD = """model,benchmark,score,inference_multiplier,setting,reported_date,source_url,effort,evaluator
test-model-x,gpqa_diamond,0.61,,pass@1,2026-01-05,https://example.org/x,,vendor
test-model-x,aime_2025,0.40,8,cons@8,2026-01-05,https://example.org/x,high,vendor
"""
GOOD_MODELS = """model,organization,release_date,train_flop,reasoning,source_url
test-model-x,Example Lab,2026-01-05,,true,https://example.org/x
"""


def test_add_appends_then_skips_identical(data_copy, tmp_path):
    (tmp_path / "r.csv").write_text(GOOD)
    (tmp_path / "m.csv").write_text(GOOD_MODELS)
    n_before = len(D.load_dataset(data_copy).results)
    dry = runner.invoke(
        app,
        [
            "data",
            "add",
            str(tmp_path / "r.csv"),
            "--models",
            str(tmp_path / "m.csv"),
            "--data",
            str(data_copy),
            "--dry-run",
        ],
    )
    assert dry.exit_code == 0 and "would add: 1 models" in dry.stdout
    assert len(D.load_dataset(data_copy).results) == n_before
    res = runner.invoke(
        app, ["data", "add", str(tmp_path / "r.csv"), "--models", str(tmp_path / "m.csv"), "--data", str(data_copy)]
    )
    assert res.exit_code == 0, res.stderr
    ds = D.load_dataset(data_copy)
    assert len(ds.results) == n_before + 2
    assert (
        ds.models.set_index("model").loc["test-model-x", "train_flop"]
        != ds.models.set_index("model").loc["test-model-x", "train_flop"]
    )  # NaN: unknown
    again = D.add_files(data_copy, tmp_path / "r.csv", tmp_path / "m.csv")
    assert again.added["results"] == 0 and len(again.skipped) == 3


def test_write_is_atomic_on_crash(data_copy, tmp_path, monkeypatch):
    (tmp_path / "r.csv").write_text(GOOD)
    (tmp_path / "m.csv").write_text(GOOD_MODELS)
    before = tree_digest(data_copy)
    real_replace = os.replace
    calls = []

    def crash(src, dst):
        calls.append(dst)
        if str(dst).endswith(S.RESULTS_FILE):
            raise KeyboardInterrupt  # Ctrl-C at the worst moment
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        D.add_files(data_copy, tmp_path / "r.csv", tmp_path / "m.csv")
    monkeypatch.setattr(os, "replace", real_replace)
    after = tree_digest(data_copy)
    assert after[S.RESULTS_FILE] == before[S.RESULTS_FILE]  # never half-written
    assert not list(data_copy.glob(".*.tmp"))
    D.load_dataset(data_copy)  # and still a valid dataset (new model, its results not yet)


def test_data_hash_changes_with_content(data_copy, tmp_path):
    h0 = D.load_dataset(data_copy).data_hash
    (tmp_path / "r.csv").write_text(GOOD)
    (tmp_path / "m.csv").write_text(GOOD_MODELS)
    D.add_files(data_copy, tmp_path / "r.csv", tmp_path / "m.csv")
    assert D.load_dataset(data_copy).data_hash != h0


def test_as_of_filters_models_and_results(bundled):
    old = bundled.as_of("2024-09-11")
    assert old.models["release_date"].max() <= pd.Timestamp("2024-09-11")
    assert old.results["reported_date"].max() <= pd.Timestamp("2024-09-11")
    assert "o1-2024-09-12" not in set(old.models["model"])


def test_env_var_selects_data_dir(data_copy, monkeypatch):
    monkeypatch.setenv("FORECAST_DATA", str(data_copy))
    assert D.resolve_data_dir(None) == data_copy
    assert D.resolve_data_dir("elsewhere") == Path("elsewhere")


def test_show_and_validate_cli(data_copy):
    res = runner.invoke(app, ["data", "validate", "--data", str(data_copy)])
    assert res.exit_code == 0 and "is valid" in res.stdout
    res = runner.invoke(
        app, ["data", "show", "results", "--data", str(data_copy), "--benchmark", "aime_2024", "--limit", "0", "--json"]
    )
    assert res.exit_code == 0
    rows = pd.read_json(io.StringIO(res.stdout))
    assert set(rows["benchmark"]) == {"aime_2024"}
    res = runner.invoke(app, ["data", "show", "results", "--data", str(data_copy), "--benchmark", "nope"])
    assert res.exit_code != 0 and "unknown benchmark" in res.stderr


def test_unreachable_share_needs_a_fraction_benchmark_a_sane_value_and_its_audit(data_copy):
    path = data_copy / S.BENCHMARKS_FILE
    text = path.read_text()
    lines = text.splitlines()
    mmlu = next(i for i, line in enumerate(lines) if line.startswith("mmlu,"))
    codeforces = next(i for i, line in enumerate(lines) if line.startswith("codeforces,"))
    assert lines[mmlu].endswith(",0.0649,https://arxiv.org/abs/2406.04127")
    bad = list(lines)
    bad[mmlu] = lines[mmlu].replace(",0.0649,https://arxiv.org/abs/2406.04127", ",0.9,https://arxiv.org/abs/2406.04127")
    bad[codeforces] = lines[codeforces].rsplit(",", 2)[0] + ",0.05,"  # a share, and no audit
    path.write_text("\n".join(bad) + "\n")
    before = tree_digest(data_copy)
    res = runner.invoke(app, ["data", "validate", "--data", str(data_copy)])
    assert res.exit_code != 0
    assert f"{path}:{mmlu + 1} [unreachable]" in res.stderr and "need 0 < unreachable < ceiling - floor" in res.stderr
    assert f"{path}:{codeforces + 1} [unreachable]" in res.stderr and "fraction benchmarks only" in res.stderr
    assert f"{path}:{codeforces + 1} [unreachable_source_url]" in res.stderr
    assert tree_digest(data_copy) == before


def test_bundled_mmlu_ceiling_prior_comes_from_its_audit(bundled):
    b = bundled.benchmarks.set_index("benchmark")
    assert b.at["mmlu", "unreachable"] == pytest.approx(0.0649)
    assert b["unreachable"].notna().sum() >= 1 and b.loc[b["unit"] != "fraction", "unreachable"].isna().all()


def test_validate_prints_how_far_the_data_reach_on_each_benchmark(data_copy):
    # the sources stop at different dates (METR's horizons before the labs' cards): the summary
    # shows each benchmark's newest result, the date the backtests score it up to
    res = runner.invoke(app, ["data", "validate", "--data", str(data_copy)])
    assert res.exit_code == 0
    lines = {ln.split()[0]: ln for ln in res.stdout.splitlines() if ln.strip()}
    assert "newest" in lines["benchmark"]
    ds = D.load_dataset(data_copy)
    metr, hle = ds.reach(["metr_time_horizon"]), ds.reach(["hle"])
    assert metr < hle
    assert metr.date().isoformat() in lines["metr_time_horizon"]
    assert hle.date().isoformat() in lines["hle"]
