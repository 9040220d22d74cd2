"""Plots: which figures exist, what they show (titles, labels, lines at the right places),
that they save headless, and that a real run plots end to end."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

import sim
from sim.plots import figures_for, plot_distribution, plot_levels, plot_rates
from sim.plots.distributions import duration_unit
from sim.plots.style import BAND_GID, new_axes
from sim.plots.support import plot_support_queue
from sim.plots.timeseries import TimeAxis, bin_edges, spread
from sim.results import Results, RunFacts
from sim.units import DAY, HOUR, MINUTE, SECOND

SUPPORT_STEMS = {"support_throughput", "support_wait_distribution", "support_queue"}
REPS, BINS, WIDTH, WARMUP = 3, 48, HOUR, 2 * HOUR
P50, P90, P99 = (0.0, 0.0, 0.0), (1.2, 1.4, 1.3), (3.0, 3.3, 3.6)  # minutes, per replication
WAITED, ABANDONED = (0.5, 0.55, 0.6), (0.2, 0.25, 0.3)  # shares of arrivals, per replication


def make_results(reps: int = REPS, support: bool = True) -> Results:
    """48 hourly bins over 2 days, warm-up 2 h; counts kept only after warm-up (as the flow)."""
    rng = np.random.default_rng(7)
    observed = np.arange(BINS) * WIDTH >= WARMUP
    series: dict[str, np.ndarray] = {}
    samples: dict[str, np.ndarray] = {}
    metrics: dict[str, np.ndarray] = {"other.metric": np.ones(reps)}
    if support:
        counts = np.where(observed, 1.0, 0.0) * np.ones((reps, BINS))
        busy = rng.uniform(1.0, 2.5, (reps, BINS))
        on_shift = np.full((reps, BINS), 3.0)
        series = {
            "support.arrivals": 10.0 * counts,  # 10 per hour = 240 per day
            "support.handled": 9.0 * counts,
            "support.abandoned": 1.0 * counts,
            "support.queue_length": rng.uniform(0.0, 2.0, (reps, BINS)),
            "support.busy": busy,
            "support.on_shift": on_shift,
            "support.utilisation": busy / on_shift,
        }
        waits = np.concatenate([np.zeros(500), rng.exponential(1.0, 500)])  # half at once
        samples = {"support.wait": np.sort(waits),
                   "support.abandon_wait": np.sort(rng.exponential(2.0, 300))}
        metrics.update({
            "support.wait.p50": np.array(P50[:reps]),
            "support.wait.p90": np.array(P90[:reps]),
            "support.wait.p99": np.array(P99[:reps]),
            "support.waited_share": np.array(WAITED[:reps]),
            "support.abandoned_share": np.array(ABANDONED[:reps]),
        })
    return Results("synthetic", 1, {}, metrics, series, samples, WIDTH, WARMUP,
                   facts=RunFacts(horizon=2 * DAY, warmup=WARMUP))


@pytest.fixture(scope="module")
def figures() -> dict[str, Figure]:
    return figures_for(make_results())


def bands(ax) -> list[PolyCollection]:
    return [c for c in ax.collections if (c.get_gid() or "").startswith(BAND_GID)]


def legend_texts(ax_or_fig) -> list[str]:
    legends = [ax_or_fig.get_legend()] if hasattr(ax_or_fig, "get_legend") else \
        list(ax_or_fig.legends)
    return [t.get_text() for legend in legends if legend for t in legend.get_texts()]


# --- which figures ----------------------------------------------------------------------------

def test_support_results_give_the_three_support_figures(figures) -> None:
    assert set(figures) == SUPPORT_STEMS
    assert all(isinstance(f, Figure) for f in figures.values())


def test_results_without_support_series_give_no_support_figures() -> None:
    assert figures_for(make_results(support=False)) == {}


def test_results_plots_is_figures_for() -> None:
    assert set(make_results().plots()) == SUPPORT_STEMS


def test_every_figure_is_titled_and_labelled(figures) -> None:
    for stem, figure in figures.items():
        axes = [ax for ax in figure.axes if ax.get_visible()]
        assert axes[0].get_title(loc="left"), stem
        assert axes[-1].get_xlabel(), stem
        for ax in axes:
            assert ax.get_ylabel(), (stem, ax)


# --- throughput -----------------------------------------------------------------------------

def test_throughput_draws_per_day_rates_with_bands_and_warmup(figures) -> None:
    ax = figures["support_throughput"].axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"arrived", "handled", "abandoned"}
    arrived = lines["arrived"].get_ydata()
    observed = np.arange(BINS) * WIDTH >= WARMUP
    assert np.allclose(arrived[observed], 240.0)  # 10 an hour, shown per day
    assert np.isnan(arrived[~observed]).all()  # warm-up bins are not counted, not zero
    x = lines["arrived"].get_xdata()
    assert x[0] == pytest.approx(0.5 * HOUR / DAY) and x[-1] == pytest.approx(47.5 / 24)
    assert len(bands(ax)) == 3
    assert len(ax.patches) == 1  # the warm-up span
    assert ax.patches[0].get_x() == 0 and ax.patches[0].get_width() == pytest.approx(2 / 24)
    assert ax.get_xlabel() == "time since start (days)"
    assert "per day" in ax.get_ylabel()
    texts = legend_texts(ax)
    assert {"arrived", "handled", "abandoned", "warm-up (not counted)"} <= set(texts)
    assert "10th-90th pct. of 3 reps" in texts


def test_one_replication_has_no_band() -> None:
    figure = figures_for(make_results(reps=1))["support_throughput"]
    ax = figure.axes[0]
    assert bands(ax) == []
    assert not any("pct." in t for t in legend_texts(ax))
    assert "1 replication" in ax.get_title(loc="left")


# --- wait distribution ----------------------------------------------------------------------

def test_wait_distribution_marks_mean_percentiles_in_seconds(figures) -> None:
    ax = figures["support_wait_distribution"].axes[0]
    assert ax.get_xlabel() == "wait (s)"  # p90 about 1.3 min, under 2 min
    marks = {line.get_label().split(" ")[0]: line.get_xdata()[0] for line in ax.get_lines()}
    assert set(marks) == {"p50", "p90", "p99"}
    for key, values in (("p50", P50), ("p90", P90), ("p99", P99)):
        assert marks[key] == pytest.approx(np.mean(values) * 60.0)
    assert ax.get_xlim()[1] >= marks["p99"]


def wait_bars(ax) -> tuple[list, list]:
    """(answered waits: filled bars, abandoners: outlines) of the wait distribution."""
    filled = [p for p in ax.patches if p.get_fill()]
    outlined = [p for p in ax.patches if not p.get_fill()]
    return filled, outlined


def test_wait_distribution_shows_the_abandoners_and_shares_of_all_arrivals(figures) -> None:
    ax = figures["support_wait_distribution"].axes[0]
    filled, (outline,) = wait_bars(ax)
    assert len(filled) == 40  # bars of the waits above zero
    waited, abandoned = np.mean(WAITED), np.mean(ABANDONED)
    # every bar is % of all arrivals: the answered-after-a-wait bars add up to that share
    assert sum(p.get_height() for p in filled) == pytest.approx(100 * (waited - abandoned),
                                                                abs=0.5)
    assert outline.get_label() == "gave up (time to abandon)"
    assert "gave up (time to abandon)" in legend_texts(ax)
    heights = outline.get_xy()[:, 1]  # a step outline: each bin's height twice
    assert heights[1:-1:2].sum() == pytest.approx(100 * abandoned, abs=0.5)  # 300 of 300 shown
    assert ax.get_ylabel() == "share of all arrivals (%)"
    notes = " ".join(t.get_text() for t in ax.texts)
    assert "of all arrivals after warm-up" in notes
    assert f"answered at once: {1 - waited:.1%}" in notes
    assert f"waited, did not give up: {waited - abandoned:.1%}" in notes
    assert f"gave up: {abandoned:.1%}" in notes
    assert "percentiles: waits of answered inquiries" in notes


def test_wait_distribution_without_the_shares_says_its_bars_are_of_answered() -> None:
    results = make_results()
    del results.metrics["support.waited_share"], results.metrics["support.abandoned_share"]
    ax = figures_for(results)["support_wait_distribution"].axes[0]
    filled, outlined = wait_bars(ax)
    assert sum(p.get_height() for p in filled) == pytest.approx(50.0, abs=0.5)  # of answered
    assert outlined == []
    assert ax.get_ylabel() == "share of answered inquiries (%)"
    assert "answered at once (of those answered): 50.0%" in " ".join(t.get_text()
                                                                      for t in ax.texts)


@pytest.mark.parametrize(("minutes", "unit"), [
    (0.0, "s"), (1.99, "s"), (2.0, "min"), (90.0, "min"), (2 * HOUR, "h"), (30 * HOUR, "h"),
    (3 * DAY, "d"), (float("nan"), "s"),
])
def test_duration_unit_is_readable(minutes: float, unit: str) -> None:
    assert duration_unit(minutes)[0] == unit


def test_distribution_of_long_durations_uses_hours_and_other_names() -> None:
    lead_times = np.random.default_rng(3).gamma(4.0, 6 * HOUR, 2000)  # about a day
    percentiles = dict(zip(("p50", "p90", "p99"), np.percentile(lead_times, (50, 90, 99)),
                           strict=True))
    ax = plot_distribution(lead_times, percentiles, title="Order lead time",
                           quantity="lead time", bins=30)
    assert ax.get_xlabel() == "lead time (h)"
    assert len(ax.patches) == 30
    assert [line.get_xdata()[0] for line in ax.get_lines()] == pytest.approx(
        [v / HOUR for v in percentiles.values()])
    assert not any("at once" in t.get_text() for t in ax.texts)


def test_distribution_without_values_says_so() -> None:
    ax = plot_distribution(np.empty(0), {"p50": float("nan")}, title="empty")
    assert any(t.get_text() == "no values" for t in ax.texts)
    assert ax.get_lines() == []


# --- queue and utilisation ------------------------------------------------------------------

UTILISATION_LABEL = "utilisation = busy / (on shift + overtime)"  # the definition, in the legend

def test_queue_figure_has_queue_utilisation_and_staffing_panels(figures) -> None:
    figure = figures["support_queue"]
    queue, utilisation, staffing = figure.axes
    assert [line.get_label() for line in queue.get_lines()] == ["inquiries waiting"]
    assert [line.get_label() for line in utilisation.get_lines()] == [UTILISATION_LABEL]
    assert [line.get_label() for line in staffing.get_lines()] == ["members on shift"]
    assert utilisation.get_ylabel() == "utilisation (%)"
    busy = make_results().series["support.busy"]
    assert np.allclose(utilisation.get_lines()[0].get_ydata(), busy.mean(axis=0) / 3 * 100)
    assert staffing.get_lines()[0].get_linewidth() < queue.get_lines()[0].get_linewidth()
    assert len(bands(queue)) == 1 and len(bands(utilisation)) == 1 and bands(staffing) == []
    assert queue.get_xlabel() == "" and staffing.get_xlabel() == "time since start (days)"
    texts = legend_texts(figure)
    assert {"inquiries waiting", UTILISATION_LABEL, "members on shift",
            "warm-up (not counted)"} <= set(texts)
    assert texts.count("warm-up (not counted)") == 1


def test_queue_figure_marks_an_overloaded_flow_read_from_the_warnings() -> None:
    results = make_results()
    assert "OVERLOADED" not in plot_support_queue(results)[0].get_title(loc="left")
    results.warnings = ["support (team 'support') is overloaded: offered load 1.10 x capacity"]
    queue = plot_support_queue(results)[0]
    assert queue.get_title(loc="left").endswith(": OVERLOADED")
    assert any("overloaded" in t.get_text() for t in queue.texts)


# --- the families, reused -------------------------------------------------------------------

def test_rates_and_levels_take_any_names_and_an_axes() -> None:
    ax = new_axes()
    placed = np.full((2, 30), 4.0)  # per 4-hour bin
    plot_rates({"orders placed": placed, "orders delivered": placed * 0.5}, 4 * HOUR,
               title="Orders", ylabel="orders per day", ax=ax)
    assert [line.get_ydata()[0] for line in ax.get_lines()] == pytest.approx([24.0, 12.0])
    assert ax.get_xlabel() == "time since start (days)"
    assert {"orders placed", "orders delivered"} <= set(legend_texts(ax))
    levels = plot_levels({"stock A": np.arange(10.0)}, HOUR, title="Stock", ylabel="units")
    assert levels.get_xlabel() == "time since start (hours)"  # a 10-hour horizon
    assert levels.get_legend() is None  # one line, no legend
    assert levels.get_title(loc="left") == "Stock"


def test_partial_last_bin_and_missing_values_plot_silently() -> None:
    counts = np.ones((3, 5))
    counts[:, -1] = 0.5  # the last bin covers half an hour of a 100-minute horizon
    counts[1, 2] = np.nan
    counts[:, 3] = np.nan  # no replication has this bin
    ax = plot_rates({"n": counts}, 20.0, horizon=90.0, per=HOUR, per_label="hour")
    y = ax.get_lines()[0].get_ydata()
    assert y[0] == pytest.approx(3.0) and y[-1] == pytest.approx(3.0)
    assert np.isnan(y[3])
    assert list(bin_edges(5, 20.0, 90.0)) == [0, 20, 40, 60, 80, 90]
    mean, low, high = spread(counts)
    assert np.isnan(mean[3]) and mean[2] == 1.0


def test_time_axis_is_hours_under_two_days() -> None:
    assert TimeAxis.for_horizon(47 * HOUR).unit == "hours"
    assert TimeAxis.for_horizon(2 * DAY).unit == "days"
    assert duration_unit(45 * SECOND)[1] == SECOND and duration_unit(5 * MINUTE)[1] == MINUTE


# --- files and headless use -----------------------------------------------------------------

def test_figures_save_as_png(figures, tmp_path) -> None:
    for stem, figure in figures.items():
        path = tmp_path / f"{stem}.png"
        figure.savefig(path, dpi=60)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_results_save_writes_the_pngs(tmp_path) -> None:
    folder = make_results().save(tmp_path / "out")
    assert {p.stem for p in folder.glob("*.png")} == SUPPORT_STEMS


PLOT_IN_FRESH_PYTHON = """
import sys
import numpy as np
from sim.plots import figures_for
from sim.results import Results, RunFacts
series = {name: np.ones((2, 24)) for name in ("support.arrivals", "support.handled",
          "support.abandoned", "support.queue_length", "support.busy", "support.on_shift")}
