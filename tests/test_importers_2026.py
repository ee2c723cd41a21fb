"""Importers of the downloads analysts get in 2026: the official Epoch Benchmarking Hub zip, Epoch's
AI Models download (compute bounds) and METR's Time Horizon 1.1. End-to-end tests read the real
files from the reference folder beside the checkout and are skipped where it is absent."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast import data as D
from forecast.cli import app
from forecast.data.importers import hub_official as HO
from forecast.data.importers.hub_rows import parse_version

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT.parent / "shared" / "reference"
HUB_ZIP = REF / "epoch-hub-2026-07" / "epoch_benchmark_data_2026-07-31.zip"
ARCHIVE_ZIP = REF / "epoch-hub-2026-07" / "input_epoch_ai_models_archive_2026-07-17.zip"
METR_11 = REF / "metr-time-horizons" / "benchmark_results_1_1_2026-07-31.yaml"


def needs_ref(test):
    """Reads the real public downloads from the reference folder beside the checkout: the
    integration tier (skipped where the folder is absent)."""
    skip = pytest.mark.skipif(not HUB_ZIP.exists(), reason="the reference downloads are not beside the checkout")
    return pytest.mark.integration(skip(test))


runner = CliRunner()


@pytest.mark.parametrize(
    "vid,model,effort,setting",
    [
        ("claude-opus-5_max", "claude-opus-5", "max", ""),
        ("claude-fable-5_unknown", "claude-fable-5", "", ""),
        ("gpt-5.6-sol_promax", "gpt-5.6-sol-pro", "max", ""),
        ("claude-opus-4-6_32K", "claude-opus-4-6", "high", "thinking budget 32K"),
        ("claude-sonnet-4-6_16K", "claude-sonnet-4-6", "medium", "thinking budget 16K"),
        ("fireworks/kimi-k2p5", "kimi-k2.5", "", "served by fireworks"),
        ("openai/gpt-oss-120b_high", "gpt-oss-120b", "high", ""),
        ("gpt-5.5-pre-release_xhigh", "gpt-5.5", "xhigh", "pre-release checkpoint"),
        ("gpt-5.4-pro-2026-03-05-web-app", "gpt-5.4-pro-2026-03-05", "", "web app (manual run)"),
        ("DeepSeek-V3.2-Exp_thinking", "DeepSeek-V3.2-Exp_thinking", "", ""),
        ("Qwen-1_8B", "Qwen-1_8B", "", ""),
    ],
)
def test_official_hub_version_ids(vid, model, effort, setting):
    p = parse_version(vid)
    assert (p["model"], p["effort"], "; ".join(p["setting"])) == (model, effort, setting)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The official zip imported once into an empty directory: (data dir, the command's JSON)."""
    data = tmp_path_factory.mktemp("hub") / "data"
    res = runner.invoke(app, ["data", "import", "epoch-hub", str(HUB_ZIP), "--data", str(data), "--json"])
    assert res.exit_code == 0, res.stderr
    return data, json.loads(res.stdout)


@pytest.fixture
def hub_data(imported, tmp_path):
    shutil.copytree(imported[0], tmp_path / "data")
    return tmp_path / "data"


@needs_ref
def test_official_zip_into_an_empty_directory_gives_a_valid_dataset(imported):
    data, out = imported
    assert out["added"]["results"] >= 3000 and out["added"]["benchmarks"] >= 50
    ds = D.load_dataset(data)  # validates every row
    assert len(ds.results) >= 3000 and (ds.results["source_url"].str.startswith("http")).all()
    r = ds.results
    assert r.groupby("benchmark")["score"].max().loc[["aider_polyglot", "osworld_verified", "cybench"]].le(1).all()
    assert (r["reported_date"] >= r["model"].map(ds.models.set_index("model")["release_date"])).all()
    assert "swe_bench_verified_epoch2026" in set(r["benchmark"])  # Epoch's 2026 scaffold: its own series
    assert "swe_bench_verified" not in set(r["benchmark"])
    reasons = out["skipped_by_reason"]
    assert reasons.get("run/report date before the model's release date", 0) >= 1  # skipped with a reason


