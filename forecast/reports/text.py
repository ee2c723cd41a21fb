"""Text renderers: every table a command prints, built from the dict its library function returns
(the same dict ``--json`` prints), so the text and the JSON say the same thing."""

from __future__ import annotations

import pandas as pd

from .. import CI_PROB
from .units import BEYOND, format_prob, format_score


def format_summary(s: dict) -> str:
    """``forecast data validate``: the dataset summary (``forecast.data.summary.summarise``)."""
    lines = [
        f"models: {s['n_models']} ({s['first_release']} to {s['last_release']}; "
        f"{s['n_reasoning']} reasoning by default; training compute known for {s['n_with_compute']})",
        f"benchmarks: {s['n_benchmarks']} in {len(s['domains'])} domains ({', '.join(s['domains'])})",
        f"results: {s['n_results']} (newest reported {s['newest_result']}; "
        f"vendor {s['by_evaluator'].get('vendor', 0)}, "
        f"independent {s['by_evaluator'].get('independent', 0)}; non-default test-time setting {s['n_test_time']})",
    ]
    if s.get("n_determinations"):
        lines.append(f"lab determinations: {s['n_determinations']} (newest {s['newest_determination']})")
    w = max([22] + [len(b["benchmark"]) + 2 for b in s["benchmarks"]])
    lines += [
        "",
        f"{'benchmark':<{w}}{'domain':<11}{'unit':<10}{'results':>8}{'models':>8}  {'newest':<12}best (model)",
    ]
    for b in s["benchmarks"]:
        lines.append(
            f"{b['benchmark']:<{w}}{b['domain']:<11}{b['unit']:<10}{b['n_results']:>8}{b['n_models']:>8}  "
            f"{b.get('newest', '-'):<12}{b['best']} ({b['best_model']})"
        )
    return "\n".join(lines)


def format_quantities(kq) -> str:
    """``forecast fit``: the key quantities with their intervals."""
    width = int(round(CI_PROB * 100))
    lines = [f"{'quantity':<34}{'domain':<12}{'mean':>9}   {width}% interval"]
    for _, r in kq.iterrows():
        dom = r.get("domain") or ""
        dom = "" if dom != dom else dom
        lines.append(f"{r['quantity']:<34}{dom:<12}{r['mean']:>9.3f}   [{r['lower']:.3f}, {r['upper']:.3f}]")
    return "\n".join(lines)


def format_fit(run: dict, chains: int) -> str:
    """``forecast fit``: where the fit went, its diagnostics and timings, the key quantities
    (the dict of ``FitRun.to_json``)."""
    d, t = run["diagnostics"], run["timing"]
    s = run.get("sampler") or {}
    lines = [
        f"fit saved to {run['fit']}  (data {run['data_hash']}, seed {run['seed']}"
        f"{', as of ' + run['as_of'] if run.get('as_of') else ''})",
        f"diagnostics: max R-hat {d['max_rhat']:.4f}, min bulk ESS {d['min_ess_bulk']:.0f}, "
        f"divergences {d['divergences']}; compile {t.get('compile_seconds', 0):.1f} s "
        f"({s.get('compile_path') or 'no compile path recorded'}), "
        f"sampling {t.get('sampling_seconds', 0):.1f} s"
        + (f" (pilot {t['pilot_seconds']:.1f} s)" if "pilot_seconds" in t else "")
        + ("" if s.get("preconditioned", True) else "; not preconditioned (compile cache off or unusable)")
        + (
            f"; not converged after the first run, so extended by {int(t['extension_rounds'])} round(s) "
            f"of {chains} more chains ({t.get('extension_seconds', 0):.1f} s)"
            if t.get("extension_rounds")
            else ""
        )
        + (
            f"; the first main run had divergences or missed R-hat, so it was replaced by one at "
            f"target acceptance {t['retry_target_accept']:.2f} ({t.get('retry_seconds', 0):.1f} s)"
            if t.get("retry_target_accept")
            else ""
        ),
    ]
    kq = pd.DataFrame(run["key_quantities"])
    if not kq.empty:
        lines.append(format_quantities(kq))
    return "\n".join(lines)


