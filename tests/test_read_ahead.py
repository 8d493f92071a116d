"""Reading ahead of the pre-flight scan (readahead.py): the same answers, whatever the file.

`validate` and `build` of one big tracker parse it in a forked reader while the original
process scans it. Every answer must be the one the plain order (scan, then parse) gives:
the same report, the same refusal in the same words and exit code, the same paper. The
tests force reading ahead on small files (WELLLED_XL_READ_AHEAD_MB=0) and compare with it
turned off.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from hostile import build_case
from trackers import LEADS, LEGEND, REPO, run_cli, trust_tracker

from wellled_xl import errors, readahead, runtime
from wellled_xl.readahead import Reader, read_ahead, threshold_mb

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="wellled-xl reads ahead on Linux only"
)

AHEAD = {"WELLLED_XL_READ_AHEAD_MB": "0"}
PLAIN = {"WELLLED_XL_READ_AHEAD_MB": "off"}

# Inputs whose reading the scan decides or refuses: the parser must never get the last
# word on them, however far it got reading ahead.
CASES = [
    "cell-beyond-row-limit",  # calamine would reserve 17 billion cells: the reader is killed
    "used-range-too-wide",
    "entity-expansion-in-shared-strings",
    "corrupt-zip-entry",
    "malformed-sheet-xml",
    "formulas-without-cached-values",
    "hidden-rows-columns-sheets",
    "dates-1900-to-9999-and-beyond",  # numbers calamine cannot convert: read from a copy
    "dates-in-the-1904-date-system",  # the scan says how the reader's numbers count days
    "stray-cell-row-1000000",  # sparse: read cell by cell once the scan says so
]


def _validate(path: Path, env: dict[str, str]):
    return run_cli("validate", str(path), "--json", "--as-at", "2019-09-30", env=env, timeout=120)


@pytest.mark.parametrize("case_id", CASES)
def test_reading_ahead_answers_as_the_plain_order_does(case_id: str, tmp_path: Path) -> None:
    path = build_case(case_id, tmp_path)
    plain, ahead = _validate(path, PLAIN), _validate(path, AHEAD)
    assert (ahead.returncode, ahead.stderr) == (plain.returncode, plain.stderr)
    assert ahead.returncode in (errors.EXIT_OK, errors.EXIT_FINDINGS, 2), ahead.stderr
    assert "Traceback" not in ahead.stderr and "panicked" not in ahead.stderr
    if plain.stdout:
        assert json.loads(ahead.stdout) == json.loads(plain.stdout)


def test_a_tracker_with_findings_keeps_its_report_and_exit_code(tmp_path: Path) -> None:
    path = trust_tracker(
        tmp_path / "log.xlsx",
        [
            ["W1a", "Coaching", "March 2019", "RG", "75 enrolees", "On track", "A/G"],
            ["W1b", "Appraisals", "31/03/2019", "ZZ", "Update awaited", "", "Green"],
        ],
        extra_sheets={"Legend": LEGEND, "Leads": LEADS},
    )
    plain, ahead = _validate(path, PLAIN), _validate(path, AHEAD)
    assert ahead.returncode == plain.returncode == errors.EXIT_FINDINGS
    assert json.loads(ahead.stdout) == json.loads(plain.stdout)
    text = run_cli("validate", str(path), "--as-at", "2019-09-30", env=AHEAD, timeout=120)
    assert text.returncode == errors.EXIT_FINDINGS and "2 actions" in text.stdout


def test_build_writes_the_same_paper_when_reading_ahead(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "workbook" / "sample_tracker.xlsx"
    papers = {}
    for label, env in (("plain", PLAIN), ("ahead", AHEAD)):
        out = tmp_path / f"{label}.xlsx"
        done = run_cli("build", str(sample), "-o", str(out), env=env, timeout=120)
        assert done.returncode == errors.EXIT_FINDINGS, done.stderr
        book = openpyxl.load_workbook(out, read_only=True)
        papers[label] = {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
        book.close()
    assert papers["ahead"] == papers["plain"]
    assert {"Part A", "Part B", "Summary"} <= set(papers["ahead"])


def test_the_threshold_comes_from_the_environment() -> None:
    assert threshold_mb({}) == readahead.READ_AHEAD_MB
    assert threshold_mb({"WELLLED_XL_READ_AHEAD_MB": "off"}) is None
    assert threshold_mb({"WELLLED_XL_READ_AHEAD_MB": "0"}) == 0
    assert threshold_mb({"WELLLED_XL_READ_AHEAD_MB": " 12.5 "}) == 12.5
    with pytest.raises(errors.WellledError, match="WELLLED_XL_READ_AHEAD_MB='-1'"):
        threshold_mb({"WELLLED_XL_READ_AHEAD_MB": "-1"})
    with pytest.raises(errors.WellledError, match="not a size in MB"):
        threshold_mb({"WELLLED_XL_READ_AHEAD_MB": "big"})


def test_a_process_that_goes_on_after_its_run_never_reads_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests, the Excel button's Python, `refresh` of many trackers: no fork, ever."""
    monkeypatch.setenv("WELLLED_XL_READ_AHEAD_MB", "0")
    path = tmp_path / "any.xlsx"
    path.write_bytes(b"PK\x05\x06" + bytes(18))
    runtime.read_ahead_once()  # asked for, but this process does not end with a run
    assert read_ahead(path, lambda: pytest.fail("scanned")) is None


