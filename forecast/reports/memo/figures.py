"""The memo's figures, drawn from ``memo_data``'s dict with ``forecast.reports.plots`` and
rendered to PNG once (every format embeds the same bytes)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ... import CI_KIND, CI_PROB
from ..plots import format_score

FIG_DPI = 130
MAX_CDF_PER_FIGURE = 5


KQ_LABELS = {
    "training_compute_slope": "training compute (per OOM)",
    "algorithmic_progress_per_year": "algorithmic progress (per year)",
    "reasoning_effect": "reasoning by default",
    "test_time_elasticity": "test-time compute (per OOM)",
    "model_sd": "model-specific deviation (sd)",
}


@dataclass
class MemoFigure:
    name: str  # file stem
    kind: str  # frontier, crossing_cdf, compute_surface, attribution, update_shift, calibration, pit, key_quantities
    title: str
    caption: str
    png: bytes


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIG_DPI)
    return buf.getvalue()


def _threshold_label(value: float, ids: list[str], unit: str) -> str:
    return f">= {format_score(value, unit)}: " + (ids[0] if len(ids) == 1 else f"{len(ids)} thresholds")


def memo_figures(data: dict) -> list[MemoFigure]:
    """Every figure of the memo, drawn from ``memo_data``'s dict and rendered to PNG once."""
    from matplotlib.figure import Figure

    from .. import plots as P

    figs: list[MemoFigure] = []
    as_of = pd.Timestamp(data["as_of"])
    fan = data["fan_benchmarks"]
    if fan:
        n = len(fan)
        ncol = 1 if n == 1 else 2
        nrow = int(np.ceil(n / ncol))
        fig = Figure(figsize=(6.8 if ncol == 1 else 11, 4.2 * nrow), layout="constrained")
        axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
        for ax, b in zip(axes, fan):
            unit = data["units"].get(b, "fraction")
            lines = [(_threshold_label(v, ids, unit), v) for v, ids in data["threshold_lines"][b]]
            P.plot_frontier_fan(
                data["frontier"], b, unit=unit, observed=data["observed"].get(b), thresholds=lines, ax=ax
            )
            ax.set_xlim(as_of - pd.DateOffset(years=3), pd.Timestamp(data["year_ends"][-1]))
        for ax in axes[n:]:
            ax.set_visible(False)
        legend: dict[str, object] = {}
        for ax in axes[:n]:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                legend.setdefault(lab, h)
        fig.legend(list(legend.values()), list(legend), loc="outside lower center", ncol=3, fontsize=8, frameon=False)
        figs.append(
            MemoFigure(
                "frontier",
                "frontier",
                "The frontier over time",
                "Best score among models released by each date, per benchmark that a threshold names. "
                "Points: the fit's results at default test-time settings; dashed step: the best "
                f"result so far; fan: the predictive median and intervals after {data['as_of']} "
                f"(scenario {data['scenario']}); dotted lines: threshold values.",
                _png(fig),
            )
        )
    ths = data["predict"]["thresholds"]
    groups: list[list[dict]] = []
    for t in ths:
        fw = t["framework"]
        if groups and groups[-1][0]["framework"] == fw and len(groups[-1]) < MAX_CDF_PER_FIGURE:
            groups[-1].append(t)
        else:
            groups.append([t])
    # merge consecutive single-threshold groups so that small frameworks share a figure
    merged: list[list[dict]] = []
    for g in groups:
        if merged and len(merged[-1]) + len(g) <= MAX_CDF_PER_FIGURE and (len(g) < 3 or len(merged[-1]) < 3):
            merged[-1].extend(g)
        else:
            merged.append(list(g))
    for k, g in enumerate(merged, start=1):
        fig = P.plot_crossing_cdf(g, as_of=data["as_of"], interval=data["crossing_interval"])
        ax = fig.axes[0]
        ax.set_xlim(as_of - pd.DateOffset(months=2), pd.Timestamp(data["until"]))
        frameworks = ", ".join(dict.fromkeys(t["framework"] for t in g))
        figs.append(
            MemoFigure(
                f"crossing-{k}",
                "crossing_cdf",
                f"Crossing dates: {frameworks}",
                "P(crossed by date) at each month end (the distribution function of the crossing "
                "date); a large open marker at the median crossing date (none when the median is already past: "
                "the legend gives P already); a curve that stays below 1 means some "
                f"simulated frontiers do not cross by {data['until']}.",
                _png(fig),
            )
        )
    s = data["surface"]
    if s is not None:
        fig = P.plot_compute_surface(
            s["x"],
            s["y"],
            s["z"],
            unit=s["unit"],
            points=s["points"],
            benchmark=s["benchmark"],
            subtitle=f"a reasoning model released {s['as_of']}; points: results of reasoning models",
            xlabel=f"training compute (log10 FLOP; for results: date-adjusted to {s['as_of']})",
            ylabel="test-time compute (log10 multiple of the default)",
        )
        figs.append(
            MemoFigure(
                "compute-surface",
                "compute_surface",
                "Score against training and test-time compute",
                f"Posterior-median expected {s['benchmark']} score ({s['n_draws']} draws) of a "
                f"hypothetical reasoning model released on {s['as_of']}, as a function of its training "
                "compute and of the test-time compute it is evaluated with: the model's version of o1's "
                "claim that performance rises smoothly with both. Iso-score lines are labelled. "
                "Points are the fit's reasoning-mode results on this benchmark, filled with their "
                "observed score on the same grey scale, so a point that matches its background is "
                "one the surface explains. A result's x is the training compute a model released on "
                f"{s['as_of']} would need for its model's capability: its training compute less the "
                "compute-equivalent of the algorithmic progress between its release and "
                f"{s['as_of']} (on average {s['compute_per_year']:.2f} OOM a year); its y is its inference multiplier, "
                f"with effort levels at {s['delta_eff']:.2f} OOM a step. Circles: training compute "
                "known; diamonds: estimated by the fit.",
                _png(fig),
            )
        )
    a = data["attribution"]
    if a is not None:
        fig = P.plot_attribution(a)
        figs.append(
            MemoFigure(
                "attribution",
                "attribution",
                "Where the capability gain came from",
                f"Capability gain from {a.attrs['old_model']} (the frontier on {data['attribution_start']}) "
                f"to {a.attrs['new_model']} (the newest frontier), split per posterior draw into "
                f"training compute, algorithmic progress, test-time compute and the model's own "
                f"deviation; whiskers: {CI_PROB:.0%} {CI_KIND} intervals; percentages: share of "
                "the mean total.",
                _png(fig),
            )
        )
    up = data["update"]
    if up is not None and up["shift"]:
        fig = P.plot_update_shift(up["shift"])
        figs.append(
            MemoFigure(
                "update-shift",
                "update_shift",
                "What the latest update changed",
                f"P(crossed by date) before (open) and after (filled) the latest update ({up['method']}), "
                "per threshold, at the date where it moved most.",
                _png(fig),
            )
        )
    cal = data["calibration"]
    if cal is not None and cal["coverage"]:
        fig = P.plot_calibration(cal["coverage"])
        figs.append(
            MemoFigure(
                "calibration",
                "calibration",
                "Backtest calibration: coverage",
                "Share of held-out results inside the model's central predictive intervals against "
                "the intervals' nominal probability; grey bars: where a calibrated model's coverage "
                "falls 95% of the time with that many results.",
                _png(fig),
            )
        )
    if cal is not None and cal["pit"]:
        fig = P.plot_pit(cal["pit"])
        figs.append(
            MemoFigure(
                "pit",
                "pit",
                "Backtest calibration: PIT",
                "Predictive CDF at each held-out result: flat if calibrated, U-shaped if the "
                "intervals are too narrow, hump-shaped if too wide.",
                _png(fig),
            )
        )
    wide, narrow = data["forest"]
    if len(wide):
        labels = {
            i: KQ_LABELS.get(r["quantity"], r["quantity"]) + (f": {r['domain']}" if r["domain"] else "")
            for i, r in wide.iterrows()
        }
        fig = P.plot_key_quantities(wide, narrow, labels=labels)
        figs.append(
            MemoFigure(
                "key-quantities",
                "key_quantities",
                "Key quantities of the fit",
                f"Posterior medians with 50% and {CI_PROB:.0%} {CI_KIND} intervals, in capability "
                "units (logits of a benchmark of average steepness) per unit of each driver: an order of "
                "magnitude (OOM) of training or test-time compute, a year of algorithmic progress, "
                "reasoning on; 'driver: domain' rows are by benchmark domain.",
                _png(fig),
            )
        )
    return figs
