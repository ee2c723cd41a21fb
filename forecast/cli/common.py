"""The pieces every command shares: the Typer apps, common options, and how errors and JSON
are printed (data on stdout, diagnostics on stderr)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    help="Forecast when frontier AI models cross capability thresholds (training and test-time compute).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Validate, inspect, add to and import the dataset.", no_args_is_help=True)
app.add_typer(data_app, name="data")

ledger_app = typer.Typer(
    help="Inspect and score the forecast ledger (every forecast the tool issued).", no_args_is_help=True
)
app.add_typer(ledger_app, name="ledger")

DataOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--data", help="Data directory (default: $FORECAST_DATA, else the bundled data/).", show_default=False
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def err(message: str) -> None:
    typer.echo(message, err=True)


def fail(exc: Exception, code: int = 1) -> None:
    err(f"error: {exc}")
    raise typer.Exit(code)


def print_json(obj) -> None:
    typer.echo(json.dumps(obj, indent=2, default=str))


SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same numbers.")]
DrawsOpt = Annotated[int, typer.Option(help="Posterior draws per chain.")]
TuneOpt = Annotated[
    int,
    typer.Option(
        help="Tuning steps per chain, after a short pilot run (200 tuning steps + 25 "
        "draws a chain) whose posterior covariance preconditions the sampler."
    ),
]
ChainsOpt = Annotated[int, typer.Option(help="Number of chains.")]
AsOfOpt = Annotated[
    Optional[str],
    typer.Option("--as-of", help="Use only models released and results reported on or before YYYY-MM-DD."),
]


FitOpt = Annotated[Path, typer.Option("--fit", help="A saved fit (from `forecast fit`).")]
ThresholdsOpt = Annotated[
    Optional[Path], typer.Option("--thresholds", help="Threshold definitions (TOML); default data/thresholds.toml.")
]
LedgerOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--ledger",
        help="Forecast ledger (SQLite) to record in; default $FORECAST_LEDGER, else out/ledger.sqlite.",
        show_default=False,
    ),
]
NoLedgerOpt = Annotated[bool, typer.Option("--no-ledger", help="Do not record these forecasts in the ledger.")]


HorizonOpt = Annotated[
    int, typer.Option("--horizon-days", help="Predict results reported up to this many days after the origin.")
]
ModelConfigOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--model-config",
        help="TOML file of model settings (fields of forecast.model.ModelConfig, e.g. learn_ceiling = true); "
        "the rest at their defaults. docs/backtesting.md measures the configurations.",
    ),
]
BtDrawsOpt = Annotated[int, typer.Option("--draws", help="Posterior draws per chain in each backtest fit.")]
BtTuneOpt = Annotated[int, typer.Option("--tune", help="Tuning steps per chain in each backtest fit.")]
BtChainsOpt = Annotated[int, typer.Option("--chains", help="Chains in each backtest fit.")]