series.update({name: np.ones((2, 24)) for name in ("orders.placed", "orders.delivered",
               "inventory.on_hand.A", "inventory.reorder_mark.A", "inventory.on_hand.total")})
metrics = {"support.wait.p90": np.ones(2), "orders.lead_time.p90": np.ones(2),
           "orders.lead_time.mean": np.full(2, 3.0), "orders.time_split.work": np.full(2, 3.0)}
results = Results("x", 0, {}, metrics, series,
                  {"support.wait": np.linspace(0, 3, 50),
                   "orders.lead_time": np.linspace(0, 3, 50)}, 60.0, 60.0,
                  facts=RunFacts(horizon=1440.0, warmup=60.0, promise=60.0))
assert len(figures_for(results)) == 7
assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
"""


def test_plots_never_import_pyplot() -> None:
    done = subprocess.run([sys.executable, "-c", PLOT_IN_FRESH_PYTHON], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr


# --- end to end -----------------------------------------------------------------------------

TINY = """\
name: tiny-desk
horizon: 2d
warmup: 2h
teams:
  support:
    members: 3
support:
  arrivals: 40/h
  handle_time: exp(3m)
  patience: exp(5m)
"""


def test_a_real_run_plots_end_to_end(tmp_path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    results = sim.run(sim.load_scenario(path), reps=2)
    figures = figures_for(results)
    assert set(figures) == SUPPORT_STEMS
    throughput = figures["support_throughput"].axes[0]
    arrived = next(line for line in throughput.get_lines() if line.get_label() == "arrived")
    assert np.nanmean(arrived.get_ydata()) == pytest.approx(960.0, rel=0.1)  # 40/h
    wait = figures["support_wait_distribution"].axes[0]
    p90 = next(line for line in wait.get_lines() if line.get_label().startswith("p90"))
    assert p90.get_xdata()[0] == pytest.approx(
        results["support.wait.p90"] / duration_unit(results["support.wait.p90"])[1])
    assert len(results.samples["support.abandon_wait"]) > 0  # the flow hands them back
    _, (gave_up,) = wait_bars(wait)
    assert gave_up.get_label() == "gave up (time to abandon)"
    assert f"gave up: {results['support.abandoned_share']:.1%}" in " ".join(
        t.get_text() for t in wait.texts)
    for stem, figure in figures.items():
        figure.savefig(tmp_path / f"{stem}.png", dpi=50)
    assert len(list(tmp_path.glob("*.png"))) == 3


# === commerce: orders, lead time, its split, stock ==========================================

COMMERCE_STEMS = {"orders_throughput", "orders_lead_time", "orders_time_split",
                  "inventory_stock"}
SPLIT = {"stock": (300.0, 360.0, 330.0), "queue": (40.0, 50.0, 45.0), "work": (5.0, 5.0, 5.0),
         "cutoff": (0.0, 0.0, 0.0), "pickup": (200.0, 180.0, 220.0),
         "transit": (1440.0, 1440.0, 1440.0)}  # minutes per order, per replication
LEAD_MEAN = tuple(sum(parts) for parts in zip(*SPLIT.values(), strict=True))
POSITION_ABOVE_STOCK = 40.0  # units on order, in the synthetic stock panels
MARKS = {"A": 20.0, "B": 30.0, "C": 100.0, "D": float("nan")}  # rQ R, sS s, base stock S, none
POLICY_TYPES = {"A": "rQ", "B": "sS", "C": "base_stock", "E": "rQ"}  # D has no policy


def make_commerce_results(reps: int = REPS, bursty: bool = False,
                          promise: float | None = 2 * DAY,
                          extra_stock: float = 7.0, split: dict | None = None) -> Results:
    """Orders over 48 hourly bins (2 days, warm-up 2 h): 10 placed and 9 delivered an hour
    (or deliveries in one burst a day), lead times about 1.4 days, the four busiest of five
    products with their reorder marks, and all products' stock."""
    rng = np.random.default_rng(11)
    observed = (np.arange(BINS) * WIDTH >= WARMUP) * np.ones((reps, BINS))
    delivered = 9.0 * observed
    if bursty:  # everything delivered at 17:00
        delivered = np.where(np.arange(BINS) % 24 == 17, 9.0 * 24, 0.0) * observed
    series: dict[str, np.ndarray] = {"orders.placed": 10.0 * observed,
                                     "orders.delivered": delivered}
    stock = {}
    for index, (sku, mark) in enumerate(MARKS.items()):
        stock[sku] = np.linspace(50.0 + 10 * index, 5.0, BINS) + rng.uniform(0, 2, (reps, BINS))
        series[f"inventory.on_hand.{sku}"] = stock[sku]
        series[f"inventory.reorder_mark.{sku}"] = np.full((reps, BINS), mark)
        series[f"inventory.position.{sku}"] = stock[sku] + POSITION_ABOVE_STOCK
    series["inventory.on_hand.total"] = sum(stock.values()) + extra_stock  # product E
    split = SPLIT if split is None else split
    lead_mean = [sum(parts) for parts in zip(*split.values(), strict=True)]
    metrics = {
        "orders.placed_per_day": np.full(reps, 240.0),
        "orders.delivered_per_day": np.full(reps, 216.0),
        "orders.lead_time.mean": np.array(lead_mean[:reps]),
        "orders.lead_time.p50": np.full(reps, 1.3 * DAY),
        "orders.lead_time.p90": np.full(reps, 1.8 * DAY),
        "orders.lead_time.p99": np.full(reps, 2.2 * DAY),
        "orders.on_time_share": np.full(reps, 0.8),
    }
    metrics.update({f"orders.time_split.{name}": np.array(values[:reps])
                    for name, values in split.items()})
    samples = {"orders.lead_time": np.sort(rng.gamma(8.0, 0.17 * DAY, 2000))}
    facts = RunFacts(horizon=2 * DAY, warmup=WARMUP, promise=promise, policy_types=POLICY_TYPES)
    return Results("shop", 1, {}, metrics, series, samples, WIDTH, WARMUP, facts=facts)


