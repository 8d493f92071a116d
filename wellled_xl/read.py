"""Read a tracker workbook with python-calamine: find tracker sheets by their headers."""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import python_calamine

from wellled_xl import errors
from wellled_xl.cells import cell_address, is_generated, parse_cell
from wellled_xl.dates import DateParseError, NotADateError, from_1904_serial, parse_timescale
from wellled_xl.headers import HeaderMap, map_headers, normalise
from wellled_xl.model import (
    SETTINGS_LABELS,
    Finding,
    Kloe,
    Lead,
    Legend,
    LegendEntry,
    Settings,
    Tracker,
    cell_text,
)
from wellled_xl.preflight import WorkbookScan, check_workbook, iter_part, readable_copy
from wellled_xl.readahead import Reader, quiet_stderr, read_ahead
from wellled_xl.rules import RULES
from wellled_xl.runtime import import_in_background
from wellled_xl.scale import scale_from_key, scale_from_statuses, standard_scale
from wellled_xl.shape import (
    MergedRange,
    SheetExtras,
    SheetReading,
    SheetTable,
    read_tracker_sheet,
    sheet_tables,
)

# How far down a sheet the header row may sit below a title block.
HEADER_SEARCH_ROWS = 30

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
# A Legend's Complete column: what says a status is complete, and what says it is not.
_TRUE_WORDS = {"yes", "y", "true", "1", "complete", "completed", "closed", "done", "x", "✓"}
_FALSE_WORDS = {"no", "n", "false", "0", "", "-", "open", "not complete", "incomplete", "✗"}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def open_workbook(
    path: str | Path, scan: WorkbookScan | None = None
) -> tuple[python_calamine.CalamineWorkbook, WorkbookScan]:
    """Open a workbook for reading (its pre-flight `scan` first, unless given), turning
    every failure into one clear error; `read_sheets` has checked that the file is there."""
    source = Path(path)
    if scan is None:
        scan = check_workbook(source)  # refuse what calamine must not parse: see preflight.py
    try:
        if scan.odd_numbers:  # numbers calamine cannot convert: read a copy without them
            return python_calamine.CalamineWorkbook.from_filelike(readable_copy(scan)), scan
        return python_calamine.CalamineWorkbook.from_path(str(source)), scan
    except python_calamine.PasswordError as exc:
        raise errors.NotAWorkbook(
            source, "the workbook is password-protected; save an unencrypted copy"
        ) from exc
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise errors.NotAWorkbook(
            source, f"not a readable Excel workbook (.xlsx/.xlsm) ({exc})"
        ) from exc


def _check_source(source: Path) -> None:
    if not source.exists():
        raise errors.UnusableWorkbook(source, "no such file")
    if source.is_dir():
        raise errors.UnusableWorkbook(source, "is a folder, not a workbook")


def _read_sheet(
    book: python_calamine.CalamineWorkbook, name: str, path: Path
) -> tuple[list[list[Any]], list[MergedRange]]:
    """A sheet's rows from A1 and its merged areas, parsing the sheet once."""
    try:
        sheet = book.get_sheet_by_name(name)
        rows: list[Any] = []
        # A row a row, blank rows kept as one shared empty row and blank rows at the end
        # dropped: one stray space typed at row 999,999 no longer holds a million rows of
        # empty cells in memory (360 MB), only the cells in use.
        for row in sheet.iter_rows():
            rows.append(row if _holds_something(row) else EMPTY_ROW)
        return _without_blank_tail(rows), sheet.merged_cell_ranges or []
    except (python_calamine.CalamineError, ValueError) as exc:
        raise errors.NotAWorkbook(path, f"sheet {name!r} cannot be read ({exc})") from exc


# The row a blank row of a sheet is read as (all of them the same object).
EMPTY_ROW: tuple[Any, ...] = ()


def _without_blank_tail(rows: list[Any]) -> list[Any]:
    """`rows` without the blank rows at its end (a stray format far below holds none)."""
    while rows and rows[-1] is EMPTY_ROW:
        rows.pop()
    return rows


