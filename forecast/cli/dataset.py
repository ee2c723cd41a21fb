"""`forecast data ...`: validate, show, add, import and snapshot the dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ForecastError
from .common import DataOpt, JsonOpt, data_app, err, fail, print_json


@data_app.command("validate")
def data_validate(data: DataOpt = None, json_out: JsonOpt = False) -> None:
    """Check every row of the dataset (and of the labs' determinations beside it); list each
    problem with file, line and column."""
    from .. import data as D
    from ..data.determinations import load_determinations
    from ..data.summary import summarise
    from ..reports.text import format_summary

    try:
        ds = D.load_dataset(data)
        determinations = load_determinations(D.resolve_data_dir(data))
    except ForecastError as exc:
        fail(exc)
    summary = summarise(ds)
    summary["n_determinations"] = len(determinations)
    summary["newest_determination"] = determinations["date"].max() if len(determinations) else None
    if json_out:
        print_json({"valid": True, **summary})
    else:
        typer.echo(f"OK: {D.resolve_data_dir(data)} is valid (data hash {ds.data_hash})")
        typer.echo(format_summary(summary))


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
    from .. import data as D
    from ..data.summary import filter_table

    try:
        ds = D.load_dataset(data)
        frame = filter_table(ds, table, model=model, benchmark=benchmark, domain=domain, since=since)
    except ForecastError as exc:
        fail(exc)
    shown = frame if limit <= 0 else frame.head(limit)
    if json_out:
        typer.echo(shown.to_json(orient="records", date_format="iso", indent=2))
        return
    import pandas as pd

    with pd.option_context(
        "display.max_rows", None, "display.max_columns", None, "display.width", 200, "display.max_colwidth", 48
    ):
        typer.echo(shown.to_string(index=False))
    if len(frame) > len(shown):
        err(f"({len(frame)} rows; showing {len(shown)}: use --limit 0 for all)")


def _print_report(report, json_out: bool, dry_run: bool) -> None:
    s = report.summary()
    if json_out:
        print_json({"dry_run": dry_run, **s})
        return
    prefix = "would add" if dry_run else "added"
    typer.echo(
        f"{prefix}: {s['added']['models']} models, {s['added']['benchmarks']} benchmarks, "
        f"{s['added']['results']} results; updated: {s['updated']['models']} models, "
        f"{s['updated']['results']} results; skipped: {s['skipped']}"
    )
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
    from .. import data as D

    try:
        report = D.add_files(D.resolve_data_dir(data), results, models, benchmarks, dry_run=dry_run)
    except ForecastError as exc:
        fail(exc)
    _print_report(report, json_out, dry_run)


@data_app.command("import")
def data_import(
    source: Annotated[str, typer.Argument(help="epoch-hub, epoch-models or metr")],
    path: Annotated[
        Path,
        typer.Argument(
            help="epoch-hub: the official download (zip or folder) or the older stitching export (folder); "
            "epoch-models: the AI Models download (zip or folder), or a Notable Models or ECI CSV; "
            "metr: a benchmark_results YAML (Time Horizon 1.0 or 1.1)."
        ),
    ],
    data: DataOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; write nothing.")] = False,
    add_new: Annotated[
        bool, typer.Option("--add-new", help="epoch-models: also add language models not yet in the dataset.")
    ] = False,
    benchmarks: Annotated[
        str,
        typer.Option(
            "--benchmarks",
            help="epoch-hub: 'all' imports every benchmark of the download; 'known' only those already in "
            "the data directory's benchmarks.csv.",
        ),
    ] = "all",
    json_out: JsonOpt = False,
) -> None:
    """Merge a public dataset into the data directory, reporting what was added, updated and skipped."""
    from .. import data as D
    from ..data.importers import import_source

    try:
        if benchmarks not in ("all", "known"):
            raise ForecastError(f"--benchmarks must be 'all' or 'known', got '{benchmarks}'")
        report = import_source(
            source, path, D.resolve_data_dir(data), dry_run=dry_run, add_new=add_new, known_only=benchmarks == "known"
        )
    except ForecastError as exc:
        fail(exc)
    _print_report(report, json_out, dry_run)


@data_app.command("snapshot")
def data_snapshot(
    as_of: Annotated[
        str, typer.Option("--as-of", help="Keep models released and results reported on or before YYYY-MM-DD.")
    ],
    out: Annotated[Path, typer.Option("--out", help="New data directory to write.")],
    data: DataOpt = None,
) -> None:
    """Write a copy of the dataset as it was known on a date (for backtests and worked examples)."""
    from .. import data as D

    try:
        D.snapshot(D.resolve_data_dir(data), as_of, out)
    except ForecastError as exc:
        fail(exc)
    typer.echo(f"wrote the dataset as of {as_of} to {out}")
