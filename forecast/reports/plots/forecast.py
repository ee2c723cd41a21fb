"""Figures of the forecast: the frontier fan, crossing-date distributions and the score surface
over training and test-time compute."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from .common import SERIES, _band_pairs, _new_axes, _width, format_score, score_axis


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
