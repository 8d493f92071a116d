"""Read a tracker sheet as a person does: title rows, KEY blocks, group and band rows, legend
rows, repeated headers, and what each column holds, decided from its values as well as its
header.

Trusts' logs are not the controlled tracker. A column headed Status may hold narrative
(it is the progress), a column headed "Proposed to Open/ Close" holds the status, Part B's
numbers sit under a blank header, a STATUS/ COMMENT column mixes status words with
comments, and the seed's legend rows (``Status | G | … | A/G | …``) sit under each table.
Every column that holds data is read as a field or carried as an extra column under its
own header (`SheetShape.columns` says which, and why), so nothing a lead typed vanishes;
the rows that are not actions (titles, keys, legends, groups, repeated headers) are read
for what they say.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import filterfalse
from typing import Any, NamedTuple

from wellled_xl.cells import cell_address, column_index, column_letter, range_address, split_cell
from wellled_xl.dates import DateParseError, NotADateError, from_1904_serial, parse_timescale
from wellled_xl.headers import (
    ACTIONS_COLUMNS,
    FINDINGS_COLUMNS,
    HeaderMap,
    map_headers,
    may_name_action,
    normalise,
)
from wellled_xl.model import (
    DATE_FIELDS,
    EXTRA,
    NOT_ON_PAPER,
    Column,
    Finding,
    Part,
    Record,
    SheetShape,
    YearContext,
    cell_text,
    is_word_status,
    status_key,
)
from wellled_xl.rules import RULES
from wellled_xl.scale import STATUS_LABEL as _STATUS_LABEL
from wellled_xl.scale import labelled_status, leading_status, looks_like_rag_codes, statuses_in

# A merged area as python-calamine gives it: ((first row, first col), (last row, last col)).
MergedRange = tuple[tuple[int, int], tuple[int, int]]

# A KLOE band row: "KLOE W1: Is there ...", "W3: Is there ...", "Well-led W8 - ...".
_BAND = re.compile(r"^\s*(?:kloe\s*|well[- ]?led\s*)?(W[1-8])\b\s*[:.\-–]?\s*(.*)$", re.I | re.S)
_LONE_REF = re.compile(r"^[A-Za-z]{0,4}\d+(?:\.\d+)*[a-z]{0,2}\.?$")
_ACTION_REF = re.compile(r"W[1-8][a-z]{1,2}\d*")
# The first cell of a legend row under a table, and of a KEY block above it.
_LEGEND_LABELS = frozenset({"status", "key", "legend", "rag", "rag status", "rating", "brag"})
_KEY_LABELS = frozenset({"key", "status key", "rag key", "brag key", "legend", "rag rating key"})
# A Part A ref in the KLOE pattern: W3a names KLOE W3.
KLOE_REF = re.compile(r"^W([1-8])[a-z]{1,2}\d*$")
# A ref at the start of an action text: "BOD 60/17(h) …", "BOD 180/17(b)-(c) …".
REF_IN_TEXT = re.compile(
    r"^\s*([A-Z]{1,6}\s?\d+(?:[/.]\d+)*(?:\([a-z0-9]{1,3}\))?(?:-\([a-z0-9]{1,3}\))?)(?=[\s,;:]|$)"
)
# Part B's numbers under a blank header: "1.", "2", "14."
_NUMBERING = re.compile(r"^\d{1,4}\.?$")
# Headers that say a column holds a status, whatever else they say.
_STATUS_HEADER = re.compile(r"\b(?:status|rag|brag|rating|open|close|closed|closure)\b")
# A date inside a title or group row: "compiled 4 July 2012", "Board 15.03.2023",
# "meeting on 28 February 2018", "May 2012".
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_IN_TEXT = re.compile(
    rf"\b(?:\d{{1,2}}[./]\d{{1,2}}[./](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{_MONTH}\s+\d{{4}})\b",
    re.I,
)
_DAY_IN_DATE = re.compile(r"^\d|[./-]\d")
# Protective markings a board paper carries above its title.
_MARKING = re.compile(
    r"(?i)\s*(?:public|private|official(?:[- ]sensitive)?|confidential|restricted|"
    r"in confidence|not protectively marked|part [12]|private and confidential)\s*"
)
# "KLOE W4: …" typed whole in one cell: the band's text is "W4: …".
_KLOE_WORD = re.compile(r"^\s*kloe\s+", re.I)
# How many data rows a column's values are judged by: enough to tell narrative from codes.
_SAMPLE_ROWS = 400
# The controlled tracker's own headers (new-tracker): its sheets keep the seed's paper.
_CONTROLLED = {
    tuple(normalise(h) for h, _ in ACTIONS_COLUMNS),
    tuple(normalise(h) for h, _ in FINDINGS_COLUMNS),
}


def is_controlled(headers: Sequence[str]) -> bool:
    """The controlled tracker's normalised headers, perhaps with the Group column and the
    extra columns an adopted tracker carries (between Last updated and Check)."""
    core = [header for header in headers if header != "group"]
    for own in _CONTROLLED:
        if core[: len(own) - 1] == list(own[:-1]) and core[-1:] == [own[-1]]:
            return True
    return False


@dataclass
class SheetExtras:
    """What the file reader knows beyond cell values (the Excel door may know less)."""

    hidden: frozenset[str] = frozenset()  # hidden and very hidden sheets
    merged: dict[str, list[MergedRange]] = field(default_factory=dict)
    error_cells: dict[str, dict[str, str]] = field(default_factory=dict)
    # The columns and rows of each sheet Excel hides, 0-based as the rows are read (sheet
    # name -> column indexes, row indexes): for the hidden-column and hidden-rows findings.
    hidden_columns: dict[str, frozenset[int]] = field(default_factory=dict)
    hidden_rows: dict[str, frozenset[int]] = field(default_factory=dict)
    # The workbook counts dates from 1904 (`dates.from_1904_serial`).
    date1904: bool = False


@dataclass
class SheetReading:
    """One tracker sheet read: its records, its shape and the scale it writes (if any)."""

    records: list[Record]
    shape: SheetShape
    scale: list[tuple[str, str, str | None]]  # (code, meaning, fill) the sheet writes
    scale_source: str = ""
    statuses: list[str] = field(default_factory=list)  # status words a column holds
    status_codes: bool = False  # its status column holds RAG codes (G, A/G …)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _filled(row: Sequence[Any]) -> list[tuple[int, Any]]:
    """The (column, value) of each cell that holds something (not only spaces)."""
    return [(col, cell) for col, cell in enumerate(row) if not _blank(cell)]


def items_getter(keys: tuple[Any, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving a row's (or a dict's) items at `keys`, always as a tuple: one
    C call where a loop over the keys would take a bytecode step each."""
    if len(keys) >= 2:
        return operator.itemgetter(*keys)
    return lambda items: tuple(items[key] for key in keys)


