"""Peer-method baselines (forecast/baselines.py): truth recovery and calibration on simulated data
whose assumptions each method makes, the output contract, and a run on the bundled data.

Coverage checks are two-sided: an interval that is too wide fails as surely as one too narrow,
and a misspecified case (noise larger than in training) must be flagged."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from forecast import data as D
from forecast.errors import ForecastError
from forecast.evaluation import baselines as BL

ROOT = Path(__file__).resolve().parent.parent
REF = pd.Timestamp("2024-01-01")
N_SAMPLES = 400


# ---------------------------------------------------------------------------------------------
# simulation helpers: a latent x per model, per benchmark z = slope * (x - loc) + noise


def _dates(years) -> pd.Series:
    return REF + pd.to_timedelta(np.asarray(years) * 365.25, unit="D")


def _benchmarks(units, floors=None) -> pd.DataFrame:
    floors = floors if floors is not None else [0.0] * len(units)
    return pd.DataFrame(
        {
            "benchmark": [f"b{j}" for j in range(len(units))],
            "unit": units,
            "floor": [f if u == "fraction" else np.nan for u, f in zip(units, floors)],
            "ceiling": [1.0 if u == "fraction" else np.nan for u in units],
            "domain": "math",
            "n_items": np.nan,
        }
    )


def _score(unit, floor, z):
    if unit == "fraction":
        return floor + (1 - floor) * expit(z)
    if unit == "minutes":
        return 2.0**z
    return z


def _observe(models, bench, latent, slope, loc, noise, rng, p_eval=1.0):
    """Rows (model, benchmark, score, true median) for each model/benchmark with prob ``p_eval``."""
    rows = []
    for i, m in enumerate(models["model"]):
        for j, b in enumerate(bench.itertuples()):
            if rng.uniform() > p_eval:
                continue
            mu = slope[j] * (latent[i] - loc[j])
            z = mu + noise * rng.standard_normal()
            rows.append((m, b.benchmark, _score(b.unit, b.floor, z), _score(b.unit, b.floor, mu)))
    return pd.DataFrame(rows, columns=["model", "benchmark", "score", "truth"])


def _models(prefix, years, log10c=None, known=None) -> pd.DataFrame:
    n = len(years)
    flop = np.full(n, np.nan) if log10c is None else 10.0 ** np.asarray(log10c)
    if known is not None:
        flop = np.where(known, flop, np.nan)
    return pd.DataFrame(
        {
            "model": [f"{prefix}{i:03d}" for i in range(n)],
            "release_date": _dates(years),
            "train_flop": flop,
            "reasoning": False,
        }
    )


def _results(obs: pd.DataFrame) -> pd.DataFrame:
    return obs.assign(reported_date=pd.Timestamp("2024-01-01"), inference_multiplier=1.0, effort="")[
        ["model", "benchmark", "score", "reported_date", "inference_multiplier", "effort"]
    ]


def _targets(obs: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    t = obs[["model", "benchmark"]].assign(inference_multiplier=1.0, effort="")
    return t.merge(models[["model", "release_date", "train_flop", "reasoning"]], on="model", how="left")


def _check(method, train_models, bench, results, targets, truth, score, *, seed=0, median_tol, cov=(0.72, 0.88)):
    """Predictive medians near the true medians and 80% intervals covering about 80%."""
    s = BL.baseline_samples(method, train_models, bench, results, targets, n_samples=N_SAMPLES, seed=seed)
    med = np.median(s, axis=1)
    lo, hi = np.quantile(s, [0.1, 0.9], axis=1)
    covered = float(np.mean((score >= lo) & (score <= hi)))
    err = float(np.mean(np.abs(med - truth)))
    assert err < median_tol, f"{method}: mean |median - truth| = {err:.3f}"
    assert cov[0] <= covered <= cov[1], f"{method}: 80% interval covered {covered:.2f}"
    return s, covered


def _width80(s) -> float:
    lo, hi = np.quantile(s, [0.1, 0.9], axis=1)
    return float(np.mean(hi - lo))


# ---------------------------------------------------------------------------------------------
# Epoch: sigmoid in log compute


def _epoch_world(seed, noise=0.4, target_noise=None):
    rng = np.random.default_rng(seed)
    bench = _benchmarks(["fraction"] * 6, [0.0, 0.25, 0.0, 0.25, 0.0, 0.5])
    slope, loc = rng.uniform(0.8, 1.6, 6), rng.uniform(23.0, 26.0, 6)
    n_tr, n_te = 150, 60
    lc = rng.uniform(21.5, 27.0, n_tr + n_te)
    years = (lc - 24.0) / 0.6 + 1.0 * rng.standard_normal(n_tr + n_te)
    models = _models("m", years, lc)
    train_m, test_m = models.iloc[:n_tr], models.iloc[n_tr:]
    obs = _observe(train_m, bench, lc[:n_tr], slope, loc, noise, rng, p_eval=0.6)
    held = _observe(test_m, bench, lc[n_tr:], slope, loc, noise if target_noise is None else target_noise, rng)
    return train_m, bench, _results(obs), _targets(held, models), held


def test_epoch_recovers_the_compute_sigmoid():
    m, b, r, t, held = _epoch_world(1)
    _check("epoch_compute_sigmoid", m, b, r, t, held["truth"].to_numpy(), held["score"].to_numpy(), median_tol=0.02)


def test_epoch_imputes_unknown_compute_from_the_date_trend():
    """Targets without compute get a wider, still calibrated, forecast through the date trend."""
    m, b, r, t, held = _epoch_world(2)
    with_c = BL.baseline_samples("epoch_compute_sigmoid", m, b, r, t, n_samples=N_SAMPLES)
    t_unknown = t.assign(train_flop=np.nan)
    without, _ = _check(
        "epoch_compute_sigmoid",
        m,
        b,
        r,
        t_unknown,
        held["truth"].to_numpy(),
        held["score"].to_numpy(),
        median_tol=0.08,
        cov=(0.70, 0.90),
    )
    assert _width80(without) > 1.3 * _width80(with_c)


def test_coverage_check_has_teeth():
    """Held-out scores three times noisier than training: the 80% interval must undercover."""
    m, b, r, t, held = _epoch_world(3, target_noise=1.2)
    s = BL.baseline_samples("epoch_compute_sigmoid", m, b, r, t, n_samples=N_SAMPLES)
    lo, hi = np.quantile(s, [0.1, 0.9], axis=1)
    y = held["score"].to_numpy()
    assert np.mean((y >= lo) & (y <= hi)) < 0.65


# ---------------------------------------------------------------------------------------------
# METR: linear trend in date on the modelling scale, frontier models


def _metr_world(seed, units, noise=0.3, slope=(1.0, 2.0), n_train=12, n_test=8):
    """Per benchmark, ``n_train`` releases over three years on a steady trend, far enough apart
    that most releases are frontier, as METR assumes; targets are releases in the following year.
    One benchmark's models are separate from another's, so benchmarks are independent draws."""
    rng = np.random.default_rng(seed)
    k = len(units)
    bench = _benchmarks(units, [0.25 if j % 2 else 0.0 for j in range(k)])
    slopes = rng.uniform(*slope, k)  # logits (or doublings, or 400 Elo) per year
    locs = rng.uniform(-1.0, 1.0, k)
    models, obs, held = [], [], []
    for j, u in enumerate(units):
        scale = 400.0 if u == "elo" else 1.0
        one = bench.iloc[[j]]
        yt, ye = np.sort(rng.uniform(-3.0, 0.0, n_train)), np.sort(rng.uniform(0.0, 1.0, n_test))
        mt, me = _models(f"{j}tr", yt), _models(f"{j}te", ye)
        models += [mt, me]
        obs.append(_observe(mt, one, yt, [slopes[j] * scale], [locs[j]], noise * scale, rng))
        held.append(_observe(me, one, ye, [slopes[j] * scale], [locs[j]], noise * scale, rng))
    models = pd.concat(models, ignore_index=True)
    obs, held = pd.concat(obs, ignore_index=True), pd.concat(held, ignore_index=True)
    train_m = models[models["model"].isin(obs["model"])]
    return train_m, bench, _results(obs), _targets(held, models), held


def test_metr_recovers_the_frontier_date_trend():
    m, b, r, t, held = _metr_world(4, ["fraction"] * 30)
    _check("metr_date_trend", m, b, r, t, held["truth"].to_numpy(), held["score"].to_numpy(), median_tol=0.06)


def test_metr_trend_in_minutes_and_elo():
    m, b, r, t, held = _metr_world(5, ["minutes"] * 15 + ["elo"] * 15)
    s = BL.baseline_samples("metr_date_trend", m, b, r, t, n_samples=N_SAMPLES)
    med = np.median(s, axis=1)
    minutes = t["benchmark"].isin(b.loc[b["unit"] == "minutes", "benchmark"]).to_numpy()
    truth = held["truth"].to_numpy()
    assert np.all(s[minutes] > 0)
    assert np.mean(np.abs(np.log2(med[minutes]) - np.log2(truth[minutes]))) < 0.25  # doublings
    assert np.mean(np.abs(med[~minutes] - truth[~minutes])) < 100.0  # Elo (noise sd 120)
    lo, hi = np.quantile(s, [0.1, 0.9], axis=1)
    y = held["score"].to_numpy()
    assert 0.72 <= np.mean((y >= lo) & (y <= hi)) <= 0.88


def test_metr_fits_the_frontier_not_all_models():
    """Laggards (a copy of each release, a month later and 2.5 logits lower) do not move the
    frontier fit; an all-model fit would drop by about a logit."""
    m, b, r, t, held = _metr_world(6, ["fraction"] * 8)
    before = np.median(BL.baseline_samples("metr_date_trend", m, b, r, t, n_samples=N_SAMPLES), axis=1)
    floor = r["benchmark"].map(b.set_index("benchmark")["floor"]).to_numpy()
    p = np.clip((r["score"].to_numpy() - floor) / (1 - floor), 1e-6, 1 - 1e-6)
    lag_r = r.assign(model="lag-" + r["model"], score=floor + (1 - floor) * expit(np.log(p / (1 - p)) - 2.5))
    lag_m = m.assign(model="lag-" + m["model"], release_date=m["release_date"] + pd.Timedelta(days=30))
    after = np.median(
        BL.baseline_samples("metr_date_trend", pd.concat([m, lag_m]), b, pd.concat([r, lag_r]), t, n_samples=N_SAMPLES),
        axis=1,
    )
    assert np.mean(np.abs(after - before)) < 0.01
    assert np.mean(np.abs(before - held["truth"].to_numpy())) < 0.06


# ---------------------------------------------------------------------------------------------
# Apollo: date -> latent capability -> sigmoid per benchmark


def test_apollo_recovers_date_capability_benchmark_chain():
    """Capability exactly on a date trend (every release frontier), measured by 16 benchmarks.
    Both steps' residuals contain the error of the estimated capability, so the method is a
    little conservative (about 0.84 for a nominal 0.8 over seeds); the bounds allow for that."""
    rng = np.random.default_rng(7)
    k = 16
    bench = _benchmarks(["fraction"] * k, [0.0, 0.25] * (k // 2))
    slope, loc = rng.uniform(0.8, 1.6, k), rng.uniform(-1.5, 1.5, k)
    yrs_tr = np.sort(rng.uniform(-4.0, 0.0, 40))
    yrs_te = np.sort(rng.uniform(0.0, 1.0, 30))
    mt, me = _models("tr", yrs_tr), _models("te", yrs_te)
    obs = _observe(mt, bench, 0.8 * yrs_tr, slope, loc, 0.4, rng, p_eval=0.8)
    held = _observe(me, bench, 0.8 * yrs_te, slope, loc, 0.4, rng)
    _check(
        "apollo_two_step",
        mt,
        bench,
        _results(obs),
        _targets(held, pd.concat([mt, me])),
        held["truth"].to_numpy(),
        held["score"].to_numpy(),
        median_tol=0.045,
        cov=(0.72, 0.90),
    )


# ---------------------------------------------------------------------------------------------
# observational scaling: PC-1 of the other benchmarks -> sigmoid


def _obs_world(seed):
    rng = np.random.default_rng(seed)
    k, n = 8, 160
    bench = _benchmarks(["fraction"] * (k - 1) + ["elo"], [0.0, 0.25] * 3 + [0.0, 0.0])
    slope, loc = rng.uniform(0.8, 1.6, k), rng.uniform(-1.5, 1.5, k)
    slope[-1] *= 100.0
    years = rng.uniform(-3.0, 1.0, n)
    lc = 24.5 + 0.6 * years + 0.7 * rng.standard_normal(n)
    theta = 0.6 * (lc - 25.0) + 0.3 * years + 0.3 * rng.standard_normal(n)  # not all frontier
    models = _models("m", years, lc)
    obs = _observe(models, bench, theta, slope, loc, 0.3, rng, p_eval=0.6)
    return models, bench, obs, theta


def test_observational_scaling_recovers_held_out_cells():
    models, bench, obs, _ = _obs_world(8)
    rng = np.random.default_rng(0)
    frac = obs["benchmark"] != "b7"
    hold = frac & (rng.uniform(size=len(obs)) < 0.25)
    train, held = obs[~hold], obs[hold]
    _check(
        "observational_scaling",
        models,
        bench,
        _results(train),
        _targets(held, models),
        held["truth"].to_numpy(),
        held["score"].to_numpy(),
        median_tol=0.03,
    )


def test_observational_scaling_without_own_results_uses_compute_and_date():
    models, bench, obs, _ = _obs_world(9)
    new = models["model"].isin(models["model"].sample(40, random_state=1))
    train = obs[~obs["model"].isin(models.loc[new, "model"])]
    held = obs[obs["model"].isin(models.loc[new, "model"]) & (obs["benchmark"] != "b7")]
    _check(
        "observational_scaling",
        models[~new],
        bench,
        _results(train),
        _targets(held, models),
        held["truth"].to_numpy(),
        held["score"].to_numpy(),
        median_tol=0.06,
    )


# ---------------------------------------------------------------------------------------------
# contract


@pytest.fixture(scope="module")
def small_world():
    m, b, r, t, _ = _metr_world(11, ["fraction", "elo", "minutes"])
    return m, b, r, t


@pytest.mark.parametrize("method", sorted(BL.METHODS))
def test_shape_units_and_determinism(small_world, method):
    m, b, r, t = small_world
    s = BL.baseline_samples(method, m, b, r, t, n_samples=50, seed=3)
    assert s.shape == (len(t), 50)
    assert np.isfinite(s).all()
    units = t["benchmark"].map(b.set_index("benchmark")["unit"]).to_numpy()
    assert ((s[units == "fraction"] >= 0) & (s[units == "fraction"] <= 1)).all()
    assert (s[units == "minutes"] > 0).all()
    assert np.ptp(s[units == "elo"], axis=1).min() > 0
    np.testing.assert_array_equal(s, BL.baseline_samples(method, m, b, r, t, n_samples=50, seed=3))
    assert not np.array_equal(s, BL.baseline_samples(method, m, b, r, t, n_samples=50, seed=4))
    # a benchmark's samples do not depend on the other targets
    first = t["benchmark"] == t["benchmark"].iloc[0]
    np.testing.assert_array_equal(
        s[first.to_numpy()], BL.baseline_samples(method, m, b, r, t[first], n_samples=50, seed=3)
    )
    assert BL.METHODS[method].source.startswith("https://")
    assert "Here:" in BL.METHODS[method].doc


def test_methods_are_the_four_peers():
    assert set(BL.METHODS) == {"epoch_compute_sigmoid", "metr_date_trend", "apollo_two_step", "observational_scaling"}


def test_unknown_method_and_bad_inputs_raise_forecast_error(small_world):
    m, b, r, t = small_world
    with pytest.raises(ForecastError, match="unknown baseline method 'prophet'.*metr_date_trend"):
        BL.baseline_samples("prophet", m, b, r, t)
    with pytest.raises(ForecastError, match="results is missing column"):
        BL.baseline_samples("metr_date_trend", m, b, r.drop(columns="score"), t)
    with pytest.raises(ForecastError, match="not in the benchmarks table"):
        BL.baseline_samples("metr_date_trend", m, b, r, t.assign(benchmark="nope"))
    with pytest.raises(ForecastError, match="fewer than"):
        BL.baseline_samples("metr_date_trend", m, b, r[r["benchmark"] != "b0"], t)
    with pytest.raises(ForecastError, match="seed"):
        BL.baseline_samples("metr_date_trend", m, b, r, t, seed=-1)


@pytest.mark.parametrize("method", sorted(BL.METHODS))
def test_degenerate_training_data_never_raises(method):
    """Constant scores, scores at 0 and 1, one release date, no known compute: still finite."""
    bench = _benchmarks(["fraction"] * 3)
    models = _models("m", np.zeros(6))
    rows = (
        [(f"m{i:03d}", "b0", 1.0) for i in range(6)]
        + [(f"m{i:03d}", "b1", 0.0) for i in range(6)]
        + [(f"m{i:03d}", "b2", 0.5) for i in range(6)]
    )
    r = _results(pd.DataFrame(rows, columns=["model", "benchmark", "score"]))
    t = _targets(pd.DataFrame({"model": ["m000", "m001", "m002"], "benchmark": ["b0", "b1", "b2"]}), models)
    s = BL.baseline_samples(method, models, bench, r, t, n_samples=100)
    assert np.isfinite(s).all() and (s >= 0).all() and (s <= 1).all()
    assert np.median(s[0]) > 0.9 and np.median(s[1]) < 0.1


# ---------------------------------------------------------------------------------------------
# the bundled data


def _rolling_split(ds: D.Dataset, origin: str, days: int = 365, min_train: int = 5):
    o = pd.Timestamp(origin)
    train = ds.as_of(o)
    counts = train.results["benchmark"].value_counts()
    later = ds.results[(ds.results["reported_date"] > o) & (ds.results["reported_date"] <= o + pd.Timedelta(days=days))]
    later = later[later["benchmark"].isin(counts[counts >= min_train].index)]
    targets = later.merge(ds.models[["model", "release_date", "train_flop", "reasoning"]], on="model")
    return train, targets.reset_index(drop=True)


@pytest.fixture(scope="module")
def bundled():
    return D.load_dataset(ROOT / "data")


def test_runs_on_bundled_data_quickly_and_finitely(bundled):
    train, targets = _rolling_split(bundled, "2024-06-30")
    assert len(targets) > 100
    units = targets["benchmark"].map(bundled.benchmarks.set_index("benchmark")["unit"]).to_numpy()
    start = time.perf_counter()
    for method in BL.METHODS:
        s = BL.baseline_samples(method, train.models, train.benchmarks, train.results, targets, seed=1)
        assert s.shape == (len(targets), BL.DEFAULT_N_SAMPLES)
        assert np.isfinite(s).all(), method
        assert ((s[units == "fraction"] >= 0) & (s[units == "fraction"] <= 1)).all(), method
    assert time.perf_counter() - start < 20.0


def test_bundled_data_with_elo_and_minutes_targets(bundled):
    train, targets = _rolling_split(bundled, "2025-06-30")
    units = targets["benchmark"].map(bundled.benchmarks.set_index("benchmark")["unit"]).to_numpy()
    assert {"elo", "minutes"} <= set(units)
    for method in BL.METHODS:
        s = BL.baseline_samples(method, train.models, train.benchmarks, train.results, targets, n_samples=200)
        assert np.isfinite(s).all(), method
        assert (s[units == "minutes"] > 0).all(), method