@pytest.fixture(scope="module")
def commerce() -> dict[str, Figure]:
    return figures_for(make_commerce_results())


def dashed(ax) -> list:
    return [line for line in ax.get_lines() if line.get_linestyle() == "--"]


def dotted(ax) -> list:
    return [line for line in ax.get_lines() if line.get_linestyle() == ":"]


def test_commerce_results_give_the_four_commerce_figures(commerce) -> None:
    assert set(commerce) == COMMERCE_STEMS
    assert all(isinstance(f, Figure) for f in commerce.values())
    assert all(f.get_layout_engine() is not None for f in commerce.values())  # constrained


def test_support_and_commerce_together_give_both_families() -> None:
    both = make_commerce_results()
    support = make_results()
    both.series.update(support.series)
    both.samples.update(support.samples)
    both.metrics.update(support.metrics)
    assert set(figures_for(both)) == SUPPORT_STEMS | COMMERCE_STEMS


def test_commerce_figures_are_titled_and_labelled(commerce) -> None:
    for stem, figure in commerce.items():
        axes = figure.axes
        assert axes[0].get_title(loc="left"), stem
        assert axes[-1].get_xlabel(), stem
        if stem != "orders_time_split":  # one bar: its tick says what it is
            assert all(ax.get_ylabel() for ax in axes), stem


