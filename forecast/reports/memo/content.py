"""The memo's text: ``memo_blocks`` turns ``memo_data``'s dict into a list of blocks (headings,
paragraphs, lists, tables, figures) that the renderers write as Markdown, HTML and PDF."""

from __future__ import annotations

import re

from ..plots import format_score
from ..text import events_by_origin, lagging_benchmarks, vintage_line
from ..units import BEYOND, format_prob
from .figures import MemoFigure
from .frontier_calibration import frontier_calibration_blocks, num3

NO_UPDATE = "no update since this fit"


def non_default_settings(config: dict | None) -> str:
    """The fit's model settings that differ from ``ModelConfig``'s defaults, as text."""
    if not config:
        return ""
    from ...model import ModelConfig

    base = ModelConfig().to_dict()
    return ", ".join(f"{k} = {v!r}" for k, v in sorted(config.items()) if base.get(k) != v)


def config_difference(fit_config: dict | None, report_config: str | None) -> str:
    """The model settings in which a recalibration report (its ``model_config``, JSON) differs
    from the fit's, as text; "" when they agree or the report predates the record."""
    if not fit_config or not report_config:
        return ""
    from ...model import ModelConfig

    report = ModelConfig.from_json(report_config).to_dict()
    keys = sorted(k for k in fit_config if report.get(k) != fit_config[k])
    return ", ".join(f"{k}: fit {fit_config[k]!r}, backtests {report.get(k)!r}" for k in keys)


NO_BACKTEST = "no backtest run yet: run forecast recalibrate"


def _p(x: float | None, crossed: bool = False) -> str:
    return format_prob(x, crossed)


def _when(d: str | None, until: str) -> str:
    return d if d else f"after {until}"


def _interval(iv, until: str) -> str:
    lo, hi = iv
    return f"{_when(lo, until)} to {_when(hi, until)}"


