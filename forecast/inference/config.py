"""Sampler settings: how a fit is sampled, kept apart from what is modelled
(``forecast.model.ModelConfig``), as pymc-marketing keeps ``sampler_config`` apart from
``model_config``. Measured in docs/performance.md.

Kept free of heavy imports so that the CLI can show the defaults in its help.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

#: Draws and tuning steps per chain of a fit (`forecast fit`, an update's refit), after the pilot
#: run that preconditions the sampler (``SamplerConfig.pilot_*``).
FIT_DRAWS = 500
FIT_TUNE = 100
FIT_CHAINS = 4

#: Each backtest fit (`forecast backtest`, `forecast recalibrate`): 2 longer chains, no extension
#: round (``BACKTEST_EXTEND_ROUNDS``).
BACKTEST_DRAWS = 800
BACKTEST_TUNE = 100
BACKTEST_CHAINS = 2
#: Backtest fits take no extension round: with it the 8 quarterly origins reached per-origin R-hat
#: 1.006-1.011 instead of 1.007-1.016 but took 218 s instead of 156 s, for the same CRPS (0.0779)
#: and coverage; a backtest needs predictive quantiles, not a publishable fit.
BACKTEST_EXTEND_ROUNDS = 0

#: Convergence required of a fit (``forecast fit`` exits 3 above it) and sought by the extension
#: rounds.
RHAT_MAX = 1.01
ESS_MIN = 400


@dataclass
class SamplerConfig:
    """How the posterior is sampled (nutpie, with a pilot run, a dense preconditioner, extension
    rounds and a retry at a higher target acceptance). JSON round-trips exactly."""

    adaptation: str = "diag"
    #: 0.9 rather than 0.85: on the data as of 2024-09-11 (sparse benchmarks, section "Sparse
    #: benchmarks" of docs/methodology.md) divergences per 4000 draws fell from 1-6 to 0-1 (4 seeds)
    target_accept: float = 0.9
    #: Dense preconditioning (forecast.inference.compile_cache.with_preconditioner): the chains sample in
    #: coordinates whitened by the posterior covariance of a short pilot run (``pilot_tune`` +
    #: ``pilot_draws`` per chain; an update's pilot starts at the previous fit's draws). The
    #: posterior has a ridge (date slopes, intercept, compute slope and the locations of
    #: benchmarks measured in one era) that a diagonal mass matrix crosses slowly: bulk ESS per
    #: draw 0.05 without, about 0.3 with it (docs/methodology.md section 3).
    precondition: bool = True
    pilot_tune: int = 200
    pilot_draws: int = 25
    #: the last this many tuning steps of each pilot chain join its draws in the covariance
    #: estimate (as warm-up draws estimate the mass matrix in Stan's adaptation): 4 x 125 rows
    #: for 4 x 225 steps, where 4 x 100 draws after the tuning took 4 x 300 (docs/methodology.md)
    pilot_warmup_draws: int = 100
    #: The pilot covariance is shrunk towards the inverse of the log density's curvature
    #: (minus the Hessian, ``forecast.inference.preconditioner.curvatures``) averaged over this many pilot draws,
    #: on the coordinates where it is stable across them: exact on the ridge, where the draws are
    #: noisy (``forecast.inference.preconditioner.dense_preconditioner``). 0: towards the pilot's variances.
    precondition_hessian_points: int = 8
    #: weight of the target in the shrunk covariance (``forecast.inference.preconditioner.dense_preconditioner``)
    precondition_shrinkage: float = 0.2
    #: When the preconditioned run misses R-hat <= RHAT_MAX or bulk ESS >= ESS_MIN, run as many
    #: chains again, each started where one of the first ended, with the same preconditioner
    #: (``extend_tune`` tuning steps, then as many draws), and pool them: up to this many times.
    #: At the default 500 draws the worst of ~970 R-hats lands above 1.01 in about 1 fit in 8.
    extend_rounds: int = 1
    extend_tune: int = 100
    #: When the main run (with its extension rounds) still has divergences or misses R-hat/ESS,
    #: it is replaced by a new one at this target acceptance rate (smaller steps), with the same
    #: preconditioner. 0.97 everywhere took 63 leapfrog steps a draw instead of 31-42 (1.5x the
    #: time); as a retry it costs that only where needed: the o1 update that had 112 divergences
    #: at 0.9 had none (docs/methodology.md). 0: no retry.
    retry_target_accept: float = 0.97
    #: Tree depth cap of the main run (and its extension rounds) at ``target_accept``; runs at a
    #: higher acceptance (the retry, or a refit inheriting it) keep nutpie's cap of 10. At 0.9 the
    #: trees are 31 leapfrog steps (depth 5) except in a chain whose step size adapted a little
    #: smaller, which then takes 63-step trees for a third of its draws and finishes last (seed 1:
    #: 23,308 steps against 15,948-17,164 for the others). Capped, every chain takes 31 steps a
    #: draw: bundled data, seeds 1-8, main run 10.5-12.4 s instead of 14-15.5 s and no extension
    #: round (one before), minimum bulk ESS 425-769 (514-841 before). Only where extension rounds
    #: are on, to give a run whose shorter trajectories mix too slowly more draws: the backtests'
    #: 2-chain fits without them reached R-hat 1.053 at one origin when capped (1.014 at most
    #: uncapped) and keep nutpie's cap. None: no cap.
    max_tree_depth: int | None = 5

    #: Without the dense preconditioner (the compile cache off or unusable), nutpie's low-rank
    #: mass-matrix adaptation with at least this many tuning steps and draws per chain: on the
    #: bundled data 300 tuning steps left R-hat at 1.02 (ESS 239), 600 with 800 draws reached
    #: 1.008 (ESS 394) (docs/performance.md, "Without the cache").
    fallback_tune: int = 600
    fallback_draws: int = 800

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SamplerConfig:
        """From a dict that may hold other keys (an older fit's model config held both): only
        this class's keys are read."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    @classmethod
    def from_json(cls, text: str) -> SamplerConfig:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_idata(cls, idata) -> SamplerConfig:
        """The settings a saved fit was sampled with (``sampler_config``; older fits kept them in
        ``model_config``); defaults where neither says."""
        raw = idata.attrs.get("sampler_config") or idata.attrs.get("model_config") or "{}"
        return cls.from_json(raw)
