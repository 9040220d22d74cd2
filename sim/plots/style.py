"""One look for every orgsim figure: colours, sizes, axes helpers, legends.

Figures are plain `matplotlib.figure.Figure` objects (never pyplot, never a global backend or
rcParams change), laid out with the constrained layout engine, so they render headless in
the command line and inline in notebooks alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

FIGSIZE = (9.0, 4.5)  # inches, one panel
PANELS_FIGSIZE = (9.0, 6.5)  # inches, two stacked panels

# Colour-blind-friendly palette (Okabe-Ito), by role; other names fall back to CYCLE.
COLOURS = {
    "arrivals": "#0072B2",
    "handled": "#009E73",
    "abandoned": "#D55E00",
    "queue": "#CC79A7",
    "utilisation": "#E69F00",
    "on_shift": "#555555",
    "overtime": "#D55E00",
    "busy": "#56B4E9",
    "histogram": "#56B4E9",
    "placed": "#0072B2",
    "delivered": "#009E73",
    "promise": "#009E73",
}
CYCLE = ("#0072B2", "#009E73", "#D55E00", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
         "#000000")

# The phases of an order's lead time, by who holds the order: stock (inventory) in
# vermillion, the warehouse in blues, the carrier in greens; other phases take SPLIT_EXTRA.
SPLIT_COLOURS = {
    "stock": "#D55E00",
    "queue": "#56B4E9",
    "work": "#0072B2",
    "cutoff": "#A8DCC8",
    "pickup": "#4DB592",
    "transit": "#00785A",
}
SPLIT_EXTRA_COLOURS = ("#CC79A7", "#E69F00", "#999999", "#F0E442", "#7B3294")

BAND_ALPHA = 0.2  # the 10th-90th percentile band across replications
BAND_GID = "orgsim-band"  # gid prefix of band collections ("orgsim-band:<replications>")
ALERT_COLOUR = "#C00000"  # overloaded queues: titles and notes
WARMUP_COLOUR = "#9E9E9E"
WARMUP_ALPHA = 0.15
GRID_COLOUR = "#E0E0E0"
LINE_WIDTH = 1.6
THIN_LINE_WIDTH = 0.9

# p50/p90/p99 markers on distributions: (colour, linestyle)
PERCENTILE_STYLES = {
    "p50": ("#222222", "-"),
    "p90": ("#D55E00", "--"),
    "p99": ("#7B3294", ":"),
}


def colour(name: str, index: int = 0) -> str:
    """The colour of a role ('arrivals', 'queue', ...), else the index-th colour of the cycle."""
    key = name.rsplit(".", 1)[-1]
    return COLOURS.get(key, CYCLE[index % len(CYCLE)])


def new_figure(figsize: tuple[float, float] = FIGSIZE) -> Figure:
    return Figure(figsize=figsize, layout="constrained")


def new_axes(figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """One styled Axes on a new Figure (reach the figure with `ax.figure`)."""
    ax = new_figure(figsize).add_subplot()
    apply(ax)
    return ax


def new_panels(rows: int, height_ratios: Sequence[float] | None = None,
               figsize: tuple[float, float] = PANELS_FIGSIZE, sharex: bool = True) -> list[Axes]:
    """`rows` styled Axes stacked on a new Figure, sharing the x axis."""
    figure = new_figure(figsize)
    grid = figure.add_gridspec(rows, 1, height_ratios=height_ratios)
    axes: list[Axes] = []
    for row in range(rows):
        ax = figure.add_subplot(grid[row, 0], sharex=axes[0] if (sharex and axes) else None)
        apply(ax)
        axes.append(ax)
    return axes


def apply(ax: Axes) -> None:
    """The house style of one Axes: light grid behind the data, no top/right frame."""
    ax.grid(True, color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=9)


def label(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_xlabel(xlabel, fontsize=10)
    ax.set_ylabel(ylabel, fontsize=10)


def band_handle(replications: int) -> Patch:
    return Patch(facecolor="#777777", alpha=BAND_ALPHA + 0.1,
                 label=f"10th-90th pct. of {replications} reps")


WARMUP_LABEL = "warm-up (not counted)"


def legend_entries(*axes: Axes) -> tuple[list, list[str]]:
    """Labelled artists of `axes` (twins included), each label once, then one entry for the
    replication bands if any, then the warm-up span last."""
    entries: dict[str, object] = {}
    bands = 0
    for ax in axes:
        for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(text, handle)
        for collection in ax.collections:
            gid = collection.get_gid() or ""
            if gid.startswith(BAND_GID + ":"):
                bands = max(bands, int(gid.split(":")[1]))
    warmup = entries.pop(WARMUP_LABEL, None)
    if bands:
        band = band_handle(bands)
        entries[band.get_label()] = band
    if warmup is not None:
        entries[WARMUP_LABEL] = warmup
    return list(entries.values()), list(entries)


def legend(ax: Axes, *others: Axes, outside: bool = True, **kwargs) -> None:
    """A legend when there is more than one entry: outside on the right, so it hides no data."""
    handles, labels = legend_entries(ax, *others)
    if len(handles) < 2:
        return
    where = dict(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0) if outside \
        else dict(loc="best")
    where.update(kwargs)
    ax.legend(handles, labels, fontsize=8.5, frameon=False, **where)


def figure_legend(figure: Figure, *axes: Axes) -> None:
    """One legend for a multi-panel figure, outside on the right of every panel."""
    handles, labels = legend_entries(*axes)
    if len(handles) >= 2:
        figure.legend(handles, labels, loc="outside right upper", fontsize=8.5, frameon=False)


def side_note(ax: Axes, text: str) -> None:
    """A small note outside the Axes, bottom right (under an outside legend). No box: the
    constrained layout makes room for the text, not for a frame around it."""
    ax.text(1.02, 0.0, text, transform=ax.transAxes, ha="left", va="bottom", fontsize=8.5,
            color="#333333", linespacing=1.5)


def finish_stacked(axes: list[Axes]) -> None:
    """Panels stacked on one time axis: the time labels on the bottom one only, and one
    legend for them all (a single panel keeps its own)."""
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
        ax.set_xlabel("")
    if len(axes) > 1:
        figure_legend(axes[0].figure, *axes)
    else:
        legend(axes[0])
