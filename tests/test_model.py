"""Fast tier for the capability model: no real MCMC (seconds)."""

from __future__ import annotations

from functools import partial
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from forecast import CI_PROB
from forecast import inference as INF
from forecast import model as M
from forecast.data import Dataset
from forecast.errors import ForecastError
from forecast.inference import sampling as SAMP
from forecast.model.simulate import simulate_dataset

pm = pytest.importorskip("pymc")


def tiny_dataset() -> Dataset:
    models = pd.DataFrame(
        {
            "model": ["a", "b", "c"],
            "organization": ["x", "y", "z"],
            "release_date": pd.to_datetime(["2023-01-01", "2024-01-01", "2025-01-01"]),
            "train_flop": [1e24, np.nan, 1e26],
            "reasoning": [False, False, True],
            "source_url": "https://example.org",
        }
    )
    benchmarks = pd.DataFrame(
        {
            "benchmark": ["mc", "free", "elo", "horizon", "unused"],
            "domain": ["science", "math", "code", "agentic", "math"],
            "unit": ["fraction", "fraction", "elo", "minutes", "fraction"],
            "floor": [0.25, 0.0, np.nan, np.nan, 0.0],
            "ceiling": [1.0, 1.0, np.nan, np.nan, 1.0],
            "source_url": "https://example.org",
            "n_items": [200.0, np.nan, np.nan, np.nan, np.nan],
        }
    )
    rows = [
        # model, benchmark, score, multiplier, effort
        ("a", "mc", 0.40, 1.0, ""),
        ("a", "free", 0.0, 1.0, ""),  # at the floor: clipped
        ("b", "mc", 0.55, 64.0, ""),
        ("b", "free", 0.30, 1.0, "high"),  # effort on a non-reasoning (hybrid) model: reasoning on
        ("b", "elo", 1200.0, 1.0, ""),
        ("c", "mc", 0.80, 1.0, ""),
        ("c", "free", 1.0, 1000.0, "low"),
        ("c", "free", 0.50, 1.0, "none"),  # reasoning switched off
        ("c", "free", 0.90, 1.0, "xhigh"),
        ("c", "free", 0.70, 1.0, "minimal"),
        ("c", "elo", 2000.0, 1.0, "max"),
        ("c", "horizon", 60.0, 1.0, "medium"),
        ("a", "horizon", 2.0, 1.0, ""),
    ]
    results = pd.DataFrame(rows, columns=["model", "benchmark", "score", "inference_multiplier", "effort"])
    results["setting"] = ""
    results["reported_date"] = pd.Timestamp("2025-06-01")
    results["source_url"] = "https://example.org"
    results["evaluator"] = "vendor"
    return Dataset(models=models, benchmarks=benchmarks, results=results, data_hash="tiny")


@pytest.fixture(scope="module")
def tiny():
    return tiny_dataset()


@pytest.fixture(scope="module")
def sim():
    ds, truth = simulate_dataset(3, n_models=25, n_benchmarks=6, p_eval=0.6)
    return ds, truth


# ---- prepare ---------------------------------------------------------------------------------


def test_prepare_maps_efforts_multipliers_and_reasoning(tiny):
    inp = M.prepare(tiny, M.ModelConfig())
    np.testing.assert_array_equal(inp.effort_step, [0, 0, 0, 1, 0, 0, -1, 0, 2, -2, 2, 0, 0])
    np.testing.assert_allclose(inp.log10_mult, [0, 0, np.log10(64), 0, 0, 0, 3, 0, 0, 0, 0, 0, 0])
    # a, b do not reason by default; b with effort=high reasons; c reasons except effort=none
    np.testing.assert_array_equal(inp.reasoning_obs, [0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0])
    assert inp.benchmark_ids == ["mc", "free", "elo", "horizon"]  # 'unused' has no results
    assert inp.domains == ["agentic", "code", "math", "science"]
    np.testing.assert_array_equal(inp.bench_unit, [0, 0, 1, 2])
    np.testing.assert_array_equal(inp.c_known, [True, False, True])
    np.testing.assert_allclose(inp.log10c_obs[[0, 2]], [24.0, 26.0])
    np.testing.assert_allclose(inp.t_model, [-365 / 365.25, 0.0, 366 / 365.25])


