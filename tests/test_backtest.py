"""Backtests, the calibration report and the forecast ledger, without sampling.

Scores are checked against closed forms; the ledger against crashes mid-write; the Dask path
against a local cluster on loopback (with a light stand-in for the per-origin job).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from forecast import data as D
from forecast.cli import app
from forecast.errors import ForecastError
from forecast.evaluation import backtest as BT
from forecast.evaluation import ledger as L
from forecast.evaluation import recalibrate as R
from forecast.evaluation import scores as SC
from forecast.forecasting.thresholds import Criterion, Threshold
from forecast.reports.text import format_report

runner = CliRunner()


def _threshold(tid="t1", criteria=(("b1", ">=", 0.8),), combine="all", mult=1.0):
    crit = tuple(Criterion(b, c, v, mult) for b, c, v in criteria)
    return Threshold(tid, "fw", "lvl", "desc", crit, combine, "https://example.org", "note")


def _results(rows):
    df = pd.DataFrame(rows, columns=["model", "benchmark", "score", "reported_date", "inference_multiplier"])
    df["reported_date"] = pd.to_datetime(df["reported_date"])
    return df


# ---------------------------------------------------------------------------------------------
# scores
# ---------------------------------------------------------------------------------------------


def test_crps_of_normal_samples_matches_the_closed_form():
    rng = np.random.default_rng(0)
    y = np.array([-1.0, 0.0, 0.7, 2.5])
    samples = rng.standard_normal((len(y), 20000))
    # CRPS(N(0,1), y) = y(2Phi(y)-1) + 2phi(y) - 1/sqrt(pi)
    exact = y * (2 * stats.norm.cdf(y) - 1) + 2 * stats.norm.pdf(y) - 1 / np.sqrt(np.pi)
    assert np.allclose(SC.crps(samples, y), exact, atol=0.01)


def test_crps_is_smaller_for_the_sharper_correct_forecast():
    rng = np.random.default_rng(1)
    y = rng.normal(0, 0.1, 200)
    sharp = rng.normal(0, 0.1, (200, 2000))
    vague = rng.normal(0, 1.0, (200, 2000))
    assert SC.crps(sharp, y).mean() < 0.5 * SC.crps(vague, y).mean()


def test_pit_and_coverage_of_a_calibrated_forecast_are_nominal():
    rng = np.random.default_rng(2)
    mu = rng.normal(size=3000)
    samples = mu[:, None] + rng.standard_normal((3000, 1000))
    y = mu + rng.standard_normal(3000)
    p = SC.pit(samples, y)
    assert stats.kstest(p, "uniform").pvalue > 0.01
    for lev in SC.LEVELS:
        lo, hi = SC.binomial_bounds(3000, lev, alpha=0.001)
        assert lo <= SC.covered(samples, y, lev).mean() <= hi


def test_score_samples_reports_crps_on_fractions_only_and_coverage_everywhere():
    rng = np.random.default_rng(3)
    samples = rng.uniform(0, 1, (4, 500))
    samples[3] = rng.normal(1500, 100, 500)
    obs = np.array([0.5, 0.5, 0.99, 1500.0])
    s = SC.score_samples(samples, obs, ["fraction", "fraction", "fraction", "elo"])
    assert s["n"] == 4 and s["n_crps"] == 3
    assert s["crps"] == pytest.approx(SC.crps(samples[:3], obs[:3]).mean())
    assert set(s["crps_by_unit"]) == {"fraction", "elo"}
    assert s["crps_by_unit"]["elo"] > 10  # Elo points, not mixed into the fraction CRPS
    assert s["coverage95"] == pytest.approx(0.75)  # 0.99 is outside U(0,1)'s central 95%


def test_design_effect_is_one_for_independent_results_and_cluster_size_for_copies():
    rng = np.random.default_rng(4)
    clusters = np.repeat(np.arange(300), 4)
    independent = rng.uniform(size=1200) < 0.8
    assert SC.design_effect(independent, clusters) == pytest.approx(1.0, abs=0.15)
    copies = np.repeat(rng.uniform(size=300) < 0.8, 4)  # four copies of each outcome
    assert SC.design_effect(copies, clusters) == pytest.approx(4.0, abs=0.05)
    assert SC.design_effect(independent, np.arange(1200)) == 1.0  # singletons


def test_calibration_flags_catch_narrow_and_wide_intervals_but_not_nominal_ones():
    assert SC.calibration_flags({0.8: (0.80, 400)}) == []
    narrow = SC.calibration_flags({0.8: (0.60, 400)})
    wide = SC.calibration_flags({0.5: (0.75, 400)})
    assert len(narrow) == 1 and "too narrow" in narrow[0]
    assert len(wide) == 1 and "too wide" in wide[0]
    # a handful of results cannot show miscalibration
    assert SC.calibration_flags({0.8: (0.6, 5)}) == []
    # correlated results: the same rate from 400 results worth 40 independent ones is not flagged
    assert SC.calibration_flags({0.8: (0.70, 400)}, effective_n={0.8: 40}) == []
    assert SC.calibration_flags({0.8: (0.70, 400)}) != []


# ---------------------------------------------------------------------------------------------
# split and observed threshold crossings
# ---------------------------------------------------------------------------------------------


def test_split_keeps_only_what_was_known_and_targets_what_came_after():
    ds = D.load_dataset()
    origin = pd.Timestamp("2024-09-11")
    train, targets = BT.split(ds, origin, horizon_days=180)
    assert train.results["reported_date"].max() <= origin
    assert train.models["release_date"].max() <= origin
    assert (targets["reported_date"] > origin).all()
    assert (targets["reported_date"] <= origin + pd.Timedelta(days=180)).all()
    counts = train.results["benchmark"].value_counts()
    assert (counts.reindex(targets["benchmark"]).fillna(0) >= BT.MIN_PRIOR).all()
    # o1's announced AIME result is a target; the model (released after the origin) is described
    o1 = targets[(targets["model"] == "o1-preview-2024-09-12") & (targets["benchmark"] == "aime_2024")]
    assert len(o1) and o1["reasoning"].all()
    assert not targets[["release_date", "reasoning", "unit"]].isna().any().any()


def test_observed_crossing_all_any_multiplier_and_date():
    r = _results(
        [
            ("m1", "b1", 0.85, "2024-03-01", 1.0),
            ("m1", "b2", 0.40, "2024-03-01", 1.0),
            ("m2", "b1", 0.70, "2024-01-01", 1.0),
            ("m2", "b2", 0.90, "2024-02-01", 1.0),
            ("m2", "b1", 0.95, "2024-05-01", 64.0),
        ]
    )
    one = _threshold(criteria=(("b1", ">=", 0.8),))
    assert BT.observed_crossing(r, one) == (pd.Timestamp("2024-03-01"), "m1")
    assert BT.observed_crossing(r, one, until="2024-02-28") == (None, None)
    both = _threshold(criteria=(("b1", ">=", 0.8), ("b2", ">=", 0.8)))
    assert BT.observed_crossing(r, both) == (None, None)  # no single model meets both at default compute
    both64 = _threshold(criteria=(("b1", ">=", 0.8), ("b2", ">=", 0.8)), mult=64.0)
    assert BT.observed_crossing(r, both64) == (pd.Timestamp("2024-05-01"), "m2")
    either = _threshold(criteria=(("b1", ">=", 0.8), ("b2", ">=", 0.8)), combine="any")
    assert BT.observed_crossing(r, either) == (pd.Timestamp("2024-02-01"), "m2")


# ---------------------------------------------------------------------------------------------
# the ledger
# ---------------------------------------------------------------------------------------------


def _ds_with(results: pd.DataFrame):
    return D.Dataset(pd.DataFrame(), pd.DataFrame(), results, "h")


def test_ledger_records_and_scores_forecasts_once_the_data_settle_them(tmp_path):
    path = tmp_path / "l.sqlite"
    th = _threshold()
    rows = [
        {"threshold": "t1", "as_of": "2024-01-01", "by": d, "prob": p}
        for d, p in [("2024-02-01", 0.2), ("2024-06-01", 0.6), ("2025-06-01", 0.9)]
    ]
    L.record(path, "predict", rows, [th], fit_attrs={"fit_id": "f", "data_hash": "h", "seed": 1})
    early = _results([("m1", "b1", 0.5, "2024-04-01", 1.0)])
    assert L.score_open(path, _ds_with(early)) == {
        "scored_now": 1,
        "still_open": 2,
        "lab_scored_now": 0,
    }  # only 2024-02-01 settled: no
    later = _results([("m1", "b1", 0.5, "2024-04-01", 1.0), ("m2", "b1", 0.9, "2024-05-01", 1.0)])
    assert L.score_open(path, _ds_with(later)) == {"scored_now": 2, "still_open": 0, "lab_scored_now": 0}
    t = L.table(path).set_index("by_date")
    assert t.loc["2024-02-01", "outcome"] == 0 and t.loc["2024-02-01", "brier"] == pytest.approx(0.04)
    assert t.loc["2025-06-01", "outcome"] == 1 and t.loc["2025-06-01", "crossed_on"] == "2024-05-01"
    rep = L.report(path)
    assert rep["n_scored"] == 3 and rep["brier"] == pytest.approx((0.04 + 0.16 + 0.01) / 3)


def test_ledger_leaves_thresholds_already_crossed_when_issued_out_of_the_scores(tmp_path):
    path = tmp_path / "l.sqlite"
    rows = [
        {"threshold": "t1", "as_of": "2024-06-01", "by": "2024-12-01", "prob": 0.9},
        {"threshold": "t2", "as_of": "2024-06-01", "by": "2024-12-01", "prob": 0.3},
    ]
    L.record(path, "predict", rows, [_threshold("t1", (("b1", ">=", 0.8),)), _threshold("t2", (("b2", ">=", 0.8),))])
    r = _results(
        [
            ("m1", "b1", 0.9, "2024-03-01", 1.0),
            ("m1", "b2", 0.9, "2024-09-01", 1.0),
            ("m1", "b3", 0.1, "2025-01-01", 1.0),
        ]
    )
    assert L.score_open(path, _ds_with(r)) == {"scored_now": 2, "still_open": 0, "lab_scored_now": 0}
    rep = L.report(path)
    assert rep["n_scored"] == 2 and rep["n_already_crossed_when_issued"] == 1
    assert rep["brier"] == pytest.approx(0.49)  # only t2 (P 0.3, happened) counts


def test_ledger_scores_with_the_rule_as_recorded_not_as_later_edited(tmp_path):
    path = tmp_path / "l.sqlite"
    L.record(
        path,
        "predict",
        [{"threshold": "t1", "as_of": "2024-01-01", "by": "2024-06-01", "prob": 0.5}],
        [_threshold(criteria=(("b1", ">=", 0.95),))],
    )
    r = _results([("m1", "b1", 0.9, "2024-03-01", 1.0), ("m2", "b1", 0.85, "2024-07-01", 1.0)])
    L.score_open(path, _ds_with(r))
    assert L.table(path)["outcome"].tolist() == [0]  # 0.9 < 0.95 under the recorded rule


def test_not_crossed_is_resolved_only_where_the_data_cover_every_benchmark_of_the_rule(tmp_path):
    # b2's source stops in March; results on b1 go on to July: "not crossed by June" is not known
    # for a rule that names b2, and is known for one that names b1 alone
    path = tmp_path / "l.sqlite"
    both, b1_only = _threshold("t1", (("b1", ">=", 0.95), ("b2", ">=", 0.5))), _threshold("t2", (("b1", ">=", 0.95),))
    rows = [{"threshold": t, "as_of": "2024-01-01", "by": "2024-06-01", "prob": 0.5} for t in ("t1", "t2")]
    L.record(path, "predict", rows, [both, b1_only])
    r = _results(
        [
            ("m1", "b1", 0.9, "2024-03-01", 1.0),
            ("m1", "b2", 0.4, "2024-03-01", 1.0),
            ("m2", "b1", 0.85, "2024-07-01", 1.0),
        ]
    )
    ds = _ds_with(r)
    assert ds.reach(["b1"]) == pd.Timestamp("2024-07-01")
    assert ds.reach(["b1", "b2"]) == pd.Timestamp("2024-03-01")
    assert ds.reach(["b1", "b9"]) is None  # a benchmark with no result: nothing is covered
    assert L.score_open(path, ds) == {"scored_now": 1, "still_open": 1, "lab_scored_now": 0}
    t = L.table(path).set_index("threshold")
    assert t.loc["t2", "outcome"] == 0 and pd.isna(t.loc["t1", "outcome"])
    # a crossing seen in the data resolves the event, however far the data reach on b2
    crossed = pd.concat([r, _results([("m3", "b1", 0.97, "2024-05-01", 1.0), ("m3", "b2", 0.6, "2024-05-01", 1.0)])])
    L.score_open(path, _ds_with(crossed))
    assert L.table(path).set_index("threshold").loc["t1", "outcome"] == 1


def test_backtest_events_resolve_only_up_to_the_reach_of_their_benchmarks_crossed_or_not(monkeypatch):
    # b1 crosses 0.8 in May; its data end in August. From a January origin the 90-day event
    # (April) resolves "not crossed", the 180-day one (July) "crossed"; the 365-day one (January)
    # stays open although the crossing is known: resolving it would keep only events that happened
    import forecast.forecasting.frontier as FR
    import forecast.forecasting.predict as PR

    th = _threshold()
    monkeypatch.setattr(PR, "forecastable", lambda ths, idata: (list(ths), []))
    monkeypatch.setattr(
        FR, "threshold_forecast", lambda idata, ths, by, seed: {"thresholds": [{"prob_by": dict.fromkeys(by, 0.5)}]}
    )
    r = _results(
        [
            ("m1", "b1", 0.5, "2024-03-01", 1.0),
            ("m2", "b1", 0.9, "2024-05-01", 1.0),
            ("m3", "b1", 0.6, "2024-08-01", 1.0),
        ]
    )
    ev = BT._event_forecasts(None, _ds_with(r), [th], pd.Timestamp("2024-01-01"), seed=1)
    assert [e["horizon_days"] for e in ev] == list(BT.EVENT_HORIZONS_DAYS)
    assert [e["outcome"] for e in ev] == [0, 1, None]
    assert ev[1]["crossed_on"] == "2024-05-01" and ev[1]["crossed_by_model"] == "m2"


def test_ledger_write_is_all_or_nothing(tmp_path):
    path = tmp_path / "l.sqlite"
    L.record(
        path, "predict", [{"threshold": "t1", "as_of": "2024-01-01", "by": "2024-06-01", "prob": 0.5}], [_threshold()]
    )
    bad = [
        {"threshold": "t1", "as_of": "2024-01-01", "by": "2024-07-01", "prob": 0.5},
        {"threshold": "t1", "as_of": "2024-01-01", "by": "2024-08-01", "prob": 1.5},
    ]  # violates the CHECK
    with pytest.raises(ForecastError, match="could not record"):
        L.record(path, "predict", bad, [_threshold()])
    con = sqlite3.connect(path)
    assert con.execute("SELECT COUNT(*) FROM forecasts").fetchone()[0] == 1
    assert con.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1  # the failed run left no row


def test_a_file_that_is_not_a_ledger_is_a_clear_error(tmp_path):
    path = tmp_path / "l.sqlite"
    path.write_text("not a database at all " * 100)
    with pytest.raises(ForecastError, match="not a usable forecast ledger"):
        L.report(path)


# ---------------------------------------------------------------------------------------------
# recalibration plumbing
# ---------------------------------------------------------------------------------------------


def test_quarter_ends_and_origins_parsing():
    assert R.quarter_ends("2024-Q3", pd.Timestamp("2025-02-01")) == ["2024-09-30", "2024-12-31"]
    with pytest.raises(ForecastError, match="not a quarter"):
        R.quarter_ends("2024-Q5", pd.Timestamp("2025-02-01"))
    assert R.parse_origins("2024-12-31, 2024-06-30") == ["2024-06-30", "2024-12-31"]
    with pytest.raises(ForecastError, match="--origins"):
        R.parse_origins("2024-02-30")


def _fake_origin(origin: str, seed: int, bias: float = 0.0) -> dict:
    """A per-origin result shaped like run_backtest's, from a known predictive distribution."""
    rng = np.random.default_rng(seed)
    n = 200
    mu = rng.uniform(0.2, 0.8, n)
    y = np.clip(mu + bias + rng.normal(0, 0.05, n), 0, 1)
    samples = {
        "model": mu[:, None] + rng.normal(0, 0.05, (n, 400)),
        "metr_date_trend": mu[:, None] + 0.1 + rng.normal(0, 0.05, (n, 400)),
    }
    units = np.array(["fraction"] * n)
    scores = {k: SC.score_samples(s, y, units) for k, s in samples.items()}
    return {
        "origin": origin,
        "scores": scores,
        "ratio_to_best_baseline": 0.5,
        "n_train_results": 10,
        "fit_seconds": 1.0,
        "diagnostics": {"max_rhat": 1.0, "min_ess_bulk": 500, "divergences": 0},
        "events": [{"threshold": "t1", "by": "2025-01-01", "horizon_days": 90, "prob": 0.8, "outcome": 1}],
        "_pooled": {
            "units": units.tolist(),
            "horizon_days": rng.integers(1, 365, n).tolist(),
            "observed": y.tolist(),
            **{f"pit_{k}": SC.pit(s, y).tolist() for k, s in samples.items()},
            **{f"crps_{k}": SC.crps(s, y).tolist() for k, s in samples.items()},
            **{
                f"cov{int(lv * 100)}_{k}": SC.covered(s, y, lv).tolist() for k, s in samples.items() for lv in SC.LEVELS
            },
        },
    }


