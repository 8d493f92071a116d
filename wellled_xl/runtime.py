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

import gc
import importlib
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


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
