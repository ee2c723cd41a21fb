"""`forecast fit`, `compare` and `attribution` through the CLI, on the golden dataset.

In the default tier the sampler is mocked (tests/conftest.py): these tests check the commands'
contracts (exit codes, files written, JSON shape), not the posterior. The integration tests at
the end sample for real, with and without the compile cache.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.inference import convergence, load_fit

GOLDEN = Path(__file__).resolve().parent / "golden"
runner = CliRunner()


@pytest.fixture
def data(tmp_path):
    shutil.copytree(GOLDEN / "data", tmp_path / "data")
    return tmp_path / "data"


def test_fit_saves_and_reports_its_sampler(data, tmp_path, monkeypatch):
    monkeypatch.setattr(convergence, "RHAT_MAX", 10.0)  # mocked draws: the contract, not convergence
    out = tmp_path / "fit.nc"
    res = runner.invoke(
        app, ["fit", "--data", str(data), "--out", str(out), "--draws", "20", "--chains", "2", "--json"]
    )
    assert res.exit_code == 0, res.stderr
    got = json.loads(res.stdout)
    assert got["passed"] and got["fit"] == str(out) and out.exists()
    assert set(got["sampler"]) >= {"compile_path", "preconditioned", "config"}
    assert got["sampler"]["compile_path"] == "mock"  # the default tier's stand-in sampler
    assert load_fit(out).attrs["fit_id"]


def test_fit_that_fails_its_diagnostics_exits_3_and_keeps_the_good_fit(data, tmp_path, monkeypatch):
    """Exit 3, the new fit saved beside the target as *.failed.nc, the previous fit untouched;
    ``--allow-diagnostics-failure`` saves over the target and exits 0."""
    out = tmp_path / "fit.nc"
    out.write_bytes(b"previous fit")
    monkeypatch.setattr(convergence, "RHAT_MAX", 0.0)
    res = runner.invoke(app, ["fit", "--data", str(data), "--out", str(out), "--draws", "20", "--chains", "2"])
    assert res.exit_code == 3
    assert "diagnostics failed" in res.stderr and "fit.failed.nc" in res.stderr
    assert out.read_bytes() == b"previous fit" and (tmp_path / "fit.failed.nc").exists()
    res = runner.invoke(
        app,
        [
            "fit",
            "--data",
            str(data),
            "--out",
            str(out),
            "--draws",
            "20",
            "--chains",
            "2",
            "--allow-diagnostics-failure",
        ],
    )
    assert res.exit_code == 0 and out.read_bytes() != b"previous fit"


def test_compare_ranks_the_three_variants(data):
    res = runner.invoke(app, ["compare", "--data", str(data), "--draws", "20", "--chains", "2", "--json"])
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert {r["variant"] for r in rows} == {"joint", "compute_only", "date_only"}
    assert sorted(r["rank"] for r in rows) == [0, 1, 2]


def test_attribution_components_and_a_clear_error_for_a_missing_fit(tmp_path):
    res = runner.invoke(app, ["attribution", "--fit", str(GOLDEN / "fit_v1.nc"), "--since", "2024-06-30", "--json"])
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    parts = {r["component"] for r in rows}
    assert {"training_compute", "algorithmic_progress", "test_time_compute", "total"} <= parts
    res = runner.invoke(app, ["attribution", "--fit", str(tmp_path / "none.nc")])
    assert res.exit_code == 1 and "no fit here" in res.stderr


@pytest.mark.integration
@pytest.mark.parametrize("cache", ["1", "0"])
def test_real_fit_reports_the_compile_path(data, tmp_path, monkeypatch, cache):
    """`FORECAST_COMPILE_CACHE=0 forecast fit --json` samples through nutpie's own compile and
    says so; the default takes the compile cache and the preconditioner."""
    monkeypatch.setenv("FORECAST_COMPILE_CACHE", cache)
    res = runner.invoke(
        app,
        [
            "fit",
            "--data",
            str(data),
            "--out",
            str(tmp_path / "fit.nc"),
            "--draws",
            "100",
            "--chains",
            "2",
            "--allow-diagnostics-failure",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.stderr
    sampler = json.loads(res.stdout)["sampler"]
    if cache == "1":
        assert sampler["compile_path"] in ("cached-graph", "cached-cfunc") and sampler["preconditioned"]
    else:
        assert sampler["compile_path"] == "nutpie" and not sampler["preconditioned"]


def test_fit_with_a_model_config_file_fits_those_settings(data, tmp_path, monkeypatch):
    monkeypatch.setattr(convergence, "RHAT_MAX", 10.0)
    cfg = tmp_path / "frontier.toml"
    cfg.write_text("learn_ceiling = true\nlink_shape = 0.5\nceiling_learn_from = 0.9\n")
    out = tmp_path / "fit.nc"
    res = runner.invoke(
        app,
        ["fit", "--data", str(data), "--out", str(out), "--draws", "20", "--chains", "2", "--model-config", str(cfg)],
    )
    assert res.exit_code == 0, res.stderr
    got = json.loads(load_fit(out).attrs["model_config"])
    assert got["learn_ceiling"] is True and got["link_shape"] == 0.5 and got["ceiling_learn_from"] == 0.9
    assert got["variant"] == "joint" and got["benchmark_trend_sd"] == 0.0  # the rest at their defaults


@pytest.mark.parametrize(
    "text, message",
    [
        ("learn_ceilings = true\n", "unknown model config key(s): learn_ceilings"),
        ("link_shape = 'half'\n", "key 'link_shape': expected float"),
        ("link_shape = -1.0\n", "link_shape -1.0 must be positive"),
        ("learn_ceiling = [\n", "not valid TOML"),
    ],
)
def test_a_bad_model_config_file_is_refused_naming_the_file_and_nothing_is_written(data, tmp_path, text, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    out = tmp_path / "fit.nc"
    for cmd in (
        ["fit", "--data", str(data), "--out", str(out)],
        ["recalibrate", "--data", str(data), "--origins", "2024-06-30", "--out", str(tmp_path / "r.json")],
    ):
        res = runner.invoke(app, [*cmd, "--model-config", str(cfg)])
        assert res.exit_code != 0
        assert message in res.stderr and "bad.toml" in res.stderr, res.stderr
    assert not out.exists() and not (tmp_path / "r.json").exists()
