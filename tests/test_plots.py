"""Figures are checked by what they draw: lines at the posterior quantiles, a narrower band for a
narrower interval, threshold lines at the configured values, markers at the reported numbers.
Most inputs come from the golden fit through the same functions the memo uses; no sampling."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from forecast import data as D
from forecast.forecasting.attribution import attribute_gain
from forecast.forecasting.frontier import frontier_quantiles
from forecast.forecasting.predict import predict_from_idata
from forecast.forecasting.thresholds import load_thresholds
from forecast.inference import load_fit
from forecast.model import key_quantities
from forecast.reports import plots as P

matplotlib.use("Agg")
GOLDEN = Path(__file__).resolve().parent / "golden"
THRESHOLDS = GOLDEN / "thresholds.toml"
BY = ["2026-03-31", "2026-12-31", "2027-06-30", "2028-12-31"]


@pytest.fixture(scope="module")
def golden():
    return load_fit(GOLDEN / "fit_v1.nc", ds=D.load_dataset(GOLDEN / "data"))


@pytest.fixture(scope="module")
def predicted(golden):
    return predict_from_idata(golden, by=BY, thresholds_path=THRESHOLDS, seed=1)


def by_gid(ax, gid):
    found = [a for a in [*ax.lines, *ax.collections, *ax.patches, *ax.texts] if a.get_gid() == gid]
    assert found, f"nothing drawn with gid {gid!r}"
    return found[0]


def band_edges(coll) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) y of a fill_between band at each of its x values, in x order."""
    v = coll.get_paths()[0].vertices
    xs = np.unique(v[:, 0])
    return (np.array([v[v[:, 0] == x, 1].min() for x in xs]), np.array([v[v[:, 0] == x, 1].max() for x in xs]))


# ------------------------------------------------------------------------------------------------
# the frontier fan


def test_fan_median_and_bands_are_the_posterior_quantiles(golden, predicted):
    fq = pd.DataFrame(predicted["frontier"])
    direct = frontier_quantiles(golden, ["bench-00"], [pd.Timestamp(d) for d in BY], seed=1)
    fig = P.plot_frontier_fan(fq, "bench-00", unit="fraction", thresholds=[("90%", 0.9)])
    ax = fig.axes[0]
    g = fq[fq["benchmark"] == "bench-00"].sort_values("date")
    assert np.allclose(by_gid(ax, "median").get_ydata(), g["q0.5"])
    assert np.allclose(by_gid(ax, "median").get_ydata(), direct["q0.5"])  # predict's numbers are the quantiles
    lo90, hi90 = band_edges(by_gid(ax, "band:0.05-0.95"))
    lo80, hi80 = band_edges(by_gid(ax, "band:0.1-0.9"))
    assert np.allclose(lo90, g["q0.05"]) and np.allclose(hi90, g["q0.95"])
    assert np.allclose(lo80, g["q0.1"]) and np.allclose(hi80, g["q0.9"])
    assert np.all(hi80 - lo80 <= hi90 - lo90 + 1e-12) and np.any(hi80 - lo80 < hi90 - lo90)
    labels = [c.get_label() for c in ax.collections]
    assert "90% predictive interval" in labels and "80% predictive interval" in labels


def test_fan_narrower_interval_draws_a_narrower_band():
    dates = pd.date_range("2026-01-31", periods=6, freq="ME").strftime("%Y-%m-%d")
    med = np.linspace(0.4, 0.7, 6)
    fq = pd.DataFrame(
        {
            "benchmark": "b",
            "date": dates,
            "q0.25": med - 0.05,
            "q0.75": med + 0.05,
            "q0.05": med - 0.2,
            "q0.95": med + 0.2,
            "q0.5": med,
        }
    )
    ax = P.plot_frontier_fan(fq, "b").axes[0]
    w50 = np.subtract(*band_edges(by_gid(ax, "band:0.25-0.75"))[::-1])
    w90 = np.subtract(*band_edges(by_gid(ax, "band:0.05-0.95"))[::-1])
    assert np.allclose(w50, 0.1) and np.allclose(w90, 0.4)
    assert {c.get_label() for c in ax.collections} >= {"50% predictive interval", "90% predictive interval"}


