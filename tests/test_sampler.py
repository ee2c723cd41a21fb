"""The compile cache (forecast/inference/compile_cache.py): the cached nutpie callbacks give PyTensor's
numbers and a second process loads them from disk; the sampling policy (pilot, preconditioner,
extension rounds, retry) on a small model. Real nutpie compiles: the integration tier."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from forecast import inference as INF
from forecast import model as M
from forecast.inference import convergence as DIAG
from forecast.inference import sampling as SAMP
from forecast.inference.compile_cache import EXPAND_CALLBACK as EXPAND
from forecast.inference.compile_cache import LOGP_CALLBACK as LOGP
from forecast.inference.compile_cache import CompileCacheFallback, compile_model, with_preconditioner
from forecast.inference.config import SamplerConfig
from forecast.inference.preconditioner import curvatures, dense_preconditioner
from forecast.model.simulate import simulate_dataset

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent


def small_model(seed: int = 5, perturb: bool = False):
    ds, _ = simulate_dataset(seed, n_models=12, n_benchmarks=4, p_eval=0.7)
    if perturb:  # other scores and fewer results, same models and benchmarks
        r = ds.results.iloc[:-3].copy()
        frac = r["benchmark"].map(ds.benchmarks.set_index("benchmark")["unit"]).eq("fraction")
        r.loc[frac, "score"] = (r.loc[frac, "score"] * 0.9).clip(0, 1)
        ds.results = r
    cfg = M.ModelConfig()
    return M.build_model(M.prepare(ds, cfg), cfg)


@pytest.fixture(scope="module")
def compiled():
    model = small_model()  # the full path (PyTensor's compiled functions to compare with); refreshes the entry
    return compile_model(model, var_names=[v.name for v in model.free_RVs], graph_cache=False)


def call_logp(cm, x):
    out, lp = np.zeros(cm.n_dim), np.zeros(())
    rc = LOGP(cm.compiled_logp_func.address)(
        cm.n_dim, x.ctypes.data, out.ctypes.data, lp.ctypes.data, cm.user_data.ctypes.data
    )
    return rc, float(lp), out


def assert_callbacks_match(cm, ref, seed: int, n: int = 3):
    """``cm``'s C callbacks (log density, gradient, stored values) against ``ref``'s PyTensor
    functions at ``n`` random points."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        x = rng.normal(size=cm.n_dim) * 0.3
        rc, lp, grad = call_logp(cm, x)
        ref_lp, ref_grad = ref.logp_func(x)
        assert rc == 0
        np.testing.assert_allclose(lp, float(ref_lp), rtol=1e-12)
        np.testing.assert_allclose(grad, ref_grad, rtol=1e-9, atol=1e-9)
        out = np.zeros(cm.n_expanded)
        rc = EXPAND(cm.compiled_expand_func.address)(
            cm.n_dim, cm.n_expanded, x.ctypes.data, out.ctypes.data, cm.user_data.ctypes.data
        )
        assert rc == 0
        np.testing.assert_allclose(out, np.concatenate([np.ravel(v) for v in ref.expand_func(x)]), rtol=1e-12)


def test_callbacks_equal_pytensor_function(compiled):
    cm, info = compiled
    assert info["path"] == "cached-cfunc" and info["cached"]
    assert_callbacks_match(cm, cm, seed=0)


def test_wrong_dimension_is_refused(compiled):
    cm, _ = compiled
    x = np.zeros(cm.n_dim + 1)
    out, lp = np.zeros(cm.n_dim + 1), np.zeros(())
    rc = LOGP(cm.compiled_logp_func.address)(
        cm.n_dim + 1, x.ctypes.data, out.ctypes.data, lp.ctypes.data, cm.user_data.ctypes.data
    )
    assert rc == -1


