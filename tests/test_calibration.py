"""Slow tier: rolling-origin calibration on simulated data with known truth (real sampling).

The right model's central intervals must cover held-out results at their nominal rates (within
two-sided binomial bounds) over several origins; a deliberately misspecified one (the data have
a trend break after 2025-01-01 that the model's constant date trend cannot follow) must be
flagged by the same check (the default model has a recent-acceleration term from 2024-01-01; the
misspecified one has a single date slope). Four fits, about 3 minutes on 2 cores.
"""

from __future__ import annotations

import numpy as np
import pytest

from forecast import model as M
from forecast.evaluation import backtest as BT
from forecast.evaluation import recalibrate as R
from forecast.evaluation import scores as SC
from forecast.model.simulate import simulate_dataset

pytestmark = pytest.mark.slow

ORIGINS = ("2025-03-31", "2025-09-30")
FIT = {"draws": 500, "tune": 200, "chains": 2}
# ceilings below 1 as the default model expects them (its gap prior: median 3%, 90% within about
# 1-7%); with exact ceilings of 1 the learnt gaps would cap the predictions of the strongest models
DATA = {"n_models": 90, "n_benchmarks": 10, "p_eval": 0.5, "sigma_model": 0.7, "ceiling_gap_max": 0.06}


def _report(break_slope: float, config, methods=()):
    ds, _ = simulate_dataset(21, beta_t_break=break_slope, t_break=1.0, **DATA)
    per = [
        BT.run_backtest(ds, o, horizon_days=365, seed=1, methods=methods, config=config, fit_kwargs=FIT)
        for o in ORIGINS
    ]
    return R.pooled_report(per)


@pytest.fixture(scope="module")
def right():
    return _report(0.0, M.ModelConfig(), methods=None)


@pytest.fixture(scope="module")
def misspecified():
    # one date slope throughout (no acceleration term), on data whose progress speeds up in 2025
    return _report(1.2, M.ModelConfig(date_knot=None))


def test_right_model_covers_at_nominal_rates_over_several_origins(right):
    assert len(right["origins"]) == 2
    for c in right["coverage"]:
        assert c["n"] >= 100
        lo, hi = SC.binomial_bounds(c["n"], c["nominal"], alpha=0.01)
        assert c["observed"] >= lo, c  # not too narrow, at every level
        if c["nominal"] <= 0.8:
            assert c["observed"] <= hi, c  # not too wide
    # Not tested: the upper side at 95%. On one simulated dataset the right model's 95% intervals
    # cover 98-99% (three datasets tried): the predictive distribution carries the uncertainty of
    # shared parameters (the date trend, the compute trend), whose error is realised once per
    # dataset, so wide intervals over-cover on most datasets. Too-wide intervals are still caught
    # at the 50% and 80% levels.
    assert 0.4 < np.mean(right["pit"]) < 0.6


def test_misspecified_model_is_flagged(misspecified):
    flags = misspecified["flags"]
    assert any("too narrow" in f for f in flags), misspecified["coverage"]
    assert np.mean(misspecified["pit"]) > 0.6  # results above the predictions: the missed acceleration


def test_peer_methods_are_scored_on_the_same_split(right):
    methods = set(right["scores"])
    assert {"model", "epoch_compute_sigmoid", "metr_date_trend", "apollo_two_step", "observational_scaling"} <= methods
    n = {right["scores"][m]["n"] for m in methods}
    assert len(n) == 1  # every method predicts every held-out result
    # when its assumptions hold, the joint model beats the per-benchmark peers
    assert right["ratio_to_best_baseline"] < 1.0
