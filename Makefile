# The two quick-start commands: `make run` (main job on the bundled data) and `make test`.
PY := .venv/bin/python
FORECAST := .venv/bin/forecast
OUT ?= out

.PHONY: run test test-integration test-slow lint docs setup bench bench-update bench-recalibrate golden
setup:
	@bash scripts/bootstrap.sh

run: setup
	$(FORECAST) data validate
	$(FORECAST) fit --seed 1 --out $(OUT)/fit.nc
	$(FORECAST) attribution --fit $(OUT)/fit.nc
	$(FORECAST) predict --fit $(OUT)/fit.nc --seed 1 --ledger $(OUT)/ledger.sqlite | tee $(OUT)/forecast.txt
	$(FORECAST) recalibrate --quarterly-from 2024-Q1 --workers 2 --ledger $(OUT)/ledger.sqlite --out $(OUT)/recalibration.json
	$(FORECAST) memo --fit $(OUT)/fit.nc --seed 1 --out $(OUT)/memo --format html,md,pdf

# the default tier: mocked sampling, nothing compiled
test: setup
	$(PY) -m pytest -q

# real sampling of small models (nutpie compiles)
test-integration: setup
	$(PY) -m pytest -q -m integration

# parameter recovery and calibration on simulated data with known truth
test-slow: setup
	$(PY) -m pytest -q -m slow

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

# docs/cli.md, generated from the commands (tests/test_cli.py checks it is current)
docs: setup
	$(PY) -m typer forecast.cli utils docs --name forecast --output docs/cli.md

bench: setup
	$(PY) benchmarks/bench_fit.py

bench-update: setup
	$(PY) benchmarks/bench_update.py

bench-recalibrate: setup
	$(PY) benchmarks/bench_recalibrate.py

golden: setup
	$(PY) scripts/make_golden.py
