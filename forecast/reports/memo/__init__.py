"""`forecast memo`: a decision memo from a saved fit, as self-contained HTML, Markdown with PNG
figures beside it, and PDF.

One flow, one dict: ``data.memo_data`` computes everything the memo states; ``figures`` draws
from it; ``content.memo_blocks`` turns it into blocks; ``render`` writes the blocks in each
format; ``build_memo`` stages the files and moves them into place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ...errors import ForecastError
from .content import NO_BACKTEST, NO_UPDATE, memo_blocks
from .data import default_calibration_path, load_calibration, memo_data
from .figures import MemoFigure, memo_figures
from .render import render_html, render_markdown, render_pdf

__all__ = [
    "FORMATS",
    "NO_BACKTEST",
    "NO_UPDATE",
    "MemoFigure",
    "build_memo",
    "default_calibration_path",
    "load_calibration",
    "memo",
    "memo_blocks",
    "memo_data",
    "memo_figures",
    "parse_formats",
    "render_html",
    "render_markdown",
    "render_pdf",
]

FORMATS = ("html", "md", "pdf")
MEMO_STEM = "memo"
FIGURE_DIR = "figures"


def parse_formats(formats) -> tuple[str, ...]:
    """'html,md' or ['html', 'pdf'] -> ('html', 'md'); an unknown format is an error."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out = []
    for f in items:
        f = str(f).strip().lower()
        if not f:
            continue
        if f == "markdown":
            f = "md"
        if f not in FORMATS:
            raise ForecastError(f"unknown memo format '{f}'; choose from {', '.join(FORMATS)} (comma-separated)")
        if f not in out:
            out.append(f)
    if not out:
        raise ForecastError(f"no memo format given; choose from {', '.join(FORMATS)}")
    return tuple(out)


def build_memo(
    idata,
    out_dir,
    formats=("html", "md"),
    thresholds_path=None,
    scenario: str = "baseline",
    calibration=None,
    seed: int = 1,
) -> dict[str, Path]:
    """Write the memo to ``out_dir`` in each of ``formats`` (html, md, pdf): ``memo.html`` (self-
    contained), ``memo.md`` with its PNGs in ``figures/``, ``memo.pdf``. Everything is written to
    a temporary directory first and moved into place at the end, so a failure leaves the previous
    memo (or nothing), never half of one. ``calibration``: a dict or a JSON file from
    ``forecast recalibrate``, or None. Returns {format: path}."""
    formats = parse_formats(formats)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ForecastError(f"{out_dir}: exists and is not a directory; give another --out")
    data = memo_data(idata, thresholds_path=thresholds_path, scenario=scenario, calibration=calibration, seed=seed)
    figures = memo_figures(data)
    blocks = memo_blocks(data, figures)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        staged: dict[str, Path] = {}
        if "md" in formats:
            fdir = tmp / FIGURE_DIR
            fdir.mkdir()
            for k, f in enumerate(figures, start=1):
                (fdir / f"fig{k}-{f.name}.png").write_bytes(f.png)
            index = {id(f): k for k, f in enumerate(figures, start=1)}
            text = render_markdown(blocks, lambda f: f"{FIGURE_DIR}/fig{index[id(f)]}-{f.name}.png")
            (tmp / f"{MEMO_STEM}.md").write_text(text, encoding="utf-8")
            staged["md"] = tmp / f"{MEMO_STEM}.md"
        if "html" in formats:
            (tmp / f"{MEMO_STEM}.html").write_text(render_html(blocks), encoding="utf-8")
            staged["html"] = tmp / f"{MEMO_STEM}.html"
        if "pdf" in formats:
            (tmp / f"{MEMO_STEM}.pdf").write_bytes(render_pdf(blocks))
            staged["pdf"] = tmp / f"{MEMO_STEM}.pdf"
        out_dir.mkdir(parents=True, exist_ok=True)
        if "md" in formats:
            old = out_dir / FIGURE_DIR
            trash = None
            if old.exists():
                trash = tmp / ".old-figures"
                os.replace(old, trash)
            os.replace(tmp / FIGURE_DIR, old)
        written = {}
        for fmt in formats:
            target = out_dir / staged[fmt].name
            os.replace(staged[fmt], target)
            written[fmt] = target
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def memo(
    fit: str | Path,
    out_dir: str | Path,
    *,
    formats="html,md",
    thresholds_path=None,
    scenario: str = "baseline",
    calibration: str | Path | None = None,
    seed: int = 1,
) -> dict[str, Path]:
    """``forecast memo``: check the arguments, load the fit, ``build_memo``. Without
    ``calibration`` the ``recalibration.json`` beside the fit is used if there is one."""
    from ...forecasting.scenarios import get_scenario
    from ...inference import load_fit

    formats = parse_formats(formats)
    get_scenario(scenario)
    if thresholds_path is not None and not Path(thresholds_path).exists():
        raise ForecastError(f"{thresholds_path}: thresholds file not found")
    cal = load_calibration(calibration if calibration is not None else default_calibration_path(fit))
    idata = load_fit(fit)
    return build_memo(
        idata, out_dir, formats=formats, thresholds_path=thresholds_path, scenario=scenario, calibration=cal, seed=seed
    )
