"""Write the controlled tracker workbook (blank, or filled with rows) with openpyxl.

The workbook, in sheet order: ``Actions`` (Part A) and ``Findings`` (Part B) as Excel
tables, then the registers ``Leads``, ``Legend`` and ``KLOE`` (tables too) and
``Settings``. Decisions a reader of this file should know:

- **Tables with spare rows.** Each table spans its rows plus blank spare rows, so a lead
  types into the table (dropdowns, formats, conditional formats already in place) and the
  table need not grow on a protected sheet, which Excel does not allow.
- **Workbook names feed the dropdowns and rules.** ``RagCodes``, ``RagComplete``,
  ``LeadInitials`` and ``KloeCodes`` are dynamic: ``OFFSET(Legend!$A$2,0,0,
  MAX(1,COUNTA(Legend!$A$2:$A$1000)),1)``, so a status, lead or KLOE added to a register
  joins its dropdown (the usual Excel technique; the tests check LibreOffice evaluates
  them and the overdue rule built on them). Register rows must be
  filled from the top without gaps: COUNTA counts the filled cells. ``AsAt`` is the
  Settings value cell of the as-at date.
- **Several leads in one cell** (``DMc / AK / MS``): the Lead dropdown's error style is
  *warning*, not *stop*; its input prompt tells the lead to pick one or type several
  separated by " / ". Excel then asks before keeping such a value; the validator splits
  it on ``/ , & and`` and checks each part against the register.
- **Dates** are real dates with a date validation (1/1/2000 to 31/12/2099) shown
  ``dd/mm/yyyy``. A row value may be an ISO year-month (``"2019-03"``), the way a paper
  gives a month alone: it is stored as the month's last day shown ``mmmm yyyy``
  ("March 2019").
- **Live highlighting.** Each RAG cell is filled with its legend colour (one rule per
  legend entry written). A row is overdue when it has a ref or an action, its due date
  (Revised due, else Original due) is before ``AsAt`` and its RAG is not marked complete
  in the Legend: the row turns light red except the RAG cell, the due dates bold red.
- **Protection without a password**: the officer can unprotect from the Review tab.
  Headers and the tool-written ``Check`` column are locked; table bodies, register bodies
  and Settings values are not. Protected sheets still allow formatting, inserting rows,
  sorting and autofilter; but Excel sorts no range holding locked cells on a protected
  sheet, so sorting a whole table (Check column included) needs the sheet unprotected.
- **Text stays text**: every string is written as a string cell; one starting with
  ``= + - @`` also gets Excel's quote prefix so editing it does not turn it into a formula.
- **Deterministic**: fixed document timestamps and zip entry times, so writing the same
  tracker twice gives the same bytes.
"""

from __future__ import annotations

import calendar
import io
import itertools
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from wellled_xl.cells import EXCEL_MAX_TEXT, column_letter, stored_text, xml_text
from wellled_xl.errors import WellledError
from wellled_xl.headers import (
    ACTIONS_COLUMNS,
    ACTIONS_SHEET,
    FINDINGS_COLUMNS,
    FINDINGS_SHEET,
    GROUP_HEADER,
)
from wellled_xl.model import (
    DEFAULT_KLOES,
    DEFAULT_LEGEND,
    EXTRA,
    SETTINGS_LABELS,
    Kloe,
    Lead,
    Legend,
    Settings,
)
from wellled_xl.safety import atomic_output
from wellled_xl.sample import (
    SAMPLE_ACTIONS,
    SAMPLE_FINDINGS,
    SAMPLE_LEADS,
    SAMPLE_LEGEND,
    SAMPLE_SETTINGS,
)

LEADS_SHEET = "Leads"
LEGEND_SHEET = "Legend"
KLOE_SHEET = "KLOE"
SETTINGS_SHEET = "Settings"

# Register headers with their column widths.
LEADS_COLUMNS = (("Initials", 10), ("Name", 28), ("Role", 32), ("Email", 36))
LEGEND_COLUMNS = (("Code", 9), ("Meaning", 60), ("Colour", 10), ("Complete", 11))
KLOE_COLUMNS = (("KLOE", 8), ("Question", 110))
SETTINGS_COLUMNS = (("Setting", 26), ("Value", 90))