def test_other_data_same_graph_other_logp(compiled):
    """The data are inputs of the compiled function, not constants in it: other scores and
    fewer results (same models and benchmarks) reuse the cached callbacks and give another log
    density, equal to PyTensor's on that data."""
    cm_a, _ = compiled
    b = small_model(perturb=True)
    cm_b, info = compile_model(b, var_names=[v.name for v in b.free_RVs])
    assert info["cache_hit"], info
    assert cm_b.n_dim == cm_a.n_dim
    x = np.full(cm_a.n_dim, 0.1)
    assert call_logp(cm_a, x)[1] != call_logp(cm_b, x)[1]
    for cm in (cm_a, cm_b):
        np.testing.assert_allclose(call_logp(cm, x)[1], float(cm.logp_func(x)[0]), rtol=1e-12)


def test_model_axis_is_padded():
    from forecast.model.build import MODEL_SLOT_BLOCK, model_slots

    assert model_slots(1) == MODEL_SLOT_BLOCK == model_slots(MODEL_SLOT_BLOCK)
    assert model_slots(MODEL_SLOT_BLOCK + 1) == 2 * MODEL_SLOT_BLOCK
    m = small_model()  # 12 models
    assert len(m.coords["model_slot"]) == MODEL_SLOT_BLOCK
    assert m.initial_point()["z_model"].shape == (MODEL_SLOT_BLOCK,)
    assert len(m.coords["model"]) == 12


SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
from tests.test_sampler import small_model
from forecast.inference.compile_cache import compile_model
m = small_model()
cm, info = compile_model(m, var_names=[v.name for v in m.free_RVs])
print(json.dumps(info))
"""


def test_second_process_loads_the_callbacks_from_disk(compiled):
    """The point of the module: a new process does not compile the callbacks again."""
    script = SCRIPT.format(root=str(ROOT))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    info = json.loads(out.stdout.strip().splitlines()[-1])
    assert info["path"] == "cached-graph"  # PyTensor's rewrites skipped
    assert info["cache_hit"], info  # this module's fixture compiled the same graph first


def test_graph_cache_shortcut_equals_the_full_compile(compiled, tmp_path):
    """The shortcut (callbacks and layout found by the key of the unrewritten graph) gives the
    full compile's log density, gradient and stored values; other data keep the key, another
    prior constant changes it; a corrupt entry is dropped and compiled afresh."""
    from forecast.inference.compile_cache import _meta_path

    model = small_model()
    full, info_full = compile_model(model, var_names=[v.name for v in model.free_RVs], graph_cache=False)
    assert info_full["path"] == "cached-cfunc"
    fast, info_fast = compile_model(model, var_names=[v.name for v in model.free_RVs])
    assert info_fast["path"] == "cached-graph"
    assert fast.shape_info[0] == full.shape_info[0] and fast.n_expanded == full.n_expanded
    assert_callbacks_match(fast, full, seed=7, n=2)
    x = np.random.default_rng(8).normal(size=full.n_dim) * 0.3  # the unrewritten reference agrees too
    np.testing.assert_allclose(fast.logp_func(x)[1], full.logp_func(x)[1], rtol=1e-8, atol=1e-8)

    key = info_fast["graph_key"]
    other_data = small_model(perturb=True)
    _, info_other = compile_model(other_data, var_names=[v.name for v in other_data.free_RVs])
    assert info_other["graph_key"] == key and info_other["path"] == "cached-graph"
    ds, _ = simulate_dataset(5, n_models=12, n_benchmarks=4, p_eval=0.7)
    cfg = M.ModelConfig(beta_c_sd=0.7)
    other_prior = M.build_model(M.prepare(ds, cfg), cfg)
    _, info_prior = compile_model(other_prior, var_names=[v.name for v in other_prior.free_RVs])
    assert info_prior["graph_key"] != key

    _meta_path(key).write_text("{not json")
    again, info_again = compile_model(model, var_names=[v.name for v in model.free_RVs])
    assert info_again["path"] == "cached-cfunc" and "shortcut_failed" in info_again
    np.testing.assert_allclose(call_logp(again, x)[1], call_logp(full, x)[1], rtol=1e-12)


def test_a_stale_entry_fails_verification():
    """The shortcut checks the loaded callbacks against PyTensor's own evaluation of the graph:
    callbacks of one model against the graph of another (another prior scale) are refused."""
    from forecast.inference.compile_cache import _CacheMiss, _model_graphs, _Reference, _verify

    model = small_model()
    cm, _ = compile_model(model, var_names=[v.name for v in model.free_RVs])
    ds, _ = simulate_dataset(5, n_models=12, n_benchmarks=4, p_eval=0.7)
    cfg = M.ModelConfig(beta_c_sd=0.7)
    other = M.build_model(M.prepare(ds, cfg), cfg)
    logp, expand, value_vars = _model_graphs(other, [v.name for v in other.free_RVs])
    names, slices, shapes = cm.shape_info
    k = len(value_vars)
    x = np.asarray(cm.initial_point_func(0), dtype=np.float64)
    _verify(cm, _Reference(*_model_graphs(model, [v.name for v in model.free_RVs]), slices[:k], shapes[:k]), x)
    with pytest.raises(_CacheMiss, match="log density"):
        _verify(cm, _Reference(logp, expand, value_vars, slices[:k], shapes[:k]), x)


def test_preconditioned_callbacks_are_the_chain_rule(compiled):
    """Sampling u with x = mu + L u: log density at x, gradient L^T (d logp / dx), the stored
    values those of x, and the start mapped back to u."""
    cm, _ = compiled
    rng = np.random.default_rng(1)
    n = cm.n_dim
    mu = rng.normal(size=n) * 0.1
    chol = np.tril(rng.normal(size=(n, n)) * 0.05) + np.diag(rng.uniform(0.5, 1.5, n))
    pc, info = with_preconditioner(cm, mu, chol, initial_point=lambda seed: mu + 0.01 * seed)
    assert info["path"] == "cached-cfunc-preconditioned" and info["cached"]
    for _ in range(2):
        u = rng.normal(size=n) * 0.3
        x = mu + chol @ u
        rc, lp, grad = call_logp(pc, u)
        ref_lp, ref_grad = cm.logp_func(x)
        assert rc == 0
        np.testing.assert_allclose(lp, float(ref_lp), rtol=1e-12)
        np.testing.assert_allclose(grad, chol.T @ ref_grad, rtol=1e-9, atol=1e-9)
        out = np.zeros(pc.n_expanded)
        rc = EXPAND(pc.compiled_expand_func.address)(
            n, pc.n_expanded, u.ctypes.data, out.ctypes.data, pc.user_data.ctypes.data
        )
        assert rc == 0
        np.testing.assert_allclose(out, np.concatenate([np.ravel(v) for v in cm.expand_func(x)]), rtol=1e-10)
    np.testing.assert_allclose(mu + chol @ pc.initial_point_func(3), mu + 0.03, atol=1e-12)
    with pytest.raises(ValueError, match="do not match"):
        with_preconditioner(cm, mu[:-1], chol)
    with pytest.raises(ValueError, match="positive diagonal"):
        with_preconditioner(cm, mu, chol - np.diag(np.diag(chol)))


def test_dense_preconditioner_estimates_the_covariance():
    """Without shrinkage, L L^T is the draws' covariance; shrinkage pulls the correlations (not
    the variances) towards zero; a constant coordinate gets unit variance, uncorrelated."""
    rng = np.random.default_rng(2)
    cov = np.array([[1.0, 0.95, 0.0], [0.95, 1.0, 0.0], [0.0, 0.0, 4.0]])
    x = rng.multivariate_normal([1.0, -2.0, 0.5], cov, size=4000)
    x = np.column_stack([x, np.full(len(x), 7.0)])
    mu, chol = dense_preconditioner(x, 0.0)
    est = chol @ chol.T
    np.testing.assert_allclose(mu[:3], [1.0, -2.0, 0.5], atol=0.1)
    np.testing.assert_allclose(est[:3, :3], np.cov(x[:, :3], rowvar=False), rtol=1e-2, atol=1e-3)
    assert est[3, 3] == pytest.approx(1.0) and np.allclose(est[3, :3], 0.0)
    shrunk = dense_preconditioner(x, 0.5)[1]
    est2 = shrunk @ shrunk.T
    np.testing.assert_allclose(np.diag(est2), np.diag(est), rtol=1e-9)
    assert est2[0, 1] == pytest.approx(0.5 * est[0, 1], rel=1e-9)
    with pytest.raises(ValueError, match="shrinkage"):
        dense_preconditioner(x, 1.5)


def test_shrinkage_towards_a_curvature_target():
    """With curvatures the target is the inverse of their mean: shrinkage 1 gives it exactly, 0
    the draws' covariance, and between them the mixture; eigenvalues below the floor are
    raised (by default to 1); a coordinate whose curvature changes across the points keeps the draws' variance
    and no correlation in the target."""
    rng = np.random.default_rng(3)
    cov = np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.0], [0.1, 0.0, 0.5]])
    x = rng.multivariate_normal([0.0, 1.0, 2.0], cov, size=300)
    q = np.linalg.inv(np.array([[2.0, -0.99 * 2.0, 0.0], [-0.99 * 2.0, 2.0, 0.0], [0.0, 0.0, 1.0]]) + np.eye(3))
    sample = np.cov(x, rowvar=False)
    same = np.array([q, q])  # the same curvature at two points
    for s, want in [(1.0, np.linalg.inv(q)), (0.0, sample), (0.3, 0.7 * sample + 0.3 * np.linalg.inv(q))]:
        mu, chol = dense_preconditioner(x, s, same, min_precision=1e-3)
        np.testing.assert_allclose(chol @ chol.T, want, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(mu, x.mean(axis=0))
    # an indefinite curvature (a non-concave point): the negative eigenvalue is floored
    q_bad = np.diag([4.0, -1.0, 1.0])
    chol = dense_preconditioner(x, 1.0, np.array([q_bad, q_bad]), min_precision=0.05)[1]
    np.testing.assert_allclose(chol @ chol.T, np.diag([0.25, 20.0, 1.0]), rtol=1e-12)
    # the default floor: the target claims a variance of at most 1 in any direction
    chol = dense_preconditioner(x, 1.0, np.array([np.diag([4.0, 0.25, 0.5])] * 2))[1]
    np.testing.assert_allclose(chol @ chol.T, np.diag([0.25, 1.0, 1.0]), rtol=1e-12)

    # coordinate 2's curvature is 0.5 at one point and 1.5 at the other (spread 0.5 of the mean 1.0,
    # not above the limit); at 0.2 and 1.8 it is above: its target is the draws' variance alone
    def pair(lo, hi):
        a, b = np.diag([2.0, 3.0, lo]), np.diag([2.0, 3.0, hi])
        a[0, 2] = a[2, 0] = b[0, 2] = b[2, 0] = 0.3
        return np.array([a, b])

    for lo, hi, stable in [(0.5, 1.5, True), (0.2, 1.8, False)]:
        c = pair(lo, hi)
        t = dense_preconditioner(x, 1.0, c, min_precision=1e-3)[1]
        t = t @ t.T
        laplace = np.linalg.inv(c.mean(axis=0))
        if stable:
            np.testing.assert_allclose(t, laplace, rtol=1e-10)
        else:
            np.testing.assert_allclose(t[:2, :2], laplace[:2, :2], rtol=1e-10)
            assert t[2, 2] == pytest.approx(sample[2, 2]) and np.allclose(t[2, :2], 0.0)


def test_curvature_is_minus_the_hessian():
    """For a Gaussian posterior the curvature is the same everywhere and is the inverse
    covariance; on the transformed (log) scale of a HalfNormal it is its log density's."""
    import pymc as pm

    cov = np.array([[1.0, 0.8, 0.0], [0.8, 1.0, -0.3], [0.0, -0.3, 2.0]])
    with pm.Model() as m:
        pm.MvNormal("v", mu=np.zeros(3), cov=cov)
    cm, info = compile_model(m)
    assert info["path"] in ("cached-cfunc", "cached-graph")
    points = np.random.default_rng(0).normal(size=(3, 3))
    c = curvatures(cm, points, workers=2)
    assert c.shape == (3, 3, 3)
    for ci in c:
        np.testing.assert_allclose(ci, np.linalg.inv(cov), rtol=1e-6, atol=1e-6)
    with pm.Model() as m2:
        pm.HalfNormal("s", 1.0)
    cm2, _ = compile_model(m2)
    # log density of u = log s: -exp(2u)/2 + u, so minus its second derivative is 2 exp(2u);
    # forward differences (the default) err by about step x the third derivative, central by step^2
    u = np.array([[0.3], [-1.0]])
    exact = 2 * np.exp(2 * u[:, 0])
    forward = curvatures(cm2, u)[:, 0, 0]
    np.testing.assert_allclose(forward, exact, rtol=1e-3)
    assert np.all(np.abs(forward / exact - 1) > 1e-5)  # the first-order error is there
    np.testing.assert_allclose(curvatures(cm2, u, central=True)[:, 0, 0], exact, rtol=1e-6)


