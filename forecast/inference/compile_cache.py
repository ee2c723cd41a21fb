"""The compile cache: nutpie's C callbacks for a PyMC model, compiled once per graph and reused
across processes, plus the whitened (preconditioned) callbacks the sampler runs on.

Why. ``nutpie.compile_pymc_model`` (numba backend) wraps PyTensor's log density in a numba
``cfunc`` that closes over process-local objects (the shared data and the function), so numba
cannot cache it: every new process spent 13-14 s of a 20-25 s compile on that wrapper, although
PyTensor's own numba cache already held the log density. ``compile_model`` builds the same two C
callbacks nutpie's sampler calls (log density with gradient, and "expand" to the stored
variables) from generated source registered with PyTensor's numba cache under a key derived from
the graph, with the shared data read through a pointer table instead of closed over. A process
that compiles a graph already seen loads them from disk, and skips PyTensor's graph rewrites
when the graph before rewrites has a known key (``graph_key``). The sampler is nutpie's.

Private symbols it relies on (pinned: ``nutpie>=0.16,<0.17``, ``pytensor>=3.3,<3.4``,
``numba>=0.61,<0.69`` in pyproject.toml):

- ``nutpie.compile_pymc._make_functions``, ``_wrap_with_lock``, ``_prepare_dims_and_coords``,
  ``_rv_dict_to_flat_array_wrapper`` and the fields of ``CompiledPyMCModel`` (a frozen dataclass
  this module subclasses to carry the preconditioned callbacks);
- ``pytensor.link.numba.cache.CACHED_SRC_FUNCTIONS``, ``compile_numba_function_src`` and
  ``NUMBA_CACHE_PATH``, and the numba VM's ``jit_fn`` of a compiled PyTensor function.

Upstream changes that would retire it: nutpie caching its own wrapper on disk (the callbacks
reading shared data through ``user_data`` instead of closures), and ``nutpie.sample`` accepting a
fixed dense preconditioner (mass matrix). Until then it is quarantined here:

- ``FORECAST_COMPILE_CACHE=0`` turns it off: ``compile_model`` then returns nutpie's own compile
  (path ``nutpie``), which samples without the preconditioner;
- if an internal has moved, or the graph has inputs it does not handle, it falls back to the same
  public path and warns (``CompileCacheFallback``); every fit records the path (attrs
  ``compile_path`` and ``preconditioned``; ``forecast fit --json`` under ``"sampler"``).
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import time
import warnings
from typing import Any

import numpy as np
from numba.extending import intrinsic

from .graph_key import _Unkeyable, graph_key

#: Part of the cache key: bump when the generated source below changes.
_SOURCE_VERSION = "forecast-cfunc-v3"

#: The C signatures of the two callbacks, for calling them from Python:
#: logp(dim, x, out_grad, out_logp, table) and expand(dim, n_expanded, x, out, table).
LOGP_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int64, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p
)
EXPAND_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int64, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p
)


#: Environment variable: ``0`` (or ``false``, ``no``, ``off``) turns the compile cache off.
CACHE_ENV = "FORECAST_COMPILE_CACHE"


class CompileCacheFallback(RuntimeWarning):
    """The compile cache could not be used: the fit samples through nutpie's own compile,
    without the preconditioner (slower to converge)."""


def cache_enabled() -> bool:
    """False when ``$FORECAST_COMPILE_CACHE`` is 0, false, no or off."""
    return os.environ.get(CACHE_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def nutpie_module():
    """nutpie (imported on first use: the CLI's data commands never need it)."""
    import nutpie

    return nutpie


@intrinsic
def _as_voidptr(typingctx, address):
    """An integer memory address as a ``void*`` (for ``numba.carray``)."""
    from numba.core import cgutils, types

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], cgutils.voidptr_t)

    return types.voidptr(address), codegen


_NUMBA_DTYPES = {
    np.dtype("float64"): "np.float64",
    np.dtype("int64"): "np.int64",
    np.dtype("int32"): "np.int32",
    np.dtype("bool"): "np.bool_",
    np.dtype("uint8"): "np.uint8",
}


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


