"""The Validate & Build button: check the tracker open in Excel and build its paper inside it.

The ribbon add-in calls ``RunPython "import wellled_xl; wellled_xl.main()"``, which
lands in `main` here with the officer's workbook as ``xw.Book.caller()`` (the workbook
that was active, never the add-in). `run_button` then does what ``wellled-xl build``
does, through the same functions, and writes into that workbook:

- the generated sheets (Part A, Part B, Summary, and a Validation sheet whose cell
  references link to the offending cells) after the last sheet, replacing the previous
  run's; a sheet of one of those names that does not carry ``GENERATED_MARK`` is the
  trust's own, so the run stops before writing anything rather than delete it;
- the tracker's ``Check`` column, one block per sheet: "✓", or each problem of that row
  ("✗" error, "⚠" warning). It is the only tracker cell ever written: leads' cells are
  read, never changed. A tracker without a Check column keeps its shape; the Validation
  sheet lists the same problems;
- the overdue highlighting (the template's conditional format), re-applied on a
  controlled tracker that has lost it.

It ends with one message box: the counts, or what stopped it. Never a traceback: an
unexpected error is shown in one line and its details saved to a log file.
"""

from __future__ import annotations

import inspect
import re
import sys
import tempfile
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from wellled_xl import errors
from wellled_xl.cells import column_index, column_letter, is_generated, parse_range
from wellled_xl.excel.writer import (
    WriteResult,
    excel_value,
    is_windows_excel,
    write_paper_xlwings,
)
from wellled_xl.history import record_history
from wellled_xl.model import Finding, Record, Tracker
from wellled_xl.paper.layout import SUMMARY_SHEET, layout_validation
from wellled_xl.pipeline import check, paper_for, with_history
from wellled_xl.read import tracker_from_sheets
from wellled_xl.report import (
    Report,
    check_text,
    is_check_text,
)
from wellled_xl.runtime import paused_gc
from wellled_xl.shape import SheetExtras
from wellled_xl.template import OVERDUE_FIELDS, OVERDUE_NAMES, OverdueRule, overdue_rules

TITLE = "Well-led: Validate & Build"
Clicked = TypeVar("Clicked", bound="Told")


class Told(Protocol):
    """What a button's run returns: it says what it did, for the message box."""

    def message(self) -> str: ...


# Reading more than this many cells of one sheet through Excel would take minutes: a sheet
# formatted down to row 1,048,576 is refused with a message instead.
MAX_SHEET_CELLS = 2_000_000
ERROR_LOG = "wellled_xl_error.log"


@dataclass
class ButtonRun:
    """What one click did: the validation report and what was written where."""

    report: Report
    written: WriteResult
    checks: dict[str, str] = field(default_factory=dict)  # tracker sheet -> Check block address
    rules: dict[str, str] = field(default_factory=dict)  # tracker sheet -> "kept", "re-applied" …
    notes: list[str] = field(default_factory=list)  # things the officer should know
    paper_sheets: list[str] = field(default_factory=list)  # the paper's sheets, in order

    def message(self) -> str:
        """The message box at the end of a run."""
        report = self.report
        lines = [
            f"{len(report.actions)} actions checked, position as at "
            f"{report.as_at:%d %B %Y}: {report.errors} errors, {report.warnings} warnings, "
            f"{len(report.overdue)} overdue.",
            f"{_listed(self.paper_sheets)} rebuilt. The Validation sheet lists every "
            "finding with a link to its cell"
            + ("; the Check column shows each row's problems." if self.checks else "."),
        ]
        lines += self.notes
        if self.written.skipped:
            lines.append(
                "Left out of the sheets in this Excel: "
                + "; ".join(sorted(self.written.skipped))
                + "."
            )
        return "\n\n".join(lines)