# <mergeCell ref="E5:E6"/>, as a worksheet part lists a merged area.
_MERGE_CELL = re.compile(
    rb"""<(?:\w+:)?mergeCell\b[^>]*?\bref\s*=\s*["']"""
    rb"""(\$?[A-Za-z]+\$?[0-9]+):(\$?[A-Za-z]+\$?[0-9]+)["']"""
)


def _read_sparse_sheet(
    path: Path, name: str, scan: WorkbookScan
) -> tuple[list[Any], list[MergedRange]]:
    """A sparse sheet's rows (a few cells, a far-away last row), read cell by cell.

    python-calamine holds a sheet's whole used range at once, about 40 bytes a cell: one
    space typed at row 999,999 of a six-column sheet would take 240 MB. openpyxl's
    read-only reader streams the cells instead, and its values are given as
    python-calamine gives them (numbers as floats, dates at midnight as dates, empty
    and error cells as ""), so either reader reads a tracker the same.
    """
    import openpyxl

    try:
        # "No default style" and the like are not the lead's to read. The file is given
        # open, not by name: openpyxl refuses a name that does not end .xlsx, as the
        # temporary copy a write-back reads back does.
        with open(path, "rb") as handle, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True, keep_links=False)
            try:
                sheet = book[name]
                sheet.reset_dimensions()  # the saved dimension may be wrong: read every row
                rows: list[Any] = []
                for cells in sheet.iter_rows():
                    if not cells:  # a row the sheet does not list (most of a sparse sheet's)
                        rows.append(EMPTY_ROW)
                        continue
                    row = [_as_calamine_reads(cell.value, cell.data_type) for cell in cells]
                    rows.append(row if _holds_something(row) else EMPTY_ROW)
            finally:
                book.close()
    except (KeyError, OSError, ValueError, OverflowError, zipfile.BadZipFile) as exc:
        raise errors.NotAWorkbook(path, f"sheet {name!r} cannot be read ({exc})") from exc
    rows = _without_blank_tail(rows)
    width = max(map(len, rows), default=0)  # python-calamine's rows are all as wide
    for row in rows:
        if row is not EMPTY_ROW:
            row.extend([""] * (width - len(row)))
    return rows, _merged_in_part(path, scan.sheet_parts.get(name))


def _as_calamine_reads(value: Any, data_type: str) -> Any:
    if value is None or data_type == "e":
        return ""
    if type(value) is int:
        return float(value)
    if type(value) is datetime and value.hour == value.minute == value.second == 0:
        return value.date() if not value.microsecond else value
    return value


def _merged_in_part(path: Path, part: str | None) -> list[MergedRange]:
    """The merged areas a worksheet part lists, 0-based, as python-calamine gives them."""
    if part is None:
        return []
    merged: dict[MergedRange, None] = {}  # in order, once each: chunks overlap a little
    with zipfile.ZipFile(path) as archive:
        for chunk in iter_part(archive, archive.getinfo(part)):
            for first, last in _MERGE_CELL.findall(chunk):
                merged[parse_cell(first.decode("ascii")), parse_cell(last.decode("ascii"))] = None
    return list(merged)


def _holds_something(row: list[Any]) -> bool:
    """Whether a row holds a value other than blank text (most rows: their first cell)."""
    first = row[0] if row else None
    if type(first) is str and first and not first.isspace():  # most rows: no loop
        return True
    for cell in row:
        if cell != "" and cell is not None and not (isinstance(cell, str) and not cell.strip()):
            return True
    return False


def _find_header(rows: list[list[Any]]) -> tuple[int, HeaderMap] | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        header = map_headers(row)
        if header.looks_like_tracker():
            return index, header
    return None