def test_prepare_transforms_targets(tiny):
    inp = M.prepare(tiny, M.ModelConfig())
    # fractions clipped away from 0 and 1
    assert inp.y[1] == pytest.approx(M.FRACTION_CLIP)
    assert inp.y[6] == pytest.approx(1 - M.FRACTION_CLIP)
    # Elo / 400 centred on the benchmark mean: (1200, 2000) -> (-1, +1)
    np.testing.assert_allclose(inp.y[[4, 10]], [-1.0, 1.0])
    # log2 minutes centred: (60, 2) -> mean of log2 = (log2 60 + 1) / 2
    c = (np.log2(60) + 1) / 2
    np.testing.assert_allclose(inp.y[[11, 12]], [np.log2(60) - c, 1 - c])
    np.testing.assert_allclose(inp.floor, [0.25, 0.0, 0.0, 0.0])


def test_unknown_effort_is_an_error():
    with pytest.raises(ForecastError):
        M.effort_steps(["turbo"])


def test_config_round_trip_and_validation():
    cfg = M.ModelConfig(variant="date_only", beta_t_sd=0.7)
    assert M.ModelConfig.from_json(cfg.to_json()) == cfg
    assert M.ModelConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ForecastError):
        M.ModelConfig(variant="bogus")
    with pytest.raises(ForecastError):
        M.ModelConfig.from_dict({"nope": 1})


# ---- model build -----------------------------------------------------------------------------


@pytest.mark.parametrize("variant", M.VARIANTS)
def test_model_builds_with_finite_logp_and_gradient(tiny, variant):
    cfg = M.ModelConfig(variant=variant)
    model = M.build_model(M.prepare(tiny, cfg), cfg)
    ip = model.initial_point()
    # PyTensor's Python linker without graph rewrites: nothing is compiled (the default tier)
    import pytensor
    import pytensor.tensor as pt
    from pytensor.compile.mode import Mode

    logp_graph = model.logp()
    fn = pytensor.function(
        model.value_vars, [logp_graph, *pt.grad(logp_graph, model.value_vars)], mode=Mode(linker="py", optimizer=None)
    )
    logp, *grad = fn(*(ip[v.name] for v in model.value_vars))
    assert np.isfinite(logp)
    assert all(np.all(np.isfinite(g)) for g in grad)
    names = set(model.named_vars)
    assert ("beta_c" in names) == (variant != "date_only")
    assert ("beta_t" in names) == (variant != "compute_only")
    assert ("delta_eff" in names) == (variant == "joint")
    # fraction results are observed in ``y``, Elo/minutes results in ``y_continuous``
    inp = M.prepare(tiny, cfg)
    n_frac = int((inp.obs_unit == 0).sum())
    assert model.rvs_to_values[model["y"]].type.shape in ((n_frac,), (None,))
    assert model["y"].eval().shape == (n_frac,)
    assert ("y_continuous" in names) == bool((inp.obs_unit != 0).any())


@pytest.mark.parametrize("shape", [1.0, 0.5])
def test_numpy_loglik_matches_pymc(sim, shape):
    """The pointwise log-likelihood written in numpy (used for LOO and prediction) equals the
    PyMC model's density of the observations at a random point, with the logistic link and with
    a Richards-type one (``link_shape``)."""
    ds, _ = sim
    cfg = M.ModelConfig(learn_ceiling=True, ceiling_learn_from=0.0, benchmark_trend_sd=0.3, link_shape=shape)
    inp = M.prepare(ds, cfg)
    model = M.build_model(inp, cfg)
    rng = np.random.default_rng(0)
    point = {k: v + rng.normal(0, 0.3, np.shape(v)) for k, v in model.initial_point().items()}
    names = ["theta", "slope", "location", "log_phi", "sigma_continuous", "rho_domain", "gamma_domain", "delta_eff"]
    names += ["ceiling_gap", "benchmark_trend"]
    outs = model.replace_rvs_by_values([model[n] for n in names])
    fn = model.compile_fn(outs, inputs=model.value_vars, on_unused_input="ignore")
    vals = dict(zip(names, fn(point)))
    dims = {
        "theta": ["model"],
        "slope": ["benchmark"],
        "location": ["benchmark"],
        "log_phi": ["benchmark_fraction"],
        "sigma_continuous": ["benchmark_continuous"],
        "rho_domain": ["domain"],
        "gamma_domain": ["domain"],
        "delta_eff": [],
        "ceiling_gap": ["benchmark_fraction"],
        "benchmark_trend": ["benchmark"],
    }
    post = xr.Dataset({n: (("chain", "draw", *dims[n]), np.asarray(vals[n])[None, None]) for n in names})
    post = post.assign_coords(chain=[0], draw=[0])
    ll_np = M.pointwise_loglik(post, inp, cfg)[0]
    assert 0 < (inp.obs_unit != 0).sum() < len(inp.obs_unit)  # both likelihood terms are exercised
    ll_pm = np.empty_like(ll_np)
    for name, sel in (("y", inp.obs_unit == 0), ("y_continuous", inp.obs_unit != 0)):
        ll_pm[sel] = model.compile_fn(
            model.logp(vars=[model[name]], sum=False)[0], inputs=model.value_vars, on_unused_input="ignore"
        )(point)
    np.testing.assert_allclose(ll_np, ll_pm, rtol=1e-6, atol=1e-6)