def _plainly_data(row: Sequence[Any]) -> bool:
    """Whether a row is surely no band, group or blank row: its first two cells hold
    different values and another cell holds one too (`_band_or_group` would say None at
    once). Most data rows are; deciding it costs a fraction of `_filled`."""
    if len(row) < 3:
        return False
    first, second, third = row[0], row[1], row[2]
    if type(first) is str and type(second) is str:  # most rows: `_blank` without its calls
        if first == second or not first or not second or first.isspace() or second.isspace():
            return False
    elif first == second or _blank(first) or _blank(second):
        return False
    if type(third) is str and third and not third.isspace():
        return True
    return not all(map(_blank, row[2:]))


@functools.lru_cache(maxsize=1024)  # group rows repeat their months ("May 2012")
def date_in_text(text: str) -> tuple[date, bool] | None:
    """The first date written in a title or group row, and whether it names a day.

    "Actions from Board 15.03.2023" -> (15 March 2023, True); "May 2012" -> (1 May 2012,
    False): a month alone stands for the meeting held in it, so its first day.
    """
    match = _DATE_IN_TEXT.search(text)
    if match is None:
        return None
    try:
        found = parse_timescale(match.group(0)).due_date
    except (DateParseError, NotADateError):
        return None
    if found is None:
        return None
    has_day = bool(_DAY_IN_DATE.search(match.group(0)))
    return (found, True) if has_day else (found.replace(day=1), False)


# ---------------------------------------------------------------------------------------
# Rows that are not actions


def may_start_legend(first: Any) -> bool:
    """Whether a row's first filled cell could be a legend's label ('Status', 'Key:'):
    most rows are data, whose first cell is a ref."""
    return isinstance(first, str) and first.strip().lower().rstrip(": ") in _LEGEND_LABELS


def legend_row(
    row: Sequence[Any], filled_cells: list[tuple[int, Any]] | None = None
) -> list[tuple[str, str]] | None:
    """The (code, meaning) pairs of a legend row: 'Status | G | Action completed … | A/G
    | …', at least two pairs, codes short. None for any other row. `filled_cells` is the
    row's `_filled`, when the caller has it."""
    if filled_cells is None:
        first = next(filterfalse(_blank, row), None)
    else:
        first = filled_cells[0][1] if filled_cells else None
    if not may_start_legend(first):
        return None
    filled = [cell_text(cell) for _, cell in filled_cells or _filled(row)]
    if len(filled) < 5:
        return None
    rest = filled[1:]
    if len(rest) % 2:
        return None
    pairs = list(zip(rest[::2], rest[1::2], strict=True))
    if all(len(code) <= 4 and len(meaning) > len(code) for code, meaning in pairs):
        return pairs
    return None


def key_block(rows: Sequence[Sequence[Any]]) -> tuple[list[tuple[str, str]], list[int]]:
    """A KEY block above the header: a row saying KEY (or Legend), then a status a row
    (a word, perhaps a meaning beside it). Returns the (status, meaning) pairs and the
    0-based rows they came from (the KEY row included)."""
    for index, row in enumerate(rows):
        filled = _filled(row)
        if len(filled) != 1 or normalise(filled[0][1]) not in _KEY_LABELS:
            # "KEY | Delivered | On track …" across one row
            if filled and normalise(filled[0][1]) in _KEY_LABELS and len(filled) >= 3:
                words = [cell_text(cell) for _, cell in filled[1:]]
                return [(w, "") for w in words], [index]
            continue
        pairs, used = [], [index]
        for below in range(index + 1, len(rows)):
            entry = [cell_text(cell) for _, cell in _filled(rows[below])]
            if not entry or len(entry) > 2 or len(entry[0]) > 60:
                break
            pairs.append((entry[0], entry[1] if len(entry) == 2 else ""))
            used.append(below)
        if pairs:
            return pairs, used
    return [], []