def _fork_reader(monkeypatch: pytest.MonkeyPatch, path: Path, scan, then, meanwhile=None) -> object:
    """`read_ahead` in a process of its own (this one must not become a guardian): the
    reader runs `then(reader)`; what the guardian returns or raises comes back by exit
    code (0 returned the scan, 3 raised it, 4 anything else). `meanwhile(guardian pid)`
    runs here while they do."""
    pid = os.fork()
    if pid == 0:  # a throwaway process standing for the command
        code = 4
        try:
            monkeypatch.setattr(runtime, "_READ_AHEAD", True)
            monkeypatch.setenv("WELLLED_XL_READ_AHEAD_MB", "0")
            got = read_ahead(path, scan)
            if isinstance(got, Reader):
                then(got)
                os._exit(5)
            code = 0 if got == "the scan" else 4
        except errors.NotAWorkbook:
            code = 3
        finally:
            os._exit(code)
    if meanwhile is not None:
        meanwhile(pid)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_a_reader_killed_before_the_verdict_leaves_the_reading_to_the_guardian(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"x")

    def crash(reader: Reader) -> None:  # the parser aborting on what the scan lets through
        os.kill(os.getpid(), signal.SIGKILL)  # SIGABRT would wake pytest's faulthandler

    assert _fork_reader(monkeypatch, path, lambda: "the scan", crash) == 0


def test_a_refusal_kills_the_reader_and_is_raised_by_the_guardian(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"x")
    marker = tmp_path / "reader-finished"

    def refuse() -> str:
        raise errors.NotAWorkbook(path, "refused")

    def slow(reader: Reader) -> None:
        reader.verdict()  # never comes: the guardian kills the reader first
        marker.write_text("the reader went on")

    assert _fork_reader(monkeypatch, path, refuse, slow) == 3
    assert not marker.exists()


def test_a_passing_scan_ends_the_guardian_with_the_readers_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"x")

    def finish(reader: Reader) -> None:
        assert reader.verdict() == "the scan"
        sys.stdout.flush()
        os._exit(7)  # the run's own exit code

    assert _fork_reader(monkeypatch, path, lambda: "the scan", finish) == 7


