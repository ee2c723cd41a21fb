"""Fit files, threshold forecasts and updates, from the small golden fit in tests/golden/.

The golden fit (fit format 1, made by scripts/make_golden.py from simulated data) must keep
loading in later releases. No sampling happens in this file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast import data as D
from forecast.cli import app
from forecast.errors import FitMismatchError
from forecast.forecasting.frontier import SCENARIOS, threshold_forecast
from forecast.forecasting.predict import predict_from_idata
from forecast.forecasting.thresholds import load_thresholds
from forecast.inference import load_fit, save_fit

GOLDEN = Path(__file__).resolve().parent / "golden"
THRESHOLDS = GOLDEN / "thresholds.toml"
runner = CliRunner()


@pytest.fixture(scope="module")
def golden():
    return load_fit(GOLDEN / "fit_v1.nc", ds=D.load_dataset(GOLDEN / "data"))


@pytest.fixture
def workdir(tmp_path):
    shutil.copytree(GOLDEN / "data", tmp_path / "data")
    shutil.copy(GOLDEN / "fit_v1.nc", tmp_path / "fit.nc")
    return tmp_path


def digest(paths) -> dict:
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


# ------------------------------------------------------------------------------------------
# fit files


def test_golden_fit_loads_with_identity(golden):
    for key in ("model_config", "data_hash", "seed", "forecast_version", "fit_format", "fit_id"):
        assert key in golden.attrs
    assert {"posterior", "log_likelihood", "observed_data", "constant_data"} <= set(golden.children)


def test_load_refuses_other_data(tmp_path, workdir):
    extra = pd.read_csv(workdir / "data" / "results.csv").iloc[[0]]
    extra["setting"] = "rerun"
    extra["score"] = extra["score"] * 0.9
    extra.to_csv(tmp_path / "x.csv", index=False)
    D.add_files(workdir / "data", tmp_path / "x.csv")
    with pytest.raises(FitMismatchError, match="fitted on data"):
        load_fit(workdir / "fit.nc", ds=D.load_dataset(workdir / "data"))


def test_save_load_round_trip_and_future_format(golden, tmp_path):
    p = save_fit(golden, tmp_path / "f.nc")
    again = load_fit(p)
    assert again.attrs["fit_id"] == golden.attrs["fit_id"]
    np.testing.assert_allclose(again["posterior"]["theta"].values, golden["posterior"]["theta"].values)
    golden_future = golden.copy()
    golden_future.attrs = {**golden.attrs, "fit_format": 99}
    save_fit(golden_future, tmp_path / "g.nc")
    with pytest.raises(FitMismatchError, match="upgrade"):
        load_fit(tmp_path / "g.nc")


def test_missing_fit_is_a_clear_error(tmp_path):
    res = runner.invoke(app, ["predict", "--fit", str(tmp_path / "none.nc")])
    assert res.exit_code != 0 and "no fit here" in res.stderr


# ------------------------------------------------------------------------------------------
# threshold forecasts


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_probabilities_are_in_unit_interval_and_never_decrease(golden, scenario):
    ths = load_thresholds(THRESHOLDS)
    by = [f"{y}-{m:02d}-28" for y in range(2025, 2033) for m in (3, 9)]
    fc = threshold_forecast(golden, ths, by, scenario=scenario, seed=5, max_draws=200)
    assert len(fc["thresholds"]) == len(ths)
    for t in fc["thresholds"]:
        p = np.array(list(t["prob_by"].values()))
        assert ((p >= 0) & (p <= 1)).all()
        assert (np.diff(p) >= -1e-12).all(), (t["id"], p)


def test_any_is_at_least_all(golden):
    """P(any of two criteria) >= P(both), and >= P(each alone): the combine rule has teeth."""
    base = load_thresholds(THRESHOLDS)
    any_t = next(t for t in base if t.combine == "any")
    from dataclasses import replace

    all_t = replace(any_t, id="as-all", combine="all")
    single = replace(any_t, id="single", criteria=any_t.criteria[:1])
    fc = threshold_forecast(golden, [any_t, all_t, single], ["2030-12-31"], seed=1, max_draws=300)
    p_any, p_all, p_one = (t["prob_by"]["2030-12-31"] for t in fc["thresholds"])
    assert p_any >= p_one >= p_all
    assert p_any > p_all  # not a degenerate case


def test_thresholds_sharing_a_benchmark_reuse_its_scores_with_the_same_result(golden, monkeypatch):
    """threshold_forecast computes each (benchmark, multiplier, seed) score set once, and the
    probabilities equal those of thresholds forecast one at a time (no cache shared)."""
    import forecast.forecasting.frontier as F

    ths = load_thresholds(THRESHOLDS)
    calls = []
    real = F._scores
    monkeypatch.setattr(F, "_scores", lambda *a, **k: calls.append(a[2:5]) or real(*a, **k))
    together = threshold_forecast(golden, ths, ["2027-12-31", "2030-12-31"], seed=3, max_draws=200)
    assert len(calls) == len(set(calls)) < sum(len(t.criteria) for t in ths)
    for t, fc_t in zip(ths, together["thresholds"]):
        alone = threshold_forecast(golden, [t], ["2027-12-31", "2030-12-31"], seed=3, max_draws=200)["thresholds"][0]
        assert alone["prob_by"] == fc_t["prob_by"] and alone["median_crossing"] == fc_t["median_crossing"]


def test_compute_slowdown_lowers_compute_driven_forecast(golden):
    ths = [t for t in load_thresholds(THRESHOLDS) if t.id == "sim-math-90"]
    by = ["2029-12-31"]
    base = threshold_forecast(golden, ths, by, scenario="baseline", seed=2, max_draws=400)
    slow = threshold_forecast(golden, ths, by, scenario="no-algorithmic-progress", seed=2, max_draws=400)
    assert slow["thresholds"][0]["prob_by"]["2029-12-31"] <= base["thresholds"][0]["prob_by"]["2029-12-31"]


def test_predict_json_shape(golden):
    res = predict_from_idata(golden, thresholds_path=THRESHOLDS, by=["2027-01-01", "2029-01-01"], seed=3)
    assert set(res) >= {"as_of", "thresholds", "frontier"}
    for t in res["thresholds"]:
        assert set(t["prob_by"]) == {"2027-01-01", "2029-01-01"}
        lo, hi = t["crossing_interval_80"]
        if t["median_crossing"] and lo and hi:
            assert lo <= t["median_crossing"] <= hi
    json.dumps(res)  # JSON-ready


def test_predict_cli_errors(workdir):
    fit = str(workdir / "fit.nc")
    res = runner.invoke(app, ["predict", "--fit", fit, "--thresholds", str(THRESHOLDS), "--threshold", "nope"])
    assert res.exit_code != 0 and "unknown threshold id" in res.stderr
    res = runner.invoke(app, ["predict", "--fit", fit, "--thresholds", str(THRESHOLDS), "--by", "2027-02-30"])
    assert res.exit_code != 0 and "impossible date" in res.stderr
    res = runner.invoke(app, ["predict", "--fit", fit, "--scenario", "fast"])
    assert res.exit_code != 0 and "unknown scenario" in res.stderr
    bad = workdir / "t.toml"
    bad.write_text(THRESHOLDS.read_text().replace('"bench-00"', '"bench-99"'))
    res = runner.invoke(app, ["predict", "--fit", fit, "--thresholds", str(bad)])
    assert res.exit_code != 0 and "unknown benchmark 'bench-99'" in res.stderr


# ------------------------------------------------------------------------------------------
# update


def test_update_reports_surprise_and_shift_and_writes(workdir):
    res = runner.invoke(
        app,
        [
            "update",
            str(GOLDEN / "new_results.csv"),
            "--models",
            str(GOLDEN / "new_models.csv"),
            "--data",
            str(workdir / "data"),
            "--fit",
            str(workdir / "fit.nc"),
            "--out",
            str(workdir / "new.nc"),
            "--thresholds",
            str(THRESHOLDS),
            "--by",
            "2027-12-31",
            "--by",
            "2030-12-31",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    new_rows = pd.read_csv(GOLDEN / "new_results.csv")
    assert len(out["surprise"]) == len(new_rows)
    assert all(0 <= s["predictive_percentile"] <= 1 for s in out["surprise"])
    ids = {t.id for t in load_thresholds(THRESHOLDS)}
    assert {(s["threshold"], s["by"]) for s in out["shift"]} == {
        (i, d) for i in ids for d in ("2027-12-31", "2030-12-31")
    }
    assert out["method"] in ("reweight", "refit")
    ds = D.load_dataset(workdir / "data")
    assert set(new_rows["model"]) <= set(ds.models["model"])
    new_fit = load_fit(workdir / "new.nc", ds=ds)  # the new fit matches the new data
    assert new_fit.attrs["parent_fit_id"]
    assert set(new_rows["model"]) <= set(new_fit["constant_data"]["model"].values)


def test_update_with_default_dates_compares_the_same_dates_when_the_as_of_year_changes(workdir):
    """The fit is as of 2025; the new results run into 2026, so the after-forecast's default
    dates (year ends from the new as-of year) would differ from the before-forecast's."""
    res = runner.invoke(
        app,
        [
            "update",
            str(GOLDEN / "new_results.csv"),
            "--models",
            str(GOLDEN / "new_models.csv"),
            "--data",
            str(workdir / "data"),
            "--fit",
            str(workdir / "fit.nc"),
            "--out",
            str(workdir / "new.nc"),
            "--thresholds",
            str(THRESHOLDS),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["as_of"] >= "2026-01-01"
    dates = sorted({s["by"] for s in out["shift"]})
    assert dates[0] == "2025-12-31" and len(dates) >= 6
    assert all(0 <= s["before"] <= 1 and 0 <= s["after"] <= 1 for s in out["shift"])


def test_update_with_bad_input_changes_nothing(workdir):
    bad = workdir / "bad.csv"
    rows = pd.read_csv(GOLDEN / "new_results.csv").head(2)
    rows.loc[0, "score"] = 1.7 if rows.loc[0, "benchmark"] in ("bench-00", "bench-01", "bench-02") else "abc"
    rows.loc[1, "reported_date"] = "2024-13-45"
    rows.to_csv(bad, index=False)
    files = list((workdir / "data").iterdir()) + [workdir / "fit.nc"]
    before = digest(files)
    res = runner.invoke(
        app,
        [
            "update",
            str(bad),
            "--models",
            str(GOLDEN / "new_models.csv"),
            "--data",
            str(workdir / "data"),
            "--fit",
            str(workdir / "fit.nc"),
        ],
    )
    assert res.exit_code != 0
    assert f"{bad}:3 [reported_date]" in res.stderr
    assert digest(files) == before
    assert not (workdir / "fit.nc.tmp").exists()


def test_update_with_nothing_new_is_an_error(workdir):
    existing = workdir / "same.csv"
    pd.read_csv(workdir / "data" / "results.csv").head(3).to_csv(existing, index=False)
    res = runner.invoke(
        app, ["update", str(existing), "--data", str(workdir / "data"), "--fit", str(workdir / "fit.nc")]
    )
    assert res.exit_code != 0 and "nothing to update" in res.stderr


def test_surprise_on_unseen_benchmark_is_none_not_a_number(golden):
    from forecast.forecasting.update import surprise_percentiles

    ds = D.load_dataset(GOLDEN / "data")
    rows = pd.DataFrame(
        {
            "model": [ds.models["model"].iloc[-1]] * 2,
            "benchmark": ["bench-00", "never-seen"],
            "score": [0.5, 0.5],
            "inference_multiplier": [1.0, 1.0],
            "effort": ["", ""],
            "setting": ["", ""],
        }
    )
    out = surprise_percentiles(golden, rows, ds.models, seed=1)
    assert 0 <= out[0]["predictive_percentile"] <= 1
    assert out[1]["predictive_percentile"] is None and "new to the fit" in out[1]["note"]
    # a much higher observed score is more surprising (higher percentile) than a lower one
    hi = surprise_percentiles(golden, rows.iloc[[0]].assign(score=0.99), ds.models, seed=1)[0]
    lo = surprise_percentiles(golden, rows.iloc[[0]].assign(score=0.01), ds.models, seed=1)[0]
    assert hi["predictive_percentile"] > lo["predictive_percentile"]


def test_frontier_starts_at_the_observed_best_not_above_or_below_it(golden):
    """Fitted models keep their reported scores: the frontier at the as-of date is the observed
    best (no max-of-noisy-draws inflation), and models without a result still get draws."""
    from forecast import model as M
    from forecast.forecasting.frontier import frontier_quantiles, observed_best, simulate_frontier

    inputs = M.inputs_from_idata(golden)
    as_of = simulate_frontier(golden, pd.Timestamp("2000-01-01"), max_draws=1).as_of
    for b in ("bench-00", "bench-01"):
        best = np.nanmax(observed_best(inputs, inputs.benchmark_ids.index(b)))
        fq = frontier_quantiles(golden, [b], [as_of], seed=3).iloc[0]
        assert fq["q0.05"] >= best - 1e-12
        # the fitted models without a result on b can beat it, but not by much at the as-of date
        assert fq["q0.5"] <= best + 0.05
    # a criterion at 64x test-time compute also counts results run at up to 64x
    b = inputs.benchmark_ids.index("bench-00")
    assert (
        np.nansum(observed_best(inputs, b, np.log10(64)) >= observed_best(inputs, b))
        == np.isfinite(observed_best(inputs, b)).sum()
    )


def test_update_text_output_and_ledger_row_name_the_new_fit(workdir, tmp_path):
    """Without --json: the report prints, and the ledger records the updated fit's identity."""
    from forecast.evaluation import ledger as L

    ledger = tmp_path / "update_ledger.sqlite"
    res = runner.invoke(
        app,
        [
            "update",
            str(GOLDEN / "new_results.csv"),
            "--models",
            str(GOLDEN / "new_models.csv"),
            "--data",
            str(workdir / "data"),
            "--fit",
            str(workdir / "fit.nc"),
            "--out",
            str(workdir / "new.nc"),
            "--thresholds",
            str(THRESHOLDS),
            "--by",
            "2027-12-31",
            "--ledger",
            str(ledger),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "P(crossed by date), before -> after" in res.stdout
    new_fit = load_fit(workdir / "new.nc")
    if new_fit.attrs["update_method"] == "refit":
        assert "refit diagnostics: max R-hat" in res.stdout
    rows = L.table(ledger)
    assert len(rows) > 0
    assert set(rows["fit_id"]) == {new_fit.attrs["fit_id"]}
    assert set(rows["data_hash"]) == {new_fit.attrs["data_hash"]}


def test_importance_ratio_of_changed_observations_equals_the_full_log_likelihood_difference(golden, workdir):
    """The reweight's log ratio is computed on the added and changed observations only; it must
    equal the difference of the full pointwise log-likelihoods (new data minus old) on those
    columns, and every other column must be unchanged."""
    from forecast import model as M
    from forecast.forecasting import update as U

    raw = D.load_raw(workdir / "data")
    new = D.read_new_files(GOLDEN / "new_results.csv", GOLDEN / "new_models.csv")
    merged, _ = D.merge(raw, new, policy="add")
    new_post, inputs_new = U._extend(golden, D.typed(merged), seed=3)
    config = M.config_from_idata(golden)
    ids, ratio, removed = U._changed_loglik(golden, new_post, inputs_new, config)
    assert ids and ratio.shape == (new_post.sizes["chain"] * new_post.sizes["draw"], len(ids))
    full = U._augmented_tree(golden, new_post, inputs_new, config)["log_likelihood"]["score"]
    full = full.stack(sample=("chain", "draw")).transpose("sample", "obs")
    old = golden["log_likelihood"]["score"].stack(sample=("chain", "draw")).transpose("sample", "obs")
    old_ids = [str(o) for o in old["obs"].values]
    for o in [str(x) for x in full["obs"].values]:
        base = old.sel(obs=o).values if o in old_ids else 0.0
        diff = full.sel(obs=o).values - base
        if o in ids:
            np.testing.assert_allclose(ratio[:, ids.index(o)], diff, rtol=1e-9, atol=1e-9)
        else:
            np.testing.assert_allclose(diff, 0.0, atol=1e-9)
    assert np.all(removed == 0.0)  # adding results removes no observation


def test_frontier_past_what_the_suite_measures_is_marked_and_thresholds_beyond_it_flagged(golden, monkeypatch):
    """With a measurable maximum of 2 hours on the simulated horizon benchmark (bench-04), the
    frontier records say where the median passes it, and a threshold asking for more is flagged
    as an extrapolation; the numbers themselves stay."""
    from forecast.forecasting import predict as PR

    monkeypatch.setattr(PR, "measurable_limits", lambda idata: {"bench-04": 120.0})
    res = predict_from_idata(golden, thresholds_path=THRESHOLDS, by=["2027-01-01", "2035-01-01"], seed=3)
    horizon = [r for r in res["frontier"] if r["benchmark"] == "bench-04"]
    assert horizon and all(r["measurable_max"] == 120.0 and r["unit"] == "minutes" for r in horizon)
    assert [r["beyond_measurable"] for r in horizon] == [r["q0.5"] > 120.0 for r in horizon]
    assert all("measurable_max" not in r for r in res["frontier"] if r["benchmark"] != "bench-04")
    flagged = {t["id"]: t["extrapolation"] for t in res["thresholds"]}
    for t in load_thresholds(THRESHOLDS, PR.registry_units(golden)):
        past = any(c.benchmark == "bench-04" and c.value > 120.0 for c in t.criteria)
        assert (flagged.get(t.id) is not None) == past, t.id
        if past:
            assert "past the 2 h its task suite measures" in flagged[t.id]


def test_frontier_and_per_result_forecasts_follow_the_link_shape(golden):
    """A fit whose config has ``link_shape`` below 1 forecasts with that link everywhere: the
    frontier simulation and the per-result predictions both move up (sigmoid ** 0.5 >= sigmoid)."""
    from forecast import model as M
    from forecast.forecasting.frontier import frontier_quantiles

    shaped = golden.copy()
    cfg = json.loads(golden.attrs["model_config"])
    assert cfg.get("link_shape", 1.0) == 1.0
    shaped.attrs = {**golden.attrs, "model_config": json.dumps({**cfg, "link_shape": 0.5})}
    inputs = M.inputs_from_idata(golden)
    fractions = [b for b, u in zip(inputs.benchmark_ids, inputs.bench_unit) if u == 0]
    dates = [pd.Timestamp("2031-12-31")]
    base = frontier_quantiles(golden, fractions, dates, seed=1, max_draws=200)
    moved = frontier_quantiles(shaped, fractions, dates, seed=1, max_draws=200)
    assert (moved["q0.5"] >= base["q0.5"] - 1e-12).all() and (moved["q0.5"] > base["q0.5"] + 1e-3).any()
    rows = pd.DataFrame({"model": inputs.model_ids[0], "benchmark": fractions})
    lo = M.predict_scores(golden, rows, seed=1, noise=False)
    hi = M.predict_scores(shaped, rows, seed=1, noise=False)
    assert (hi["expected"].mean(("chain", "draw")) > lo["expected"].mean(("chain", "draw"))).all()