def _find_follow_up_header(rows: list[list[Any]]) -> tuple[int, HeaderMap] | None:
    """A follow-up log's header (`HeaderMap.looks_like_follow_up_log`): looked for only
    when no sheet has a tracker header. With no progress column, the Outcome column is
    the progress: what came of the action, or the meeting it returns to."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        header = map_headers(row)
        if header.looks_like_follow_up_log(list(row)):
            if "progress" not in header.columns:
                col = header.columns["progress"] = header.columns.pop("success_measure")
                header.why[col] = (
                    "its header, in a log with no progress column: what came of each action"
                )
            return index, header
    return None


def _read_tables(
    name: str,
    rows: list[list[Any]],
    found: tuple[int, HeaderMap],
    findings: list[Finding],
    extras: SheetExtras,
) -> list[SheetReading]:
    """A tracker sheet's tables (`sheet_tables`), each read with its own columns. A table's
    rows keep their Excel numbers: the rows above it are read as blank, those below it
    are left off, and so are the merged areas outside it."""
    tables = sheet_tables(rows, found)
    if len(tables) == 1:
        return [read_tracker_sheet(name, rows, found, findings, extras)]
    return [
        read_tracker_sheet(
            name,
            [EMPTY_ROW] * table.start + rows[table.start : table.stop],
            table.found,
            findings,
            _within(extras, name, table),
            table=number,
        )
        for number, table in enumerate(tables, start=1)
    ]


def _within(extras: SheetExtras, name: str, table: SheetTable) -> SheetExtras:
    """`extras` with only the merged areas of sheet `name` that start in `table`."""
    merged = [m for m in extras.merged.get(name, ()) if table.start <= m[0][0] < table.stop]
    return replace(extras, merged={**extras.merged, name: merged})


def _register_header(rows: list[list[Any]], wanted: set[str]) -> tuple[int, dict[str, int]] | None:
    """Find a register's header row: every wanted (normalised) label present."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        labels = {normalise(cell): col for col, cell in enumerate(row) if not _blank(cell)}
        if wanted <= labels.keys():
            return index, labels
    return None


def _legend(rows: list[list[Any]], sheet: str, findings: list[Finding]) -> Legend | None:
    found = _register_header(rows, {"code", "meaning"})
    if found is None:
        return None
    index, labels = found
    entries: list[LegendEntry] = []
    for offset, row in enumerate(rows[index + 1 :], start=index + 2):
        cell = row[labels["code"]] if labels["code"] < len(row) else ""
        code = cell_text(cell)
        if not code:
            continue
        colour = "D9D9D9"
        if "colour" in labels or "color" in labels:
            col = labels.get("colour", labels.get("color"))
            raw = cell_text(row[col]) if col < len(row) else ""
            match = _HEX.match(raw)
            if match:
                colour = match.group(1).upper()
            elif raw:
                findings.append(
                    RULES["legend-colour"].finding(
                        sheet=sheet,
                        cell=cell_address(offset - 1, col),
                        row=offset,
                        ref=code,
                        field="colour",
                        value=raw,
                    )
                )
        complete = False
        if "complete" in labels and labels["complete"] < len(row):
            said = " ".join(cell_text(row[labels["complete"]]).lower().split())
            complete = said in _TRUE_WORDS
            if not complete and said not in _FALSE_WORDS:
                findings.append(
                    RULES["legend-complete"].finding(
                        sheet=sheet,
                        cell=cell_address(offset - 1, labels["complete"]),
                        row=offset,
                        ref=code,
                        field="complete",
                        value=cell_text(row[labels["complete"]]),
                    )
                )
        meaning_col = labels["meaning"]
        meaning = cell_text(row[meaning_col]) if meaning_col < len(row) else ""
        entries.append(LegendEntry(code, meaning, colour, complete))
    return Legend(tuple(entries), source=f"the {sheet!r} sheet") if entries else None


def _leads(rows: list[list[Any]], sheet: str = "") -> tuple[Lead, ...] | None:
    found = _register_header(rows, {"initials"})
    if found is None:
        return None
    index, labels = found

    def get(row: list[Any], key: str) -> str:
        col = labels.get(key)
        return cell_text(row[col]) if col is not None and col < len(row) else ""

    def cell(offset: int, key: str) -> str:
        col = labels.get(key)
        return cell_address(offset - 1, col) if col is not None else ""

    leads = tuple(
        Lead(
            get(row, "initials"),
            get(row, "name"),
            get(row, "role"),
            get(row, "email"),
            sheet=sheet,
            row=offset,
            name_cell=cell(offset, "name"),
            email_cell=cell(offset, "email"),
        )
        for offset, row in enumerate(rows[index + 1 :], start=index + 2)
        if get(row, "initials")
    )
    return leads


