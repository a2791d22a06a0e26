"""Progress of long work on the terminal: one line on stderr saying what runs and how long it has taken.

Drawn by tqdm, and only once the work has taken a second, so that quick runs print nothing. A solve gives no
count to draw, so a ticker thread redraws the line while it runs; the elapsed time then moves even while HiGHS
works for minutes inside one call.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

TERMINAL = 100
"""Columns a printed line may take (a Chinese character takes two)."""
DELAY_S = 1.0
"""Work that ends sooner shows no line at all."""
TICK_S = 0.5
LOG_TICK_S = 10.0


class Activity:
    """A progress line for one piece of long work: ``with Activity("编制计划") as line: ... line.describe(...)``.

    ``total``: the count the work runs to (projects), shown as a bar with the time left; None for work that has
    no count (a solve), shown with its elapsed time only. ``enabled=False`` (--quiet) shows nothing.
    """

    def __init__(self, label: str, total: int | None = None, *, enabled: bool = True,
                 stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.enabled = enabled
        self.stream = stream
        self._bar = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._start = time.monotonic()

    def __enter__(self) -> "Activity":
        if not self.enabled:
            return self
        from tqdm import tqdm  # only a run that shows progress pays for the import

        stream = self.stream or sys.stderr
        if self.total is None:
            layout = "{desc}：已用 {elapsed}"
        else:
            layout = "{desc}：{n_fmt}/{total_fmt} |{bar}| 已用 {elapsed}，约剩 {remaining}"
        self._bar = tqdm(total=self.total, desc=self.label, file=stream, delay=DELAY_S, leave=False,
                         bar_format=layout, ncols=TERMINAL, mininterval=TICK_S, dynamic_ncols=False)
        self._start = time.monotonic()
        self._ticker = threading.Thread(target=self._tick, name="finmodel-progress", daemon=True)
        self._ticker.start()
        return self

    def _tick(self) -> None:
        # A terminal redraws its one line in place; a log or a pipe keeps every drawing, so there the line is drawn
        # once the work has taken a second and then every LOG_TICK_S.
        stream = self.stream or sys.stderr
        interval = TICK_S if hasattr(stream, "isatty") and stream.isatty() else LOG_TICK_S
        due = self._start + DELAY_S
        while not self._stop.wait(TICK_S):
            now = time.monotonic()
            if now >= due:
                self._bar.refresh()
                due = now + interval

    def describe(self, text: str) -> None:
        """Say what the work is doing now (the stage of a solve)."""
        if self._bar is not None:
            self._bar.set_description_str(f"{self.label} — {text}", refresh=False)

    def advance(self, done: int) -> None:
        """The count reached (projects built)."""
        if self._bar is not None:
            self._bar.update(done - self._bar.n)

    def write(self, text: str) -> None:
        """A line of its own above the progress line (the progress line is redrawn below it)."""
        if self._bar is not None and time.monotonic() - self._start >= DELAY_S:
            self._bar.write(text, file=self.stream or sys.stderr)  # tqdm.write would draw a bar not yet due
        elif self.enabled:
            print(text, file=self.stream or sys.stderr, flush=True)

    def __exit__(self, *exc) -> None:
        if self._bar is None:
            return
        self._stop.set()
        self._ticker.join()
        self._bar.close()
        self._bar = None
        stream = self.stream or sys.stderr
        shown = time.monotonic() - self._start >= DELAY_S
        if shown and not (hasattr(stream, "isatty") and stream.isatty()):
            # A log or a pipe cannot rub the line out: end it, so that what follows starts a line of its own.
            stream.write("\n")
            stream.flush()