def test_orders_throughput_draws_placed_and_delivered_per_day(commerce) -> None:
    figure = commerce["orders_throughput"]
    assert len(figure.axes) == 1
    ax = figure.axes[0]
    lines = {line.get_label(): line.get_ydata() for line in ax.get_lines()}
    assert set(lines) == {"placed", "delivered"}
    observed = np.arange(BINS) * WIDTH >= WARMUP
    assert np.allclose(lines["placed"][observed], 240.0)  # 10 an hour, per day
    assert np.allclose(lines["delivered"][observed], 216.0)
    assert np.isnan(lines["placed"][~observed]).all()
    assert ax.patches[0].get_width() == pytest.approx(WARMUP / DAY)  # warm-up shaded
    assert ax.get_ylabel() == "orders per day"
    assert "Orders placed and delivered" in ax.get_title(loc="left")
    assert {"placed", "delivered", "warm-up (not counted)"} <= set(legend_texts(ax))
    assert "placed: 240 a day" in " ".join(t.get_text() for t in ax.texts)


def test_orders_throughput_gives_bursts_of_deliveries_their_own_panel() -> None:
    figure = figures_for(make_commerce_results(bursty=True))["orders_throughput"]
    placed, delivered = figure.axes
    assert [line.get_label() for line in placed.get_lines()] == ["placed"]
    assert [line.get_label() for line in delivered.get_lines()] == ["delivered"]
    assert np.nanmax(delivered.get_lines()[0].get_ydata()) == pytest.approx(9 * 24 * 24)
    assert placed.get_shared_x_axes().joined(placed, delivered)
    assert placed.get_xlabel() == "" and delivered.get_xlabel() == "time since start (days)"
    assert {"placed", "delivered", "warm-up (not counted)"} <= set(legend_texts(figure))