# ---- fit path with mocked sampling -----------------------------------------------------------


@pytest.fixture(scope="module")
def mocked_fit(sim):
    """A fit through the real ``fit_model`` path with ``pm.sample`` replaced by prior draws."""
    from pymc.testing import mock_sample

    fake = partial(mock_sample, sample_stats={"diverging": lambda size: np.zeros(size, dtype=bool)})
    ds, _ = sim
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pm, "sample", fake)
        idata = INF.fit_model(ds, M.ModelConfig(), sampler="pymc", draws=20, chains=2, seed=5, progressbar=False)
    return ds, idata


def test_fit_returns_datatree_with_expected_groups_and_dims(mocked_fit):
    ds, idata = mocked_fit
    assert isinstance(idata, xr.DataTree)
    for g in ("posterior", "log_likelihood", "observed_data", "constant_data", "sample_stats"):
        assert g in idata.children, g
    post = idata["posterior"]
    assert post["theta"].dims == ("chain", "draw", "model")
    assert post["log10_compute"].dims == ("chain", "draw", "model")
    assert post["rho_domain"].dims == ("chain", "draw", "domain")
    assert post["slope"].dims == ("chain", "draw", "benchmark")
    assert idata["log_likelihood"]["score"].dims == ("chain", "draw", "obs")
    assert idata["log_likelihood"]["score"].sizes["obs"] == len(ds.results)
    assert idata["observed_data"]["score"].dims == ("obs",)
    assert set(idata["constant_data"]["obs_model"].values) <= set(ds.models["model"])
    assert list(post["model"].values) == list(ds.models["model"])
    cfg = M.config_from_idata(idata)
    assert cfg == M.ModelConfig()
    assert idata.attrs["seed"] == 5 and idata.attrs["data_hash"] == ds.data_hash
    # known compute is reproduced exactly in every draw
    known = ds.models["train_flop"].notna().to_numpy()
    lc = post["log10_compute"].values
    np.testing.assert_allclose(
        lc[:, :, known], np.broadcast_to(np.log10(ds.models["train_flop"].to_numpy()[known]), lc[:, :, known].shape)
    )
    assert np.all(np.isfinite(lc))


def test_fit_round_trips_netcdf(mocked_fit, tmp_path):
    _, idata = mocked_fit
    path = tmp_path / "fit.nc"
    idata.to_netcdf(path)
    back = xr.open_datatree(path)
    assert M.config_from_idata(back) == M.config_from_idata(idata)
    inp = M.inputs_from_idata(back)
    assert inp.n_obs == idata["log_likelihood"].sizes["obs"]


def test_diagnostics_keys(mocked_fit):
    _, idata = mocked_fit
    d = INF.diagnostics(idata)
    assert set(d) == {"max_rhat", "min_ess_bulk", "divergences"}
    assert d["divergences"] == 0


