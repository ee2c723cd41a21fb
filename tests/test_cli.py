"""Every command has help text, the README lists every command, and docs/cli.md is the reference
generated from the commands themselves (docs cannot drift)."""

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from forecast.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def commands(application: typer.Typer, prefix=()):
    for info in application.registered_commands:
        yield prefix + (info.name or info.callback.__name__,), info.callback
    for group in application.registered_groups:
        yield from commands(group.typer_instance, prefix + (group.name,))


ALL = list(commands(app))


@pytest.mark.parametrize("path,callback", ALL, ids=[" ".join(p) for p, _ in ALL])
def test_command_has_help_and_is_documented(path, callback):
    assert callback.__doc__ and callback.__doc__.strip(), path
    res = runner.invoke(app, [*path, "--help"])
    assert res.exit_code == 0
    assert f"forecast {' '.join(path)}" in README, f"README does not mention `forecast {' '.join(path)}`"


def test_there_are_commands():
    names = {" ".join(p) for p, _ in ALL}
    assert {"fit", "predict", "update", "compare", "attribution", "data validate", "data add", "data import"} <= names


def test_the_installed_command_delivers_its_output_and_exit_code(tmp_path):
    """What a command printed arrives whole through a pipe, and its exit code is the process's."""
    import json
    import subprocess
    import sys

    cli = Path(__file__).resolve().parent.parent / "cli.py"
    ok = subprocess.run([sys.executable, str(cli), "data", "validate", "--json"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["valid"] is True  # the whole object, not a truncated buffer
    bad = subprocess.run(
        [sys.executable, str(cli), "data", "validate", "--data", str(tmp_path / "none")], capture_output=True, text=True
    )
    assert bad.returncode == 1 and "data directory not found" in bad.stderr
    usage = subprocess.run([sys.executable, str(cli), "no-such-command"], capture_output=True, text=True)
    assert usage.returncode == 2 and "No such command" in usage.stderr


def test_cli_reference_is_generated_from_the_commands():
    """docs/cli.md is what `make docs` (typer's own generator) writes today, and names every command."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "typer", "forecast.cli", "utils", "docs", "--name", "forecast"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    doc = (ROOT / "docs" / "cli.md").read_text()
    assert out.strip() == doc.strip(), "docs/cli.md is stale: run `make docs`"
    for path, _ in ALL:
        assert f"`forecast {' '.join(path)}`" in doc
