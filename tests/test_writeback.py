"""Writing statuses into a tracker's Check column: only there, only when safe, never half done."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hostile import cfb, openpyxl_tracker, tracker_rows
from trackers import read_sheets, run_cli

import wellled_xl.writeback as writeback
from wellled_xl import errors
from wellled_xl.pipeline import check_tracker
from wellled_xl.report import check_text
from wellled_xl.template import write_sample_tracker
from wellled_xl.writeback import stamp_tracker

AS_AT = date(2019, 9, 30)
ACTIONS_CHECK = 11  # the Check column of the controlled Actions sheet (L), 0-based
FINDINGS_CHECK = 9  # and of Findings (J)


def _without_check(sheets: dict[str, list[list[object]]]) -> dict[str, list[list[object]]]:
    """Every cell but the Check columns below their headers, trailing blanks trimmed."""
    out = {}
    for name, rows in sheets.items():
        check = {"Actions": ACTIONS_CHECK, "Findings": FINDINGS_CHECK}.get(name)
        kept = []
        for index, row in enumerate(rows):
            cells = [v for c, v in enumerate(row) if not (c == check and index > 0)]
            while cells and cells[-1] == "":
                cells.pop()
            kept.append(cells)
        while kept and not kept[-1]:
            kept.pop()
        out[name] = kept
    return out


def _folder(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return write_sample_tracker(tmp_path / "trackers" / "sample.xlsx")


def test_each_row_gets_its_status_and_nothing_else_changes(sample: Path) -> None:
    before_bytes = sample.read_bytes()
    before = read_sheets(sample)
    report = check_tracker(sample, AS_AT)

    backup = stamp_tracker(sample, report)

    assert backup.parent == sample.parent
    assert backup.name.startswith("sample.backup-") and backup.suffix == ".xlsx"
    assert backup.read_bytes() == before_bytes
    after = read_sheets(sample)
    assert _without_check(after) == _without_check(before)
    statuses = {}
    for record in report.tracker.records:
        column = ACTIONS_CHECK if record.sheet == "Actions" else FINDINGS_CHECK
        statuses[(record.sheet, record.values["ref"])] = after[record.sheet][record.row - 1][column]
    assert statuses[("Actions", "W1a")] == "✓"
    assert statuses[("Actions", "W1b")].startswith("✗ RAG 'R' is not on this tracker")
    assert statuses[("Findings", "2")].startswith("✗ RAG 'AG'")
    assert statuses[("Findings", "2")].endswith("→ Did you mean 'A/G'?")
    # The very words the Excel button writes into the open workbook.
    for record in report.tracker.records:
        found = [f for f in report.findings if (f.sheet, f.row) == (record.sheet, record.row)]
        assert statuses[(record.sheet, record.values["ref"])] == check_text(found)
    assert len(statuses) == len(report.tracker.records)
    # The stamped tracker reads and validates exactly as before.
    again = check_tracker(sample, AS_AT)
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in report.findings]
    assert _folder(sample) == {"sample.xlsx", backup.name}


def test_stale_statuses_are_cleared_and_a_leads_note_is_kept(sample: Path) -> None:
    book = openpyxl.load_workbook(sample)
    book["Actions"].cell(90, ACTIONS_CHECK + 1, "✗ from a row deleted since")
    book["Actions"].cell(91, ACTIONS_CHECK + 1, "see the minutes of 3 May")
    book.save(sample)
    assert read_sheets(sample)["Actions"][89][ACTIONS_CHECK].startswith("✗")
    stamp_tracker(sample, check_tracker(sample, AS_AT))
    rows = read_sheets(sample)["Actions"]
    assert rows[89][ACTIONS_CHECK] == ""
    assert rows[90][ACTIONS_CHECK] == "see the minutes of 3 May"


def test_a_backup_folder_and_two_runs_in_one_second(sample: Path, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    first = stamp_tracker(sample, check_tracker(sample, AS_AT), backup_dir=backups)
    second = stamp_tracker(sample, check_tracker(sample, AS_AT), backup_dir=backups)
    assert first.parent == second.parent == backups
    assert first != second and first.exists() and second.exists()
    assert writeback.BACKUP_NAME.fullmatch(first.name) and writeback.BACKUP_NAME.fullmatch(
        second.name
    )


def test_an_xlsm_keeps_its_vba_project(tmp_path: Path) -> None:
    tracker = _as_xlsm(write_sample_tracker(tmp_path / "sample.xlsx"))
    with zipfile.ZipFile(tracker) as archive:
        vba = archive.read("xl/vbaProject.bin")
    stamp_tracker(tracker, check_tracker(tracker, AS_AT))
    with zipfile.ZipFile(tracker) as archive:
        assert archive.read("xl/vbaProject.bin") == vba
        assert b"macroEnabled" in archive.read("[Content_Types].xml")
    assert read_sheets(tracker)["Actions"][1][ACTIONS_CHECK] == "✓"


def _as_xlsm(path: Path) -> Path:
    """The sample tracker as Excel saves a macro-enabled workbook: a VBA project part."""
    target = path.with_suffix(".xlsm")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            data = source.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                    b"</Types>",
                )
            if name == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
                    b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
                )
            out.writestr(name, data)
        out.writestr("xl/vbaProject.bin", cfb({"VBA": b"Sub Auto_Open()\r\nEnd Sub\r\n"}))
    path.unlink()
    return target


# --- Refusals: the tracker is left byte for byte, no backup, no temporary file ------------------


def _refused(tracker: Path, exc_type: type[errors.WellledError], match: str, **kwargs) -> None:
    before = tracker.read_bytes()
    folder = _folder(tracker)
    report = kwargs.pop("report", None) or check_tracker(tracker, AS_AT)
    with pytest.raises(exc_type, match=match):
        stamp_tracker(tracker, report, **kwargs)
    assert tracker.read_bytes() == before
    assert _folder(tracker) == folder


def test_refused_while_excel_has_it_open(sample: Path) -> None:
    owner = sample.with_name("~$sample.xlsx")
    owner.write_bytes(b"\x0bJane Smith")
    _refused(sample, errors.FileBusy, r"open in Excel \(~\$sample.xlsx")
    assert errors.FileBusy.exit_code == errors.EXIT_BUSY


def test_refused_while_libreoffice_has_it_open(sample: Path) -> None:
    sample.with_name(".~lock.sample.xlsx#").write_text("jane,host,...", encoding="utf-8")
    _refused(sample, errors.FileBusy, "open in LibreOffice")


@pytest.mark.skipif(os.name == "nt", reason="POSIX record locks")
def test_refused_while_another_process_locks_the_file(sample: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            f"f = open({str(sample)!r}, 'r+b'); fcntl.lockf(f, fcntl.LOCK_EX)\n"
            "print('locked', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        _refused(sample, errors.FileBusy, "holds a lock")
    finally:
        holder.kill()
        holder.wait()


def test_refused_without_a_check_column(tmp_path: Path) -> None:
    tracker = openpyxl_tracker(
        tmp_path / "trust.xlsx",
        tracker_rows(["W1a", "W1", "Coaching", date(2019, 3, 31), None, "RG", "m", "ok", "A/G"]),
    )
    _refused(tracker, errors.UnsafeWrite, "has no Check column")


def test_refused_for_another_trackers_report(sample: Path, tmp_path: Path) -> None:
    other = write_sample_tracker(tmp_path / "other.xlsx")
    _refused(sample, errors.UnsafeWrite, "report is for", report=check_tracker(other, AS_AT))


def test_refused_when_the_tracker_changed_since_validation(sample: Path) -> None:
    report = check_tracker(sample, AS_AT)
    book = openpyxl.load_workbook(sample)
    book["Actions"]["I2"] = "A lead's new update, saved after validation"
    book.save(sample)
    _refused(sample, errors.UnsafeWrite, r"cell I2 changed since", report=report)


# What openpyxl would drop: a part found by its name, or markup in a sheet.
DRAWING = (
    b'<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"/>'
)
X14_VALIDATION = (
    b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    b'<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b'<x14:dataValidation type="list"><x14:formula1><xm:f>Leads!$A$2:$A$9</xm:f></x14:formula1>'
    b"<xm:sqref>G2:G9</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>"
)
SPARKLINES = (
    b'<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    b"<x14:sparklineGroups/></ext></extLst>"
)
DROPPED = {
    "drawing": ({"xl/drawings/drawing1.xml": DRAWING}, None, "drawings"),
    "picture": ({"xl/media/image1.png": b"\x89PNG\r\n"}, None, "pictures"),
    "chart": ({"xl/charts/chart1.xml": b"<c:chartSpace/>"}, None, "charts"),
    "pivot-table": ({"xl/pivotTables/pivotTable1.xml": b"<pivotTableDefinition/>"}, None, "pivot"),
    "pivot-cache": ({"xl/pivotCache/pivotCacheDefinition1.xml": b"<x/>"}, None, "pivot"),
    "slicer": ({"xl/slicers/slicer1.xml": b"<slicers/>"}, None, "slicers"),
    "timeline": ({"xl/timelines/timeline1.xml": b"<timelines/>"}, None, "timelines"),
    "threaded-comments": (
        {"xl/threadedComments/threadedComment1.xml": b"<ThreadedComments/>"},
        None,
        "threaded comments",
    ),
    "form-control": ({"xl/ctrlProps/ctrlProp1.xml": b"<formControlPr/>"}, None, "form controls"),
    "external-link": (
        {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"},
        None,
        "links to other workbooks",
    ),
    "custom-xml": ({"customXml/item1.xml": b"<root/>"}, None, "custom XML"),
    "legacy-notes": ({"xl/comments1.xml": b"<comments/>"}, None, "cell notes"),
    "x14-data-validation": ({}, X14_VALIDATION, "data validation lists from other sheets"),
    "sparklines": ({}, SPARKLINES, "sparklines"),
    "unknown-extension": ({}, b"<extLst><ext uri='{X}'/></extLst>", "Excel extensions"),
    "formula": ({}, b"", "formulas"),
}


@pytest.mark.parametrize("kind", list(DROPPED))
def test_refused_when_openpyxl_would_drop_something(kind: str, sample: Path) -> None:
    parts, sheet_xml, words = DROPPED[kind]
    _rewrite(sample, parts, sheet_xml, formula=kind == "formula")
    _refused(
        sample,
        errors.UnsafeWrite,
        f"holds {words}.*sheet 'Actions'" if sheet_xml is not None else words,
    )


def _rewrite(path: Path, parts: dict[str, bytes], sheet_xml: bytes | None, formula: bool) -> None:
    """Add parts to the zip, XML at the end of the Actions sheet, or a formula cell."""
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    sheet = entries["xl/worksheets/sheet1.xml"]
    if sheet_xml:
        sheet = sheet.replace(b"</worksheet>", sheet_xml + b"</worksheet>")
    if formula:
        # A cell the lead filled with a formula (and its value, as Excel saves it).
        sheet = sheet.replace(b'<c r="K2" s=', b'<c r="K2" t="str" s=', 1)
        start = sheet.index(b'<c r="K2"')
        end = sheet.index(b">", start) + 1
        if sheet[end - 2 : end] == b"/>":
            sheet = sheet[: end - 2] + b"><f>TODAY()</f><v>x</v></c>" + sheet[end:]
        else:
            sheet = sheet[:end] + b"<f>TODAY()</f>" + sheet[end:]
    entries["xl/worksheets/sheet1.xml"] = sheet
    entries.update(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


# --- Faults between writing and replacing: the original survives byte for byte ------------------


def _assert_untouched(tracker: Path, before: bytes) -> None:
    """The tracker as it was; no temporary file, no backup of a write that did not happen."""
    assert tracker.read_bytes() == before
    assert _folder(tracker) - {f"~${tracker.name}"} == {tracker.name}


def test_a_writer_that_loses_a_cell_is_caught_by_the_comparison(sample: Path, monkeypatch) -> None:
    before = sample.read_bytes()
    save = openpyxl.Workbook.save

    def lossy_save(book, filename):
        book["Findings"]["G3"] = None  # a lead's progress update, silently lost
        save(book, filename)

    monkeypatch.setattr(openpyxl.Workbook, "save", lossy_save)
    with pytest.raises(errors.UnsafeWrite, match=r"sheet 'Findings' cell G3 from '.+' to ''"):
        stamp_tracker(sample, check_tracker(sample, AS_AT))
    _assert_untouched(sample, before)


def test_an_exception_between_write_and_compare_leaves_the_original(
    sample: Path, monkeypatch
) -> None:
    before = sample.read_bytes()

    def broken(*args):
        raise RuntimeError("injected fault after the temporary file was written")

    monkeypatch.setattr(
        writeback, "read_values", _fail_on_second_call(writeback.read_values, broken)
    )
    with pytest.raises(RuntimeError, match="injected fault"):
        stamp_tracker(sample, check_tracker(sample, AS_AT))
    _assert_untouched(sample, before)


def _fail_on_second_call(real, fault):
    calls = []

    def wrapper(*args):
        calls.append(args)
        return real(*args) if len(calls) == 1 else fault(*args)

    return wrapper


def test_disk_full_while_saving_leaves_the_original(sample: Path, monkeypatch) -> None:
    before = sample.read_bytes()
    save = openpyxl.Workbook.save

    def disk_full(book, filename):
        save(book, filename)
        with open(filename, "r+b") as handle:
            handle.truncate(100)  # half a file on disk, then the device is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(openpyxl.Workbook, "save", disk_full)
    with pytest.raises(errors.WellledError, match=r"No space left on device.*previous file"):
        stamp_tracker(sample, check_tracker(sample, AS_AT))
    _assert_untouched(sample, before)


def test_a_save_by_a_lead_during_the_write_wins(sample: Path, monkeypatch) -> None:
    compare = writeback.compare_stamped

    def lead_saves_meanwhile(source, *args):
        compare(source, *args)
        source.write_bytes(source.read_bytes())  # same bytes: the digest must still match
        time.sleep(0)
        with zipfile.ZipFile(source, "a") as archive:
            archive.writestr("docProps/custom-note.txt", "saved by a lead")

    monkeypatch.setattr(writeback, "compare_stamped", lead_saves_meanwhile)
    with pytest.raises(errors.FileBusy, match="changed while"):
        stamp_tracker(sample, check_tracker(sample, AS_AT))
    with zipfile.ZipFile(sample) as archive:
        assert "docProps/custom-note.txt" in archive.namelist()  # the lead's save is kept
    assert _folder(sample) == {sample.name}


def test_excel_opening_it_during_the_write_stops_the_replace(sample: Path, monkeypatch) -> None:
    before = sample.read_bytes()
    compare = writeback.compare_stamped

    def excel_opens_it(source, *args):
        compare(source, *args)
        source.with_name(f"~${source.name}").write_bytes(b"owner")

    monkeypatch.setattr(writeback, "compare_stamped", excel_opens_it)
    with pytest.raises(errors.FileBusy, match="open in Excel"):
        stamp_tracker(sample, check_tracker(sample, AS_AT))
    _assert_untouched(sample, before)


# --- refresh --stamp-tracker ------------------------------------------------------------------


def _refresh(*args: str) -> subprocess.CompletedProcess:
    return run_cli("refresh", "--as-at", "2019-09-30", "--json", *args, timeout=60)


def test_refresh_writes_into_a_tracker_only_with_stamp_tracker(
    sample: Path, tmp_path: Path
) -> None:
    before = sample.read_bytes()
    pack = tmp_path / "pack"
    plain = _refresh(str(sample), "--out-dir", str(pack))
    assert plain.returncode == errors.EXIT_FINDINGS, plain.stderr
    assert sample.read_bytes() == before

    stamped = _refresh(str(sample), "--out-dir", str(pack), "--stamp-tracker")
    assert stamped.returncode == errors.EXIT_FINDINGS, stamped.stderr
    (entry,) = json.loads(stamped.stdout)["trackers"]
    (backup,) = sample.parent.glob("sample.backup-*.xlsx")
    assert backup.read_bytes() == before
    assert {str(sample), str(backup)} <= set(entry["files"])
    assert read_sheets(sample)["Actions"][1][ACTIONS_CHECK] == "✓"
    # A later run over the folder does not take the backup for a tracker.
    again = _refresh(str(sample.parent / "*.xlsx"), "--out-dir", str(pack))
    assert [t["tracker"] for t in json.loads(again.stdout)["trackers"]] == [str(sample)]


def test_refresh_stamp_tracker_while_excel_has_it_open_exits_4(
    sample: Path, tmp_path: Path
) -> None:
    before = sample.read_bytes()
    sample.with_name("~$sample.xlsx").write_bytes(b"owner")
    pack = tmp_path / "pack"
    result = _refresh(str(sample), "--out-dir", str(pack), "--stamp-tracker")
    assert result.returncode == errors.EXIT_BUSY, result.stderr
    (entry,) = json.loads(result.stdout)["trackers"]
    assert "statuses not written into the tracker" in entry["error"]
    assert "open in Excel" in entry["error"]
    assert list(pack.glob("*_board_paper_2019-09-30.xlsx"))  # the board still gets its paper
    assert sample.read_bytes() == before
    assert _folder(sample) == {"sample.xlsx", "~$sample.xlsx"}


def test_a_sparse_tracker_is_stamped_and_read_back_cell_by_cell(tmp_path: Path) -> None:
    """A one-action log with a Check column and a stray cell in Excel's very last cell,
    XFD1048576: the statuses are read back as validation reads the tracker (python-calamine
    asked for that sheet's whole used range tried to hold 17 billion cells and aborted the
    run), and the stray cell is kept."""
    from hostile import NS, ROW, RawSheet, raw_xlsx, sheet_data

    rows = [*tracker_rows(ROW)]
    rows[0] = [*rows[0], "Check"]
    stray = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
        + sheet_data(rows).replace("</sheetData>", f"{stray}</sheetData>")
        + "</worksheet>"
    )
    tracker = raw_xlsx(tmp_path / "log.xlsx", [RawSheet("Actions", xml=xml)])
    run = run_cli(
        "refresh", str(tracker), "--out-dir", str(tmp_path / "out"), "--as-at", "2019-09-30",
        "--stamp-tracker", timeout=120,
    )  # fmt: skip
    assert run.returncode == errors.EXIT_OK, run.stderr[-2000:]
    sheet = openpyxl.load_workbook(tracker)["Actions"]  # cell by cell, not a used range
    assert (sheet["J2"].value, sheet["XFD1048576"].value) == (check_text([]), "x")
