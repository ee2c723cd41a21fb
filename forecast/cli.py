"""The `forecast` command. Thin: parse arguments, call one library function, print the result.

Heavy libraries (pymc, arviz, matplotlib) are imported inside the commands that need them, so
`forecast --help` and the data commands start fast. Data goes to stdout, diagnostics to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .defaults import BACKTEST_CHAINS, BACKTEST_DRAWS, BACKTEST_TUNE, FIT_CHAINS, FIT_DRAWS, FIT_TUNE
from .errors import ForecastError

app = typer.Typer(
    help="Forecast when frontier AI models cross capability thresholds (training and test-time compute).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Validate, inspect, add to and import the dataset.", no_args_is_help=True)
app.add_typer(data_app, name="data")

DataOpt = Annotated[
    Optional[Path],
    typer.Option("--data", help="Data directory (default: $FORECAST_DATA, else the bundled data/).",
                 show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _fail(exc: Exception, code: int = 1) -> None:
    _err(f"error: {exc}")
    raise typer.Exit(code)


def _print_json(obj) -> None:
    typer.echo(json.dumps(obj, indent=2, default=str))


# ------------------------------------------------------------------------------------------------
# data
# ------------------------------------------------------------------------------------------------


@data_app.command("validate")
def data_validate(data: DataOpt = None, json_out: JsonOpt = False) -> None:
    """Check every row of the dataset; list each problem with file, line and column."""
    from . import data as D
    from .summary import summarise

    try:
        ds = D.load_dataset(data)
    except ForecastError as exc:
        _fail(exc)
    summary = summarise(ds)
    if json_out:
        _print_json({"valid": True, **summary})
    else:
        typer.echo(f"OK: {D.resolve_data_dir(data)} is valid (data hash {ds.data_hash})")
        typer.echo(_format_summary(summary))


def _format_summary(s: dict) -> str:
    lines = [
        f"models: {s['n_models']} ({s['first_release']} to {s['last_release']}; "
        f"{s['n_reasoning']} reasoning by default; training compute known for {s['n_with_compute']})",
        f"benchmarks: {s['n_benchmarks']} in {len(s['domains'])} domains ({', '.join(s['domains'])})",
        f"results: {s['n_results']} (newest reported {s['newest_result']}; vendor {s['by_evaluator'].get('vendor', 0)}, "
        f"independent {s['by_evaluator'].get('independent', 0)}; non-default test-time setting {s['n_test_time']})",
        "",
        f"{'benchmark':<22}{'domain':<11}{'unit':<10}{'results':>8}{'models':>8}  best (model)",
    ]
    for b in s["benchmarks"]:
        lines.append(f"{b['benchmark']:<22}{b['domain']:<11}{b['unit']:<10}{b['n_results']:>8}{b['n_models']:>8}  "
                     f"{b['best']} ({b['best_model']})")
    return "\n".join(lines)


@data_app.command("show")
def data_show(
    table: Annotated[str, typer.Argument(help="models, benchmarks or results")] = "results",
    data: DataOpt = None,
    model: Annotated[Optional[str], typer.Option(help="Only rows whose model id contains this text.")] = None,
    benchmark: Annotated[Optional[str], typer.Option(help="Only this benchmark id.")] = None,
    domain: Annotated[Optional[str], typer.Option(help="Only benchmarks of this domain.")] = None,
    since: Annotated[Optional[str], typer.Option(help="Only rows dated on or after YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows (0 = all).")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """Print a table of models, benchmarks or results, with filters."""
    from . import data as D
    from .summary import filter_table

    try:
        ds = D.load_dataset(data)
        frame = filter_table(ds, table, model=model, benchmark=benchmark, domain=domain, since=since)
    except ForecastError as exc:
        _fail(exc)
    shown = frame if limit <= 0 else frame.head(limit)
    if json_out:
        typer.echo(shown.to_json(orient="records", date_format="iso", indent=2))
        return
    import pandas as pd

    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 48):
        typer.echo(shown.to_string(index=False))
    if len(frame) > len(shown):
        _err(f"({len(frame)} rows; showing {len(shown)}: use --limit 0 for all)")


def _print_report(report, json_out: bool, dry_run: bool) -> None:
    s = report.summary()
    if json_out:
        _print_json({"dry_run": dry_run, **s})
        return
    prefix = "would add" if dry_run else "added"
    typer.echo(f"{prefix}: {s['added']['models']} models, {s['added']['benchmarks']} benchmarks, "
               f"{s['added']['results']} results; updated: {s['updated']['models']} models, "
               f"{s['updated']['results']} results; skipped: {s['skipped']}")
    for why, n in sorted(s["skipped_by_reason"].items(), key=lambda kv: -kv[1]):
        typer.echo(f"  skipped {n:>4}: {why}")


@data_app.command("add")
def data_add(
    results: Annotated[Path, typer.Argument(help="CSV of new results (results.csv columns).")],
    models: Annotated[Optional[Path], typer.Option("--models", help="CSV of new models (models.csv columns).")] = None,
    benchmarks: Annotated[Optional[Path], typer.Option("--benchmarks", help="CSV of new benchmarks.")] = None,
    data: DataOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and report; write nothing.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Validate new rows against the dataset and append them atomically (all or nothing)."""
    from . import data as D

    try:
        report = D.add_files(D.resolve_data_dir(data), results, models, benchmarks, dry_run=dry_run)
    except ForecastError as exc:
        _fail(exc)
    _print_report(report, json_out, dry_run)


