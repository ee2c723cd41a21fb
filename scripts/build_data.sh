#!/usr/bin/env bash
# Rebuild the bundled dataset in data/ from its sources, through the project's own commands:
#   1. hand-curated rows (data/manual/*.csv, each with its source_url) win over imports;
#   2. Epoch AI Benchmarking Hub export, METR time horizons, Epoch compute estimates (Notable AI
#      Models, then the ECI export for newer models), read from ../shared/reference/ (not copied).
# Usage: scripts/build_data.sh [REFERENCE_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${1:-../shared/reference}
F=.venv/bin/forecast
tmp=$(mktemp -d)
cp data/benchmarks.csv "$tmp/"
$F data add data/manual/results.csv --models data/manual/models.csv --data "$tmp"
$F data import epoch-hub "$REF/epoch-research+benchmark-stitching/data" --data "$tmp"
$F data import metr "$REF/metr-time-horizons/benchmark_results_1_0.yaml" --data "$tmp"
$F data import epoch-models "$REF/epoch-notable-models/notable_ai_models_24_02_2025.csv" --data "$tmp"
$F data import epoch-models "$REF/epoch-eci/epoch_capabilities_index.csv" --data "$tmp"
$F data validate --data "$tmp" > /dev/null
cp "$tmp"/models.csv "$tmp"/results.csv data/
rm -rf "$tmp"
$F data validate | head -3
