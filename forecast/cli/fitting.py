"""`forecast fit`, `forecast compare`, `forecast attribution`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ForecastError
from ..inference.config import FIT_CHAINS, FIT_DRAWS, FIT_TUNE
from .common import (
    AsOfOpt,
    ChainsOpt,
    DataOpt,
    DrawsOpt,
    JsonOpt,
    ModelConfigOpt,
    SeedOpt,
    TuneOpt,
    app,
    err,
    fail,
    print_json,
)


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
    model_config: ModelConfigOpt = None,
    allow_diagnostics_failure: Annotated[
        bool,
        typer.Option(
            "--allow-diagnostics-failure",
            help="Exit 0 and save to --out even if R-hat > 1.01 or there are divergences.",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Fit the Bayesian capability model and save it; print diagnostics and key quantities."""
    from ..inference import run_fit
    from ..model import ModelConfig
    from ..reports.text import format_fit

    try:
        config = ModelConfig.from_toml(model_config, variant=variant) if model_config else ModelConfig(variant=variant)
        run = run_fit(
            data,
            as_of=as_of,
            seed=seed,
            draws=draws,
            tune=tune,
            chains=chains,
            out=out,
            config=config,
            sampler=sampler,
            progressbar=not json_out,
            allow_failure=allow_diagnostics_failure,
        )
    except ForecastError as exc:
        fail(exc)
    d = run.diagnostics
    if json_out:
        print_json(run.to_json())
    else:
        typer.echo(format_fit(run.to_json(), chains=chains))
    if not run.passed:
        err(
            f"diagnostics failed (R-hat must be <= 1.01 with no divergences): max R-hat {d['max_rhat']:.4f}, "
            f"divergences {d['divergences']}"
            + (
                ""
                if allow_diagnostics_failure
                else f"; fit saved to {run.path}, not over {out}; rerun with more --tune/--draws or "
                "--allow-diagnostics-failure"
            )
        )
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
    from .. import data as D
    from ..inference import compare_variants

    try:
        ds = D.load_dataset(data)
        if as_of:
            ds = ds.as_of(as_of)
        table = compare_variants(ds, seed=seed, draws=draws, tune=tune, chains=chains, progressbar=not json_out)
    except ForecastError as exc:
        fail(exc)
    if json_out:
        typer.echo(table.reset_index(names="variant").to_json(orient="records", indent=2))
    else:
        typer.echo(table.to_string())


@app.command("attribution")
def attribution_cmd(
    fit: Annotated[Path, typer.Option("--fit", help="A saved fit.")] = Path("out/fit.nc"),
    since: Annotated[
        str,
        typer.Option(
            help="Start: the frontier model released on or before this date "
            "(default: the day before the o1 announcement)."
        ),
    ] = "2024-09-11",
    old_model: Annotated[
        Optional[str], typer.Option(help="Compare from this model (default: the frontier at --since).")
    ] = None,
    new_model: Annotated[
        Optional[str], typer.Option(help="Compare to this model (default: the newest frontier).")
    ] = None,
    domain: Annotated[Optional[str], typer.Option(help="Use this domain's reasoning effect (default: global).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """How much of the frontier's capability gain since a date came from training compute,
    test-time compute and algorithmic progress, with intervals."""
    from ..forecasting.attribution import attribute_gain
    from ..inference import load_fit

    try:
        idata = load_fit(fit)
        table = attribute_gain(idata, since, old_model=old_model, new_model=new_model, domain=domain)
    except ForecastError as exc:
        fail(exc)
    if json_out:
        typer.echo(table.reset_index().to_json(orient="records", indent=2))
    else:
        typer.echo(
            f"capability gain {table.attrs.get('old_model', '')} -> {table.attrs.get('new_model', '')} "
            "(theta units, equal-tailed intervals)"
        )
        typer.echo(table.to_string())