def test_key_quantities_table(mocked_fit):
    _, idata = mocked_fit
    kq = M.key_quantities(idata)
    assert {"mean", "lower", "upper"} <= set(kq.columns)
    for name in (
        "training_compute_slope",
        "algorithmic_progress_per_year",
        "algorithmic_progress_multiplier_per_year",
        "reasoning_effect",
        "effort_step_log10",
    ):
        assert name in kq.index
    assert any(i.startswith("test_time_elasticity[") for i in kq.index)
    assert any(i.startswith("reasoning_effect[") for i in kq.index)
    assert (kq["lower"] <= kq["upper"]).all()
    # the interval is the equal-tailed CI_PROB interval of the draws
    x = idata["posterior"]["beta_c"].values.ravel()
    lo, hi = np.quantile(x, [(1 - CI_PROB) / 2, (1 + CI_PROB) / 2])
    assert kq.loc["training_compute_slope", "lower"] == pytest.approx(lo)
    assert kq.loc["training_compute_slope", "upper"] == pytest.approx(hi)
    narrow = M.key_quantities(idata, ci_prob=0.5)
    assert (narrow["upper"] - narrow["lower"] <= kq["upper"] - kq["lower"] + 1e-12).all()


def test_predict_scores_shapes_and_ranges(mocked_fit):
    ds, idata = mocked_fit
    b = ds.benchmarks.set_index("benchmark")
    frac_b = b.index[b["unit"] == "fraction"][0]
    elo_b = b.index[b["unit"] == "elo"][0]
    min_b = b.index[b["unit"] == "minutes"][0]
    fitted = ds.models["model"].iloc[0]
    new_models = pd.DataFrame(
        {
            "model": ["new-known", "new-unknown"],
            "release_date": pd.to_datetime(["2026-09-01", "2026-09-01"]),
            "train_flop": [1e27, np.nan],
            "reasoning": [True, True],
        }
    )
    rows = pd.DataFrame(
        {
            "model": [fitted, "new-known", "new-unknown", "new-unknown", "new-known"],
            "benchmark": [frac_b, frac_b, frac_b, elo_b, min_b],
            "inference_multiplier": [1, 1, 64, 1, 1],
            "effort": ["", "high", "", "none", ""],
        }
    )
    pred = M.predict_scores(idata, rows, new_models, seed=1)
    n = idata["posterior"].sizes
    assert pred["score"].shape == (n["chain"], n["draw"], len(rows))
    assert pred["expected"].dims == ("chain", "draw", "row")
    f = pred["expected"].values[:, :, :3]
    floor = b.loc[frac_b, "floor"]
    assert np.all((f >= floor) & (f <= 1))
    assert np.all(pred["expected"].values[:, :, 4] > 0)  # minutes are positive
    # fitted model: capability equals its posterior theta (+ its reasoning shift, none here by default?)
    np.testing.assert_array_equal(pred["model"].values, rows["model"].values)
    with pytest.raises(ForecastError):
        M.predict_scores(idata, pd.DataFrame({"model": ["ghost"], "benchmark": [frac_b]}))


def test_predict_uses_test_time_terms(mocked_fit):
    """More inference compute never lowers the expected score when the elasticity is positive."""
    ds, idata = mocked_fit
    b = ds.benchmarks.set_index("benchmark")
    frac_b = b.index[b["unit"] == "fraction"][0]
    m = ds.models["model"].iloc[-1]
    rows = pd.DataFrame({"model": [m, m], "benchmark": [frac_b, frac_b], "inference_multiplier": [1, 1000]})
    pred = M.predict_scores(idata, rows, noise=False)
    th = pred["theta"].values
    gamma = idata["posterior"]["gamma_domain"].sel(domain=b.loc[frac_b, "domain"]).values
    np.testing.assert_allclose(th[..., 1] - th[..., 0], 3 * gamma)
    assert "score" not in pred


def test_simulate_dataset_shape():
    ds, truth = simulate_dataset(0, n_models=40, n_benchmarks=8)
    assert len(ds.models) == 40 and len(ds.benchmarks) == 8
    assert set(ds.benchmarks["unit"]) == {"fraction", "elo", "minutes"}
    assert 0.2 < ds.models["train_flop"].isna().mean() < 0.7
    assert ds.results["effort"].isin(["", "none", "minimal", "low", "high", "xhigh"]).all()
    assert (ds.results["inference_multiplier"] > 1).any()
    assert truth["theta"].shape == (40,)


def test_attribution_components_sum_to_total(mocked_fit):
    from forecast.forecasting.attribution import attribute_gain

    ds, idata = mocked_fit
    df = attribute_gain(idata, start="2024-09-12")
    assert list(df.index) == [
        "training_compute",
        "algorithmic_progress",
        "test_time_compute",
        "model_residual",
        "total",
    ]
    assert df.loc[df.index != "total", "mean"].sum() == pytest.approx(df.loc["total", "mean"])
    assert (df["lower"] <= df["upper"]).all()
    assert df.attrs["old_model"] in set(ds.models["model"])
    old = ds.models.set_index("model").loc[df.attrs["old_model"], "release_date"]
    assert old <= pd.Timestamp("2024-09-12")