def _callback_source(
    kind: str, arrays: list[np.ndarray], first: int, n_table: int, n_dim: int, n_expanded: int, pre: int | None = None
) -> str:
    unpack, names = _unpack_lines(arrays, first)
    args = ", ".join(["x", *names])
    head = [f"        table = numba.carray(user_data_, ({n_table},), np.uint64)", *unpack, *_affine_lines(n_dim, pre)]
    if kind == "logp":
        if pre is None:
            store_grad = ["        out[...] = grad"]
        else:  # chain rule: d logp / du = L^T d logp / dx
            store_grad = ["        out[...] = np.dot(np.ascontiguousarray(grad), chol)"]
        return "\n".join(
            [
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
            ]
        )
    return "\n".join(
        [
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
        ]
    )


class _CacheMiss(Exception):
    """A callback looked up by key alone (no PyTensor function to compile it from) is not on disk."""


def _cached_callback(
    kind: str,
    jit_fn,
    arrays: list[np.ndarray],
    first: int,
    n_table: int,
    n_dim: int,
    n_expanded: int,
    pre: int | None = None,
    graph_key: str | None = None,
):
    """A numba ``cfunc`` calling PyTensor's ``jit_fn``, cached on disk under a key: from
    ``graph_key`` (``graph_key()``: the graph before PyTensor's rewrites) when given, else from
    PyTensor's own key for the rewritten graph. ``jit_fn=None`` only loads: ``_CacheMiss`` when
    the cache does not hold it. Returns (cfunc, cached)."""
    import numba
    from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS, compile_numba_function_src

    base = f"graph:{graph_key}" if graph_key else (CACHED_SRC_FUNCTIONS.get(jit_fn.py_func) if jit_fn else None)
    src = _callback_source(kind, arrays, first, n_table, n_dim, n_expanded, pre)
    key = None
    if base is not None:
        import hashlib

        import pytensor

        parts = [_SOURCE_VERSION, numba.__version__, pytensor.__version__, base, src]
        key = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    name = "forecast_logp" if kind == "logp" else "forecast_expand"
    py_func = compile_numba_function_src(
        src, name, global_env=globals() | {"numba": numba, "inner": jit_fn}, cache_key=key
    )
    u64, f64p = numba.types.uint64, numba.types.CPointer(numba.types.double)
    if kind == "logp":
        sig = numba.types.int64(u64, f64p, f64p, f64p, numba.types.voidptr)
    else:
        sig = numba.types.int64(u64, u64, f64p, f64p, numba.types.voidptr)
    if jit_fn is None:
        if key is None:
            raise _CacheMiss("no key")
        try:
            cf = numba.cfunc(sig, cache=True)(py_func)
        except Exception as exc:  # noqa: BLE001 - not on disk: numba tried to compile without ``inner``
            raise _CacheMiss(str(exc)[:200]) from exc
        if not cf.cache_hits:
            raise _CacheMiss("compiled, not loaded")
        return cf, True
    if key is not None:
        try:
            return numba.cfunc(sig, cache=True)(py_func), True
        except Exception:  # noqa: BLE001 - an unreadable cache entry: compile in process instead
            pass
    return numba.cfunc(sig)(py_func), False


def _meta_path(key: str):
    from pytensor.link.numba.cache import NUMBA_CACHE_PATH

    return NUMBA_CACHE_PATH / "forecast" / f"{key}.json"


def _model_graphs(model, var_names):
    """The log density and the stored variables as PyTensor builds them, before rewrites, with
    the free value variables as inputs (what ``nutpie``'s ``_make_functions`` compiles)."""
    value_vars = [model.rvs_to_values[v] for v in model.free_RVs]
    names = {v.name for v in value_vars}
    wanted = set(var_names) if var_names is not None else None
    expand = [v for v in model.unobserved_value_vars if v.name not in names and (wanted is None or v.name in wanted)]
    return model.logp(), expand, value_vars


