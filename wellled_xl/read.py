"""Read a tracker workbook with python-calamine: find tracker sheets by their headers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import python_calamine

from wellled_xl import errors
from wellled_xl.cells import cell_address, column_letter, is_generated, range_address, split_cell
from wellled_xl.headers import HeaderMap, map_headers, normalise
from wellled_xl.model import (
    DEFAULT_LEGEND,
    SETTINGS_LABELS,
    Finding,
    Kloe,
    Lead,
    Legend,
    LegendEntry,
    Record,
    Settings,
    Tracker,
    cell_text,
)
from wellled_xl.preflight import WorkbookScan, check_workbook
from wellled_xl.rules import RULES

# A merged area as python-calamine gives it: ((first row, first col), (last row, last col)).
MergedRange = tuple[tuple[int, int], tuple[int, int]]
# How far down a sheet the header row may sit below a title block.
HEADER_SEARCH_ROWS = 30

# A KLOE band row: "KLOE W1: Is there ...", "W3: Is there ...", "Well-led W8 - ...".
_BAND = re.compile(r"^\s*(?:kloe\s*|well[- ]?led\s*)?(W[1-8])\b\s*[:.\-–]?\s*(.*)$", re.I | re.S)
_LONE_REF = re.compile(r"^[A-Za-z]{0,4}\d+(?:\.\d+)*[a-z]{0,2}\.?$")
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
_TRUE_WORDS = {"yes", "y", "true", "1", "complete", "x", "✓"}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def open_workbook(path: str | Path) -> tuple[python_calamine.CalamineWorkbook, WorkbookScan]:
    """Open a workbook for reading, turning every failure into one clear error."""
    source = Path(path)
    if not source.exists():
        raise errors.UnusableWorkbook(source, "no such file")
    if source.is_dir():
        raise errors.UnusableWorkbook(source, "is a folder, not a workbook")
    scan = check_workbook(source)  # refuse what calamine must not parse: see preflight.py
    try:
        return python_calamine.CalamineWorkbook.from_path(str(source)), scan
    except python_calamine.PasswordError as exc:
        raise errors.NotAWorkbook(
            source, "the workbook is password-protected; save an unencrypted copy"
        ) from exc
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise errors.NotAWorkbook(
            source, f"not a readable Excel workbook (.xlsx/.xlsm) ({exc})"
        ) from exc


def _read_sheet(
    book: python_calamine.CalamineWorkbook, name: str, path: Path
) -> tuple[list[list[Any]], list[MergedRange]]:
    """A sheet's rows from A1 and its merged areas, parsing the sheet once."""
    try:
        sheet = book.get_sheet_by_name(name)
        return sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or []
    except (python_calamine.CalamineError, ValueError) as exc:
        raise errors.NotAWorkbook(path, f"sheet {name!r} cannot be read ({exc})") from exc


def _find_header(rows: list[list[Any]]) -> tuple[int, HeaderMap] | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        header = map_headers(row)
        if header.looks_like_tracker():
            return index, header
    return None


