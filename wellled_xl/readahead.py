"""Parse a big workbook while its pre-flight scan runs, in a process that can be thrown away.

The pre-flight scan (preflight.py) must be done before python-calamine parses a workbook:
a crafted file can make the parser allocate without bound, or abort the process. At
100,000 actions the scan takes about a second, and the parse as long again, one after
the other. A command that reads one tracker and then ends (``validate``, ``build``) can
have both at once, on two cores:

- the process forks. The original process, the *guardian*, runs the scan; its copy, the
  *reader*, parses the sheets meanwhile, then waits for the scan's verdict;
- a refusal: the guardian kills the reader, whatever it is doing, and raises the refusal
  itself, just as the scan does alone (one line, exit 2);
- a pass: the guardian hands the scan to the reader, which says it has it and carries
  on with the run (findings, the paper, its output and exit code), while the guardian
  waits and then ends with the reader's exit status;
- a reader killed by a signal before it has the verdict (the parser aborting on what
  the scan lets through) costs only time: the guardian reads the workbook itself, as
  it would without reading ahead.

Only on Linux (Windows has no fork; on macOS a forked process may not use some of the
system's own libraries, which numpy can load), only in a process that ends with its run
(`runtime.read_ahead_once`, which `validate` and `build` of one tracker ask for) and has
no other thread yet, only once per process, and only for a workbook file of READ_AHEAD_MB
or more (its variable `WELLLED_XL_READ_AHEAD_MB`: 0 for every workbook, ``off`` for none).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from wellled_xl import errors, runtime

READ_AHEAD_MB = 2.0  # a 2 MB workbook holds about 15 MB of sheet XML: a 0.15 s scan
READ_AHEAD_VARIABLE = "WELLLED_XL_READ_AHEAD_MB"
_ACK = b"k"  # the reader's word that it has the verdict and carries on

Scan = TypeVar("Scan")


class Reader:
    """The process that reads ahead: `verdict` waits for the guardian's scan."""

    def __init__(self, verdicts: int, acks: int) -> None:
        self._verdicts = verdicts
        self._acks = acks

    def verdict(self) -> object:
        """The guardian's scan of the workbook, once it has passed. A refusal never comes
        here: the guardian kills the reader instead. With no guardian left, the reader
        ends (the guardian is gone, and no one is waiting for this run)."""
        with os.fdopen(self._verdicts, "rb") as stream:
            data = stream.read()
        if not data:
            os._exit(errors.EXIT_INTERNAL)
        scan = pickle.loads(data)
        os.write(self._acks, _ACK)
        os.close(self._acks)
        return scan


def threshold_mb(environ: dict[str, str] | None = None) -> float | None:
    """The workbook size from which to read ahead, in MB (None: never)."""
    text = (os.environ if environ is None else environ).get(READ_AHEAD_VARIABLE, "").strip()
    if not text:
        return READ_AHEAD_MB
    if text.lower() == "off":
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise errors.WellledError(
            f"{READ_AHEAD_VARIABLE}={text!r} is not a size in MB (0 or more) or 'off'; "
            f"unset it to use the default ({READ_AHEAD_MB:g})"
        )
    return value


def read_ahead(source: Path, scan: Callable[[], Scan]) -> Reader | Scan | None:
    """Fork a reader to parse `source` while this process runs `scan` (see the module).

    Returns None when not reading ahead (the caller scans, then parses); a `Reader` in
    the reader; the scan in the guardian when the reader died before taking it (the
    caller parses). On a passing scan the guardian never returns: it ends with the
    reader's exit status. A refusal is raised in the guardian, the reader killed.
    """
    if not runtime.take_read_ahead() or not sys.platform.startswith("linux"):
        return None  # the variable is read only where it can apply
    limit = threshold_mb()
    if limit is None or threading.active_count() > 1:  # a fork copies only this thread
        return None
    try:
        if source.stat().st_size < limit * 1024 * 1024:
            return None
    except OSError:
        return None  # the scan says why the file cannot be read
    verdicts_in, verdicts_out = os.pipe()
    acks_in, acks_out = os.pipe()
    for stream in (sys.stdout, sys.stderr):  # nothing written twice
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    pid = os.fork()
    if pid == 0:
        os.close(verdicts_out)
        os.close(acks_in)
        return Reader(verdicts_in, acks_out)
    os.close(verdicts_in)
    os.close(acks_out)
    return _guard(pid, scan, verdicts_out, acks_in)


def _guard(pid: int, scan: Callable[[], Scan], verdicts: int, acks: int) -> Scan:
    """The guardian's part: scan, then hand the scan over or kill the reader."""
    # Ctrl-C reaches both processes: the reader says "interrupted" and ends; the
    # guardian follows its exit status. A guardian told to stop stops the reader too.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda number, frame: _stop(pid, number))
    try:
        found = scan()
    except BaseException:
        _kill(pid)
        os.close(verdicts)
        os.close(acks)
        _as_before()
        raise
    with contextlib.suppress(BrokenPipeError), os.fdopen(verdicts, "wb") as stream:
        stream.write(pickle.dumps(found))  # a broken pipe: the reader is gone, see below
    with os.fdopen(acks, "rb") as stream:
        taken = stream.read(1) == _ACK
    _, status = os.waitpid(pid, 0)
    if not taken and os.WIFSIGNALED(status):  # the parser failed before the verdict
        _as_before()
        return found
    runtime.end_process(_exit_code(status))


def _as_before() -> None:
    """The guardian's signals as they were: it goes on with the run itself."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _exit_code(status: int) -> int:
    """The exit code a shell gives a process that ended with `status`."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.waitstatus_to_exitcode(status)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _stop(pid: int, number: int) -> None:
    _kill(pid)
    runtime.end_process(128 + number)


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """While the reader parses what the scan has not yet let through, nothing reaches the
    user's terminal: a parser failing on an odd cell prints its own report, and the
    failure is put right (or reported in our words) once the verdict is in."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
