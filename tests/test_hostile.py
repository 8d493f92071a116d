"""Hostile and broken inputs through validate, build and refresh: findings or one clear line.

Each case of the corpus (tests/hostile.py) is built into a temporary folder and run
through the real command line in subprocesses with a timeout (a hang is a failure) and
2 GB of address space (a runaway allocation is a failure). Refused inputs must exit 2
with a single ``wellled-xl: <file>: <reason>`` line; inputs that can be read must be read
(exit 0 or 1). Never a traceback, never a crash, never an internal error (exit 70).

The `bounded` cases are held to what a trust's laptop gives: `validate` and `build` each
within 20 s of wall time and 400 MB of peak resident memory, measured on the command's
own process (its ``ru_maxrss``, as a wrapper that waits for it reads it: address space
is no measure, Python reserves far more than it uses), and a paper that openpyxl and
LibreOffice open. They are built and run once a session in two halves (`bounded_run`),
one command at a time, and each half's papers are opened by one LibreOffice; a worker
that needs a half the other is running runs the other half meanwhile, so neither waits
on the other for long.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from hostile import CASES, INJECTIONS, NS, ROW, RawSheet, build_case, cfb, raw_xlsx, tracker_rows

from wellled_xl import errors
from wellled_xl.preflight import Limits, check_workbook

AS_AT = "2019-09-30"
# What a case's reading must show besides the common checks: its report, output folder
# and temporary folder.
Check = Callable[[dict, Path, Path], None]
TIMEOUT = 30  # seconds for one command on one input
BIG_TIMEOUT = 90  # the 50,000-row case: validate ~5 s, build ~12 s on 2 cores
MEMORY = 2 * 1024**3
DOCUMENTED_EXIT_CODES = {code.code for code in errors.EXIT_CODES} - {errors.EXIT_INTERNAL}
BOUND_SECONDS = 20  # wall time of one command on a bounded case
BOUND_MB = 400  # its peak resident memory
# Runs a command as its child; writes the child's wall time, peak RSS (KB) and exit code.
MEASURE = (
    "import resource, subprocess, sys, time\n"
    "start = time.monotonic()\n"
    "code = subprocess.run(sys.argv[2:]).returncode\n"
    "seconds = time.monotonic() - start\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "with open(sys.argv[1], 'w') as usage:\n"
    "    usage.write(f'{seconds} {peak} {code}')\n"
)


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _run_all(
    commands: dict[str, list[str]],
    env: dict[str, str],
    timeout: float,
    measure_in: Path | None = None,
) -> dict:
    """Run the commands side by side (two cores); {name: CompletedProcess}. With
    `measure_in`, each runs under MEASURE, which leaves ``<name>.usage`` there."""
    environment = {**os.environ, **env, "NO_COLOR": "1"}

    def argv(name: str, args: list[str]) -> list[str]:
        command = [sys.executable, "-m", "wellled_xl", *args]
        if measure_in is None:
            return command
        return [sys.executable, "-c", MEASURE, str(measure_in / f"{name}.usage"), *command]

    running = {
        name: subprocess.Popen(
            argv(name, args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=environment,
            preexec_fn=_bounded,
        )
        for name, args in commands.items()
    }
    done = {}
    try:
        for name, process in running.items():
            try:
                stdout, stderr = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                pytest.fail(f"{name} hung: no answer within {timeout} s")
            code = process.returncode
            if measure_in is not None:  # the command's own exit code, as MEASURE saw it
                code = int((measure_in / f"{name}.usage").read_text().split()[2])
            done[name] = subprocess.CompletedProcess(process.args, code, stdout, stderr)
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return done


def _commands(tracker: Path, out: Path, big: bool) -> dict[str, list[str]]:
    commands = {
        "validate": ["validate", str(tracker), "--as-at", AS_AT, "--json"],
        "build": ["build", str(tracker), "--as-at", AS_AT, "-o", str(out / "paper.xlsx")],
    }
    if not big:
        refresh_dir = out / "refresh"
        commands["refresh"] = [
            "refresh", str(tracker), "--as-at", AS_AT, "--out-dir", str(refresh_dir), "--json"
        ]  # fmt: skip
    return commands


BOUNDED = [case_id for case_id, case in CASES.items() if case.bounded]
HALVES = 2


def _half(case_id: str) -> int:
    """Which half of the bounded cases `case_id` is run in (every other one)."""
    return BOUNDED.index(case_id) % HALVES


@pytest.fixture
def bounded_run(case_id: str, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The folder of the bounded case's half: every case of the half built and run once a
    session, its validate and build measured, their results in ``runs.json``, every paper
    of the half opened by one LibreOffice (``libreoffice.json``). Whichever xdist worker
    needs a half first runs it; a worker that finds its half under way runs the other
    half, if nobody has begun it, before it waits."""
    root = tmp_path_factory.getbasetemp()
    root = root if worker_id == "master" else root.parent  # shared by the workers
    half = _half(case_id)
    if not _run_half(root, half, wait=False):
        for other in range(HALVES):
            if other != half:
                _run_half(root, other, wait=False)
        _run_half(root, half, wait=True)
    return root / f"hostile-bounded-{half}"


