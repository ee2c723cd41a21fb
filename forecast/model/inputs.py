"""From a dataset to the model's arrays (``ModelInputs``), and back from a saved fit.

Unit codes, effort steps, the transformed targets, replicate aggregation and the observation ids
all live here, so that the PyMC build and the numpy forward model read the same arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from ..data import schema as S
from ..errors import ForecastError
from .config import ModelConfig

UNIT_CODES = {"fraction": 0, "elo": 1, "minutes": 2}
#: Effort level -> step in "effort units" (one step = delta_eff log10 of test-time compute).
#: ``none`` (reasoning off on a hybrid) has step 0 and switches the reasoning indicator off.
EFFORT_STEPS = {"": 0, "medium": 0, **{k: v for k, v in S.EFFORT_LEVELS.items() if v is not None}}
FRACTION_CLIP = 1e-3


@dataclass
class ModelInputs:
    """Numpy arrays for the model, with the labels of every axis."""

    model_ids: list[str]
    benchmark_ids: list[str]
    domains: list[str]
    # per model
    t_model: np.ndarray  # years since ref_date
    log10c_obs: np.ndarray  # NaN where unknown
    c_known: np.ndarray  # bool: a point estimate or both bounds
    reasoning_model: np.ndarray  # bool
    # per benchmark
    bench_unit: np.ndarray  # int code (UNIT_CODES)
    bench_domain: np.ndarray  # index into domains
    floor: np.ndarray
    ceiling: np.ndarray
    n_items: np.ndarray  # NaN where unknown
    y_center: np.ndarray  # centre of continuous targets (0 for fractions)
    # per observation
    obs_model: np.ndarray
    obs_bench: np.ndarray
    log10_mult: np.ndarray
    effort_step: np.ndarray
    reasoning_obs: np.ndarray  # 0/1
    y: np.ndarray  # modelled target: clipped fraction, elo/400 - centre, log2(min) - centre
    score: np.ndarray  # raw score in the benchmark's unit
    obs_ids: list[str] = field(default_factory=list)
    #: sd of a model's log10 compute measurement: 0 for Epoch's point estimate, from the bounds
    #: where only Epoch's bounds pin it down (``compute_measurements``)
    log10c_sd: np.ndarray | None = None
    #: per benchmark: the audited share of items no answer can get right (NaN: no audit), which
    #: centres the prior of the benchmark's ceiling gap
    unreachable: np.ndarray | None = None
    #: per benchmark: the registry's ceiling of a continuous benchmark, the most its suite can
    #: measure (METR's horizon: 16 h); NaN where none. Not used in the fit: reports mark
    #: forecasts beyond it as extrapolations.
    measurable_max: np.ndarray | None = None

    def __post_init__(self):
        if self.log10c_sd is None:
            self.log10c_sd = np.zeros(len(self.model_ids))
        if self.unreachable is None:
            self.unreachable = np.full(len(self.benchmark_ids), np.nan)
        if self.measurable_max is None:
            self.measurable_max = np.full(len(self.benchmark_ids), np.nan)

    @property
    def n_models(self) -> int:
        return len(self.model_ids)

    @property
    def n_obs(self) -> int:
        return len(self.y)

    @property
    def obs_unit(self) -> np.ndarray:
        return self.bench_unit[self.obs_bench]

    @property
    def obs_domain(self) -> np.ndarray:
        return self.bench_domain[self.obs_bench]


def years_since(dates, ref_date: str) -> np.ndarray:
    d = pd.to_datetime(pd.Series(dates))
    return ((d - pd.Timestamp(ref_date)).dt.days / 365.25).to_numpy(dtype=float)


def knot_years(config: ModelConfig) -> float | None:
    return None if not config.date_knot else float(years_since([config.date_knot], config.ref_date)[0])


def effort_steps(effort) -> np.ndarray:
    """Effort strings -> integer steps (unknown strings raise)."""
    out = []
    for e in pd.Series(effort).fillna("").astype(str).str.strip().str.lower():
        if e == "none":
            out.append(0)
        elif e in EFFORT_STEPS:
            out.append(EFFORT_STEPS[e])
        else:
            raise ForecastError(f"effort '{e}' is not one of {', '.join(S.EFFORT_LEVELS)} or blank")
    return np.asarray(out, dtype=float)


def reasoning_indicator(model_reasons, effort) -> np.ndarray:
    """Result-level reasoning: the model reasons by default and effort is not 'none', or an
    effort level is set explicitly (which turns reasoning on for a hybrid model)."""
    e = pd.Series(effort).fillna("").astype(str).str.strip().str.lower().to_numpy()
    r = np.asarray(model_reasons, dtype=bool)
    return ((r & (e != "none")) | ((e != "") & (e != "none"))).astype(float)


def transform_target(score: np.ndarray, unit: np.ndarray) -> np.ndarray:
    y = np.array(score, dtype=float)
    frac = unit == 0
    y[frac] = np.clip(y[frac], FRACTION_CLIP, 1 - FRACTION_CLIP)
    y[unit == 1] = y[unit == 1] / 400.0
    y[unit == 2] = np.log2(np.maximum(y[unit == 2], 1e-6))
    return y


REPLICATE_KEY = ["model", "benchmark", "inference_multiplier", "effort"]


def obs_keys(results: pd.DataFrame) -> list[str]:
    """Stable observation ids: model|benchmark|multiplier|effort (plus a counter if repeated)."""
    mult = pd.to_numeric(results["inference_multiplier"], errors="coerce").fillna(1.0)
    effort = results["effort"] if "effort" in results else pd.Series("", index=results.index)
    base = (
        results["model"].astype(str)
        + "|"
        + results["benchmark"].astype(str)
        + "|"
        + mult.map(lambda v: f"{v:g}")
        + "|"
        + effort.fillna("").astype(str)
    )
    dup = base.groupby(base).cumcount()
    return [b if d == 0 else f"{b}#{d}" for b, d in zip(base, dup)]


def aggregate_replicates(results: pd.DataFrame) -> pd.DataFrame:
    """One row per (model, benchmark, inference_multiplier, effort): the median score, the
    earliest reported date, and ``n_replicates``."""
    r = results.copy()
    r["inference_multiplier"] = pd.to_numeric(r["inference_multiplier"], errors="coerce").fillna(1.0)
    if "effort" not in r:
        r["effort"] = ""
    r["effort"] = r["effort"].fillna("")
    agg = {"score": "median", "n_replicates": "size"}
    if "reported_date" in r:
        agg["reported_date"] = "min"
    r["n_replicates"] = 1
    out = r.groupby(REPLICATE_KEY, sort=False, as_index=False).agg(
        **{k: (k if k != "n_replicates" else "score", v) for k, v in agg.items()}
    )
    return out.reset_index(drop=True)


#: Epoch's lower and upper bounds on training compute are read as a central 90% interval in log10.
BOUND_Z = 1.645


def compute_measurements(models: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(log10 compute, its sd) per model. A point estimate is exact (sd 0), unless Epoch gives
    both bounds: then the point is the centre and the wider side of the interval, read as a 90%
    interval, the sd; both bounds without a point centre on their geometric mean. A single bound,
    or none, leaves the compute unknown (NaN): the fit treats it as a latent quantity."""

    def col(name):
        if name not in models:
            return np.full(len(models), np.nan)
        v = pd.to_numeric(models[name], errors="coerce").to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(v > 0, np.log10(v), np.nan)

    point, lo, hi = col("train_flop"), col("train_flop_lower"), col("train_flop_upper")
    both = np.isfinite(lo) & np.isfinite(hi)
    centre = np.where(np.isfinite(point), point, np.where(both, 0.5 * (lo + hi), np.nan))
    half = np.where(both, np.maximum(hi - centre, centre - lo), 0.0)
    return centre, np.where(np.isfinite(centre), half / BOUND_Z, 0.0)