# Table names and how many blank rows each register keeps for additions.
ACTIONS_TABLE = "ActionsTable"
FINDINGS_TABLE = "FindingsTable"
LEADS_TABLE = "LeadsTable"
LEGEND_TABLE = "LegendTable"
KLOE_TABLE = "KloeTable"
LEADS_SPARE_ROWS = 30
LEGEND_SPARE_ROWS = 5
KLOE_SPARE_ROWS = 4

# Workbook names used by dropdowns and conditional formats.
RAG_CODES = "RagCodes"
RAG_COMPLETE = "RagComplete"
LEAD_INITIALS = "LeadInitials"
KLOE_CODES = "KloeCodes"
AS_AT = "AsAt"
REGISTER_LIMIT = 1000  # the last register row a dynamic name looks at

DATE_FORMAT = "dd/mm/yyyy"
MONTH_FORMAT = "mmmm yyyy"
TEXT_FORMAT = "@"
FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2099, 12, 31)

DATE_FIELDS = frozenset({"original_due", "revised_due", "last_updated"})
WRAPPED_FIELDS = frozenset(
    {"action", "finding", "success_measure", "progress", "previous_revisions", "check"}
)
COLUMN_WIDTHS = {
    "ref": 8,
    "kloe": 7,
    "finding": 40,
    "action": 40,
    "original_due": 16,  # wide enough for "September 2019" in bold
    "revised_due": 16,
    "previous_revisions": 18,
    "lead": 12,
    "success_measure": 30,
    "progress": 60,
    "rag": 7,
    "last_updated": 16,
    "check": 30,
    "group": 24,
}
EXTRA_WIDTH = 24  # an extra column carried from an adopted tracker

# Colours as Excel writes them: "AARRGGBB", opaque.
HEADER_FONT = Font(bold=True, color="FFFFFFFF")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
HEADER_FILL = PatternFill(fill_type="solid", start_color="FF1F4E78", end_color="FF1F4E78")
BODY_ALIGNMENT = Alignment(vertical="top")
WRAPPED_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
TOOL_FONT = Font(italic=True, color="FF595959")
TOOL_FILL = PatternFill(fill_type="solid", start_color="FFF2F2F2", end_color="FFF2F2F2")
OVERDUE_FILL_COLOUR = "FFC7CE"  # light red: an overdue row
OVERDUE_DATE_COLOUR = "C00000"  # dark red (bold): its due dates
LOCKED = Protection(locked=True)
UNLOCKED = Protection(locked=False)
TABLE_STYLE = "TableStyleMedium2"

# Fixed so that writing the same tracker twice gives the same bytes.
DOCUMENT_TIMESTAMP = datetime(2000, 1, 1)
ZIP_TIMESTAMP = (2000, 1, 1, 0, 0, 0)

BLANK_SETTINGS = Settings()
TRACKER_SUFFIX = ".xlsx"
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")
_FORMULA_LEADERS = ("=", "+", "-", "@")