def lab_call_cell(t: dict) -> str:
    """The lab's own call beside a proxy: its first call that the level is (or may be) reached,
    else its latest call, else a dash."""
    calls = t.get("lab_determinations") or []
    if t.get("lab") == "METR" or str(t.get("framework", "")).startswith("METR"):
        return "no lab call (METR metric)"
    if not t.get("lab_level"):
        return "no lab call"
    if not calls:
        return "none published"
    positive = ("crossed", "treated as crossed", "cannot rule out")
    if "alert" in t["lab_level"].lower():
        positive += ("alert threshold reached",)
    first = next((c for c in calls if c["determination"] in positive), None)
    c = first or calls[-1]
    return f"{c['determination']} {c['date']} ({c['model']})"


def vintage_line(v: dict | None) -> str:
    if not v:
        return ""
    base = (
        f"Data as of {v['as_of']} (newest result {v.get('newest_result') or 'not recorded'}, newest release "
        f"{v['newest_release']}): {v['age_days']} days old on {v['written_on']}."
    )
    return base + (f" WARNING: {v['warning']}" if v.get("stale") else "")


def lagging_benchmarks(reach: dict[str, str], as_of: str, days: int) -> str:
    """A sentence naming the benchmarks whose newest result is more than ``days`` before
    ``as_of`` (``reach``: benchmark -> ISO date of its newest reported result), or ""."""
    if not reach or not as_of:
        return ""
    ref = pd.Timestamp(as_of)
    late = sorted(
        ((b, d, (ref - pd.Timestamp(d)).days) for b, d in reach.items() if d and (ref - pd.Timestamp(d)).days > days),
        key=lambda x: x[1],
    )
    if not late:
        return ""
    names = ", ".join(f"{b} on {d} ({n} days before)" for b, d, n in late)
    return (
        f"The newest results on some thresholds' benchmarks are older than the data: {names}. On those, "
        "'crossed now' rests on the fitted capabilities of models no one has yet measured there, and the "
        "backtests score nothing past those dates."
    )


def format_predict(result: dict) -> str:
    lines = [
        f"Forecast as of {result['as_of']} (scenario: {result['scenario']}: {result['scenario_description']}; "
        f"{result['n_draws']} posterior draws)",
    ]
    if result.get("data_vintage"):
        lines.append(vintage_line(result["data_vintage"]))
    lines.append("")
    if not result["thresholds"]:
        return "\n".join(lines + ["no thresholds selected"])
    dates = list(result["thresholds"][0]["prob_by"])
    w = max([38] + [len(t.get("name") or t["id"]) + 2 for t in result["thresholds"]])
    head = (
        f"{'threshold':<{w}}{'now':>6}"
        + "".join(f"{d[:7]:>9}" for d in dates)
        + "   median crossing [80% interval]   the lab's own call"
    )
    lines.append("P(proxy crossed by date), beside the lab's own published call on the level")
    lines.append(head)
    for t in result["thresholds"]:
        lo, hi = t["crossing_interval_80"]
        med = t["median_crossing"] or f"after {result['until']}"
        interval = f"[{lo or 'after ' + result['until']}, {hi or 'after ' + result['until']}]"
        crossed = bool(t.get("observed_crossing"))
        lines.append(
            f"{(t.get('name') or t['id']):<{w}}{format_prob(t['prob_already'], crossed):>6}"
            + "".join(f"{format_prob(p, crossed):>9}" for p in t["prob_by"].values())
            + f"   {med} {interval}   {lab_call_cell(t) if 'lab_determinations' in t else ''}".rstrip()
        )
    lines += ["", "Proxies (threshold id: rule):"]
    lines += [f"  {t['id']}: {t['rule']}" for t in result["thresholds"]]
    comparisons = [t["lab_comparison"] for t in result["thresholds"] if t.get("lab_comparison")]
    if comparisons:
        lines += ["", "Proxies against the labs' own calls:"] + [f"  {c}" for c in comparisons]
    lines.append("")
    if result.get("frontier"):
        lines.append("Frontier (best model released by the date): predictive median [5%, 95%]")
        fq = pd.DataFrame(result["frontier"])
        for b, g in fq.groupby("benchmark"):
            unit, limit = (
                g["unit"].iloc[0] if "unit" in g else "",
                g["measurable_max"].iloc[0] if "measurable_max" in g else None,
            )
            cells = "  ".join(
                f"{r['date'][:7]}: {format_score(r['q0.5'], unit, limit)} "
                f"[{format_score(r['q0.05'], unit, limit)}, {format_score(r['q0.95'], unit, limit)}]"
                for _, r in g.iterrows()
            )
            lines.append(f"  {b:<20} {cells}")
        beyond = [r for r in result["frontier"] if r.get("beyond_measurable")]
        if beyond:
            lines.append(f"  > {BEYOND}")
    for x in result.get("skipped", []):
        lines.append(f"not forecast: {x['id']}: {x['reason']}")
    lines.append("A proxy crossing is not a lab determination: see each threshold's proxy_note in the thresholds file.")
    return "\n".join(lines)