def _listed(names: Sequence[str]) -> str:
    """'Part A, Part B and the Summary are' / 'Board paper and the Summary are'."""
    shown = [f"the {n}" if n == SUMMARY_SHEET else n for n in names]
    if len(shown) < 2:
        return f"{''.join(shown) or 'The paper'} is"
    return f"{', '.join(shown[:-1])} and {shown[-1]} are"


# ---------------------------------------------------------------------------------------
# The entry point


def main() -> None:
    """Run the button on the workbook Excel called from; every outcome ends in a message box."""
    click(run_button)


def run_and_tell(book: Any) -> ButtonRun | None:
    """`run_button`, then a message box saying what happened; never raises."""
    return tell(book, run_button)


def click(run: Callable[[Any], Clicked]) -> None:
    """A ribbon button: `run` on the workbook Excel called from, then one message box."""
    import xlwings as xw

    try:
        book = xw.Book.caller()
    except Exception as exc:  # not started from Excel: there is no message box to show
        print(f"wellled-xl: the Excel button must be run from Excel ({exc})", file=sys.stderr)
        return
    with paused_gc():
        tell(book, run)


def tell(book: Any, run: Callable[[Any], Clicked]) -> Clicked | None:
    """`run(book)`, then a message box saying what it did (its `message()`), or what
    stopped it; never raises, never shows a traceback."""
    try:
        result = run(book)
    except errors.WellledError as exc:
        _alert(book, f"{exc}\n\nThe leads' entries were not changed.", critical=True)
        return None
    except Exception as exc:  # the last line of defence: one line, details in a log file
        log = _save_details(exc)
        _alert(
            book,
            f"Something unexpected went wrong ({type(exc).__name__}: {exc}).\n\n"
            "The leads' entries were not changed. The details are in "
            f"{log}: please send that file with your report.",
            critical=True,
        )
        return None
    _alert(book, result.message())
    return result


def _alert(book: Any, message: str, *, critical: bool = False) -> None:
    try:
        book.app.alert(message, TITLE, mode="critical" if critical else "info")
    except Exception:  # no message box to be had (Excel busy, closed): say it on stderr
        print(f"wellled-xl: {message}", file=sys.stderr)


def _save_details(exc: BaseException) -> Path:
    log = Path(tempfile.gettempdir()) / ERROR_LOG
    with suppress(OSError):
        log.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    return log


# ---------------------------------------------------------------------------------------
# The run


def run_button(book: Any) -> ButtonRun:
    """Validate the open workbook and write its paper, Validation sheet and Check column.

    Everything that can refuse (no tracker sheet, a trust's own "Summary" sheet) does so
    before the first write.
    """
    sheets, extras = read_open_book(book)
    tracker = tracker_from_sheets(book.name, sheets, extras)
    report = check(tracker)
    history, history_note = history_for_book(_fullname(book), tracker.settings.history_file)
    with_history(report, history)
    paper = paper_for(report)
    paper = replace(paper, sheets=[*paper.sheets, layout_validation(report, paper.styles)])
    # The sheets this run writes: named by the paper (Part A, Part B or the tracker's own
    # shape), never over a sheet of the trust's that happens to share a name.
    writing = {sheet.name.casefold() for sheet in paper.sheets}
    marked = {name.casefold() for name, rows in sheets if is_generated(rows)}
    for name, _ in sheets:
        if name.casefold() in writing - marked:
            raise errors.UnsafeWrite(
                f"This workbook already has a sheet called '{name}' that wellled-xl did not "
                "make. Rename it and click Validate & Build again: the button replaces only "
                "the sheets it made itself."
            )
    rows_of = dict(sheets)
    checks = check_blocks(tracker, report.findings, rows_of)

    for name in [name for name, _ in sheets if name.casefold() in marked]:
        book.sheets[name].delete()  # by name: deleting one renumbers the others
    run = ButtonRun(report, write_paper_xlwings(paper, book))
    run.paper_sheets = [sheet.name for sheet in paper.sheets[:-1]]  # all but Validation
    for name, block in checks.items():
        sheet = book.sheets[name]
        with _unprotected(sheet, is_windows_excel(book)):
            for address, values in block:
                sheet.range(address).value = values
            run.checks[name] = ", ".join(address for address, _ in block)
            run.rules[name] = _keep_overdue_rules(book, sheet, tracker, rows_of[name])
    run.notes += _notes(tracker, checks, run.rules)
    record_history(report)
    run.notes += _history_notes(report, history_note)
    book.sheets[SUMMARY_SHEET].activate()
    return run


