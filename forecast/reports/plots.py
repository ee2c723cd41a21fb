"""Figures of a forecast. Every function draws on an optional ``ax``, returns the figure and never
shows it; none imports pyplot, so nothing depends on a display or on global figure state.

The functions draw what they are given (tables of quantiles, the ``forecast predict`` dict, an
attribution table, ...) and compute nothing statistical themselves: what a figure shows is the
same number the memo's tables print. They are readable in black and white: bands are shades of
grey, series differ by line style and marker, not only by colour. Every interval is labelled with
its width. Scores are shown in their benchmark's unit: fractions as percentages, Elo as Elo,
time horizons (minutes) on a log axis labelled in minutes, hours and work weeks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

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


def format_minutes(m: float) -> str:
    if not np.isfinite(m):
        return "-"
    if m < 60:
        return f"{m:.3g} min"
    return f"{m / 60:.3g} h"


def format_score(value: float | None, unit: str) -> str:
    """A score in its benchmark's unit: 0.734 -> '73.4%', 1673 -> '1673 Elo', 480 -> '8 h'."""
    if value is None or not np.isfinite(value):
        return "-"
    if unit == "fraction":
        return f"{100 * value:.3g}%"
    if unit == "elo":
        return f"{value:.0f} Elo"
    if unit == "minutes":
        return format_minutes(value)
    return f"{value:.3g}"


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


# ------------------------------------------------------------------------------------------------
# 1. The frontier over time: observed models, predictive fan, threshold lines
# ------------------------------------------------------------------------------------------------


def plot_frontier_fan(
    frontier: pd.DataFrame,
    benchmark: str,
    *,
    unit: str = "fraction",
    observed: pd.DataFrame | None = None,
    thresholds: Sequence[tuple[str, float]] = (),
    title: str | None = None,
    ax=None,
) -> Figure:
    """The best score among models released by each date on ``benchmark``.

    ``frontier``: rows (benchmark, date, q0.05, ..., q0.95) as in ``forecast predict``'s
    ``frontier``; every symmetric pair of quantile columns is drawn as a band (darker = narrower)
    and ``q0.5`` as the median line. ``observed``: the fit's results (columns date, score), drawn
    as points, with the running best as a step line. ``thresholds``: (label, value) lines.
    """
    fig, ax = _new_axes(ax, (6.4, 4.2))
    fq = frontier[frontier["benchmark"] == benchmark].copy()
    fq["date"] = pd.to_datetime(fq["date"])
    fq = fq.sort_values("date")
    pairs = _band_pairs(fq.columns)
    shades = np.linspace(0.85, 0.62, max(len(pairs), 1))
    for (lo_c, hi_c, lo, hi), shade in zip(pairs, shades):
        ax.fill_between(
            fq["date"].to_numpy(),
            fq[lo_c].to_numpy(),
            fq[hi_c].to_numpy(),
            color=str(shade),
            linewidth=0,
            label=f"{_width(lo, hi)} predictive interval",
            gid=f"band:{lo:g}-{hi:g}",
        )
    if "q0.5" in fq:
        ax.plot(
            fq["date"].to_numpy(),
            fq["q0.5"].to_numpy(),
            color="0.0",
            lw=2,
            label="predicted frontier (median)",
            gid="median",
        )
    if observed is not None and len(observed):
        ob = observed.copy()
        ob["date"] = pd.to_datetime(ob["date"])
        ob = ob.sort_values("date")
        ax.plot(
            ob["date"].to_numpy(),
            ob["score"].to_numpy(),
            ls="none",
            marker="o",
            ms=3.5,
            mfc="white",
            mec="0.3",
            mew=0.8,
            label="observed result (default setting)",
            gid="observed",
        )
        best = ob["score"].cummax()
        ax.step(
            ob["date"].to_numpy(),
            best.to_numpy(),
            where="post",
            color="0.0",
            ls="--",
            lw=1.2,
            label="observed frontier (best so far)",
            gid="observed_frontier",
        )
    # labels alternate between the left and the right end of their lines, so that neighbouring
    # thresholds (close on a log axis) do not write over each other
    for k, (label, value) in enumerate(sorted(thresholds, key=lambda lv: lv[1])):
        ax.axhline(value, color="0.0", ls=":", lw=1.3, gid=f"threshold:{label}")
        right = k % 2 == 1
        ax.annotate(
            label,
            xy=(0.99 if right else 0.01, value),
            xycoords=("axes fraction", "data"),
            xytext=(0, 2),
            textcoords="offset points",
            fontsize=7,
            va="bottom",
            ha="right" if right else "left",
            bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8),
        )
    if unit == "minutes":
        ax.set_yscale("log")
        vals = [v for c in fq.columns if str(c).startswith("q") for v in fq[c].to_numpy()]
        vals += list(observed["score"]) if observed is not None and len(observed) else []
        vals = np.asarray([v for v in vals if np.isfinite(v) and v > 0])
        tv = [v for _, v in thresholds]
        if len(vals):
            lo, hi = vals.min() / 1.5, vals.max() * 1.5
            if tv:
                lo, hi = min(lo, min(tv) / 2), min(max(hi, max(tv) * 3), max(tv) * 30)
            ax.set_ylim(lo, hi)
    score_axis(ax, unit, label="score")
    if unit == "fraction":
        ax.set_ylim(0, 1.02)
    ax.set_title(title or benchmark, fontsize=10)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3, lw=0.5)
    return fig


