"""The frontier backtest and the evaluation-aware frontier, without sampling.

Targets and scores are checked on hand-made data with known answers; coverage on forecasts drawn
from the distribution the truth was drawn from (nominal) and from a shifted one (not).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from forecast import data as D
from forecast.evaluation import frontier_backtest as FB
from forecast.evaluation import recalibrate as R
from forecast.forecasting.frontier import evaluation_profile
from forecast.reports.text import format_frontier


def _ds(rows, releases):
    results = pd.DataFrame(rows, columns=["model", "benchmark", "score", "reported_date", "inference_multiplier"])
    results["reported_date"] = pd.to_datetime(results["reported_date"])
    models = pd.DataFrame({"model": list(releases), "release_date": pd.to_datetime(list(releases.values()))})
    benchmarks = pd.DataFrame({"benchmark": ["b1", "h"], "unit": ["fraction", "minutes"]})
    return D.Dataset(models, benchmarks, results, "h")


RELEASES = {"m1": "2024-01-01", "m2": "2024-03-01", "m3": "2024-05-01", "m4": "2024-11-01"}
ROWS = [
    ("m1", "b1", 0.40, "2024-01-10", 1.0),
    ("m2", "b1", 0.50, "2024-04-20", 1.0),  # released before the origin, reported after it
    ("m2", "b1", 0.90, "2024-04-20", 64.0),  # not the default setting: never the frontier
    ("m3", "b1", 0.60, "2024-05-10", 1.0),
    ("m4", "b1", 0.75, "2024-11-20", 1.0),
]


def test_observed_frontier_counts_releases_by_the_date_at_the_default_setting_as_known_then():
    ds = _ds(ROWS, RELEASES)
    assert FB.observed_frontier(ds, "b1", "2024-03-31") == (0.50, "m2")
    assert FB.observed_frontier(ds, "b1", "2024-03-31", known_by="2024-03-31") == (0.40, "m1")
    assert FB.observed_frontier(ds, "b1", "2024-12-31") == (0.75, "m4")
    assert FB.observed_frontier(ds, "b1", "2023-12-31") == (None, None)


def test_frontier_targets_stop_where_the_data_stop_and_persist_the_known_frontier():
    ds = _ds(ROWS, RELEASES)
    t = FB.frontier_targets(ds, pd.Timestamp("2024-03-31"), ["b1"])
    # the data reach 2024-11-20: the 3- and 6-month targets are known, the 12-month one is not
    assert t["horizon_days"].tolist() == [91, 182]
    assert t["persistence"].tolist() == [0.40, 0.40]
    assert t["observed"].tolist() == [0.60, 0.60]
    assert t["observed_model"].tolist() == ["m3", "m3"]


def test_frontier_targets_stop_where_that_benchmarks_data_stop():
    # h's last result is in July, b1's in November: from March, h has a 3-month target only
    rows = [*ROWS, ("m1", "h", 10.0, "2024-01-10", 1.0), ("m3", "h", 30.0, "2024-07-10", 1.0)]
    ds = _ds(rows, RELEASES)
    t = FB.frontier_targets(ds, pd.Timestamp("2024-03-31"), ["b1", "h"])
    assert t[t["benchmark"] == "b1"]["horizon_days"].tolist() == [91, 182]
    assert t[t["benchmark"] == "h"]["horizon_days"].tolist() == [91]


def _targets(n, rng):
    truth = rng.uniform(0.3, 0.7, n)
    return pd.DataFrame(
        {
            "benchmark": "b1",
            "unit": "fraction",
            "horizon_days": rng.choice(FB.FRONTIER_HORIZONS_DAYS, n),
            "date": "2025-01-01",
            "observed": truth + rng.normal(0, 0.05, n),
            "observed_model": "m",
            "persistence": truth - 0.1,
        }
    ), truth


def test_score_frontier_is_nominal_for_a_calibrated_forecast_and_not_for_a_shifted_one():
    rng = np.random.default_rng(5)
    targets, truth = _targets(2000, rng)
    calibrated = truth[:, None] + rng.normal(0, 0.05, (len(truth), 400))
    shifted = calibrated + 0.1
    trend = calibrated + 0.03
    good = FB.score_frontier(targets, {"model": calibrated, "trend": trend})
    for lv in FB.FRONTIER_LEVELS:
        assert good[f"in{int(lv * 100)}"].mean() == pytest.approx(lv, abs=0.03)
    assert good["crps_model"].mean() < good["crps_trend"].mean() < good["crps_persistence"].mean()
    np.testing.assert_allclose(good["crps_persistence"], np.abs(targets["persistence"] - targets["observed"]))
    bad = FB.score_frontier(targets, {"model": shifted, "trend": trend})
    assert bad["in90"].mean() < 0.5 and bad["pit"].mean() < 0.2


def test_pooled_frontier_reports_coverage_by_origin_and_scores_on_the_modelling_scale():
    rng = np.random.default_rng(6)
    rows = []
    for origin in ("2024-03-31", "2024-06-30"):
        targets, truth = _targets(300, rng)
        s = truth[:, None] + rng.normal(0, 0.05, (300, 400))
        scored = FB.score_frontier(targets, {"model": s, "trend": s + 0.2})
        scored["origin"] = origin
        rows += scored.to_dict("records")
    # a horizon target in minutes is scored in log2 minutes: doubling the error adds one unit
    minutes = FB.score_frontier(
        pd.DataFrame([{"benchmark": "h", "unit": "minutes", "horizon_days": 365, "date": "2025-01-01",
                       "observed": 64.0, "observed_model": "m", "persistence": 16.0}]),
        {"model": np.full((1, 50), 32.0), "trend": np.full((1, 50), 128.0)},
    )  # fmt: skip
    assert minutes["crps_model"].item() == pytest.approx(1.0) and minutes["crps_persistence"].item() == 2.0
    pooled = FB.pooled_frontier(rows)
    assert pooled["n"] == 600 and sum(pooled["pit_histogram"]) == 600
    assert [r["origin"] for r in pooled["twelve_month_in90_by_origin"]] == ["2024-03-31", "2024-06-30"]
    assert all(0.8 < r["in90"] <= 1.0 for r in pooled["twelve_month_in90_by_origin"])
    assert pooled["crps"]["model"] < pooled["crps"]["trend"]
    text = "\n".join(format_frontier(pooled))
    assert "12-month targets inside the 90% interval" in text and "persistence" in text
    assert FB.pooled_frontier([]) == {"n": 0} and format_frontier({"n": 0}) == []


def test_frontier_by_benchmark_finds_the_benchmark_whose_latest_forecasts_ran_high():
    """Six origins. Benchmark "good" is forecast from the distribution its truth is drawn from;
    "late" likewise, except at the last four origins, where the forecast sits 0.1 above the
    truth. The per-benchmark summary and the memo's sentence find "late" at the latest origins
    and only there, and say nothing of "good"."""
    from forecast.reports.memo.frontier_calibration import frontier_bias_sentence, frontier_calibration_blocks

    rng = np.random.default_rng(7)
    origins = ["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31", "2025-03-31", "2025-06-30"]
    rows = []
    for k, origin in enumerate(origins):
        for name, shift in (("good", 0.0), ("late", 0.1 if k >= 2 else 0.0)):
            targets, truth = _targets(40, rng)
            targets["benchmark"] = name
            s = truth[:, None] + shift + rng.normal(0, 0.05, (40, 400))
            scored = FB.score_frontier(targets, {"model": s, "trend": s})
            scored["origin"] = origin
            rows += scored.to_dict("records")
    per = {r["benchmark"]: r for r in FB.pooled_frontier(rows)["by_benchmark"]}
    assert per["late"]["recent_origins"] == origins[-FB.RECENT_ORIGINS :] and per["late"]["recent_n"] == 160
    assert per["late"]["recent_pit_mean"] < 0.15 < per["late"]["pit_mean"] < 0.4
    assert per["late"]["below_interval"] > 0.3 and per["late"]["recent_coverage90"] < 0.6
    assert abs(per["good"]["recent_pit_mean"] - 0.5) < 0.08 and per["good"]["coverage90"] > 0.85
    said = frontier_bias_sentence(list(per.values()), ["good", "late"])
    assert "late (mean PIT" in said and "ran high" in said and "good" not in said
    assert frontier_bias_sentence(list(per.values()), ["good"]) is None
    blocks = frontier_calibration_blocks(FB.pooled_frontier(rows), ["late"])
    table = [b for b in blocks if b[0] == "table"][-1]
    assert [r[0] for r in table[2]] == ["late"]  # only the benchmarks the thresholds name
    assert any(b[0] == "p" and "ran high" in b[1] for b in blocks)
    assert "latest origins" in "\n".join(format_frontier(FB.pooled_frontier(rows)))


def test_climatology_skill_is_zero_for_the_base_rate_positive_for_sharp_and_negative_for_wrong():
    outcomes = [1, 0, 0, 1, 0, 0, 0, 1]
    base = np.mean(outcomes)

    def events(probs):
        return [
            {"prob": p, "outcome": o, "horizon_days": 91 if i % 2 else 365}
            for i, (p, o) in enumerate(zip(probs, outcomes))
        ]

    assert R.climatology(events([base] * 8))["brier_skill"] == pytest.approx(0.0)
    assert R.climatology(events([0.9 if o else 0.1 for o in outcomes]))["brier_skill"] > 0.5
    assert R.climatology(events([0.1 if o else 0.9 for o in outcomes]))["brier_skill"] < 0
    rep = R.climatology(events([base] * 8))
    assert rep["base_rate"] == pytest.approx(base) and {h["horizon_days"] for h in rep["by_horizon"]} == {91, 365}
    assert R.climatology([])["brier_skill"] is None
    # per origin, against the pooled base rate: sharp and right at the first origin, wrong at the
    # second; climatology's score there is the same rate's
    mixed = [
        e | {"origin": "2025-03-31" if i < 4 else "2025-06-30"}
        for i, e in enumerate(events([0.9, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9, 0.1]))
    ]
    by = {r["origin"]: r for r in R.climatology(mixed)["by_origin"]}
    assert by["2025-03-31"]["brier"] == pytest.approx(0.01) and by["2025-06-30"]["brier"] == pytest.approx(0.81)
    assert by["2025-03-31"]["happened"] == 2 and by["2025-06-30"]["n"] == 4
    assert by["2025-03-31"]["brier_climatology"] == pytest.approx(np.mean((base - np.array(outcomes[:4])) ** 2))
    from forecast.reports.text import events_by_origin

    assert "2025-06-30 0.810 [" in events_by_origin(list(by.values()))


def test_evaluation_profile_reads_who_gets_measured_in_the_last_year():
    """Eight recent models, the three strongest measured on benchmark 0 (one at effort step 2, a
    reasoning model), none of the weaker ones; on benchmark 1 only a weak one. An old model
    measured long ago does not count."""
    t_model = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.55, 0.45, -3.0])
    theta = np.array([3.0, 2.0, 1.0, 0.0, -1.0, -2.0, -0.5, 0.5, 9.0])
    obs_model = np.array([0, 1, 2, 8, 5])
    obs_bench = np.array([0, 0, 0, 0, 1])
    inputs = SimpleNamespace(
        t_model=t_model,
        n_models=9,
        obs_model=obs_model,
        obs_bench=obs_bench,
        log10_mult=np.zeros(5),
        reasoning_obs=np.array([1.0, 0.0, 0.0, 0.0, 0.0]),
        effort_step=np.array([2.0, 0.0, 0.0, 0.0, 0.0]),
    )
    ev = evaluation_profile(inputs, theta, as_of_t=0.6, b=0)
    p = ev.prob(np.array([-2.0, 0.0, 2.0, 4.0]))
    assert np.all(np.diff(p) > 0) and p[0] < 0.2 and p[-1] > 0.8  # the strong get measured
    assert ev.effort_step == 2.0
    weak = evaluation_profile(inputs, theta, as_of_t=0.6, b=1)
    assert weak.slope < 0 and weak.prob(np.array([3.0]))[0] < 0.2 and weak.effort_step == 0.0
    none = evaluation_profile(inputs, theta, as_of_t=5.0, b=0)  # nothing released in the last year
    assert none.prob(np.array([0.0, 9.0])).max() == 0.0


def _cohorts(measured_share_by_half_year, seed=0):
    """Forty models a half-year over two years before the data's date (t = 0), each measured on
    benchmark 0 with the given share (oldest half-year first), capability unrelated to it."""
    rng = np.random.default_rng(seed)
    t, measured = [], []
    for k, share in enumerate(measured_share_by_half_year):
        start = -2.0 + 0.5 * k
        t.extend(start + rng.uniform(0, 0.5, 40))
        measured.extend(rng.uniform(size=40) < share)
    t, measured = np.array(t), np.array(measured)
    obs_model = np.flatnonzero(measured)
    inputs = SimpleNamespace(
        t_model=t,
        n_models=len(t),
        obs_model=obs_model,
        obs_bench=np.zeros(len(obs_model), dtype=int),
        log10_mult=np.zeros(len(obs_model)),
        reasoning_obs=np.zeros(len(obs_model)),
        effort_step=np.zeros(len(obs_model)),
    )
    return inputs, rng.standard_normal(len(t))


def test_evaluation_trend_carries_a_benchmark_s_retirement_forward_and_holds_a_rising_share():
    """A benchmark measured on 60%, 40%, 15%, 5% of each half-year's releases is being retired:
    with the trend, a release a year after the data's date is far less likely to be measured
    than the last year's share says, and one at the data's date no more likely than that share.
    A rising share is held at its fitted level, not extrapolated; without the trend, the share is
    constant in time (the 0.2 behaviour)."""
    falling, theta = _cohorts([0.6, 0.4, 0.15, 0.05])
    ev = evaluation_profile(falling, theta, as_of_t=0.0, b=0, trend=True)
    flat = evaluation_profile(falling, theta, as_of_t=0.0, b=0, trend=False)
    assert ev.trend < -1.0 and flat.trend == 0.0
    p_now, p_later = ev.prob(np.zeros(1), np.array([0.0]))[0], ev.prob(np.zeros(1), np.array([1.0]))[0]
    assert p_later < 0.5 * p_now and p_later < 0.5 * flat.prob(np.zeros(1))[0]
    assert flat.prob(np.zeros(1), np.array([1.0]))[0] == flat.prob(np.zeros(1))[0]
    # the simulation's empty slots (t = +inf, never released) get a number, not NaN
    assert ev.prob(np.zeros(1), np.array([np.inf]))[0] == pytest.approx(ev.prob(np.zeros(1), np.array([0.0]))[0])
    # a benchmark measured on a handful of releases, then none: too sparse to call retired
    sparse, theta = _cohorts([0.04, 0.04, 0.0, 0.0], seed=2)
    early = (sparse.t_model[sparse.obs_model] > -2.25) & (sparse.t_model[sparse.obs_model] <= -1.25)
    assert 0 < early.sum() < 5
    assert evaluation_profile(sparse, theta, as_of_t=0.0, b=0, trend=True).trend == 0.0
    rising, theta = _cohorts([0.05, 0.15, 0.4, 0.6], seed=1)
    up = evaluation_profile(rising, theta, as_of_t=0.0, b=0, trend=True)
    assert up.trend == 0.0
    assert up.prob(np.zeros(1), np.array([3.0]))[0] == up.prob(np.zeros(1), np.array([0.0]))[0] > 0.4


def test_empirical_releases_resample_the_last_year_s_deviations_from_the_trends():
    """Three draws, four recent models whose capability is the trend (intercept, compute at its
    trend, date term with its knot) plus known deviations: the resampled deviations are those,
    draw by draw, and no larger than the largest of them (no Normal tail)."""
    from forecast.forecasting.frontier import _recent_deviations
    from forecast.model import ModelConfig

    config = ModelConfig()
    t = np.array([1.0, 1.5, 2.0, 2.4, -3.0])  # the last model is old: not recent
    recent = t > 1.0 - 1e-9
    rng = np.random.default_rng(3)
    n = 3
    par = {
        "alpha": rng.normal(size=n),
        "mu_c0": rng.normal(24, 1, n),
        "g_c": rng.uniform(0.3, 0.6, n),
        "beta_c": rng.uniform(0.5, 1.0, n),
        "beta_t": rng.uniform(0.2, 0.5, n),
        "beta_t_recent": rng.uniform(1.0, 2.0, n),
    }
    from forecast.model.forward import date_term
    from forecast.model.inputs import knot_years

    trend = (
        par["alpha"][:, None]
        + par["beta_c"][:, None] * (par["mu_c0"][:, None] + par["g_c"][:, None] * t - config.c_ref)
        + date_term(par["beta_t"][:, None], par["beta_t_recent"][:, None], knot_years(config), t)
    )
    dev = np.array([[0.5, -1.0, 2.0, 0.0, 9.0], [1.0, 1.0, 1.0, 1.0, 9.0], [-2.0, 0.3, 0.1, 0.2, 9.0]])
    par["theta"] = trend + dev
    out = _recent_deviations(par.get, SimpleNamespace(t_model=t), config, recent, rng, (n, 500))
    for d in range(n):
        assert set(np.round(out[d], 9)) == set(np.round(dev[d, :4], 9))
    assert out.max() <= 2.0 + 1e-9  # the old model's 9.0 is never drawn


def test_drift_paths_start_at_the_data_date_and_spread_like_a_random_walk():
    from forecast.model.drift import drift_paths

    rng = np.random.default_rng(3)
    t = np.tile(np.array([0.5, 1.0, 2.0, 3.0, np.inf]), (20000, 1))  # years; inf: never released
    w = drift_paths(0.4, 1.0, t, rng)
    assert np.all(w[:, :2] == 0) and np.all(w[:, 4] == 0)  # up to the start, and unreleased slots
    np.testing.assert_allclose(w[:, 2:4].var(axis=0), [0.16, 0.32], rtol=0.05)
    np.testing.assert_allclose(np.corrcoef(w[:, 2], w[:, 3])[0, 1], np.sqrt(0.5), atol=0.02)  # one path
    assert not drift_paths(0.0, 1.0, t, rng).any()
