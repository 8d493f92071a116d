"""How a run uses the interpreter: the cycle collector waits until the run is over, and
the heavy libraries load while the tracker is being read.

A 10,000-action build allocates millions of small objects (cells, rows, findings), and
CPython's cycle collector walks every live object again and again while they pile up:
about 15 % of the run (0.3 s of 2.1 s at 10,000 actions, 1.7 s of 10 s at 50,000), for
no memory back, because the pipeline makes almost no reference cycles (peak memory is
the same either way, see benchmarks/README.md). Reference counting still frees
everything as usual. The collector is switched back on when the run ends, so a
long-lived host (the Excel button's Python) keeps its normal collection; the
``wellled-xl`` program itself (`cli.run`) leaves it off, as its process ends there.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

# What a run leaves for the operating system to reclaim when the process ends with it
# (`cli.run`); None in a long-lived host (the Excel button's Python, the tests), which
# frees everything as usual.
_KEPT_TO_EXIT: list[object] | None = None


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector for the block; nested blocks leave it to the outermost."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_in_background(names: Sequence[str]) -> threading.Thread | None:
    """Start importing `names` on a second thread and return it (None: all imported).

    pandas and pandera take about a third of a second to import, and a validation
    needs them only once the tracker is read; reading waits mostly on zlib and
    python-calamine, which let go of the interpreter lock, so the two overlap (about
    0.07 s saved at 10,000 actions). An ``import`` of the same module on the main thread
    simply waits for this one to finish. Only third-party modules belong here: they
    never import ours, so the two threads can never wait on each other's imports.
    A failure is left for the main thread's own import to raise, with its message.
    """
    missing = [name for name in names if name not in sys.modules]
    if not missing:
        return None
    # Not a daemon: the interpreter must not be torn down under a half-done import.
    thread = threading.Thread(target=_import_quietly, args=(missing,), name="imports")
    thread.start()
    return thread


def _import_quietly(names: Sequence[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # the main thread's import reports it
            return


# Whether the next workbook read may be parsed while it is scanned (readahead.py): asked
# for by a command that reads one tracker and ends, taken by the first read.
_READ_AHEAD = False


def read_ahead_once() -> None:
    """Let the next workbook read in this process read ahead of its scan (readahead.py),
    when the process ends with its run: the command reads one tracker, then ends."""
    global _READ_AHEAD
    _READ_AHEAD = _KEPT_TO_EXIT is not None


def take_read_ahead() -> bool:
    """Whether this read may read ahead; the next may not, unless asked for again."""
    global _READ_AHEAD
    allowed, _READ_AHEAD = _READ_AHEAD, False
    return allowed


# Libraries a command never uses that others load when they happen to be installed:
# pandera loads hypothesis, for its strategies that make up example data, as it first
# validates (0.2 s of a run, where hypothesis is installed).
_NEVER_USED = ("hypothesis",)


def process_ends_with_run() -> None:
    """Say that this process ends when its run does: what `keep_to_exit` is given is then
    left to the operating system, and `end_process` ends it without tearing down. The
    libraries of `_NEVER_USED` are left out of it (an import of one fails, as if it were
    not installed, which the libraries that try it allow for)."""
    global _KEPT_TO_EXIT
    _KEPT_TO_EXIT = []
    for name in _NEVER_USED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def keep_to_exit(*objects: object) -> None:
    """Keep a run's big results (the report, the paper's layout) to the end of the
    process, when it ends with the run: freeing a 100,000-action report object by object
    took 0.2 s, and the interpreter's teardown of pandas and the rest about 0.1 s more,
    which the user waits for with nothing to gain. Elsewhere, nothing is kept."""
    if _KEPT_TO_EXIT is not None:
        _KEPT_TO_EXIT.extend(objects)


def end_process(code: int) -> NoReturn:
    """End the process with `code` once its output is out, without the interpreter's
    teardown: every file the run wrote is closed (and synced) by then, and no exit hook
    of ours is left to run."""
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (output cut short by `head`): there is no one left to tell.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
