"""`forecast backtest`, `forecast recalibrate` and `forecast ledger ...`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ForecastError
from ..inference.config import BACKTEST_CHAINS, BACKTEST_DRAWS, BACKTEST_TUNE
from .common import (
    BtChainsOpt,
    BtDrawsOpt,
    BtTuneOpt,
    DataOpt,
    HorizonOpt,
    JsonOpt,
    LedgerOpt,
    ModelConfigOpt,
    SeedOpt,
    ThresholdsOpt,
    app,
    fail,
    ledger_app,
    print_json,
)


@app.command("backtest")
def backtest_cmd(
    origin: Annotated[str, typer.Option("--origin", help="Fit on what was known on this date (YYYY-MM-DD).")],
    data: DataOpt = None,
    horizon_days: HorizonOpt = 365,
    seed: SeedOpt = 1,
    draws: BtDrawsOpt = BACKTEST_DRAWS,
    tune: BtTuneOpt = BACKTEST_TUNE,
    chains: BtChainsOpt = BACKTEST_CHAINS,
    model_config: ModelConfigOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Fit as of ORIGIN, predict every later result (within the horizon) and score the model and
    the peer methods on them: CRPS and 50/80/95% interval coverage."""
    from .. import data as D
    from ..data import parse_date
    from ..evaluation import backtest as BT
    from ..model import ModelConfig
    from ..reports.text import format_backtest

    _, msg = parse_date(origin)
    try:
        if msg:
            raise ForecastError(f"--origin: {msg}")
        ds = D.load_dataset(data)
        res = BT.run_backtest(
            ds,
            origin,
            config=ModelConfig.from_toml(model_config) if model_config else None,
            horizon_days=horizon_days,
            seed=seed,
            progressbar=not json_out,
            fit_kwargs={"draws": draws, "tune": tune, "chains": chains},
        )
    except ForecastError as exc:
        fail(exc)
    res.pop("_pooled", None)
    if json_out:
        print_json(res)
    else:
        typer.echo(format_backtest(res))