# ---- warm start of a refit -----------------------------------------------------------------


def test_warm_start_maps_previous_draws_onto_grown_data(mocked_fit):
    """Each chain starts at a draw of the previous posterior: same draw for every parameter,
    transformed to the sampler's space, z_model matched by model id; a new model (and every
    padding slot) gets a finite prior draw, so the start has no zero-gradient coordinate."""
    ds, idata = mocked_fit
    new_model = ds.models.iloc[[0]].assign(model="brand-new", release_date=pd.Timestamp("2026-03-01"))
    frac = ds.benchmarks[ds.benchmarks["unit"] == "fraction"]
    new_bench = frac.iloc[[0]].assign(benchmark="aaa-new-bench")  # sorts first: shifts every index
    new_results = pd.concat(
        [ds.results[ds.results["benchmark"] == frac.iloc[0]["benchmark"]].iloc[[0]], ds.results.iloc[[0]]]
    ).assign(model="brand-new", score=0.9)
    new_results.iloc[0, new_results.columns.get_loc("benchmark")] = "aaa-new-bench"
    grown = Dataset(
        models=pd.concat([new_model, ds.models], ignore_index=True),
        benchmarks=pd.concat([new_bench, ds.benchmarks], ignore_index=True),
        results=pd.concat([ds.results, new_results], ignore_index=True),
        data_hash="grown",
    )
    cfg = M.ModelConfig()
    inputs = M.prepare(grown, cfg)
    model = M.build_model(inputs, cfg)
    start = SAMP.warm_start(model, idata)
    assert start is not None
    p1, p1_again, p2 = start(1), start(1), start(2)
    assert set(p1) == {model.rvs_to_values[rv].name for rv in model.free_RVs}
    for name, v in p1.items():
        np.testing.assert_array_equal(v, p1_again[name])  # seeded
        assert np.all(np.isfinite(v)) and v.shape == model.initial_point()[name].shape
    post = idata["posterior"].to_dataset().stack(sample=("chain", "draw"))
    # find the draw chain 1 started from, through a scalar, and check the others came from it
    i = int(np.argmin(np.abs(post["alpha"].values - p1["alpha"])))
    np.testing.assert_allclose(p1["sigma_model_log__"], np.log(post["sigma_model"].values[i]))
    np.testing.assert_allclose(p1["beta_t_z"], post["beta_t_z"].values[i])
    z_old = post["z_model"].transpose("sample", "model").values[i]
    old_ids = [str(m) for m in post["model"].values]
    for j, m in enumerate(inputs.model_ids):
        if m in old_ids:
            assert p1["z_model"][j] == z_old[old_ids.index(m)]
    assert not np.isclose(p1["z_model"][inputs.model_ids.index("brand-new")], 0.0)
    # benchmark parameters follow their benchmark, not their position
    assert "aaa-new-bench" in inputs.benchmark_ids
    old_fr = [str(b) for b in post["benchmark_fraction"].values]
    new_fr = list(model.coords["benchmark_fraction"])
    phi_old = post["log_phi_z"].transpose("sample", "benchmark_fraction").values[i]
    for j, b in enumerate(new_fr):
        if b in old_fr:
            assert p1["log_phi_z"][j] == phi_old[old_fr.index(b)]
    assert p1["location_fraction_zerosum__"].shape == (len(new_fr) - 1,)
    assert not np.array_equal(p1["alpha"], p2["alpha"])  # another chain, another draw


def test_warm_start_declines_a_posterior_without_this_models_parameters(mocked_fit):
    ds, idata = mocked_fit
    cfg = M.ModelConfig(date_knot=None)  # no beta_t_recent in this model ...
    model = M.build_model(M.prepare(ds, cfg), cfg)
    assert SAMP.warm_start(model, idata) is not None  # ... a subset: fine
    idata2 = idata.copy()
    idata2["posterior"] = idata["posterior"].to_dataset().drop_vars("beta_t_z")
    assert SAMP.warm_start(model, idata2) is None