def test_lead_time_marks_percentiles_promise_and_on_time_share(commerce) -> None:
    ax = commerce["orders_lead_time"].axes[0]
    assert ax.get_xlabel() == "lead time (h)"  # p90 is 1.8 days, under 2 days
    marks = {line.get_label().split(" ")[0]: line.get_xdata()[0] for line in ax.get_lines()}
    assert marks["p50"] == pytest.approx(1.3 * 24) and marks["p99"] == pytest.approx(2.2 * 24)
    assert marks["promise"] == pytest.approx(48.0)  # '2d' in hours
    assert "promise = 48 h" in legend_texts(ax)
    notes = " ".join(t.get_text() for t in ax.texts)
    assert "on time (within 48 h): 80.0%" in notes
    assert ax.get_title(loc="left") == "Order lead time: placed to delivered"


def test_lead_time_without_a_promise_draws_none() -> None:
    ax = figures_for(make_commerce_results(promise=None))["orders_lead_time"].axes[0]
    assert not any(line.get_label().startswith("promise") for line in ax.get_lines())
    assert "within" not in " ".join(t.get_text() for t in ax.texts)


def split_bars(ax) -> dict[str, object]:
    return {p.get_gid().split(":")[1]: p for p in ax.patches
            if (p.get_gid() or "").startswith("orgsim-split:")}


