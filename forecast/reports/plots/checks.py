"""Figures of the fit and its checks: attribution of capability gains, what an update changed,
key quantities, and backtest calibration (coverage against nominal, PIT)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from .common import _new_axes

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
