"""Every command has help text, and the README lists every command (docs cannot drift)."""

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from forecast.cli import app

runner = CliRunner()
README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


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