def format_backtest(res: dict) -> str:
    lines = [
        f"Backtest from origin {res['origin']} (horizon {res['horizon_days']} days): "
        f"{res['n_train_results']} results to fit, {len(res['predictions'])} held-out results to predict",
        f"fit diagnostics: max R-hat {res['diagnostics']['max_rhat']:.3f}, min bulk ESS "
        f"{res['diagnostics']['min_ess_bulk']:.0f}, divergences {res['diagnostics']['divergences']}",
        "",
        f"{'method':<26}{'CRPS':>8}{'cov50':>8}{'cov80':>8}{'cov95':>8}{'n':>6}"
        "   (CRPS on fraction benchmarks, score points)",
    ]
    for k, s in res["scores"].items():
        c = "   n/a" if s["crps"] is None else f"{s['crps']:.4f}"
        cov = "".join(
            f"{'n/a' if s[f'coverage{p}'] is None else format(s[f'coverage{p}'], '.2f'):>8}" for p in (50, 80, 95)
        )
        lines.append(f"{k:<26}{c:>8}{cov}{s['n']:>6}")
    if res.get("ratio_to_best_baseline") is not None:
        lines.append(f"\nmodel CRPS / best peer method ({res['best_baseline']}): {res['ratio_to_best_baseline']:.2f}")
    return "\n".join(lines)


