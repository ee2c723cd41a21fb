"""Inference: sampler settings (``SamplerConfig``), the compile cache, the preconditioned
sampling policy, convergence diagnostics, and fitting, saving and loading fits.

Only ``compile_cache``, ``sampling`` and ``fit`` touch PyMC, PyTensor or nutpie, each on call.
"""

from .config import (
    BACKTEST_CHAINS,
    BACKTEST_DRAWS,
    BACKTEST_EXTEND_ROUNDS,
    BACKTEST_TUNE,
    ESS_MIN,
    FIT_CHAINS,
    FIT_DRAWS,
    FIT_TUNE,
    RHAT_MAX,
    SamplerConfig,
)
from .convergence import converged_cleanly, diagnostics, diagnostics_pass, fit_diagnostics, recorded_diagnostics, worst
from .fit import compare_variants, fit_model
from .store import FIT_FORMAT, FitRun, fit_id, load_fit, run_fit, sampler_summary, save_fit

__all__ = [
    "BACKTEST_CHAINS",
    "BACKTEST_DRAWS",
    "BACKTEST_EXTEND_ROUNDS",
    "BACKTEST_TUNE",
    "ESS_MIN",
    "FIT_CHAINS",
    "FIT_DRAWS",
    "FIT_FORMAT",
    "FIT_TUNE",
    "RHAT_MAX",
    "FitRun",
    "SamplerConfig",
    "compare_variants",
    "converged_cleanly",
    "diagnostics",
    "diagnostics_pass",
    "fit_diagnostics",
    "fit_id",
    "fit_model",
    "load_fit",
    "recorded_diagnostics",
    "run_fit",
    "sampler_summary",
    "save_fit",
    "worst",
]