def test_pooled_report_scores_methods_side_by_side_and_flags_only_the_biased_model():
    good = R.pooled_report([_fake_origin("2024-06-30", 1), _fake_origin("2024-09-30", 2)])
    assert good["origins"] == ["2024-06-30", "2024-09-30"]
    assert good["scores"]["model"]["n"] == 400
    assert good["best_baseline"] == "metr_date_trend"
    assert good["ratio_to_best_baseline"] < 1
    assert good["flags"] == []
    assert sum(good["pit_histogram"]) == 400 and len(good["pit"]) == 400
    assert good["events"]["n_resolved"] == 2 and good["events"]["brier"] == pytest.approx(0.04)
    biased = R.pooled_report([_fake_origin("2024-06-30", 1, bias=0.08), _fake_origin("2024-09-30", 2, bias=0.08)])
    assert any("too narrow" in f for f in biased["flags"])
    text = format_report({**biased, "horizon_days": 365, "newest_result": "2025-01-01"})
    assert "too narrow" in text and "metr_date_trend" in text


def test_recalibrate_runs_origins_on_a_dask_cluster_on_loopback(monkeypatch):
    distributed = pytest.importorskip("distributed")

    def light_job(data_dir, origin, horizon_days, seed, fit_kwargs, thresholds_path, model_config=None):
        return {**_fake_origin(origin, seed=int(origin[-2:])), "worker": distributed.get_worker().address}

    monkeypatch.setattr(R, "origin_job", light_job)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://", host="127.0.0.1", dashboard_address=None
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1")
        seen = []
        out = R.run_origins(
            "data",
            ["2024-06-30", "2024-03-31"],
            horizon_days=365,
            seed=1,
            dask_scheduler=cluster.scheduler_address,
            progress=lambda k, n, o: seen.append((k, n)),
        )
    assert [r["origin"] for r in out] == ["2024-03-31", "2024-06-30"]
    assert all(r["worker"].startswith("tcp://127.0.0.1") for r in out)  # ran on the cluster's worker
    assert seen[-1] == (2, 2)


