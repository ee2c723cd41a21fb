"""The wheel carries the bundled data and the memo templates, so an installed package finds them
outside the checkout (integration tier: builds a wheel)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.integration
def test_wheel_ships_the_bundled_data_and_templates(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(ROOT), "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("capability_forecast-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in ("models.csv", "benchmarks.csv", "results.csv", "thresholds.toml"):
        assert f"forecast/data/bundled/{f}" in names
    assert {"forecast/reports/memo/templates/memo.md.j2", "forecast/reports/memo/templates/memo.html.j2"} <= names
    assert not any(n.startswith("forecast/data/bundled/manual/") for n in names)  # the sources stay in the repo


def test_the_package_reports_the_version_it_is_released_as():
    import tomllib

    from forecast import __version__

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
    assert __version__ == project["version"]
