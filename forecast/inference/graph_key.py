"""A key for a PyTensor graph before its rewrites: two graphs with one key compile to the same
function, so the compile cache can load the callbacks of a graph already seen without running
PyTensor's rewrites (about 7 s on the bundled data). Part of the compile cache
(``forecast.inference.compile_cache``)."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np


class _Unkeyable(Exception):
    """The graph holds an object ``_describe`` cannot reduce to text: no key, no shortcut."""


def _describe(obj, depth: int = 0) -> str:
    """Text that determines ``obj`` (an Op, a Type, or one of their parameters)."""

    if depth > 12:
        raise _Unkeyable("nested too deep")
    if obj is None or isinstance(obj, (bool, int, float, str, bytes, np.generic)):
        return f"{type(obj).__name__}:{obj!r}"
    if isinstance(obj, slice):
        return f"slice({_describe(obj.start)},{_describe(obj.stop)},{_describe(obj.step)})"
    if isinstance(obj, np.ndarray):
        return f"array:{obj.dtype.str}:{obj.shape}:{hashlib.sha256(np.ascontiguousarray(obj).tobytes()).hexdigest()}"
    if isinstance(obj, (tuple, list, frozenset, set)):
        items = [_describe(v, depth + 1) for v in obj]
        return f"{type(obj).__name__}(" + ",".join(sorted(items) if isinstance(obj, (set, frozenset)) else items) + ")"
    if isinstance(obj, dict):
        return (
            "dict("
            + ",".join(sorted(f"{_describe(k, depth + 1)}={_describe(v, depth + 1)}" for k, v in obj.items()))
            + ")"
        )
    if isinstance(obj, type) or (callable(obj) and hasattr(obj, "__qualname__") and not hasattr(obj, "__dict__")):
        return f"{obj.__module__}.{obj.__qualname__}"
    if callable(obj) and type(obj).__name__ == "function":
        return f"function:{obj.__module__}.{obj.__qualname__}"
    name = f"{type(obj).__module__}.{type(obj).__qualname__}"
    props = getattr(type(obj), "__props__", None)
    if props is not None:
        return name + "(" + ",".join(f"{p}={_describe(getattr(obj, p), depth + 1)}" for p in props) + ")"
    if hasattr(obj, "__dict__"):  # e.g. PyTensor's scalar ops, which compare by their attributes
        return name + "{" + ",".join(f"{k}={_describe(v, depth + 1)}" for k, v in sorted(vars(obj).items())) + "}"
    raise _Unkeyable(name)


def graph_key(outputs: list, inputs: list, extra: list[str]) -> tuple[str, dict[str, Any]]:
    """(key, shared variables by name) of the graph from ``inputs`` to ``outputs`` before any
    rewrite: every node's Op with its parameters, the wiring, every variable's type, every
    constant's value, and each shared variable's name and type (not its value: the data reach
    the compiled code through the pointer table). Two graphs with one key compile to the same
    function. Raises ``_Unkeyable`` for an object it cannot describe, or unnamed or ambiguous
    shared data."""

    from pytensor.compile.sharedvalue import SharedVariable
    from pytensor.graph.basic import Constant
    from pytensor.graph.traversal import io_toposort

    ids: dict[Any, int] = {}
    lines = list(extra)
    shared: dict[str, Any] = {}

    def ref(v) -> int:
        if v in ids:
            return ids[v]
        ids[v] = len(ids)
        if isinstance(v, Constant):
            lines.append(f"c{ids[v]} {_describe(v.type)} {_describe(np.asarray(v.data))}")
        elif isinstance(v, SharedVariable):
            if not v.name or (v.name in shared and shared[v.name] is not v):
                raise _Unkeyable(f"shared variable named {v.name!r}")
            shared[v.name] = v
            value = v.get_value(borrow=True)
            scalar = np.ndim(value) == 0  # a dimension length: its value shapes the graph
            lines.append(
                f"s{ids[v]} {v.name} {_describe(v.type)}" + (f" {_describe(np.asarray(value))}" if scalar else "")
            )
        elif v.owner is None:
            k = inputs.index(v) if v in inputs else -1
            lines.append(f"i{ids[v]} {k} {v.name} {_describe(v.type)}")
        return ids[v]

    for v in inputs:
        ref(v)
    for node in io_toposort([], outputs):
        args = [ref(v) for v in node.inputs]
        outs = []
        for v in node.outputs:
            ids[v] = len(ids)
            outs.append(f"{ids[v]}:{_describe(v.type)}")
        lines.append(f"n {_describe(node.op)} {args} -> {outs}")
    lines.append(f"out {[ref(v) for v in outputs]}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest(), shared
