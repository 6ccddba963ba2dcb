"""Progress bars for long steps, on standard error, only for people watching a terminal.

:func:`progress_bar` gives a callback ``report(step, done, total)`` that library functions call as they
advance; it draws nothing for the first two seconds (a quick command stays quiet), then a rich progress
bar with counts and rates. Nothing is drawn when standard error is not a terminal or when asked to be
quiet, so logs and pipes stay clean.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["EVERY", "Progress", "progress_bar"]

#: Steps finishing sooner than this draw nothing.
DELAY = 2.0

#: A progress callback: ``report(step, done, total)`` (``total`` is ``None`` when unknown).
Progress = Callable[[str, int, "int | None"], None]

#: Loops over many items report once per this many.
EVERY = 4096


@contextmanager
def progress_bar(*, quiet: bool = False, stream=None) -> Iterator[Callable[[str, int, int | None], None]]:
    """Yield a progress callback; the bar (if one was drawn) is removed when the block ends."""
    stream = stream if stream is not None else sys.stderr
    if quiet or not getattr(stream, "isatty", lambda: False)():
        yield lambda step, done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    started = time.monotonic()
    display = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=Console(file=stream),
        transient=True,
        redirect_stdout=False,  # output meant for stdout must stay there (a file or a pipe)
        redirect_stderr=False,
    )
    tasks: dict[str, tuple[int, float]] = {}

    def report(step: str, done: int, total: int | None) -> None:
        if time.monotonic() - started < DELAY and not display.live.is_started:
            return
        if not display.live.is_started:
            display.start()
        if step not in tasks:
            tasks[step] = (display.add_task(step, total=total, rate=""), time.monotonic())
        task, since = tasks[step]
        elapsed = max(time.monotonic() - since, 1e-6)
        rate = f"{done / elapsed:,.0f}/s" if done and elapsed > 0.5 else ""
        display.update(task, completed=done, total=total, rate=rate)

    try:
        yield report
    finally:
        if display.live.is_started:
            display.stop()