# ---------------------------------------------------------------------------------------
# The history of positions, beside the workbook


def _fullname(book: Any) -> str:
    try:
        return str(book.fullname)
    except Exception:  # an engine that cannot say: treat it as having no folder
        return str(book.name)


def history_for_book(fullname: str, setting: str = "") -> tuple[Path | None, str]:
    """Where the button keeps the history of positions: the Settings' History file (a
    relative one beside the workbook), else ``wellled-history.sqlite`` beside it. A
    workbook opened from SharePoint or OneDrive (its full name a URL) or never saved has
    no folder on this computer: then (None, why), and the paper is built without movement."""
    from wellled_xl.history import HISTORY_FILE_NAME

    local = not re.match(r"^[a-z][a-z0-9+.-]+://", fullname, re.I)
    folder = Path(fullname).parent if local and Path(fullname).is_absolute() else None
    if setting:
        chosen = Path(setting)
        if chosen.is_absolute():
            return chosen, ""
        if folder is not None:
            return folder / chosen, ""
    if folder is not None:
        return folder / HISTORY_FILE_NAME, ""
    where = "is opened from SharePoint or OneDrive" if not local else "has not been saved"
    return None, (
        f"This workbook {where}, so it has no folder on this computer to keep its history "
        "in: the paper shows no movement since the last paper. To keep one, put a full "
        "folder path in Settings > History file (e.g. C:\\Board\\wellled-history.sqlite)."
    )


def _history_notes(report: Report, why_none: str) -> list[str]:
    if why_none:
        return [why_none]
    moved = report.movement
    if moved is None:
        return []
    notes = []
    if moved.previous_as_at is not None:
        notes.append(
            f"Since the last paper (as at {moved.previous_as_at:%d %B %Y}): "
            f"{len(moved.changes)} changes, listed on the Summary."
        )
    if "history" in report.paths:
        notes.append(f"This position was recorded in {report.paths['history']}.")
    notes += [notice for notice in report.notices if "history file" in notice]
    return notes


def _notes(tracker: Tracker, checks: dict[str, Any], rules: dict[str, str]) -> list[str]:
    notes = []
    without = sorted({r.sheet for r in tracker.records} - checks.keys())
    if without:
        notes.append(
            f"{', '.join(without)}: no Check column, so nothing was written there. Add a "
            "column headed 'Check' to see each row's problems beside it."
        )
    restored = sorted(name for name, state in rules.items() if state == "re-applied")
    if restored:
        notes.append(f"The overdue highlighting was missing on {', '.join(restored)}: re-applied.")
    return notes


# ---------------------------------------------------------------------------------------
# The Word paper button


@dataclass
class WordRun:
    """What the Board paper (Word) button did: the report, and where the .docx went."""

    report: Report
    path: Path
    note: str = ""  # why it is not beside the workbook, when it is not

    def message(self) -> str:
        report = self.report
        lines = [
            f"The board paper in Word, position as at {report.as_at:%d %B %Y}, is at\n{self.path}",
            f"{len(report.actions)} actions: {report.errors} errors, {report.warnings} warnings, "
            f"{len(report.overdue)} overdue (Validate & Build lists them in the workbook).",
        ]
        return "\n\n".join([*lines, self.note] if self.note else lines)


