"""Compile a PyMC model for nutpie so that its machine code is reused across processes.

``nutpie.compile_pymc_model`` (numba backend) wraps PyTensor's log-density function in a numba
``cfunc`` that refers to process-local objects ("dynamic globals": the shared data and the
function are closed over), so numba cannot cache it. On the bundled data every new process spent
13-14 s of a 20-25 s compile on that wrapper, although PyTensor's own numba cache already held
the log density.

``compile_model`` builds the same two C callbacks nutpie's sampler calls (log density with
gradient, and "expand" to the stored variables), but from generated source registered with
PyTensor's numba cache under a key derived from PyTensor's key for the graph, and with the shared
data read through a pointer table instead of closed over. The callbacks are then cacheable: a
process that compiles a graph already seen loads them from disk. The sampler itself is nutpie's,
unchanged (``nutpie.compile_pymc.CompiledPyMCModel``).

What remains per process is PyTensor's graph construction and rewriting (about 7 s here). A
graph with other constants (data values baked in, other dimension sizes) gets another key and
compiles afresh, so ``forecast.model.build_model`` passes the data as ``pm.Data``.

Uses private helpers of nutpie 0.16 (``_make_functions``, ``_wrap_with_lock``,
``_prepare_dims_and_coords``, ``CompiledPyMCModel``). If they are missing, or the graph has
inputs this module does not handle, ``compile_model`` falls back to ``nutpie.compile_pymc_model``
and says so in the returned info.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
from numba.extending import intrinsic

#: Part of the cache key: bump when the generated source below changes.
_SOURCE_VERSION = "forecast-cfunc-v2"


@intrinsic
def _as_voidptr(typingctx, address):
    """An integer memory address as a ``void*`` (for ``numba.carray``)."""
    from numba.core import cgutils, types

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], cgutils.voidptr_t)

    return types.voidptr(address), codegen


_NUMBA_DTYPES = {np.dtype("float64"): "np.float64", np.dtype("int64"): "np.int64",
                 np.dtype("int32"): "np.int32", np.dtype("bool"): "np.bool_", np.dtype("uint8"): "np.uint8"}


def _shared_table(arrays: list[np.ndarray]) -> np.ndarray:
    """The pointer table the callbacks read: for array k, entries 2k (address) and 2k+1 (length)."""
    table = np.zeros(max(1, 2 * len(arrays)), dtype=np.uint64)
    for k, a in enumerate(arrays):
        table[2 * k] = a.ctypes.data
        table[2 * k + 1] = a.size
    return table


def _unpack_lines(arrays: list[np.ndarray], first: int) -> tuple[list[str], list[str]]:
    """Source lines binding ``s0, s1, ...`` to table entries ``first, first + 1, ...``."""
    lines, names = [], []
    for k, a in enumerate(arrays):
        dt, i = _NUMBA_DTYPES[a.dtype], first + k
        shape = "()" if a.ndim == 0 else f"(table[{2 * i + 1}],)"
        lines.append(f"        s{k} = numba.carray(_as_voidptr(table[{2 * i}]), {shape}, {dt})")
        names.append(f"s{k}")
    return lines, names


def _affine_lines(n_dim: int, pre: int | None) -> list[str]:
    """Source lines mapping the sampler's point ``u`` to the model's ``x = mu + L u`` (``L``
    lower triangular, table entries ``pre`` and ``pre + 1``); without ``pre``, ``x = u``."""
    if pre is None:
        return [f"        x = numba.carray(x_, ({n_dim},))"]
    return [
        f"        u = numba.carray(x_, ({n_dim},))",
        f"        mu = numba.carray(_as_voidptr(table[{2 * pre}]), ({n_dim},), np.float64)",
        f"        chol = numba.carray(_as_voidptr(table[{2 * (pre + 1)}]), ({n_dim}, {n_dim}), np.float64)",
        "        x = mu + np.dot(chol, u)",
    ]


def _callback_source(kind: str, arrays: list[np.ndarray], first: int, n_table: int, n_dim: int,
                     n_expanded: int, pre: int | None = None) -> str:
    unpack, names = _unpack_lines(arrays, first)
    args = ", ".join(["x", *names])
    head = [f"        table = numba.carray(user_data_, ({n_table},), np.uint64)", *unpack,
            *_affine_lines(n_dim, pre)]
    if kind == "logp":
        if pre is None:
            store_grad = ["        out[...] = grad"]
        else:  # chain rule: d logp / du = L^T d logp / dx
            store_grad = ["        out[...] = np.dot(grad, chol)"]
        return "\n".join([
            "def forecast_logp(dim, x_, out_, logp_, user_data_):",
            f"    if dim != {n_dim}:",
            "        return -1",
            "    try:",
            *head,
            f"        out = numba.carray(out_, ({n_dim},))",
            "        logp = numba.carray(logp_, ())",
            f"        value, grad = inner({args})",
            "        logp[()] = value",
            *store_grad,
            "        if not np.all(np.isfinite(out)):",
            "            return 3",
            "        if not np.isfinite(value):",
            "            return 4",
            "    except Exception:  # noqa: BLE001",
            "        return 1",
            "    return 0",
        ])
    return "\n".join([
        "def forecast_expand(dim, expanded, x_, out_, user_data_):",
        f"    if dim != {n_dim} or expanded != {n_expanded}:",
        "        return -1",
        "    try:",
        *head,
        f"        out = numba.carray(out_, ({n_expanded},))",
        f"        (values,) = inner({args})",
        "        out[...] = values",
        "    except Exception:  # noqa: BLE001",
        "        return -2",
        "    return 0",
    ])


def _cached_callback(kind: str, jit_fn, arrays: list[np.ndarray], first: int, n_table: int, n_dim: int,
                     n_expanded: int, pre: int | None = None):
    """A numba ``cfunc`` calling PyTensor's ``jit_fn``, cached on disk when PyTensor keyed the
    graph. Returns (cfunc, cached)."""
    import numba
    from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS, compile_numba_function_src

    inner_key = CACHED_SRC_FUNCTIONS.get(jit_fn.py_func)
    src = _callback_source(kind, arrays, first, n_table, n_dim, n_expanded, pre)
    key = None
    if inner_key is not None:
        import hashlib

        import pytensor

        parts = [_SOURCE_VERSION, numba.__version__, pytensor.__version__, inner_key, src]
        key = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    name = "forecast_logp" if kind == "logp" else "forecast_expand"
    py_func = compile_numba_function_src(src, name, global_env=globals() | {"numba": numba, "inner": jit_fn},
                                         cache_key=key)
    u64, f64p = numba.types.uint64, numba.types.CPointer(numba.types.double)
    if kind == "logp":
        sig = numba.types.int64(u64, f64p, f64p, f64p, numba.types.voidptr)
    else:
        sig = numba.types.int64(u64, u64, f64p, f64p, numba.types.voidptr)
    if key is not None:
        try:
            return numba.cfunc(sig, cache=True)(py_func), True
        except Exception:  # noqa: BLE001 - an unreadable cache entry: compile in process instead
            pass
    return numba.cfunc(sig)(py_func), False


def compile_model(model, var_names: list[str] | None = None, initial_point_fn=None) -> tuple[Any, dict[str, Any]]:
    """Return (nutpie compiled model, info). ``info`` has ``path`` ("cached-cfunc" or
    "nutpie"), ``graph_seconds`` (PyTensor graph build and rewrites), ``jit_seconds`` (numba:
    under a second on a cache hit), ``cached`` (the callbacks have a disk-cache key) and
    ``cache_hit`` (both were loaded from disk). ``initial_point_fn(seed) -> {value var name:
    array}`` (transformed space) replaces PyMC's jittered default start, e.g. to start each chain
    at a draw of an earlier posterior."""
    import nutpie

    info: dict[str, Any] = {}
    t0 = time.perf_counter()

    def fallback(reason: str):
        compiled = nutpie.compile_pymc_model(model, var_names=var_names)
        info.update(path="nutpie", reason=reason, graph_seconds=time.perf_counter() - t0, jit_seconds=0.0,
                    cached=False)
        return compiled, info

    try:
        from nutpie import compile_pymc as C
        from pymc.initial_point import make_initial_point_fn

        make_functions, wrap_with_lock = C._make_functions, C._wrap_with_lock
        dims_and_coords, Compiled = C._prepare_dims_and_coords, C.CompiledPyMCModel
    except (ImportError, AttributeError) as exc:  # nutpie's internals moved: its public path
        return fallback(f"nutpie internals: {exc}")

    point_fn = wrap_with_lock(initial_point_fn or make_initial_point_fn(
        model=model, jitter_rvs=set(model.free_RVs), default_strategy="support_point", return_transformed=True))
    n_dim, n_expanded, logp_pt, expand_pt, init_fn, shape_info, reparam = make_functions(
        model, mode="NUMBA", compute_grad=True, join_expanded=True, pymc_initial_point_fn=point_fn,
        var_names=var_names)
    info["graph_seconds"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    logp_arrays = [np.array(v.get_value(), order="C", copy=True) for v in logp_pt.get_shared()]
    expand_arrays = [np.array(v.get_value(), order="C", copy=True) for v in expand_pt.get_shared()]
    if any(a.dtype not in _NUMBA_DTYPES or a.ndim > 1 for a in [*logp_arrays, *expand_arrays]):
        return fallback("shared data of an unsupported dtype or rank")
    # nutpie hands both callbacks the same user-data pointer: one table, logp arrays first
    arrays = [*logp_arrays, *expand_arrays]
    n_table = max(1, 2 * len(arrays))
    logp_cf, cached_l = _cached_callback("logp", logp_pt.vm.jit_fn, logp_arrays, 0, n_table, n_dim, n_expanded)
    expand_cf, cached_e = _cached_callback("expand", expand_pt.vm.jit_fn, expand_arrays, len(logp_arrays), n_table,
                                           n_dim, n_expanded)
    info["jit_seconds"] = time.perf_counter() - t0
    info["cached"] = cached_l and cached_e
    info["cache_hit"] = bool(logp_cf.cache_hits and expand_cf.cache_hits)

    dims, coords = dims_and_coords(model, shape_info, reparam)
    compiled = Compiled(
        compiled_logp_func=logp_cf, compiled_expand_func=expand_cf, initial_point_func=init_fn,
        shared_data={f"s{k}": a for k, a in enumerate(arrays)},  # keeps the arrays alive
        shared_var_keys={},  # so with_data() refuses: the table would not follow
        user_data=_shared_table(arrays), n_expanded=n_expanded, shape_info=shape_info,
        logp_func=logp_pt, expand_func=expand_pt, _n_dim=n_dim,
        _shapes={name: tuple(shape) for name, _, shape in zip(*shape_info)}, _coords=coords,
        dims=dims, reparameterized_names=reparam)
    info["path"] = "cached-cfunc"
    return compiled, info


def with_preconditioner(compiled, mu: np.ndarray, chol: np.ndarray, initial_point=None) -> tuple[Any, dict[str, Any]]:
    """``compiled`` (from ``compile_model``) sampled in whitened coordinates ``u`` with
    ``x = mu + chol @ u``: a fixed dense preconditioner, for example the Cholesky factor of an
    earlier posterior's covariance in the sampler's space. nutpie then adapts its diagonal mass
    matrix and step size on ``u``; the stored draws are of ``x``, as without it. A correlated
    posterior (a ridge) becomes close to isotropic, so trajectories need fewer steps and
    successive draws are less dependent. Reuses the compiled PyTensor graph; the callbacks are
    cached on disk like ``compile_model``'s. ``initial_point(seed) -> flat x`` replaces the
    compiled model's start (for example a draw of the run that gave the covariance).
    Returns (compiled, info)."""
    from scipy.linalg import solve_triangular

    t0 = time.perf_counter()
    n_dim = compiled.n_dim
    mu = np.ascontiguousarray(mu, dtype=np.float64)
    chol = np.ascontiguousarray(np.tril(chol), dtype=np.float64)
    if mu.shape != (n_dim,) or chol.shape != (n_dim, n_dim) or not np.all(np.isfinite(chol)):
        raise ValueError(f"preconditioner shapes {mu.shape}, {chol.shape} do not match {n_dim} dimensions")
    if not np.all(np.diag(chol) > 0):
        raise ValueError("the preconditioner's Cholesky factor needs a positive diagonal")
    n_logp = len(compiled.logp_func.get_shared())
    arrays = [compiled.shared_data[f"s{k}"] for k in range(len(compiled.shared_data))]
    pre = len(arrays)  # mu and the flattened factor follow the data in the table
    table_arrays = [*arrays, mu, chol.ravel()]
    n_table = 2 * len(table_arrays)
    logp_cf, cached_l = _cached_callback("logp", compiled.logp_func.vm.jit_fn, arrays[:n_logp], 0, n_table,
                                         n_dim, compiled.n_expanded, pre)
    expand_cf, cached_e = _cached_callback("expand", compiled.expand_func.vm.jit_fn, arrays[n_logp:], n_logp,
                                           n_table, n_dim, compiled.n_expanded, pre)
    init = initial_point or compiled.initial_point_func

    def start_u(seed):  # the start in the sampler's coordinates
        return solve_triangular(chol, np.asarray(init(seed), dtype=np.float64) - mu, lower=True)

    out = dataclasses.replace(  # everything else (shapes, coords, PyTensor functions) as in ``compiled``
        compiled, compiled_logp_func=logp_cf, compiled_expand_func=expand_cf, initial_point_func=start_u,
        shared_data={**compiled.shared_data, "mu": mu, "chol": chol}, user_data=_shared_table(table_arrays))
    info = {"path": "cached-cfunc-preconditioned", "jit_seconds": time.perf_counter() - t0,
            "cached": cached_l and cached_e, "cache_hit": bool(logp_cf.cache_hits and expand_cf.cache_hits)}
    return out, info


def flat_unconstrained(idata, compiled) -> np.ndarray:
    """Draws of a nutpie run (``store_unconstrained=True``) as rows of the sampler's flat
    vector, in ``compiled``'s order: shape (chains * draws, n_dim)."""
    cols = []
    groups = [idata["unconstrained_posterior"], idata["posterior"]]
    for name, sl, _ in zip(*compiled.shape_info):
        if sl.start >= compiled.n_dim:
            break
        da = next(g[name] for g in groups if name in g.data_vars)
        cols.append(da.values.reshape(da.sizes["chain"] * da.sizes["draw"], -1))
    x = np.concatenate(cols, axis=1)
    if x.shape[1] != compiled.n_dim:
        raise ValueError(f"stored draws have {x.shape[1]} coordinates, the sampler {compiled.n_dim}")
    return x