def test_time_split_stacks_the_components_to_the_lead_time_mean(commerce) -> None:
    ax = commerce["orders_time_split"].axes[0]
    bars = split_bars(ax)
    assert list(bars) == ["stock", "queue", "work", "cutoff", "pickup", "transit"]
    assert ax.get_xlabel() == "mean time per order (h)"  # about 34 hours in all
    widths = [bar.get_width() for bar in bars.values()]
    lefts = [bar.get_x() for bar in bars.values()]
    assert lefts == pytest.approx(np.concatenate([[0.0], np.cumsum(widths)[:-1]]))
    assert sum(widths) * HOUR == pytest.approx(np.mean(LEAD_MEAN))
    assert bars["transit"].get_width() == pytest.approx(24.0)
    assert "= mean lead time" in " ".join(t.get_text() for t in ax.texts)
    assert "orders delivered after warm-up" in ax.get_title(loc="left")  # as the flow samples
    assert "placed after" not in ax.get_title(loc="left")
    labels = legend_texts(ax)
    assert "warehouse work: 5 min" in labels and "in transit: 1 d" in labels
    assert "held by the cut-off: 0" in labels


def test_time_split_colours_and_order_are_stable_and_new_components_drawn() -> None:
    split = {"communication": (30.0, 30.0, 30.0), **{k: SPLIT[k] for k in reversed(SPLIT)}}
    results = make_commerce_results(split=split)
    ax = figures_for(results)["orders_time_split"].axes[0]
    bars = split_bars(ax)
    assert list(bars) == ["stock", "queue", "work", "cutoff", "pickup", "transit",
                          "communication"]
    assert sum(bar.get_width() for bar in bars.values()) * HOUR == pytest.approx(
        results["orders.lead_time.mean"])
    reference = split_bars(figures_for(make_commerce_results())["orders_time_split"].axes[0])
    for name, bar in reference.items():
        assert bars[name].get_facecolor() == bar.get_facecolor(), name
    assert "communication: 30 min" in legend_texts(ax)