def write_tracker(
    path: str | os.PathLike[str],
    *,
    settings: Settings = BLANK_SETTINGS,
    legend: Legend = DEFAULT_LEGEND,
    kloes: Sequence[Kloe] = DEFAULT_KLOES,
    leads: Sequence[Lead] = (),
    actions: Sequence[Mapping[str, object]] = (),
    findings: Sequence[Mapping[str, object]] = (),
    spare_rows: int = 100,
    group: bool = False,
    extra_columns: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """Write a controlled tracker holding these registers and rows; return its path.

    Rows are keyed by the field names of ACTIONS_COLUMNS / FINDINGS_COLUMNS; a key that
    is not one of them raises ValueError rather than being dropped. With `group`, both
    sheets get a Group column (key "group") after the ref; `extra_columns` gives, by part
    ("A", "B"), the headers of columns an adopted tracker carries as they were (keys
    EXTRA + header), written before Check. The file is written atomically: a reader
    never sees half a workbook.
    """
    if spare_rows < 0:
        raise ValueError(f"spare_rows must be 0 or more, not {spare_rows}")
    book = Workbook()
    book.remove(book.active)
    extra_columns = extra_columns or {}
    for name, part, columns, rows, table in (
        (ACTIONS_SHEET, "A", ACTIONS_COLUMNS, actions, ACTIONS_TABLE),
        (FINDINGS_SHEET, "B", FINDINGS_COLUMNS, findings, FINDINGS_TABLE),
    ):
        columns = tracker_columns(columns, group=group, extras=extra_columns.get(part, ()))
        _tracker_sheet(book.create_sheet(name), columns, rows, spare_rows, table, legend)
    _register_sheet(
        book.create_sheet(LEADS_SHEET),
        LEADS_COLUMNS,
        [(lead.initials, lead.name, lead.role, lead.email) for lead in leads],
        LEADS_SPARE_ROWS,
        LEADS_TABLE,
    )
    legend_end = _register_sheet(
        book.create_sheet(LEGEND_SHEET),
        LEGEND_COLUMNS,
        [
            (entry.code, entry.meaning, entry.colour, "Yes" if entry.complete else "No")
            for entry in legend.entries
        ],
        LEGEND_SPARE_ROWS,
        LEGEND_TABLE,
    )
    _legend_validations(book[LEGEND_SHEET], legend_end)
    _register_sheet(
        book.create_sheet(KLOE_SHEET),
        KLOE_COLUMNS,
        [(kloe.code, kloe.question) for kloe in kloes],
        KLOE_SPARE_ROWS,
        KLOE_TABLE,
    )
    as_at_row = _settings_sheet(book.create_sheet(SETTINGS_SHEET), settings)
    _define_names(book, as_at_row)

    book.active = 0
    book[ACTIONS_SHEET].sheet_view.tabSelected = True
    book.properties.creator = "wellled-xl"
    book.properties.title = xml_text(settings.title)
    book.properties.created = DOCUMENT_TIMESTAMP
    book.properties.modified = DOCUMENT_TIMESTAMP
    target = Path(path)
    with atomic_output(target) as tmp:
        _save(book, tmp)
    return target


def tracker_columns(
    columns: Sequence[tuple[str, str]], *, group: bool = False, extras: Sequence[str] = ()
) -> tuple[tuple[str, str], ...]:
    """A tracker sheet's (header, field) columns with a Group column after the ref and the
    extra columns before Check, as the reader (shape.py) recognises them as controlled."""
    result = list(columns)
    if group:
        result.insert(1, (GROUP_HEADER, "group"))
    check = len(result) - 1 if result[-1][1] == "check" else len(result)
    result[check:check] = [(header, EXTRA + header) for header in extras]
    return tuple(result)


def write_template(path: str | os.PathLike[str], tracker_id: str = "") -> Path:
    """Write the blank controlled tracker (``wellled-xl new-tracker PATH``), with
    `tracker_id` in Settings ("" leaves it blank: the history then knows it by its path)."""
    return write_tracker(path, settings=replace(BLANK_SETTINGS, tracker_id=tracker_id))


def write_sample_tracker(path: str | os.PathLike[str], tracker_id: str | None = None) -> Path:
    """Write the seed board paper as a tracker (``wellled-xl new-tracker PATH --sample``);
    its tracker id is the sample's fixed one unless `tracker_id` is given."""
    settings = (
        SAMPLE_SETTINGS if tracker_id is None else replace(SAMPLE_SETTINGS, tracker_id=tracker_id)
    )
    return write_tracker(
        path,
        settings=settings,
        legend=SAMPLE_LEGEND,
        leads=SAMPLE_LEADS,
        actions=SAMPLE_ACTIONS,
        findings=SAMPLE_FINDINGS,
    )


def new_tracker_path(path: str | os.PathLike[str]) -> Path:
    """Where ``new-tracker PATH`` writes: PATH, with ``.xlsx`` added if it has no extension.

    Any other extension is refused: the file is an .xlsx workbook, which Excel will not
    open under another one (``.csv``, ``.xls``, ``.xlsm``).
    """
    target = Path(path)
    if not target.suffix:
        return target.with_name(f"{target.name}{TRACKER_SUFFIX}")
    if target.suffix.lower() != TRACKER_SUFFIX:
        raise WellledError(
            f"{target}: the tracker is an .xlsx workbook; name it {target.stem}{TRACKER_SUFFIX}"
        )
    return target


def _tracker_sheet(
    sheet: Worksheet,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Mapping[str, object]],
    spare_rows: int,
    table_name: str,
    legend: Legend,
) -> None:
    """An Actions or Findings sheet: header, rows, spare rows, table, dropdowns, rules."""
    fields = [field for _, field in columns]
    _write_header(sheet, [header for header, _ in columns])
    last_row = 1 + max(1, len(rows) + spare_rows)  # a table needs at least one body row
    for column, field in enumerate(fields, start=1):
        width = COLUMN_WIDTHS.get(field, EXTRA_WIDTH)
        sheet.column_dimensions[column_letter(column - 1)].width = width
        for row in range(2, last_row + 1):
            _style_body_cell(sheet.cell(row, column), field)
    for row, values in enumerate(rows, start=2):
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise ValueError(f"{sheet.title} row {row}: no column for {', '.join(unknown)}")
        for column, field in enumerate(fields, start=1):
            _write_value(sheet.cell(row, column), values.get(field), as_date=field in DATE_FIELDS)
    _add_table(sheet, table_name, len(fields), last_row)
    _tracker_validations(sheet, fields, last_row)
    _tracker_rules(sheet, fields, last_row, legend)
    _finish_sheet(sheet, freeze="B2")