def prepare(ds, config: ModelConfig | None = None) -> ModelInputs:
    """Turn a ``Dataset`` into model arrays. Every model in ``ds.models`` is kept (a model with
    known compute and no results still informs the compute trend); benchmarks without results
    are dropped (they would carry only prior parameters)."""
    config = config or ModelConfig()
    models = ds.models.reset_index(drop=True)
    results = ds.results.reset_index(drop=True)
    if results.empty:
        raise ForecastError("no results to fit: the dataset (or its as-of cut) has no benchmark results")
    unknown_models = sorted(set(results["model"]) - set(models["model"]))
    if unknown_models:
        raise ForecastError(f"results refer to models missing from models: {', '.join(unknown_models[:5])}")
    used_b = set(results["benchmark"])
    bench = ds.benchmarks[ds.benchmarks["benchmark"].isin(used_b)].reset_index(drop=True)
    missing_b = sorted(used_b - set(bench["benchmark"]))
    if missing_b:
        raise ForecastError(f"results refer to unknown benchmarks: {', '.join(missing_b[:5])}")
    if config.aggregate_replicates:
        results = aggregate_replicates(results)
    model_ids = models["model"].astype(str).tolist()
    bench_ids = bench["benchmark"].astype(str).tolist()
    domains = sorted(bench["domain"].astype(str).unique().tolist())
    m_index = {m: i for i, m in enumerate(model_ids)}
    b_index = {b: i for i, b in enumerate(bench_ids)}
    d_index = {d: i for i, d in enumerate(domains)}

    log10c, log10c_sd = compute_measurements(models)
    bench_unit = bench["unit"].map(UNIT_CODES).to_numpy(dtype=int)
    floor = pd.to_numeric(bench["floor"], errors="coerce").fillna(0.0).to_numpy(dtype=float).copy()
    ceiling = pd.to_numeric(bench["ceiling"], errors="coerce").fillna(1.0).to_numpy(dtype=float).copy()
    measurable_max = np.where(bench_unit != 0, pd.to_numeric(bench["ceiling"], errors="coerce").to_numpy(float), np.nan)
    floor[bench_unit != 0], ceiling[bench_unit != 0] = 0.0, 1.0
    n_items = pd.to_numeric(bench.get("n_items", pd.Series(np.nan, index=bench.index)), errors="coerce").to_numpy(
        dtype=float
    )
    unreachable = pd.to_numeric(
        bench.get("unreachable", pd.Series(np.nan, index=bench.index)), errors="coerce"
    ).to_numpy(dtype=float, copy=True)
    unreachable[bench_unit != 0] = np.nan

    obs_model = results["model"].map(m_index).to_numpy(dtype=int)
    obs_bench = results["benchmark"].map(b_index).to_numpy(dtype=int)
    mult = pd.to_numeric(results["inference_multiplier"], errors="coerce").fillna(1.0).to_numpy(dtype=float).copy()
    if np.any(mult <= 0):
        raise ForecastError("inference_multiplier must be positive")
    effort = results["effort"] if "effort" in results else pd.Series("", index=results.index)
    reasons = models["reasoning"].astype(bool).to_numpy()[obs_model]
    score = pd.to_numeric(results["score"], errors="coerce").to_numpy(dtype=float)
    if np.any(~np.isfinite(score)):
        raise ForecastError("every result needs a finite score")
    unit = bench_unit[obs_bench]
    y = transform_target(score, unit)
    y_center = np.zeros(len(bench_ids))
    for b in range(len(bench_ids)):
        if bench_unit[b] != 0:
            y_center[b] = float(np.mean(y[obs_bench == b]))
    y = y - y_center[obs_bench]
    obs_ids = obs_keys(results)
    return ModelInputs(
        model_ids=model_ids,
        benchmark_ids=bench_ids,
        domains=domains,
        t_model=years_since(models["release_date"], config.ref_date),
        log10c_obs=log10c,
        c_known=np.isfinite(log10c),
        log10c_sd=log10c_sd,
        reasoning_model=models["reasoning"].astype(bool).to_numpy(),
        bench_unit=bench_unit,
        bench_domain=bench["domain"].map(d_index).to_numpy(dtype=int),
        floor=floor,
        ceiling=ceiling,
        n_items=n_items,
        unreachable=unreachable,
        measurable_max=measurable_max,
        y_center=y_center,
        obs_model=obs_model,
        obs_bench=obs_bench,
        log10_mult=np.log10(mult),
        effort_step=effort_steps(effort),
        reasoning_obs=reasoning_indicator(reasons, effort),
        y=y,
        score=score,
        obs_ids=obs_ids,
    )


