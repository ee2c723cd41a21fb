"""Capability-threshold forecasting: Bayesian fits of benchmark scores against training compute,
test-time compute and date, turned into probabilities of crossing safety thresholds."""

__version__ = "0.3.0"

#: One interval convention for the whole package: equal-tailed intervals of this probability.
CI_PROB = 0.9
CI_KIND = "eti"