# ------------------------------------------------------------------------------------------------
# 2. Crossing-date distributions
# ------------------------------------------------------------------------------------------------


def plot_crossing_cdf(
    thresholds: Sequence[dict], *, as_of: str | None = None, ax=None, interval: float = 0.8
) -> Figure:
    """P(threshold crossed by date) against date: the CDF of the crossing date, one line per
    threshold (``forecast predict``'s threshold dicts: ``prob_by`` on a date grid, ``prob_already``,
    ``median_crossing``). Thresholds with identical curves share a line. The median crossing date
    is marked (unless it is on or before ``as_of``: then the label gives P already); dotted lines
    at the interval's quantiles show where each curve enters and leaves the ``interval`` (80% by
    default, predict's crossing interval)."""
    fig, ax = _new_axes(ax, (7.5, 4.4))
    groups: dict[tuple, list[dict]] = {}
    for t in thresholds:
        key = (tuple(np.round(list(t["prob_by"].values()), 6)), round(float(t.get("prob_already", 0.0)), 6))
        groups.setdefault(key, []).append(t)
    lo_q, hi_q = (1 - interval) / 2, (1 + interval) / 2
    for q in (lo_q, 0.5, hi_q):
        ax.axhline(q, color="0.55", ls=":", lw=0.9, gid=f"quantile:{q:g}")
    ax.text(
        1.0,
        hi_q,
        f" {_width(lo_q, hi_q)} interval:\n between\n dotted lines",
        transform=ax.get_yaxis_transform(),
        fontsize=7,
        va="center",
        ha="left",
        color="0.3",
    )
    for k, ts in enumerate(groups.values()):
        t = ts[0]
        dates = pd.to_datetime(list(t["prob_by"]))
        probs = np.asarray(list(t["prob_by"].values()), dtype=float)
        if as_of:
            dates = pd.DatetimeIndex([pd.Timestamp(as_of)]).append(dates)
            probs = np.concatenate([[float(t.get("prob_already", probs[0]))], probs])
        label = " = ".join(x["id"] for x in ts)
        past = bool(as_of and t.get("median_crossing") and pd.Timestamp(t["median_crossing"]) <= pd.Timestamp(as_of))
        if past:
            label += f" (P already {float(t.get('prob_already', 0.0)):.2f})"
        colour, ls, marker = SERIES[k % len(SERIES)]
        style = dict(color=colour, ls=ls, lw=1.6)
        ax.plot(
            dates.to_numpy(),
            probs,
            marker=marker,
            ms=4,
            markevery=(k % 6, 6),
            label=label,
            gid="cdf:" + "|".join(x["id"] for x in ts),
            **style,
        )
        if t.get("median_crossing") and not past:
            ax.plot(
                [pd.Timestamp(t["median_crossing"])],
                [0.5],
                marker=marker,
                ms=9,
                color=style["color"],
                mfc="white",
                mew=1.8,
                ls="none",
                gid=f"median:{t['id']}",
            )
    ax.set_ylim(0, 1.01)
    ax.set_ylabel("P(crossed by date)")
    ax.set_title("P(crossed by date); large open marker: the median crossing date", fontsize=9)
    ax.grid(alpha=0.3, lw=0.5)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.0, -0.08), ncol=2, frameon=False)
    return fig


