"""From a fitted posterior to what users read: thresholds as benchmark proxies, the simulated
frontier, P(threshold crossed by date), the frontier's quantiles, scenarios, updates with new
results, and the attribution of capability gains. Numpy and xarray only, except an update's refit.
"""