def _band_or_group(
    filled: list[tuple[int, Any]], columns: dict[str, int]
) -> tuple[str, str | None, str] | None:
    """('band', 'W3', text) for a KLOE band row, ('group', None, text) for a group row,
    None for data. `filled` is the row's `_filled` cells.

    A band or group row holds one piece of text (merged cells read as one value) and no
    lead, RAG or date: "KLOE W1: Is there ...", "KLOE | W1: Is there …", "May 2012",
    "Actions from Board 15.03.2023".
    """
    # A data row fills several cells with different values: decide without more work.
    if not filled or (len(filled) >= 3 and filled[0][1] != filled[1][1]):
        return None
    if len(filled) == 2 and normalise(filled[0][1]) in ("kloe", "kloi e", "kloe ref"):
        filled = filled[1:]  # "KLOE" in the ref column, the band's text beside it
    values = {cell_text(cell) for _, cell in filled}
    if len(values) != 1:
        return None
    text = values.pop()
    match = _BAND.match(text)
    if match and (match.group(2) or len(text) <= 6) and not _ACTION_REF.fullmatch(text.strip()):
        return "band", match.group(1).upper(), text
    column = filled[0][0]
    data_columns = {columns.get(f) for f in ("lead", "rag", "progress")}
    if column in data_columns:
        return None
    if column == columns.get("ref") and _LONE_REF.match(text):
        return None  # a lone ref ("W4c", "12"): a record with everything else missing
    return "group", None, text


def _header_repeat(header_row: Sequence[Any], header: HeaderMap) -> Callable[[Sequence[Any]], bool]:
    """A test for the header row repeated below (page breaks copied from a Word paper).

    It must repeat all the header's labels but one, and at least three: the test stops
    at the second label a row lacks, which for a data row is almost at once.
    """
    labels = [(col, header_row[col]) for col in header.columns.values()]
    allowed = len(labels) - max(3, len(labels) - 1)

    def repeats(row: Sequence[Any]) -> bool:
        if allowed < 0:
            return False
        misses = 0
        width = len(row)
        for col, label in labels:
            if not (col < width and row[col] == label and isinstance(row[col], str)):
                misses += 1
                if misses > allowed:
                    return False
        return True

    return repeats


class SheetTable(NamedTuple):
    """One table of a sheet: its rows are `start` to `stop` (0-based, `stop` not in it),
    its title rows above its header, and `found` its header row and what it maps."""

    start: int
    stop: int
    found: tuple[int, HeaderMap]


# The longest text a header row's cell holds: longer is an action or an update.
_HEADER_LABEL_LENGTH = 80


def sheet_tables(rows: Sequence[Sequence[Any]], found: tuple[int, HeaderMap]) -> list[SheetTable]:
    """The tables of a tracker sheet, in order: the seed kept as one sheet has Part A,
    then Part B's title row and its own header (a blank-headed number column, CQC
    finding, Planned action …). A row below the header that is itself a tracker header
    with other columns starts a new table, read with its own columns; the one-text rows
    just above it (its title) are that table's, not a group of the one before. The same
    header repeated (page breaks) is no new table.
    """
    tables: list[SheetTable] = []
    start = 0
    header_index, header = found
    headers = [normalise(cell) for cell in rows[header_index] if not _blank(cell)]
    if is_controlled(headers):  # the controlled tracker's sheets hold one table each
        return [SheetTable(0, len(rows), found)]
    while True:
        below = _next_header(rows, header_index, header)
        if below is None:
            tables.append(SheetTable(start, len(rows), (header_index, header)))
            return tables
        stop = _title_start(rows, header_index, below[0])
        tables.append(SheetTable(start, stop, (header_index, header)))
        start, (header_index, header) = stop, below


def _next_header(
    rows: Sequence[Sequence[Any]], header_index: int, header: HeaderMap
) -> tuple[int, HeaderMap] | None:
    """The first row below `header_index` that is a tracker header with other columns."""
    repeats = _header_repeat(rows[header_index], header)
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if not _may_be_header(row):
            continue
        other = map_headers(list(row))
        if other.looks_like_tracker() and other.columns != header.columns and not repeats(row):
            return index, other
    return None


def _may_be_header(row: Sequence[Any]) -> bool:
    """Whether a row could be a header: three labels at least, every one short text, one
    naming the action. A data row fails at its first date, number or long text, before
    any header is mapped."""
    labels = 0
    for cell in row:  # most rows: stopped at their first date, number or long text
        if not cell:
            continue
        if type(cell) is not str or len(cell) > _HEADER_LABEL_LENGTH:
            return False
        labels += 1
    return labels >= 3 and may_name_action("\n".join(cell for cell in row if cell))


def _title_start(rows: Sequence[Sequence[Any]], above: int, header_index: int) -> int:
    """The first of the title rows over a table's header: the blank rows and rows of one
    text (not a KLOE band) directly above it, no higher than the row after `above`."""
    start = header_index
    while start - 1 > above:
        filled = _filled(rows[start - 1])
        texts = {cell_text(cell) for _, cell in filled}
        if len(texts) > 1 or (texts and _BAND.match(texts.pop())):
            break
        start -= 1
    return start


# ---------------------------------------------------------------------------------------
# What each column holds


def _words(text: str) -> int:
    return len(text.split())


def _is_narrative(values: Sequence[str]) -> bool:
    """Sentences rather than statuses: long on average, rarely repeated."""
    if not values:
        return False
    average = sum(_words(v) for v in values) / len(values)
    distinct = len(set(values)) / len(values)
    return average > 6 or (average > 4 and distinct > 0.8 and len(values) >= 3)