class _Reference:
    """PyTensor's evaluation of the graphs before rewrites (Python linker, compiled on first
    use): ``logp_func(x) -> (logp, grad)`` and ``expand_func(x) -> [values]`` of the flat point
    ``x``, standing in for nutpie's compiled PyTensor functions when the callbacks came from the
    disk cache without them."""

    def __init__(self, logp, expand, value_vars, slices, shapes):
        self._logp, self._expand, self._vars = logp, expand, value_vars
        self._slices, self._shapes = slices, shapes
        self._fns: dict[str, Any] = {}

    def _fn(self, kind: str):
        if kind not in self._fns:
            import pytensor
            import pytensor.tensor as pt
            from pytensor.compile.mode import Mode

            mode = Mode(linker="py", optimizer=None)
            if kind == "logp":
                outs = [self._logp]
            elif kind == "dlogp":
                outs = [self._logp, *pt.grad(self._logp, self._vars)]
            else:
                outs = [*self._vars, *self._expand]
            self._fns[kind] = pytensor.function(self._vars, outs, mode=mode, on_unused_input="ignore")
        return self._fns[kind]

    def _split(self, x):
        x = np.asarray(x, dtype=np.float64)
        return [x[sl].reshape(shape) for sl, shape in zip(self._slices, self._shapes)]

    def logp(self, x) -> float:
        return float(self._fn("logp")(*self._split(x))[0])

    def logp_func(self, x):
        out = self._fn("dlogp")(*self._split(x))
        return out[0], np.concatenate([np.ravel(g) for g in out[1:]])

    def expand_func(self, x):
        return [np.concatenate([np.ravel(v) for v in self._fn("expand")(*self._split(x))])]


def _verify(compiled, reference: _Reference, x: np.ndarray) -> None:
    """The loaded callbacks against PyTensor at ``x``: the log density, the gradient along a
    random direction by central differences, and the stored variables. Raises ``_CacheMiss`` on
    a mismatch."""
    logp_grad = gradient_function(compiled)
    lp, grad = logp_grad(x)
    ref = reference.logp(x)
    if not np.isclose(lp, ref, rtol=1e-8, atol=1e-8):
        raise _CacheMiss(f"cached log density {lp} != {ref}")
    v = np.random.default_rng(0).normal(size=len(x))
    v /= np.linalg.norm(v)
    h = 1e-5
    fd = (logp_grad(x + h * v)[0] - logp_grad(x - h * v)[0]) / (2 * h)
    if not np.isclose(fd, grad @ v, rtol=1e-4, atol=1e-6 * max(1.0, abs(lp))):
        raise _CacheMiss(f"cached gradient {grad @ v} != finite difference {fd}")
    expand = EXPAND_CALLBACK(compiled.compiled_expand_func.address)
    x = np.ascontiguousarray(x, dtype=np.float64)
    out = np.zeros(compiled.n_expanded)
    rc = expand(compiled.n_dim, compiled.n_expanded, x.ctypes.data, out.ctypes.data, compiled.user_data.ctypes.data)
    want = reference.expand_func(x)[0]
    if rc != 0 or out.shape != want.shape or not np.allclose(out, want, rtol=1e-8, atol=1e-10):
        raise _CacheMiss("cached stored-variable values differ from PyTensor's")


def _compiled_class():
    """nutpie's ``CompiledPyMCModel`` with the preconditioned callbacks attached (same sampler)."""
    global _COMPILED
    if _COMPILED is None:
        from nutpie.compile_pymc import CompiledPyMCModel

        @dataclasses.dataclass(frozen=True)
        class ForecastCompiledModel(CompiledPyMCModel):
            #: (logp, expand) callbacks taking ``mu`` and ``L`` from table entries after the data
            preconditioned_funcs: Any = None

        _COMPILED = ForecastCompiledModel
    return _COMPILED


_COMPILED = None


