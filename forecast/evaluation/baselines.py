"""Peer forecasting methods as baselines for rolling-origin backtests.

Four published ways of forecasting benchmark scores, each re-implemented "from its paper" (as
summarised in ``research/anchors.md``) in numpy/scipy, no PyMC:

=========================  ====================================================================
``epoch_compute_sigmoid``  Epoch AI (Owen 2024): per benchmark, a sigmoid in log training compute
``metr_date_trend``        METR time horizons: log-linear trend in release date over frontier models
``apollo_two_step``        Apollo (Pimpale et al. 2025): date -> latent capability -> benchmark
``observational_scaling``  Ruan et al. 2024: PC-1 of benchmark scores -> sigmoid -> benchmark
=========================  ====================================================================

Each baseline sees only what was known at a backtest origin (``models``, ``benchmarks`` and the
``results`` reported by then) and returns a predictive *sample* for every target result, in the
target benchmark's own unit, so that it can be scored with CRPS and interval coverage exactly like
the Bayesian model::

    samples = baseline_samples("metr_date_trend", models, benchmarks, results, targets, seed=1)
    samples.shape == (len(targets), 1000)

Conventions shared by all four methods (the papers publish point fits and bootstrap CIs of the
trend; none publishes a predictive distribution for a single model's score, so that part is ours):

* **Training cells.** One value per (model, benchmark): the mean score over the model's results
  at the default setting (``inference_multiplier == 1``; all rows of a benchmark are used only if
  it has fewer than two default cells). Effort levels are averaged into the cell.
* **Scales.** Fractions are modelled on the logit of ``(score - floor) / (ceiling - floor)``,
  clipped to ``[eps, 1 - eps]`` with ``eps = 0.5 / n_items`` (``n_items`` from the registry, 100
  when unknown; ``eps`` kept within [0.001, 0.05]); Elo ratings as they are; time horizons as
  log2 minutes. Predictions are mapped back: fractions land in ``[floor, ceiling]`` (inside
  [0, 1]); Elo is clipped to the schema range -1000..5000 and log2 minutes to [-20, 30] so a
  heavy-tailed draw can never overflow.
* **Sigmoid links** (Epoch, Apollo step 3, ObsScaling) are fitted, as in the papers, by least
  squares on the *raw* fraction scale: ``floor + (ceiling - floor) * sigmoid(a + b (x - x_mean))``,
  with ``b >= 0``; floor (chance) and ceiling come from the benchmark registry instead of being
  fitted. If the fit fails or runs to the slope bound, the logit-linear least-squares fit (the
  same curve fitted on the logit scale) is used instead. Elo and minutes benchmarks have no
  saturation: their link is linear on the modelling scale.
* **Predictive uncertainty.** Every linear or sigmoid step is treated as a Gaussian linear model
  on the modelling scale (logit for fractions): coefficients around the point fit with covariance
  ``sigma^2 (X'X)^-1``, and ``sigma^2`` with a scaled-inverse-chi^2 posterior from the residuals
  plus a weak prior (``PRIOR_DOF`` = 1 pseudo-observation at a residual sd of ``PRIOR_SD`` = 0.5
  logits / doublings / latent units, 200 Elo), so a three-point frontier gets t(2) rather than
  Cauchy tails; predictive draws are Student-t. Draws therefore carry parameter uncertainty and
  residual noise; a two-step method draws step one per sample and feeds it into step two.
* **Test-time compute** is ignored: none of the four methods models it (Apollo states this as a
  caveat), so a target's ``inference_multiplier``, ``effort`` and ``reasoning`` do not change its
  forecast. This is deliberate: the gap to the Bayesian model measures what modelling it buys.
* **Randomness.** One generator per (seed, method, benchmark): the same inputs and seed give the
  same samples, and a benchmark's samples do not change when targets on other benchmarks do.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ForecastError
from .baseline_fits import (
    BENCHMARK_COLS,
    DEFAULT_N_SAMPLES,
    MIN_KNOWN_COMPUTE,
    MIN_TRAIN_CELLS,
    MODEL_COLS,
    RESULT_COLS,
    TARGET_COLS,
    _constant,
    _fit_linear,
    _fit_link,
    _frontier,
    _one_pl,
    _pc1,
    _Scale,
    _scales,
    _years,
)

# --------------------------------------------------------------------------------------------
# Training data
# --------------------------------------------------------------------------------------------


@dataclass
class _Train:
    cells: pd.DataFrame  # model, benchmark, y, z, year, log10c
    models: pd.DataFrame  # indexed by model: year, log10c
    scales: dict[str, _Scale]


def _prepare(models: pd.DataFrame, benchmarks: pd.DataFrame, results: pd.DataFrame) -> _Train:
    scales = _scales(benchmarks)
    m = models.drop_duplicates("model").set_index("model")
    mtab = pd.DataFrame(
        {
            "year": _years(m["release_date"]),
            "log10c": np.log10(pd.to_numeric(m["train_flop"], errors="coerce").where(lambda s: s > 0)),
        },
        index=m.index,
    )
    r = results[results["model"].isin(mtab.index) & results["benchmark"].isin(scales)].copy()
    r["score"] = pd.to_numeric(r["score"], errors="coerce")
    r = r[np.isfinite(r["score"])]
    mult = pd.to_numeric(r["inference_multiplier"], errors="coerce").fillna(1.0)
    default = (mult == 1.0).to_numpy()
    n_default = r[default].groupby("benchmark")["model"].nunique()
    sparse = ~r["benchmark"].map(n_default).fillna(0).ge(MIN_TRAIN_CELLS).to_numpy()
    r = r[default | sparse]
    cells = r.groupby(["model", "benchmark"], sort=True, as_index=False)["score"].mean()
    cells = cells.rename(columns={"score": "y"}).astype({"model": object, "benchmark": object})
    cells["z"] = np.nan
    for b, idx in cells.groupby("benchmark").groups.items():
        cells.loc[idx, "z"] = scales[b].to_z(cells.loc[idx, "y"])
    cells["year"] = cells["model"].map(mtab["year"])
    cells["log10c"] = cells["model"].map(mtab["log10c"])
    cells = cells[np.isfinite(cells["year"])].reset_index(drop=True)
    return _Train(cells, mtab, scales)


def _target_frame(targets: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """Targets with ``year`` and ``log10c``; release date and compute are taken from the target
    row when present there, else from ``models``."""
    t = targets.reset_index(drop=True).copy()
    m = models.drop_duplicates("model").set_index("model")
    for col in ("release_date", "train_flop"):
        if col not in t.columns:
            t[col] = t["model"].map(m[col]) if col in m.columns else np.nan
    t["release_date"] = t["release_date"].fillna(t["model"].map(m["release_date"]))
    if t["release_date"].isna().any():
        missing = sorted(set(t.loc[t["release_date"].isna(), "model"].astype(str)))[:5]
        raise ForecastError(f"targets need a release_date; none for model(s) {', '.join(missing)}")
    t["year"] = _years(t["release_date"])
    flop = pd.to_numeric(t["train_flop"], errors="coerce")
    t["log10c"] = np.log10(flop.where(flop > 0))
    return t


# --------------------------------------------------------------------------------------------
# The four methods
# --------------------------------------------------------------------------------------------


def _epoch_compute_sigmoid(train: _Train, t: pd.DataFrame, b: str, rng: np.random.Generator, n: int) -> np.ndarray:
    """Epoch AI, "How predictable is language model benchmark performance?" (Owen, Jan 2024;
    https://epochai.org/blog/how-predictable-is-language-model-benchmark-performance,
    arXiv 2401.04757).

    Paper: map each model to "scaled compute" (via a Chinchilla loss law from parameters and
    tokens), then fit an S-curve of benchmark performance against log compute and extrapolate it
    an order of magnitude; no formal uncertainty (backtests only).

    Here: per benchmark, ``score = floor + (ceiling - floor) * sigmoid(a + b log10 C)`` fitted by
    least squares on the models with known training FLOP (we have FLOP, not parameters and
    tokens, so log10 training FLOP stands in for scaled compute; floor = chance and ceiling from
    the registry rather than fitted). Elo and minutes: linear in log10 C on their modelling scale.
    Predictive = curve with parameter uncertainty + residual noise on the logit scale.

    Unknown compute: a target whose training FLOP is unknown gets, per draw, a value from a
    log-linear trend of known log10 FLOP on release date over all models known at the origin
    (parameter uncertainty and the trend's residual spread included). A benchmark with fewer
    than ``MIN_KNOWN_COMPUTE`` models of known compute also uses the trend's central value for
    its other training models; with fewer than three known-compute models overall, release date
    replaces log compute as the predictor (a degenerate fallback, noted rather than raised)."""
    mk = train.models[np.isfinite(train.models["log10c"])]
    trend = _fit_linear(mk["year"].to_numpy()[:, None], mk["log10c"].to_numpy()) if len(mk) >= 3 else None
    cells = train.cells[train.cells["benchmark"] == b]
    if trend is None:
        x_train, cell_sel = cells["year"].to_numpy(), np.ones(len(cells), dtype=bool)
        x_target = t["year"].to_numpy()
    else:
        known = np.isfinite(cells["log10c"].to_numpy())
        central = trend.coef[0] + (trend.coef[1] * (cells["year"].to_numpy() - trend.centre[0]) if trend.keep else 0.0)
        if known.sum() >= MIN_KNOWN_COMPUTE:
            x_train, cell_sel = cells["log10c"].to_numpy()[known], known
        else:
            x_train = np.where(known, cells["log10c"].to_numpy(), central)
            cell_sel = np.ones(len(cells), dtype=bool)
        drawn = trend.sample([t["year"].to_numpy()], rng, n)
        lc = t["log10c"].to_numpy()
        x_target = np.where(np.isfinite(lc)[:, None], lc[:, None], drawn)
    c = cells[cell_sel]
    link = _fit_link(x_train, c["y"], c["z"], train.scales[b])
    return link.sample([x_target], rng, n)


def _metr_date_trend(train: _Train, t: pd.DataFrame, b: str, rng: np.random.Generator, n: int) -> np.ndarray:
    """METR, "Measuring AI ability to complete long tasks" (Kwa et al., Mar 2025;
    https://arxiv.org/abs/2503.14499, code https://github.com/METR/eval-analysis-public).

    Paper: per model a 50% time horizon; the trend is ordinary least squares of log(horizon) on
    release date over the models that were state of the art (SOTA) when released; the doubling
    time's CI comes from a hierarchical bootstrap over tasks.

    Here: per benchmark, OLS of the modelling-scale score (log2 minutes for horizons, logit of the
    above-chance fraction for fractions, Elo as is) on release year over the frontier models:
    those whose score beat every model released earlier. With fewer than three frontier points
    (or one release date) all models are used. Predictive = trend at the target's release date
    with parameter uncertainty and the frontier residual noise. Faithful to METR, a target gets
    the frontier trend whether or not it is a frontier model, so non-frontier targets are
    forecast too high: that is the method, not a bug."""
    cells = train.cells[train.cells["benchmark"] == b]
    year, z = cells["year"].to_numpy(), cells["z"].to_numpy()
    f = _frontier(year, z)
    if f.sum() < 3 or np.unique(year[f]).size < 2:
        f = np.ones(len(cells), dtype=bool)
    fit = _fit_linear(year[f][:, None], z[f], prior_sd=train.scales[b].prior_sd)
    return fit.sample([t["year"].to_numpy()], rng, n)


def _apollo_two_step(train: _Train, t: pd.DataFrame, b: str, rng: np.random.Generator, n: int) -> np.ndarray:
    """Apollo Research, "Forecasting Frontier Language Model Agent Capabilities" (Pimpale,
    Højmark, Scheurer, Hobbhahn, Feb 2025; https://arxiv.org/abs/2502.15850, code
    https://github.com/pimpale/forecasting-frontier-language-model-agent-capabilities).

    Paper: two steps, release date -> intermediate capability (Chatbot Arena Elo or PC-1 of the
    Open LLM leaderboard) -> benchmark. Step one is linear and fitted to the running top-1
    frontier (the best model to date); step two is a sigmoid from the capability to the score;
    bootstrap intervals.

    Here: (1) a latent capability per model from all *other* benchmarks with at least three
    results (the intermediate metric
    is independent of the target benchmark, as Elo/PC-1 are in the paper): an additive 1-PL
    model on per-benchmark standardised scores, ``zstd = theta_m + d_b``; we have no Arena Elo for
    every model. (2) OLS of theta on release year over the running frontier of theta (models
    with at least two other results, when three or more have them). (3) Per benchmark, a sigmoid
    from theta to the score, fitted by least squares on all models with both (linear on the
    modelling scale for Elo/minutes). A target's capability comes from the date trend (trend
    parameter uncertainty + frontier residual sd), never from its own results, and is pushed
    through the link with its own parameter and residual noise. Like METR, the frontier trend
    over-forecasts non-frontier targets (faithful). Both steps' residuals contain the estimation
    error of theta, so intervals lean conservative: on simulated data with capability exactly on
    the trend, 80% intervals covered about 84%."""
    b_cells, others = _target_and_others(train, b)
    if others.empty:
        return _constant(b_cells["z"], train.scales[b]).sample([t["year"].to_numpy()], rng, n)
    lat = _one_pl(others)
    lat["year"] = train.models.loc[lat.index, "year"].to_numpy()
    cand = lat[lat["n_cells"] >= 2] if (lat["n_cells"] >= 2).sum() >= 3 else lat
    f = _frontier(cand["year"], cand["theta"])
    if f.sum() < 3 or cand.loc[f, "year"].nunique() < 2:
        f = np.ones(len(cand), dtype=bool)
    trend = _fit_linear(cand["year"].to_numpy()[f][:, None], cand["theta"].to_numpy()[f])
    theta = trend.sample([t["year"].to_numpy()], rng, n)
    linked = b_cells[b_cells["model"].isin(lat.index)]
    if len(linked) < 3:
        return _constant(b_cells["z"], train.scales[b]).sample([theta], rng, n)
    link = _fit_link(lat.loc[linked["model"], "theta"].to_numpy(), linked["y"], linked["z"], train.scales[b])
    return link.sample([theta], rng, n)


def _target_and_others(train: _Train, b: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells of benchmark ``b`` and of every other benchmark with at least three results (the
    inputs of the two-step methods: the target benchmark is kept out of the capability)."""
    cells = train.cells
    others = cells[cells["benchmark"] != b]
    return cells[cells["benchmark"] == b], others[others.groupby("benchmark")["model"].transform("size") >= 3]


def _observational_scaling(train: _Train, t: pd.DataFrame, b: str, rng: np.random.Generator, n: int) -> np.ndarray:
    """Ruan, Maddison, Hashimoto, "Observational Scaling Laws and the Predictability of Language
    Model Performance" (2024; https://arxiv.org/abs/2405.10938, code
    https://github.com/ryoungj/ObsScaling).

    Paper: a low-dimensional capability = principal components of a model x benchmark score
    matrix (missing values imputed by a low-rank fit; 3 PCs by default); the target benchmark is
    ``h * sigmoid(beta . PCs + alpha) + floor``, fitted by least squares on models below a cutoff;
    PCs are log-linear in compute within a family. No formal uncertainty.

    Here: PC-1 only (the bundled matrix is ~80% empty), of the standardised modelling-scale
    scores of all *other* benchmarks with at least three results (the target benchmark is kept
    out, as in Apollo's PC-1 backtests), missing cells handled by rank-1 alternating least squares
    (the fixed point of iterative rank-1 SVD imputation). Per benchmark, a sigmoid from PC-1 to
    the score with chance floor and registry ceiling (height not fitted), by least squares. A
    target's PC-1 is its own projection when it has results on those other benchmarks at the
    origin; otherwise it is drawn from a regression of PC-1 on log10 compute and release year
    (on release year alone when its compute is unknown), with that regression's parameter and
    residual uncertainty, over the models that have PC-1. Projected PC-1 values get no extra
    noise: the link was fitted on training models' projections, which are equally noisy, so its
    residual sd already contains that error. Predictive = link parameter uncertainty + residual
    noise on the modelling scale."""
    b_cells, others = _target_and_others(train, b)
    if others.empty:
        return _constant(b_cells["z"], train.scales[b]).sample([t["year"].to_numpy()], rng, n)
    pc = _pc1(others)
    linked = b_cells[b_cells["model"].isin(pc.index)]
    if len(linked) < 3:
        return _constant(b_cells["z"], train.scales[b]).sample([t["year"].to_numpy()], rng, n)
    link = _fit_link(pc.loc[linked["model"], "u"].to_numpy(), linked["y"], linked["z"], train.scales[b])

    u = np.empty((len(t), n))
    own = t["model"].isin(pc.index).to_numpy()
    u[own] = pc.loc[t.loc[own, "model"], "u"].to_numpy()[:, None]
    if (~own).any():
        mt = train.models.loc[pc.index]
        uu = pc["u"].to_numpy()
        lc = t["log10c"].to_numpy()
        by_date = _fit_linear(mt["year"].to_numpy()[:, None], uu)
        u[~own] = by_date.sample([t["year"].to_numpy()[~own]], rng, n)
        known = np.isfinite(mt["log10c"].to_numpy())
        use_c = ~own & np.isfinite(lc)
        if use_c.any() and known.sum() >= 4:
            by_c = _fit_linear(
                np.column_stack([mt["log10c"].to_numpy()[known], mt["year"].to_numpy()[known]]), uu[known]
            )
            u[use_c] = by_c.sample([lc[use_c], t["year"].to_numpy()[use_c]], rng, n)
    return link.sample([u], rng, n)


@dataclass(frozen=True)
class Baseline:
    """A peer method: its key, the source it follows, a one-line summary and the per-benchmark
    sampler (internal: called by ``baseline_samples`` with the prepared training data)."""

    name: str
    source: str
    summary: str
    sampler: Callable[[_Train, pd.DataFrame, str, np.random.Generator, int], np.ndarray]

    @property
    def doc(self) -> str:
        """What the paper did and what was adapted (the implementing function's docstring)."""
        return self.sampler.__doc__ or ""


METHODS: dict[str, Baseline] = {
    "epoch_compute_sigmoid": Baseline(
        "epoch_compute_sigmoid",
        "https://epochai.org/blog/how-predictable-is-language-model-benchmark-performance",
        "per benchmark, a sigmoid in log10 training compute (unknown compute imputed from its date trend)",
        _epoch_compute_sigmoid,
    ),
    "metr_date_trend": Baseline(
        "metr_date_trend",
        "https://arxiv.org/abs/2503.14499",
        "per benchmark, a linear trend in release date on the logit/log2/Elo scale, fitted to frontier models",
        _metr_date_trend,
    ),
    "apollo_two_step": Baseline(
        "apollo_two_step",
        "https://arxiv.org/abs/2502.15850",
        "release date -> latent capability (frontier trend) -> per-benchmark sigmoid",
        _apollo_two_step,
    ),
    "observational_scaling": Baseline(
        "observational_scaling",
        "https://arxiv.org/abs/2405.10938",
        "PC-1 of the other benchmarks -> per-benchmark sigmoid; PC-1 from compute and date when a model has no results",
        _observational_scaling,
    ),
}


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def _require(frame: pd.DataFrame, cols, name: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ForecastError(f"{name} is missing column(s) {', '.join(missing)}")


def _rng(seed: int, method: str, benchmark: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(method.encode()), zlib.crc32(benchmark.encode())])


def baseline_samples(
    method: str,
    models: pd.DataFrame,
    benchmarks: pd.DataFrame,
    results: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    n_samples: int = DEFAULT_N_SAMPLES,
    seed: int = 0,
) -> np.ndarray:
    """Predictive samples of a peer method for each target result.

    ``models``, ``benchmarks`` and ``results`` are what was known at the origin (typed frames as
    in ``forecast.data.Dataset``); ``targets`` has ``model`` and ``benchmark`` and, per row, the
    model's ``release_date`` and ``train_flop`` (NaN when unknown at the origin); missing columns
    are filled from ``models``. Returns an array of shape ``(len(targets), n_samples)`` in each
    target benchmark's unit (fractions within [0, 1], Elo points, minutes). Deterministic given
    ``seed``. Raises ``ForecastError`` for an unknown method, missing columns, a target benchmark
    not in ``benchmarks`` or with fewer than ``MIN_TRAIN_CELLS`` training results."""
    if method not in METHODS:
        raise ForecastError(f"unknown baseline method '{method}'; choose one of {', '.join(METHODS)}")
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ForecastError(f"n_samples must be a positive integer, got {n_samples!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ForecastError(f"seed must be a non-negative integer, got {seed!r}")
    _require(models, MODEL_COLS, "models")
    _require(benchmarks, BENCHMARK_COLS, "benchmarks")
    _require(results, RESULT_COLS, "results")
    _require(targets, TARGET_COLS, "targets")
    out = np.empty((len(targets), int(n_samples)))
    if len(targets) == 0:
        return out
    train = _prepare(models, benchmarks, results)
    t = _target_frame(targets, models)
    unknown = sorted(set(t["benchmark"].astype(str)) - set(train.scales))
    if unknown:
        raise ForecastError(f"target benchmark(s) {', '.join(unknown)} not in the benchmarks table")
    counts = train.cells["benchmark"].value_counts()
    thin = sorted(b for b in set(t["benchmark"]) if counts.get(b, 0) < MIN_TRAIN_CELLS)
    if thin:
        raise ForecastError(
            f"{method}: benchmark(s) {', '.join(thin)} have fewer than {MIN_TRAIN_CELLS} "
            f"training results at the origin; drop those targets"
        )
    fn = METHODS[method].sampler
    with np.errstate(over="ignore", under="ignore"):
        for b, idx in t.groupby("benchmark", sort=True).groups.items():
            rows = np.asarray(idx)
            z = fn(train, t.loc[rows].reset_index(drop=True), str(b), _rng(int(seed), method, str(b)), int(n_samples))
            out[rows] = train.scales[b].from_z(z)
    return out
