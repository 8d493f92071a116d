"""Hostile and broken inputs through validate, build and refresh: findings or one clear line.

Each case of the corpus (tests/hostile.py) is built into a temporary folder and run
through the real command line in subprocesses with a timeout (a hang is a failure) and
2 GB of address space (a runaway allocation is a failure). Refused inputs must exit 2
with a single ``wellled-xl: <file>: <reason>`` line; inputs that can be read must be read
(exit 0 or 1). Never a traceback, never a crash, never an internal error (exit 70).
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import python_calamine
from hostile import CASES, INJECTIONS, NS, RawSheet, build_case, cfb, raw_xlsx

from wellled_xl import errors
from wellled_xl.preflight import Limits, check_workbook

AS_AT = "2019-09-30"
TIMEOUT = 30  # seconds for one command on one input
BIG_TIMEOUT = 90  # the 100,000-row case: validate ~10 s, build ~35 s on 2 cores
MEMORY = 2 * 1024**3
DOCUMENTED_EXIT_CODES = {0, 1, 2, 3, 4}


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _run_all(commands: dict[str, list[str]], env: dict[str, str], timeout: float) -> dict:
    """Run the commands side by side (two cores); {name: CompletedProcess}."""
    environment = {**os.environ, **env, "NO_COLOR": "1"}
    running = {
        name: subprocess.Popen(
            [sys.executable, "-m", "wellled_xl", *args],
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
            done[name] = subprocess.CompletedProcess(
                process.args, process.returncode, stdout, stderr
            )
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


@pytest.mark.parametrize("case_id", list(CASES))
def test_hostile_input(case_id: str, tmp_path: Path) -> None:
    case = CASES[case_id]
    tracker = build_case(case_id, tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
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
    assert report["summary"]["actions"] >= 1
    paper = python_calamine.CalamineWorkbook.from_path(str(out / "paper.xlsx"))
    assert paper.sheet_names
    if "refresh" in results:
        summary = json.loads(results["refresh"].stdout)
        assert [t["result"] for t in summary["trackers"]] in (["clean"], ["findings"])
    CHECKS.get(case_id, lambda *_: None)(report, out, tmp_path)


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


CHECKS = {
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
        ('<c r="C600000"><v>1</v></c>', Limits(max_cells=1_000_000), "600,000 rows x 3 columns"),
        ('<c r="$B$2000000"><v>1</v></c>', Limits(), "row 2,000,000"),
        # A column past Z, or attributes written another way: every address is read.
        ('<c r="XFD1"><v>1</v></c><c r="A600"><v>1</v></c>', Limits(), None),
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
