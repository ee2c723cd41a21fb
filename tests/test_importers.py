"""Importers: mapping decisions and end-to-end imports of the real reference exports."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast import data as D
from forecast.cli import app
from forecast.data import importers as I

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT.parent / "shared" / "reference"
HUB = REF / "epoch-research+benchmark-stitching" / "data"
METR = REF / "metr-time-horizons" / "benchmark_results_1_0.yaml"
NOTABLE = REF / "epoch-notable-models" / "notable_ai_models_24_02_2025.csv"
ECI = REF / "epoch-eci" / "epoch_capabilities_index.csv"


def needs_ref(test):
    """Reads the real public downloads from the reference folder beside the checkout: the
    integration tier (skipped where the folder is absent)."""
    skip = pytest.mark.skipif(not HUB.exists(), reason="the reference downloads are not beside the checkout")
    return pytest.mark.integration(skip(test))


runner = CliRunner()


@pytest.mark.parametrize(
    "vid,model,effort,setting",
    [
        ("o3-2025-04-16_high", "o3-2025-04-16", "high", "effort high"),
        ("gpt-5-2025-08-07_minimal", "gpt-5-2025-08-07", "minimal", "effort minimal"),
        ("claude-opus-4-20250514_32K", "claude-opus-4-20250514", "high", "thinking budget 32K"),
        ("claude-3-7-sonnet-20250219_2K", "claude-3-7-sonnet-20250219", "low", "thinking budget 2K"),
        ("gemini-2.5-flash-preview-05-20_16K", "gemini-2.5-flash-preview-05-20", "medium", "thinking budget 16K"),
        (
            "gemini-2.5-flash-preview-04-17 (24K thinking)",
            "gemini-2.5-flash-preview-04-17",
            "high",
            "thinking budget 24K",
        ),
        ("chutes/DeepSeek-R1-0528", "DeepSeek-R1-0528", "", "served by chutes"),
        ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20241022", "", ""),
    ],
)
def test_split_version(vid, model, effort, setting):
    assert I.split_version(vid) == (model, effort, setting)


@pytest.mark.parametrize(
    "mid,reasoning",
    [
        ("o1-2024-12-17", True),
        ("o3-mini-2025-01-31", True),
        ("DeepSeek-R1", True),
        ("gpt-5-2025-08-07", True),
        ("gpt-4o-2024-05-13", False),
        ("claude-3-7-sonnet-20250219", False),
        ("Llama-3.1-405B", False),
        ("gpt-5-chat-latest", False),
        ("grok-4-0709", True),
        ("gpt-oss-120b", True),
    ],
)
def test_reasoning_detection(mid, reasoning):
    assert I.is_reasoning_id(mid) is reasoning


def test_budget_effort_levels():
    assert [I.budget_effort(k) for k in (1, 4, 8, 16, 24, 64)] == ["low", "low", "medium", "medium", "high", "high"]


@needs_ref
def test_epoch_hub_into_empty_directory(tmp_path):
    out = tmp_path / "new"
    report = I.import_source("epoch-hub", HUB, out)
    ds = D.load_dataset(out)  # valid
    assert len(ds.results) >= 500
    assert report.added["results"] == len(ds.results)
    r = ds.results
    # effort-suffixed versions became one model with several efforts
    o3 = r[(r["model"] == "o3-2025-04-16")]
    assert {"low", "medium", "high"} <= set(o3["effort"])
    assert "o3-2025-04-16_high" not in set(ds.models["model"])
    m = ds.models.set_index("model")
    assert bool(m.loc["o3-2025-04-16", "reasoning"]) and not bool(m.loc["claude-3-7-sonnet-20250219", "reasoning"])
    # public FrontierMath subsets skipped with a reason; private kept
    reasons = report.summary()["skipped_by_reason"]
    assert any("public subset" in k for k in reasons)
    assert (r["benchmark"] == "frontiermath").sum() > 20
    # a wrong release date in the export is corrected, with the reason in the notes
    kimi = m.loc["Kimi-K2-Instruct-0905"]
    assert kimi["release_date"] == pd.Timestamp("2025-09-05") and "corrected" in kimi["notes"]
    # Epoch's own runs are independent evaluations with a source
    assert (r["evaluator"] == "independent").all()
    assert r["source_url"].str.startswith("http").all()


@needs_ref
def test_import_dry_run_writes_nothing(tmp_path):
    out = tmp_path / "d"
    res = runner.invoke(app, ["data", "import", "epoch-hub", str(HUB), "--data", str(out), "--dry-run"])
    assert res.exit_code == 0, res.stderr
    assert "would add" in res.stdout
    assert not out.exists() or not any(out.iterdir())


@needs_ref
def test_reimport_is_idempotent(tmp_path):
    out = tmp_path / "d"
    I.import_source("epoch-hub", HUB, out)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()}
    again = I.import_source("epoch-hub", HUB, out)
    assert again.added == {"models": 0, "benchmarks": 0, "results": 0}
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()} == before


@needs_ref
def test_metr_and_compute_imports(tmp_path):
    out = tmp_path / "d"
    I.import_source("epoch-hub", HUB, out)
    I.import_source("metr", METR, out)
    rep = I.import_source("epoch-models", NOTABLE, out)
    assert rep.updated["models"] > 10
    I.import_source("epoch-models", ECI, out)
    ds = D.load_dataset(out)
    m = ds.models.set_index("model")
    assert m.loc["gpt-4-0314", "train_flop"] == pytest.approx(2.1e25, rel=0.05)
    assert (m["train_flop_source_url"].fillna("") != "").sum() == m["train_flop"].notna().sum()
    horizons = ds.results[ds.results["benchmark"] == "metr_time_horizon"]
    assert horizons["model"].is_unique  # hub and METR copies of the same figure merged, not doubled
    assert horizons["score"].gt(0).all()


def test_unknown_source_is_an_error(tmp_path):
    res = runner.invoke(app, ["data", "import", "nope", str(tmp_path), "--data", str(tmp_path / "d")])
    assert res.exit_code != 0 and "unknown import source" in res.stderr


def test_malformed_metr_yaml(tmp_path):
    bad = tmp_path / "b.yaml"
    bad.write_text("results:\n  a: [1, 2\n")
    res = runner.invoke(app, ["data", "import", "metr", str(bad), "--data", str(tmp_path / "d")])
    assert res.exit_code != 0 and str(bad) in res.stderr and "malformed YAML" in res.stderr
