"""The capability model: its specification (``ModelConfig``), the arrays it is fitted to
(``ModelInputs``), the PyMC build (``build``: the only module that imports PyMC), the numpy
forward model (``forward``) and the headline quantities of a fit (``quantities``).

Nothing here samples: ``forecast.inference`` does.
"""

from .build import build_model
from .config import VARIANTS, ModelConfig
from .forward import date_effect, pointwise_loglik, pointwise_loglik_threaded, predict_scores, select_draws, stack
from .inputs import (
    FRACTION_CLIP,
    ModelInputs,
    config_from_idata,
    effort_steps,
    inputs_from_idata,
    obs_keys,
    prepare,
    years_since,
)
from .quantities import key_quantities

__all__ = [
    "FRACTION_CLIP",
    "effort_steps",
    "pointwise_loglik",
    "pointwise_loglik_threaded",
    "VARIANTS",
    "ModelConfig",
    "ModelInputs",
    "build_model",
    "config_from_idata",
    "date_effect",
    "inputs_from_idata",
    "key_quantities",
    "obs_keys",
    "predict_scores",
    "prepare",
    "select_draws",
    "stack",
    "years_since",
]
