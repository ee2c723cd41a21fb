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


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted; nothing was left half-written")
        sys.exit(130)


if __name__ == "__main__":
    main()
