"""Write each row's validation status into the tracker's Check column: opt-in, backed up, verified.

The file door to what the Excel button does in the open workbook: the same Check text
(``report.check_text``: "✓", or each problem, "✗" error, "⚠" warning), the same
rule for other rows (an earlier status is cleared, anything else is kept). The tracker
is the leads' work, so `stamp_tracker` writes one column and proves it did nothing else:

1. it refuses while the file is open (Excel's ``~$<name>`` owner file, LibreOffice's
   ``.~lock.<name>#``, or a lock another program holds on the file);
2. it refuses a workbook holding anything openpyxl would drop or change on saving
   (drawings, pictures, charts, pivot tables, slicers, form controls, threaded
   comments, x14 extensions, formulas whose values it cannot recalculate, external
   links, custom XML ...), naming what it found;
3. it copies a backup (``<stem>.backup-<YYYYmmdd-HHMMSS><suffix>``) beside the tracker
   or into `backup_dir` (removed again if the write does not happen);
4. it saves to a temporary file beside the tracker, reads that back as validation reads a
   tracker (python-calamine, a sparse sheet cell by cell) and compares every cell of every
   sheet with the original read the same way: only the Check cells may differ, and they
   must hold exactly the statuses written;
5. only then does it replace the tracker (an atomic rename), and only if the tracker
   is unchanged and still not open. Any failure leaves the original byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from wellled_xl import errors
from wellled_xl.cells import column_index, column_letter
from wellled_xl.headers import field_for
from wellled_xl.locks import owner_file
from wellled_xl.model import Record
from wellled_xl.preflight import WorkbookScan, check_workbook, iter_part
from wellled_xl.report import Report, check_text, is_check_text
from wellled_xl.safety import atomic_output

CHECK_FIELD = "check"
# A backup this module wrote: never to be taken for a tracker (refresh globs skip it).
BACKUP_NAME = re.compile(r".+\.backup-\d{8}-\d{6}(?:-\d+)?\.xls[xm]", re.IGNORECASE)
EXCEL_CELL_LIMIT = 32_767  # characters Excel keeps in a cell
HEADER_SEARCH_ROWS = 30
MACRO_SUFFIXES = (".xlsm", ".xltm")

# Parts openpyxl does not keep (or keeps only in part), by the folder or name they start with.
DROPPED_PARTS = (
    ("xl/drawings/", "drawings (shapes, text boxes, or the boxes of cell notes)"),
    ("xl/comments", "cell notes"),
    ("xl/threadedcomments/", "threaded comments"),
    ("xl/persons/", "threaded comments"),
    ("xl/media/", "pictures"),
    ("xl/embeddings/", "embedded objects"),
    ("xl/ctrlprops/", "form controls"),
    ("xl/activex/", "ActiveX controls"),
    ("xl/charts/", "charts"),
    ("xl/chartsheets/", "chart sheets"),
    ("xl/pivottables/", "pivot tables"),
    ("xl/pivotcache/", "pivot tables"),
    ("xl/slicers/", "slicers"),
    ("xl/slicercaches/", "slicers"),
    ("xl/timelines/", "timelines"),
    ("xl/timelinecaches/", "timelines"),
    ("xl/externallinks/", "links to other workbooks"),
    ("customxml/", "custom XML parts"),
    ("xl/querytables/", "queries"),
    ("xl/connections.xml", "data connections"),
    ("xl/model/", "a data model (Power Pivot)"),
    ("xl/richdata/", "pictures in cells or linked data types"),
    ("xl/webextensions/", "Office add-ins"),
    ("xl/customproperty", "custom sheet properties"),
    ("xl/revisions/", "shared-workbook revision history"),
    ("xl/dialogsheets/", "Excel 5 dialog sheets"),
    ("xl/macrosheets/", "Excel 4 macro sheets"),
)
# What in a worksheet's XML openpyxl drops or cannot save faithfully.
_EXTENSION = "Excel extensions (extLst)"
_EXTENSION_FEATURES = {
    "data validation lists from other sheets (x14)",
    "newer conditional formats (x14)",
    "sparklines",
}
DROPPED_MARKUP = (
    (re.compile(rb"<x14:dataValidation\b"), "data validation lists from other sheets (x14)"),
    (re.compile(rb"<x14:conditionalFormatting\b"), "newer conditional formats (x14)"),
    (re.compile(rb"<x14:sparklineGroups?\b"), "sparklines"),
    (re.compile(rb"<(?:\w+:)?extLst\b"), _EXTENSION),
    (re.compile(rb"<(?:\w+:)?f\b[^>]*>"), "formulas (openpyxl saves them without their values)"),
    (re.compile(rb"<(?:\w+:)?oleObjects\b"), "embedded objects"),
    (re.compile(rb"<(?:\w+:)?controls\b"), "form controls"),
    (re.compile(rb"<(?:\w+:)?picture\b"), "a background picture"),
    (re.compile(rb"<(?:\w+:)?customSheetViews\b"), "custom views"),
    (re.compile(rb"<mc:AlternateContent\b"), "content for newer Excel versions"),
)
# openpyxl's own warning that it is dropping something it read.
_DROP_WARNING = re.compile(r"removed|ignored|not supported|lost|discarded", re.I)


@dataclass(frozen=True)
class _CheckColumn:
    """Where one sheet's statuses go: its Check column and header row (0-based)."""

    sheet: str
    column: int
    header_row: int
    statuses: dict[int, str]  # 0-based row -> status text