@data_app.command("import")
def data_import(
    source: Annotated[str, typer.Argument(help="epoch-hub, epoch-models or metr")],
    path: Annotated[Path, typer.Argument(help="Export directory (epoch-hub) or file.")],
    data: DataOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; write nothing.")] = False,
    add_new: Annotated[bool, typer.Option("--add-new", help="epoch-models: also add language models not yet in the dataset.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Merge a public dataset into the data directory, reporting what was added, updated and skipped."""
    from . import data as D
    from .importers import import_source

    try:
        report = import_source(source, path, D.resolve_data_dir(data), dry_run=dry_run, add_new=add_new)
    except ForecastError as exc:
        _fail(exc)
    _print_report(report, json_out, dry_run)


# ------------------------------------------------------------------------------------------------
# fit, compare, attribution
# ------------------------------------------------------------------------------------------------

SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same numbers.")]
DrawsOpt = Annotated[int, typer.Option(help="Posterior draws per chain.")]
TuneOpt = Annotated[int, typer.Option(help="Tuning steps per chain, after a short pilot run (200 tuning steps + 25 "
                                            "draws a chain) whose posterior covariance preconditions the sampler.")]
ChainsOpt = Annotated[int, typer.Option(help="Number of chains.")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="Use only models released and results reported on or before YYYY-MM-DD.")]


def _format_quantities(kq) -> str:
    from . import CI_PROB

    width = int(round(CI_PROB * 100))
    lines = [f"{'quantity':<34}{'domain':<12}{'mean':>9}   {width}% interval"]
    for _, r in kq.iterrows():
        dom = r.get("domain") or ""
        dom = "" if dom != dom else dom
        lines.append(f"{r['quantity']:<34}{dom:<12}{r['mean']:>9.3f}   [{r['lower']:.3f}, {r['upper']:.3f}]")
    return "\n".join(lines)


@app.command("fit")
def fit_cmd(
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    seed: SeedOpt = 1,
    draws: DrawsOpt = FIT_DRAWS,
    tune: TuneOpt = FIT_TUNE,
    chains: ChainsOpt = FIT_CHAINS,
    out: Annotated[Path, typer.Option("--out", help="Where to save the fit (netCDF).")] = Path("out/fit.nc"),
    sampler: Annotated[str, typer.Option(help="nutpie (default, fast) or pymc.")] = "nutpie",
    variant: Annotated[str, typer.Option(help="joint, compute_only or date_only.")] = "joint",
    allow_diagnostics_failure: Annotated[bool, typer.Option("--allow-diagnostics-failure",
        help="Exit 0 and save to --out even if R-hat > 1.01 or there are divergences.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Fit the Bayesian capability model and save it; print diagnostics and key quantities."""
    from .fit import run_fit
    from .model import ModelConfig

    try:
        run = run_fit(data, as_of=as_of, seed=seed, draws=draws, tune=tune, chains=chains, out=out,
                      config=ModelConfig(variant=variant), sampler=sampler, progressbar=not json_out,
                      allow_failure=allow_diagnostics_failure)
    except ForecastError as exc:
        _fail(exc)
    d = run.diagnostics
    if json_out:
        _print_json(run.to_json())
    else:
        t = run.timing
        typer.echo(f"fit saved to {run.path}  (data {run.idata.attrs['data_hash']}, seed {seed}"
                   f"{', as of ' + as_of if as_of else ''})")
        typer.echo(f"diagnostics: max R-hat {d['max_rhat']:.4f}, min bulk ESS {d['min_ess_bulk']:.0f}, "
                   f"divergences {d['divergences']}; compile {t.get('compile_seconds', 0):.1f} s, "
                   f"sampling {t.get('sampling_seconds', 0):.1f} s"
                   + (f" (pilot {t['pilot_seconds']:.1f} s)" if "pilot_seconds" in t else "")
                   + (f"; not converged after the first run, so extended by {int(t['extension_rounds'])} round(s) "
                      f"of {chains} more chains ({t.get('extension_seconds', 0):.1f} s)"
                      if t.get("extension_rounds") else "")
                   + (f"; the first main run had divergences or missed R-hat, so it was replaced by one at "
                      f"target acceptance {t['retry_target_accept']:.2f} ({t.get('retry_seconds', 0):.1f} s)"
                      if t.get("retry_target_accept") else ""))
        typer.echo(_format_quantities(run.key_quantities))
    if not run.passed:
        _err(f"diagnostics failed (R-hat must be <= 1.01 with no divergences): max R-hat {d['max_rhat']:.4f}, "
             f"divergences {d['divergences']}" + ("" if allow_diagnostics_failure else
             f"; fit saved to {run.path}, not over {out}; rerun with more --tune/--draws or "
             "--allow-diagnostics-failure"))
        if not allow_diagnostics_failure:
            raise typer.Exit(3)


@app.command("compare")
def compare_cmd(
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    seed: SeedOpt = 1,
    draws: DrawsOpt = 1000,
    tune: TuneOpt = 200,
    chains: ChainsOpt = 4,
    json_out: JsonOpt = False,
) -> None:
    """PSIS-LOO comparison of the joint model with compute-only and date-only variants."""
    from . import data as D
    from .model import compare_variants

    try:
        ds = D.load_dataset(data)
        if as_of:
            ds = ds.as_of(as_of)
        table = compare_variants(ds, seed=seed, draws=draws, tune=tune, chains=chains, progressbar=not json_out)
    except ForecastError as exc:
        _fail(exc)
    if json_out:
        typer.echo(table.reset_index(names="variant").to_json(orient="records", indent=2))
    else:
        typer.echo(table.to_string())


@app.command("attribution")
def attribution_cmd(
    fit: Annotated[Path, typer.Option("--fit", help="A saved fit.")] = Path("out/fit.nc"),
    since: Annotated[str, typer.Option(help="Start: the frontier model released on or before this date (default: the day before the o1 announcement).")] = "2024-09-11",
    old_model: Annotated[Optional[str], typer.Option(help="Compare from this model (default: the frontier at --since).")] = None,
    new_model: Annotated[Optional[str], typer.Option(help="Compare to this model (default: the newest frontier).")] = None,
    domain: Annotated[Optional[str], typer.Option(help="Use this domain's reasoning effect (default: global).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """How much of the frontier's capability gain since a date came from training compute,
    test-time compute and algorithmic progress, with intervals."""
    from .attribution import attribute_gain
    from .fit import load_fit

    try:
        idata = load_fit(fit)
        table = attribute_gain(idata, since, old_model=old_model, new_model=new_model, domain=domain)
    except ForecastError as exc:
        _fail(exc)
    if json_out:
        typer.echo(table.reset_index().to_json(orient="records", indent=2))
    else:
        typer.echo(f"capability gain {table.attrs.get('old_model', '')} -> {table.attrs.get('new_model', '')} "
                   "(theta units, equal-tailed intervals)")
        typer.echo(table.to_string())


# ------------------------------------------------------------------------------------------------
# predict
# ------------------------------------------------------------------------------------------------

FitOpt = Annotated[Path, typer.Option("--fit", help="A saved fit (from `forecast fit`).")]
ThresholdsOpt = Annotated[Optional[Path], typer.Option("--thresholds", help="Threshold definitions (TOML); default data/thresholds.toml.")]
LedgerOpt = Annotated[Optional[Path], typer.Option("--ledger", help="Forecast ledger (SQLite) to record in; default $FORECAST_LEDGER, else out/ledger.sqlite.", show_default=False)]
NoLedgerOpt = Annotated[bool, typer.Option("--no-ledger", help="Do not record these forecasts in the ledger.")]


def _record(ledger, command: str, result: dict, thresholds_path, scenario: str) -> None:
    """Record a predict-shaped result's P(crossed by date) in the forecast ledger."""
    from . import ledger as L
    from .thresholds import load_thresholds

    ids = {t["id"] for t in result["thresholds"]}
    ths = [t for t in load_thresholds(thresholds_path) if t.id in ids]
    run_id = L.record(ledger, command, L.forecasts_from_predict(result), ths, fit_attrs=result.get("fit") or {},
                      scenario=scenario)
    if run_id is None:
        _err(f"these forecasts are already in the ledger {L.resolve_ledger(ledger)} (same fit): not recorded again")
    else:
        _err(f"recorded {sum(len(t['prob_by']) for t in result['thresholds'])} forecasts in the ledger "
             f"{L.resolve_ledger(ledger)} (run {run_id})")


@app.command("predict")
def predict_cmd(
    fit: FitOpt = Path("out/fit.nc"),
    threshold: Annotated[Optional[list[str]], typer.Option("--threshold", help="Threshold id (repeatable; default all).")] = None,
    by: Annotated[Optional[list[str]], typer.Option("--by", help="Date YYYY-MM-DD (repeatable; default each year end).")] = None,
    scenario: Annotated[str, typer.Option(help="baseline, compute-slowdown, test-time-scaling, no-test-time-scaling, no-algorithmic-progress.")] = "baseline",
    thresholds: ThresholdsOpt = None,
    seed: SeedOpt = 1,
    ledger: LedgerOpt = None,
    no_ledger: NoLedgerOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """P(threshold crossed by each date), the median crossing date with its 80% interval, and the
    frontier's predictive quantiles per benchmark. The probabilities go into the forecast ledger."""
    from .predict import predict

    try:
        result = predict(fit, threshold_ids=threshold, by=by, scenario=scenario, thresholds_path=thresholds, seed=seed)
        if not no_ledger:
            _record(ledger, "predict", result, thresholds, scenario)
    except ForecastError as exc:
        _fail(exc)
    if json_out:
        _print_json(result)
        return
    from .predict import format_predict

    typer.echo(format_predict(result))


@app.command("update")
def update_cmd(
    results: Annotated[Path, typer.Argument(help="CSV of new results (results.csv columns).")],
    models: Annotated[Optional[Path], typer.Option("--models", help="CSV of new models.")] = None,
    data: DataOpt = None,
    fit: FitOpt = Path("out/fit.nc"),
    out: Annotated[Optional[Path], typer.Option("--out", help="Where to save the updated fit (default: over --fit).")] = None,
    threshold: Annotated[Optional[list[str]], typer.Option("--threshold", help="Threshold id (repeatable; default all).")] = None,
    by: Annotated[Optional[list[str]], typer.Option("--by", help="Date YYYY-MM-DD (repeatable; default each year end).")] = None,
    thresholds: ThresholdsOpt = None,
    refit: Annotated[bool, typer.Option("--refit", help="Always refit by MCMC instead of reweighting the draws.")] = False,
    draws: Annotated[int, typer.Option("--draws", min=100, help="Draws per chain of a refit (as `forecast fit`).")] = FIT_DRAWS,
    tune: Annotated[int, typer.Option("--tune", min=50, help="Tuning steps per chain of a refit, after its pilot "
                                                               "run (started at draws of the previous fit).")] = FIT_TUNE,
    seed: SeedOpt = 1,
    ledger: LedgerOpt = None,
    no_ledger: NoLedgerOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Add new results (and models) atomically, update the fit, and report how surprising each
    result was and how much it moved every threshold. The new probabilities go into the ledger."""
    from .update import run_update

    try:
        res = run_update(results, models, data=data, fit=fit, out=out, seed=seed, thresholds_path=thresholds,
                         threshold_ids=threshold, by=by, refit=refit, draws=draws, tune=tune,
                         progressbar=not json_out)
        if not no_ledger:
            after = {"as_of": res.as_of, "fit": res.fit_attrs,
                     "thresholds": [{"id": th, "prob_by": {x["by"]: x["after"] for x in res.shift if x["threshold"] == th}}
                                    for th in dict.fromkeys(x["threshold"] for x in res.shift)]}
            _record(ledger, "update", after, thresholds, "baseline")
    except ForecastError as exc:
        _fail(exc)
    if json_out:
        _print_json(res.to_json())
        return
    m = res.merge
    typer.echo(f"added {m['added']['results']} results and {m['added']['models']} models; fit updated by "
               f"{res.method}" + (f" (Pareto k {res.pareto_k:.2f})" if res.pareto_k is not None else "")
               + f" in {res.timing['update_seconds']:.1f} s; saved to {res.fit}; as of {res.as_of}")
    d = res.diagnostics
    if d is not None:
        from .fit import diagnostics_pass

        ok = diagnostics_pass(d)
        typer.echo(f"refit diagnostics: max R-hat {d['max_rhat']:.4f}, min bulk ESS {d['min_ess_bulk']:.0f}, "
                   f"divergences {d['divergences']}" + ("" if ok else
                   "  WARNING: not converged; rerun with more --draws, or refit with `forecast fit`"))
    typer.echo("\nHow surprising each new result was (predictive percentile under the previous fit):")
    def surprise_order(s):
        p = s["predictive_percentile"]
        return 1.0 if p is None else -abs(p - 0.5)

    for s in sorted(res.surprise, key=surprise_order):
        if s["predictive_percentile"] is None:
            typer.echo(f"  {s['model']:<28}{s['benchmark']:<20}{s['setting'][:22]:<24}observed {s['observed']:<8.4g}"
                       f"(benchmark new to the fit: no prediction)")
            continue
        typer.echo(f"  {s['model']:<28}{s['benchmark']:<20}{s['setting'][:22]:<24}observed {s['observed']:<8.4g}"
                   f"predicted {s['predicted_median']:<8.4g}percentile {s['predictive_percentile']:.3f}")
    typer.echo("\nP(crossed by date), before -> after:")
    for th in dict.fromkeys(x["threshold"] for x in res.shift):
        cells = "  ".join(f"{x['by'][:7]} {x['before']:.2f}->{x['after']:.2f}" for x in res.shift if x["threshold"] == th)
        typer.echo(f"  {th:<38}{cells}")
    if res.influence:
        typer.echo("\nResults that moved each threshold most (one at a time):")
        seen = set()
        for x in res.influence:
            if x["threshold"] in seen or abs(x["delta"]) < 0.005:
                continue
            seen.add(x["threshold"])
            typer.echo(f"  {x['threshold']:<38}{x['model']} / {x['benchmark']} ({x['setting']}): "
                       f"{x['delta']:+.2f} by {x['by']}")


@data_app.command("snapshot")
def data_snapshot(
    as_of: Annotated[str, typer.Option("--as-of", help="Keep models released and results reported on or before YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="New data directory to write.")],
    data: DataOpt = None,
) -> None:
    """Write a copy of the dataset as it was known on a date (for backtests and worked examples)."""
    from . import data as D

    try:
        D.snapshot(D.resolve_data_dir(data), as_of, out)
    except ForecastError as exc:
        _fail(exc)
    typer.echo(f"wrote the dataset as of {as_of} to {out}")


# ------------------------------------------------------------------------------------------------
# backtests and recalibration
# ------------------------------------------------------------------------------------------------

HorizonOpt = Annotated[int, typer.Option("--horizon-days", help="Predict results reported up to this many days after the origin.")]
BtDrawsOpt = Annotated[int, typer.Option("--draws", help="Posterior draws per chain in each backtest fit.")]
BtTuneOpt = Annotated[int, typer.Option("--tune", help="Tuning steps per chain in each backtest fit.")]
BtChainsOpt = Annotated[int, typer.Option("--chains", help="Chains in each backtest fit.")]


@app.command("backtest")
def backtest_cmd(
    origin: Annotated[str, typer.Option("--origin", help="Fit on what was known on this date (YYYY-MM-DD).")],
    data: DataOpt = None,
    horizon_days: HorizonOpt = 365,
    seed: SeedOpt = 1,
    draws: BtDrawsOpt = BACKTEST_DRAWS,
    tune: BtTuneOpt = BACKTEST_TUNE,
    chains: BtChainsOpt = BACKTEST_CHAINS,
    json_out: JsonOpt = False,
) -> None:
    """Fit as of ORIGIN, predict every later result (within the horizon) and score the model and
    the peer methods on them: CRPS and 50/80/95% interval coverage."""
    from . import backtest as BT
    from . import data as D
    from .data import parse_date

    _, msg = parse_date(origin)
    try:
        if msg:
            raise ForecastError(f"--origin: {msg}")
        ds = D.load_dataset(data)
        res = BT.run_backtest(ds, origin, horizon_days=horizon_days, seed=seed, progressbar=not json_out,
                              fit_kwargs={"draws": draws, "tune": tune, "chains": chains})
    except ForecastError as exc:
        _fail(exc)
    res.pop("_pooled", None)
    if json_out:
        _print_json(res)
    else:
        typer.echo(BT.format_backtest(res))


@app.command("recalibrate")
def recalibrate_cmd(
    origins: Annotated[Optional[str], typer.Option("--origins", help="Comma-separated origin dates D1,D2,...")] = None,
    quarterly_from: Annotated[Optional[str], typer.Option("--quarterly-from", help="Every quarter end from this quarter (YYYY-Qn) up to the data's end.")] = None,
    data: DataOpt = None,
    horizon_days: HorizonOpt = 365,
    workers: Annotated[int, typer.Option("--workers", help="Parallel worker processes (one origin each).")] = 2,
    dask_scheduler: Annotated[Optional[str], typer.Option("--dask-scheduler", help="Run the origins on this Dask scheduler (e.g. tcp://127.0.0.1:8786).")] = None,
    thresholds: ThresholdsOpt = None,
    ledger: LedgerOpt = None,
    out: Annotated[Path, typer.Option("--out", help="The report (JSON); the text report and the calibration figure go beside it.")] = Path("out/recalibration.json"),
    seed: SeedOpt = 1,
    draws: BtDrawsOpt = BACKTEST_DRAWS,
    tune: BtTuneOpt = BACKTEST_TUNE,
    chains: BtChainsOpt = BACKTEST_CHAINS,
    json_out: JsonOpt = False,
) -> None:
    """Backtests at each origin (in parallel), pooled into a calibration report with the peer
    methods side by side; records the origins' threshold forecasts in the ledger and scores every
    open ledger forecast the data now settle."""
    from .recalibrate import format_report, run_recalibrate, parse_origins

    try:
        origin_list = parse_origins(origins) if origins else None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("backtests"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                      TimeElapsedColumn(), transient=True, disable=json_out,
                      console=Console(stderr=True)) as bar:
            task = bar.add_task("", total=None)

            def progress(done, total, origin):
                bar.update(task, completed=done, total=total, description=f"origin {origin} done")

            rep = run_recalibrate(data, origin_list, quarterly_from=quarterly_from, horizon_days=horizon_days, seed=seed,
                                  workers=workers, dask_scheduler=dask_scheduler, thresholds_path=thresholds,
                                  ledger=ledger, out=out, progress=progress,
                                  fit_kwargs={"draws": draws, "tune": tune, "chains": chains})
    except ForecastError as exc:
        _fail(exc)
    if json_out:
        _print_json(rep)
    else:
        typer.echo(format_report(rep))
        typer.echo(f"\nreport written to {out} (text: {out.with_suffix('.txt')})")


# ------------------------------------------------------------------------------------------------
# memo
# ------------------------------------------------------------------------------------------------


@app.command("memo")
def memo_cmd(
    fit: Annotated[Path, typer.Option("--fit", help="A saved fit (from `forecast fit` or `forecast update`).")] = Path("out/fit.nc"),
    out: Annotated[Path, typer.Option("--out", help="Directory to write the memo into.")] = Path("out/memo"),
    formats: Annotated[str, typer.Option("--format", help="Comma-separated formats: html (self-contained), md (PNG figures beside it), pdf.")] = "html,md",
    thresholds: Annotated[Optional[Path], typer.Option("--thresholds", help="Threshold definitions (TOML); default data/thresholds.toml.")] = None,
    scenario: Annotated[str, typer.Option(help="baseline, compute-slowdown, test-time-scaling, no-test-time-scaling, no-algorithmic-progress.")] = "baseline",
    calibration: Annotated[Optional[Path], typer.Option("--calibration", help="Backtest calibration JSON from `forecast recalibrate` (default: recalibration.json beside the fit, if there is one).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same numbers.")] = 1,
) -> None:
    """Write a decision memo from a saved fit: headline table (the numbers of `forecast predict`),
    what the latest update changed, figures, method, data vintage, diagnostics, backtest
    calibration and caveats, as HTML, Markdown and/or PDF."""
    from .memo import memo

    try:
        paths = memo(fit, out, formats=formats, thresholds_path=thresholds, scenario=scenario,
                     calibration=calibration, seed=seed)
    except ForecastError as exc:
        _fail(exc)
    for fmt, path in paths.items():
        typer.echo(f"{fmt}: {path}")


# ------------------------------------------------------------------------------------------------
# the forecast ledger
# ------------------------------------------------------------------------------------------------

ledger_app = typer.Typer(help="Inspect and score the forecast ledger (every forecast the tool issued).",
                         no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")


def _existing_ledger(ledger: Optional[Path]) -> Path:
    """The ledger path (--ledger, $FORECAST_LEDGER or the default); an error if none exists yet."""
    from . import ledger as L

    path = L.resolve_ledger(ledger)
    if not path.exists():
        raise ForecastError(f"{path}: no forecast ledger yet (forecast predict, update and recalibrate create it)")
    return path


@ledger_app.command("show")
def ledger_show(
    ledger: LedgerOpt = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only forecasts the data have not settled yet.")] = False,
    threshold: Annotated[Optional[str], typer.Option("--threshold", help="Only this threshold id.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List recorded forecasts with their provenance, outcome and Brier score, and a summary."""
    from . import ledger as L

    try:
        path = _existing_ledger(ledger)
        t = L.table(path)
        rep = L.report(path)
    except ForecastError as exc:
        _fail(exc)
    if open_only:
        t = t[t["outcome"].isna()]
    if threshold:
        t = t[t["threshold"] == threshold]
    if json_out:
        _print_json({"ledger": str(path), "summary": rep,
                     "forecasts": json.loads(t.to_json(orient="records"))})
        return
    typer.echo(f"{path}: {rep['n_forecasts']} forecasts, {rep['n_scored']} scored, {rep['n_open']} open"
               + (f"; Brier {rep['brier']:.3f}" if rep.get("brier") is not None else "")
               + (f" (leaving out {rep['n_already_crossed_when_issued']} on thresholds already crossed when issued)"
                  if rep.get("n_already_crossed_when_issued") else ""))
    for c in rep.get("by_command", []):
        typer.echo(f"  {c['command']}: {c['n']} scored, Brier {c['brier']:.3f}")
    if t.empty:
        return
    typer.echo(f"\n{'id':>5} {'command':<12}{'as of':<12}{'threshold':<38}{'by':<12}{'P':>6}  outcome")
    for r in t.itertuples():
        out = "open" if r.outcome is None or r.outcome != r.outcome else (
            f"{int(r.outcome)} (crossed {r.crossed_on})" if r.outcome == 1 else "0")
        typer.echo(f"{r.forecast_id:>5} {r.command:<12}{r.as_of:<12}{r.threshold:<38}{r.by_date:<12}{r.prob:>6.2f}  {out}")


@ledger_app.command("score")
def ledger_score(
    ledger: LedgerOpt = None,
    data: DataOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Score the open forecasts that the current data settle (no fitting): a threshold crossed by
    a forecast's date counts 1, a date the data have passed without a crossing counts 0."""
    from . import data as D
    from . import ledger as L

    try:
        path = _existing_ledger(ledger)
        res = L.score_open(path, D.load_dataset(data))
        rep = L.report(path)
    except ForecastError as exc:
        _fail(exc)
    if json_out:
        _print_json({"ledger": str(path), **res, "summary": rep})
        return
    typer.echo(f"{path}: scored {res['scored_now']} forecasts now; {res['still_open']} still open; "
               f"{rep['n_scored']} scored in all" + (f", Brier {rep['brier']:.3f}" if rep.get("brier") is not None else ""))


# ------------------------------------------------------------------------------------------------


def _exit_now(code) -> None:
    """End the process without the interpreter's teardown, which takes about 1 s after a fit
    (freeing some 350,000 objects of 2,900 imported modules). Every file a command writes is
    closed, and renamed into place, before the command returns; only the standard streams are
    still buffered, and they are flushed here."""
    import os

    if code is not None and not isinstance(code, int):  # sys.exit("message")
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to deliver
            pass
    os._exit(code or 0)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted; nothing was left half-written")
        _exit_now(130)
    except SystemExit as exc:  # typer ends every command this way, also on success
        _exit_now(exc.code)


if __name__ == "__main__":
    main()