def gradient_function(compiled):
    """``x -> (log density, gradient)`` through ``compiled``'s C callback (``compile_model``'s
    path). The call releases the GIL, so threads evaluate points in parallel."""
    import ctypes

    cfunc = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_void_p,
                             ctypes.c_void_p, ctypes.c_void_p)(compiled.compiled_logp_func.address)
    n, table = compiled.n_dim, compiled.user_data

    def logp_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
        x = np.ascontiguousarray(x, dtype=np.float64)
        out, lp = np.zeros(n), np.zeros(())
        rc = cfunc(n, x.ctypes.data, out.ctypes.data, lp.ctypes.data, table.ctypes.data)
        if rc != 0:
            raise FloatingPointError(f"log density callback failed (code {rc})")
        return float(lp), out

    return logp_grad


def laplace_precision(compiled, points: np.ndarray, step: float = 1e-4, workers: int = 2) -> np.ndarray:
    """Minus the Hessian of the log density, averaged over ``points`` (rows, the sampler's
    coordinates): central differences of the exact gradient, 2 n_dim gradients a point. The
    curvature of a ridge is exact here, where a few hundred correlated draws only estimate it."""
    from concurrent.futures import ThreadPoolExecutor

    logp_grad = gradient_function(compiled)
    n = compiled.n_dim

    def hessian(x):
        h = np.empty((n, n))
        for i in range(n):
            e = np.zeros(n)
            e[i] = step
            h[i] = (logp_grad(x + e)[1] - logp_grad(x - e)[1]) / (2 * step)
        return h

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        hs = list(pool.map(hessian, np.atleast_2d(points)))
    q = -np.mean(hs, axis=0)
    return 0.5 * (q + q.T)


