"""The memo's frontier calibration: the frontier backtest pooled, by horizon, by origin and per
benchmark a threshold names, with a sentence where the latest origins' forecasts ran high or low."""

from __future__ import annotations


def num3(x) -> str:
    return "-" if x is None else f"{float(x):.3f}"


#: A benchmark's frontier forecasts "ran high" (low) at the latest origins when the mean PIT of
#: their targets is below this (above 1 minus this): about two standard errors from 0.5 for the
#: 8-12 targets four origins give.
PIT_BIAS = 0.3


def frontier_bias_sentence(by_benchmark: list[dict], benchmarks: list[str]) -> str | None:
    """Which of ``benchmarks`` had frontier forecasts that ran high or low at the latest
    backtest origins (mean PIT beyond ``PIT_BIAS``), in words; None when none did."""
    rows = [r for r in by_benchmark if r["benchmark"] in set(benchmarks) and r.get("recent_n", 0) >= 3]

    def listed(rs):
        items = [f"{r['benchmark']} (mean PIT {r['recent_pit_mean']:.2f})" for r in rs]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    high = [r for r in rows if r["recent_pit_mean"] < PIT_BIAS]
    low = [r for r in rows if r["recent_pit_mean"] > 1 - PIT_BIAS]
    parts = []
    if high:
        parts.append(
            f"At the latest origins the frontier forecasts of {listed(high)} ran high: the frontier came in "
            "lower than forecast. The near-term crossing probabilities of the thresholds that name them "
            "probably run high too; read them as upper estimates."
        )
    if low:
        parts.append(
            f"At the latest origins the frontier forecasts of {listed(low)} ran low: the frontier came in "
            "higher than forecast, and the thresholds that name them may be crossed sooner than forecast."
        )
    return " ".join(parts) or None


def frontier_calibration_blocks(fr: dict | None, threshold_benchmarks: list[str] = ()) -> list[tuple]:
    """The frontier backtest: what the threshold probabilities are made of, scored; per
    benchmark a threshold names, over all origins and the latest ones."""
    if not fr or not fr.get("n"):
        return []
    cov = "; ".join(f"{c['nominal']:.0%} intervals held {c['observed']:.0%}" for c in fr["coverage"])
    out = [
        (
            "p",
            f"The frontier (the best result of the models released by a date), forecast at each origin for 3, 6 "
            f"and 12 months ahead on every benchmark a threshold names or with 20+ results, against what the "
            f"data show: {fr['n']} targets; {cov}.",
        )
    ]
    rows = [
        [
            f"{r['horizon_days']} days",
            r["unit"],
            str(r["n"]),
            f"{r['coverage90']:.0%}",
            num3(r["crps_model"]),
            num3(r["crps_persistence"]),
            num3(r["crps_trend"]),
        ]
        for r in fr.get("by_horizon", [])
    ]
    if rows:
        out.append(
            (
                "table",
                ["horizon", "unit", "targets", "inside 90%", "CRPS model", "persistence", "frontier trend"],
                rows,
            )
        )
    by_origin = fr.get("twelve_month_in90_by_origin") or []
    if by_origin:
        out.append(
            (
                "p",
                "12-month frontier targets inside their 90% intervals, by origin: "
                + ", ".join(f"{r['origin']} {r['in90']:.0%} of {r['n']}" for r in by_origin)
                + ". CRPS: fractions in score points, horizons in log2 minutes, Elo in Elo/400; persistence "
                "keeps the frontier where it was, the frontier trend is METR's log-linear method on the frontier.",
            )
        )
    per = [r for r in fr.get("by_benchmark") or [] if r["benchmark"] in set(threshold_benchmarks)]
    if per:
        out.append(
            (
                "p",
                "On the benchmarks the thresholds name, every horizon pooled. The mean PIT is 0.5 for an unbiased "
                "forecast; below it the frontier came in lower than forecast, above it higher.",
            )
        )
        out.append(
            (
                "table",
                [
                    "benchmark",
                    "targets",
                    "inside 90%",
                    "mean PIT",
                    "latest origins",
                    "inside 90% then",
                    "mean PIT then",
                ],
                [
                    [
                        r["benchmark"],
                        str(r["n"]),
                        f"{r['coverage90']:.0%}",
                        f"{r['pit_mean']:.2f}",
                        f"{r['recent_origins'][0]} to {r['recent_origins'][-1]} ({r['recent_n']})",
                        f"{r['recent_coverage90']:.0%}",
                        f"{r['recent_pit_mean']:.2f}",
                    ]
                    for r in per
                ],
            )
        )
        bias = frontier_bias_sentence(per, threshold_benchmarks)
        if bias:
            out.append(("p", bias))
    return out
