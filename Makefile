# The two quick-start commands: `make run` (main job on the bundled data) and `make test`.
PY := .venv/bin/python
FORECAST := .venv/bin/forecast
OUT ?= out

.PHONY: run test test-slow setup bench bench-recalibrate golden
setup:
	@bash scripts/bootstrap.sh

run: setup
	$(FORECAST) data validate
	$(FORECAST) fit --seed 1 --out $(OUT)/fit.nc
	$(FORECAST) attribution --fit $(OUT)/fit.nc
	$(FORECAST) predict --fit $(OUT)/fit.nc --seed 1 --ledger $(OUT)/ledger.sqlite | tee $(OUT)/forecast.txt
	$(FORECAST) recalibrate --quarterly-from 2024-Q1 --workers 2 --ledger $(OUT)/ledger.sqlite --out $(OUT)/recalibration.json
	$(FORECAST) memo --fit $(OUT)/fit.nc --seed 1 --out $(OUT)/memo --format html,md,pdf

test: setup
	$(PY) -m pytest -q

test-slow: setup
	$(PY) -m pytest -q -m slow

bench: setup
	$(PY) benchmarks/bench_fit.py

bench-recalibrate: setup
	$(PY) benchmarks/bench_recalibrate.py

golden: setup
	$(PY) scripts/make_golden.py