def _is_status_like(values: Sequence[str]) -> bool:
    """Short values from a small set: codes or status words."""
    if not values:
        return False
    average = sum(_words(v) for v in values) / len(values)
    return average <= 4 and len(set(values)) <= max(8, len(values) // 3)


def _mostly_statuses(values: Sequence[str]) -> bool:
    """A third of the values at least are, or start with, a status word. A phrase that
    holds a date is none, however often it is typed: `Board 06/10/09`, `CEs Report
    11/08/09` are the meeting or paper an item returns to."""
    found = {status_key(word) for word in statuses_in(values) if date_in_text(word) is None}
    covered = sum(
        1 for v in values if status_key(v) in found or status_key(leading_status(v)) in found
    )
    return bool(found) and covered >= len(values) / 3


def _status_column_beside(
    header_row: Sequence[Any],
    width: int,
    fields: dict[str, int],
    taken: set[int],
    values_of: Callable[[int], list[str]],
) -> int | None:
    """An unmapped column whose header speaks of status ("Proposed to Open/ Close") and
    whose values are RAG codes or status words, if there is one."""
    for col in range(width):
        if col in fields.values() or col in taken:
            continue
        if not _STATUS_HEADER.search(normalise(_at(header_row, col))):
            continue
        values = values_of(col)
        if values and (
            looks_like_rag_codes(values) or (_is_status_like(values) and _mostly_statuses(values))
        ):
            return col
    return None


@dataclass
class _Columns:
    """The final reading of a sheet's columns: field -> 0-based column, and the rest."""

    fields: dict[str, int]
    extras: dict[int, str]  # column -> the extra field's key (EXTRA + header)
    described: list[Column]
    status_in: str = ""  # the field statuses are read from inside, when no column holds them
    ref_in: str = ""  # the field refs are read from the start of, when no column holds them


def classify_columns(
    header_row: Sequence[Any], header: HeaderMap, data_rows: Sequence[Sequence[Any]]
) -> _Columns:
    """Decide what each column holds from its header and its values."""
    width = max([len(header_row), *(len(r) for r in data_rows[:_SAMPLE_ROWS])], default=0)
    sample = data_rows[:_SAMPLE_ROWS]

    seen: dict[int, list[str]] = {}

    def values_of(col: int) -> list[str]:
        if col not in seen:
            seen[col] = [t for r in sample if col < len(r) and (t := cell_text(r[col]))]
        return seen[col]

    fields = dict(header.columns)
    by_column = {col: fld for fld, col in fields.items()}
    why = {col: header.why.get(col, "its header") for col in by_column}
    # Duplicates of a mapped field are named by header-duplicate; not extras.
    duplicate_cols = {col for cols in header.duplicates.values() for col in cols}
    status_in = ""
    # "Must do / Should do" holding the words Must do and Should do is a category of the
    # action, not the CQC finding it answers: carried as it is, under its header.
    finding_col = fields.get("finding")
    if finding_col is not None:
        values = values_of(finding_col)
        labels = {normalise(v) for v in values}
        if values and labels <= {"must do", "should do", "must", "should", "md", "sd"}:
            del fields["finding"]
            why[finding_col] = "its values: a few short labels, not the findings' text"
    # A status column that holds sentences is the progress.
    rag_col = fields.get("rag")
    if rag_col is not None:
        values = values_of(rag_col)
        beside = _status_column_beside(header_row, width, fields, duplicate_cols, values_of)
        if (
            values
            and beside is not None
            and not looks_like_rag_codes(values)
            and not _mostly_statuses(values)
        ):
            # Short notes under Status, and the statuses under "Proposed to Open/ Close".
            fields["rag"] = beside
            why[beside] = "its header and values: the status codes or words"
            fields.setdefault("progress", rag_col)
            why[rag_col] = "its values: notes, not statuses (those are beside it)"
        elif not values or looks_like_rag_codes(values) or _is_status_like(values):
            pass  # an empty column is what its header says
        elif "progress" not in fields and _mostly_statuses(values):
            # Status words and comments mixed (STATUS/ COMMENT): the comments are the
            # progress, and each row's status is the word its comment starts with.
            del fields["rag"]
            fields["progress"] = rag_col
            why[rag_col] = "its header and values: comments, with the status words they start with"
            status_in = "progress"
        else:  # sentences: the progress, not a status
            del fields["rag"]
            if "progress" not in fields:
                fields["progress"] = rag_col
                why[rag_col] = "its values: narrative text, so the progress, not a status"
            else:
                why[rag_col] = "its values: narrative text, not a status"
    unmapped = [
        col
        for col in range(width)
        if col not in fields.values() and col not in duplicate_cols and values_of(col)
    ]
    # Part B's numbers under a blank header are the ref.
    if "ref" not in fields:
        for col in unmapped:
            values = values_of(col)
            if not cell_text(_at(header_row, col)) and all(_NUMBERING.match(v) for v in values):
                fields["ref"] = col
                why[col] = "its values: numbered 1., 2., 3. under a blank header"
                unmapped.remove(col)
                break
    # A column of short statuses is the status, whatever its header says: RAG codes, or
    # status words (O, Closed, Proposed for closure). Other short values ("269/19",
    # "Board 02/09/08") are statuses only under a header that says so.
    if "rag" not in fields:
        status_headed = {
            c for c in unmapped if _STATUS_HEADER.search(normalise(_at(header_row, c)))
        }
        candidates = sorted(unmapped, key=lambda c: c not in status_headed)
        for col in candidates:
            values = values_of(col)
            if looks_like_rag_codes(values) or (
                _is_status_like(values) and (col in status_headed or _mostly_statuses(values))
            ):
                fields["rag"] = col
                why[col] = "its values: short status codes or words"
                unmapped.remove(col)
                break
    # A KLOE column no row fills (a log adopted into the controlled tracker, filed by its
    # own groups): the actions are not filed under KLOEs, so no row is missing one.
    if "kloe" in fields and not values_of(fields["kloe"]):
        why[fields.pop("kloe")] = "empty: the actions are not filed under KLOEs"
    # A RAG column still empty while the comments (or action texts) carry the statuses, as
    # in a log adopted into the controlled tracker: the statuses are read where they are.
    rag_empty = "rag" in fields and not values_of(fields["rag"])
    # A status-and-comment column: the comment is the progress, its statuses are inside.
    if "rag" not in fields or rag_empty:
        progress = [fields["progress"]] if "progress" in fields else []
        for col in progress if rag_empty else [*unmapped, *progress]:
            heading = normalise(_at(header_row, col))
            # The progress column itself needs no word for it in its header: with no
            # status column anywhere, "Closed. The figure is 8.5%" under Update says it.
            status_header = _STATUS_HEADER.search(heading) or rag_empty or col in progress
            if not status_header or not _mostly_statuses(values_of(col)):
                continue
            if col in unmapped:
                if "progress" in fields:
                    break
                fields["progress"] = col
                unmapped.remove(col)
            why[col] = "its header and values: comments, with the status words they start with"
            status_in = "progress"
            break
    # No ref column: "BOD 60/17(h) Strategic Partnerships …" starts each action text.
    ref_in = ""
    if "ref" not in fields and "action" in fields:
        texts = values_of(fields["action"])
        if texts and sum(1 for t in texts if REF_IN_TEXT.match(t)) >= len(texts) / 2:
            ref_in = "action"
            why[fields["action"]] = "its header; each text starts with the action's ref"
    # No status column: "Status: in progress" written inside the action text.
    if ("rag" not in fields or rag_empty) and not status_in and "action" in fields:
        texts = values_of(fields["action"])
        labelled = sum(1 for t in texts if _STATUS_LABEL.search(t))
        if texts and labelled >= len(texts) / 2:
            status_in = "action"
            why[fields["action"]] = (
                why[fields["action"]] + "; the status is written inside it ('Status: …')"
            )
    if rag_empty and status_in:
        why[fields.pop("rag")] = f"empty: the statuses are read from the {status_in} text"
    extras = {}
    for col in unmapped:
        label = cell_text(_at(header_row, col)) or f"Column {column_letter(col)}"
        extras[col] = EXTRA + label
        why[col] = "no field of ours means it"
    read_as = {col: fld for fld, col in fields.items()} | extras
    described = [
        Column(
            letter=column_letter(col),
            header=cell_text(_at(header_row, col)),
            read_as=read_as.get(col, ""),
            why=why.get(col, "another column for the same field: not read")
            if col in read_as or col in duplicate_cols
            else why.get(col, "empty"),
        )
        for col in range(width)
        if col in read_as or col in duplicate_cols or cell_text(_at(header_row, col))
    ]
    return _Columns(fields, extras, described, status_in, ref_in)


# Blank rows above a lone cell below the last action that make it stray text, not a heading.
STRAY_GAP = 20


def _at(row: Sequence[Any], col: int) -> Any:
    return row[col] if col < len(row) else ""


# ---------------------------------------------------------------------------------------
# The sheet


def _dates_from_1904(records: list[Record], fields: list[str]) -> None:
    """A plain number in a date cell of a workbook in Excel's 1904 date system, as the day it
    means there: read as a serial of the 1900 system, it would be four years early."""
    for record in records:
        values = record.values
        for fld in fields:
            value = values[fld]
            if type(value) in (int, float):  # not a bool: said to be no date as it is
                values[fld] = from_1904_serial(value)


def read_tracker_sheet(
    name: str,
    rows: list[list[Any]],
    found: tuple[int, HeaderMap],
    findings: list[Finding],
    extras: SheetExtras,
    table: int = 1,
) -> SheetReading:
    """Read one tracker sheet, or its `table`-th table (`sheet_tables`): its records, its
    shape, and the scale it writes."""
    header_index, header = found
    header_row = rows[header_index]
    header_number = header_index + 1
    key_pairs, key_rows = key_block(rows[:header_index])
    lines = [
        cell_text(filled[0][1])
        for index, row in enumerate(rows[:header_index])
        if index not in key_rows and (filled := _filled(row))
    ]
    # "PUBLIC", "OFFICIAL-SENSITIVE": the paper's protective marking, not its title.
    marking = next((line for line in lines if _MARKING.fullmatch(line)), "")
    title = [line for line in lines if line != marking]
    title_date = _title_date(title)

    # Sort the rows below the header: legend rows, bands and groups, repeats, data.
    kinds: list[tuple[int, str, Any]] = []  # (0-based row, kind, what it says)
    data_rows: list[list[Any]] = []
    legend_pairs: list[tuple[str, str]] = []
    scale_rows: list[int] = []
    last_filled = header_index
    lone: dict[int, tuple[int, int, str]] = {}  # group rows far below the row before
    is_header_repeat = _header_repeat(header_row, header)
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if _plainly_data(row):
            filled = None  # not needed: its first cell is its first filled one
        else:
            filled = _filled(row)
            if not filled:
                continue
            kind = _band_or_group(filled, header.columns)
            if kind is not None:
                kinds.append((index, kind[0], kind))
                if index - last_filled - 1 >= STRAY_GAP:
                    lone[index] = (filled[0][0], index - last_filled - 1, kind[2])
                last_filled = index
                continue
        last_filled = index
        if is_header_repeat(row):
            continue
        # A plain data row's first cell is its first filled one: most rule out a legend.
        maybe = filled is not None or may_start_legend(row[0])
        pairs = legend_row(row, filled) if maybe else None
        if pairs is not None:
            legend_pairs = legend_pairs or pairs
            scale_rows.append(index + 1)
            continue
        kinds.append((index, "data", None))
        data_rows.append(row)

    kinds = _without_stray_text(name, kinds, lone, findings)
    kinds, notes, key_line = _trailing_notes(kinds)
    if key_line and not key_pairs and not legend_pairs:
        legend_pairs = key_line[1]
        scale_rows.append(key_line[0] + 1)
    columns = classify_columns(header_row, header, data_rows)
    letters = {fld: column_letter(col) for fld, col in columns.fields.items()}
    letters |= {key: column_letter(col) for col, key in columns.extras.items()}
    wanted = {**columns.fields, **{key: col for col, key in columns.extras.items()}}
    # Each record's values, gathered in one call (rows read from a file are all as wide):
    # a tuple of the wanted cells, even when only one column is wanted.
    gather = items_getter(tuple(wanted.values()))
    reach = max(wanted.values(), default=-1)
    _report_duplicates(name, header_index, header, rows, findings)
    findings.extend(_merged_across_rows(name, header_index, columns.fields, extras.merged))
    errors_by_row = _errors_by_row(extras.error_cells.get(name, {}))
    part: Part = "B" if "finding" in columns.fields else "A"

    records: list[Record] = []
    groups: list[str] = []
    band: str | None = None
    group = ""
    context = (
        YearContext(title_date[0], "nearest", f"the title {title_line(title, title_date)!r}")
        if title_date
        else None
    )
    group_context: YearContext | None = None
    group_col = columns.fields.get("group")  # the controlled tracker's Group column
    own_groups: set[str] = set()
    for index, kind, what in kinds:
        if kind == "band":
            band, group = what[1], _KLOE_WORD.sub("", what[2])
            groups.append(group)
            group_context = None
            continue
        if kind == "group":
            group = what[2]
            groups.append(group)
            dated = date_in_text(group)
            group_context = (
                YearContext(dated[0], "after", f"the group row {group!r} (row {index + 1})")
                if dated
                else None
            )
            continue
        row = rows[index]
        values = (
            dict(zip(wanted, gather(row), strict=False))  # as long by construction
            if len(row) > reach
            else {fld: (row[col] if col < len(row) else "") for fld, col in wanted.items()}
        )
        own_group = cell_text(values["group"]) if group_col is not None else ""
        if own_group and own_group not in own_groups:
            own_groups.add(own_group)
            groups.append(own_group)
        row_errors = errors_by_row.get(index + 1)
        cell_errors = (
            {fld: row_errors[letter] for fld, letter in letters.items() if letter in row_errors}
            if row_errors
            else {}
        )
        records.append(
            # By position, in the order of Record's fields (tests/test_validate.py pins
            # it): faster than by keyword for a record a row.
            Record(
                part,  # part
                name,  # sheet
                index + 1,  # row
                values,  # values
                letters,  # columns
                band,  # kloe_band
                cell_errors,  # errors
                own_group or group,  # group
                group_context or context,  # year_context
                table,  # table
            )
        )
    if extras.date1904:
        _dates_from_1904(records, [fld for fld in (*DATE_FIELDS, "last_updated") if fld in wanted])
    headers = tuple(normalise(cell) for cell in header_row if not _blank(cell))
    shape = SheetShape(
        name=name,
        part=part,
        header_row=header_number,
        columns=columns.described,
        title=title,
        groups=groups,
        kloe_bands=band is not None,
        kloe_refs=any(KLOE_REF.match(cell_text(r.values.get("ref"))) for r in records[:50]),
        controlled=is_controlled(headers),
        scale_rows=[r + 1 for r in key_rows[1:]] + scale_rows,
        status_in=columns.status_in,
        ref_in=columns.ref_in,
        marking=marking,
        notes=notes,
        table=table,
    )
    findings.extend(_hidden(shape, header_index, records, extras))
    reading = SheetReading(records, shape, [])
    if key_pairs:
        reading.scale = [(code, meaning, None) for code, meaning in key_pairs]
        first, last = key_rows[0] + 1, key_rows[-1] + 1
        reading.scale_source = f"the KEY block on {name!r} (rows {first}–{last})"
    elif legend_pairs:
        reading.scale = [(code, meaning, None) for code, meaning in legend_pairs]
        shown = ", ".join(str(r) for r in scale_rows[:4]) + (" …" if len(scale_rows) > 4 else "")
        reading.scale_source = (
            f"the key on {name!r} (row {key_line[0] + 1})"
            if key_line and scale_rows == [key_line[0] + 1]
            else f"the legend rows on {name!r} (rows {shown})"
        )
    rag_col = columns.fields.get("rag")
    if rag_col is not None:
        values = [t for r in data_rows if rag_col < len(r) and (t := cell_text(r[rag_col]))]
        # RAG codes, or a column with nothing in it yet, are read against the standard
        # scale; anything else (Delivered, Not yet due, O and Proposed for Closure) is a
        # scale of its own. Text with control characters is no trust's status word.
        reading.status_codes = (
            not values or looks_like_rag_codes(values) or not all(v.isprintable() for v in values)
        )
        if not reading.status_codes:
            reading.statuses = _distinct(values)
    elif columns.status_in == "action":  # "Status: in progress" inside each text
        col = columns.fields["action"]
        texts = [cell_text(r[col]) for r in data_rows if col < len(r)]
        reading.statuses = _distinct(s for t in texts if (s := labelled_status(t)))
    elif columns.status_in:
        col = columns.fields[columns.status_in]
        reading.statuses = statuses_in(
            [t for r in data_rows if col < len(r) and (t := cell_text(r[col]))]
        )
    return reading


def _without_stray_text(
    name: str,
    kinds: list[tuple[int, str, Any]],
    lone: dict[int, tuple[int, int, str]],
    findings: list[Finding],
) -> list[tuple[int, str, Any]]:
    """A lone cell far below a sheet's last action (a note typed at row 1,000,000) is no
    group heading: say where it is, once, and leave it out of the paper's bands. `lone`
    holds the group rows far below the row before them: (column, blank rows, text)."""
    last_data = max((index for index, kind, _ in kinds if kind == "data"), default=-1)
    stray = {index for index in lone if index > last_data}
    for index in sorted(stray):
        col, gap, text = lone[index]
        findings.append(
            RULES["stray-text"].finding(
                sheet=name,
                cell=cell_address(index, col),
                row=index + 1,
                value=text,
                shown=text if len(text) <= 40 else text[:39] + "…",
                gap=gap,
            )
        )
    return [entry for entry in kinds if entry[0] not in stray] if stray else kinds


# Words of a title line that dates the tracker itself: its position, when it was compiled
# or updated, the meeting it is for ("Inspection November 2016" dates something else).
_POSITION_WORDS = re.compile(
    r"\b(?:position|as at|as of|compiled|updated|update|prepared|report(?:ed)? date|"
    r"meeting|board|committee|dated?)\b",
    re.IGNORECASE,
)


def _title_date(title: Sequence[str]) -> tuple[date, bool] | None:
    """The date a tracker's title rows give it: the first line that says it is the
    tracker's position, compilation or meeting date, else the latest date the title
    rows write (a plan's position comes after the inspection it answers), whatever
    order the lines are in."""
    dated = [(line, found) for line in title if (found := date_in_text(line))]
    for line, found in dated:
        if _POSITION_WORDS.search(line):
            return found
    return max((found for _, found in dated), default=None)


_KEY_START = re.compile(r"^\s*(?:key|legend|status key|rag key)\s*[:\-–]?\s*", re.I)
# "O – Open    C – Closed": entries apart by two spaces or a semicolon, each a status, a
# dash or colon or equals sign, and its meaning.
_KEY_ENTRIES = re.compile(r"\s{2,}|\s*[;|]\s*|\n")
_KEY_ENTRY = re.compile(r"^(\S.{0,40}?)\s*(?:[–—=:]|\s-\s)\s*(\S.*)$")


def _trailing_notes(
    kinds: list[tuple[int, str, Any]],
) -> tuple[list[tuple[int, str, Any]], list[str], tuple[int, list[tuple[str, str]]] | None]:
    """Lone texts under a sheet's last action, which head no rows: the trust's notes
    ("Note: closed actions are removed …", "39 Must Do actions in total") or its key
    ("Key: O – Open  C – Closed"), neither groups of actions nor actions. Returns the
    rows kept, the notes (shown under the paper's table) and the key line's row and
    (status, meaning) pairs, if one reads as a key."""
    last_data = max((index for index, kind, _ in kinds if kind == "data"), default=-1)
    notes: list[str] = []
    key_line = None
    trailing = set()
    for index, kind, what in kinds:
        if index <= last_data or kind != "group":
            continue  # a group row with actions under it: a band of the paper
        trailing.add(index)
        pairs = _key_pairs(what[2])
        if pairs and key_line is None:
            key_line = (index, pairs)
        else:
            notes.append(what[2])
    if not trailing:
        return kinds, notes, key_line
    return [entry for entry in kinds if entry[0] not in trailing], notes, key_line


def _key_pairs(text: str) -> list[tuple[str, str]]:
    """'Key: O – Open  C – Closed' -> [('O', 'Open'), ('C', 'Closed')]; [] unless it is a
    key of two statuses or more, each with its meaning."""
    start = _KEY_START.match(text)
    if start is None:
        return []
    entries = [e for e in _KEY_ENTRIES.split(text[start.end() :]) if e.strip()]
    found = [_KEY_ENTRY.match(entry) for entry in entries]
    pairs = [(m.group(1).strip(), m.group(2).strip()) for m in found if m]
    return pairs if len(pairs) >= 2 and len(pairs) == len(entries) else []


def title_line(title: Sequence[str], dated: tuple[date, bool] | None) -> str:
    """The title line a date was found in (for the report), shortened."""
    for line in title:
        if dated and date_in_text(line) == dated:
            return line if len(line) <= 80 else line[:79] + "…"
    return ""


def _distinct(values: Iterable[str]) -> list[str]:
    """Each status once, in order of first use; word statuses compared as `status_key`."""
    seen: dict[str, str] = {}
    for value in values:
        key = value.casefold().strip() if is_word_status(value) else value
        seen.setdefault(key, value)
    return list(seen.values())


def _report_duplicates(
    name: str, header_index: int, header: HeaderMap, rows: list[list[Any]], findings: list[Finding]
) -> None:
    for fld, extra in header.duplicates.items():
        for col in extra:
            findings.append(
                RULES["header-duplicate"].finding(
                    sheet=name,
                    cell=cell_address(header_index, col),
                    row=header_index + 1,
                    field=fld,
                    value=cell_text(rows[header_index][col]),
                    column=column_letter(col),
                    label=fld.replace("_", " "),
                    first=column_letter(header.columns[fld]),
                )
            )


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
    sheet: str, header_index: int, fields: dict[str, int], merged: dict[str, list[MergedRange]]
) -> list[Finding]:
    """A merge over several data rows gives its value to the first row only: say so once."""
    findings = []
    by_column = {col: fld for fld, col in fields.items()}
    for (first_row, first_col), (last_row, last_col) in merged.get(sheet, ()):
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


