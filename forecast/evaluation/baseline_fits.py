"""The fitting machinery shared by the peer methods of ``forecast.evaluation.baselines``: the
modelling scales of each unit, Gaussian linear fits with a weak prior on the residual variance,
sigmoid links, frontier points, and the latent capabilities of the two-step methods (a one-factor
model and a first principal component). Numpy and scipy only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.special import expit

#: Release dates are measured in years from this date (as in ``forecast.simulate``).
REF_DATE = pd.Timestamp("2024-01-01")
DEFAULT_N_SAMPLES = 1000
#: A target benchmark needs at least this many training cells (the backtests require 5 results).
MIN_TRAIN_CELLS = 2
#: Item count assumed for the logit clip when the registry has none.
DEFAULT_N_ITEMS = 100
#: Weak prior on every residual variance: PRIOR_DOF pseudo-observations at a residual sd of
#: PRIOR_SD on the modelling scale (logits, log2 minutes, standardised latent units, log10 FLOP),
#: ELO_PRIOR_SD for Elo. 0.5 is of the order of the ECI -> METR horizon residual (0.47 doublings,
#: anchors.md section 0.2); one pseudo-observation only tames tiny fits (three frontier points).
PRIOR_DOF = 1.0
PRIOR_SD = 0.5
ELO_PRIOR_SD = 200.0
#: Epoch: fewer models with known compute than this on a benchmark -> impute the others' compute.
MIN_KNOWN_COMPUTE = 5
#: Ridge added to each model's (and loading's) normal equation in the latent-capability fits.
RIDGE = 0.1
ELO_RANGE = (-1000.0, 5000.0)
LOG2_MINUTES_RANGE = (-20.0, 30.0)

MODEL_COLS = ("model", "release_date", "train_flop")
BENCHMARK_COLS = ("benchmark", "unit", "floor")
RESULT_COLS = ("model", "benchmark", "score", "inference_multiplier")
TARGET_COLS = ("model", "benchmark")


# --------------------------------------------------------------------------------------------
# Scales
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    """A benchmark's unit and the map between its scores and the modelling scale ``z``."""

    unit: str
    floor: float = 0.0
    ceiling: float = 1.0
    eps: float = 0.005

    @property
    def prior_sd(self) -> float:
        return ELO_PRIOR_SD if self.unit == "elo" else PRIOR_SD

    def to_z(self, y) -> np.ndarray:
        y = np.asarray(y, dtype=float)
        if self.unit == "fraction":
            p = np.clip((y - self.floor) / (self.ceiling - self.floor), self.eps, 1.0 - self.eps)
            return np.log(p) - np.log1p(-p)
        if self.unit == "minutes":
            return np.log2(np.maximum(y, 2.0 ** LOG2_MINUTES_RANGE[0]))
        return y.copy()

    def from_z(self, z) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        if self.unit == "fraction":
            return np.clip(self.floor + (self.ceiling - self.floor) * expit(z), 0.0, 1.0)
        if self.unit == "minutes":
            return 2.0 ** np.clip(z, *LOG2_MINUTES_RANGE)
        return np.clip(z, *ELO_RANGE)


def _scales(benchmarks: pd.DataFrame) -> dict[str, _Scale]:
    out = {}
    for r in benchmarks.itertuples(index=False):
        unit = str(r.unit)
        if unit != "fraction":
            out[str(r.benchmark)] = _Scale(unit)
            continue
        floor = _finite(getattr(r, "floor", np.nan), 0.0)
        ceiling = _finite(getattr(r, "ceiling", np.nan), 1.0)
        if not 0.0 <= floor < ceiling <= 1.0:
            floor, ceiling = 0.0, 1.0
        n = _finite(getattr(r, "n_items", np.nan), DEFAULT_N_ITEMS)
        eps = float(np.clip(0.5 / max(n, 1.0), 1e-3, 0.05))
        out[str(r.benchmark)] = _Scale(unit, floor, ceiling, eps)
    return out


