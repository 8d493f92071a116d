"""How a run uses the interpreter: Python's cycle collector waits until the run is over.

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
from collections.abc import Iterator
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