def stamp_tracker(
    tracker_path: str | os.PathLike[str],
    report: Report,
    *,
    backup_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """Write each record's status from `report` into the tracker's Check column.

    Returns the backup's path. Raises FileBusy (exit 4) while the tracker is open or
    locked, UnsafeWrite (exit 2) for anything that cannot be written faithfully; then
    the tracker is untouched.
    """
    import openpyxl
    from openpyxl.cell.cell import MergedCell

    source = Path(tracker_path).resolve()
    if Path(report.tracker.path).resolve() != source:
        raise errors.UnsafeWrite(
            f"{source}: the validation report is for {report.tracker.path}, not this tracker"
        )
    refuse_if_open(source)
    scan = check_workbook(source)
    refuse_what_openpyxl_drops(scan)
    digest = _digest(source)
    original = read_values(source)
    columns = _check_columns(source, report, original)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            book = openpyxl.load_workbook(
                source,
                keep_vba=source.suffix.lower() in MACRO_SUFFIXES,
                rich_text=True,
                keep_links=True,
            )
        except Exception as exc:  # openpyxl raises many kinds; each means "cannot round-trip"
            raise errors.UnsafeWrite(
                f"{source}: openpyxl cannot open the tracker to write statuses ({exc}); "
                "nothing was written"
            ) from exc
    dropped = sorted({str(w.message) for w in caught if _DROP_WARNING.search(str(w.message))})
    if dropped:
        raise errors.UnsafeWrite(
            f"{source}: openpyxl would not keep everything in this workbook "
            f"({'; '.join(dropped)}); nothing was written, the Check column was not updated"
        )
    for target in columns:
        sheet = book[target.sheet]
        last = max(sheet.max_row, max(target.statuses) + 1)  # rows, counted from 1
        for row in range(target.header_row + 1, last):  # 0-based, below the header
            cell = sheet.cell(row + 1, target.column + 1)
            status = target.statuses.get(row)
            if status is None and not is_check_text(cell.value):
                continue  # empty, or not ours: a lead's note in a row that is not an action
            if isinstance(cell, MergedCell):
                raise errors.UnsafeWrite(
                    f"{source}: sheet {target.sheet!r} cell {cell.coordinate} of the Check "
                    "column is merged with another cell; unmerge it to have statuses written"
                )
            cell.value = status
            if status is not None:
                cell.data_type = "s"  # text, whatever it starts with
    backup = backup_tracker(source, backup_dir)
    try:
        with atomic_output(source) as tmp:
            book.save(tmp)
            compare_stamped(source, original, read_values(tmp), columns)
            # Last look before the rename: nobody opened or saved it meanwhile.
            refuse_if_open(source)
            if _digest(source) != digest:
                raise errors.FileBusy(
                    f"{source}: the tracker changed while its statuses were being written; "
                    "nothing was written, run again"
                )
    except BaseException:
        backup.unlink(missing_ok=True)  # the tracker is as it was: the copy is not needed
        raise
    return backup


# --- Refusals -----------------------------------------------------------------------------


def refuse_if_open(path: Path) -> None:
    """FileBusy if Excel or LibreOffice has the file open, or another program locks it."""
    owner = owner_file(path)
    if owner is not None:
        by = f" by {owner.user}" if owner.user else ""
        raise errors.FileBusy(
            f"{path}: the tracker is open in {owner.program}{by} ({owner.path.name} is beside "
            "it); close it and run again"
        )
    try:
        handle = open(path, "r+b")  # noqa: SIM115 - held while the lock is tried
    except PermissionError as exc:
        if getattr(exc, "winerror", None) in (32, 33):  # sharing or lock violation
            raise errors.FileBusy(
                f"{path}: another program has the tracker open; close it and run again"
            ) from exc
        raise errors.UnsafeWrite(f"{path}: no permission to write the tracker") from exc
    with handle:
        if _locked_by_another(handle):
            raise errors.FileBusy(
                f"{path}: another program holds a lock on the tracker; close it and run again"
            )


def _locked_by_another(handle) -> bool:
    if os.name == "nt":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return True
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return False
    import fcntl

    for lock, unlock in ((fcntl.flock, fcntl.flock), (fcntl.lockf, fcntl.lockf)):
        try:
            lock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        unlock(handle.fileno(), fcntl.LOCK_UN)
    return False


def refuse_what_openpyxl_drops(scan: WorkbookScan) -> None:
    """UnsafeWrite naming every part or markup openpyxl would lose on saving."""
    found: dict[str, list[str]] = {}
    for part in scan.parts:
        folded = part.casefold()
        for prefix, what in DROPPED_PARTS:
            if folded.startswith(prefix):
                found.setdefault(what, []).append(part)
    with zipfile.ZipFile(scan.path) as archive:
        for name, part in scan.sheet_parts.items():
            for what in _markup_in(archive, archive.getinfo(part)):
                found.setdefault(what, []).append(f"sheet {name!r}")
    if found:
        listed = "; ".join(
            f"{what} ({', '.join(sorted(set(where))[:3])})" for what, where in found.items()
        )
        raise errors.UnsafeWrite(
            f"{scan.path}: the tracker holds {listed}, which openpyxl would drop or change on "
            "saving; statuses are not written into it (the board paper and report still are)"
        )


def _markup_in(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterable[str]:
    found: set[str] = set()
    for chunk in iter_part(archive, info):
        for pattern, what in DROPPED_MARKUP:
            if what not in found and pattern.search(chunk):
                found.add(what)
    # x14 features live inside an extLst: name the feature rather than its wrapper.
    if found & _EXTENSION_FEATURES:
        found.discard(_EXTENSION)
    return sorted(found)


# --- What to write ---------------------------------------------------------------------------


def _check_columns(
    source: Path, report: Report, original: dict[str, list[list[Any]]]
) -> list[_CheckColumn]:
    """Each tracker sheet's Check column and statuses; refuse a sheet without one."""
    by_sheet: dict[str, list[Record]] = {}
    for record in report.tracker.records:
        by_sheet.setdefault(record.sheet, []).append(record)
    columns = []
    for sheet, records in by_sheet.items():
        rows = original.get(sheet)
        if rows is None:
            raise errors.UnsafeWrite(f"{source}: sheet {sheet!r} is no longer in the tracker")
        _unchanged_since_validation(source, sheet, rows, records)
        letter = records[0].columns.get(CHECK_FIELD)
        if letter is None:
            raise errors.UnsafeWrite(
                f"{source}: sheet {sheet!r} has no Check column, so there is nowhere to write "
                "each row's status; add a column headed Check as the last column of the "
                "sheet (as the controlled tracker has) and run again"
            )
        column = column_index(letter)
        header_row = next(
            (
                index
                for index, row in enumerate(rows[:HEADER_SEARCH_ROWS])
                if column < len(row) and field_for(row[column]) == CHECK_FIELD
            ),
            None,
        )
        if header_row is None:  # the reader found it, so this cannot happen unless it moved
            raise errors.UnsafeWrite(f"{source}: sheet {sheet!r}: the Check header moved")
        statuses = {}
        for record in records:
            found = [f for f in report.findings if f.sheet == sheet and f.row == record.row]
            text = check_text(found)  # the same words the Excel button writes
            if len(text) > EXCEL_CELL_LIMIT:
                text = text[: EXCEL_CELL_LIMIT - 1] + "…"
            statuses[record.row - 1] = text
        columns.append(_CheckColumn(sheet, column, header_row, statuses))
    if not columns:
        raise errors.UnsafeWrite(f"{source}: the report has no rows to write a status for")
    return columns


def _unchanged_since_validation(
    source: Path, sheet: str, rows: list[list[Any]], records: list[Record]
) -> None:
    for record in records:
        for fld, letter in record.columns.items():
            if fld == CHECK_FIELD:
                continue
            if _value(rows, record.row - 1, column_index(letter)) != _normal(
                record.values.get(fld)
            ):
                raise errors.UnsafeWrite(
                    f"{source}: sheet {sheet!r} cell {letter}{record.row} changed since the "
                    "tracker was validated; validate it again before writing statuses"
                )


# --- Reading, comparing, backing up -----------------------------------------------------------


def read_values(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's cells from A1 (by content, whatever the name), as the tracker is read
    for validation (`read.read_sheets`): after the pre-flight scan, a sparse sheet cell by
    cell. python-calamine asked for a sheet's whole used range would try to hold a stray
    cell at XFD1048576 as 17 billion cells, and abort the process."""
    from wellled_xl.read import read_sheets

    return dict(read_sheets(path)[0])


def compare_stamped(
    source: Path,
    original: dict[str, list[list[Any]]],
    stamped: dict[str, list[list[Any]]],
    columns: list[_CheckColumn],
) -> None:
    """UnsafeWrite unless only the Check cells changed, and changed to the statuses."""
    if list(stamped) != list(original):
        raise errors.UnsafeWrite(
            f"{source}: saving changed the sheets ({', '.join(original)} became "
            f"{', '.join(stamped)}); nothing was written"
        )
    check = {c.sheet: c for c in columns}
    for sheet, before in original.items():
        after = stamped[sheet]
        target = check.get(sheet)
        height = max(len(before), len(after))
        for row in range(height):
            # Each row as wide as it is, before or after: a sparse sheet's blank rows are
            # empty, however wide its widest row.
            width = max((len(rows[row]) for rows in (before, after) if row < len(rows)), default=0)
            for column in range(width):
                old, new = _value(before, row, column), _value(after, row, column)
                if target and column == target.column and row > target.header_row:
                    if row in target.statuses:
                        old = target.statuses[row]
                    elif is_check_text(old):
                        old = ""  # a stale status of a row that is no longer an action
                if old != new:
                    raise errors.UnsafeWrite(
                        f"{source}: saving would change sheet {sheet!r} cell "
                        f"{column_letter(column)}{row + 1} from {old!r} to {new!r}; nothing was "
                        "written"
                    )


def _value(rows: list[list[Any]], row: int, column: int) -> Any:
    if row < len(rows) and column < len(rows[row]):
        return _normal(rows[row][column])
    return ""


def _normal(value: Any) -> Any:
    return "" if value is None else value


def backup_tracker(source: Path, backup_dir: str | os.PathLike[str] | None = None) -> Path:
    """Copy the tracker to ``<stem>.backup-<YYYYmmdd-HHMMSS><suffix>``; verify the copy."""
    folder = Path(backup_dir) if backup_dir is not None else source.parent
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = folder / f"{source.stem}.backup-{stamp}{source.suffix}"
    number = 2
    while backup.exists():
        backup = folder / f"{source.stem}.backup-{stamp}-{number}{source.suffix}"
        number += 1
    with atomic_output(backup) as tmp:
        shutil.copyfile(source, tmp)
        if _digest(tmp) != _digest(source):
            raise errors.UnsafeWrite(f"{backup}: the backup copy differs from the tracker")
    return backup


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            sha.update(chunk)
    return sha.hexdigest()