def format_report(rep: dict) -> str:
    lines = [
        f"Recalibration over {len(rep['origins'])} origins ({', '.join(rep['origins'])}), "
        f"horizon {rep.get('horizon_days', '?')} days; data up to {rep.get('newest_result', '?')}",
        "",
    ]
    lines.append(
        f"{'method':<26}{'CRPS':>8}{'cov50':>8}{'cov80':>8}{'cov95':>8}{'n':>6}   (CRPS on fraction benchmarks)"
    )
    for m, s in rep["scores"].items():
        c = "n/a" if s["crps"] is None else f"{s['crps']:.4f}"
        lines.append(f"{m:<26}{c:>8}" + "".join(f"{s[f'coverage{p}']:>8.2f}" for p in (50, 80, 95)) + f"{s['n']:>6}")
    if rep.get("ratio_to_best_baseline") is not None:
        lines.append(f"model CRPS / best peer method ({rep['best_baseline']}): {rep['ratio_to_best_baseline']:.2f}")
    lines += [
        "",
        "Coverage of the model's central intervals (95% binomial acceptance region, results taken as "
        "independent; 'worth' is the effective number of independent results, since results of one model "
        "at one origin are correlated):",
    ]
    for c in rep["coverage"]:
        lo, hi = c["bounds95"]
        lines.append(
            f"  {c['nominal']:.0%}: {c['observed']:.1%} of {c['n']} (worth {c.get('n_effective', c['n'])})"
            f"  (acceptable {lo:.1%}-{hi:.1%})"
        )
    lines.append("  calibration: " + ("; ".join(rep["flags"]) if rep["flags"] else "no level outside its bounds"))
    if rep["pit_histogram"]:
        lines.append("  PIT histogram (10 bins, flat is calibrated): " + " ".join(str(x) for x in rep["pit_histogram"]))
    if rep["crps_by_horizon"]:
        lines += ["", "CRPS by horizon (days after the origin):"]
        ms = list(rep["scores"])
        lines.append(f"  {'horizon':<10}{'n':>5}" + "".join(f"{m[:14]:>16}" for m in ms))
        for h in rep["crps_by_horizon"]:
            lines.append(f"  {h['horizon_days']:<10}{h['n']:>5}" + "".join(f"{h[m]:>16.4f}" for m in ms))
    lines += format_frontier(rep.get("frontier"))
    ev = rep["events"]
    lines += [
        "",
        f"Threshold events: {ev['n']} forecasts at the origins, {ev['n_resolved']} resolved by the data"
        + (f", Brier {ev['brier']:.3f}" if ev["brier"] is not None else "")
        + (
            f" against {ev['brier_climatology']:.3f} for climatology (base rate {ev['base_rate']:.2f}; skill "
            f"{ev['brier_skill']:+.2f})"
            if ev.get("brier_climatology") is not None and ev.get("brier_skill") is not None
            else ""
        ),
    ]
    for b in ev["reliability"]:
        lines.append(
            f"  forecast {b['bin_lo']:.1f}-{b['bin_hi']:.1f}: mean {b['mean_forecast']:.2f}, "
            f"happened {b['observed_freq']:.2f} (n={b['n']})"
        )
    if ev.get("by_origin"):
        lines.append("  " + events_by_origin(ev["by_origin"]))
    lines += ["", "Per origin:"]
    for r in rep["per_origin"]:
        d = r["diagnostics"]
        ratio = "n/a" if r["ratio_to_best_baseline"] is None else f"{r['ratio_to_best_baseline']:.2f}"
        cm = r["scores"]["model"]
        lines.append(
            f"  {r['origin']}: {r['n']} held out, "
            f"model CRPS {cm['crps'] if cm['crps'] is None else round(cm['crps'], 4)}, "
            f"cov80 {cm['coverage80'] if cm['coverage80'] is None else round(cm['coverage80'], 2)}, "
            f"ratio to best peer {ratio}, R-hat {d['max_rhat']:.3f}, fit {r['fit_seconds']:.0f} s"
        )
    led = rep.get("ledger")
    if led:
        lr = led["report"]
        lines += [
            "",
            f"Ledger {led['path']}: {lr['n_forecasts']} forecasts, {lr['n_scored']} scored "
            f"({led['scored_now']} now), {lr['n_open']} open"
            + (f"; Brier {lr['brier']:.3f}" if lr.get("brier") is not None else ""),
        ]
        for c in lr.get("by_command", []):
            lines.append(
                f"  {c['command']}: {c['n']} scored, Brier {c['brier']:.3f}, mean forecast "
                f"{c['mean_prob']:.2f}, happened {c['observed_rate']:.2f}"
            )
        lab = led.get("lab_report")
        if lab:
            lines.append(
                f"Against the labs' own calls: {lab['n_scored']} scored"
                + (f", Brier {lab['brier']:.3f}" if lab.get("brier") is not None else "")
            )
            for c in lab.get("by_command", []):
                lines.append(
                    f"  {c['command']}: {c['n']} scored, Brier {c['brier']:.3f}, mean forecast "
                    f"{c['mean_prob']:.2f}, lab had called it {c['called_rate']:.2f}"
                )
    return "\n".join(lines)