def test_every_origin_fits_the_model_config_it_is_given(monkeypatch):
    """run_origins hands the model configuration to every origin's job, and origin_job fits with
    it (what `forecast recalibrate --model-config` relies on)."""
    from forecast.model import ModelConfig

    cfg = ModelConfig(learn_ceiling=True, link_shape=0.5)
    real_job = R.origin_job
    seen = []
    monkeypatch.setattr(R, "origin_job", lambda *a: seen.append(a[6]) or _fake_origin(a[1], seed=int(a[1][-2:])))
    R.run_origins("data", ["2024-06-30", "2024-03-31"], horizon_days=365, seed=1, model_config=cfg.to_json())
    assert seen == [cfg.to_json()] * 2
    fitted = []
    monkeypatch.setattr(R.BT, "run_backtest", lambda *a, config=None, **k: fitted.append(config) or {})
    golden = Path(__file__).parent / "golden"
    th = str(golden / "thresholds.toml")
    real_job(str(golden / "data"), "2024-06-30", 365, 1, None, th, cfg.to_json())
    real_job(str(golden / "data"), "2024-06-30", 365, 1, None, th, None)
    assert fitted == [cfg, None]


def test_recalibrate_rejects_a_scheduler_it_cannot_reach(monkeypatch):
    monkeypatch.setattr(R, "DASK_CONNECT_TIMEOUT", "1s")
    with pytest.raises(ForecastError, match="cannot connect"):
        R.run_origins("data", ["2024-06-30"], horizon_days=365, seed=1, dask_scheduler="tcp://127.0.0.1:9")