def run_word_button(book: Any) -> WordRun:
    """Validate the open workbook and write its paper as a Word document beside it.

    The same reading, checks and layout as Validate & Build and ``build --docx``; the
    workbook itself is not written. A workbook with no folder on this computer (opened
    from SharePoint, Teams or OneDrive in the browser's sync-less way, or never saved)
    gets its paper in the Documents folder, and the message says so.
    """
    from wellled_xl.paper import default_paper_path, docx_path_for
    from wellled_xl.paper.docx import write_docx

    sheets, extras = read_open_book(book)
    report = check(tracker_from_sheets(book.name, sheets, extras))
    folder, note = word_folder(book)
    target = docx_path_for(default_paper_path(folder / Path(book.name).name, report.as_at))
    written = write_docx(paper_for(report), target)
    return WordRun(report, written.path, note)


def word_folder(book: Any) -> tuple[Path, str]:
    """The folder the workbook is saved in, or Documents (and why) when it has none here."""
    full = str(getattr(book, "fullname", "") or "")
    local = Path(full).parent if full and "://" not in full else None
    if local is not None and str(local) not in ("", ".") and local.is_dir():
        return local, ""
    documents = Path.home() / "Documents"
    folder = documents if documents.is_dir() else Path.home()
    return folder, (
        "The workbook has no folder on this computer (it is open from SharePoint, Teams or "
        f"OneDrive, or not saved yet), so the Word paper went to {folder}."
    )


def word_main() -> None:
    """The Board paper (Word) button: the open workbook's paper as a .docx beside it."""
    click(run_word_button)


# ---------------------------------------------------------------------------------------
# Reading the open workbook


def read_open_book(book: Any) -> tuple[list[tuple[str, list[list[Any]]]], SheetExtras]:
    """Every sheet's values from A1, one block read per sheet, shaped as python-calamine
    gives them (empty cells "", numbers float, dates datetime), so `tracker_from_sheets`
    sees the same rows whichever door they came by; and the sheets, columns and rows Excel
    hides, as the file reader learns them from the file."""
    sheets = []
    hidden_columns: dict[str, frozenset[int]] = {}
    hidden_rows: dict[str, frozenset[int]] = {}
    for sheet in book.sheets:
        last = sheet.used_range.last_cell
        rows, columns = last.row, last.column
        if rows * columns > MAX_SHEET_CELLS:
            raise errors.LimitExceeded(
                book.name,
                f"sheet '{sheet.name}' reaches row {rows} and column {column_letter(columns - 1)}"
                f" ({rows * columns:,} cells); clear the formatting below and right of its "
                "data so Excel's used range ends where the data does",
            )
        values = sheet.range((1, 1), (rows, columns)).options(ndim=2).value
        sheets.append((sheet.name, [[_as_read(value) for value in row] for row in values]))
        hidden = hidden_in_sheet(sheet, rows, columns)
        if hidden is not None and any(hidden):
            hidden_columns[sheet.name], hidden_rows[sheet.name] = hidden
    return sheets, SheetExtras(
        hidden=hidden_sheets(book), hidden_columns=hidden_columns, hidden_rows=hidden_rows
    )


def hidden_sheets(book: Any) -> frozenset[str]:
    """The sheets Excel hides, hidden or very hidden: a hidden tracker sheet (an old copy
    kept out of sight) is said and left unread, as the file reader does. A sheet's
    `visible` is True when shown (-1, xlSheetVisible, through COM on Windows), and False,
    0 or 2 (very hidden) when not; a sheet xlwings cannot say of is read as shown."""
    names = []
    for sheet in book.sheets:
        try:
            visible = sheet.visible
        except Exception:  # a client that sends no visibility, or Excel refusing
            continue
        if inspect.isawaitable(visible):  # xlwings Lite answers only with `await`
            if inspect.iscoroutine(visible):
                visible.close()
            continue
        if visible is not True and visible != -1:
            names.append(sheet.name)
    return frozenset(names)