def _finite(value, default: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return default
    return v if np.isfinite(v) else default


def _years(dates) -> np.ndarray:
    ts = pd.to_datetime(pd.Series(np.asarray(dates)))
    return ((ts - REF_DATE).dt.total_seconds() / (365.25 * 86400.0)).to_numpy(dtype=float)


# --------------------------------------------------------------------------------------------
# Gaussian linear steps and sigmoid links
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Linear:
    """``z = coef . [1, x - centre] + sigma * e``: a fitted step with its posterior for draws.

    ``keep`` lists the predictor columns that were identifiable (a constant or unidentifiable
    predictor is dropped, down to an intercept-only model)."""

    coef: np.ndarray
    centre: np.ndarray
    keep: tuple[int, ...]
    root: np.ndarray  # L with L L' = (D'D)^-1 for the centred design D
    dof: float
    s2: float

    def sample(self, features: list, rng: np.random.Generator, n: int) -> np.ndarray:
        """Predictive draws, shape (m, n). ``features[k]`` is (m,) or per-draw (m, n)."""
        m = len(np.asarray(features[0])) if features else 0
        sigma = np.sqrt(self.dof * self.s2 / rng.chisquare(self.dof, n))
        coefs = self.coef[None, :] + sigma[:, None] * (rng.standard_normal((n, len(self.coef))) @ self.root.T)
        z = np.broadcast_to(coefs[:, 0], (m, n)).copy()
        for j, k in enumerate(self.keep):
            x = np.asarray(features[k], dtype=float)
            x = x[:, None] if x.ndim == 1 else x
            z += coefs[:, j + 1][None, :] * (x - self.centre[j])
        return z + sigma[None, :] * rng.standard_normal((m, n))


def _fit_linear(X, z, coef=None, prior_sd: float = PRIOR_SD) -> _Linear:
    """Least squares of ``z`` on the columns of ``X`` (plus an intercept), or the residual
    posterior around a given ``coef`` (used for the raw-scale sigmoid fits)."""
    z = np.asarray(z, dtype=float)
    n = len(z)
    X = np.asarray(X, dtype=float).reshape(n, -1)
    keep = [j for j in range(X.shape[1]) if n and np.ptp(X[:, j]) > 1e-9]
    while keep and n < len(keep) + 2:  # too few points for slopes and a residual variance
        keep.pop()
    if coef is not None and len(coef) != len(keep) + 1:
        coef = None
    Xk = X[:, keep]
    centre = Xk.mean(axis=0) if n else np.zeros(len(keep))
    D = np.column_stack([np.ones(n), Xk - centre])
    if coef is None:
        coef = np.linalg.lstsq(D, z, rcond=None)[0] if n else np.zeros(1)
    coef = np.asarray(coef, dtype=float)
    resid = z - D @ coef
    dof = max(n - D.shape[1], 0) + PRIOR_DOF
    s2 = (float(resid @ resid) + PRIOR_DOF * prior_sd**2) / dof
    w, V = np.linalg.eigh(np.linalg.pinv(D.T @ D) if n else np.ones((1, 1)))
    root = V * np.sqrt(np.clip(w, 0.0, None))
    return _Linear(coef, centre, tuple(keep), root, dof, s2)


def _fit_link(x, y, z, scale: _Scale) -> _Linear:
    """Per-benchmark curve from a predictor ``x`` to the score (see the module docstring)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    base = _fit_linear(x[:, None], z, prior_sd=scale.prior_sd)
    if scale.unit != "fraction" or not base.keep:
        return base
    xc = x - base.centre[0]
    b_max = 20.0 / max(float(np.std(x)), 1e-6)
    span = scale.ceiling - scale.floor

    def resid(p):
        return scale.floor + span * expit(p[0] + p[1] * xc) - y

    start = [float(np.clip(base.coef[0], -14.0, 14.0)), float(np.clip(base.coef[1], 1e-6, 0.5 * b_max))]
    try:
        sol = least_squares(resid, start, bounds=([-15.0, 0.0], [15.0, b_max]), method="trf")
    except (ValueError, np.linalg.LinAlgError):
        return base
    if not sol.success or not np.all(np.isfinite(sol.x)) or sol.x[1] >= 0.99 * b_max:
        return base
    return _fit_linear(x[:, None], z, coef=sol.x, prior_sd=scale.prior_sd)


def _constant(z, scale: _Scale) -> _Linear:
    z = np.asarray(z, dtype=float)
    return _fit_linear(np.empty((len(z), 0)), z, prior_sd=scale.prior_sd)


def _frontier(year, value) -> np.ndarray:
    """True for points that were state of the art when released: above the best value of all
    strictly earlier releases (the earliest release counts; same-day releases are compared with
    earlier days only)."""
    year = np.asarray(year, dtype=float)
    value = np.asarray(value, dtype=float)
    mask = np.zeros(len(year), dtype=bool)
    best = -np.inf
    for t in np.unique(year):
        at = year == t
        mask[at] = value[at] > best
        best = max(best, float(value[at].max()))
    return mask


# --------------------------------------------------------------------------------------------
# Latent capabilities (Apollo step 1, ObsScaling PC-1)
# --------------------------------------------------------------------------------------------


def _standardised(cells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    """Model codes, benchmark codes and per-benchmark standardised ``z`` of ``cells``."""
    mi, models = pd.factorize(cells["model"])
    bi, _ = pd.factorize(cells["benchmark"])
    z = cells["z"].to_numpy(dtype=float)
    g = cells.groupby(bi)["z"]
    mean = g.transform("mean").to_numpy(dtype=float)
    sd = g.transform("std", ddof=0).to_numpy(dtype=float)
    sd = np.where(np.isfinite(sd) & (sd > 1e-9), sd, 1.0)
    return mi, bi, (z - mean) / sd, models


def _one_pl(cells: pd.DataFrame, iters: int = 1000, tol: float = 1e-6) -> pd.DataFrame:
    """Additive (1-parameter, Rasch-like) latent capability: ``zstd[m, b] = theta_m + d_b + e``,
    fitted by alternating least squares on the observed cells; ``theta`` centred at zero.
    Returns columns ``theta`` and ``n_cells`` indexed by model."""
    mi, bi, x, models = _standardised(cells)
    nm, nb = len(models), int(bi.max()) + 1
    cnt_m = np.bincount(mi, minlength=nm).astype(float)
    cnt_b = np.bincount(bi, minlength=nb).astype(float)
    theta = np.zeros(nm)
    for _ in range(iters):
        d = np.bincount(bi, x - theta[mi], minlength=nb) / cnt_b
        new = np.bincount(mi, x - d[bi], minlength=nm) / (cnt_m + RIDGE)
        new -= new.mean()
        done = np.max(np.abs(new - theta)) < tol
        theta = new
        if done:
            break
    return pd.DataFrame({"theta": theta, "n_cells": cnt_m}, index=models)


def _pc1(cells: pd.DataFrame, iters: int = 1000, tol: float = 1e-6) -> pd.DataFrame:
    """First principal component of the standardised model x benchmark matrix with missing
    cells: rank-1 ``zstd[m, b] = mu_b + u_m v_b``, fitted by alternating (ridge) least squares on
    the observed cells, the fixed point of iterative rank-1 SVD imputation. ``u`` is scaled to
    mean 0, sd 1 and signed so that loadings are mostly positive (higher = more capable)."""
    mi, bi, x, models = _standardised(cells)
    nm, nb = len(models), int(bi.max()) + 1
    cnt_b = np.bincount(bi, minlength=nb).astype(float)
    u = np.bincount(mi, x, minlength=nm) / np.bincount(mi, minlength=nm)
    u = (u - u.mean()) / (u.std() if u.std() > 1e-9 else 1.0)
    v = np.ones(nb)
    for _ in range(iters):
        mu = np.bincount(bi, x - u[mi] * v[bi], minlength=nb) / cnt_b
        r = x - mu[bi]
        v = np.bincount(bi, u[mi] * r, minlength=nb) / (np.bincount(bi, u[mi] ** 2, minlength=nb) + RIDGE)
        new = np.bincount(mi, v[bi] * r, minlength=nm) / (np.bincount(mi, v[bi] ** 2, minlength=nm) + RIDGE)
        sd = new.std()
        if not np.isfinite(sd) or sd < 1e-9:
            break
        new = (new - new.mean()) / sd
        v = v * sd
        done = np.max(np.abs(new - u)) < tol
        u = new
        if done:
            break
    if v.sum() < 0:
        u = -u
    return pd.DataFrame({"u": u}, index=models)