def test_pilot_draws_flatten_in_the_samplers_order(compiled):
    """flat_unconstrained must put each stored draw back in the sampler's coordinate order: the
    log density of every flattened row equals the one nutpie recorded for that draw."""
    import nutpie

    from forecast.inference.preconditioner import flat_unconstrained

    cm, _ = compiled
    pilot = nutpie.sample(
        cm, draws=20, tune=30, chains=2, cores=1, seed=4, store_unconstrained=True, progress_bar=False
    )
    x = flat_unconstrained(pilot, cm)
    recorded = pilot["sample_stats"]["logp"].values.reshape(-1)
    assert x.shape == (40, cm.n_dim)
    np.testing.assert_allclose([float(cm.logp_func(row)[0]) for row in x], recorded, rtol=1e-10)


def test_fit_samples_preconditioned_after_a_pilot():
    """sample_model's default path: pilot run, dense preconditioner, main run; the stored draws
    are in the model's own space (finite, the right shape) and the timings say what happened."""
    model = small_model()
    cfg = SamplerConfig(pilot_tune=40, pilot_draws=30, extend_rounds=0)
    idata, timing = SAMP.sample_model(
        model, seed=2, draws=30, tune=30, chains=2, sampler="nutpie", progressbar=False, config=cfg
    )
    assert timing["preconditioned"] == 1.0 and timing["pilot_seconds"] > 0 and timing["preconditioner_seconds"] > 0
    post = idata["posterior"]
    assert post.sizes["chain"] == 2 and post.sizes["draw"] == 30
    assert np.all(post["sigma_model"].values > 0) and np.all(np.isfinite(post["alpha"].values))
    _, timing_off = SAMP.sample_model(
        model,
        seed=2,
        draws=30,
        tune=30,
        chains=2,
        sampler="nutpie",
        progressbar=False,
        config=SamplerConfig(precondition=False),
    )
    assert "pilot_seconds" not in timing_off and timing_off["preconditioned"] == 0.0