def _style_body_cell(cell: Cell, field: str) -> None:
    """Leads type into every body cell but the tool's Check column."""
    if field == "check":
        cell.protection = LOCKED
        cell.fill = TOOL_FILL
        cell.font = TOOL_FONT
    else:
        cell.protection = UNLOCKED
    wrapped = field in WRAPPED_FIELDS or field.startswith(EXTRA)
    cell.alignment = WRAPPED_ALIGNMENT if wrapped else BODY_ALIGNMENT
    if field in DATE_FIELDS:
        cell.number_format = DATE_FORMAT
    elif field == "ref":
        cell.number_format = TEXT_FORMAT  # "1" or "W1a" typed stays text, like the refs written


def _tracker_validations(sheet: Worksheet, fields: list[str], last_row: int) -> None:
    def span(field: str) -> str:
        letter = column_letter(fields.index(field))
        return f"{letter}2:{letter}{last_row}"

    _add_validation(
        sheet,
        span("rag"),
        DataValidation(
            type="list",
            formula1=RAG_CODES,
            promptTitle="RAG status",
            prompt="Pick the status from the list. What each one means is on the Legend sheet.",
            errorTitle="Not a status on the Legend",
            error="Pick a status from the list; the statuses are on the Legend sheet.",
            errorStyle="stop",
        ),
    )
    # Warning, not stop: a shared action names several leads ("DMc / AK / MS").
    _add_validation(
        sheet,
        span("lead"),
        DataValidation(
            type="list",
            formula1=LEAD_INITIALS,
            promptTitle="Lead",
            prompt="Pick the lead's initials from the list (Leads sheet). For a shared action "
            'type several separated by " / ", e.g. DMc / AK / MS.',
            errorTitle="Lead not on the Leads sheet",
            error="These initials are not on the Leads sheet. Several leads: separate them with "
            '" / ". Yes keeps the value, No lets you retype it.',
            errorStyle="warning",
        ),
    )
    if "kloe" in fields:
        _add_validation(
            sheet,
            span("kloe"),
            DataValidation(
                type="list",
                formula1=KLOE_CODES,
                promptTitle="KLOE",
                prompt="Pick the key line of enquiry (W1 to W8) this action answers.",
                errorTitle="Not a KLOE",
                error="Pick a KLOE from the list; the questions are on the KLOE sheet.",
                errorStyle="stop",
            ),
        )
    _add_validation(
        sheet, " ".join(span(field) for field in fields if field in DATE_FIELDS), _date_rule()
    )