def test_threaded_loglik_equals_one_pass(mocked_fit):
    """The log-likelihood computed over blocks of draws on threads is the one-pass array, in order."""
    _, idata = mocked_fit
    post = idata["posterior"].to_dataset()
    inp, cfg = M.inputs_from_idata(idata), M.config_from_idata(idata)
    one = M.pointwise_loglik(post, inp, cfg)
    for workers in (2, 3):
        np.testing.assert_array_equal(M.pointwise_loglik_threaded(post, inp, cfg, workers=workers), one)


def test_diagnostics_skip_constant_quantities(mocked_fit):
    """A quantity constant over the draws (a known training compute) has no R-hat; it is left out
    instead of turning the worst values into NaN, and the rest are as without it."""
    _, idata = mocked_fit
    post = idata["posterior"].to_dataset()
    base = INF.diagnostics(idata, post[["alpha", "theta"]])
    with_const = post[["alpha", "theta"]].assign(const=post["alpha"] * 0 + 3.0)
    assert INF.diagnostics(idata, with_const) == base
    assert np.isfinite(base["max_rhat"]) and np.isfinite(base["min_ess_bulk"])
    # the worse of two halves is the diagnostics of the whole
    a, b = INF.diagnostics(idata, post[["alpha"]]), INF.diagnostics(idata, post[["theta"]])
    np.testing.assert_allclose(list(INF.worst(a, b).values()), list(base.values()))
    none = {"max_rhat": float("nan"), "min_ess_bulk": float("nan"), "divergences": 0}
    assert INF.worst(a, none) == a
    assert np.isnan(INF.worst(none, none)["max_rhat"])  # nothing measured does not pass as converged


def test_diagnostics_see_a_stuck_chain_and_a_slow_quantity():
    """The worst R-hat and bulk ESS over every quantity (arviz-stats, rank-normalised): one chain
    stuck elsewhere on one quantity pushes R-hat far above the bar; an autocorrelated random walk
    has a small bulk ESS; independent draws pass."""
    rng = np.random.default_rng(7)
    good = rng.normal(size=(4, 500, 3))
    post = xr.Dataset({"a": (("chain", "draw", "k"), good)})
    tree = xr.DataTree.from_dict(
        {
            "posterior": post,
            "sample_stats": xr.Dataset({"diverging": (("chain", "draw"), np.zeros((4, 500), dtype=bool))}),
        }
    )
    ok = INF.diagnostics(tree)
    assert ok["max_rhat"] < 1.01 and ok["min_ess_bulk"] > 1000 and ok["divergences"] == 0
    stuck = good.copy()
    stuck[0, :, 1] += 5.0
    walk = rng.normal(size=(4, 500)).cumsum(axis=1)
    bad = xr.Dataset({"a": (("chain", "draw", "k"), stuck), "b": (("chain", "draw"), walk)})
    d = INF.diagnostics(tree, bad)
    assert d["max_rhat"] > 1.1 and d["min_ess_bulk"] < 100


def test_compute_bounds_become_a_measurement_with_an_sd():
    """A point estimate is exact; both of Epoch's bounds around it make an sd (the wider side as a
    90% interval); bounds alone centre on their geometric mean; one bound alone is unknown."""
    from forecast.model.inputs import BOUND_Z, compute_measurements

    models = pd.DataFrame(
        {
            "train_flop": [1e24, 3.5e26, np.nan, np.nan, np.nan],
            "train_flop_lower": [np.nan, 2.1e26, 1e23, 2.1e25, np.nan],
            "train_flop_upper": [np.nan, 1.13e27, 1e25, np.nan, np.nan],
        }
    )
    centre, sd = compute_measurements(models)
    np.testing.assert_allclose(centre[:3], [24.0, np.log10(3.5e26), 24.0])
    assert sd[0] == 0.0
    assert sd[1] == pytest.approx((np.log10(1.13e27) - np.log10(3.5e26)) / BOUND_Z)  # the wider (upper) side
    assert sd[2] == pytest.approx(1.0 / BOUND_Z)
    assert np.isnan(centre[3]) and np.isnan(centre[4])  # a single bound, or none: unknown