def test_extension_round_appends_chains_started_where_the_first_ended(monkeypatch):
    """A run that misses the convergence bar gets as many chains again (same preconditioner),
    pooled along ``chain``: draws, sample stats and deterministics for every chain, and no
    leftover unconstrained group. Forced here by an unreachable R-hat bar."""
    model = small_model()
    cfg = SamplerConfig(pilot_tune=40, pilot_draws=30, extend_rounds=1, extend_tune=20, retry_target_accept=0.0)
    monkeypatch.setattr(DIAG, "RHAT_MAX", 0.0)
    idata, timing = SAMP.sample_model(
        model, seed=3, draws=25, tune=30, chains=2, sampler="nutpie", progressbar=False, config=cfg
    )
    post = idata["posterior"]
    assert timing["extension_rounds"] == 1.0 and timing["extension_seconds"] > 0
    assert list(post["chain"].values) == [0, 1, 2, 3] and post.sizes["draw"] == 25
    assert idata["sample_stats"].sizes["chain"] == 4
    assert np.all(np.isfinite(post["theta"].values)) and np.all(post["sigma_model"].values > 0)
    assert not [g for g in idata.children if "unconstrained" in g]  # nor nutpie's tuning steps of them
    assert "unconstrained_draw" not in idata["sample_stats"].data_vars
    # the new chains are draws of the same posterior, not of the starting point: they move
    assert np.ptp(post["alpha"].values[2:]) > 0
    import nutpie

    depths, real_sample = [], nutpie.sample
    monkeypatch.setattr(nutpie, "sample", lambda *a, **k: depths.append(k.get("maxdepth")) or real_sample(*a, **k))
    cfg0 = SamplerConfig(pilot_tune=40, pilot_draws=30, extend_rounds=0, max_tree_depth=4)
    idata0, timing0 = SAMP.sample_model(
        model, seed=3, draws=25, tune=30, chains=2, sampler="nutpie", progressbar=False, config=cfg0
    )
    assert idata0["posterior"].sizes["chain"] == 2 and timing0["extension_rounds"] == 0.0
    assert depths == [None, None]  # without extension rounds to fall back on, the trees are not capped