# ------------------------------------------------------------------------------------------------
# 3. Score against training compute and test-time compute
# ------------------------------------------------------------------------------------------------


def _label_positions(x, y, z, levels) -> list[tuple[float, float]]:
    """Contour-label positions near the top of the plot, where results are rare (they cluster
    at default test-time settings): per level, where the top rows cross it."""
    out = []
    for lev in levels:
        for frac in (0.88, 0.6, 0.3):
            i = int(round(frac * (len(y) - 1)))
            row = np.asarray(z[i], dtype=float) - lev
            k = np.flatnonzero(np.sign(row[:-1]) * np.sign(row[1:]) < 0)
            if len(k):
                j = int(k[0])
                t = row[j] / (row[j] - row[j + 1])
                out.append((float(x[j] + t * (x[j + 1] - x[j])), float(y[i])))
                break
    return out


def plot_compute_surface(
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    *,
    unit: str = "fraction",
    points: pd.DataFrame | None = None,
    benchmark: str = "",
    subtitle: str = "",
    xlabel: str = "training compute (log10 FLOP)",
    ylabel: str = "test-time compute (log10 multiple of the default)",
    ax=None,
    levels: Sequence[float] | None = None,
) -> Figure:
    """Iso-score contours of ``z[i, j]`` (the score at test-time ``y[i]`` and training compute
    ``x[j]``), with ``points`` (columns x, y, score, optional label) placed on it and filled in
    the same grey scale as the contours, so that a point matches its surroundings if the surface
    explains it."""
    fig, ax = _new_axes(ax, (7.2, 5.0))
    z = np.asarray(z, dtype=float)
    if levels is None:
        if unit == "fraction":
            levels = [
                v
                for v in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
                if np.nanmin(z) < v < np.nanmax(z)
            ]
        else:
            levels = list(np.linspace(np.nanmin(z), np.nanmax(z), 9)[1:-1])
    from matplotlib.colors import BoundaryNorm, LinearSegmentedColormap

    vmin, vmax = (0.0, 1.0) if unit == "fraction" else (float(np.nanmin(z)), float(np.nanmax(z)))
    # light greys only, so that black contour labels and point edges stay readable everywhere
    cmap = LinearSegmentedColormap.from_list("memo_greys", ["0.97", "0.45"])
    bounds = [vmin] + list(levels) + [vmax]
    norm = BoundaryNorm(bounds, cmap.N)
    cf = ax.contourf(x, y, z, levels=bounds, cmap=cmap, norm=norm)
    cs = ax.contour(x, y, z, levels=levels, colors="0.0", linewidths=0.9)
    fmt = (lambda v: f"{100 * v:.0f}%") if unit == "fraction" else (lambda v: format_score(v, unit))
    if levels:
        ax.clabel(cs, fmt=fmt, fontsize=8, inline=True, manual=_label_positions(x, y, z, levels) or False)
    cs.set_gid("contours")
    if points is not None and len(points):
        known = points["compute_known"].to_numpy(bool) if "compute_known" in points else np.ones(len(points), bool)
        for mask, marker, what in ((known, "o", "known"), (~known, "D", "estimated")):
            if mask.any():
                ax.scatter(
                    points["x"][mask],
                    points["y"][mask],
                    c=points["score"][mask],
                    cmap=cmap,
                    norm=norm,
                    s=44,
                    marker=marker,
                    edgecolors="0.0",
                    linewidths=1.1,
                    zorder=3,
                    gid=f"points:{what}",
                    label=f"observed result (training compute {what})",
                )
        if "label" in points:
            # a label is skipped when it would sit on one already placed (axes-fraction distance)
            sx, sy = float(np.ptp(x)) or 1.0, float(np.ptp(y)) or 1.0
            placed: list[tuple[float, float]] = []
            for _, r in points.dropna(subset=["label"]).iterrows():
                u, v = (r["x"] - np.min(x)) / sx, (r["y"] - np.min(y)) / sy
                if any(abs(u - pu) < 0.22 and abs(v - pv) < 0.06 for pu, pv in placed):
                    continue
                placed.append((u, v))
                ax.annotate(
                    str(r["label"]),
                    (r["x"], r["y"]),
                    xytext=(5, 4),
                    textcoords="offset points",
                    fontsize=6.5,
                    color="0.0",
                    gid=f"label:{r['label']}",
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.75),
                )
        ax.legend(loc="upper left", fontsize=7, framealpha=0.9)
    ax.set_xlim(float(np.min(x)), float(np.max(x)))
    ax.set_ylim(float(np.min(y)), float(np.max(y)))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(
        f"{benchmark}: expected score (posterior median), iso-score lines" + (f"\n{subtitle}" if subtitle else ""),
        fontsize=9,
    )
    cb = fig.colorbar(cf, ax=ax)
    if unit == "fraction":
        cb.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    cb.set_label("expected score")
    return fig


