"""Run, save and load fits. A fit is an ``xarray.DataTree`` written as netCDF (never pickle) whose
root attrs carry the model and sampler configs, the data hash, the seed, the package version and a
format version; ``load_fit`` refuses a file that does not match the data or config it is used with.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..data import Dataset, default_file_mode, load_dataset, parse_date
from ..errors import FitMismatchError, ForecastError
from ..model import ModelConfig
from .config import FIT_CHAINS, FIT_DRAWS, FIT_TUNE, SamplerConfig

#: Bump when the saved layout changes incompatibly; older formats must keep loading (golden test).
FIT_FORMAT = 1
DEFAULT_FIT = Path("out") / "fit.nc"


def fit_id(config: ModelConfig, sampler_config: SamplerConfig, data_hash: str, as_of: str, seed: int) -> str:
    """The identity of a fit: both configs, the data, the as-of date, the seed and the format.
    The configs enter as one JSON object, the shape of the model config of fits saved before the
    two were split."""
    config_json = json.dumps({**sampler_config.to_dict(), **config.to_dict()}, sort_keys=True)
    payload = json.dumps([config_json, data_hash, as_of, int(seed), FIT_FORMAT], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def save_fit(idata, path: str | Path) -> Path:
    """Write atomically: a temporary file beside the target, then a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, default_file_mode())
        idata.to_netcdf(tmp, engine="h5netcdf")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def load_fit(path: str | Path, ds: Dataset | None = None, config=None):
    """Load a saved fit; with ``ds`` check it was made from the same data (hash), with ``config``
    that the model config matches. Raises ``FitMismatchError`` naming what differs."""
    import xarray as xr

    path = Path(path)
    if not path.exists():
        raise ForecastError(f"{path}: no fit here; run `forecast fit --out {path}` first")
    try:
        with xr.open_datatree(path, engine="h5netcdf") as tree:
            idata = tree.load()
    except (OSError, ValueError) as exc:
        raise ForecastError(f"{path}: not a readable fit file ({exc})") from None
    attrs = idata.attrs
    for key in ("model_config", "data_hash", "seed", "forecast_version", "fit_format"):
        if key not in attrs:
            raise FitMismatchError(f"{path}: not a forecast fit (attribute '{key}' missing)")
    if int(attrs["fit_format"]) > FIT_FORMAT:
        raise FitMismatchError(
            f"{path}: saved by forecast {attrs['forecast_version']} in fit format "
            f"{attrs['fit_format']}; this version ({__version__}) reads up to {FIT_FORMAT}: upgrade"
        )
    if ds is not None and attrs["data_hash"] != ds.data_hash:
        raise FitMismatchError(
            f"{path}: fitted on data {attrs['data_hash']}, but the data is now {ds.data_hash}; "
            f"refit (`forecast fit`) or use `forecast update` to add new results to the fit"
        )
    if config is not None and ModelConfig.from_json(attrs["model_config"]).to_dict() != config.to_dict():
        raise FitMismatchError(f"{path}: fitted with a different model config")
    return idata


@dataclass
class FitRun:
    idata: object
    path: Path
    diagnostics: dict
    key_quantities: object  # pandas DataFrame
    timing: dict = field(default_factory=dict)
    passed: bool = True

    def to_json(self) -> dict:
        kq = self.key_quantities
        return {
            "fit": str(self.path),
            "passed": self.passed,
            "diagnostics": self.diagnostics,
            "sampler": sampler_summary(self.idata),
            "data_hash": self.idata.attrs["data_hash"],
            "as_of": self.idata.attrs.get("as_of") or None,
            "seed": int(self.idata.attrs["seed"]),
            "n_models": int(self.idata["constant_data"].sizes["model"]),
            "n_results": int(self.idata["constant_data"].sizes["obs"]),
            "timing": self.timing,
            "key_quantities": json.loads(kq.to_json(orient="records")),
        }


def sampler_summary(idata) -> dict:
    """How a fit was sampled: the sampler, the compile path (``cached-graph``, ``cached-cfunc``:
    the compile cache; ``nutpie``: nutpie's own compile, the cache being off or unusable), whether
    the chains ran preconditioned, and the target acceptance of the returned draws."""
    a = idata.attrs
    return {
        "sampler": str(a.get("sampler", "")),
        "compile_path": str(a.get("compile_path", "")) or None,
        "preconditioned": bool(float(a.get("preconditioned", 0.0) or 0.0)),
        "target_accept": float(a["target_accept"]) if "target_accept" in a else None,
        "config": json.loads(a["sampler_config"]) if a.get("sampler_config") else None,
    }


def run_fit(
    data=None,
    *,
    as_of: str | None = None,
    seed: int = 1,
    draws: int = FIT_DRAWS,
    tune: int = FIT_TUNE,
    chains: int = FIT_CHAINS,
    out: str | Path = DEFAULT_FIT,
    config: ModelConfig | None = None,
    sampler_config: SamplerConfig | None = None,
    sampler: str = "nutpie",
    progressbar: bool = True,
    allow_failure: bool = False,
) -> FitRun:
    """Load data (optionally as of a date), fit, check diagnostics, save. A fit that fails the
    diagnostics is saved beside the target as ``*.failed.nc`` (never over a good fit) unless
    ``allow_failure``."""
    from ..model import key_quantities
    from .convergence import diagnostics_pass, fit_diagnostics
    from .fit import fit_model

    ds = data if isinstance(data, Dataset) else load_dataset(data)
    if as_of:
        _, msg = parse_date(as_of)
        if msg:
            raise ForecastError(f"--as-of: {msg}")
        ds = ds.as_of(as_of)
    if ds.results.empty:
        raise ForecastError("no results to fit (check --as-of)")
    config = config or ModelConfig()
    sampler_config = sampler_config or SamplerConfig()
    t0 = time.perf_counter()
    idata = fit_model(
        ds,
        config,
        sampler_config=sampler_config,
        seed=seed,
        draws=draws,
        tune=tune,
        chains=chains,
        sampler=sampler,
        progressbar=progressbar,
    )
    wall = time.perf_counter() - t0
    idata.attrs.update(
        {
            "data_hash": ds.data_hash,
            "as_of": as_of or "",
            "data_dir": str(ds.directory or ""),
            "newest_result": "" if ds.results.empty else ds.results["reported_date"].max().date().isoformat(),
            "fit_format": FIT_FORMAT,
            "fit_id": fit_id(config, sampler_config, ds.data_hash, as_of or "", seed),
            "draws": draws,
            "tune": tune,
            "chains": int(idata["posterior"].sizes["chain"]),  # extension rounds add chains
        }
    )
    diag = fit_diagnostics(idata)  # recorded in its attrs by fit_model
    passed = diagnostics_pass(diag)
    out = Path(out)
    target = out if (passed or allow_failure) else out.with_suffix(".failed.nc")
    save_fit(idata, target)
    timing = {
        k: float(idata.attrs[k])
        for k in (
            "compile_seconds",
            "sampling_seconds",
            "pilot_seconds",
            "extension_rounds",
            "extension_seconds",
            "check_seconds",
            "deterministics_seconds",
            "retry_target_accept",
            "retry_seconds",
        )
        if k in idata.attrs
    }
    timing["wall_seconds"] = wall
    return FitRun(idata, target, diag, key_quantities(idata), timing, passed)
