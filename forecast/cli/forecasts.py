"""`forecast predict` and `forecast update`, and their records in the forecast ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ForecastError
from ..inference.config import FIT_DRAWS, FIT_TUNE
from .common import DataOpt, FitOpt, JsonOpt, LedgerOpt, NoLedgerOpt, SeedOpt, ThresholdsOpt, app, err, fail, print_json


def _record(ledger, command: str, result: dict, thresholds_path, scenario: str) -> None:
    """Record a predict-shaped result's P(crossed by date) in the forecast ledger."""
    from ..evaluation import ledger as L
    from ..forecasting.thresholds import load_thresholds

    ids = {t["id"] for t in result["thresholds"]}
    ths = [t for t in load_thresholds(thresholds_path) if t.id in ids]
    run_id = L.record(
        ledger, command, L.forecasts_from_predict(result), ths, fit_attrs=result.get("fit") or {}, scenario=scenario
    )
    if run_id is None:
        err(f"these forecasts are already in the ledger {L.resolve_ledger(ledger)} (same fit): not recorded again")
    else:
        err(
            f"recorded {sum(len(t['prob_by']) for t in result['thresholds'])} forecasts in the ledger "
            f"{L.resolve_ledger(ledger)} (run {run_id})"
        )


@app.command("predict")
def predict_cmd(
    fit: FitOpt = Path("out/fit.nc"),
    threshold: Annotated[
        Optional[list[str]], typer.Option("--threshold", help="Threshold id (repeatable; default all).")
    ] = None,
    by: Annotated[
        Optional[list[str]], typer.Option("--by", help="Date YYYY-MM-DD (repeatable; default each year end).")
    ] = None,
    scenario: Annotated[
        str,
        typer.Option(
            help="baseline, compute-slowdown, test-time-scaling, no-test-time-scaling, no-algorithmic-progress."
        ),
    ] = "baseline",
    thresholds: ThresholdsOpt = None,
    seed: SeedOpt = 1,
    ledger: LedgerOpt = None,
    no_ledger: NoLedgerOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """P(threshold crossed by each date), the median crossing date with its 80% interval, and the
    frontier's predictive quantiles per benchmark. The probabilities go into the forecast ledger."""
    from ..forecasting.predict import predict

    try:
        result = predict(fit, threshold_ids=threshold, by=by, scenario=scenario, thresholds_path=thresholds, seed=seed)
        if not no_ledger:
            _record(ledger, "predict", result, thresholds, scenario)
    except ForecastError as exc:
        fail(exc)
    if json_out:
        print_json(result)
        return
    from ..reports.text import format_predict

    typer.echo(format_predict(result))


@app.command("update")
def update_cmd(
    results: Annotated[Path, typer.Argument(help="CSV of new results (results.csv columns).")],
    models: Annotated[Optional[Path], typer.Option("--models", help="CSV of new models.")] = None,
    data: DataOpt = None,
    fit: FitOpt = Path("out/fit.nc"),
    out: Annotated[
        Optional[Path], typer.Option("--out", help="Where to save the updated fit (default: over --fit).")
    ] = None,
    threshold: Annotated[
        Optional[list[str]], typer.Option("--threshold", help="Threshold id (repeatable; default all).")
    ] = None,
    by: Annotated[
        Optional[list[str]], typer.Option("--by", help="Date YYYY-MM-DD (repeatable; default each year end).")
    ] = None,
    thresholds: ThresholdsOpt = None,
    refit: Annotated[
        bool, typer.Option("--refit", help="Always refit by MCMC instead of reweighting the draws.")
    ] = False,
    draws: Annotated[
        int, typer.Option("--draws", min=100, help="Draws per chain of a refit (as `forecast fit`).")
    ] = FIT_DRAWS,
    tune: Annotated[
        int,
        typer.Option(
            "--tune",
            min=50,
            help="Tuning steps per chain of a refit, after its pilot run (started at draws of the previous fit).",
        ),
    ] = FIT_TUNE,
    seed: SeedOpt = 1,
    ledger: LedgerOpt = None,
    no_ledger: NoLedgerOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Add new results (and models) atomically, update the fit, and report how surprising each
    result was and how much it moved every threshold. The new probabilities go into the ledger."""
    from ..forecasting.update import run_update
    from ..reports.text import format_update

    try:
        res = run_update(
            results,
            models,
            data=data,
            fit=fit,
            out=out,
            seed=seed,
            thresholds_path=thresholds,
            threshold_ids=threshold,
            by=by,
            refit=refit,
            draws=draws,
            tune=tune,
            progressbar=not json_out,
        )
        if not no_ledger:
            after = {
                "as_of": res.as_of,
                "fit": res.fit_attrs,
                "thresholds": [
                    {"id": th, "prob_by": {x["by"]: x["after"] for x in res.shift if x["threshold"] == th}}
                    for th in dict.fromkeys(x["threshold"] for x in res.shift)
                ],
            }
            _record(ledger, "update", after, thresholds, "baseline")
    except ForecastError as exc:
        fail(exc)
    if json_out:
        print_json(res.to_json())
        return
    typer.echo(format_update(res.to_json()))