# ---------------------------------------------------------------------------------------------
# CLI bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["backtest", "--origin", "2024-13-01"], "--origin"),
        (["recalibrate", "--quarterly-from", "2024-Q9"], "not a quarter"),
        (["recalibrate", "--origins", "2030-01-01"], "after the newest result"),
        (["recalibrate"], "--origins"),
    ],
)
def test_backtest_and_recalibrate_bad_input_exit_non_zero_with_a_message(args, message, tmp_path):
    res = runner.invoke(app, args + (["--out", str(tmp_path / "r.json")] if args[0] == "recalibrate" else []))
    assert res.exit_code != 0
    assert message in res.output
    assert not (tmp_path / "r.json").exists()


def test_predict_records_in_the_ledger_and_no_ledger_does_not(tmp_path, monkeypatch):
    from pathlib import Path

    golden = Path(__file__).resolve().parent / "golden"
    led = tmp_path / "mine.sqlite"
    args = ["predict", "--fit", str(golden / "fit_v1.nc"), "--thresholds", str(golden / "thresholds.toml"), "--json"]
    res = runner.invoke(app, args + ["--ledger", str(led)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout[res.stdout.index("{") :])
    t = L.table(led)
    assert len(t) == sum(len(x["prob_by"]) for x in out["thresholds"])
    assert set(t["command"]) == {"predict"} and (t["fit_id"] == out["fit"]["fit_id"]).all()
    first = {(r.threshold, r.by_date): r.prob for r in t.itertuples()}
    assert all(first[(x["id"], d)] == p for x in out["thresholds"] for d, p in x["prob_by"].items())
    res = runner.invoke(app, args + ["--ledger", str(led), "--no-ledger"])
    assert res.exit_code == 0 and len(L.table(led)) == len(t)
    # the same forecasts from the same fit again: not recorded twice
    res = runner.invoke(app, args + ["--ledger", str(led)])
    assert res.exit_code == 0 and "already in the ledger" in res.output and len(L.table(led)) == len(t)
    # another scenario is another forecast
    res = runner.invoke(app, args + ["--ledger", str(led), "--scenario", "compute-slowdown"])
    assert res.exit_code == 0 and len(L.table(led)) == 2 * len(t)


def test_ledger_commands_show_and_score(tmp_path):
    from pathlib import Path

    golden = Path(__file__).resolve().parent / "golden"
    led = tmp_path / "l.sqlite"
    res = runner.invoke(app, ["ledger", "show", "--ledger", str(led)])
    assert res.exit_code == 1 and "no forecast ledger yet" in res.output
    res = runner.invoke(
        app,
        [
            "predict",
            "--fit",
            str(golden / "fit_v1.nc"),
            "--thresholds",
            str(golden / "thresholds.toml"),
            "--ledger",
            str(led),
        ],
    )
    assert res.exit_code == 0, res.output
    n = len(L.table(led))
    res = runner.invoke(app, ["ledger", "show", "--ledger", str(led), "--open", "--json"])
    shown = json.loads(res.stdout)
    assert shown["summary"]["n_forecasts"] == n and len(shown["forecasts"]) == n
    res = runner.invoke(app, ["ledger", "score", "--ledger", str(led), "--data", str(golden / "data"), "--json"])
    assert res.exit_code == 0, res.output
    scored = json.loads(res.stdout)
    assert scored["scored_now"] + scored["still_open"] == n and scored["scored_now"] > 0
    assert L.table(led)["outcome"].notna().sum() == scored["scored_now"]
    res = runner.invoke(app, ["ledger", "show", "--ledger", str(led), "--open", "--json"])
    assert len(json.loads(res.stdout)["forecasts"]) == scored["still_open"]