def _hidden(
    shape: SheetShape, header_index: int, records: list[Record], extras: SheetExtras
) -> list[Finding]:
    """Mark the sheet's hidden columns in `shape`, and say what became of each hidden column
    and row that holds something: one finding a sheet for each.

    A trust hides a column for a reason (internal notes, a working column), so a hidden
    extra column is left off the paper; a hidden column read as a field the paper prints
    (the lead, the status, a date) is printed all the same, since the paper needs it, and
    said. A hidden row that holds an action (hidden, or filtered out) is read and papered
    like any other: an action is never dropped.
    """
    findings = []
    columns = extras.hidden_columns.get(shape.name, frozenset())
    left_off: list[Column] = []
    printed: list[Column] = []
    for position, column in enumerate(shape.columns):
        if not column.read_as or column_index(column.letter) not in columns:
            continue
        extra = column.read_as.startswith(EXTRA)
        why = f"{column.why}; hidden in the tracker"
        shape.columns[position] = column = replace(column, hidden=True, why=why)
        if shape.controlled and extra:
            continue  # the controlled tracker's paper prints no extra column, hidden or not
        if extra:
            left_off.append(column)
        elif column.read_as not in NOT_ON_PAPER:
            printed.append(column)
    for variant, hidden in (("", left_off), ("printed", printed)):
        if hidden:
            first = hidden[0]
            fields = ["the " + c.read_as.replace("_", " ").replace("rag", "RAG") for c in hidden]
            findings.append(
                RULES["hidden-column"].finding(
                    sheet=shape.name,
                    cell=f"{first.letter}{header_index + 1}",
                    row=header_index + 1,
                    value=first.header,
                    variant=variant,
                    listed=_columns_listed(hidden),
                    fields=_and(fields),
                    them="it" if len(hidden) == 1 else "them",
                )
            )
    rows = extras.hidden_rows.get(shape.name, frozenset())
    hidden_records = [record for record in records if record.row - 1 in rows] if rows else []
    if hidden_records:
        first = hidden_records[0]
        one = len(hidden_records) == 1
        findings.append(
            RULES["hidden-rows"].finding(
                sheet=shape.name,
                cell=first.cell("ref") or first.cell("action") or f"A{first.row}",
                ref=cell_text(first.values.get("ref")) if one else "",
                rows=rows_listed([record.row for record in hidden_records]),
                hold="holds an action" if one else f"hold {len(hidden_records):,} actions",
                verb="is" if one else "are",
                they="it is" if one else "they are",
                them="it" if one else "them",
            )
        )
    return findings


