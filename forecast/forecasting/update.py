"""`forecast update`: add new results, update the fit, and say what they changed.

The fit is updated without compiling anything when it can be: the previous posterior draws are
reweighted by the likelihood of the new results (Pareto-smoothed importance sampling, from
arviz-stats), with a brand-new model's capability drawn per draw from its conditional prior.
When the new results are too surprising for that (Pareto k > 0.7), or they bring a benchmark the
fit has never seen, the model is refitted from scratch, and the report says which path was taken.

Order of writes: nothing is written until the new fit exists; then the fit, then the data.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .. import data as D
from .. import model as M
from ..errors import ForecastError
from ..inference import (
    FIT_CHAINS,
    FIT_DRAWS,
    FIT_FORMAT,
    FIT_TUNE,
    SamplerConfig,
    fit_diagnostics,
    fit_id,
    fit_model,
    load_fit,
    save_fit,
)
from ..inference.fit import finalize_idata
from ..model.forward import model_theta_draws, pointwise_loglik
from ..model.inputs import transform_target
from .frontier import crossing_times, simulate_frontier, threshold_forecast
from .predict import forecastable, registry_units
from .scenarios import get_scenario
from .thresholds import load_thresholds, select

K_MAX = 0.7


@dataclass
class UpdateResult:
    surprise: list[dict]
    shift: list[dict]
    influence: list[dict]
    method: str
    pareto_k: float | None
    fit: str
    merge: dict
    timing: dict = field(default_factory=dict)
    as_of: str = ""
    diagnostics: dict | None = None  # of the refit's sampler (None after a reweight)
    fit_attrs: dict = field(default_factory=dict)  # provenance of the updated fit, for the ledger

    def to_json(self) -> dict:
        k = self.pareto_k if self.pareto_k is None or np.isfinite(self.pareto_k) else None  # JSON has no inf
        return {
            "fit": self.fit,
            "as_of": self.as_of,
            "method": self.method,
            "pareto_k": k,
            "surprise": self.surprise,
            "shift": self.shift,
            "influence": self.influence,
            "merge": self.merge,
            "timing": self.timing,
            "diagnostics": self.diagnostics,
        }


def surprise_percentiles(idata, added: pd.DataFrame, models: pd.DataFrame, seed: int) -> list[dict]:
    """Predictive percentile of each new result under ``idata`` (0.5 = as expected; mid-rank for
    ties). A result on a benchmark the fit has no results for gets ``None``: the fit has no
    calibration of that benchmark, so it cannot have expected anything."""
    seen = set(M.inputs_from_idata(idata).benchmark_ids)
    ok = added["benchmark"].isin(seen).to_numpy()
    pct = np.full(len(added), np.nan)
    med = np.full(len(added), np.nan)
    if ok.any():
        sub = added[ok]
        pred = M.predict_scores(
            idata, sub[["model", "benchmark", "inference_multiplier", "effort"]], models=models, seed=seed
        )
        draws = pred["score"].stack(sample=("chain", "draw")).transpose("row", "sample").values
        obs = sub["score"].to_numpy(dtype=float)
        pct[ok] = (draws < obs[:, None]).mean(axis=1) + 0.5 * (draws == obs[:, None]).mean(axis=1)
        med[ok] = np.median(draws, axis=1)
    out = []
    for (_, r), m, p, k in zip(added.iterrows(), med, pct, ok):
        out.append(
            {
                "model": r["model"],
                "benchmark": r["benchmark"],
                "setting": r["setting"],
                "observed": float(r["score"]),
                "predicted_median": float(m) if k else None,
                "predictive_percentile": float(p) if k else None,
                **({} if k else {"note": "benchmark new to the fit: no prediction"}),
            }
        )
    return out


def _extend(idata_old, ds_new: D.Dataset, seed: int):
    """The previous posterior over the new dataset's models, unweighted: fitted models keep their
    draws, new models get capability draws from the conditional prior. Returns (posterior,
    inputs_new), or None when the fit cannot be extended (a new benchmark)."""
    config = M.config_from_idata(idata_old)
    inputs_old = M.inputs_from_idata(idata_old)
    inputs_new = M.prepare(ds_new, config)
    if inputs_new.benchmark_ids != inputs_old.benchmark_ids or inputs_new.domains != inputs_old.domains:
        return None
    # pin the centring of Elo / log-minutes targets to the fitted one
    unit = inputs_new.obs_unit
    y = transform_target(inputs_new.score, unit)
    inputs_new.y_center = inputs_old.y_center.copy()
    inputs_new.y = y - inputs_new.y_center[inputs_new.obs_bench]
    post = idata_old["posterior"].to_dataset()
    rng = np.random.default_rng(seed)
    new_ids = [m for m in inputs_new.model_ids if m not in set(inputs_old.model_ids)]
    theta_old = M.stack(post, "theta")
    nc, nd = post.sizes["chain"], post.sizes["draw"]
    old_index = {m: i for i, m in enumerate(inputs_old.model_ids)}
    theta = np.empty((theta_old.shape[0], len(inputs_new.model_ids)))
    if new_ids:
        meta = ds_new.models.set_index("model").loc[new_ids].reset_index()
        th_new, _ = model_theta_draws(post, inputs_old, config, meta, rng)
        new_index = {m: j for j, m in enumerate(new_ids)}
    for k, m in enumerate(inputs_new.model_ids):
        theta[:, k] = theta_old[:, old_index[m]] if m in old_index else th_new[:, new_index[m]]
    keep = {v: post[v] for v in post.data_vars if "model" not in post[v].dims}
    new_post = xr.Dataset(keep)
    new_post["theta"] = xr.DataArray(
        theta.reshape(nc, nd, -1),
        dims=("chain", "draw", "model"),
        coords={"chain": post["chain"].values, "draw": post["draw"].values, "model": inputs_new.model_ids},
    )
    return new_post, inputs_new


def _augmented_tree(idata_old, new_post: xr.Dataset, inputs_new, config):
    tree = xr.DataTree.from_dict({"posterior": new_post})
    tree.attrs.update(idata_old.attrs)
    return finalize_idata(tree, inputs_new, config)


def _changed_loglik(idata_old, new_post: xr.Dataset, inputs_new, config):
    """Log density, under each previous draw, of the observations the update adds or changes
    (matched by id: model|benchmark|multiplier|effort; replicates are aggregated, so a new result
    can change an existing observation's median instead of adding one). Returns (ids of the
    changed observations, their log-likelihood minus the old one (draws, n_changed), and the
    summed old log-likelihood of observations the update removed)."""
    ll_old = idata_old["log_likelihood"]["score"].stack(sample=("chain", "draw")).transpose("sample", "obs")
    y_old = dict(
        zip((str(o) for o in idata_old["observed_data"]["y"]["obs"].values), idata_old["observed_data"]["y"].values)
    )
    old_col = {str(o): i for i, o in enumerate(ll_old["obs"].values)}
    cols = [j for j, o in enumerate(inputs_new.obs_ids) if o not in y_old or not np.isclose(inputs_new.y[j], y_old[o])]
    sub = dataclasses.replace(
        inputs_new,
        **{
            k: getattr(inputs_new, k)[cols]
            for k in ("obs_model", "obs_bench", "log10_mult", "effort_step", "reasoning_obs", "y", "score")
        },
        obs_ids=[inputs_new.obs_ids[j] for j in cols],
    )
    ll_old_v = ll_old.values
    ratio = pointwise_loglik(new_post, sub, config) if cols else np.zeros((ll_old_v.shape[0], 0))
    for k, o in enumerate(sub.obs_ids):
        if o in old_col:
            ratio[:, k] -= ll_old_v[:, old_col[o]]
    gone = set(old_col) - set(inputs_new.obs_ids)
    removed = sum((ll_old_v[:, old_col[o]] for o in gone), np.zeros(ll_old_v.shape[0]))
    return sub.obs_ids, ratio, removed


def _resample(tree, log_w: np.ndarray, seed: int):
    """Posterior draws resampled by importance weights (systematic resampling), same shape."""
    post = tree["posterior"].to_dataset()
    nc, nd = post.sizes["chain"], post.sizes["draw"]
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    n = nc * nd
    u = (np.random.default_rng(seed).uniform() + np.arange(n)) / n
    idx = np.minimum(np.searchsorted(np.cumsum(w), u), n - 1)
    np.random.default_rng(seed + 1).shuffle(idx)
    stacked = post.stack(sample=("chain", "draw"))
    picked = stacked.isel(sample=idx).drop_vars(["sample", "chain", "draw"])
    picked = picked.assign_coords(sample=np.arange(n))
    res = picked.coarsen(sample=nd).construct(sample=("chain", "draw"))
    res = res.assign_coords(chain=np.arange(nc), draw=np.arange(nd)).transpose("chain", "draw", ...)
    ll = tree["log_likelihood"].to_dataset().stack(sample=("chain", "draw")).isel(sample=idx)
    ll = ll.drop_vars(["sample", "chain", "draw"]).assign_coords(sample=np.arange(n))
    ll = (
        ll.coarsen(sample=nd)
        .construct(sample=("chain", "draw"))
        .assign_coords(chain=np.arange(nc), draw=np.arange(nd))
        .transpose("chain", "draw", ...)
    )
    out = tree.copy()
    out["posterior"] = xr.DataTree(res)
    out["log_likelihood"] = xr.DataTree(ll)
    return out


def _weighted_prob(tc: np.ndarray, w: np.ndarray | None, t: float) -> float:
    hit = (tc <= t).astype(float)
    if w is None:
        return float(hit.mean())
    return float(np.sum(w * hit) / np.sum(w))


def run_update(
    results_path,
    models_path=None,
    *,
    data=None,
    fit=Path("out/fit.nc"),
    out=None,
    seed: int = 1,
    thresholds_path=None,
    threshold_ids=None,
    by=None,
    scenario: str = "baseline",
    refit: bool = False,
    draws: int = FIT_DRAWS,
    tune: int | None = None,
    chains: int = FIT_CHAINS,
    progressbar: bool = False,
) -> UpdateResult:
    t_start = time.perf_counter()
    data_dir = D.resolve_data_dir(data)
    raw = D.load_raw(data_dir)
    ds_old = D.typed(raw)
    idata_old = load_fit(fit, ds=ds_old)
    new = D.read_new_files(results_path, models_path)
    merged, report = D.merge(raw, new, policy="add")
    ds_new = D.typed(merged)
    ds_new.directory = data_dir
    old_keys = set(D.result_key(raw.results))
    added_mask = ~D.result_key(merged.results).isin(old_keys).to_numpy()
    added = ds_new.results[added_mask].reset_index(drop=True)
    if added.empty:
        raise ForecastError("no new results in the input (all already present): nothing to update")
    units = {**registry_units(idata_old), **dict(zip(ds_new.benchmarks["benchmark"], ds_new.benchmarks["unit"]))}
    ths, skipped = forecastable(select(load_thresholds(thresholds_path, units), threshold_ids), idata_old)
    if not ths:
        raise ForecastError(
            "none of the selected thresholds can be forecast from this fit: "
            + "; ".join(f"{x['id']}: {x['reason']}" for x in skipped)
        )
    sc = get_scenario(scenario)

    t_loaded = time.perf_counter()
    surprise = surprise_percentiles(idata_old, added, ds_new.models, seed)
    before = threshold_forecast(idata_old, ths, by, scenario=scenario, seed=seed)
    dates = list(before["thresholds"][0]["prob_by"]) if before["thresholds"] else (by or [])
    old_as_of = pd.Timestamp(before["as_of"])
    newest = max([old_as_of, added["reported_date"].max()])
    new_model_ids = set(ds_new.models["model"]) - set(ds_old.models["model"])
    if new_model_ids:
        newest = max(newest, ds_new.models.loc[ds_new.models["model"].isin(new_model_ids), "release_date"].max())
    as_of = newest.date().isoformat()

    config = M.config_from_idata(idata_old)
    sampler_config = SamplerConfig.from_idata(idata_old)
    method, khat, influence, diag = "refit", None, [], None
    ext = None if refit else _extend(idata_old, ds_new, seed)
    t_update = time.perf_counter()
    if ext is not None:
        new_post, inputs_new = ext
        from arviz_stats.base import array_stats

        changed_ids, ratio, removed = _changed_loglik(idata_old, new_post, inputs_new, config)
        lw, k = array_stats.psislw(ratio.sum(axis=1) - removed)
        khat = float(k) if np.isfinite(k) else float("inf")  # nan: the weights collapsed
        if khat <= K_MAX:
            method = "reweight"
            tree = _augmented_tree(idata_old, new_post, inputs_new, config)
            tree.attrs["as_of"] = as_of
            # influence: each new result alone, on the augmented (unweighted) frontier simulation
            until = pd.Timestamp(before["until"])
            sim = simulate_frontier(tree, until, scenario=sc, seed=seed)
            ref = pd.Timestamp(config.ref_date)
            col_of = {o: j for j, o in enumerate(changed_ids)}
            row_ids = M.obs_keys(added)
            cache: dict = {}
            for th in ths:
                tc = crossing_times(tree, th, sim, seed=seed, cache=cache)
                base = {d: _weighted_prob(tc, None, (pd.Timestamp(d) - ref).days / 365.25) for d in dates}
                for j, (_, r) in enumerate(added.iterrows()):
                    col = col_of.get(row_ids[j].split("#")[0])
                    if col is None:
                        continue
                    lwj, _ = array_stats.psislw(ratio[:, col].copy())
                    wj = np.exp(lwj - lwj.max())[sim.draws]
                    delta = {d: _weighted_prob(tc, wj, (pd.Timestamp(d) - ref).days / 365.25) - base[d] for d in dates}
                    d_max = max(delta, key=lambda d: abs(delta[d]))
                    influence.append(
                        {
                            "threshold": th.id,
                            "model": r["model"],
                            "benchmark": r["benchmark"],
                            "setting": r["setting"],
                            "by": d_max,
                            "delta": float(delta[d_max]),
                        }
                    )
            new_idata = _resample(tree, lw, seed)
    if method == "refit":
        # chains start at draws of the previous posterior (inference.sampling.warm_start), so
        # they begin in or near the typical set and need a shorter adaptation than a fit from scratch
        new_idata = fit_model(
            ds_new,
            config,
            sampler_config=sampler_config,
            seed=seed,
            draws=draws,
            tune=tune if tune is not None else FIT_TUNE,
            chains=chains,
            progressbar=progressbar,
            start_from=idata_old,
        )
        new_idata.attrs["as_of"] = as_of
        diag = fit_diagnostics(new_idata)  # recorded in its attrs by fit_model
    new_idata.attrs.update(
        {
            "data_hash": ds_new.data_hash,
            "fit_format": FIT_FORMAT,
            "seed": int(seed),
            "parent_fit_id": idata_old.attrs.get("fit_id", ""),
            "update_method": method,
            "update_pareto_k": -1.0 if khat is None else min(khat, 1e9),
            "fit_id": fit_id(config, sampler_config, ds_new.data_hash, as_of, seed),
            "data_dir": str(data_dir),
            "newest_result": ds_new.results["reported_date"].max().date().isoformat(),
        }
    )
    update_seconds = time.perf_counter() - t_update
    t_after = time.perf_counter()
    # the same dates as before: the defaults follow the as-of year, which the new results may move
    after = threshold_forecast(new_idata, ths, dates, scenario=scenario, seed=seed)
    shift = []
    for b_t, a_t in zip(before["thresholds"], after["thresholds"]):
        for d in dates:
            shift.append(
                {
                    "threshold": b_t["id"],
                    "by": d,
                    "before": b_t["prob_by"][d],
                    "after": a_t["prob_by"][d],
                    "median_before": b_t["median_crossing"],
                    "median_after": a_t["median_crossing"],
                }
            )
    influence.sort(key=lambda x: -abs(x["delta"]))
    new_idata.attrs["last_update"] = json.dumps(
        {"method": method, "shift": shift, "surprise": surprise, "influence": influence[:20]}
    )
    # writes: fit first (a new file), then the data; nothing was written before this point
    t_save = time.perf_counter()
    out_path = Path(out) if out else Path(fit)
    save_fit(new_idata, out_path)
    D.write_raw(merged, data_dir)
    result = UpdateResult(
        surprise,
        shift,
        influence,
        method,
        khat,
        str(out_path),
        report.summary(),
        {
            "update_seconds": update_seconds,
            "total_seconds": time.perf_counter() - t_start,
            "load_seconds": t_loaded - t_start,
            "before_seconds": t_update - t_loaded,
            "after_seconds": t_save - t_after,
            "save_seconds": time.perf_counter() - t_save,
            **{
                k: float(new_idata.attrs[k])
                for k in ("compile_seconds", "sampling_seconds")
                if k in new_idata.attrs and method == "refit"
            },
        },
        as_of=as_of,
        fit_attrs={k: new_idata.attrs.get(k) for k in ("fit_id", "data_hash", "seed")},
        diagnostics=diag,
    )
    return result