@dataclass(frozen=True)
class OverdueRule:
    """One conditional format of the overdue highlighting, as plain data.

    The template writes it with openpyxl; the Excel button re-applies it through xlwings
    when a tracker has lost it. ``formula`` has no leading '=' and is written for row 2,
    the first body row (Excel shifts it down the ranges).
    """

    ranges: tuple[str, ...]  # A1 blocks, e.g. ("A2:C101", "F2:I101")
    formula: str
    fill: str  # "RRGGBB"
    font_colour: str | None = None  # "RRGGBB" and bold, for the due dates
    bold: bool = False


# The names an overdue rule relies on: only a controlled tracker has them.
OVERDUE_NAMES = (AS_AT, RAG_CODES, RAG_COMPLETE)
OVERDUE_FIELDS = ("ref", "action", "original_due", "revised_due", "rag")


def overdue_rules(columns: Mapping[str, int], last_row: int) -> tuple[OverdueRule, ...]:
    """The overdue highlighting of a tracker sheet whose fields sit in these (1-based) columns.

    A row is overdue when it has a ref or an action, its due date (Revised due, else
    Original due: the latest revision wins) is before ``AsAt`` and its RAG is not complete in the
    Legend: the row turns light red except the RAG cell, the due dates bold red too.
    """
    letter = {field: column_letter(column - 1) for field, column in columns.items()}
    due = f'IF(${letter["revised_due"]}2<>"",${letter["revised_due"]}2,${letter["original_due"]}2)'
    overdue = (
        f'AND(OR(${letter["ref"]}2<>"",${letter["action"]}2<>""),ISNUMBER({due}),{due}<{AS_AT},'
        f'COUNTIFS({RAG_CODES},${letter["rag"]}2,{RAG_COMPLETE},"Yes")=0)'
    )
    due_fields = {"original_due", "revised_due"}
    row_columns = sorted(c for f, c in columns.items() if f not in due_fields | {"rag"})
    due_columns = sorted(c for f, c in columns.items() if f in due_fields)
    return (
        OverdueRule(_column_spans(row_columns, last_row), overdue, OVERDUE_FILL_COLOUR),
        OverdueRule(
            _column_spans(due_columns, last_row),
            overdue,
            OVERDUE_FILL_COLOUR,
            font_colour=OVERDUE_DATE_COLOUR,
            bold=True,
        ),
    )


def _tracker_rules(sheet: Worksheet, fields: list[str], last_row: int, legend: Legend) -> None:
    """RAG cells in their legend colour; overdue rows in light red, their due dates bold red."""
    letter = {field: column_letter(i) for i, field in enumerate(fields)}
    rag_span = f"{letter['rag']}2:{letter['rag']}{last_row}"
    for entry in legend.entries:
        sheet.conditional_formatting.add(
            rag_span,
            CellIsRule(
                operator="equal",
                formula=[_excel_string(entry.code)],
                fill=_solid(entry.colour),
                font=Font(color=_readable_on(entry.colour)),
            ),
        )
    columns = {field: i for i, field in enumerate(fields, start=1)}
    for rule in overdue_rules(columns, last_row):
        font = Font(bold=True, color=f"FF{rule.font_colour}") if rule.font_colour else None
        sheet.conditional_formatting.add(
            " ".join(rule.ranges),
            FormulaRule(formula=[rule.formula], fill=_solid(rule.fill), font=font),
        )


def _register_sheet(
    sheet: Worksheet,
    columns: Sequence[tuple[str, int]],
    rows: Sequence[Sequence[str]],
    spare_rows: int,
    table_name: str,
) -> int:
    """A register (Leads, Legend, KLOE) as a table with spare rows; returns its last row."""
    _write_header(sheet, [header for header, _ in columns])
    last_row = 1 + max(1, len(rows) + spare_rows)
    for column, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[column_letter(column - 1)].width = width
        for row in range(2, last_row + 1):
            cell = sheet.cell(row, column)
            cell.protection = UNLOCKED
            cell.alignment = WRAPPED_ALIGNMENT if width >= 30 else BODY_ALIGNMENT
    for row, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            _write_value(sheet.cell(row, column), value, as_date=False)
    _add_table(sheet, table_name, len(columns), last_row)
    _finish_sheet(sheet, freeze="A2")
    return last_row


