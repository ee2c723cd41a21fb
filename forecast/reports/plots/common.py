"""Shared pieces of the figures: axes, interval labels, score formatting per unit."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

from ..units import format_minutes, format_score  # noqa: F401  (re-exported)

#: Horizon ticks (minutes) with the names of METR's yardsticks.
HORIZON_TICKS = {
    1: "1 min",
    4: "4 min",
    15: "15 min",
    60: "1 h",
    240: "4 h",
    480: "8 h (day)",
    2400: "40 h (week)",
    10020: "167 h (month)",
    60 * 2000: "2000 h (year)",
    60 * 20000: "20000 h (decade)",
}


#: (colour, line style, marker) of successive series: distinct in greyscale.
SERIES = (
    ("0.0", "-", "o"),
    ("0.45", "--", "s"),
    ("0.0", ":", "^"),
    ("0.55", "-.", "D"),
    ("0.0", "--", "v"),
    ("0.45", "-", "P"),
)


def _new_axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _width(lo: float, hi: float) -> str:
    return f"{round((hi - lo) * 100):g}%"


def score_axis(ax, unit: str, axis: str = "y", label: str = "") -> None:
    """Units on an axis: fractions as percentages (0-100%), Elo as is, minutes on a log scale."""
    a = ax.yaxis if axis == "y" else ax.xaxis
    if unit == "fraction":
        a.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        (ax.set_ylim if axis == "y" else ax.set_xlim)(0, 1)
        suffix = "(%)"
    elif unit == "minutes":
        (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
        lo, hi = (ax.get_ylim if axis == "y" else ax.get_xlim)()
        ticks = [t for t in HORIZON_TICKS if lo <= t <= hi] or list(HORIZON_TICKS)[:3]
        a.set_major_locator(FixedLocator(ticks))
        a.set_major_formatter(FuncFormatter(lambda v, _: HORIZON_TICKS.get(int(round(v)), format_minutes(v))))
        a.set_minor_locator(NullLocator())
        suffix = "(human time, log scale)"
    elif unit == "elo":
        suffix = "(Elo)"
    else:
        suffix = ""
    if label:
        (ax.set_ylabel if axis == "y" else ax.set_xlabel)(f"{label} {suffix}".strip())


def _band_pairs(columns) -> list[tuple[str, str, float, float]]:
    """Symmetric quantile pairs (lower column, upper column, lower q, upper q), widest first."""
    qs = {}
    for c in columns:
        if isinstance(c, str) and c.startswith("q"):
            try:
                qs[float(c[1:])] = c
            except ValueError:
                pass
    pairs = [(qs[q], qs[round(1 - q, 10)], q, 1 - q) for q in sorted(qs) if q < 0.5 and round(1 - q, 10) in qs]
    return pairs