def test_fan_threshold_lines_at_the_configured_values(golden, predicted):
    ths = load_thresholds(THRESHOLDS)
    values = sorted({c.value for t in ths for c in t.criteria if c.benchmark == "bench-04"})
    assert values == [480.0, 2400.0]
    fq = pd.DataFrame(predicted["frontier"])
    obs = pd.DataFrame({"date": ["2024-01-01", "2024-06-01", "2025-01-01"], "score": [3.0, 2.0, 20.0]})
    ax = P.plot_frontier_fan(
        fq, "bench-04", unit="minutes", observed=obs, thresholds=[(f">= {v:g}", v) for v in values]
    ).axes[0]
    for v in values:
        line = by_gid(ax, f"threshold:>= {v:g}")
        assert np.allclose(line.get_ydata(), [v, v])
    assert ax.get_yscale() == "log"  # minutes on a log axis
    lo, hi = ax.get_ylim()
    assert lo <= 2.0 and hi >= 2400.0
    # the observed frontier is the running best of the observed scores
    assert np.allclose(by_gid(ax, "observed_frontier").get_ydata(), [3.0, 3.0, 20.0])
    assert np.allclose(by_gid(ax, "observed").get_ydata(), [3.0, 2.0, 20.0])


def test_fraction_axis_is_in_percent():
    fq = pd.DataFrame(
        {
            "benchmark": "b",
            "date": ["2026-01-31", "2026-02-28"],
            "q0.05": [0.1, 0.2],
            "q0.5": [0.3, 0.4],
            "q0.95": [0.5, 0.6],
        }
    )
    ax = P.plot_frontier_fan(fq, "b", unit="fraction").axes[0]
    assert ax.yaxis.get_major_formatter()(0.5, 0) == "50%"
    assert P.format_score(0.734, "fraction") == "73.4%"
    assert P.format_score(1673, "elo") == "1673 Elo"
    assert P.format_score(480, "minutes") == "8 h"


def test_plots_use_the_given_axes_and_open_no_pyplot_figure(predicted):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    before = plt.get_fignums()
    fig = Figure()
    ax = fig.add_subplot()
    out = P.plot_frontier_fan(pd.DataFrame(predicted["frontier"]), "bench-00", ax=ax)
    assert out is fig
    out = P.plot_crossing_cdf(predicted["thresholds"], ax=fig.add_subplot(2, 1, 2))
    assert out is fig
    assert plt.get_fignums() == before


# ------------------------------------------------------------------------------------------------
# crossing-date distributions


def test_crossing_cdf_draws_predicts_probabilities_and_medians(predicted):
    fig = P.plot_crossing_cdf(predicted["thresholds"], as_of=predicted["as_of"], interval=0.8)
    ax = fig.axes[0]
    for t in predicted["thresholds"]:
        # thresholds with identical curves share one line, whose gid lists them all
        line = [ln for ln in ax.lines if t["id"] in (ln.get_gid() or "").removeprefix("cdf:").split("|")]
        assert len(line) == 1, t["id"]
        line = line[0]
        assert np.allclose(line.get_ydata(), [t["prob_already"], *t["prob_by"].values()])
        x = pd.to_datetime(line.get_xdata())
        assert x[0] == pd.Timestamp(predicted["as_of"])
        assert [d.date().isoformat() for d in x[1:]] == list(t["prob_by"])
        if t["median_crossing"] and t["median_crossing"] > predicted["as_of"]:
            m = by_gid(ax, f"median:{t['id']}")
            assert m.get_ydata()[0] == 0.5
            assert pd.Timestamp(m.get_xdata()[0]).date().isoformat() == t["median_crossing"]
    # the 80% interval's quantiles are drawn and labelled with the width
    assert {round(by_gid(ax, f"quantile:{q:g}").get_ydata()[0], 6) for q in (0.1, 0.5, 0.9)} == {0.1, 0.5, 0.9}
    assert any("80% interval" in t.get_text() for t in ax.texts)


def test_crossing_cdf_shares_a_line_between_identical_thresholds(predicted):
    t = dict(predicted["thresholds"][0])
    twin = {**t, "id": "twin"}
    ax = P.plot_crossing_cdf([t, twin]).axes[0]
    cdfs = [ln for ln in ax.lines if (ln.get_gid() or "").startswith("cdf:")]
    assert len(cdfs) == 1 and cdfs[0].get_label() == f"{t['id']} = twin"


# ------------------------------------------------------------------------------------------------
# surface, attribution, update, calibration, key quantities