def _register_header(rows: list[list[Any]], wanted: set[str]) -> tuple[int, dict[str, int]] | None:
    """Find a register's header row: every wanted (normalised) label present."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        labels = {normalise(cell): col for col, cell in enumerate(row) if not _blank(cell)}
        if wanted <= labels.keys():
            return index, labels
    return None


def _band_or_group(row: list[Any], header: HeaderMap) -> tuple[str, str | None] | None:
    """('band', 'W3') for a KLOE band row, ('group', None) for a heading row, None for data.

    A band or group row holds one piece of text (merged cells read as one value) and no
    lead, RAG or date: "KLOE W1: Is there ...", "May 2012", "Part B findings".
    """
    filled = []
    for col, cell in enumerate(row):
        if cell != "" and not _blank(cell):
            filled.append((col, cell))
            # A data row fills several cells with different values: decide without more work.
            if len(filled) == 3 and filled[0][1] != filled[1][1]:
                return None
    if not filled:
        return None
    values = {cell_text(cell) for _, cell in filled}
    if len(values) != 1:
        return None
    text = values.pop()
    match = _BAND.match(text)
    if match and (match.group(2) or len(text) <= 6) and not _looks_like_action_ref(text):
        return "band", match.group(1).upper()
    column = filled[0][0]
    data_columns = {header.columns.get(f) for f in ("lead", "rag", "progress")}
    if column in data_columns:
        return None
    if column == header.columns.get("ref") and _LONE_REF.match(text):
        return None  # a lone ref ("W4c", "12"): a record with everything else missing
    return "group", None


def _looks_like_action_ref(text: str) -> bool:
    return re.fullmatch(r"W[1-8][a-z]{1,2}\d*", text.strip()) is not None


def _is_header_repeat(row: list[Any], header_row: list[Any], header: HeaderMap) -> bool:
    """The header row repeated below (page breaks copied from a Word paper).

    It must repeat all the header's labels but one, and at least three: stop at the
    second label it lacks, which for a data row is almost at once.
    """
    misses_allowed = len(header.columns) - max(3, len(header.columns) - 1)
    if misses_allowed < 0:
        return False
    for col in header.columns.values():
        if not (col < len(row) and isinstance(row[col], str) and row[col] == header_row[col]):
            misses_allowed -= 1
            if misses_allowed < 0:
                return False
    return True


def _read_tracker_sheet(
    name: str,
    rows: list[list[Any]],
    found: tuple[int, HeaderMap],
    findings: list[Finding],
    extras: SheetExtras,
) -> list[Record]:
    header_index, header = found
    header_row = header_index + 1
    findings.extend(_merged_across_rows(name, header_index, header, extras.merged.get(name, ())))
    errors_by_row = _errors_by_row(extras.error_cells.get(name, {}))
    for fld, extra in header.duplicates.items():
        for col in extra:
            findings.append(
                RULES["header-duplicate"].finding(
                    sheet=name,
                    cell=cell_address(header_index, col),
                    row=header_row,
                    field=fld,
                    value=cell_text(rows[header_index][col]),
                    column=column_letter(col),
                    label=fld.replace("_", " "),
                    first=column_letter(header.columns[fld]),
                )
            )
    columns = {fld: column_letter(col) for fld, col in header.columns.items()}
    records: list[Record] = []
    band: str | None = None
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        kind = _band_or_group(row, header)
        if kind is not None:
            if kind[0] == "band":
                band = kind[1]
            continue
        if all(_blank(cell) for cell in row) or _is_header_repeat(row, rows[header_index], header):
            continue
        values = {fld: (row[col] if col < len(row) else "") for fld, col in header.columns.items()}
        row_errors = errors_by_row.get(index + 1)
        cell_errors = (
            {fld: row_errors[letter] for fld, letter in columns.items() if letter in row_errors}
            if row_errors
            else {}
        )
        records.append(
            Record(
                part="B" if header.part == "B" else "A",
                sheet=name,
                row=index + 1,
                values=values,
                columns=columns,
                kloe_band=band,
                errors=cell_errors,
            )
        )
    return records


def _errors_by_row(error_cells: dict[str, str]) -> dict[int, dict[str, str]]:
    """{"F12": "#N/A"} -> {12: {"F": "#N/A"}}: a row with no error cell costs one lookup."""
    by_row: dict[int, dict[str, str]] = {}
    for address, error in error_cells.items():
        try:
            letters, row = split_cell(address)
        except ValueError:  # a hand-made part's odd address: no cell to name
            continue
        by_row.setdefault(row, {})[letters] = error
    return by_row


def _merged_across_rows(
    sheet: str, header_index: int, header: HeaderMap, merged: Iterable[MergedRange]
) -> list[Finding]:
    """A merge over several data rows gives its value to the first row only: say so once."""
    findings = []
    by_column = {col: fld for fld, col in header.columns.items()}
    for (first_row, first_col), (last_row, last_col) in merged:
        if last_row == first_row or first_row <= header_index or first_col not in by_column:
            continue
        findings.append(
            RULES["merged-cells"].finding(
                sheet=sheet,
                cell=range_address(first_row, first_col, last_row, last_col),
                row=first_row + 1,
                field=by_column[first_col],
                last=last_row + 1,
            )
        )
    return findings


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
            complete = cell_text(row[labels["complete"]]).lower() in _TRUE_WORDS
        meaning_col = labels["meaning"]
        meaning = cell_text(row[meaning_col]) if meaning_col < len(row) else ""
        entries.append(LegendEntry(code, meaning, colour, complete))
    return Legend(tuple(entries)) if entries else None


def _leads(rows: list[list[Any]]) -> tuple[Lead, ...] | None:
    found = _register_header(rows, {"initials"})
    if found is None:
        return None
    index, labels = found

    def get(row: list[Any], key: str) -> str:
        col = labels.get(key)
        return cell_text(row[col]) if col is not None and col < len(row) else ""

    leads = tuple(
        Lead(get(row, "initials"), get(row, "name"), get(row, "role"), get(row, "email"))
        for row in rows[index + 1 :]
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


def _settings(rows: list[list[Any]]) -> Settings | None:
    found = _register_header(rows, {"setting", "value"})
    if found is None:
        return None
    index, labels = found
    by_label = {normalise(label): attr for label, attr in SETTINGS_LABELS}
    values: dict[str, Any] = {}
    for row in rows[index + 1 :]:
        if labels["setting"] >= len(row) or labels["value"] >= len(row):
            continue
        attr = by_label.get(normalise(row[labels["setting"]]))
        value = row[labels["value"]]
        if attr is None or _blank(value):
            continue
        if attr == "as_at":
            if isinstance(value, datetime):
                values[attr] = value.date()
            elif isinstance(value, date):
                values[attr] = value
            else:
                try:
                    values[attr] = date.fromisoformat(cell_text(value))
                except ValueError:
                    continue
        elif attr == "review_period_months":
            try:
                values[attr] = int(float(cell_text(value)))
            except ValueError:
                continue
        else:
            values[attr] = cell_text(value)
    return Settings(**values)


@dataclass
class SheetExtras:
    """What the file reader knows beyond cell values (the Excel door may know less)."""

    hidden: frozenset[str] = frozenset()  # hidden and very hidden sheets
    merged: dict[str, list[MergedRange]] = field(default_factory=dict)
    error_cells: dict[str, dict[str, str]] = field(default_factory=dict)


def read_tracker(path: str | Path) -> Tracker:
    """Read every tracker sheet and register of a workbook file into a `Tracker`."""
    source = Path(path)
    book, scan = open_workbook(source)
    sheets = []
    merged: dict[str, list[MergedRange]] = {}
    try:
        for name in book.sheet_names:
            rows, merged[name] = _read_sheet(book, name, source)
            sheets.append((name, rows))
        hidden = frozenset(
            meta.name
            for meta in book.sheets_metadata
            if meta.visible != python_calamine.SheetVisibleEnum.Visible
        )
    finally:
        book.close()
    extras = SheetExtras(hidden=hidden, merged=merged, error_cells=scan.error_cells)
    return tracker_from_sheets(source, sheets, extras)


def tracker_from_sheets(
    source: str | Path,
    sheets: Iterable[tuple[str, list[list[Any]]]],
    extras: SheetExtras | None = None,
) -> Tracker:
    """Build a `Tracker` from sheets' cell values (rows from A1), whichever door they came by.

    The file reader passes python-calamine's rows; the Excel button passes the open
    workbook's values read through xlwings.
    """
    findings: list[Finding] = []
    records: list[Record] = []
    legend: Legend | None = None
    leads: tuple[Lead, ...] | None = None
    kloes: tuple[Kloe, ...] | None = None
    settings: Settings | None = None
    tracker_sheets: list[str] = []
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
            records.extend(_read_tracker_sheet(name, rows, found, findings, extras))
            continue
        legend = legend or _legend(rows, name, findings)
        leads = leads if leads is not None else _leads(rows)
        kloes = kloes or _kloes(rows)
        settings = settings or _settings(rows)
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
            f"two of ref, lead, RAG, progress, due date in the first {HEADER_SEARCH_ROWS} rows)",
        )
    tracker = Tracker(path=str(source), records=records, findings=findings)
    if legend is None:
        findings.append(RULES["no-legend"].finding(codes=", ".join(DEFAULT_LEGEND.codes)))
    else:
        tracker.legend = legend
    if leads is None:
        findings.append(RULES["no-leads-register"].finding())
    else:
        tracker.leads = leads
        tracker.has_leads_register = True
    if kloes is None:
        findings.append(RULES["no-kloe-list"].finding())
    else:
        tracker.kloes = kloes
    if settings is None:
        findings.append(RULES["no-settings"].finding())
    else:
        tracker.settings = settings
    return tracker