@pytest.mark.parametrize("first_divergences", [0, 3])
def test_divergent_run_is_replaced_by_one_with_smaller_steps(monkeypatch, first_divergences):
    """A main run that still has divergences after its extension rounds is replaced (not pooled)
    by a new one at ``retry_target_accept``, whose own diagnostics are recorded; a clean run is
    kept. The check is stubbed: divergences on the first run's draws only. The main run's trees
    are capped at ``max_tree_depth``; the pilot's and the retry's (smaller steps) are not."""
    import nutpie

    model = small_model()
    cfg = SamplerConfig(
        pilot_tune=40, pilot_draws=30, extend_rounds=1, extend_tune=20, retry_target_accept=0.97, max_tree_depth=4
    )
    accepts, depths, real_sample = [], [], nutpie.sample

    def recording_sample(*args, **kwargs):
        accepts.append(kwargs["target_accept"])
        depths.append(kwargs.get("maxdepth"))
        return real_sample(*args, **kwargs)

    monkeypatch.setattr(nutpie, "sample", recording_sample)
    calls = []

    def check(idata):
        calls.append(idata["posterior"].sizes["chain"])
        bad = len(calls) == 1  # the first run's draws
        return {"max_rhat": 1.0, "min_ess_bulk": 1000.0, "divergences": first_divergences if bad else 0}

    idata, timing = SAMP.sample_model(
        model, seed=3, draws=25, tune=30, chains=2, sampler="nutpie", progressbar=False, config=cfg, check=check
    )
    recorded = json.loads(idata.attrs["diagnostics"])
    assert recorded["divergences"] == 0
    if first_divergences:
        # pilot, first run (R-hat met: no extension round, which would not remove divergences), retry
        assert accepts == [0.9, 0.9, 0.97] and calls == [2, 2]
        assert depths == [None, 4, None]
        assert timing["retry_target_accept"] == 0.97 and timing["retry_seconds"] > 0
        assert idata["posterior"].sizes["chain"] == 2  # the retry's chains alone
    else:
        assert accepts == [0.9, 0.9] and "retry_target_accept" not in timing
        assert depths == [None, 4]
        assert int(idata["sample_stats"]["depth"].max()) <= 4  # nutpie kept to the cap
        assert calls == [2]


def test_refit_starts_at_the_step_size_setting_its_previous_fit_needed(monkeypatch):
    """A fit records the target acceptance of its final draws; a refit started from it (an
    update) samples at that setting from the pilot on, instead of failing first at the default."""
    import nutpie

    ds, _ = simulate_dataset(5, n_models=12, n_benchmarks=4, p_eval=0.7)
    cfg = SamplerConfig(pilot_tune=40, pilot_draws=10, pilot_warmup_draws=20, extend_rounds=1, extend_tune=20)
    first = INF.fit_model(ds, sampler_config=cfg, seed=3, draws=25, tune=30, chains=2, progressbar=False)
    assert first.attrs["target_accept"] in (0.9, 0.97)
    accepts, real_sample = [], nutpie.sample
    monkeypatch.setattr(
        nutpie,
        "sample",
        lambda *a, **k: accepts.append((k["target_accept"], k.get("maxdepth"))) or real_sample(*a, **k),
    )
    first.attrs["target_accept"] = 0.97
    INF.fit_model(ds, sampler_config=cfg, seed=4, draws=25, tune=30, chains=2, progressbar=False, start_from=first)
    # pilot and main run; no retry at the same setting, and no depth cap on the smaller steps
    assert accepts[:2] == [(0.97, None), (0.97, None)]
    accepts.clear()
    first.attrs["target_accept"] = 0.9
    INF.fit_model(ds, sampler_config=cfg, seed=4, draws=25, tune=30, chains=2, progressbar=False, start_from=first)
    assert accepts[:2] == [(0.9, None), (0.9, cfg.max_tree_depth)]