def test_a_bounded_compute_enters_the_log_density_as_a_noisy_measurement(tiny):
    """The model's compute potential at a point equals the analytic marginal density: Normal(c |
    trend, sqrt(s_c^2 + sd^2)) summed over measured models; a bound loosens it."""
    import pytensor
    from pytensor.compile.mode import Mode

    cfg = M.ModelConfig()
    ds = tiny
    models = ds.models.copy()
    models["train_flop_lower"] = [np.nan, np.nan, 3e25]
    models["train_flop_upper"] = [np.nan, np.nan, 4e26]
    bounded = Dataset(models=models, benchmarks=ds.benchmarks, results=ds.results, data_hash="tiny-bounded")
    inp = M.prepare(bounded, cfg)
    assert inp.log10c_sd[2] > 0 and inp.log10c_sd[0] == 0 and not inp.c_known[1]
    model = M.build_model(inp, cfg)
    pot = model["log10_compute_obs"]
    fn = pytensor.function(
        model.value_vars,
        [pot, model["mu_c0"], model["g_c"], model["s_c"]],
        mode=Mode(linker="py", optimizer=None),
        on_unused_input="ignore",
    )
    ip = model.initial_point()
    got, mu0, g, s_c = fn(*(ip[v.name] for v in model.value_vars))
    from scipy import stats

    want = sum(
        stats.norm.logpdf(inp.log10c_obs[i], mu0 + g * inp.t_model[i], np.sqrt(s_c**2 + inp.log10c_sd[i] ** 2))
        for i in (0, 2)
    )
    assert float(got) == pytest.approx(want, rel=1e-10)


def test_a_config_saved_before_learnt_ceilings_reads_as_the_model_it_was():
    old = {
        k: v
        for k, v in M.ModelConfig().to_dict().items()
        if k not in ("learn_ceiling", "benchmark_trend_sd", "future_uncertainty")
    }
    cfg = M.ModelConfig.from_dict(old)
    assert cfg.learn_ceiling is False and cfg.benchmark_trend_sd == 0.0 and not cfg.future_uncertainty
    assert M.ModelConfig().future_uncertainty


def test_ceilings_and_trends_enter_the_forward_model_and_default_to_the_registry():
    from forecast.model.forward import ceiling_draws, trend_draws

    inputs = SimpleNamespace(
        ceiling=np.array([1.0, 0.9, 1.0]), floor=np.array([0.25, 0.0, 0.0]), bench_unit=np.array([0, 0, 2])
    )
    gap = np.array([[0.1, 0.0], [0.2, 0.5]])  # shares of the span, two draws, two fraction benchmarks
    post = xr.Dataset({"ceiling_gap": (("chain", "draw", "benchmark_fraction"), gap[None])})
    np.testing.assert_allclose(ceiling_draws(post, inputs), [[0.925, 0.9, 1.0], [0.85, 0.45, 1.0]])
    bare = xr.Dataset({"alpha": (("chain", "draw"), np.zeros((1, 2)))})
    np.testing.assert_allclose(ceiling_draws(bare, inputs), [[1.0, 0.9, 1.0]] * 2)
    assert trend_draws(bare, 3).shape == (2, 3) and not trend_draws(bare, 3).any()


@pytest.mark.parametrize("mean_sd, moves", [(1.0, True), (0.0, False)])
def test_the_shared_ceiling_gap_is_fixed_when_its_sd_is_zero(sim, mean_sd, moves):
    """``ceiling_gap_mean_sd = 0`` fixes the mean gap of benchmarks without an audit at
    ``ceiling_gap_share``; with a positive sd it is a parameter that moves their gaps."""
    from scipy.special import logit

    ds, _ = sim
    cfg = M.ModelConfig(learn_ceiling=True, ceiling_learn_from=0.0, ceiling_gap_mean_sd=mean_sd)
    model = M.build_model(M.prepare(ds, cfg), cfg)
    fn = model.compile_fn(
        model.replace_rvs_by_values([model["ceiling_gap_mean"], model["ceiling_gap"]])[0:2],
        inputs=model.value_vars,
        on_unused_input="ignore",
    )
    point = model.initial_point()
    a = fn(point)
    b = fn({**point, "ceiling_gap_mean_z": point["ceiling_gap_mean_z"] + 1.0})
    assert float(a[0]) == pytest.approx(logit(cfg.ceiling_gap_share))
    assert (float(b[0]) != float(a[0])) == moves
    assert (not np.allclose(a[1], b[1])) == moves