# ------------------------------------------------------------------------------------------------
# 4. Attribution of capability gains
# ------------------------------------------------------------------------------------------------

COMPONENT_LABELS = {
    "training_compute": "training compute",
    "algorithmic_progress": "algorithmic progress (date)",
    "test_time_compute": "test-time compute (reasoning)",
    "model_residual": "model-specific residual",
    "total": "total",
}
HATCHES = {
    "training_compute": "///",
    "algorithmic_progress": "...",
    "test_time_compute": "xx",
    "model_residual": "",
    "total": "",
}


def plot_attribution(table: pd.DataFrame, *, ax=None) -> Figure:
    """Horizontal bars of each component's posterior mean capability gain with its interval
    (``forecast.attribution.attribute_gain``'s table: index component, columns mean, lower,
    upper, share; ``attrs`` old_model, new_model, ci_prob)."""
    fig, ax = _new_axes(ax, (7.5, 3.4))
    rows = [c for c in table.index if c != "total"] + (["total"] if "total" in table.index else [])
    ypos = np.arange(len(rows))[::-1]
    ci = float(table.attrs.get("ci_prob", 0.9))
    for y, c in zip(ypos, rows):
        r = table.loc[c]
        face = "0.35" if c == "total" else "white"
        ax.barh(y, r["mean"], color=face, edgecolor="0.0", hatch=HATCHES.get(c, ""), height=0.6, gid=f"bar:{c}")
        ax.errorbar(
            r["mean"],
            y,
            xerr=[[r["mean"] - r["lower"]], [r["upper"] - r["mean"]]],
            fmt="none",
            ecolor="0.0",
            capsize=4,
            lw=1.2,
            gid=f"interval:{c}",
        )
        share = "" if c == "total" or not np.isfinite(r.get("share", np.nan)) else f" ({r['share']:.0%})"
        ax.annotate(
            f"{r['mean']:.2f}{share}",
            (max(r["upper"], r["mean"], 0), y),
            xytext=(5, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.axvline(0, color="0.0", lw=0.8)
    ax.set_yticks(ypos, [COMPONENT_LABELS.get(c, c) for c in rows], fontsize=8)
    lo = min(0.0, float(table["lower"].min()))
    hi = float(table["upper"].max())
    ax.set_xlim(lo - 0.05 * (hi - lo), hi + 0.25 * (hi - lo))
    ax.set_xlabel(
        f"capability gain (logits of an average benchmark); bar: posterior mean, whiskers: {ci:.0%} interval",
        fontsize=8,
    )
    old, new = table.attrs.get("old_model", ""), table.attrs.get("new_model", "")
    ax.set_title(f"Where the gain came from: {old} -> {new}", fontsize=9)
    ax.grid(axis="x", alpha=0.3, lw=0.5)
    return fig


# ------------------------------------------------------------------------------------------------
# 5. What the latest update changed
# ------------------------------------------------------------------------------------------------


def largest_shifts(shift: Sequence[dict]) -> list[dict]:
    """Per threshold, the ``by`` date whose P(crossed) moved most (ties: the earliest date)."""
    out: dict[str, dict] = {}
    for s in shift:
        cur = out.get(s["threshold"])
        if cur is None or abs(s["after"] - s["before"]) > abs(cur["after"] - cur["before"]) + 1e-12:
            out[s["threshold"]] = s
    return list(out.values())


def plot_update_shift(shift: Sequence[dict], *, ax=None) -> Figure:
    """Before (open circle) and after (filled circle) P(crossed by date) per threshold, at the
    date each threshold moved most (the update's ``shift`` records)."""
    rows = largest_shifts(shift)
    fig, ax = _new_axes(ax, (7.5, 0.55 * len(rows) + 1.4))
    ypos = np.arange(len(rows))[::-1]
    for y, s in zip(ypos, rows):
        b, a = float(s["before"]), float(s["after"])
        ax.annotate(
            "", xy=(a, y), xytext=(b, y), arrowprops=dict(arrowstyle="->", color="0.3", lw=1.2, shrinkA=5, shrinkB=5)
        )
        ax.plot(
            [b],
            [y],
            marker="o",
            ms=8,
            mfc="white",
            mec="0.0",
            ls="none",
            gid=f"before:{s['threshold']}",
            label="before the update" if y == ypos[0] else None,
        )
        ax.plot(
            [a],
            [y],
            marker="o",
            ms=8,
            color="0.0",
            ls="none",
            gid=f"after:{s['threshold']}",
            label="after the update" if y == ypos[0] else None,
        )
        ax.annotate(
            f"{b:.2f} -> {a:.2f}", (max(a, b), y), xytext=(8, 0), textcoords="offset points", va="center", fontsize=8
        )
    ax.set_yticks(ypos, [f"{s['threshold']}\nby {s['by']}" for s in rows], fontsize=8)
    ax.set_xlim(-0.02, 1.18)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xlabel("P(crossed by date)")
    ax.set_title("What the latest update changed (per threshold, at the date it moved most)", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="x", alpha=0.3, lw=0.5)
    return fig


# ------------------------------------------------------------------------------------------------
# 6. Backtest calibration
# ------------------------------------------------------------------------------------------------


def binomial_band(nominal: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Central ``level`` range of the observed coverage of n intervals of coverage ``nominal``."""
    from scipy.stats import binom

    if n <= 0:
        return (0.0, 1.0)
    a = (1 - level) / 2
    return float(binom.ppf(a, n, nominal) / n), float(binom.ppf(1 - a, n, nominal) / n)


def plot_calibration(coverage: Sequence[dict], *, ax=None, level: float = 0.95) -> Figure:
    """Observed against nominal coverage of the backtest's central predictive intervals
    (``[{"nominal", "observed", "n"}, ...]``), with the range a calibrated model would show
    ``level`` of the time given n (binomial; an entry's ``bounds95`` is used when given)."""
    fig, ax = _new_axes(ax, (5.0, 4.6))
    cov = sorted(coverage, key=lambda c: c["nominal"])
    nom = np.array([c["nominal"] for c in cov], dtype=float)
    obs = np.array([c["observed"] for c in cov], dtype=float)
    ax.plot([0, 1], [0, 1], color="0.5", lw=1, ls="--", label="perfect calibration")
    for i, c in enumerate(cov):
        given = c.get("bounds95") if level == 0.95 else None
        lo, hi = given or binomial_band(float(c["nominal"]), int(c.get("n") or 0), level)
        ax.plot(
            [c["nominal"]] * 2,
            [lo, hi],
            color="0.7",
            lw=7,
            solid_capstyle="butt",
            gid=f"band:{c['nominal']:g}",
            label=f"{level:.0%} range if calibrated (binomial, n)" if i == 0 else None,
        )
    ax.plot(nom, obs, marker="o", color="0.0", ms=7, lw=1.2, label="observed coverage", gid="observed")
    for c in cov:
        eff = f" (worth {int(c['n_effective'])})" if c.get("n_effective") else ""
        ax.annotate(
            f"n={int(c.get('n') or 0)}{eff}",
            (c["nominal"], c["observed"]),
            xytext=(6, -10),
            textcoords="offset points",
            fontsize=7,
        )
    lo = max(0.0, min(nom.min(), obs.min()) - 0.15)
    ax.set_xlim(lo, 1.0)
    ax.set_ylim(lo, 1.0)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_xlabel("nominal coverage of the central predictive interval")
    ax.set_ylabel("observed coverage in the backtest")
    ax.set_title("Backtest calibration: interval coverage", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3, lw=0.5)
    return fig


def plot_pit(pit: Sequence[float], *, bins: int = 10, ax=None, level: float = 0.95) -> Figure:
    """Histogram of probability integral transforms of held-out results: flat if calibrated,
    U-shaped if intervals are too narrow, hump-shaped if too wide; the grey band is the
    ``level`` range of each bin's count under uniformity."""
    from scipy.stats import binom

    fig, ax = _new_axes(ax, (5.0, 3.6))
    x = np.clip(np.asarray(pit, dtype=float), 0, 1)
    n = len(x)
    edges = np.linspace(0, 1, bins + 1)
    counts, _ = np.histogram(x, edges)
    a = (1 - level) / 2
    lo, hi = binom.ppf(a, n, 1 / bins), binom.ppf(1 - a, n, 1 / bins)
    ax.axhspan(lo, hi, color="0.85", label=f"{level:.0%} range if calibrated (n={n})", gid="band")
    ax.bar(
        edges[:-1],
        counts,
        width=1 / bins,
        align="edge",
        facecolor="none",
        edgecolor="0.0",
        hatch="//",
        gid="pit",
        label="held-out results",
    )
    ax.axhline(n / bins, color="0.0", ls="--", lw=1)
    ax.set_xlim(0, 1)
    ax.set_xlabel("PIT: predictive CDF at the observed score")
    ax.set_ylabel("results")
    ax.set_title("Backtest calibration: PIT histogram", fontsize=9)
    ax.legend(fontsize=7, loc="upper center")
    return fig


# ------------------------------------------------------------------------------------------------
# 7. Key quantities (always available)
# ------------------------------------------------------------------------------------------------


def plot_key_quantities(
    wide: pd.DataFrame, narrow: pd.DataFrame | None = None, *, labels: dict | None = None, ax=None
) -> Figure:
    """Forest plot of posterior intervals: a thin line for the ``wide`` interval, a thick line for
    the ``narrow`` one (both from ``forecast.model.key_quantities``: index row name, columns
    median, lower, upper; ``attrs['ci_prob']``), a dot at the median."""
    rows = list(wide.index)
    fig, ax = _new_axes(ax, (7.2, 0.28 * len(rows) + 1.3))
    ypos = np.arange(len(rows))[::-1]
    wp = float(wide.attrs.get("ci_prob", 0.9))
    ax.hlines(ypos, wide["lower"], wide["upper"], color="0.0", lw=1.2, label=f"{wp:.0%} interval", gid="wide")
    if narrow is not None:
        npb = float(narrow.attrs.get("ci_prob", 0.5))
        nr = narrow.loc[rows]
        ax.hlines(ypos, nr["lower"], nr["upper"], color="0.0", lw=4.5, label=f"{npb:.0%} interval", gid="narrow")
    ax.plot(wide["median"], ypos, "o", ms=5, mfc="white", mec="0.0", label="posterior median", gid="median")
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_yticks(ypos, [(labels or {}).get(r, r) for r in rows], fontsize=7.5)
    ax.set_xlabel("capability (logits) per unit of each driver")
    ax.set_title("Key quantities of the fit", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="x", alpha=0.3, lw=0.5)
    return fig


def calibration_figure(report: dict, axes=None) -> Figure:
    """The calibration report of ``forecast recalibrate`` in one figure: coverage against nominal
    (left) and the PIT histogram (right), whichever the report has. ``axes``: optional pair."""
    cov = [c for c in report.get("coverage") or [] if c.get("observed") is not None]
    pit = report.get("pit") or []
    n = int(bool(cov)) + int(bool(len(pit)))
    if axes is None:
        fig = Figure(figsize=(5.0 * max(n, 1), 4.4), layout="constrained")
        axes = fig.subplots(1, max(n, 1), squeeze=False).ravel()
    else:
        fig = axes[0].figure
    k = 0
    if cov:
        plot_calibration(cov, ax=axes[k])
        k += 1
    if len(pit):
        plot_pit(pit, ax=axes[k])
    return fig
