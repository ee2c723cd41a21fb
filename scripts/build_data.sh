#!/usr/bin/env bash
# Rebuild the bundled dataset in data/ from its sources, through the project's own commands:
#   1. hand-curated rows (data/manual/*.csv, each with its source_url) win over imports;
#   2. Epoch AI's official Benchmarking Hub download (July 2026), only on the benchmarks of the
#      curated registry data/benchmarks.csv; then the older Benchmarking Hub export (2025 runs that
#      the official download no longer carries, such as Epoch's first SWE-bench Verified scaffold);
#   3. METR's time horizons (Time Horizon 1.0, then 1.1);
#   4. training compute: Epoch's AI Models download (with lower and upper bounds), then the older
#      Notable Models and ECI exports for what it lacks.
# The public downloads are read from REFERENCE_DIR (they are not copied into the repository).
# Usage: scripts/build_data.sh REFERENCE_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${1:?usage: scripts/build_data.sh REFERENCE_DIR (the folder of the public downloads)}
F=.venv/bin/forecast
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp data/benchmarks.csv "$tmp/"
$F data add data/manual/results.csv --models data/manual/models.csv --data "$tmp"
$F data add data/manual/results_2026.csv --models data/manual/models_2026.csv --data "$tmp"
$F data import epoch-hub "$REF/epoch-hub-2026-07/epoch_benchmark_data_2026-07-31.zip" --benchmarks known --data "$tmp"
$F data import epoch-hub "$REF/epoch-research+benchmark-stitching/data" --data "$tmp"
$F data import metr "$REF/metr-time-horizons/benchmark_results_1_0.yaml" --data "$tmp"
$F data import metr "$REF/metr-time-horizons/benchmark_results_1_1_2026-07-31.yaml" --data "$tmp"
$F data import epoch-models "$REF/epoch-hub-2026-07/input_epoch_ai_models_archive_2026-07-17.zip" --data "$tmp"
$F data import epoch-models "$REF/epoch-notable-models/notable_ai_models_24_02_2025.csv" --data "$tmp"
$F data import epoch-models "$REF/epoch-eci/epoch_capabilities_index.csv" --data "$tmp"
# results reported after the downloads (cards of August-October 2026), some on imported models
$F data add data/manual/results_2026h2.csv --models data/manual/models_2026h2.csv --data "$tmp"
$F data validate --data "$tmp" > /dev/null
cp "$tmp"/models.csv "$tmp"/results.csv data/
$F data validate | head -3