def compile_model(
    model, var_names: list[str] | None = None, initial_point_fn=None, graph_cache: bool = True
) -> tuple[Any, dict[str, Any]]:
    """Return (nutpie compiled model, info). ``info`` has ``path`` ("cached-graph": loaded from
    disk by the key of the graph before rewrites, skipping PyTensor's rewrites; "cached-cfunc":
    compiled through PyTensor; "nutpie": nutpie's own compile, as a fallback), ``graph_seconds``
    (PyTensor graph build and rewrites), ``jit_seconds`` (numba: under a second on a cache
    hit), ``cached`` (the callbacks have a disk-cache key) and ``cache_hit`` (they were loaded
    from disk). ``initial_point_fn(seed) -> {value var name: array}`` (transformed space)
    replaces PyMC's jittered default start, e.g. to start each chain at a draw of an earlier
    posterior. ``graph_cache=False`` always takes the full path (and refreshes the entry).

    The returned model also carries the preconditioned callbacks (``with_preconditioner``)
    and, as ``logp_func``/``expand_func``, PyTensor's functions (or, on the "cached-graph"
    path, an unrewritten Python-linker equivalent compiled on first use, for checks)."""
    import json

    nutpie = nutpie_module()
    info: dict[str, Any] = {}
    t0 = time.perf_counter()

    def fallback(reason: str, warn: bool = True):
        if warn:
            warnings.warn(
                f"compile cache not used ({reason}): sampling through nutpie's own compile, "
                f"without the preconditioner; set {CACHE_ENV}=0 to choose this path quietly",
                CompileCacheFallback,
                stacklevel=3,
            )
        compiled = nutpie.compile_pymc_model(model, var_names=var_names)
        info.update(
            path="nutpie",
            reason=reason,
            graph_seconds=time.perf_counter() - t0,
            jit_seconds=0.0,
            cached=False,
            cache_hit=False,
        )
        return compiled, info

    if not cache_enabled():
        return fallback(f"{CACHE_ENV}=0", warn=False)

    try:
        from nutpie import compile_pymc as C
        from pymc.initial_point import make_initial_point_fn

        make_functions, wrap_with_lock = C._make_functions, C._wrap_with_lock
        dims_and_coords, flat_wrapper = C._prepare_dims_and_coords, C._rv_dict_to_flat_array_wrapper
        Compiled = _compiled_class()
    except (ImportError, AttributeError) as exc:  # nutpie's internals moved: its public path
        return fallback(f"nutpie internals: {exc}")

    point_fn = wrap_with_lock(
        initial_point_fn
        or make_initial_point_fn(
            model=model, jitter_rvs=set(model.free_RVs), default_strategy="support_point", return_transformed=True
        )
    )
    logp, expand, value_vars = _model_graphs(model, var_names)
    start = point_fn(0)
    try:
        import pytensor

        versions = [
            _SOURCE_VERSION,
            pytensor.__version__,
            nutpie.__version__,
            repr(var_names),
            repr((model.check_bounds, pytensor.config.floatX, pytensor.config.numba__fastmath)),
            repr([(v.name, np.shape(start[v.name])) for v in value_vars]),
        ]
        key, shared = graph_key([logp, *expand], value_vars, versions)
    except (_Unkeyable, KeyError) as exc:
        key, shared, info["unkeyed"] = None, {}, str(exc)[:200]
    info["graph_key"] = key

    def build(arrays, logp_cf, expand_cf, pre_funcs, n_dim, n_expanded, shape_info, reparam, logp_func, expand_func):
        dims, coords = dims_and_coords(model, shape_info, reparam)
        names, slices, shapes = shape_info
        init_flat = flat_wrapper(
            point_fn,
            names=[n for n, sl in zip(names, slices) if sl.start < n_dim],
            shapes=[sh for sh, sl in zip(shapes, slices) if sl.start < n_dim],
        )
        return Compiled(
            compiled_logp_func=logp_cf,
            compiled_expand_func=expand_cf,
            initial_point_func=init_flat,
            shared_data={f"s{k}": a for k, a in enumerate(arrays)},  # keeps the arrays alive
            shared_var_keys={},  # so with_data() refuses: the table would not follow
            user_data=_shared_table(arrays),
            n_expanded=n_expanded,
            shape_info=shape_info,
            logp_func=logp_func,
            expand_func=expand_func,
            _n_dim=n_dim,
            _shapes={name: tuple(shape) for name, _, shape in zip(*shape_info)},
            _coords=coords,
            dims=dims,
            reparameterized_names=reparam,
            preconditioned_funcs=pre_funcs,
        )

    def callbacks(jit_l, jit_e, arrays, n_logp, n_dim, n_expanded):
        """Plain and preconditioned (logp, expand) callbacks, and whether all were cached/hit."""
        n_table = 2 * len(arrays)
        la, ea = arrays[:n_logp], arrays[n_logp:]
        out, cached, hits = [], True, True
        for pre, table in [(None, n_table), (len(arrays), n_table + 4)]:
            lf, cl = _cached_callback("logp", jit_l, la, 0, table, n_dim, n_expanded, pre, key)
            ef, ce = _cached_callback("expand", jit_e, ea, n_logp, table, n_dim, n_expanded, pre, key)
            out.append((lf, ef))
            cached, hits = cached and cl and ce, hits and bool(lf.cache_hits and ef.cache_hits)
        return out, cached, hits

    # ---- the shortcut: callbacks and layout from disk, by the key of the unrewritten graph ----
    meta_file = _meta_path(key) if key else None
    if graph_cache and meta_file is not None and meta_file.exists():
        try:
            meta = json.loads(meta_file.read_text())
            arrays = [np.array(shared[n].get_value(), order="C", copy=True) for n in meta["shared"]]
            if [a.dtype.str for a in arrays] != meta["dtypes"]:
                raise _CacheMiss("data types differ")
            info["graph_seconds"] = time.perf_counter() - t0
            t1 = time.perf_counter()
            (plain, pre), _, _ = callbacks(None, None, arrays, meta["n_logp"], meta["n_dim"], meta["n_expanded"])
            shape_info = (meta["names"], [slice(a, b) for a, b in meta["slices"]], [tuple(s) for s in meta["shapes"]])
            reference = _Reference(
                logp, expand, value_vars, shape_info[1][: len(value_vars)], shape_info[2][: len(value_vars)]
            )
            compiled = build(
                arrays,
                *plain,
                pre,
                meta["n_dim"],
                meta["n_expanded"],
                shape_info,
                meta["reparam"],
                reference.logp_func,
                reference.expand_func,
            )
            _verify(compiled, reference, np.asarray(compiled.initial_point_func(0), dtype=np.float64))
            info.update(path="cached-graph", jit_seconds=time.perf_counter() - t1, cached=True, cache_hit=True)
            return compiled, info
        except (_CacheMiss, KeyError, ValueError, OSError) as exc:
            info["shortcut_failed"] = str(exc)[:200]
            meta_file.unlink(missing_ok=True)
            key = None  # compile below under PyTensor's own keys, not the suspect ones
            meta_file = None
            t0 = time.perf_counter()

    # ---- the full path: PyTensor's rewrites, then the callbacks (cached for the next process) ----
    n_dim, n_expanded, logp_pt, expand_pt, init_fn, shape_info, reparam = make_functions(
        model, mode="NUMBA", compute_grad=True, join_expanded=True, pymc_initial_point_fn=point_fn, var_names=var_names
    )
    info["graph_seconds"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    logp_shared, expand_shared = logp_pt.get_shared(), expand_pt.get_shared()
    arrays = [np.array(v.get_value(), order="C", copy=True) for v in [*logp_shared, *expand_shared]]
    if any(a.dtype not in _NUMBA_DTYPES or a.ndim > 1 for a in arrays):
        return fallback("shared data of an unsupported dtype or rank")
    n_logp = len(logp_shared)
    (plain, pre), cached, hits = callbacks(logp_pt.vm.jit_fn, expand_pt.vm.jit_fn, arrays, n_logp, n_dim, n_expanded)
    info["jit_seconds"] = time.perf_counter() - t0
    info["cached"], info["cache_hit"] = cached, hits
    compiled = build(arrays, *plain, pre, n_dim, n_expanded, shape_info, reparam, logp_pt, expand_pt)
    names = [v.name for v in [*logp_shared, *expand_shared]]
    if (
        meta_file is not None
        and cached
        and all(shared.get(n) is v for n, v in zip(names, [*logp_shared, *expand_shared]))
    ):
        meta = {
            "shared": names,
            "dtypes": [a.dtype.str for a in arrays],
            "n_logp": n_logp,
            "n_dim": int(n_dim),
            "n_expanded": int(n_expanded),
            "names": list(shape_info[0]),
            "slices": [[int(sl.start), int(sl.stop)] for sl in shape_info[1]],
            "shapes": [list(map(int, sh)) for sh in shape_info[2]],
            "reparam": list(reparam),
        }
        try:
            meta_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = meta_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(meta))
            os.replace(tmp, meta_file)
        except OSError:
            pass
    info["path"] = "cached-cfunc"
    return compiled, info