def hidden_in_sheet(
    sheet: Any, rows: int, columns: int
) -> tuple[frozenset[int], frozenset[int]] | None:
    """The 0-based columns and rows of a sheet's first `rows` x `columns` cells that Excel
    hides, from the cells it shows: one call to Excel, then one per visible area (a block
    of rows and columns with none hidden). None where xlwings cannot say: its remote engine
    and xlwings Lite answer only with `await`, and Excel may refuse (a protected sheet)."""
    used = sheet.range((1, 1), (rows, columns))
    if inspect.iscoroutinefunction(getattr(used.impl, "get_special_cells", None)):
        return None
    try:
        areas = [parse_range(area.address) for area in used.get_special_cells("visible")]
    except Exception:  # Excel would not say: read the sheet as the values give it
        return None
    shown_rows = [(top, bottom) for top, _, bottom, _ in areas]
    shown_columns = [(left, right) for _, left, _, right in areas]
    return _outside(shown_columns, columns), _outside(shown_rows, rows)


def _outside(spans: Sequence[tuple[int, int]], count: int) -> frozenset[int]:
    """The indexes below `count` that no (first, last) span covers."""
    outside: list[int] = []
    upto = 0  # every index below it is covered or listed
    for first, last in sorted(spans):
        outside.extend(range(upto, min(first, count)))
        upto = max(upto, last + 1)
    outside.extend(range(upto, count))
    return frozenset(outside)


