"""Scenarios: what the frontier simulation assumes after the data's date (``forecast predict
--scenario``, ``forecast memo --scenario``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ForecastError


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    compute_growth_oom: float | None = None  # replaces the fitted compute trend after as-of
    algorithmic_progress: bool = True  # False: the date term is frozen at as-of
    test_time_oom_per_year: float = 0.0  # evaluation test-time compute growth after as-of
    reasoning_share: float | None = None  # replaces the recent share of reasoning models


SCENARIOS = {
    "baseline": Scenario(
        "baseline",
        "fitted trends continue: training compute, algorithmic progress, the recent "
        "share of reasoning models; frontier evaluated at default test-time settings",
    ),
    "compute-slowdown": Scenario(
        "compute-slowdown",
        "training compute growth slows to 2x a year after the data's date",
        compute_growth_oom=float(np.log10(2.0)),
    ),
    "test-time-scaling": Scenario(
        "test-time-scaling",
        "as baseline, and evaluations use 10x more test-time compute every two years (about 3.2x a year)",
        test_time_oom_per_year=0.5,
    ),
    "no-test-time-scaling": Scenario(
        "no-test-time-scaling",
        "no further test-time gains: new models do not reason by default beyond what exists",
        reasoning_share=0.0,
    ),
    "no-algorithmic-progress": Scenario(
        "no-algorithmic-progress",
        "capability grows only with training compute after the data's date",
        algorithmic_progress=False,
    ),
}


def get_scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ForecastError(f"unknown scenario '{name}'; choose one of {', '.join(SCENARIOS)}") from None