def constant_data(inputs: ModelInputs) -> xr.Dataset:
    unit_names = {v: k for k, v in UNIT_CODES.items()}
    return xr.Dataset(
        {
            "t_model": ("model", inputs.t_model),
            "log10_compute_observed": ("model", inputs.log10c_obs),
            "compute_known": ("model", inputs.c_known),
            "log10_compute_sd": ("model", inputs.log10c_sd),
            "reasoning_model": ("model", inputs.reasoning_model),
            "bench_unit": ("benchmark", np.array([unit_names[u] for u in inputs.bench_unit], dtype=object).astype(str)),
            "bench_domain": ("benchmark", np.asarray(inputs.domains, dtype=object)[inputs.bench_domain].astype(str)),
            "floor": ("benchmark", inputs.floor),
            "ceiling": ("benchmark", inputs.ceiling),
            "n_items": ("benchmark", inputs.n_items),
            "unreachable": ("benchmark", inputs.unreachable),
            "measurable_max": ("benchmark", inputs.measurable_max),
            "y_center": ("benchmark", inputs.y_center),
            "obs_model": ("obs", np.asarray(inputs.model_ids, dtype=object)[inputs.obs_model].astype(str)),
            "obs_benchmark": ("obs", np.asarray(inputs.benchmark_ids, dtype=object)[inputs.obs_bench].astype(str)),
            "log10_mult": ("obs", inputs.log10_mult),
            "effort_step": ("obs", inputs.effort_step),
            "reasoning_obs": ("obs", inputs.reasoning_obs),
        },
        coords={
            "model": inputs.model_ids,
            "benchmark": inputs.benchmark_ids,
            "domain": inputs.domains,
            "obs": inputs.obs_ids,
        },
    )


