"""Regenerate tests/golden/: a small simulated dataset, its fit (fit format 1) and thresholds.

The golden fit must keep loading in later releases (tests/test_forecast.py); regenerate it only
when the fit format changes, and keep the old file under a new name.
Usage: .venv/bin/python scripts/make_golden.py
"""

from pathlib import Path

import pandas as pd

from forecast.inference import run_fit
from forecast.model.simulate import simulate_dataset

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"


def main() -> None:
    ds, _ = simulate_dataset(11, n_models=40, n_benchmarks=5, end="2026-06-30")
    data = GOLDEN / "data"
    data.mkdir(parents=True, exist_ok=True)
    # the last five models are held back as "new results" for update tests
    ds.models = ds.models.sort_values("release_date").reset_index(drop=True)
    held = set(ds.models["model"].tail(5))
    models, results = ds.models[~ds.models["model"].isin(held)], ds.results[~ds.results["model"].isin(held)]

    def write(frame: pd.DataFrame, path: Path) -> None:
        f = frame.copy()
        for c in f.columns:
            if pd.api.types.is_datetime64_any_dtype(f[c]):
                f[c] = f[c].dt.strftime("%Y-%m-%d")
        f.to_csv(path, index=False)

    write(models, data / "models.csv")
    write(ds.benchmarks, data / "benchmarks.csv")
    write(results, data / "results.csv")
    write(ds.models[ds.models["model"].isin(held)], GOLDEN / "new_models.csv")
    write(ds.results[ds.results["model"].isin(held)], GOLDEN / "new_results.csv")
    run = run_fit(
        data, seed=3, draws=150, tune=300, chains=2, out=GOLDEN / "fit_v1.nc", progressbar=False, allow_failure=True
    )
    print(run.path, run.diagnostics)


if __name__ == "__main__":
    main()