def _legend_validations(sheet: Worksheet, last_row: int) -> None:
    """Colour stays text ("00B050" is not a number); Complete is Yes or No."""
    headers = [header for header, _ in LEGEND_COLUMNS]
    colour = column_letter(headers.index("Colour"))
    complete = column_letter(headers.index("Complete"))
    for row in range(2, last_row + 1):
        sheet[f"{colour}{row}"].number_format = TEXT_FORMAT
    _add_validation(
        sheet,
        f"{complete}2:{complete}{last_row}",
        DataValidation(
            type="list",
            formula1=_excel_string("Yes,No"),
            promptTitle="Counts as complete?",
            prompt="Yes: an action with this status is delivered and never overdue.",
            errorTitle="Yes or No",
            error="Type Yes or No.",
            errorStyle="stop",
        ),
    )


def _settings_sheet(sheet: Worksheet, settings: Settings) -> int:
    """Setting | Value rows in SETTINGS_LABELS order; returns the as-at date's row."""
    _write_header(sheet, [header for header, _ in SETTINGS_COLUMNS])
    for column, (_, width) in enumerate(SETTINGS_COLUMNS, start=1):
        sheet.column_dimensions[column_letter(column - 1)].width = width
    as_at_row = 0
    for row, (label, attribute) in enumerate(SETTINGS_LABELS, start=2):
        label_cell, value_cell = sheet.cell(row, 1), sheet.cell(row, 2)
        _write_value(label_cell, label, as_date=False)
        label_cell.font = Font(bold=True)
        label_cell.protection = LOCKED
        value_cell.protection = UNLOCKED
        value_cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        value = getattr(settings, attribute)
        if attribute == "as_at":
            as_at_row = row
            value_cell.number_format = DATE_FORMAT
            _add_validation(sheet, value_cell.coordinate, _date_rule())
        elif isinstance(value, int):
            _add_validation(
                sheet,
                value_cell.coordinate,
                DataValidation(
                    type="whole",
                    operator="between",
                    formula1="1",
                    formula2="24",
                    errorTitle="Months",
                    error="Type a whole number of months, 1 to 24.",
                    errorStyle="stop",
                ),
            )
        _write_value(value_cell, value, as_date=False)
    _finish_sheet(sheet, freeze="A2", print_titles=False)
    return as_at_row


def _define_names(book: Workbook, as_at_row: int) -> None:
    legend_headers = [header for header, _ in LEGEND_COLUMNS]
    complete = column_letter(legend_headers.index("Complete"))
    names = {
        RAG_CODES: _register_list(LEGEND_SHEET, "A"),
        RAG_COMPLETE: _register_list(LEGEND_SHEET, complete),
        LEAD_INITIALS: _register_list(LEADS_SHEET, "A"),
        KLOE_CODES: _register_list(KLOE_SHEET, "A"),
        AS_AT: f"{quote_sheetname(SETTINGS_SHEET)}!$B${as_at_row}",
    }
    for name, formula in names.items():
        book.defined_names[name] = DefinedName(name, attr_text=formula)


def _register_list(sheet: str, column: str) -> str:
    """A register column from row 2 down as far as its first column is filled."""
    sheet = quote_sheetname(sheet)
    return f"OFFSET({sheet}!${column}$2,0,0,MAX(1,COUNTA({sheet}!$A$2:$A${REGISTER_LIMIT})),1)"


def _write_header(sheet: Worksheet, headers: Sequence[str]) -> None:
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(1, column)
        _write_value(cell, header, as_date=False)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
        cell.protection = LOCKED


def _write_value(cell: Cell, value: object, *, as_date: bool) -> None:
    """Put one value in a cell: text as text, dates as dates, a year-month as a month."""
    if value is None or value == "":
        return
    if as_date and isinstance(value, str):
        month = _year_month_end(value)
        if month is not None:
            cell.value = month
            cell.number_format = MONTH_FORMAT  # "March 2019", as the paper gave it
            return
    if isinstance(value, str):
        text = stored_text(value)  # a lead's text read back as typed, controls and all
        if len(text) > EXCEL_MAX_TEXT:
            # openpyxl would cut it to 32,767 characters without a word: it is kept whole, as
            # the tracker it came from held it, and text-too-long says so on every run.
            cell._value = text
        else:
            cell.value = text
        cell.data_type = "s"  # openpyxl would make "=..." a formula
        if value.startswith(_FORMULA_LEADERS):
            cell.quotePrefix = True  # and Excel would on the next edit
    elif isinstance(value, bool | int | float | date):
        cell.value = value
    else:
        raise TypeError(f"{cell.coordinate}: cannot write a {type(value).__name__} ({value!r})")


