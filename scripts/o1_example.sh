#!/usr/bin/env bash
# The o1 worked example (docs/o1_example.md): forecast as of 2024-09-11, then update with the
# results OpenAI announced on 2024-09-12. Writes every command's output under OUT (default out/o1).
set -euo pipefail
cd "$(dirname "$0")/.."
F=.venv/bin/forecast
OUT=${1:-out/o1}
rm -rf "$OUT"; mkdir -p "$OUT"
export FORECAST_LEDGER="$OUT/ledger.sqlite"  # the example's forecasts stay out of the main ledger
$F data snapshot --as-of 2024-09-11 --out "$OUT/data"
$F fit --data "$OUT/data" --seed 1 --out "$OUT/fit_2024-09-11.nc" --allow-diagnostics-failure | tee "$OUT/fit.txt"
BY="--by 2024-12-31 --by 2025-06-30 --by 2025-12-31 --by 2026-12-31 --thresholds docs/examples/o1_thresholds.toml"
$F predict --fit "$OUT/fit_2024-09-11.nc" $BY --seed 1 | tee "$OUT/predict_before.txt"
$F update docs/examples/o1_results.csv --models docs/examples/o1_models.csv --data "$OUT/data" \
  --fit "$OUT/fit_2024-09-11.nc" --out "$OUT/fit_o1.nc" $BY --seed 1 | tee "$OUT/update.txt"
$F update docs/examples/o1_results.csv --models docs/examples/o1_models.csv --data "$OUT/data" \
  --fit "$OUT/fit_o1.nc" --seed 1 2>&1 | tail -1 || true   # a second update finds nothing new
$F predict --fit "$OUT/fit_o1.nc" $BY --seed 1 | tee "$OUT/predict_after.txt"
