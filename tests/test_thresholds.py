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
    assert {t.lab_level for t in ths if t.lab == "Anthropic"} == {"CB-1", "CB-2", "Autonomy-1", "Autonomy-2"}
    assert {(t.lab_level, t.category) for t in ths if t.lab == "OpenAI"} == {
        (lv, c) for lv in ("High", "Critical") for c in ("bio-chem", "cyber", "ai-self-improvement")
    }
    assert all(t.display_name for t in ths)
    assert any(t.combine == "any" for t in ths) and any(len(t.criteria) > 1 and t.combine == "all" for t in ths)


def test_the_v2_2_asl_ids_resolve_to_the_rsp_v3_thresholds(units):
    """Old ledgers and scripts name thresholds by their RSP v2.2 ids: each is an alias of one v3
    threshold, selectable by it."""
    ths = load_thresholds(None, units)
    old = {
        "anthropic-asl3-cbrn3-gpqa": "anthropic-rsp3-cb1",
        "anthropic-asl4-cbrn4-hle": "anthropic-rsp3-cb2",
        "anthropic-asl3-autonomy-checkpoint": "anthropic-rsp3-autonomy1",
        "anthropic-asl4-ai-rnd4-metr-week": "anthropic-rsp3-autonomy1",
        "anthropic-asl4-ai-rnd5-metr-month": "anthropic-rsp3-autonomy2",
    }
    for alias, now in old.items():
        assert [t.id for t in select(ths, [alias])] == [now]
    with pytest.raises(ForecastError, match="unknown threshold"):
        select(ths, ["anthropic-asl9"])


def test_an_alias_that_is_also_an_id_is_an_error(tmp_path, units):
    text = (ROOT / "data" / "thresholds.toml").read_text()
    bad = tmp_path / "t.toml"
    bad.write_text(text.replace('aliases = ["anthropic-asl3-cbrn3-gpqa"]', 'aliases = ["metr-horizon-1-workday"]'))
    with pytest.raises(DataValidationError, match="both an id and an alias"):
        load_thresholds(bad, units)


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