def inputs_from_idata(idata) -> ModelInputs:
    """Rebuild the fitted ``ModelInputs`` from a fit's constant and observed data."""
    c = idata["constant_data"].to_dataset()
    o = idata["observed_data"].to_dataset()
    model_ids = [str(v) for v in c["model"].values]
    bench_ids = [str(v) for v in c["benchmark"].values]
    domains = [str(v) for v in c["domain"].values]
    m_index = {m: i for i, m in enumerate(model_ids)}
    b_index = {b: i for i, b in enumerate(bench_ids)}
    d_index = {d: i for i, d in enumerate(domains)}
    return ModelInputs(
        model_ids=model_ids,
        benchmark_ids=bench_ids,
        domains=domains,
        t_model=c["t_model"].values.astype(float),
        log10c_obs=c["log10_compute_observed"].values.astype(float),
        c_known=c["compute_known"].values.astype(bool),
        log10c_sd=c["log10_compute_sd"].values.astype(float) if "log10_compute_sd" in c else np.zeros(c.sizes["model"]),
        reasoning_model=c["reasoning_model"].values.astype(bool),
        bench_unit=np.array([UNIT_CODES[str(u)] for u in c["bench_unit"].values], dtype=int),
        bench_domain=np.array([d_index[str(d)] for d in c["bench_domain"].values], dtype=int),
        floor=c["floor"].values.astype(float),
        ceiling=c["ceiling"].values.astype(float),
        n_items=c["n_items"].values.astype(float),
        unreachable=c["unreachable"].values.astype(float) if "unreachable" in c else None,
        measurable_max=c["measurable_max"].values.astype(float) if "measurable_max" in c else None,
        y_center=c["y_center"].values.astype(float),
        obs_model=np.array([m_index[str(m)] for m in c["obs_model"].values], dtype=int),
        obs_bench=np.array([b_index[str(b)] for b in c["obs_benchmark"].values], dtype=int),
        log10_mult=c["log10_mult"].values.astype(float),
        effort_step=c["effort_step"].values.astype(float),
        reasoning_obs=c["reasoning_obs"].values.astype(float),
        y=o["y"].values.astype(float),
        score=o["score"].values.astype(float),
        obs_ids=[str(v) for v in c["obs"].values],
    )


def config_from_idata(idata) -> ModelConfig:
    return ModelConfig.from_json(idata.attrs["model_config"])
