"""Preconditioning: the sampler runs in coordinates whitened by a dense estimate of the posterior
covariance from a short pilot run, shrunk towards the inverse curvature of the log density.

The posterior has a ridge (date slopes, intercept, compute slope and the locations of benchmarks
measured in one era) that a diagonal mass matrix crosses slowly: bulk ESS per draw 0.05 without,
about 0.3 with it (docs/performance.md). The whitened callbacks themselves come from the compile
cache (``forecast.inference.compile_cache.with_preconditioner``).
"""

from __future__ import annotations

import numpy as np

from .compile_cache import gradient_function


def flat_unconstrained(idata, compiled) -> np.ndarray:
    """Draws of a nutpie run (``store_unconstrained=True``) as rows of the sampler's flat
    vector, in ``compiled``'s order: shape (chains * draws, n_dim)."""
    cols = []
    groups = [idata["unconstrained_posterior"], idata["posterior"]]
    for name, sl, _ in zip(*compiled.shape_info):
        if sl.start >= compiled.n_dim:
            break
        da = next(g[name] for g in groups if name in g.data_vars)
        cols.append(da.values.reshape(da.sizes["chain"] * da.sizes["draw"], -1))
    x = np.concatenate(cols, axis=1)
    if x.shape[1] != compiled.n_dim:
        raise ValueError(f"stored draws have {x.shape[1]} coordinates, the sampler {compiled.n_dim}")
    return x


def curvatures(compiled, points: np.ndarray, step: float = 1e-4, workers: int = 2, central: bool = False) -> np.ndarray:
    """Minus the Hessian of the log density at each of ``points`` (rows, the sampler's
    coordinates), shape (k, n_dim, n_dim): differences of the exact gradient, forward (n_dim + 1
    gradients a point, error of order ``step`` times the third derivative: far below what a
    preconditioner needs) or ``central`` (2 n_dim, error of order ``step**2``). The curvature
    of a ridge is exact here, where a few hundred correlated draws only estimate it."""
    from concurrent.futures import ThreadPoolExecutor

    logp_grad = gradient_function(compiled)
    n = compiled.n_dim

    def hessian(x):
        h = np.empty((n, n))
        g0 = None if central else logp_grad(x)[1]
        for i in range(n):
            e = np.zeros(n)
            e[i] = step
            if central:
                h[i] = (logp_grad(x + e)[1] - logp_grad(x - e)[1]) / (2 * step)
            else:
                h[i] = (logp_grad(x + e)[1] - g0) / step
        return -0.5 * (h + h.T)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return np.array(list(pool.map(hessian, np.atleast_2d(points))))


def dense_preconditioner(
    x: np.ndarray,
    shrinkage: float,
    curvature: np.ndarray | None = None,
    min_precision: float = 1.0,
    max_spread: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """(mean, lower Cholesky factor) of draws ``x`` (n, n_dim): their covariance ``S`` shrunk
    towards a target ``T``, ``(1 - shrinkage) S + shrinkage T`` (a few hundred draws of a few
    hundred coordinates give a noisy estimate).

    - Without ``curvature`` the target is ``S``'s diagonal: the correlations are shrunk towards
      zero. A coordinate without spread in ``x`` (one the chains never moved) gets unit
      variance and no correlation, so that the factorisation does not fail.
    - With ``curvature`` (``curvatures``: minus the Hessian at k points) the target is the
      inverse of its mean (a Laplace covariance; eigenvalues below ``min_precision`` raised to
      it: at a non-concave point, or along a flat direction, the inverse would have an infinite
      variance), except on coordinates where the log density is far from quadratic: where the
      curvature's diagonal varies across the points by more than ``max_spread`` (standard
      deviation over mean), as for the log of a hierarchical scale that the data barely inform.
      Those keep ``S``'s variance and no correlation in the target."""
    if not 0.0 <= shrinkage <= 1.0:
        raise ValueError(f"shrinkage {shrinkage} is not in [0, 1]")
    mu = x.mean(axis=0)
    s = np.atleast_2d(np.cov(x, rowvar=False))
    if curvature is None:
        flat = ~(np.diag(s) > 1e-18)
        s[flat, :] = 0.0
        s[:, flat] = 0.0
        s[flat, flat] = 1.0
        target = np.diag(np.diag(s))
    else:
        q = curvature.mean(axis=0)
        w, v = np.linalg.eigh(0.5 * (q + q.T))
        target = (v / np.maximum(w, min_precision)) @ v.T
        d = np.array([np.diag(c) for c in curvature])
        unstable = np.flatnonzero(d.std(axis=0) > max_spread * np.abs(d.mean(axis=0)))
        target[unstable, :] = 0.0
        target[:, unstable] = 0.0
        target[unstable, unstable] = np.maximum(np.diag(s)[unstable], 1e-12)
    return mu, np.linalg.cholesky((1.0 - shrinkage) * s + shrinkage * target)
