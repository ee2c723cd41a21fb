"""Shared test set-up.

- No test writes to the user's default forecast ledger (out/ledger.sqlite).
- No test writes to the user's compile cache (~/.pytensor): PyTensor and the compile cache use a
  directory under the system's temporary directory, one per checkout, kept between runs so that
  the integration tier compiles each small model once per machine.
"""

import hashlib
import os
import tempfile
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parent.parent
COMPILE_DIR = Path(tempfile.gettempdir()) / f"forecast-tests-{hashlib.sha256(str(_ROOT).encode()).hexdigest()[:12]}"
if "base_compiledir" not in os.environ.get("PYTENSOR_FLAGS", ""):  # before anything imports pytensor
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    os.environ["PYTENSOR_FLAGS"] = ",".join(f for f in (flags, f"base_compiledir={COMPILE_DIR}") if f)


@pytest.fixture(autouse=True)
def _private_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("FORECAST_LEDGER", str(tmp_path / "ledger.sqlite"))


def pytest_configure(config):
    """The default tier compiles nothing: PyTensor runs graphs in its Python linker
    (FAST_COMPILE), and sampling is mocked (``_mock_sampling``). The integration and slow tiers
    compile and sample for real."""
    markexpr = config.getoption("markexpr") or ""
    if "not integration" in markexpr and "mode=" not in os.environ.get("PYTENSOR_FLAGS", ""):
        os.environ["PYTENSOR_FLAGS"] += ",mode=FAST_COMPILE,optimizer_excluding=fusion:add_mul_fusion"


def _mock_sample_model(
    model, *, seed, draws, tune, chains, sampler, progressbar, config, init=None, check=None, target_accept=None
):
    """``forecast.inference.sampling.sample_model`` without MCMC: prior draws
    (``pymc.testing.mock_sample``), no divergences, and the timings a real run records."""
    import numpy as np
    from pymc.testing import mock_sample

    idata = mock_sample(
        draws=draws,
        chains=chains,
        model=model,
        random_seed=seed,
        sample_stats={"diverging": lambda size: np.zeros(size, dtype=bool)},
    )
    accept = float(target_accept or config.target_accept)
    return idata, {
        "compile_path": "mock",
        "preconditioned": 0.0,
        "target_accept": accept,
        "compile_seconds": 0.0,
        "sampling_seconds": 0.0,
    }


@pytest.fixture(autouse=True)
def _mock_sampling(request, monkeypatch):
    """Every test outside the integration and slow tiers samples with ``_mock_sample_model``."""
    if request.node.get_closest_marker("integration") or request.node.get_closest_marker("slow"):
        return
    from forecast.inference import fit

    monkeypatch.setattr(fit, "sample_model", _mock_sample_model)