def _kloes(rows: list[list[Any]]) -> tuple[Kloe, ...] | None:
    found = _register_header(rows, {"kloe", "question"})
    if found is None:
        return None
    index, labels = found
    kloes = []
    for row in rows[index + 1 :]:
        code = cell_text(row[labels["kloe"]]) if labels["kloe"] < len(row) else ""
        question = cell_text(row[labels["question"]]) if labels["question"] < len(row) else ""
        if code:
            kloes.append(Kloe(code.upper(), question))
    return tuple(kloes) or None


def _settings(
    rows: list[list[Any]], sheet: str, findings: list[Finding], date1904: bool = False
) -> Settings | None:
    """The Settings register; an as-at date or review period it holds that cannot be read
    is said (setting-unreadable), naming its cell, never passed over."""
    found = _register_header(rows, {"setting", "value"})
    if found is None:
        return None
    index, labels = found
    by_label = {normalise(label): attr for label, attr in SETTINGS_LABELS}
    values: dict[str, Any] = {}
    for number, row in enumerate(rows[index + 1 :], start=index + 1):
        if labels["setting"] >= len(row) or labels["value"] >= len(row):
            continue
        attr = by_label.get(normalise(row[labels["setting"]]))
        value = row[labels["value"]]
        if attr is None or _blank(value):
            continue
        try:
            values[attr] = _setting(attr, value, date1904)
        except ValueError as problem:
            reason = (
                problem.reason
                if isinstance(problem, DateParseError)
                else "a status, not a date"
                if isinstance(problem, NotADateError)
                else str(problem)
            )
            findings.append(
                RULES["setting-unreadable"].finding(
                    sheet=sheet,
                    cell=cell_address(number, labels["value"]),
                    field=attr,
                    value=value,
                    setting=" ".join(cell_text(row[labels["setting"]]).split()),
                    shown=cell_text(value),
                    reason=reason,
                    fallback=_SETTING_FALLBACK[attr],
                    variant=attr,
                )
            )
    return Settings(**values)


# What a run uses instead of a Settings value it cannot read.
_SETTING_FALLBACK = {
    "as_at": "the as-at date comes from --as-at, else today (refresh: the end of last month)",
    "review_period_months": f"updates are stale after {Settings().review_period_months} months",
}


def _setting(attr: str, value: Any, date1904: bool) -> Any:
    """A Settings value as its setting reads it; ValueError says why it cannot be read."""
    if attr == "as_at":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if type(value) in (int, float) and date1904:
            value = from_1904_serial(value)
        # As a due date is read (30/09/2019, 30 Sept 2019, 2019-09-30, a serial number),
        # but one day: "March 2019 July 2019" is no as-at date.
        dates = parse_timescale(value).dates  # DateParseError is a ValueError
        if len(dates) != 1:
            raise ValueError("it holds several dates, and the as-at date is one day")
        return dates[0]
    if attr == "review_period_months":
        text = cell_text(value).strip()
        months = float(text) if text.replace(".", "", 1).isdigit() else 0.0
        if months < 1 or months != int(months):
            raise ValueError("a period is a whole number of months, 1 or more")
        return int(months)
    return cell_text(value)


def _scale_of(readings: list[SheetReading], findings: list[Finding]) -> Legend:
    """The scale of a workbook with no Legend sheet: the key or legend rows a sheet writes,
    else the standard NHS scale its status codes come from (assumed, and said once), else
    the status words its status column holds; with none of these, said once per sheet."""
    for reading in readings:
        if reading.scale:
            return scale_from_key(reading.scale, reading.scale_source)
    coded = [reading for reading in readings if reading.status_codes]
    if coded:
        values = [
            cell_text(record.values.get("rag")) for reading in coded for record in reading.records
        ]
        scale = standard_scale(values)
        findings.append(RULES["no-legend"].finding(codes=", ".join(scale.codes)))
        return scale
    # The status words of every sheet (open actions on one, closed on another: O and C);
    # scale_from_key keeps each word once.
    words = [word for reading in readings for word in reading.statuses]
    if words:
        places = []
        for reading in readings:
            column = reading.shape.column(reading.shape.status_in or "rag")
            if reading.statuses and column:
                places.append(f"column {column.letter} of {reading.shape.name!r}")
        return scale_from_statuses(words, f"the status words in {' and '.join(places)}")
    lacking = (
        reading.shape.name
        for reading in readings
        if reading.shape.column("rag") is None and not reading.shape.status_in
    )
    for name in dict.fromkeys(lacking):  # once a sheet, however many tables it holds
        findings.append(RULES["no-status"].finding(sheet=name))
    return Legend((), source="no scale: the tracker records no status")