def test_stock_has_a_panel_per_product_with_its_dashed_reorder_mark(commerce) -> None:
    figure = commerce["inventory_stock"]
    total, *panels = figure.axes
    assert total.get_title(loc="left") == "All products: units on hand"
    assert [ax.get_title(loc="left") for ax in panels] == [
        f"{sku}: units on hand and inventory position" for sku in MARKS]
    expected = {"A": "reorder point R = 20", "B": "reorder level s = 30",
                "C": "order-up-to level S = 100"}
    for ax, (sku, mark) in zip(panels, MARKS.items(), strict=True):
        solid = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
        assert [line.get_label() for line in solid] == [f"{sku} on hand"]
        (position,) = dotted(ax)  # what the policy compares with the mark
        assert position.get_label() == f"{sku} inventory position"
        stock = make_commerce_results().series[f"inventory.on_hand.{sku}"]
        assert np.allclose(position.get_ydata(), stock.mean(axis=0) + POSITION_ABOVE_STOCK)
        assert position.get_color() == solid[0].get_color()
        assert ax.get_ylim()[1] >= np.max(position.get_ydata())  # not cut off
        if sku not in expected:
            assert dashed(ax) == []
            assert "no replenishment policy" in [t.get_text() for t in ax.texts]
            continue
        (line,) = dashed(ax)
        assert line.get_label() == f"{sku} {expected[sku]}"
        assert np.allclose(line.get_ydata(), mark)
        assert line.get_color() == solid[0].get_color()
        assert ax.get_ylim()[1] > mark
        assert expected[sku].split(" ")[-3:] == ax.texts[0].get_text().split()
    assert panels[-1].get_xlabel() == "time since start (days)"
    assert panels[0].get_xlabel() == ""
    texts = legend_texts(figure)
    assert "warm-up (not counted)" in texts and "10th-90th pct. of 3 reps" in texts
    assert any(text.startswith("inventory position") for text in texts)
    assert any("compares with\nthe inventory position" in text for text in texts)