def _as_read(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


# ---------------------------------------------------------------------------------------
# The Check column


def check_blocks(
    tracker: Tracker, findings: Sequence[Finding], rows_of: dict[str, list[list[Any]]]
) -> dict[str, list[tuple[str, list[list[Any]]]]]:
    """Per tracker sheet with a Check column: (address, values) blocks to write.

    One block from the first action row down to the last row that is an action or holds
    an old check; rows between that are not actions are cleared if they hold an old check
    or nothing. A cell there holding anything else is not ours: the block is split around
    it rather than overwrite it.
    """
    by_row: dict[tuple[str, int], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.row is not None:
            by_row[(finding.sheet, finding.row)].append(finding)
    records: dict[str, list[Record]] = defaultdict(list)
    for record in tracker.records:
        records[record.sheet].append(record)
    blocks: dict[str, list[tuple[str, list[list[Any]]]]] = {}
    for sheet, sheet_records in records.items():
        letter = sheet_records[0].columns.get("check")
        if letter is None:
            continue
        column = column_index(letter)
        rows = rows_of[sheet]
        texts = {r.row: check_text(by_row.get((sheet, r.row), [])) for r in sheet_records}
        first = min(texts)
        old = [
            i + 1 for i, row in enumerate(rows) if i + 1 > first and is_check_text(_at(row, column))
        ]
        last = max([*texts, *old])
        cells: list[tuple[int, Any]] = []
        for row in range(first, last + 1):
            current = _at(rows[row - 1], column) if row <= len(rows) else ""
            if row in texts:
                cells.append((row, texts[row]))
            elif current == "" or is_check_text(current):
                cells.append((row, None))
            else:
                cells.append((row, _KEEP))
        blocks[sheet] = _runs(letter, cells)
    return blocks


_KEEP = object()  # a cell inside the Check block that is not ours to write


def _runs(letter: str, cells: list[tuple[int, Any]]) -> list[tuple[str, list[list[Any]]]]:
    runs: list[tuple[str, list[list[Any]]]] = []
    current: list[tuple[int, Any]] = []
    for row, value in [*cells, (0, _KEEP)]:
        if value is not _KEEP:
            current.append((row, value))
            continue
        if current:
            top, bottom = current[0][0], current[-1][0]
            address = f"{letter}{top}" if top == bottom else f"{letter}{top}:{letter}{bottom}"
            runs.append((address, [[excel_value(v)] for _, v in current]))
            current = []
    return runs


def _at(row: Sequence[Any], column: int) -> Any:
    return row[column] if column < len(row) else ""


@contextmanager
def _unprotected(sheet: Any, windows: bool) -> Iterator[None]:
    """Lift a password-free sheet protection for the Check column, then put it back as it was.

    The controlled tracker protects its sheets (no password) and locks the Check column
    so leads cannot type in it. Windows Excel only (COM); elsewhere a protected sheet
    makes Excel refuse the write, and the message says so.
    """
    if not windows or not sheet.api.ProtectContents:
        yield
        return
    api = sheet.api
    protection = api.Protection
    allowed = {
        name: getattr(protection, name)
        for name in (
            "AllowFormattingCells",
            "AllowFormattingColumns",
            "AllowFormattingRows",
            "AllowInsertingColumns",
            "AllowInsertingRows",
            "AllowInsertingHyperlinks",
            "AllowDeletingColumns",
            "AllowDeletingRows",
            "AllowSorting",
            "AllowFiltering",
            "AllowUsingPivotTables",
        )
    }
    drawing, scenarios = api.ProtectDrawingObjects, api.ProtectScenarios
    try:
        api.Unprotect()
    except Exception as exc:
        raise errors.UnsafeWrite(
            f"The '{sheet.name}' sheet is protected with a password, so its Check column "
            "cannot be written. Unprotect it (Review > Unprotect Sheet) and click again."
        ) from exc
    try:
        yield
    finally:
        api.Protect(DrawingObjects=drawing, Contents=True, Scenarios=scenarios, **allowed)


# ---------------------------------------------------------------------------------------
# The overdue highlighting


def _keep_overdue_rules(book: Any, sheet: Any, tracker: Tracker, rows: list[list[Any]]) -> str:
    """Re-apply the template's overdue rule on a sheet that has lost it.

    Only a controlled tracker has what the rule refers to (the AsAt, RagCodes and
    RagComplete names, and the columns); anything else is left as the trust made it.
    """
    columns = next(r.columns for r in tracker.records if r.sheet == sheet.name)
    names = {name.name.casefold() for name in book.names}
    if (
        not set(OVERDUE_FIELDS) <= columns.keys()
        or not {n.casefold() for n in OVERDUE_NAMES} <= names
    ):
        return "not a controlled tracker"
    numbers = {fld: column_index(letter) + 1 for fld, letter in columns.items()}
    rules = overdue_rules(numbers, max(len(rows), 2))
    present = has_overdue_rules(sheet, rules)
    if present is None:
        return "not checked (this Excel cannot read conditional formats)"
    if present:
        return "kept"
    apply_overdue_rules(sheet, rules)
    return "re-applied"


def has_overdue_rules(sheet: Any, rules: Sequence[OverdueRule]) -> bool | None:
    """Whether the overdue formula still applies to the sheet's first body cells.

    None when the engine cannot read conditional formats (xlwings' remote engine).
    Excel reports a rule's formula relative to the active cell, so row numbers are
    ignored when comparing.
    """
    wanted = _formula_shape(rules[0].formula)
    for rule in rules:
        first = rule.ranges[0].split(":")[0]
        try:
            found = {
                _formula_shape(cf.formula or "") for cf in sheet.range(first).conditional_formats
            }
        except NotImplementedError:
            return None
        if wanted not in found:
            return False
    return True


def _formula_shape(formula: str) -> str:
    return re.sub(r"(\$?[A-Z]{1,3}\$?)\d+", r"\1#", formula.lstrip("=").upper())


def apply_overdue_rules(sheet: Any, rules: Sequence[OverdueRule]) -> None:
    """Add the overdue rule to each of its ranges, as the template has it."""
    for rule in rules:
        for address in rule.ranges:
            style: dict[str, Any] = {"fill_color": f"#{rule.fill}"}
            if rule.font_colour:
                style |= {"font_color": f"#{rule.font_colour}", "font_bold": rule.bold}
            sheet.range(address).conditional_formats.add_custom("=" + rule.formula, **style)
