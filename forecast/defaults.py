"""Sampler settings shared by the commands, the library functions and the benchmarks (kept free
of heavy imports so that the CLI can show them in its help). Measured in docs/methodology.md,
section 3."""

#: Draws and tuning steps per chain of a fit (`forecast fit`, an update's refit), after the pilot
#: run that preconditions the sampler (``ModelConfig.pilot_*``).
FIT_DRAWS = 500
FIT_TUNE = 100
FIT_CHAINS = 4

#: Each backtest fit (`forecast backtest`, `forecast recalibrate`): 2 longer chains, no extension
#: round (see ``forecast.backtest.BACKTEST_EXTEND_ROUNDS``).
BACKTEST_DRAWS = 800
BACKTEST_TUNE = 100
BACKTEST_CHAINS = 2