def test_compute_surface_draws_contours_of_the_grid_and_places_points():
    x = np.linspace(22, 27, 11)
    y = np.linspace(0, 3, 7)
    z = 1 / (1 + np.exp(-((x[None, :] - 24.5) + 0.5 * y[:, None])))
    pts = pd.DataFrame(
        {"x": [23.0, 25.0], "y": [0.0, 2.0], "score": [0.2, 0.9], "label": ["a", "b"], "compute_known": [True, False]}
    )
    fig = P.plot_compute_surface(x, y, z, points=pts, benchmark="aime")
    ax = fig.axes[0]
    cs = by_gid(ax, "contours")
    assert list(cs.levels) == [
        v for v in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99) if z.min() < v < z.max()
    ]
    known = by_gid(ax, "points:known")
    est = by_gid(ax, "points:estimated")
    assert np.allclose(known.get_offsets(), [[23.0, 0.0]]) and np.allclose(est.get_offsets(), [[25.0, 2.0]])
    assert np.allclose(known.get_array(), [0.2]) and np.allclose(est.get_array(), [0.9])
    assert ax.get_xlim() == (22.0, 27.0)


def test_attribution_bars_and_intervals_are_the_table(golden):
    table = attribute_gain(golden, "2024-09-11")
    ax = P.plot_attribution(table).axes[0]
    for c in table.index:
        bar = by_gid(ax, f"bar:{c}")
        assert np.isclose(bar.get_width(), table.loc[c, "mean"])
    assert "90% interval" in ax.get_xlabel()


def test_update_shift_marks_before_and_after_where_it_moved_most():
    shift = [
        {"threshold": "a", "by": "2025-12-31", "before": 0.2, "after": 0.3},
        {"threshold": "a", "by": "2026-12-31", "before": 0.4, "after": 0.9},
        {"threshold": "b", "by": "2025-12-31", "before": 0.7, "after": 0.5},
        {"threshold": "b", "by": "2026-12-31", "before": 0.9, "after": 0.85},
    ]
    ax = P.plot_update_shift(shift).axes[0]
    assert by_gid(ax, "before:a").get_xdata()[0] == 0.4 and by_gid(ax, "after:a").get_xdata()[0] == 0.9
    assert by_gid(ax, "before:b").get_xdata()[0] == 0.7 and by_gid(ax, "after:b").get_xdata()[0] == 0.5
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a\nby 2026-12-31", "b\nby 2025-12-31"]


def test_calibration_coverage_and_binomial_range():
    cov = [
        {"nominal": 0.5, "observed": 0.47, "n": 120},
        {"nominal": 0.8, "observed": 0.7, "n": 120},
        {"nominal": 0.95, "observed": 0.9, "n": 120, "bounds95": [0.9, 0.99]},
    ]
    ax = P.plot_calibration(cov).axes[0]
    obs = by_gid(ax, "observed")
    assert np.allclose(obs.get_xdata(), [0.5, 0.8, 0.95]) and np.allclose(obs.get_ydata(), [0.47, 0.7, 0.9])
    lo, hi = P.binomial_band(0.5, 120)
    assert lo < 0.5 < hi and hi - lo < 0.2
    assert np.allclose(by_gid(ax, "band:0.5").get_ydata(), [lo, hi])
    assert np.allclose(by_gid(ax, "band:0.95").get_ydata(), [0.9, 0.99])  # the report's own bounds
    # more results, a narrower range
    lo2, hi2 = P.binomial_band(0.5, 1200)
    assert hi2 - lo2 < hi - lo


def test_pit_histogram_counts():
    pit = np.r_[np.full(30, 0.05), np.full(10, 0.55)]
    ax = P.plot_pit(pit, bins=10).axes[0]
    heights = [p.get_height() for p in ax.patches if p.get_width() == pytest.approx(0.1)]
    assert heights[0] == 30 and heights[5] == 10 and sum(heights) == 40


def test_calibration_figure_has_coverage_and_pit():
    rep = {"coverage": [{"nominal": 0.8, "observed": 0.75, "n": 50}], "pit": [0.1, 0.5, 0.9]}
    fig = P.calibration_figure(rep)
    assert len(fig.axes) == 2


def test_key_quantities_narrow_interval_inside_wide(golden):
    wide = key_quantities(golden, 0.9)
    narrow = key_quantities(golden, 0.5)
    rows = wide.index[:5]
    ax = P.plot_key_quantities(wide.loc[rows], narrow.loc[rows]).axes[0]
    w = by_gid(ax, "wide").get_segments()
    n = by_gid(ax, "narrow").get_segments()
    for k, r in enumerate(rows):
        assert np.allclose([w[k][0][0], w[k][1][0]], wide.loc[r, ["lower", "upper"]])
        assert np.allclose([n[k][0][0], n[k][1][0]], narrow.loc[r, ["lower", "upper"]])
        assert n[k][1][0] - n[k][0][0] < w[k][1][0] - w[k][0][0]
    labels = {t.get_label() for t in ax.collections}
    assert {"90% interval", "50% interval"} <= labels