def test_stock_without_position_series_draws_on_hand_and_the_mark_only() -> None:
    results = make_commerce_results()
    for sku in MARKS:
        del results.series[f"inventory.position.{sku}"]
    figure = figures_for(results)["inventory_stock"]
    assert all(dotted(ax) == [] for ax in figure.axes)
    assert len(dashed(figure.axes[1])) == 1
    assert figure.axes[1].get_title(loc="left") == "A: units on hand"


def test_stock_of_the_whole_catalog_shown_needs_no_total_panel() -> None:
    figure = figures_for(make_commerce_results(extra_stock=0.0))["inventory_stock"]
    assert len(figure.axes) == len(MARKS)


def test_commerce_figures_save_as_png(commerce, tmp_path) -> None:
    for stem, figure in commerce.items():
        figure.savefig(tmp_path / f"{stem}.png", dpi=60)
    assert {p.stem for p in tmp_path.glob("*.png")} == COMMERCE_STEMS


TINY_SHOP = {
    "name": "tiny-shop", "horizon": "3d", "warmup": "6h",
    "demand": {"orders": "200/d"},
    "catalog": [{"sku": "A", "initial_stock": 50, "supplier": "s",
                 "policy": {"type": "rQ", "reorder_point": 20, "order_quantity": 60}}],
    "suppliers": {"s": {"lead_time": "const(1d)"}},
    "teams": {"warehouse": {"members": 3}},
    "fulfilment": {"stages": [{"name": "pick", "time_per_order": "exp(5m)"}]},
    "delivery": {"carriers": {"post": {"transit_time": "const(1d)", "pickups": ["17:00"]}},
                 "promise": "2d"},
}


def test_a_real_commerce_run_plots_end_to_end(tmp_path) -> None:
    results = sim.run(sim.scenario_from_dict(TINY_SHOP), reps=2)
    figures = figures_for(results)
    assert set(figures) == COMMERCE_STEMS | {"fulfilment_queue"}  # a real run has the queue
    warehouse = figures["fulfilment_queue"].axes[0]
    assert warehouse.get_title(loc="left").startswith("Warehouse queue")
    assert "OVERLOADED" not in warehouse.get_title(loc="left")  # load about 0.23
    placed = next(line for ax in figures["orders_throughput"].axes for line in ax.get_lines()
                  if line.get_label() == "placed")
    assert np.nanmean(placed.get_ydata()) == pytest.approx(200.0, rel=0.15)
    lead = figures["orders_lead_time"].axes[0]
    name, size = duration_unit(results["orders.lead_time.p90"])
    promise = next(line for line in lead.get_lines() if line.get_label().startswith("promise"))
    assert promise.get_xdata()[0] == pytest.approx(2 * DAY / size)
    bars = split_bars(figures["orders_time_split"].axes[0])
    assert list(bars) == ["stock", "queue", "work", "cutoff", "pickup", "transit"]
    unit = figures["orders_time_split"].axes[0].get_xlabel().split("(")[1].rstrip(")")
    assert sum(bar.get_width() for bar in bars.values()) * {"min": MINUTE, "h": HOUR,
                                                            "d": DAY}[unit] == pytest.approx(
        results["orders.lead_time.mean"], rel=1e-9)
    (stock,) = figures["inventory_stock"].axes  # one product: no total panel
    (mark,) = dashed(stock)
    assert np.allclose(mark.get_ydata(), 20.0) and mark.get_label() == "A reorder point R = 20"
    # an (R, Q) policy orders as soon as the position reaches R: the position stays within
    # R + 1 .. R + Q = 21 .. 80 at every instant (so in every bin average), on hand does not
    position = results.series["inventory.position.A"]
    assert position.min() >= 21 - 1e-9 and position.max() <= 80 + 1e-9
    assert results.series["inventory.on_hand.A"].min() < 20
    (line,) = dotted(stock)
    assert np.allclose(line.get_ydata(), position.mean(axis=0))
    for stem, figure in figures.items():
        figure.savefig(tmp_path / f"{stem}.png", dpi=50)
    assert len(list(tmp_path.glob("*.png"))) == len(COMMERCE_STEMS) + 1
