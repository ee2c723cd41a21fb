"""Write a recalibration report: JSON, the text of ``format_report`` and the calibration figure,
each renamed into place."""

from __future__ import annotations

import json
from pathlib import Path

from ..data import atomic_write_text
from .text import format_report


def write_report(rep: dict, out: Path) -> dict[str, Path]:
    """``out`` is the JSON path; the text report and the calibration figure go beside it (same
    stem). Each file is written to a temporary file and renamed into place."""
    import os
    import tempfile

    from .plots import calibration_figure

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    paths = {"json": out, "text": out.with_suffix(".txt")}
    if rep.get("coverage"):
        png = out.with_name(out.stem + "_calibration.png")
        fd, tmp = tempfile.mkstemp(prefix=f".{png.name}.", suffix=".tmp", dir=png.parent)
        os.close(fd)
        try:
            calibration_figure(rep).savefig(tmp, format="png", dpi=150, bbox_inches="tight")
            os.replace(tmp, png)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        paths["figure"] = png
    atomic_write_text(paths["text"], format_report(rep))
    atomic_write_text(out, json.dumps(rep, indent=1, default=str))
    return paths
