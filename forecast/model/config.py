"""The model's specification: everything that defines a fit besides the data, the seed and the
sampler settings (``forecast.inference.SamplerConfig``). Priors and structure only.

Equations, priors and their sources: docs/methodology.md.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from ..errors import ForecastError

VARIANTS = ("joint", "compute_only", "date_only")
#: Config keys of earlier releases that no longer mean anything; ignored when a saved fit is read.
RETIRED_CONFIG_KEYS = {"sigma_continuous_sd"}  # HalfNormal scale, replaced by a LogNormal (0.1.0)
#: Structure added after 0.2.0, and the value that reproduces a fit saved before it: a saved
#: config without the key is read with that value, so older fits keep their meaning.
ADDED_KEYS_BEFORE = {
    "learn_ceiling": False,
    "benchmark_trend_sd": 0.0,
    "future_uncertainty": False,
    "link_shape": 1.0,
    "ceiling_gap_mean_sd": 1.0,
    "evaluation_trend": False,
    "empirical_releases": False,
}
#: Sampler settings that fits saved before 0.2.0 kept in their model config; they now live in
#: ``forecast.inference.SamplerConfig`` and are ignored here when an older fit is read.
SAMPLER_KEYS = {
    "adaptation",
    "target_accept",
    "precondition",
    "pilot_tune",
    "pilot_draws",
    "pilot_warmup_draws",
    "precondition_hessian_points",
    "precondition_shrinkage",
    "extend_rounds",
    "extend_tune",
    "retry_target_accept",
    "max_tree_depth",
}


@dataclass
class ModelConfig:
    """Priors and structure of the capability model. JSON round-trips exactly.

    Capability ``theta`` is in logits of a benchmark of average steepness (the geometric-mean slope
    of fraction benchmarks is pinned to 1) and is measured from the average location (difficulty)
    of the fraction benchmarks (their locations sum to zero). ``alpha`` is the capability of a
    model trained with ``10**c_ref`` FLOP, released on ``ref_date``, with no model deviation.
    """

    variant: str = "joint"
    ref_date: str = "2024-01-01"
    c_ref: float = 24.0
    # capability trend
    alpha_sd: float = 2.0
    beta_c_mu: float = 0.5
    beta_c_sd: float = 0.5
    beta_t_mu: float = 0.3
    beta_t_sd: float = 0.5
    #: Recent acceleration: the date trend may change slope at this date (``beta_t_recent`` is the
    #: extra capability per year after it, prior Normal(0, beta_t_recent_sd)). Added after the
    #: backtests showed models released in 2025 under-predicted by a single 2019-2025 slope
    #: (docs/backtesting.md). None: one slope throughout.
    date_knot: str | None = "2024-01-01"
    beta_t_recent_sd: float = 0.5
    sigma_model_sd: float = 1.0
    # compute trend (for unknown training compute)
    mu_c0_mu: float = 25.0
    mu_c0_sd: float = 1.5
    g_c_mu: float = 0.6
    g_c_sd: float = 0.3
    s_c_sd: float = 1.5
    # test-time compute
    rho_mu: float = 0.5
    rho_sd: float = 1.0
    rho_domain_sd: float = 0.5
    #: reasoning results a domain needs to count towards the centred form (see build_model)
    centre_min_results: int = 20
    log_gamma_mu: float = float(np.log(0.3))
    log_gamma_sd: float = 0.75
    gamma_domain_sd: float = 0.5
    delta_eff_median: float = 0.4
    delta_eff_log_sd: float = 0.5
    # benchmarks
    location_sd: float = 3.0
    log_slope_fraction_sd: float = 0.5
    log_slope_continuous_mu: float = float(np.log(1.5))
    log_slope_continuous_sd: float = 0.75
    log_phi_mu: float = float(np.log(30.0))
    log_phi_sd: float = 1.0
    sigma_continuous_median: float = 0.5
    sigma_continuous_log_sd: float = 0.6
    use_n_items: bool = True
    #: Learnt ceilings (on since 0.3.0, with ``link_shape = 0.5`` and ``ceiling_gap_mean_sd = 0``:
    #: on the bundled data 12-month frontier 90% coverage 0.83 against 0.71 with neither, the
    #: per-result backtest unchanged, docs/backtesting.md). Benchmark trends stay off.
    #: Ceilings learnt per fraction benchmark: ``ceiling = registry ceiling - gap``, the gap a
    #: share of the registry span with a logit-normal prior. Where a published audit estimates the
    #: share of items no answer can get right (``unreachable`` in benchmarks.csv), the prior is
    #: centred there (sd ``ceiling_audit_logit_sd``); elsewhere on a mean shared across benchmarks
    #: (``ceiling_gap_share``, learnt only if ``ceiling_gap_mean_sd`` > 0; spread
    #: ``ceiling_gap_logit_sd``). Added after the
    #: frontier backtest found saturated benchmarks forecast to run through their label errors.
    learn_ceiling: bool = True
    ceiling_gap_share: float = 0.03
    ceiling_gap_logit_sd: float = 0.5
    #: Prior sd (logit scale) of the mean gap that benchmarks without an audit share; 0 fixes it
    #: at ``ceiling_gap_share``, so that saturated benchmarks do not lend their gaps to climbing ones.
    ceiling_gap_mean_sd: float = 0.0
    ceiling_audit_logit_sd: float = 0.5
    #: A benchmark without an audit learns its ceiling only once its best result has reached
    #: this share of the span from floor to registry ceiling (see ``build._ceiling_span``).
    ceiling_learn_from: float = 0.75
    #: Shape of the link from capability to a fraction benchmark's score:
    #: ``floor + span * sigmoid(eta) ** link_shape``. 1 is the logistic, symmetric about its
    #: midpoint. Below 1 the curve leaves its floor slowly and closes on its ceiling fast (a
    #: Richards-type curve), as scores do on benchmarks whose last items are unreachable (label
    #: errors, broken tests): with a logistic, a learnt ceiling just above the best results pulls
    #: down the predictions of every model near it (docs/backtesting.md).
    link_shape: float = 0.5
    #: Benchmark-specific progress: capability on benchmark b gains ``trend_b`` per year of
    #: release date on top of the shared trend (``trend_b`` zero-sum across benchmarks, prior sd
    #: this, 0.3 in the measurements). 0: one speed for every benchmark.
    benchmark_trend_sd: float = 0.0
    #: Forecasts of models released after the data's date carry what the fit cannot know: a new
    #: change of the date trend's slope and each benchmark's random walk about its trend
    #: (``forecast.model.drift``). Not part of the fit; read when forecasting.
    future_uncertainty: bool = True
    #: Who gets measured on a benchmark follows its recent trend: where the share of releases
    #: measured on it fell from one year to the next (both years ending three months before the
    #: data's date), it keeps falling at that rate in log-odds per year after the data's date
    #: (benchmarks are retired: BBH measured 25 models in the second half of 2023, 5 a year later,
    #: none after). A rising share, or a benchmark measured on fewer than 5 releases of the earlier
    #: year, is left as it is. False: the share of the last year, constant. Not part of the fit;
    #: read when forecasting (``forecast.forecasting.frontier.evaluation_profile``).
    evaluation_trend: bool = True
    #: Simulated releases deviate from the trends (compute, date) as the last year's releases
    #: did, resampled per posterior draw, instead of by Normal draws of ``sigma_model`` and the
    #: compute spread. Not part of the fit; read when forecasting.
    empirical_releases: bool = True
    #: Replicate results (same model, benchmark, inference multiplier and effort, but another
    #: source, shot count or agent scaffold) enter as one observation: their median score. The
    #: model has no scaffold effect, so replicates would otherwise count as independent evidence.
    aggregate_replicates: bool = True

    def __post_init__(self):
        if self.variant not in VARIANTS:
            raise ForecastError(f"model variant '{self.variant}' is not one of {', '.join(VARIANTS)}")
        if not self.link_shape > 0:
            raise ForecastError(f"link_shape {self.link_shape} must be positive")
        if not 0.0 <= self.ceiling_learn_from <= 1.0:
            raise ForecastError(f"ceiling_learn_from {self.ceiling_learn_from} must be in [0, 1]")

    @property
    def has_compute(self) -> bool:
        return self.variant in ("joint", "compute_only")

    @property
    def has_date(self) -> bool:
        return self.variant in ("joint", "date_only")

    @property
    def has_test_time(self) -> bool:
        return self.variant == "joint"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelConfig:
        names = {f.name for f in fields(cls)}
        d = {k: v for k, v in d.items() if k not in RETIRED_CONFIG_KEYS | SAMPLER_KEYS}  # older fits keep loading
        d = {**ADDED_KEYS_BEFORE, **d}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ForecastError(f"unknown model config key(s): {', '.join(unknown)}")
        return cls(**d)

    @classmethod
    def from_toml(cls, path, **defaults) -> ModelConfig:
        """Settings from a TOML file of ``ModelConfig`` fields (``learn_ceiling = true``, ...),
        the rest at their defaults (``defaults`` first: a command's own options). Errors name the
        file and the key."""
        import tomllib
        from pathlib import Path

        path = Path(path)
        try:
            d = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ForecastError(f"{path}: cannot read the model config ({exc.strerror or exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ForecastError(f"{path}: not valid TOML ({exc})") from None
        base = cls().to_dict()
        unknown = sorted(set(d) - set(base))
        if unknown:
            raise ForecastError(
                f"{path}: unknown model config key(s): {', '.join(unknown)} (known: {', '.join(sorted(base))})"
            )
        for k, v in d.items():
            want = type(base[k])
            ok = isinstance(v, want) or (want is float and isinstance(v, int) and not isinstance(v, bool))
            if not ok:
                raise ForecastError(f"{path}: key '{k}': expected {want.__name__}, got {v!r}")
            if want is float:
                d[k] = float(v)
        try:
            return cls(**{**defaults, **d})
        except ForecastError as exc:
            raise ForecastError(f"{path}: {exc}") from None

    @classmethod
    def from_json(cls, text: str) -> ModelConfig:
        return cls.from_dict(json.loads(text))