def _run_half(root: Path, half: int, wait: bool) -> bool:
    """Run the half unless it is run already; False (without `wait`) if another worker
    is running it now."""
    folder = root / f"hostile-bounded-{half}"
    with open(root / f"hostile-bounded-{half}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        if not (folder / "libreoffice.json").exists():
            _run_bounded(folder, [case_id for case_id in BOUNDED if _half(case_id) == half])
    return True


def _run_bounded(folder: Path, case_ids: list[str]) -> None:
    runs = {}
    for case_id in case_ids:
        case = CASES[case_id]
        tracker = build_case(case_id, folder / case_id / "in")
        out = folder / case_id / "out"
        out.mkdir(parents=True)
        results = {}  # one command at a time: each is timed with no other beside it
        for name, args in _commands(tracker, out, big=True).items():  # validate and build
            results |= _run_all({name: args}, case.env, TIMEOUT, measure_in=out)
        runs[case_id] = {
            "tracker": str(tracker),
            **{
                name: {
                    "code": result.returncode,
                    "stdout": result.stdout,
                    "stderr": result.stderr,
                    "seconds": float((out / f"{name}.usage").read_text().split()[0]),
                    "peak_mb": int((out / f"{name}.usage").read_text().split()[1]) / 1024,
                }
                for name, result in results.items()
            },
        }
    (folder / "runs.json").write_text(json.dumps(runs), encoding="utf-8")
    libreoffice = _open_in_libreoffice(folder, case_ids)
    (folder / "libreoffice.json").write_text(json.dumps(libreoffice))


def _open_in_libreoffice(folder: Path, case_ids: list[str]) -> dict[str, bool | None]:
    """{case: whether LibreOffice opened its paper (None: no LibreOffice here)}: one
    soffice converts every paper to CSV, which it can only do from a loaded workbook."""
    papers = {c: folder / c / "out" / "paper.xlsx" for c in case_ids}
    papers = {c: paper for c, paper in papers.items() if paper.exists()}
    soffice = shutil.which("soffice")
    if soffice is None:
        return dict.fromkeys(papers)
    given = folder / "libreoffice" / "in"
    given.mkdir(parents=True)
    for case_id, paper in papers.items():
        shutil.copy(paper, given / f"{case_id}.xlsx")
    converted = folder / "libreoffice" / "out"
    subprocess.run(
        [soffice, f"-env:UserInstallation={(folder / 'libreoffice' / 'profile').as_uri()}",
         "--headless", "--norestore", "--convert-to", "csv", "--outdir", str(converted),
         *sorted(str(path) for path in given.iterdir())],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    return {
        case_id: (converted / f"{case_id}.csv").exists()
        and (converted / f"{case_id}.csv").stat().st_size > 0
        for case_id in papers
    }


def _bounded_results(case_id: str, folder: Path) -> tuple[dict, Path, Path]:
    """A bounded case's validate and build, as `_run_all` gives them (refresh, the same
    pipeline, is left out to keep the suite short), its out folder and its tracker."""
    run = json.loads((folder / "runs.json").read_text(encoding="utf-8"))[case_id]
    results = {
        name: subprocess.CompletedProcess([], run[name]["code"], run[name]["stdout"],
                                          run[name]["stderr"])
        for name in ("validate", "build")
    }  # fmt: skip
    return results, folder / case_id / "out", Path(run["tracker"])


@pytest.mark.parametrize("case_id", list(CASES))
def test_hostile_input(case_id: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    case = CASES[case_id]
    out = tmp_path / "out"
    out.mkdir()
    if case.bounded:  # validate and build already run, measured, in bounded_run
        results, out, tracker = _bounded_results(case_id, request.getfixturevalue("bounded_run"))
    else:
        tracker = build_case(case_id, tmp_path / "in")
        results = _run_all(
            _commands(tracker, out, case.big), case.env, BIG_TIMEOUT if case.big else TIMEOUT
        )
    for name, result in results.items():
        where = f"{name} on {case_id}: exit {result.returncode}\n{result.stderr[-2000:]}"
        assert result.returncode >= 0, f"killed by signal {-result.returncode}: {where}"
        assert "Traceback" not in result.stderr, where
        assert result.returncode in DOCUMENTED_EXIT_CODES, where
        if case.expect == "refused":
            assert result.returncode == errors.EXIT_UNUSABLE, where
            _assert_refusal(name, result, tracker, case.words)
        else:
            assert result.returncode in (errors.EXIT_OK, errors.EXIT_FINDINGS), where
    if case.expect == "refused":
        assert not (out / "paper.xlsx").exists()
        return
    report = json.loads(results["validate"].stdout)
    rules = {finding["rule"] for finding in report["findings"]}
    assert report["summary"]["actions"] >= 1 or "no-actions" in rules
    paper = python_calamine.CalamineWorkbook.from_path(str(out / "paper.xlsx"))
    assert paper.sheet_names
    if "refresh" in results:
        summary = json.loads(results["refresh"].stdout)
        assert [t["result"] for t in summary["trackers"]] in (["clean"], ["findings"])
    CHECKS.get(case_id, lambda *_: None)(report, out, tmp_path)


@pytest.mark.parametrize("case_id", BOUNDED)
def test_bounded_case_keeps_to_20_s_and_400_mb(case_id: str, bounded_run: Path) -> None:
    """validate and build each within 20 s and 400 MB; findings (validate --json) or one
    line; a paper that openpyxl and LibreOffice open."""
    run = json.loads((bounded_run / "runs.json").read_text(encoding="utf-8"))[case_id]
    for name in ("validate", "build"):
        result = run[name]
        where = (
            f"{name} on {case_id}: exit {result['code']}, {result['seconds']:.1f} s, "
            f"{result['peak_mb']:.0f} MB\n{result['stderr'][-2000:]}"
        )
        assert result["seconds"] <= BOUND_SECONDS, where
        assert result["peak_mb"] <= BOUND_MB, where
        assert result["code"] in DOCUMENTED_EXIT_CODES, where
        assert "Traceback" not in result["stderr"] and "panicked" not in result["stderr"], where
        lines = [line for line in result["stderr"].splitlines() if line.strip()]
        if result["code"] == errors.EXIT_UNUSABLE:
            assert len(lines) == 1 and lines[0].startswith("wellled-xl: "), where
        else:
            assert not lines, where
    if run["validate"]["code"] != errors.EXIT_UNUSABLE:
        assert json.loads(run["validate"]["stdout"])["findings"], "no finding at all"
        paper = bounded_run / case_id / "out" / "paper.xlsx"
        book = openpyxl.load_workbook(paper, read_only=True)  # 16,384 columns: streamed
        assert book.sheetnames and all(sum(1 for _ in book[n].iter_rows()) for n in book.sheetnames)
        book.close()
        opened = json.loads((bounded_run / "libreoffice.json").read_text())[case_id]
        if opened is None:
            pytest.skip("LibreOffice is not installed: the paper opened in openpyxl only")
        assert opened, f"LibreOffice could not open the paper of {case_id}"


def _assert_refusal(name: str, result, tracker: Path, words: tuple[str, ...]) -> None:
    """One line naming the file and the reason (refresh: its log line and its summary)."""
    if name == "refresh":
        summary = json.loads(result.stdout)
        (entry,) = summary["trackers"]
        assert entry["result"] == "unusable"
        line = entry["error"]
        assert str(tracker) in result.stderr and line in result.stderr
    else:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        (line,) = lines
        assert line.startswith(f"wellled-xl: {tracker}: "), line
    for word in words:
        assert word.lower() in line.lower(), (word, line)


# --- What some read cases must show, beyond "read" ----------------------------------------


def _cells_with_findings(report: dict) -> set[str]:
    return {f"{f['sheet']}!{f['cell']}" for f in report["findings"] if f["cell"]}


def _formula_errors_are_findings(report: dict, out: Path, tmp: Path) -> None:
    # An error value (#N/A, #REF!, #DIV/0!) reads as an empty cell: it must still be flagged.
    assert {"Actions!F2", "Actions!H2", "Actions!I2"} <= _cells_with_findings(report)


def _uncached_formulas_are_findings(report: dict, out: Path, tmp: Path) -> None:
    assert {"Actions!D2", "Actions!I2"} <= _cells_with_findings(report)


def _merged_cells_are_findings(report: dict, out: Path, tmp: Path) -> None:
    assert {"Actions!F3", "Actions!F4"} <= _cells_with_findings(report)


def _no_file_named_by_a_sheet(report: dict, out: Path, tmp: Path) -> None:
    names = {p.name for p in tmp.parent.rglob("*")}
    assert not names & {"x", "evil", "passwd", "..", "..\\..\\evil"}, names
    assert {f["sheet"] for f in report["findings"] if f["sheet"]} <= {"../x", "..\\..\\evil"}


def _long_text_kept_whole(report: dict, out: Path, tmp: Path) -> None:
    book = python_calamine.CalamineWorkbook.from_path(str(out / "paper.xlsx"))
    texts = {
        value
        for name in book.sheet_names
        for row in book.get_sheet_by_name(name).to_python()
        for value in row
        if isinstance(value, str)
    }
    assert "A" * 32_767 in texts
    assert "€" * 32_767 in texts


def _paper_texts(out: Path) -> set[str]:
    book = python_calamine.CalamineWorkbook.from_path(str(out / "paper.xlsx"))
    return {
        value
        for name in book.sheet_names
        for row in book.get_sheet_by_name(name).to_python()
        for value in row
        if isinstance(value, str)
    }


def _controls_kept(report: dict, out: Path, tmp: Path) -> None:
    from hostile import CONTROLS

    texts = _paper_texts(out)
    for text in CONTROLS:  # every progress update comes back as typed, controls and all
        assert f"Progress {text}".strip() in {t.strip() for t in texts}, repr(text)


def _truncation_said(report: dict, out: Path, tmp: Path) -> None:
    said = {f["cell"] for f in report["findings"] if f["rule"] == "text-too-long"}
    assert said == {"C2", "H2", "F3", "I3", "C4", "G4", "A5"}, said
    texts = _paper_texts(out)
    assert ("Recruit and train staff. " * 1700)[:32_767] in texts
    assert "🚑" * 16_383 in texts  # 32,766 UTF-16 units: no emoji cut in half


def _unreadable_numbers_said(report: dict, out: Path, tmp: Path) -> None:
    said = {f["cell"] for f in report["findings"] if f["rule"] == "number-unreadable"}
    assert {"D14", "D16", "D19", "D20", "D21", "D22"} <= said, said


def _formulas_said(report: dict, out: Path, tmp: Path) -> None:
    by_cell = {f["cell"]: f["rule"] for f in report["findings"] if f["cell"]}
    assert not {"D2", "E2", "I2"} & by_cell.keys()  # saved values: read as they show
    assert {by_cell.get(cell) for cell in ("D3", "E3", "I3")} == {"formula-no-value"}
    assert by_cell.get("D5") == by_cell.get("E5") == "cell-error"
    assert by_cell.get("E8") == "number-unreadable"


def _typed_formulas_said(report: dict, out: Path, tmp: Path) -> None:
    by_cell = {f["cell"]: f["rule"] for f in report["findings"] if f["cell"]}
    assert {cell: by_cell.get(cell) for cell in ("D2", "I2", "D4", "F4", "D5")} == dict.fromkeys(
        ("D2", "I2", "D4", "F4", "D5"), "formula-no-value"
    )
    assert by_cell.get("I3") == "required"  # the formula's result is empty text: empty
    assert "D3" not in by_cell  # its saved value is read


def _stray_row_said(report: dict, out: Path, tmp: Path) -> None:
    assert {f["row"] for f in report["findings"]} >= {1_000_000}


def _stray_text_said(cell: str) -> Check:
    def check(report: dict, out: Path, tmp: Path) -> None:
        # A lone word far below the last action is said where it is, not read as a heading,
        # and the one action is papered.
        assert report["reading"]["sheets"][0]["groups"] == []
        stray = [f for f in report["findings"] if f["rule"] == "stray-text"]
        assert [(f["cell"], f["value"]) for f in stray] == [(cell, "x")]
        assert report["summary"]["actions"] == 1
        assert "Leadership coaching" in _paper_texts(out)

    return check


def _dates_1904_read(report: dict, out: Path, tmp: Path) -> None:
    # Day 42000 of the 1904 system, whether the cell shows it as a date or as a number.
    due = {action["ref"]: action["due_date"] for action in report["overdue"]}
    assert due == {"W1a": "2018-12-28", "W1b": "2018-12-28", "W1c": "2019-04-07"}
    unread = {f["cell"]: f["message"] for f in report["findings"] if f["rule"] == "date-unreadable"}
    assert list(unread) == ["D5"] and '"5.0"' in unread["D5"]  # the number as typed
    assert "28 Dec 2018\n7 Apr 2019\n176 days overdue" in _paper_texts(out)


def _hidden_said(report: dict, out: Path, tmp: Path) -> None:
    # The hidden Progress column is the progress (printed, and said); the hidden row's
    # action is read and papered, and said.
    said = {f["rule"]: f for f in report["findings"] if f["rule"].startswith("hidden-")}
    assert said["hidden-column"]["cell"] == "H1"
    assert "read as the progress" in said["hidden-column"]["message"]
    assert said["hidden-rows"]["cell"] == "A3"
    assert "Hidden action" in _paper_texts(out)


CHECKS = {
    "hidden-rows-columns-sheets": _hidden_said,
    "control-characters-every-field": _controls_kept,
    "text-beyond-32767-characters": _truncation_said,
    "dates-1900-to-9999-and-beyond": _unreadable_numbers_said,
    "dates-in-the-1904-date-system": _dates_1904_read,
    "formulas-in-dates-and-status": _formulas_said,
    "formulas-typed-without-values": _typed_formulas_said,
    "stray-cell-row-1000000": _stray_row_said,
    "stray-text-in-ref-column-row-1000000": _stray_text_said("A1000000"),
    "stray-cell-row-1048576": _stray_text_said("A1048576"),
    "stray-cell-xfd1048576": _stray_text_said("XFD1048576"),
    "formula-error-values": _formula_errors_are_findings,
    "formulas-without-cached-values": _uncached_formulas_are_findings,
    "merged-cells-across-rows": _merged_cells_are_findings,
    "sheet-named-like-a-path": _no_file_named_by_a_sheet,
    "cells-32767-characters": _long_text_kept_whole,
}


# --- Nothing injected -----------------------------------------------------------------------


def test_board_paper_holds_injected_text_as_text_only(tmp_path: Path) -> None:
    """Every formula-like string comes back as the same text; no formula, no external link."""
    tracker = build_case("formula-injection-text", tmp_path)
    paper = tmp_path / "paper.xlsx"
    refresh_dir = tmp_path / "refresh"
    results = _run_all(
        {
            "build": ["build", str(tracker), "--as-at", AS_AT, "-o", str(paper)],
            "refresh": ["refresh", str(tracker), "--as-at", AS_AT, "--out-dir", str(refresh_dir)],
        },
        {},
        TIMEOUT,
    )
    assert {r.returncode for r in results.values()} <= {0, 1}
    outputs = [paper, *refresh_dir.glob("*.xlsx")]
    assert len(outputs) == 2
    for output in outputs:
        _assert_no_formula_or_link(output)
        book = python_calamine.CalamineWorkbook.from_path(str(output))
        texts = [
            value
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python()
            for value in row
            if isinstance(value, str)
        ]
        for injected in INJECTIONS:
            assert any(injected.strip() in text for text in texts), injected
    for document in refresh_dir.glob("*.json"):
        json.loads(document.read_text(encoding="utf-8"))  # plain data, whatever it holds


def _assert_no_formula_or_link(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            data = archive.read(name).decode("utf-8", "replace")
            if name.endswith(".rels"):
                assert 'TargetMode="External"' not in data, (path, name)
                assert "/hyperlink" not in data, (path, name)
            if name.startswith("xl/worksheets/"):
                formulas = re.findall(r"<f\b[^>]*>(.*?)</f>", data, re.S)
                for formula in formulas:
                    for injected in INJECTIONS:
                        assert injected.lstrip("\t=+-@")[:8] not in formula, (path, formula)
                assert "<hyperlink" not in data, (path, name)
        assert "xl/vbaProject.bin" not in archive.namelist()
        assert not any(n.startswith("xl/externalLinks/") for n in archive.namelist())


# --- The pre-flight check in process: its parts, each proven to matter ----------------------


def test_a_dtd_split_across_two_reads_is_still_found(tmp_path, monkeypatch) -> None:
    import wellled_xl.preflight as preflight

    tracker = build_case("external-entity-in-sheet", tmp_path)
    with zipfile.ZipFile(tracker) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    split_at = xml.index(b"<!DOCTYPE") + 4
    monkeypatch.setattr(preflight, "CHUNK", split_at)
    with pytest.raises(errors.NotAWorkbook, match="DOCTYPE"):
        check_workbook(tracker)


@pytest.mark.parametrize(
    ("workbook_pr", "date1904"),
    [
        ('<workbookPr date1904="1"/>', True),
        ('<workbookPr date1904="true"/>', True),
        ('<workbookPr date1904="0"/>', False),
        ('<workbookPr defaultThemeVersion="164011"/>', False),
        ("", False),
    ],
)
def test_the_scan_says_whether_a_workbook_counts_dates_from_1904(
    workbook_pr: str, date1904: bool, tmp_path: Path
) -> None:
    path = raw_xlsx(
        tmp_path / "t.xlsx", [RawSheet("Actions", tracker_rows(ROW))], workbook_pr=workbook_pr
    )
    assert check_workbook(path).date1904 is date1904


def test_limits_come_from_the_environment_and_bad_values_are_refused() -> None:
    limits = Limits.from_env({"WELLLED_XL_MAX_ROWS": "2_000_000", "WELLLED_XL_MAX_RATIO": " 50 "})
    assert (limits.max_rows, limits.max_ratio, limits.max_entries) == (2_000_000, 50, 10_000)
    for bad in ("lots", "0", "-5", "1.5"):
        with pytest.raises(errors.WellledError, match="WELLLED_XL_MAX_CELLS"):
            Limits.from_env({"WELLLED_XL_MAX_CELLS": bad})


def test_raising_a_limit_lets_a_big_workbook_through(tmp_path: Path) -> None:
    tracker = build_case("unpacked-over-limit", tmp_path)
    with pytest.raises(errors.LimitExceeded, match="WELLLED_XL_MAX_UNCOMPRESSED_MB"):
        check_workbook(tracker, Limits(max_uncompressed_mb=1))
    assert check_workbook(tracker, Limits(max_uncompressed_mb=6)).sheet_parts == {
        "Actions": "xl/worksheets/sheet1.xml"
    }


def test_rows_limit_counts_rows_and_names_the_sheet(tmp_path: Path) -> None:
    tracker = build_case("formula-error-values", tmp_path)  # one sheet: a header, an action
    scan = check_workbook(tracker)
    assert scan.sheet_of("xl/worksheets/sheet1.xml") == "Actions"
    assert check_workbook(tracker, Limits(max_rows=2))
    with pytest.raises(errors.LimitExceeded, match=r"sheet 'Actions'.*row 2, .* 1 rows.*MAX_ROWS"):
        check_workbook(tracker, Limits(max_rows=1))
    assert check_workbook(tracker, Limits(max_cells=18))
    with pytest.raises(errors.LimitExceeded, match=r"2 rows x 9 columns.*MAX_CELLS"):
        check_workbook(tracker, Limits(max_cells=17))


@pytest.mark.parametrize(
    ("cells", "limits", "refused"),
    [
        # Plain addresses in A to Z: only the high rows are read, exactly.
        ('<c r="A600000"><v>1</v></c>', Limits(max_cells=1_000_000), None),
        ('<c r="C600"><v>1</v></c>', Limits(max_cells=1_000), "600 rows x 3 columns"),
        # Sparse (a few cells, far down): read cell by cell, so its used range is no limit.
        ('<c r="C600000"><v>1</v></c>', Limits(max_cells=1_000_000), None),
        ('<c r="XFD1"><v>1</v></c><c r="A200000"><v>1</v></c>', Limits(), None),
        ('<c r="$B$2000000"><v>1</v></c>', Limits(), "row 2,000,000"),
        # A column past Z, or attributes written another way: every address is read.
        ('<c r="XFD1"><v>1</v></c><c r="A500"><v>1</v></c>', Limits(), None),
        ('<c r="XFD1"><v>1</v></c><c r="A700"><v>1</v></c>', Limits(), "700 rows x 16,384"),
        ("<c r='xfd1'><v>1</v></c><c r='A700'><v>1</v></c>", Limits(), "700 rows x 16,384"),
        ('<c r = "A1"><v>1</v></c><c r = "XFD700"><v>1</v></c>', Limits(), "700 rows x 16,384"),
        ('<c r="AB2000"><v>1</v></c>', Limits(max_cells=50_000), "2,000 rows x 28 columns"),
    ],
)
def test_the_used_range_is_bounded_however_its_addresses_are_written(
    tmp_path: Path, cells: str, limits: Limits, refused: str | None
) -> None:
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Ref</t></is></c></row>'
        f"<row>{cells}</row></sheetData></worksheet>"
    )
    tracker = raw_xlsx(tmp_path / "t.xlsx", [RawSheet("Actions", xml=xml)])
    if refused is None:
        assert check_workbook(tracker, limits).sheet_parts
    else:
        with pytest.raises(errors.LimitExceeded, match=re.escape(refused)):
            check_workbook(tracker, limits)


def test_ole_files_are_told_apart_by_their_streams(tmp_path: Path) -> None:
    other = tmp_path / "other.xlsx"
    other.write_bytes(cfb({"Contents": b"x"}))
    with pytest.raises(errors.NotAWorkbook, match="OLE compound file"):
        check_workbook(other)
    # A stream name in the data, not in a directory entry, does not count.
    decoy = tmp_path / "decoy.xls"
    decoy.write_bytes(cfb({"Workbook": b"..." + "EncryptionInfo".encode("utf-16-le") + b"\0\0"}))
    with pytest.raises(errors.NotAWorkbook, match=r"97-2003 workbook \(\.xls\)"):
        check_workbook(decoy)


def test_a_workbook_excel_would_open_passes_unchanged(tmp_path: Path) -> None:
    from wellled_xl.template import write_sample_tracker

    sample = write_sample_tracker(tmp_path / "sample.xlsx")
    before = sample.read_bytes()
    scan = check_workbook(sample)
    assert {"Actions", "Findings", "Leads", "Legend", "KLOE", "Settings"} <= set(scan.sheet_parts)
    assert sample.read_bytes() == before