@pytest.mark.parametrize("rhat_max", [10.0, 0.0])
def test_fit_records_the_diagnostics_of_its_final_draws(monkeypatch, rhat_max):
    """fit_model computes the diagnostics once and records them: from the sampler's convergence
    check when that saw the final draws (bar met), plus the variables added afterwards
    (``log10_compute``); after an extension round (bar missed) from the pooled draws. Either
    way they equal a fresh computation over the saved posterior."""
    ds, _ = simulate_dataset(5, n_models=12, n_benchmarks=4, p_eval=0.7)
    assert ds.models["train_flop"].isna().any()  # log10_compute varies for some models
    monkeypatch.setattr(DIAG, "RHAT_MAX", rhat_max)
    monkeypatch.setattr(DIAG, "ESS_MIN", 0)
    cfg = SamplerConfig(
        pilot_tune=40, pilot_draws=10, pilot_warmup_draws=20, extend_rounds=1, extend_tune=20, retry_target_accept=0.0
    )
    idata = INF.fit_model(ds, sampler_config=cfg, seed=3, draws=25, tune=30, chains=2, progressbar=False)
    assert idata.attrs["extension_rounds"] == (0.0 if rhat_max else 1.0)
    recorded = json.loads(idata.attrs["diagnostics"])
    fresh = INF.diagnostics(idata)
    assert recorded.keys() == fresh.keys()
    np.testing.assert_allclose(list(recorded.values()), list(fresh.values()), rtol=1e-12)
    assert INF.fit_diagnostics(idata) == recorded


def test_compile_cache_off_takes_nutpies_own_path_quietly(monkeypatch, recwarn):
    """``FORECAST_COMPILE_CACHE=0``: nutpie's public compile, no preconditioner, no warning."""
    monkeypatch.setenv("FORECAST_COMPILE_CACHE", "0")
    model = small_model()
    cm, info = compile_model(model, var_names=[v.name for v in model.free_RVs])
    assert info["path"] == "nutpie" and "FORECAST_COMPILE_CACHE" in info["reason"]
    assert getattr(cm, "preconditioned_funcs", None) is None
    assert not [w for w in recwarn if issubclass(w.category, CompileCacheFallback)]


def test_a_moved_nutpie_internal_falls_back_with_a_warning(monkeypatch):
    """If a private nutpie symbol the cache relies on is gone, the fit still compiles (nutpie's
    public path) and says so on stderr (a ``CompileCacheFallback`` warning)."""
    from forecast.inference import compile_cache

    def moved():
        raise AttributeError("module 'nutpie.compile_pymc' has no attribute 'CompiledPyMCModel'")

    monkeypatch.setattr(compile_cache, "_compiled_class", moved)
    model = small_model()
    with pytest.warns(CompileCacheFallback, match="CompiledPyMCModel"):
        _, info = compile_model(model, var_names=[v.name for v in model.free_RVs])
    assert info["path"] == "nutpie"


@pytest.mark.parametrize("cache", ["1", "0"])
def test_fit_records_its_compile_path_and_preconditioning(monkeypatch, cache):
    monkeypatch.setenv("FORECAST_COMPILE_CACHE", cache)
    ds, _ = simulate_dataset(5, n_models=12, n_benchmarks=4, p_eval=0.7)
    cfg = SamplerConfig(pilot_tune=40, pilot_draws=10, pilot_warmup_draws=20, extend_rounds=0)
    idata = INF.fit_model(ds, sampler_config=cfg, seed=3, draws=25, tune=30, chains=2, progressbar=False)
    summary = INF.sampler_summary(idata)
    if cache == "1":
        assert summary["compile_path"] in ("cached-graph", "cached-cfunc") and summary["preconditioned"]
    else:
        assert summary["compile_path"] == "nutpie" and not summary["preconditioned"]
    assert summary["config"] == cfg.to_dict()
