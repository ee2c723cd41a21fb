"""`forecast memo`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ForecastError
from .common import app, fail


@app.command("memo")
def memo_cmd(
    fit: Annotated[Path, typer.Option("--fit", help="A saved fit (from `forecast fit` or `forecast update`).")] = Path(
        "out/fit.nc"
    ),
    out: Annotated[Path, typer.Option("--out", help="Directory to write the memo into.")] = Path("out/memo"),
    formats: Annotated[
        str,
        typer.Option(
            "--format", help="Comma-separated formats: html (self-contained), md (PNG figures beside it), pdf."
        ),
    ] = "html,md",
    thresholds: Annotated[
        Optional[Path], typer.Option("--thresholds", help="Threshold definitions (TOML); default data/thresholds.toml.")
    ] = None,
    scenario: Annotated[
        str,
        typer.Option(
            help="baseline, compute-slowdown, test-time-scaling, no-test-time-scaling, no-algorithmic-progress."
        ),
    ] = "baseline",
    calibration: Annotated[
        Optional[Path],
        typer.Option(
            "--calibration",
            help="Backtest calibration JSON from `forecast recalibrate` "
            "(default: recalibration.json beside the fit, if there is one).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same numbers.")] = 1,
) -> None:
    """Write a decision memo from a saved fit: headline table (the numbers of `forecast predict`),
    what the latest update changed, figures, method, data vintage, diagnostics, backtest
    calibration and caveats, as HTML, Markdown and/or PDF."""
    from ..reports.memo import memo

    try:
        paths = memo(
            fit, out, formats=formats, thresholds_path=thresholds, scenario=scenario, calibration=calibration, seed=seed
        )
    except ForecastError as exc:
        fail(exc)
    for fmt, path in paths.items():
        typer.echo(f"{fmt}: {path}")