def with_preconditioner(compiled, mu: np.ndarray, chol: np.ndarray, initial_point=None) -> tuple[Any, dict[str, Any]]:
    """``compiled`` (from ``compile_model``) sampled in whitened coordinates ``u`` with
    ``x = mu + chol @ u``: a fixed dense preconditioner, for example the Cholesky factor of an
    earlier posterior's covariance in the sampler's space. nutpie then adapts its diagonal mass
    matrix and step size on ``u``; the stored draws are of ``x``, as without it. A correlated
    posterior (a ridge) becomes close to isotropic, so trajectories need fewer steps and
    successive draws are less dependent. Uses the preconditioned callbacks ``compile_model``
    built (they read ``mu`` and ``chol`` from the pointer table). ``initial_point(seed) ->
    flat x`` replaces the compiled model's start (for example a draw of the run that gave the
    covariance). Returns (compiled, info)."""
    from scipy.linalg import solve_triangular

    t0 = time.perf_counter()
    n_dim = compiled.n_dim
    mu = np.ascontiguousarray(mu, dtype=np.float64)
    chol = np.ascontiguousarray(np.tril(chol), dtype=np.float64)
    if mu.shape != (n_dim,) or chol.shape != (n_dim, n_dim) or not np.all(np.isfinite(chol)):
        raise ValueError(f"preconditioner shapes {mu.shape}, {chol.shape} do not match {n_dim} dimensions")
    if not np.all(np.diag(chol) > 0):
        raise ValueError("the preconditioner's Cholesky factor needs a positive diagonal")
    if getattr(compiled, "preconditioned_funcs", None) is None:
        raise ValueError("the compiled model has no preconditioned callbacks (not from compile_model)")
    logp_cf, expand_cf = compiled.preconditioned_funcs
    arrays = [compiled.shared_data[f"s{k}"] for k in range(len(compiled.shared_data))]
    init = initial_point or compiled.initial_point_func

    def start_u(seed):  # the start in the sampler's coordinates
        return solve_triangular(chol, np.asarray(init(seed), dtype=np.float64) - mu, lower=True)

    out = dataclasses.replace(  # everything else (shapes, coords, PyTensor functions) as in ``compiled``
        compiled,
        compiled_logp_func=logp_cf,
        compiled_expand_func=expand_cf,
        initial_point_func=start_u,
        shared_data={**compiled.shared_data, "mu": mu, "chol": chol},
        user_data=_shared_table([*arrays, mu, chol.ravel()]),
        preconditioned_funcs=None,
    )
    info = {
        "path": "cached-cfunc-preconditioned",
        "jit_seconds": time.perf_counter() - t0,
        "cached": True,
        "cache_hit": True,
    }
    return out, info


def gradient_function(compiled):
    """``x -> (log density, gradient)`` through ``compiled``'s C callback (``compile_model``'s
    path). The call releases the GIL, so threads evaluate points in parallel."""
    cfunc = LOGP_CALLBACK(compiled.compiled_logp_func.address)
    n, table = compiled.n_dim, compiled.user_data

    def logp_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
        x = np.ascontiguousarray(x, dtype=np.float64)
        out, lp = np.zeros(n), np.zeros(())
        rc = cfunc(n, x.ctypes.data, out.ctypes.data, lp.ctypes.data, table.ctypes.data)
        if rc != 0:
            raise FloatingPointError(f"log density callback failed (code {rc})")
        return float(lp), out

    return logp_grad