def format_frontier(fr: dict | None) -> list[str]:
    """The frontier backtest section of the recalibration report."""
    if not fr or not fr.get("n"):
        return []
    lines = [
        "",
        f"Frontier backtest (the best result of the models released by D + 3, 6 and 12 months): {fr['n']} targets",
        "  coverage of the model's central intervals: "
        + "; ".join(f"{c['nominal']:.0%}: {c['observed']:.0%}" for c in fr["coverage"])
        + f" (PIT mean {fr['pit_mean']:.2f}; below the 90% interval {fr['below_interval']:.0%}, "
        f"above it {fr['above_interval']:.0%})",
    ]
    c = fr.get("crps") or {}
    if c.get("model") is not None:
        lines.append(
            f"  CRPS on fraction benchmarks: model {c['model']:.4f}, persistence {c['persistence']:.4f}, "
            f"frontier trend {c['trend']:.4f}"
        )
    lines.append(f"  {'horizon':<9}{'unit':<10}{'n':>4}{'cov90':>7}{'model':>9}{'persist.':>10}{'trend':>9}")
    for r in fr["by_horizon"]:
        lines.append(
            f"  {r['horizon_days']:<9}{r['unit']:<10}{r['n']:>4}{r['coverage90']:>7.2f}{r['crps_model']:>9.4f}"
            f"{r['crps_persistence']:>10.4f}{r['crps_trend']:>9.4f}"
        )
    if fr.get("twelve_month_in90_by_origin"):
        lines.append(
            "  12-month targets inside the 90% interval, by origin: "
            + ", ".join(f"{r['origin']} {r['in90']:.0%} of {r['n']}" for r in fr["twelve_month_in90_by_origin"])
        )
    if fr.get("by_benchmark"):
        lines.append(
            "  by benchmark (every horizon; mean PIT 0.5 = unbiased, lower = the frontier came in below the forecast):"
        )
        lines.append(
            f"  {'benchmark':<30}{'n':>4}{'cov90':>7}{'PIT':>6}   latest origins: {'n':>3}{'cov90':>7}{'PIT':>6}"
        )
        for r in fr["by_benchmark"]:
            lines.append(
                f"  {r['benchmark']:<30}{r['n']:>4}{r['coverage90']:>7.2f}{r['pit_mean']:>6.2f}"
                f"   {r['recent_origins'][0]}+ {r['recent_n']:>3}"
                f"{r['recent_coverage90']:>7.2f}{r['recent_pit_mean']:>6.2f}"
            )
    return lines


def events_by_origin(rows: list[dict]) -> str:
    """The threshold events' Brier score at each origin against climatology's (the pooled base
    rate), as one line."""
    return "Brier by origin (climatology in brackets; crossings that happened): " + ", ".join(
        f"{r['origin']} {r['brier']:.3f} [{r['brier_climatology']:.3f}; {r['happened']} of {r['n']}]" for r in rows
    )


def format_update(res: dict) -> str:
    """``forecast update``: what was added, how the fit was updated, how surprising each result
    was and how much it moved every threshold (the dict of ``UpdateResult.to_json``)."""
    from ..inference import diagnostics_pass

    m = res["merge"]
    lines = [
        f"added {m['added']['results']} results and {m['added']['models']} models; fit updated by "
        f"{res['method']}"
        + (f" (Pareto k {res['pareto_k']:.2f})" if res["pareto_k"] is not None else "")
        + f" in {res['timing']['update_seconds']:.1f} s; saved to {res['fit']}; as of {res['as_of']}"
    ]
    d = res["diagnostics"]
    if d is not None:
        lines.append(
            f"refit diagnostics: max R-hat {d['max_rhat']:.4f}, min bulk ESS {d['min_ess_bulk']:.0f}, "
            f"divergences {d['divergences']}"
            + (
                ""
                if diagnostics_pass(d)
                else "  WARNING: not converged; rerun with more --draws, or refit with `forecast fit`"
            )
        )
    lines.append("\nHow surprising each new result was (predictive percentile under the previous fit):")

    def surprise_order(s):
        p = s["predictive_percentile"]
        return 1.0 if p is None else -abs(p - 0.5)

    for s in sorted(res["surprise"], key=surprise_order):
        head = f"  {s['model']:<28}{s['benchmark']:<20}{s['setting'][:22]:<24}observed {s['observed']:<8.4g}"
        if s["predictive_percentile"] is None:
            lines.append(head + "(benchmark new to the fit: no prediction)")
        else:
            lines.append(head + f"predicted {s['predicted_median']:<8.4g}percentile {s['predictive_percentile']:.3f}")
    lines.append("\nP(crossed by date), before -> after:")
    shift = res["shift"]
    for th in dict.fromkeys(x["threshold"] for x in shift):
        cells = "  ".join(f"{x['by'][:7]} {x['before']:.2f}->{x['after']:.2f}" for x in shift if x["threshold"] == th)
        lines.append(f"  {th:<38}{cells}")
    if res["influence"]:
        lines.append("\nResults that moved each threshold most (one at a time):")
        seen = set()
        for x in res["influence"]:
            if x["threshold"] in seen or abs(x["delta"]) < 0.005:
                continue
            seen.add(x["threshold"])
            lines.append(
                f"  {x['threshold']:<38}{x['model']} / {x['benchmark']} ({x['setting']}): "
                f"{x['delta']:+.2f} by {x['by']}"
            )
    return "\n".join(lines)
