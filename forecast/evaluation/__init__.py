"""Evaluation: scores (CRPS, PIT, coverage, reliability), rolling-origin backtests against the
peer methods of ``baselines``, quarterly recalibration over many origins, and the forecast ledger
that scores every issued forecast once the data settle it."""