def test_a_guardian_told_to_stop_stops_its_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduler's SIGTERM reaches the process it started, the guardian: the reader must
    not go on to write a paper no one waits for."""
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"x")
    pid_file = tmp_path / "reader-pid"

    def long_scan() -> str:
        time.sleep(60)  # far longer than the test waits: only SIGTERM ends it
        return "the scan"

    def wait(reader: Reader) -> None:
        pid_file.write_text(str(os.getpid()))
        reader.verdict()

    def stop(guardian: int) -> None:
        deadline = time.monotonic() + 20
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)  # the guardian is in its scan by now
        os.kill(guardian, signal.SIGTERM)

    started = time.monotonic()
    code = _fork_reader(monkeypatch, path, long_scan, wait, meanwhile=stop)
    assert code == 128 + signal.SIGTERM
    assert time.monotonic() - started < 30
    with pytest.raises(ProcessLookupError):  # killed, and reaped by the guardian
        os.kill(int(pid_file.read_text()), 0)


def _read_sheets_ahead(path: Path) -> int:
    """`read_sheets` of `path` in a process of its own, told it ends with its run and may
    read ahead, as `validate` is. Exit codes: 0 the rows read in a forked reader equal the
    plain order's; 6 they differ; 8 no reader was forked; 3 the guardian raised a refusal;
    4 anything else."""
    from wellled_xl.read import read_sheets

    try:
        plain = read_sheets(path)
    except errors.WellledError:
        plain = None  # refused in the plain order too
    command = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 4
        try:
            runtime.process_ends_with_run()
            runtime.read_ahead_once()
            os.environ["WELLLED_XL_READ_AHEAD_MB"] = "0"
            got = read_sheets(path)  # a passing scan: only the reader comes back here
            # The reader is the child of this process, which the test process forked.
            code = 8 if os.getppid() == command else (0 if got == plain else 6)
        except errors.WellledError:
            code = 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.parametrize(
    "case_id",
    ["hidden-rows-columns-sheets", "dates-1900-to-9999-and-beyond", "stray-cell-row-1000000"],
)
def test_a_forked_reader_reads_the_rows_the_plain_order_reads(case_id: str, tmp_path: Path) -> None:
    """Not only the same answers: they come from a reader that was forked (a process whose
    parent is the one that called `read_sheets`, not that process itself)."""
    assert _read_sheets_ahead(build_case(case_id, tmp_path)) == 0


def test_a_refused_file_is_refused_by_the_process_that_read_it(tmp_path: Path) -> None:
    assert _read_sheets_ahead(build_case("cell-beyond-row-limit", tmp_path)) == 3


@pytest.fixture(scope="module")
def log_of_3000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A trust's log long enough that its run is still reading a second after it starts."""
    rows = [
        [f"{i // 50 + 1}.{i % 50 + 1:02d}", f"Action {i}", "RG", "31/03/2019", "", "On track",
         "A/G" if i % 4 else "AG"]
        for i in range(3000)
    ]  # fmt: skip
    return trust_tracker(tmp_path_factory.mktemp("ctrl-c") / "log.xlsx", rows)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.parametrize("command", ["validate", "build"])
def test_ctrl_c_while_reading_ahead_ends_both_processes_with_one_line(
    command: str, log_of_3000: Path, tmp_path: Path
) -> None:
    """Ctrl-C reaches the terminal's whole process group: the guardian and its reader. The
    run ends with 130 and "interrupted", said once, no half report on stdout, no paper or
    temporary file left, and no process of the run still alive."""
    out = tmp_path / "out"
    out.mkdir()
    args = ["--json"] if command == "validate" else ["-o", str(out / "paper.xlsx")]
    run = subprocess.Popen(
        [sys.executable, "-m", "wellled_xl", command, str(log_of_3000), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), **AHEAD},
        start_new_session=True,  # a group of its own, as a terminal gives a command
        # A terminal's command takes Ctrl-C; one started in the background by a shell
        # inherits it ignored (CI runs the suite so), and Python then leaves it ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not _children(run.pid) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert _children(run.pid), "no reader was forked"
    time.sleep(0.2)  # the reader is parsing, the guardian scanning
    os.killpg(run.pid, signal.SIGINT)
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    assert stderr == "wellled-xl: interrupted\n"
    assert stdout == ""
    assert not list(out.iterdir())
    with pytest.raises(ProcessLookupError):  # the group is gone: no reader left behind
        os.killpg(run.pid, 0)
