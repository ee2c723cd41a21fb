"""Threshold files: the bundled defaults and the errors a malformed file gets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from forecast.data import load_dataset
from forecast.errors import DataValidationError, ForecastError
from forecast.forecasting.thresholds import Criterion, load_thresholds, select

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def units():
    ds = load_dataset(ROOT / "data")
    return dict(zip(ds.benchmarks["benchmark"], ds.benchmarks["unit"]))


def test_bundled_thresholds_are_sourced_and_cover_frameworks(units):
    ths = load_thresholds(None, units)
    assert len(ths) >= 8
    assert all(t.source_url.startswith("https://") and t.proxy_note for t in ths)
    frameworks = " ".join(t.framework for t in ths)
    for name in ("Anthropic", "OpenAI", "DeepMind", "METR"):
        assert name.lower() in frameworks.lower() or any(name.lower() in t.id for t in ths), name
    levels = " ".join(t.level for t in ths)
    assert "ASL-3" in levels and "ASL-4" in levels
    assert any(t.combine == "any" for t in ths) and any(len(t.criteria) > 1 and t.combine == "all" for t in ths)


def test_criterion_direction():
    c = Criterion("x", ">=", 0.5)
    assert list(c.met(np.array([0.4, 0.5, 0.6]))) == [False, True, True]
    c = Criterion("x", "<=", 0.5)
    assert list(c.met(np.array([0.4, 0.5, 0.6]))) == [True, True, False]


GOOD = """
[[threshold]]
id = "mine"
framework = "Mine"
level = "L"
description = "d"
source_url = "https://example.org"
proxy_note = "n"
[[threshold.criteria]]
benchmark = "gpqa_diamond"
comparison = ">="
value = 0.9
"""


def test_user_file(tmp_path, units):
    p = tmp_path / "t.toml"
    p.write_text(GOOD)
    (t,) = load_thresholds(p, units)
    assert t.id == "mine" and t.rule == "gpqa_diamond >= 0.9"


@pytest.mark.parametrize(
    "edit,needle",
    [
        (lambda s: s.replace("gpqa_diamond", "gpqa_diamnd"), "unknown benchmark 'gpqa_diamnd'"),
        (lambda s: s.replace('">="', '"=>"'), "comparison must be"),
        (lambda s: s.replace("value = 0.9", "value = 90"), "outside [0, 1]"),
        (lambda s: s.replace('proxy_note = "n"\n', ""), "'proxy_note' is required"),
        (lambda s: s.replace("value = 0.9", 'value = "high"'), "must be a number"),
    ],
)
def test_bad_threshold_files_name_file_and_line(tmp_path, units, edit, needle):
    p = tmp_path / "t.toml"
    p.write_text(edit(GOOD))
    with pytest.raises(DataValidationError) as exc:
        load_thresholds(p, units)
    msg = str(exc.value)
    assert needle in msg and f"{p}:3" in msg  # the line of the threshold's id


def test_malformed_toml_names_line(tmp_path, units):
    p = tmp_path / "t.toml"
    p.write_text(GOOD + "\n[[threshold]\nid = \n")
    with pytest.raises(DataValidationError) as exc:
        load_thresholds(p, units)
    assert "malformed TOML" in str(exc.value) and f"{p}:" in str(exc.value)


def test_unknown_threshold_id(units):
    ths = load_thresholds(None, units)
    with pytest.raises(ForecastError, match="unknown threshold id"):
        select(ths, ["no-such-threshold"])
    assert [t.id for t in select(ths, [ths[1].id])] == [ths[1].id]
