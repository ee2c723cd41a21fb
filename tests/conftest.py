"""Shared test set-up: no test writes to the user's default forecast ledger (out/ledger.sqlite)."""

import pytest


@pytest.fixture(autouse=True)
def _private_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("FORECAST_LEDGER", str(tmp_path / "ledger.sqlite"))