def _year_month_end(text: str) -> date | None:
    """'2019-03' -> 2019-03-31: a month alone means its last day."""
    match = _YEAR_MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        return None
    year, month = int(match[1]), int(match[2])
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_table(sheet: Worksheet, name: str, width: int, last_row: int) -> None:
    table = Table(displayName=name, ref=f"A1:{column_letter(width - 1)}{last_row}")
    table.tableStyleInfo = TableStyleInfo(
        name=TABLE_STYLE, showRowStripes=True, showColumnStripes=False
    )
    sheet.add_table(table)


def _add_validation(sheet: Worksheet, cell_range: str, rule: DataValidation) -> None:
    rule.allow_blank = True
    rule.showErrorMessage = True
    rule.showInputMessage = bool(rule.prompt)
    for span in cell_range.split():
        rule.add(span)
    sheet.add_data_validation(rule)


def _date_rule() -> DataValidation:
    return DataValidation(
        type="date",
        operator="between",
        formula1=str(_excel_serial(FIRST_DATE)),
        formula2=str(_excel_serial(LAST_DATE)),
        errorTitle="Not a date",
        error="Type a date as day/month/year, e.g. 31/03/2020.",
        errorStyle="stop",
    )


def _excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def _excel_string(text: str) -> str:
    """A string literal in an Excel formula; a control character, which a formula cannot
    hold as it is (a status code pasted with one), joined on as CHAR(n)."""
    parts = _CONTROL.split(text)
    pieces = [
        f"CHAR({ord(part)})" if odd else '"' + part.replace('"', '""') + '"'
        for odd, part in zip(itertools.cycle((False, True)), parts, strict=False)
        if odd or part or len(parts) == 1
    ]
    return "&".join(pieces)


_CONTROL = re.compile(r"([\x00-\x1f])")


def _solid(colour: str) -> PatternFill:
    """A solid fill of a legend colour ("RRGGBB"), opaque."""
    return PatternFill(fill_type="solid", start_color=f"FF{colour}", end_color=f"FF{colour}")


def _readable_on(colour: str) -> str:
    """Black text on light fills, white on dark ones (perceived brightness)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return "FF000000" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "FFFFFFFF"


def _column_spans(columns: list[int], last_row: int) -> tuple[str, ...]:
    """Body ranges of these columns, adjacent ones merged: ('A2:C101', 'F2:I101')."""
    runs: list[list[int]] = []
    for column in columns:
        if runs and runs[-1][-1] == column - 1:
            runs[-1].append(column)
        else:
            runs.append([column])
    return tuple(
        f"{column_letter(run[0] - 1)}2:{column_letter(run[-1] - 1)}{last_row}" for run in runs
    )


def _finish_sheet(sheet: Worksheet, *, freeze: str, print_titles: bool = True) -> None:
    """Frozen header, landscape A4 one page wide, and protection without a password."""
    sheet.freeze_panes = freeze
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if print_titles:
        sheet.print_title_rows = "1:1"
    # In sheetProtection, True forbids: formatting, inserting rows, sorting and filtering
    # stay allowed so the officer can add rows and sort without unprotecting.
    sheet.protection = SheetProtection(
        sheet=True,
        formatCells=False,
        formatColumns=False,
        formatRows=False,
        insertRows=False,
        sort=False,
        autoFilter=False,
    )


def _save(book: Workbook, target: Path) -> None:
    """Save with fixed zip entry times, so the same workbook gives the same bytes."""
    buffer = io.BytesIO()
    # ExcelWriter rather than Workbook.save, which stamps the modified time with "now".
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    with (
        zipfile.ZipFile(buffer) as written,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for name in written.namelist():
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            archive.writestr(entry, written.read(name))
