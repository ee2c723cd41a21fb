"""Figures of a forecast. Every function draws on an optional ``ax``, returns the figure and never
shows it; none imports pyplot, so nothing depends on a display or on global figure state.

The functions draw what they are given (tables of quantiles, the ``forecast predict`` dict, an
attribution table, ...) and compute nothing statistical themselves: what a figure shows is the
same number the memo's tables print. They are readable in black and white: bands are shades of
grey, series differ by line style and marker, not only by colour. Every interval is labelled with
its width. Scores are shown in their benchmark's unit: fractions as percentages, Elo as Elo,
time horizons (minutes) on a log axis labelled in minutes, hours and work weeks.
"""

from .checks import (
    binomial_band,
    calibration_figure,
    largest_shifts,
    plot_attribution,
    plot_calibration,
    plot_key_quantities,
    plot_pit,
    plot_update_shift,
)
from .common import format_minutes, format_score, score_axis
from .forecast import plot_compute_surface, plot_crossing_cdf, plot_frontier_fan

__all__ = [
    "binomial_band",
    "calibration_figure",
    "format_minutes",
    "format_score",
    "largest_shifts",
    "plot_attribution",
    "plot_calibration",
    "plot_compute_surface",
    "plot_crossing_cdf",
    "plot_frontier_fan",
    "plot_key_quantities",
    "plot_pit",
    "plot_update_shift",
    "score_axis",
]
