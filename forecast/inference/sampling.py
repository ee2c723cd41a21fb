"""The sampling policy: compile (``compile_cache``), a pilot run that preconditions the sampler
(``preconditioner``), the main run, extension rounds while R-hat or ESS miss the bar, and a retry
at a higher target acceptance when divergences remain. Also the warm start of a refit from an
earlier posterior. Measured in docs/performance.md."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import numpy as np
import xarray as xr

from ..errors import ForecastError
from .config import SamplerConfig
from .convergence import converged, converged_cleanly, diagnostics


def _cores(chains: int) -> int:
    return max(1, min(chains, os.cpu_count() or 1))


def warm_start(model, previous):
    """Initial points for a refit on grown data: each chain starts at a draw (chosen by the
    chain's seed) of the ``previous`` posterior, mapped onto this model's parameters by
    coordinate label (model, benchmark, domain) and transformed to the sampler's space. Entries
    new to the data (a new model, a new benchmark) and padding slots start at a draw of their
    standard-normal prior for ``*_z``-type variables, or at the mean of the known entries
    otherwise; zero-sum variables are re-centred. Returns ``fn(seed) -> {value var name: array}``
    for ``forecast.sampler.compile_model``, or None when the previous posterior lacks a parameter
    of this model (another config or model version): the sampler then starts as for a new fit."""
    import pytensor
    from pymc.distributions.multivariate import ZeroSumTransform

    post = previous["posterior"].to_dataset()
    free = list(model.free_RVs)
    if any(rv.name not in post for rv in free):
        return None
    stacked = {rv.name: post[rv.name].stack(sample=("chain", "draw")).transpose("sample", ...) for rv in free}
    n_draws = stacked[free[0].name].sizes["sample"]
    maps = {}  # var name -> index of each of this model's entries in the previous draws (-1: new)
    for rv in free:
        da = stacked[rv.name]
        dims = model.named_vars_to_dims.get(rv.name) or ()
        if len(dims) != 1 or da.ndim != 2:
            continue
        new_labels = [str(x) for x in model.coords[dims[0]]]
        old_labels = [str(x) for x in da[da.dims[1]].values]
        if new_labels != old_labels:
            where = {m: i for i, m in enumerate(old_labels)}
            maps[rv.name] = np.array([where.get(m, -1) for m in new_labels])
    standard = {rv.name for rv in free if rv.name.endswith("_z") or rv.name.startswith("z_")}
    zero_sum = {rv.name for rv in free if isinstance(model.rvs_to_transforms.get(rv), ZeroSumTransform)}
    values, outputs = [], []
    for rv in free:
        x = pytensor.tensor.TensorType("float64", shape=(None,) * rv.ndim)()
        values.append(x)
        transform = model.rvs_to_transforms.get(rv)
        outputs.append(transform.forward(x, *rv.owner.inputs) if transform is not None else x)
    forward = pytensor.function(values, outputs, on_unused_input="ignore", mode="FAST_COMPILE")
    names = [model.rvs_to_values[rv].name for rv in free]

    def values_at(i: int, rng: np.random.Generator) -> list[np.ndarray]:
        args = []
        for rv in free:
            v = np.asarray(stacked[rv.name].values[i], dtype="float64")
            idx = maps.get(rv.name)
            if idx is not None:
                # a prior draw, not 0: nutpie refuses a start with a zero-gradient coordinate,
                # which z = 0 of a padding slot without results would be
                fill = rng.standard_normal(len(idx)) if rv.name in standard else np.full(len(idx), v.mean())
                v = np.where(idx >= 0, v[np.maximum(idx, 0)], fill)
                if rv.name in zero_sum:
                    v = v - v.mean()
            args.append(v)
        return [np.asarray(o, dtype="float64") for o in forward(*args)]

    def point(seed) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        return dict(zip(names, values_at(int(rng.integers(n_draws)), rng)))

    return point


def _preconditioned(compiled, config: SamplerConfig, seed: int, run: dict, timing: dict):
    """``compiled`` with a dense preconditioner (``compile_cache.with_preconditioner``) from
    a pilot run (started where ``compiled`` starts: a warm start for an update), whose draws
    also start the main chains: the covariance of its draws and last tuning steps
    (``pilot_warmup_draws``) shrunk towards the inverse curvature of the log density at a few
    of them. Returns (compiled, preconditioned?): not when the covariance
    cannot be factorised (sampled as before).

    An update does not take the covariance of the previous fit instead of running a pilot: on
    the o1 case that refit had 113 divergences, and on the quarterly case (a new benchmark,
    whose zero-sum coordinates do not map onto the old ones) R-hat 1.15."""
    from .compile_cache import nutpie_module, with_preconditioner
    from .preconditioner import curvatures, dense_preconditioner, flat_unconstrained

    nutpie = nutpie_module()

    t0 = time.perf_counter()
    warm = min(config.pilot_warmup_draws, config.pilot_tune)
    pilot = nutpie.sample(
        compiled,
        draws=config.pilot_draws,
        tune=config.pilot_tune,
        seed=seed + 10_000,
        store_unconstrained=True,
        save_warmup=warm > 0,
        **run,
    )  # with progress, like the main run
    timing["pilot_seconds"] = time.perf_counter() - t0
    x = flat_unconstrained(pilot, compiled)
    pooled = x
    if warm:
        w = pilot["warmup_sample_stats"]["unconstrained_draw"].values[:, -warm:]
        pooled = np.concatenate([w.reshape(-1, w.shape[-1]), x])
    t0 = time.perf_counter()
    try:
        curvature = None
        if config.precondition_hessian_points > 0:
            rows = np.random.default_rng(seed).choice(
                len(pooled), min(len(pooled), config.precondition_hessian_points), replace=False
            )
            curvature = curvatures(compiled, pooled[rows], workers=_cores(run["chains"]))
        mu, chol = dense_preconditioner(pooled, config.precondition_shrinkage, curvature)
    except (np.linalg.LinAlgError, FloatingPointError):
        return compiled, 0.0
    finally:
        timing["preconditioner_seconds"] = time.perf_counter() - t0
    # each chain starts at a pilot draw, past the pilot's tuning
    out, info = with_preconditioner(compiled, mu, chol, lambda s: x[np.random.default_rng(s).integers(len(x))])
    timing["precondition_jit_seconds"] = info["jit_seconds"]
    return out, 1.0


def _add_deterministics(idata, model) -> None:
    """The model's deterministics, computed from the stored free variables in one vectorised
    pass (PyTensor's C backend, cached on disk across processes)."""
    import pymc as pm

    post = idata["posterior"].to_dataset()
    attrs = dict(post.attrs)
    post = pm.compute_deterministics(post, model=model, extend_dataset=True, progressbar=False)
    post.attrs.update(attrs)
    idata["posterior"] = post


def _extend(idata, base, compiled, *, draws: int, tune: int, seed: int, run: dict, model):
    """``idata`` with as many chains again: each started at the last draw of one of its chains
    (already in the posterior, so no burn-in beyond ``tune`` steps of step-size adaptation),
    sampled with the preconditioner of ``compiled`` (``base`` with ``with_preconditioner``),
    and appended along ``chain``."""
    from .compile_cache import nutpie_module, with_preconditioner
    from .preconditioner import flat_unconstrained

    nutpie = nutpie_module()

    n_chains, n_draws = idata["posterior"].sizes["chain"], idata["posterior"].sizes["draw"]
    x = flat_unconstrained(idata, base).reshape(n_chains, n_draws, -1)[:, -1]
    more, _ = with_preconditioner(
        base, compiled.shared_data["mu"], compiled.shared_data["chol"], lambda s: x[int(s) % n_chains]
    )
    ext = nutpie.sample(more, draws=draws, tune=tune, seed=seed, store_unconstrained=True, save_warmup=False, **run)
    _add_deterministics(ext, model)
    out = idata.copy()
    for group in ("posterior", "sample_stats", "unconstrained_posterior"):
        a, b = idata[group].to_dataset(), ext[group].to_dataset()
        b = b.assign_coords(chain=b["chain"].values + int(a["chain"].values.max()) + 1)
        merged = xr.concat([a, b], dim="chain", data_vars="all", coords="minimal", compat="override", join="outer")
        merged.attrs = a.attrs
        out[group] = merged
    return out


def sample_model(
    model,
    *,
    seed: int,
    draws: int,
    tune: int,
    chains: int,
    sampler: str,
    progressbar: bool,
    config: SamplerConfig,
    init=None,
    check=None,
    target_accept: float | None = None,
) -> tuple[Any, dict]:
    """Run the sampler; return (DataTree, timings). ``check(idata) -> diagnostics`` (default
    ``diagnostics``) decides the extension rounds and the retry; when its last call saw the
    returned draws, its result is in the DataTree's attrs as ``diagnostics`` (JSON), so it need
    not be computed again. ``target_accept`` overrides ``config.target_accept`` (pilot and first
    main run)."""
    import pymc as pm

    timing: dict[str, float] = {}
    if sampler == "nutpie":
        from .compile_cache import compile_model, nutpie_module

        nutpie = nutpie_module()

        t0 = time.perf_counter()
        # Only the free variables are stored; the deterministics are computed afterwards by PyMC
        # in one vectorised pass (PyTensor's C backend, cached on disk across processes).
        # compile_model reuses numba machine code cached on disk by earlier processes.
        compiled, info = compile_model(model, var_names=[v.name for v in model.free_RVs], initial_point_fn=init)
        timing["compile_seconds"] = time.perf_counter() - t0
        timing["compile_graph_seconds"] = info["graph_seconds"]
        timing["compile_jit_seconds"] = info["jit_seconds"]
        timing["compile_path"] = info["path"]
        run = dict(
            chains=chains,
            cores=_cores(chains),
            adaptation=config.adaptation,
            target_accept=target_accept or config.target_accept,
            progress_bar=progressbar,
        )
        t_sampling = time.perf_counter()
        base = compiled
        timing["preconditioned"] = 0.0
        if config.precondition and info["path"] in ("cached-cfunc", "cached-graph"):
            compiled, timing["preconditioned"] = _preconditioned(compiled, config, seed, run, timing)
        extend = config.extend_rounds > 0 and timing.get("preconditioned") == 1.0
        if config.precondition and not timing["preconditioned"]:
            # no whitened callbacks (compile cache off or unusable, or a covariance that would not
            # factorise): nutpie's own low-rank mass-matrix adaptation, with the longer tuning and
            # more draws it needs to reach the bar (docs/performance.md, "Without the cache")
            run["adaptation"] = "low_rank"
            tune, draws = max(tune, config.fallback_tune), max(draws, config.fallback_draws)
            timing["fallback_low_rank"] = 1.0
        timing["extension_rounds"] = timing["check_seconds"] = timing["main_sampling_seconds"] = 0.0
        timing["deterministics_seconds"] = 0.0

        def main_run(target_accept: float, seed_main: int):
            """The preconditioned chains, then extension rounds while R-hat or ESS miss the bar;
            returns (draws, their diagnostics or None when not checked)."""
            r = {**run, "target_accept": target_accept}
            if config.max_tree_depth and extend and target_accept <= config.target_accept:
                r["maxdepth"] = config.max_tree_depth
            t0 = time.perf_counter()
            idata = nutpie.sample(
                compiled, draws=draws, tune=tune, seed=seed_main, store_unconstrained=extend, save_warmup=False, **r
            )
            timing["main_sampling_seconds"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            _add_deterministics(idata, model)
            timing["deterministics_seconds"] += time.perf_counter() - t0
            for k in range(config.extend_rounds + 1 if extend else 0):
                t0 = time.perf_counter()
                d = (check or diagnostics)(idata)  # ~1.2 s for ~970 quantities
                timing["check_seconds"] += time.perf_counter() - t0
                if converged(d) or k == config.extend_rounds:
                    return idata, d
                t0 = time.perf_counter()
                idata = _extend(
                    idata,
                    base,
                    compiled,
                    draws=draws,
                    tune=config.extend_tune,
                    seed=seed_main + 20_000 * (k + 1),
                    run=r,
                    model=model,
                )
                timing["extension_rounds"] += 1.0
                timing["extension_seconds"] = timing.get("extension_seconds", 0.0) + time.perf_counter() - t0
            return idata, None

        idata, checked = main_run(run["target_accept"], seed)
        timing["target_accept"] = float(run["target_accept"])  # of the returned draws
        if checked is not None and config.retry_target_accept > run["target_accept"] and not converged_cleanly(checked):
            # divergences, or R-hat still above the bar after the extension rounds: the chains met
            # curvature their step size cannot follow (a funnel the data leave half-identified).
            # A new main run with smaller steps, same preconditioner, replaces this one.
            timing["retry_target_accept"] = float(config.retry_target_accept)
            t0 = time.perf_counter()
            idata, checked = main_run(config.retry_target_accept, seed + 30_000)
            timing["target_accept"] = float(config.retry_target_accept)
            timing["retry_seconds"] = time.perf_counter() - t0
        # the sampler-space draws the extension rounds start from, their copy in the sample stats,
        # and the main run's tuning steps of them (nutpie keeps those even without save_warmup)
        for group in ("unconstrained_posterior", "warmup_unconstrained_posterior"):
            if group in idata.children:
                del idata[group]
        if "unconstrained_draw" in idata["sample_stats"].data_vars:
            idata["sample_stats"] = idata["sample_stats"].to_dataset().drop_vars("unconstrained_draw")
        if checked is not None:  # of the returned draws
            idata.attrs["diagnostics"] = json.dumps(checked)
        # pilot and extension included; the convergence check (diagnostics, not sampling) is not
        timing["sampling_seconds"] = time.perf_counter() - t_sampling - timing["check_seconds"]
    elif sampler == "pymc":
        t0 = time.perf_counter()
        idata = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=_cores(chains),
            random_seed=seed,
            nuts_sampler="pymc",
            progressbar=progressbar,
            model=model,
            target_accept=config.target_accept,
            compute_convergence_checks=False,
            quiet=True,
        )
        total = time.perf_counter() - t0
        st = idata["posterior"].attrs.get("sampling_time", None)
        timing["sampling_seconds"] = float(st) if st is not None else total
        timing["compile_seconds"] = max(0.0, total - timing["sampling_seconds"])
    else:
        raise ForecastError(f"sampler '{sampler}' is not one of nutpie, pymc")
    return idata, timing