def read_tracker(path: str | Path, imports: Sequence[str] = ()) -> Tracker:
    """Read every tracker sheet and register of a workbook file into a `Tracker`; the
    modules named in `imports` are imported meanwhile (see `read_sheets`)."""
    sheets, extras = read_sheets(path, imports)
    return tracker_from_sheets(Path(path), sheets, extras)


def read_sheets(
    path: str | Path, imports: Sequence[str] = ()
) -> tuple[list[tuple[str, list[list[Any]]]], SheetExtras]:
    """Every sheet's rows from A1, and what the file says besides (hidden sheets, merges).

    The modules named in `imports` (what the caller needs next) are imported on a second
    thread while python-calamine parses, which it does without the interpreter lock: the
    import is then all but free. A big workbook read by a command that then ends is
    parsed while it is scanned (readahead.py).
    """
    source = Path(path)
    _check_source(source)
    ahead = read_ahead(source, lambda: check_workbook(source))
    if isinstance(ahead, Reader):
        import_in_background(imports)
        scan, (sheets, merged, hidden) = _parse_ahead(source, ahead)
    else:
        book, scan = open_workbook(source, ahead)
        import_in_background(imports)
        sheets, merged, hidden = _parse(book, source, scan)
    hidden_columns, hidden_rows = _hidden_in(scan, sheets)
    return sheets, SheetExtras(
        hidden=hidden,
        merged=merged,
        error_cells=scan.error_cells,
        hidden_columns=hidden_columns,
        hidden_rows=hidden_rows,
        date1904=scan.date1904,
    )


_Parsed = tuple[list[tuple[str, list[list[Any]]]], dict[str, list[MergedRange]], frozenset[str]]


def _parse(
    book: python_calamine.CalamineWorkbook, source: Path, scan: WorkbookScan | None
) -> _Parsed:
    """Each sheet's rows and merged areas (a sheet the scan found sparse read cell by
    cell), and the names of the hidden sheets; the book is closed."""
    sheets = []
    merged: dict[str, list[MergedRange]] = {}
    try:
        for name in book.sheet_names:
            if scan is not None and name in scan.sparse:
                rows, merged[name] = _read_sparse_sheet(source, name, scan)
            else:
                rows, merged[name] = _read_sheet(book, name, source)
            sheets.append((name, rows))
        hidden = frozenset(
            meta.name
            for meta in book.sheets_metadata
            if meta.visible != python_calamine.SheetVisibleEnum.Visible
        )
    finally:
        book.close()
    return sheets, merged, hidden


def _parse_ahead(source: Path, reader: Reader) -> tuple[WorkbookScan, _Parsed]:
    """In the reader: parse every sheet as python-calamine reads it, then take the scan.
    A workbook the scan finds needs another reading (a sparse sheet, a number calamine
    cannot convert), or that failed to parse, is read again as the scan says."""
    parsed: _Parsed | None = None
    try:
        with quiet_stderr():
            book = python_calamine.CalamineWorkbook.from_path(str(source))
            parsed = _parse(book, source, None)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # the parser's own failure (a panic too): read again below
        parsed = None
    scan = reader.verdict()
    if parsed is None or scan.sparse or scan.odd_numbers:
        parsed = None  # let go of the first reading before the second
        book, _ = open_workbook(source, scan)
        parsed = _parse(book, source, scan)
    return scan, parsed