def dense_preconditioner(x: np.ndarray, shrinkage: float, precision: np.ndarray | None = None,
                         min_precision: float = 1e-2) -> tuple[np.ndarray, np.ndarray]:
    """(mean, lower Cholesky factor) of draws ``x`` (n, n_dim): their covariance ``S`` shrunk
    towards a target ``T``, ``(1 - shrinkage) S + shrinkage T`` (a few hundred draws of a few
    hundred coordinates give a noisy estimate).

    - Without ``precision`` the target is ``S``'s diagonal: the correlations are shrunk towards
      zero. A coordinate without spread in ``x`` (one the chains never moved) gets unit
      variance and no correlation, so that the factorisation does not fail.
    - With ``precision`` (``laplace_precision``) the target is its inverse, eigenvalues below
      ``min_precision`` raised to it (at a non-concave point, or along a flat direction, the
      inverse would have an infinite variance)."""
    if not 0.0 <= shrinkage <= 1.0:
        raise ValueError(f"shrinkage {shrinkage} is not in [0, 1]")
    mu = x.mean(axis=0)
    s = np.atleast_2d(np.cov(x, rowvar=False))
    if precision is None:
        flat = ~(np.diag(s) > 1e-18)
        s[flat, :] = 0.0
        s[:, flat] = 0.0
        s[flat, flat] = 1.0
        target = np.diag(np.diag(s))
    else:
        w, v = np.linalg.eigh(0.5 * (precision + precision.T))
        target = (v / np.maximum(w, min_precision)) @ v.T
    return mu, np.linalg.cholesky((1.0 - shrinkage) * s + shrinkage * target)
