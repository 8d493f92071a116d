"""Safe file writing: every output goes to a temporary file beside it, then replaces it."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from wellled_xl import errors

TEMP_SUFFIX = ".part"
# A temporary file this old was left by a run that was killed (no write takes an hour).
STALE_AFTER_SECONDS = 3600


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it into place.

    If the body raises (or the process dies), the target keeps its previous content, or
    stays absent: a reader never sees a half-written file. The temporary file is removed
    after an exception; one left by a killed process (``.<name>.*.part``) is removed by
    the next write of the same target once it is an hour old. The new file keeps the
    old one's permissions. A failure to write (disk full, permission denied), however a
    writer wraps it, becomes one WellledError naming the target.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(target)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent
        )
        os.close(fd)
    except OSError as exc:
        raise _write_failed(target, exc) from exc
    tmp = Path(tmp_name)
    try:
        yield tmp
        _match_permissions(tmp, target)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        _sync_folder(target.parent)
    except Exception as exc:
        cause = _os_error_in(exc)
        if cause is None or isinstance(exc, errors.WellledError):
            raise
        raise _write_failed(target, cause) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _write_failed(target: Path, cause: OSError) -> errors.WellledError:
    kept = "the previous file is unchanged" if target.exists() else "nothing was written"
    return errors.WellledError(f"{target}: could not write it ({cause.strerror or cause}); {kept}")


def _os_error_in(exc: BaseException) -> OSError | None:
    """The OSError behind an exception (XlsxWriter wraps one in FileCreateError)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _match_permissions(tmp: Path, target: Path) -> None:
    """mkstemp makes the file private (0600): give it the old file's mode, else the default."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a folder to sync it."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # some file systems (shares) cannot sync a folder
            os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale_temporaries(target: Path) -> None:
    cutoff = time.time() - STALE_AFTER_SECONDS
    for leftover in target.parent.glob(f".{_glob_escape(target.name)}.*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def _glob_escape(name: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in name)