def _hidden_in(
    scan: WorkbookScan, sheets: list[tuple[str, list[list[Any]]]]
) -> tuple[dict[str, frozenset[int]], dict[str, frozenset[int]]]:
    """The hidden columns and rows the pre-flight scan found, 0-based as the rows are read:
    only the columns within the sheet's rows (a trust hiding K:XFD hides no data)."""
    columns: dict[str, frozenset[int]] = {}
    rows: dict[str, frozenset[int]] = {}
    for name, sheet_rows in sheets:
        found = scan.hidden_cells.get(name)
        if found is None:
            continue
        width = max(map(len, sheet_rows), default=0)
        columns[name] = frozenset(
            col for first, last in found.columns for col in range(first - 1, min(last, width))
        )
        rows[name] = frozenset(row - 1 for row in found.rows)
    return columns, rows


def tracker_from_sheets(
    source: str | Path,
    sheets: Iterable[tuple[str, list[list[Any]]]],
    extras: SheetExtras | None = None,
) -> Tracker:
    """Build a `Tracker` from sheets' cell values (rows from A1), whichever door they came by.

    The file reader passes python-calamine's rows; the Excel button passes the open
    workbook's values read through xlwings.
    """
    sheets = list(sheets)
    findings: list[Finding] = []
    legend: Legend | None = None
    leads: tuple[Lead, ...] | None = None
    kloes: tuple[Kloe, ...] | None = None
    settings: Settings | None = None
    tracker_sheets: list[str] = []
    readings: list[SheetReading] = []
    extras = extras or SheetExtras()
    generated: list[str] = []
    # Visible sheets first, so a visible register wins over a hidden copy of it.
    for name, rows in sorted(sheets, key=lambda sheet: sheet[0] in extras.hidden):
        if is_generated(rows):
            generated.append(name)
            continue
        found = _find_header(rows)
        if found is not None and name in extras.hidden:
            findings.append(RULES["hidden-sheet"].finding(sheet=name))
            continue
        if found is not None:
            tracker_sheets.append(name)
            readings.extend(_read_tables(name, rows, found, findings, extras))
            continue
        legend = legend or _legend(rows, name, findings)
        leads = leads if leads is not None else _leads(rows, name)
        kloes = kloes or _kloes(rows)
        settings = settings or _settings(rows, name, findings, extras.date1904)
    # No tracker header anywhere: a board follow-up log with no lead or status column.
    # Its missing columns are said once each (missing-column, no-status), not per row.
    if not tracker_sheets:
        for name, rows in sheets:
            if name in generated or name in extras.hidden:
                continue
            found = _find_follow_up_header(rows)
            if found is not None:
                tracker_sheets.append(name)
                readings.extend(_read_tables(name, rows, found, findings, extras))
    if not tracker_sheets and generated:
        raise errors.NoTrackerSheet(
            source,
            f"this is a board paper wellled-xl wrote (sheets {', '.join(generated)}), not a "
            "tracker: validate or build the tracker it came from",
        )
    if not tracker_sheets:
        raise errors.NoTrackerSheet(
            source,
            "no sheet has a tracker header row (looked for a row with an action column and "
            "two of ref, lead, RAG, progress, due date, or an Action, an Item and an Outcome "
            f"or progress column, in the first {HEADER_SEARCH_ROWS} rows)",
        )
    records = [record for reading in readings for record in reading.records]
    tracker = Tracker(
        path=str(source),
        records=records,
        findings=findings,
        shapes=[reading.shape for reading in readings],
        sheet_names=[name for name, _ in sheets if name not in generated],
    )
    tracker.legend = legend or _scale_of(readings, findings)
    if leads is None:
        findings.append(RULES["no-leads-register"].finding())
    elif not leads:  # a register with no one in it: said once, not an error per lead
        findings.append(RULES["leads-empty"].finding())
    else:
        tracker.leads = leads
        tracker.has_leads_register = True
    if kloes is not None:
        tracker.kloes = kloes
        tracker.has_kloe_list = True
    elif tracker.uses_kloes or not records:  # a tracker with no actions yet may well
        findings.append(RULES["no-kloe-list"].finding())
    if settings is None:
        findings.append(RULES["no-settings"].finding())
    else:
        tracker.settings = settings
        tracker.has_settings = True
    return tracker