@app.command("recalibrate")
def recalibrate_cmd(
    origins: Annotated[Optional[str], typer.Option("--origins", help="Comma-separated origin dates D1,D2,...")] = None,
    quarterly_from: Annotated[
        Optional[str],
        typer.Option("--quarterly-from", help="Every quarter end from this quarter (YYYY-Qn) up to the data's end."),
    ] = None,
    data: DataOpt = None,
    horizon_days: HorizonOpt = 365,
    workers: Annotated[int, typer.Option("--workers", help="Parallel worker processes (one origin each).")] = 2,
    dask_scheduler: Annotated[
        Optional[str],
        typer.Option("--dask-scheduler", help="Run the origins on this Dask scheduler (e.g. tcp://127.0.0.1:8786)."),
    ] = None,
    thresholds: ThresholdsOpt = None,
    ledger: LedgerOpt = None,
    out: Annotated[
        Path, typer.Option("--out", help="The report (JSON); the text report and the calibration figure go beside it.")
    ] = Path("out/recalibration.json"),
    seed: SeedOpt = 1,
    draws: BtDrawsOpt = BACKTEST_DRAWS,
    tune: BtTuneOpt = BACKTEST_TUNE,
    chains: BtChainsOpt = BACKTEST_CHAINS,
    model_config: ModelConfigOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Backtests at each origin (in parallel), pooled into a calibration report with the peer
    methods side by side; records the origins' threshold forecasts in the ledger and scores every
    open ledger forecast the data now settle."""
    from ..evaluation.recalibrate import parse_origins, run_recalibrate
    from ..model import ModelConfig
    from ..reports.recalibration import write_report
    from ..reports.text import format_report

    try:
        origin_list = parse_origins(origins) if origins else None
        config = ModelConfig.from_toml(model_config) if model_config else None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("backtests"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            transient=True,
            disable=json_out,
            console=Console(stderr=True),
        ) as bar:
            task = bar.add_task("", total=None)

            def progress(done, total, origin):
                bar.update(task, completed=done, total=total, description=f"origin {origin} done")

            rep = run_recalibrate(
                data,
                origin_list,
                quarterly_from=quarterly_from,
                horizon_days=horizon_days,
                seed=seed,
                workers=workers,
                dask_scheduler=dask_scheduler,
                thresholds_path=thresholds,
                ledger=ledger,
                progress=progress,
                fit_kwargs={"draws": draws, "tune": tune, "chains": chains},
                config=config,
            )
        write_report(rep, out)
    except ForecastError as exc:
        fail(exc)
    if json_out:
        print_json(rep)
    else:
        typer.echo(format_report(rep))
        typer.echo(f"\nreport written to {out} (text: {out.with_suffix('.txt')})")


def _existing_ledger(ledger: Optional[Path]) -> Path:
    """The ledger path (--ledger, $FORECAST_LEDGER or the default); an error if none exists yet."""
    from ..evaluation import ledger as L

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
    from ..evaluation import ledger as L

    try:
        path = _existing_ledger(ledger)
        t = L.table(path)
        rep = L.report(path)
    except ForecastError as exc:
        fail(exc)
    if open_only:
        t = t[t["outcome"].isna()]
    if threshold:
        t = t[t["threshold"] == threshold]
    if json_out:
        print_json({"ledger": str(path), "summary": rep, "forecasts": json.loads(t.to_json(orient="records"))})
        return
    typer.echo(
        f"{path}: {rep['n_forecasts']} forecasts, {rep['n_scored']} scored, {rep['n_open']} open"
        + (f"; Brier {rep['brier']:.3f}" if rep.get("brier") is not None else "")
        + (
            f" (leaving out {rep['n_already_crossed_when_issued']} on thresholds already crossed when issued)"
            if rep.get("n_already_crossed_when_issued")
            else ""
        )
    )
    for c in rep.get("by_command", []):
        typer.echo(f"  {c['command']}: {c['n']} scored, Brier {c['brier']:.3f}")
    if t.empty:
        return
    typer.echo(f"\n{'id':>5} {'command':<12}{'as of':<12}{'threshold':<38}{'by':<12}{'P':>6}  outcome")
    for r in t.itertuples():
        out = (
            "open"
            if r.outcome is None or r.outcome != r.outcome
            else (f"{int(r.outcome)} (crossed {r.crossed_on})" if r.outcome == 1 else "0")
        )
        typer.echo(
            f"{r.forecast_id:>5} {r.command:<12}{r.as_of:<12}{r.threshold:<38}{r.by_date:<12}{r.prob:>6.2f}  {out}"
        )


@ledger_app.command("score")
def ledger_score(
    ledger: LedgerOpt = None,
    data: DataOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Score the open forecasts that the current data settle (no fitting): a threshold crossed by
    a forecast's date counts 1, a date the data have passed without a crossing counts 0. Each is
    also scored against the labs' own determinations (its own Brier score): the lab called the
    level reached by the date counts 1, determinations past the date without such a call count 0."""
    from .. import data as D
    from ..data.determinations import load_determinations
    from ..evaluation import ledger as L
    from ..forecasting.thresholds import load_thresholds

    try:
        path = _existing_ledger(ledger)
        data_dir = D.resolve_data_dir(data)
        res = L.score_open(path, D.load_dataset(data), load_determinations(data_dir), load_thresholds())
        rep, lab = L.report(path), L.lab_report(path)
    except ForecastError as exc:
        fail(exc)
    if json_out:
        print_json({"ledger": str(path), **res, "summary": rep, "against_labs": lab})
        return
    typer.echo(
        f"{path}: scored {res['scored_now']} forecasts now; {res['still_open']} still open; "
        f"{rep['n_scored']} scored in all" + (f", Brier {rep['brier']:.3f}" if rep.get("brier") is not None else "")
    )
    typer.echo(
        f"against the labs' own calls: {lab['n_scored']} scored"
        + (f", Brier {lab['brier']:.3f}" if lab.get("brier") is not None else "")
        + "".join(f"; {c['command']} {c['n']} (Brier {c['brier']:.3f})" for c in lab["by_command"])
    )