def _join(items: list[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _headline_text(data: dict) -> list[str]:
    rows, until, ye = data["headline"], data["until"], data["year_ends"]
    width = f"{data['crossing_interval']:.0%}"
    paras = [
        f"Forecast as of {data['as_of']} under the {data['scenario']} scenario ({data['scenario_description']}), "
        f"from {data['n_draws']} posterior draws of fit {data['fit'].get('fit_id') or '-'} "
        f"(data {data['fit'].get('data_hash') or '-'}, seed {data['seed']}). "
        f"{len(rows)} threshold{'s' if len(rows) != 1 else ''} forecast"
        + (
            f"; {len(data['skipped'])} not forecast (no results on their benchmarks in this fit)."
            if data["skipped"]
            else "."
        )
    ]
    v = data.get("data_vintage")
    if v:
        paras.append(vintage_line(v))
    ds = data["vintage"].get("dataset") or {}
    lag = lagging_benchmarks(ds.get("reach", {}), data["as_of"], ds.get("stale_days", 0))
    if lag:
        paras.append(lag)
    already = [r for r in rows if r["prob_already"] >= 0.5]
    ahead = sorted(
        [r for r in rows if r["prob_already"] < 0.5],
        key=lambda r: (r["median_crossing"] is None, r["median_crossing"] or ""),
    )
    s = []
    if already:
        s.append(
            f"Probably crossed already (P >= 0.5 on {data['as_of']}): "
            + _join([f"{r['name']} (P {_p(r['prob_already'], r.get('crossed'))})" for r in already])
            + "."
        )
    nxt = [r for r in ahead if r["median_crossing"]]
    if nxt:
        r = nxt[0]
        s.append(
            f"Next expected crossing: {r['name']} (proxy: {r['rule']}), median {r['median_crossing']}, "
            f"{width} interval "
            f"{_interval(r['interval'], until)}; P(crossed by {ye[0]}) = {_p(r['prob_by'][ye[0]], r.get('crossed'))}, "
            f"by {ye[-1]} = {_p(r['prob_by'][ye[-1]], r.get('crossed'))}."
        )
        if len(nxt) > 1:
            s.append(
                "Then: "
                + _join([f"{r['name']} (median {r['median_crossing']})" for r in nxt[1:4]])
                + (f" and {len(nxt) - 4} more" if len(nxt) > 4 else "")
                + "."
            )
    unlikely = [r for r in rows if r["prob_by"][ye[-1]] < 0.5]
    if unlikely:
        s.append(
            f"Less likely than not to be crossed by {ye[-1]}: "
            + _join([f"{r['name']} (P {_p(r['prob_by'][ye[-1]])})" for r in unlikely])
            + "."
        )
    if s:
        paras.append(" ".join(s))
    paras.append(
        f"P is the share of simulated frontiers (fitted models plus simulated future releases) that meet the "
        f"threshold's rule by the date; crossing dates are medians with {width} equal-tailed intervals. "
        "These are the numbers `forecast predict` prints for the same fit, thresholds, scenario and seed."
    )
    return paras


def _frontier_cell(cell, unit: str, limit: float | None = None) -> str:
    if not cell:
        return "-"
    med, lo, hi = cell
    return f"{format_score(med, unit, limit)} [{format_score(lo, unit, limit)}, {format_score(hi, unit, limit)}]"


def _headline_table(data: dict) -> tuple[list[str], list[list[str]]]:
    ye, until = data["year_ends"], data["until"]
    width = f"{data['crossing_interval']:.0%}"
    header = (
        ["threshold (proxy)", "now"]
        + [f"by {d[:4]}" for d in ye]
        + ["median crossing", f"{width} interval", "the lab's own call"]
    )
    rows = [
        [f"{r['name']} ({r['rule']})", _p(r["prob_already"], r.get("crossed"))]
        + [_p(r["prob_by"][d], r.get("crossed")) for d in ye]
        + [_when(r["median_crossing"], until), _interval(r["interval"], until), r.get("lab_call", "")]
        for r in data["headline"]
    ]
    return header, rows


def _lab_blocks(data: dict) -> list[tuple]:
    """The proxies against the labs' own published calls, in words, with the calls' sources."""
    rows = [r for r in data["headline"] if r.get("lab_comparison")]
    if not rows:
        return []
    out = [
        ("h3", "The proxies against the labs' own calls"),
        (
            "p",
            "What each lab has itself declared about the level a proxy stands for (determinations.csv: one row "
            "per published call, each with its source), and where the proxy runs ahead of or behind those calls.",
        ),
        ("list", [r["lab_comparison"] for r in rows]),
    ]
    sources = {c["source_url"] for r in rows for c in r.get("lab_determinations", [])}
    if sources:
        out.append(
            (
                "p",
                f"Sources of the calls: {len(sources)} system cards, model cards and posts; see "
                "`data/determinations.csv` for each quote and link.",
            )
        )
    return out


def _update_blocks(data: dict) -> list[tuple]:
    up = data["update"]
    if up is None:
        return [
            (
                "p",
                f"{NO_UPDATE[0].upper()}{NO_UPDATE[1:]} (fit {data['fit'].get('fit_id') or '-'}, as of "
                f"{data['as_of']}). `forecast update` records what new results changed; the next memo will "
                "show it here.",
            )
        ]
    d = data["diagnostics"]
    how = {
        "reweight": "reweighting the previous posterior draws by the new results' likelihood (Pareto-smoothed "
        "importance sampling)",
        "refit": "a full refit (the new results were too surprising for reweighting)",
    }.get(up["method"], up["method"])
    k = f", Pareto k {d['pareto_k']:.2f}" if d.get("pareto_k") is not None else ""
    out = [
        (
            "p",
            f"The latest update added {up['n_results']} results and was made by {how}{k}. P(crossed by date) "
            "before -> after, and the median crossing date before -> after, for the thresholds the update "
            "reported:",
        )
    ]
    header = ["threshold"] + [f"by {x[:7]}" for x in up["dates"]] + ["median crossing"]
    rows = []
    for th in up["thresholds"]:
        ss = {s["by"]: s for s in up["shift"] if s["threshold"] == th}
        first = next(iter(ss.values()))
        rows.append(
            [th]
            + [f"{ss[x]['before']:.2f} -> {ss[x]['after']:.2f}" if x in ss else "-" for x in up["dates"]]
            + [f"{first.get('median_before') or '-'} -> {first.get('median_after') or '-'}"]
        )
    out.append(("table", header, rows))
    if up["surprise"]:
        out.append(
            (
                "p",
                "The most surprising new results (predictive percentile under the previous fit; 0.5 = as "
                "expected, near 0 or 1 = a surprise):",
            )
        )
        out.append(
            (
                "table",
                ["model", "benchmark", "setting", "observed", "predicted median", "percentile"],
                [
                    [
                        s["model"],
                        s["benchmark"],
                        s.get("setting", ""),
                        format_score(s["observed"], s["unit"]),
                        format_score(s["predicted_median"], s["unit"]),
                        f"{s['predictive_percentile']:.3f}",
                    ]
                    for s in up["surprise"]
                ],
            )
        )
    if up["n_no_prediction"]:
        out.append(("p", f"{up['n_no_prediction']} new results were on benchmarks new to the fit: no prediction."))
    if up["influence"]:
        out.append(("p", "The single result that moved each threshold most:"))
        out.append(
            (
                "list",
                [
                    f"{x['threshold']}: {x['model']} on {x['benchmark']} ({x['setting']}), "
                    f"{x['delta']:+.2f} by {x['by']}"
                    for x in up["influence"]
                ],
            )
        )
    return out


def _method_blocks(data: dict) -> list[tuple]:
    kq = data["key_quantities"]

    def q(name):
        if name not in kq.index:
            return None
        r = kq.loc[name]
        return f"{r['median']:.2f} [{r['lower']:.2f}, {r['upper']:.2f}]"

    text = (
        "One latent capability per model, regressed on log training compute (unknown compute is a latent "
        "drawn from the compute trend), release date (algorithmic progress at fixed compute) and, per result, "
        "test-time compute (a reasoning effect and an elasticity per log10 of inference compute, by domain); "
        "each benchmark links capability to score through its own sigmoid with floor and ceiling (fractions, "
        "Beta noise) or a line (Elo, log2 minutes, Normal noise). Fitted by NUTS (nutpie) in PyMC. Forecasts "
        "simulate the frontier per posterior draw: the fitted models plus future releases at the recent release "
        "rate, with training compute from the fitted trend, their own deviations and the date term; a threshold "
        "is crossed when a released model meets its rule with a predictive score including benchmark noise. "
        f"Intervals are {data['ci_prob']:.0%} equal-tailed ({data['ci_kind']}) except crossing dates "
        f"({data['crossing_interval']:.0%}). Details: docs/methodology.md."
    )
    changed = non_default_settings(data.get("model_config"))
    text += (
        " Model settings: the defaults."
        if not changed
        else f" Model settings that differ from this version's defaults: {changed}."
    )
    out = [("p", text)]
    rows = []
    for name, label in (
        ("training_compute_slope", "capability per OOM of training compute"),
        ("algorithmic_progress_per_year", "capability per year at fixed compute (before 2024)"),
        ("algorithmic_progress_multiplier_per_year", "same, as effective-compute multiplier per year"),
        ("algorithmic_progress_per_year_recent", "capability per year at fixed compute (since 2024)"),
        ("algorithmic_progress_multiplier_per_year_recent", "same, as effective-compute multiplier per year"),
        ("frontier_compute_growth_oom_per_year", "training compute growth (OOM per year)"),
        ("reasoning_effect", "reasoning effect (global)"),
        ("test_time_elasticity", "capability per OOM of test-time compute (global)"),
        ("model_sd", "model-specific deviation (sd)"),
    ):
        v = q(name)
        if v is not None:
            rows.append([label, v])
    if rows:
        out.append(("table", ["quantity", f"median [{data['ci_prob']:.0%} interval]"], rows))
    return out


def _vintage_blocks(data: dict) -> list[tuple]:
    v, d = data["vintage"], data["diagnostics"]
    items = [
        f"Fit {v['fit_id'] or '-'} (forecast {v['forecast_version'] or '-'}, seed {v['seed']}), "
        f"{v['chains']} chains x {v['draws']} draws; data hash {v['data_hash'] or '-'}"
        + (f", as of {v['as_of']}" if v["as_of"] else "")
        + ".",
        f"{v['n_models']} models ({v['n_reasoning_models']} reasoning by default, training compute known for "
        f"{v['n_compute_known']}), {v['n_benchmarks']} benchmarks, {v['n_observations']} observations after "
        f"aggregating replicate results. Newest model: {v['newest_model']} (released {v['newest_release']}).",
    ]
    ds = v["dataset"]
    if ds:
        ev = ds["by_evaluator"]
        items.append(
            f"Data directory {v['data_dir']}: {ds['n_results']} results, newest reported {ds['newest_result']}; "
            f"{ev.get('vendor', 0)} vendor-reported, {ev.get('independent', 0)} independent"
            + "".join(f", {n} {k}" for k, n in ev.items() if k not in ("vendor", "independent"))
            + "."
        )
        if ds.get("reach"):
            items.append(
                "Newest result on each threshold benchmark (the backtests score each only up to it): "
                + ", ".join(f"{b} {d}" for b, d in sorted(ds["reach"].items(), key=lambda x: x[1]))
                + "."
            )
    elif v["dataset_note"]:
        items.append(v["dataset_note"][0].upper() + v["dataset_note"][1:] + ".")
    out = [("h3", "Data vintage"), ("list", items), ("h3", "Diagnostics")]
    verdict = "passed" if d["passed"] else "FAILED"
    text = (
        f"Max R-hat {d['max_rhat']:.4f} (at most {d['rhat_max']} required), min bulk ESS {d['min_ess_bulk']:.0f}, "
        f"{d['divergences']:.0f} divergences: {verdict} ({d['source']})."
    )
    if d["update_method"] == "reweight":
        text += (
            " This fit was updated by importance reweighting"
            + (
                f" (Pareto k {d['pareto_k']:.2f}; above 0.7 the update would have refitted)"
                if d["pareto_k"] is not None
                else ""
            )
            + "; the draws are a resample of an MCMC fit."
        )
    if not d["passed"]:
        text += " Read the forecast with care: the sampler has not shown convergence."
    out.append(("p", text))
    out.append(("h3", "Backtest calibration"))
    cal = data["calibration"]
    if cal is None:
        out.append(("p", NO_BACKTEST[0].upper() + NO_BACKTEST[1:] + "."))
        return out
    from ..plots import binomial_band

    origins = cal["origins"]
    out.append(
        (
            "p",
            f"Rolling-origin backtest ({len(origins)} origin{'s' if len(origins) != 1 else ''}"
            + (f": {origins[0]} to {origins[-1]}" if origins else "")
            + "): refit at each origin on the data "
            "known then, predict the results reported after it.",
        )
    )
    differs = config_difference(data.get("model_config"), cal.get("model_config"))
    if differs:
        out.append(
            (
                "p",
                "Caution: these backtests scored another model configuration than this forecast's fit ("
                + differs
                + "). Rerun `forecast recalibrate` with the fit's `--model-config` before quoting them.",
            )
        )
    if cal["scores"]:
        rows = []
        for name, s in cal["scores"].items():
            if not isinstance(s, dict):
                continue
            rows.append(
                [
                    str(name),
                    num3(s.get("crps")),
                    num3(s.get("coverage50")),
                    num3(s.get("coverage80")),
                    num3(s.get("coverage95")),
                    str(s.get("n", "-")),
                ]
            )
        out.append(
            ("table", ["method", "CRPS (lower is better)", "coverage 50%", "coverage 80%", "coverage 95%", "n"], rows)
        )
    if cal.get("best_baseline") and cal.get("ratio_to_best_baseline") is not None:
        r = cal["ratio_to_best_baseline"]
        out.append(
            (
                "p",
                f"CRPS of the model / CRPS of the best peer method ({cal['best_baseline']}): {r:.2f} "
                f"({'better' if r < 1 else 'not better'} than the best peer on fraction benchmarks).",
            )
        )
    ev = cal.get("events") or {}
    if ev.get("n_resolved") and ev.get("brier") is not None:
        clim = ev.get("brier_climatology")
        out.append(
            (
                "p",
                f"Threshold-event forecasts made at the origins: {ev.get('n')} forecasts, {ev['n_resolved']} "
                f"resolved by the data, Brier score {float(ev['brier']):.3f} (0 is perfect, 0.25 is a coin "
                "flip)"
                + (
                    f", against {float(clim):.3f} for climatology (always forecasting the base rate of crossings, "
                    f"{float(ev['base_rate']):.2f}): skill {float(ev['brier_skill']):+.2f}."
                    if clim is not None and ev.get("brier_skill") is not None
                    else "."
                ),
            )
        )
        if ev.get("by_origin"):
            out.append(("p", events_by_origin(ev["by_origin"]) + "."))
    out += frontier_calibration_blocks(cal.get("frontier"), data.get("threshold_benchmarks") or [])
    if cal["coverage"]:
        verdicts = []
        for c in sorted(cal["coverage"], key=lambda c: c["nominal"]):
            lo, hi = c.get("bounds95") or binomial_band(c["nominal"], c["n"])
            ok = lo <= c["observed"] <= hi
            eff = f", worth {c['n_effective']} independent ones" if c.get("n_effective") else ""
            verdicts.append(
                f"{c['nominal']:.0%} intervals held {c['observed']:.0%} of {c['n']} results{eff} "
                f"({'within' if ok else 'outside'} the 95% binomial range {lo:.0%}-{hi:.0%})"
            )
        out.append(("p", "Coverage: " + "; ".join(verdicts) + "."))
    return out


def _caveat_blocks(data: dict) -> list[tuple]:
    v = data["vintage"]
    items = [
        "A proxy crossing is not a lab determination. Each threshold is a benchmark proxy of a lab's capability "
        "threshold; labs decide with internal evaluations (uplift trials, red-teaming, expert judgement) that no "
        "public benchmark reproduces. What each proxy misses is listed below."
    ]
    ds = v["dataset"]
    if ds:
        ev = ds["threshold_by_evaluator"]
        n = ds["threshold_results"]
        items.append(
            f"Vendor-reported and independent scores are pooled. Of the {n} results on the thresholds' "
            f"benchmarks, {ev.get('vendor', 0)} are vendor-reported and {ev.get('independent', 0)} independent. "
            "Vendors choose settings, scaffolds and subsets and report their best; the model has no "
            "vendor effect, and replicates of one setting enter as their median."
        )
    else:
        items.append(
            "Vendor-reported and independent scores are pooled: vendors choose settings, scaffolds and "
            "subsets and report their best; the model has no vendor effect."
        )
    items.append(
        f"The forecast assumes the {data['scenario']} scenario: {data['scenario_description']}. Other "
        "scenarios: `forecast memo --scenario NAME`."
    )
    items.append(
        "Unknown training compute (most frontier models since mid-2024) is drawn from the all-model compute "
        "trend, so the split between training compute and the date term is uncertain for those models."
    )
    if data["skipped"]:
        why: dict[str, list[str]] = {}
        for x in data["skipped"]:
            why.setdefault(x["reason"], []).append(x["id"])
        items.append("Not forecast: " + "; ".join(f"{', '.join(ids)} ({reason})" for reason, ids in why.items()) + ".")
    out = [("list", items), ("h3", "What each proxy misses")]
    notes = []
    for tid, t in data["thresholds"].items():
        note = re.sub(r"\s+", " ", t.proxy_note).strip()
        notes.append(f"{tid} ({t.framework}, {t.level}; rule `{t.rule}`): {note}")
    out.append(("list", notes))
    return out


def memo_blocks(data: dict, figures: list[MemoFigure]) -> list[tuple]:
    """The memo as blocks: ("title"|"h2"|"h3"|"p", text), ("list", items), ("table", header,
    rows), ("figure", MemoFigure). Text may hold `code` spans; nothing else is markup."""
    blocks: list[tuple] = [
        ("title", f"Capability-threshold forecast memo, as of {data['as_of']}"),
        (
            "meta",
            f"forecast {data['forecast_version']}; fit {data['fit'].get('fit_id') or '-'}; "
            f"scenario {data['scenario']}; seed {data['seed']}",
        ),
        ("h2", "1. Headline"),
    ]
    blocks += [("p", t) for t in _headline_text(data)]
    header, rows = _headline_table(data)
    blocks.append(("table", header, rows))
    blocks += _lab_blocks(data)
    if data["frontier_rows"]:
        ye = data["year_ends"]
        blocks.append(
            (
                "p",
                "The frontier (best model released by the date) on the thresholds' benchmarks: "
                "predictive median [90% interval: 5th to 95th percentile].",
            )
        )
        blocks.append(
            (
                "table",
                ["benchmark"] + [d[:4] for d in ye],
                [
                    [r["benchmark"]] + [_frontier_cell(r["cells"].get(d), r["unit"], r.get("limit")) for d in ye]
                    for r in data["frontier_rows"]
                ],
            )
        )
        capped = [r for r in data["frontier_rows"] if r.get("limit") is not None]
        if capped:
            blocks.append(
                (
                    "p",
                    '"> " marks '
                    + _join([f"{r['benchmark']} above {format_score(r['limit'], r['unit'])}" for r in capped])
                    + f": {BEYOND}.",
                )
            )
        extrapolated = [r for r in data["headline"] if r.get("extrapolation")]
        if extrapolated:
            blocks.append(
                (
                    "p",
                    "Read with care: " + "; ".join(f"{r['name']}: {r['extrapolation']}" for r in extrapolated) + ".",
                )
            )
    blocks.append(("h2", "2. What changed since the previous forecast"))
    blocks += _update_blocks(data)
    blocks.append(("h2", "3. Figures"))
    for f in figures:
        blocks.append(("figure", f))
    blocks.append(("h2", "4. Method in brief"))
    blocks += _method_blocks(data)
    blocks.append(("h2", "5. Data vintage, diagnostics and backtest calibration"))
    blocks += _vintage_blocks(data)
    blocks.append(("h2", "6. Caveats"))
    blocks += _caveat_blocks(data)
    return blocks
