"""Outputs are atomic: an interrupted write leaves the previous file or none, never half a file.

Faults are injected where they happen in real life: the writer raising mid-file, the disk
filling up (OSError ENOSPC from the write), and the process killed with SIGKILL.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter.workbook
from hostile import HEADER

from wellled_xl import cli, errors
from wellled_xl.pipeline import build_board_paper
from wellled_xl.refresh import make_plan, refresh
from wellled_xl.safety import STALE_AFTER_SECONDS, atomic_output
from wellled_xl.template import write_sample_tracker

AS_AT = date(2019, 9, 30)


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# --- atomic_output itself -------------------------------------------------------------------


def test_an_exception_keeps_the_previous_file_and_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "paper.xlsx"
    target.write_bytes(b"previous paper")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_bytes(b"half a pap")
        raise RuntimeError("writer crashed")
    assert target.read_bytes() == b"previous paper"
    assert _temporaries(tmp_path) == []


def test_an_exception_on_a_first_write_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "new" / "paper.xlsx"
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("writer crashed")
    assert list(target.parent.iterdir()) == []


def test_disk_full_is_one_clear_error_and_the_previous_file_stays(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("{}", encoding="utf-8")
    with pytest.raises(errors.WellledError) as caught, atomic_output(target) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(b'{"half":')
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    message = str(caught.value)
    assert str(target) in message and "No space left on device" in message
    assert "previous file is unchanged" in message
    assert caught.value.exit_code == errors.EXIT_UNUSABLE
    assert target.read_text(encoding="utf-8") == "{}"
    assert _temporaries(tmp_path) == []


def test_an_os_error_a_writer_wraps_is_still_recognised(tmp_path: Path) -> None:
    """XlsxWriter raises FileCreateError from the OSError that stopped it."""
    target = tmp_path / "paper.xlsx"
    with pytest.raises(errors.WellledError, match="nothing was written"), atomic_output(target):
        try:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        except OSError as exc:
            raise xlsxwriter.exceptions.FileCreateError(exc)  # noqa: B904 - as XlsxWriter does
    assert not target.exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_the_new_file_keeps_the_old_ones_permissions(tmp_path: Path) -> None:
    target = tmp_path / "paper.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with atomic_output(target) as tmp:
        tmp.write_bytes(b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.xlsx"
    with atomic_output(fresh) as tmp:
        tmp.write_bytes(b"new")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600


def test_a_killed_runs_temporary_is_swept_once_stale(tmp_path: Path) -> None:
    target = tmp_path / "paper.xlsx"
    stale = tmp_path / ".paper.xlsx.abc123.part"
    fresh = tmp_path / ".paper.xlsx.def456.part"  # perhaps another run writing right now
    other = tmp_path / ".other.xlsx.abc123.part"
    for leftover in (stale, fresh, other):
        leftover.write_bytes(b"half")
    old = time.time() - STALE_AFTER_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    with atomic_output(target) as tmp:
        tmp.write_bytes(b"new")
    assert not stale.exists()
    assert fresh.exists() and other.exists()


# --- build and refresh, with the writer failing mid-file ----------------------------------------


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return write_sample_tracker(tmp_path / "sample.xlsx")


def _writer_fails_mid_file(monkeypatch, exc: BaseException) -> None:
    """XlsxWriter writes part of the zip into its file, then fails."""

    def store(book):
        with open(book.filename, "wb") as handle:
            handle.write(b"PK\x03\x04 half a zip")
        raise exc

    monkeypatch.setattr(xlsxwriter.workbook.Workbook, "_store_workbook", store)


def test_a_build_that_fails_mid_write_keeps_the_previous_paper(
    tracker: Path, tmp_path: Path, monkeypatch
) -> None:
    paper = tmp_path / "out" / "paper.xlsx"
    build_board_paper(tracker, AS_AT, output=paper)
    previous = paper.read_bytes()
    _writer_fails_mid_file(monkeypatch, RuntimeError("injected: writer crashed"))
    with pytest.raises(RuntimeError, match="injected"):
        build_board_paper(tracker, AS_AT, output=paper)
    assert paper.read_bytes() == previous
    assert _temporaries(paper.parent) == []


def test_a_build_on_a_full_disk_exits_2_with_one_line(
    tracker: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    paper = tmp_path / "paper.xlsx"
    _writer_fails_mid_file(monkeypatch, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    code = cli.main(["build", str(tracker), "--as-at", AS_AT.isoformat(), "-o", str(paper)])
    err = capsys.readouterr().err
    assert code == errors.EXIT_UNUSABLE
    assert err.count("\n") == 1 and "No space left on device" in err and str(paper) in err
    assert not paper.exists()
    assert _temporaries(tmp_path) == []


def test_a_refresh_whose_writes_fail_keeps_every_previous_output(
    tracker: Path, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "pack"
    plan = make_plan([str(tracker)], out_dir=out, as_at_rule=AS_AT.isoformat(), cwd=tmp_path)
    refresh(plan)
    previous = {p.name: p.read_bytes() for p in out.iterdir()}
    assert any(name.endswith(".xlsx") for name in previous)
    _writer_fails_mid_file(monkeypatch, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    summary = refresh(plan)
    (result,) = summary.results
    assert result.exit_code == errors.EXIT_UNUSABLE and "No space left" in result.error
    for name, data in previous.items():
        if not name.startswith("refresh_summary"):
            assert (out / name).read_bytes() == data, name
    assert _temporaries(out) == []
    json.loads(summary.path.read_text(encoding="utf-8"))  # the new summary is whole


# --- Killed with SIGKILL mid-write ----------------------------------------------------------------


def _big_tracker(path: Path, rows: int) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    sheet = book.add_worksheet("Actions")
    dated = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, HEADER)
    for i in range(1, rows + 1):
        sheet.write_row(i, 0, [f"W1a{i}", "W1", f"Action {i} " + "words " * 20])
        sheet.write_datetime(i, 3, datetime(2019, 3, 31), dated)
        sheet.write_row(i, 5, ["RG", "measure " * 10, f"Progress on {i} " + "text " * 30, "A/G"])
    book.close()
    return path


def _kill_while_writing(command: list[str], folder: Path, target: Path) -> None:
    """Start the command; SIGKILL it once its temporary output has bytes in it."""
    process = subprocess.Popen(
        [sys.executable, *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    killed = False
    try:
        while time.monotonic() < deadline and process.poll() is None:
            temporaries = list(folder.glob(f".{target.name}.*.part"))
            if temporaries and any(t.stat().st_size > 0 for t in temporaries if t.exists()):
                process.send_signal(signal.SIGKILL)
                killed = True
                break
            time.sleep(0.002)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
    assert killed, f"the write finished before it could be interrupted: {process.stderr.read()}"
    assert process.returncode == -signal.SIGKILL


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_a_build_killed_mid_write_leaves_the_previous_paper(tmp_path: Path) -> None:
    tracker = _big_tracker(tmp_path / "big.xlsx", 6000)
    paper = tmp_path / "out" / "paper.xlsx"
    paper.parent.mkdir()
    paper.write_bytes(b"the previous board paper")
    command = ["-m", "wellled_xl", "build", str(tracker), "--as-at", "2019-09-30", "-o", str(paper)]
    _kill_while_writing(command, paper.parent, paper)
    assert paper.read_bytes() == b"the previous board paper"
    # The next run replaces it whole, and sweeps the killed run's temporary once stale.
    (leftover,) = paper.parent.glob(".paper.xlsx.*.part")
    old = time.time() - STALE_AFTER_SECONDS - 60
    os.utime(leftover, (old, old))
    assert cli.main(["build", str(tracker), "--as-at", "2019-09-30", "-o", str(paper)]) == 0
    assert paper.read_bytes().startswith(b"PK")
    assert _temporaries(paper.parent) == []


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_a_stamp_killed_mid_write_leaves_the_tracker(tmp_path: Path) -> None:
    from wellled_xl.template import write_tracker

    actions = [
        {"ref": f"W1{i}", "kloe": "W1", "action": "Action " + "words " * 30, "lead": "RG",
         "rag": "A/G", "progress": "Progress " + "text " * 40, "original_due": "2019-03"}
        for i in range(3000)
    ]  # fmt: skip
    tracker = write_tracker(tmp_path / "tracker.xlsx", actions=actions)
    before = tracker.read_bytes()
    script = (
        "from datetime import date\n"
        "from wellled_xl.pipeline import check_tracker\n"
        "from wellled_xl.writeback import stamp_tracker\n"
        f"p = {str(tracker)!r}\n"
        "stamp_tracker(p, check_tracker(p, date(2019, 9, 30)))\n"
    )
    _kill_while_writing(["-c", script], tmp_path, tracker)
    assert tracker.read_bytes() == before