@needs_ref
def test_zip_and_unpacked_folder_import_the_same(tmp_path):
    folder = tmp_path / "hub"
    with zipfile.ZipFile(HUB_ZIP) as zf:
        zf.extractall(folder)
    a = HO.read_official_hub(HUB_ZIP)[1]
    b = HO.read_official_hub(folder)[1]
    pd.testing.assert_frame_equal(a, b)


@needs_ref
def test_frontiermath_v2_is_a_separate_series(tmp_path):
    folder = tmp_path / "hub"
    with zipfile.ZipFile(HUB_ZIP) as zf:
        zf.extractall(folder)
    v1 = pd.read_csv(folder / "frontiermath.csv", dtype=str)
    v2 = v1.head(3).copy()
    v2["Best score (across scorers)"] = ["0.87", "0.66", "0.71"]
    v2["Started at"] = "2026-06-20T10:00:00.000Z"
    v2.to_csv(folder / "frontiermath_tiers_1_3_v2.csv", index=False)
    _, results, benchmarks, _ = HO.read_official_hub(folder)
    assert (results["benchmark"] == "frontiermath_v2_tiers_1_3").sum() == 3
    assert benchmarks.set_index("benchmark").loc["frontiermath_v2_tiers_1_3", "release_date"] == "2026-06-12"
    assert (results["benchmark"] == "frontiermath").sum() == 101  # the v1 series untouched


@needs_ref
def test_known_only_keeps_the_registry(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(D.BUNDLED_DATA / "benchmarks.csv", data / "benchmarks.csv")
    res = runner.invoke(
        app, ["data", "import", "epoch-hub", str(HUB_ZIP), "--data", str(data), "--benchmarks", "known", "--json"]
    )
    assert res.exit_code == 0, res.stderr
    ds = D.load_dataset(data)
    assert set(ds.results["benchmark"]) <= set(pd.read_csv(data / "benchmarks.csv")["benchmark"])
    assert json.loads(res.stdout)["added"]["benchmarks"] == 0


@needs_ref
def test_archive_bounds_fill_training_compute_uncertainty(hub_data):
    data = hub_data
    res = runner.invoke(app, ["data", "import", "epoch-models", str(ARCHIVE_ZIP), "--data", str(data), "--json"])
    assert res.exit_code == 0, res.stderr
    m = D.load_dataset(data).models.set_index("model")
    assert m.loc["grok-3", "train_flop_lower"] == pytest.approx(2.1e26)
    assert m.loc["grok-3", "train_flop_upper"] == pytest.approx(1.13e27)
    bounded = m[m["train_flop_lower"].notna() | m["train_flop_upper"].notna()]
    assert len(bounded) >= 5


@needs_ref
def test_metr_time_horizon_1_1(hub_data):
    data = hub_data
    res = runner.invoke(app, ["data", "import", "metr", str(METR_11), "--data", str(data), "--json"])
    assert res.exit_code == 0, res.stderr
    r = D.load_dataset(data).results
    th11 = r[(r["benchmark"] == "metr_time_horizon") & (r["setting"] == "Time Horizon 1.1")]
    assert len(th11) == 26 and (th11["reported_date"] >= "2026-01-29").all()
    opus = th11[th11["model"] == "claude-opus-4-6"]["score"]
    assert opus.item() == pytest.approx(718.807, rel=1e-4)


def test_a_download_that_is_neither_format_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_text("not a zip")
    res = runner.invoke(app, ["data", "import", "epoch-hub", str(bad), "--data", str(tmp_path / "d")])
    assert res.exit_code == 1 and "error:" in res.stderr and not (tmp_path / "d").exists()
