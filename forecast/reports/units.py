"""Numbers in their benchmark's unit and probabilities, as every report prints them (no plotting
imports: the text renderers use these too)."""

from __future__ import annotations

import numpy as np

#: Where a forecast passes the most a benchmark's suite measures (``measurable_max``).
BEYOND = "beyond what the benchmark's task suite measures: the model extrapolates past its longest tasks"


def format_minutes(m: float) -> str:
    if not np.isfinite(m):
        return "-"
    if m < 60:
        return f"{m:.3g} min"
    return f"{m / 60:.3g} h"


def format_score(value: float | None, unit: str, limit: float | None = None) -> str:
    """A score in its benchmark's unit: 0.734 -> '73.4%', 1673 -> '1673 Elo', 480 -> '8 h'. Above
    ``limit`` (the most the benchmark's suite measures), '> limit': the model's number there is
    an extrapolation past the tasks, not a measurement it predicts."""
    if value is None or not np.isfinite(value):
        return "-"
    if limit is not None and np.isfinite(limit) and value > limit:
        return f"> {format_score(limit, unit)}"
    if unit == "fraction":
        return f"{100 * value:.3g}%"
    if unit == "elo":
        return f"{value:.0f} Elo"
    if unit == "minutes":
        return format_minutes(value)
    return f"{value:.3g}"


def format_prob(p: float | None, crossed: bool = False) -> str:
    """A probability to two decimals, except that 1.00 is printed only where the data already
    show the crossing: a simulated certainty reads ">0.99" (and a simulated impossibility
    "<0.01"), because a few thousand draws cannot tell 0.996 from 1."""
    if p is None:
        return "-"
    if p >= 0.995 and not crossed:
        return ">0.99"
    if p < 0.005 and not crossed:
        return "<0.01"
    return f"{p:.2f}"
