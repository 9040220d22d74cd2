"""Progress of long work (replications, validation cases): one updating line with an ETA on a
terminal, a plain line every so often in logs and CI, nothing in a notebook unless asked.

A command makes a `ProgressReporter`; the work reports to it through the `Progress` face
(`start`, `advance` within an item, `item_done`, `close`). Executors that cannot see inside
an item (process pools, Dask) only call `item_done`.

Hand-written rather than click's progressbar or tqdm: click's bar prints one bare label when
stderr is not a terminal, and tqdm writes carriage returns into logs; both modes here share
one ETA and one wording, in about a hundred lines and no new dependency.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

INTERVAL_VARIABLE = "ORGSIM_PROGRESS_INTERVAL"
DEFAULT_INTERVAL = 10.0  # seconds between plain lines when stderr is not a terminal
TERMINAL_REFRESH = 0.2  # seconds between redraws of the terminal line


class Progress:
    """What work tells a reporter. This base class ignores everything (silent runs)."""

    def start(self, total: int) -> None:
        """`total` items (replications, cases) are about to run."""

    def extend(self, total: int) -> None:
        """The work now holds `total` items: a precision run adds replications in batches, and
        drops those beyond the count where it stops."""

    def advance(self, index: int, fraction: float) -> None:
        """Item `index` is `fraction` (0..1) done."""

    def item_done(self, index: int) -> None:
        """Item `index` has finished."""

    def close(self) -> None:
        """The work is over (finished or failed)."""


def format_span(seconds: float) -> str:
    """A short human duration: 45s, 2m10s, 1h05m, 3d04h."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def interval_from_environment(default: float = DEFAULT_INTERVAL) -> float:
    """Seconds between plain progress lines: ORGSIM_PROGRESS_INTERVAL, else `default`."""
    text = os.environ.get(INTERVAL_VARIABLE, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if value >= 0 else default


class ProgressReporter(Progress):
    """Reports `done/total <unit>s, p% of <unit> k, eta ...` to `stream` (stderr)."""

    def __init__(self, label: str, unit: str = "replication", stream: TextIO | None = None,
                 interval: float | None = None, tty: bool | None = None,
                 expected_seconds: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`expected_seconds`: an estimate of the whole work, shown until progress is seen."""
        self.label = label
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval = (TERMINAL_REFRESH if self.tty
                         else interval if interval is not None else interval_from_environment())
        self.expected_seconds = expected_seconds
        self.clock = clock
        self.total = 0
        self.done: set[int] = set()
        self.running: dict[int, float] = {}
        self._started = 0.0
        self._last_shown = 0.0
        self._drawn = False
        self._last_text = ""

    def start(self, total: int) -> None:
        self.total = total
        self._started = self._last_shown = self.clock()
        if self.tty:
            self._show()

    def extend(self, total: int) -> None:
        self.total = total
        self.done = {i for i in self.done if i < total}  # items beyond it were dropped

    def advance(self, index: int, fraction: float) -> None:
        self.running[index] = fraction
        self._maybe_show()

    def item_done(self, index: int) -> None:
        self.running.pop(index, None)
        self.done.add(index)
        self._maybe_show()

    def close(self) -> None:
        """Finish the terminal line; in a log, end with a last line if any was written."""
        if not self._drawn:
            return
        if self.tty:
            self._show()
            self.stream.write("\n")
            self.stream.flush()
        elif self._last_text != self.text():
            self._show()

    # --- text --------------------------------------------------------------------------

    def text(self) -> str:
        """The progress line without its prefix, e.g. `3/10 replications, 41% of ...`."""
        parts = [f"{len(self.done)}/{self.total} {self.unit}s"]
        for index, fraction in sorted(self.running.items()):
            parts.append(f"{fraction:.0%} of {self.unit} {index + 1}")
        if self.total and len(self.done) >= self.total:
            parts.append(f"took {format_span(self.clock() - self._started)}")
        elif (eta := self.eta()) is not None:
            parts.append(f"eta {format_span(eta)}")
        return ", ".join(parts)

    def eta(self) -> float | None:
        """Seconds left: elapsed x work left / work done, or the estimate before any work."""
        work = len(self.done) + sum(self.running.values())
        elapsed = self.clock() - self._started
        if work <= 0 or elapsed <= 0:
            return self.expected_seconds
        return elapsed * max(self.total - work, 0.0) / work

    def _maybe_show(self) -> None:
        now = self.clock()
        if now - self._last_shown >= self.interval:
            self._last_shown = now
            self._show()

    def _show(self) -> None:
        if self.tty:
            width = 20
            share = (len(self.done) + sum(self.running.values())) / self.total if self.total else 0
            filled = int(round(width * min(share, 1.0)))
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r{self.label}: [{bar}] {self.text()}\x1b[K")
            self._drawn = True
        else:
            self._last_text = self.text()
            self.stream.write(f"progress: {self.label}: {self._last_text}\n")
            self._drawn = True
        self.stream.flush()