def _columns_listed(columns: Sequence[Column]) -> str:
    """The columns named for a finding: "Column F 'Exec sponsor' is", "Columns F 'Notes'
    and H are"."""
    named = [f"{c.letter} {c.header!r}" if c.header else c.letter for c in columns]
    if len(named) == 1:
        return f"Column {named[0]} is"
    return f"Columns {_and(named)} are"


def _and(words: Sequence[str]) -> str:
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


# How many runs of rows a listing names before it counts the rest.
RUNS_NAMED = 8


def rows_listed(rows: Sequence[int]) -> str:
    """Excel rows named compactly, in order, consecutive ones as a run and a few runs
    named: "Row 7", "Rows 7, 9–12 and 15", "Rows 7, 9–12, 15 … 80 and 1,230 more"."""
    runs: list[list[int]] = []
    for row in sorted(rows):
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    named = [f"{first}–{last}" if last > first else str(first) for first, last in runs]
    if len(rows) == 1:
        return f"Row {named[0]}"
    shown = named[:RUNS_NAMED]
    rest = sum(last - first + 1 for first, last in runs[RUNS_NAMED:])
    if rest:
        return f"Rows {', '.join(shown)} and {rest:,} more"
    return f"Rows {_and(shown)}"


__all__ = [
    "SheetExtras",
    "SheetReading",
    "SheetTable",
    "date_in_text",
    "read_tracker_sheet",
    "rows_listed",
    "sheet_tables",
]
