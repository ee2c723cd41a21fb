"""Fit the capability model to a dataset: build, sample, then add what every later step reads
(the model's own constant and observed data, the compute draws, the pointwise log-likelihood,
config and provenance in attrs)."""

from __future__ import annotations

import json
import time

import numpy as np
import xarray as xr

from .. import __version__
from ..model import VARIANTS, ModelConfig, ModelInputs, build_model, prepare
from ..model.forward import draw_log10_compute, pointwise_loglik_threaded
from ..model.inputs import constant_data
from .config import SamplerConfig
from .convergence import diagnostics, worst
from .sampling import sample_model, warm_start


def finalize_idata(idata, inputs: ModelInputs, config: ModelConfig, **attrs):
    """Replace PyMC's constant/observed groups by the model's own (dim ``obs``), add the pointwise
    log-likelihood of every observation (one variable ``score`` over ``obs``, for PSIS-LOO) and
    record config and provenance in attrs."""
    coords = {"obs": inputs.obs_ids}
    idata["constant_data"] = xr.DataTree(constant_data(inputs))
    idata["observed_data"] = xr.DataTree(
        xr.Dataset({"score": ("obs", inputs.score), "y": ("obs", inputs.y)}, coords=coords)
    )
    post = idata["posterior"].to_dataset()
    nc, nd = post.sizes["chain"], post.sizes["draw"]
    if config.has_compute and "log10_compute" not in post:
        lc = draw_log10_compute(post, inputs, config, np.random.default_rng(attrs.get("seed", 0)))
        idata["posterior"]["log10_compute"] = xr.DataArray(
            lc.reshape(nc, nd, -1),
            dims=("chain", "draw", "model"),
            coords={"chain": post["chain"].values, "draw": post["draw"].values, "model": inputs.model_ids},
        )
    ll = pointwise_loglik_threaded(post, inputs, config)
    idata["log_likelihood"] = xr.DataTree(
        xr.Dataset(
            {"score": (("chain", "draw", "obs"), ll.reshape(nc, nd, -1))},
            coords={"chain": post["chain"].values, "draw": post["draw"].values, **coords},
        )
    )
    idata.attrs.update({"model_config": config.to_json(), "forecast_version": __version__, **attrs})
    return idata


def drop_padding_slots(post: xr.Dataset, model_ids: list[str]) -> xr.Dataset:
    """``z_model`` over the fitted models only (dim ``model``), without build_model's padding."""
    if "model_slot" not in post.dims:
        return post
    z = post["z_model"].isel(model_slot=slice(0, len(model_ids))).rename(model_slot="model")
    attrs = dict(post.attrs)
    post = post.drop_vars("z_model").drop_dims("model_slot")
    post["z_model"] = z.assign_coords(model=list(model_ids))
    post.attrs.update(attrs)
    return post


def fit_model(
    ds,
    config: ModelConfig | None = None,
    *,
    sampler_config: SamplerConfig | None = None,
    seed: int = 1,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    sampler: str = "nutpie",
    progressbar: bool = True,
    start_from=None,
):
    """Fit the capability model to a dataset; return an ``xarray.DataTree`` with groups
    posterior, sample_stats, log_likelihood (``score`` over ``obs``), observed_data and
    constant_data (everything ``predict_scores`` needs), both configs and provenance in attrs.
    ``start_from``: an earlier fit whose posterior draws start the chains (``warm_start``)."""
    config = config or ModelConfig()
    sampler_config = sampler_config or SamplerConfig()
    inputs = prepare(ds, config)
    model = build_model(inputs, config)
    init = warm_start(model, start_from) if start_from is not None and sampler == "nutpie" else None
    # a posterior that needed the retry's smaller steps is refitted with them from the start
    accept = (
        max(sampler_config.target_accept, float(start_from.attrs.get("target_accept", 0.0)))
        if start_from is not None
        else None
    )

    def check(idata):  # on the draws as the fit will hold them: without build_model's padding
        return diagnostics(idata, drop_padding_slots(idata["posterior"].to_dataset(), inputs.model_ids))

    idata, timing = sample_model(
        model,
        seed=seed,
        draws=draws,
        tune=tune,
        chains=chains,
        sampler=sampler,
        progressbar=progressbar,
        config=sampler_config,
        init=init,
        check=check,
        target_accept=accept,
    )
    checked = idata.attrs.pop("diagnostics", None)
    timing["warm_start"] = float(init is not None)
    idata["posterior"] = drop_padding_slots(idata["posterior"].to_dataset(), inputs.model_ids)
    sampled = set(idata["posterior"].data_vars)
    idata = finalize_idata(
        idata,
        inputs,
        config,
        seed=int(seed),
        sampler=sampler,
        sampler_config=sampler_config.to_json(),
        data_hash=str(getattr(ds, "data_hash", "")),
        **timing,
    )
    # The diagnostics once: the check's, extended by the variables finalize_idata added
    t0 = time.perf_counter()
    if checked is None:
        diag = diagnostics(idata)
    else:
        post = idata["posterior"].to_dataset()
        diag = worst(json.loads(checked), diagnostics(idata, post[[v for v in post.data_vars if v not in sampled]]))
    idata.attrs["diagnostics"] = json.dumps(diag)
    idata.attrs["check_seconds"] = float(timing.get("check_seconds", 0.0)) + time.perf_counter() - t0
    return idata


def compare_variants(
    ds, seed: int = 1, *, variants=VARIANTS, config: ModelConfig | None = None, return_fits: bool = False, **fit_kwargs
):
    """Fit each variant on the same observations and compare them by PSIS-LOO (arviz-stats)."""
    import arviz_stats as azs

    base = (config or ModelConfig()).to_dict()
    fits = {}
    for v in variants:
        fits[v] = fit_model(ds, ModelConfig.from_dict({**base, "variant": v}), seed=seed, **fit_kwargs)
    table = azs.compare(fits)
    return (table, fits) if return_fits else table
