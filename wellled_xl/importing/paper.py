"""Import a board paper: its tables as sheet rows for the tracker reader, then adopted.

A Word paper (word.py) or its PDF (pdf.py) becomes a stream of blocks in reading order:
text lines (the title block, "Position as at …", headings) and tables (lists of rows).
Those are laid out as the sheets a governance officer would have typed: title rows, the
header row, band rows, data rows and the legend row under each table; a header row that
repeats the one before (the next page) continues the same sheet. The same reader
(shape.py) that reads a trust's own workbook then reads them, and `adopt` writes the
controlled tracker. The Summary tables of a paper wellled-xl wrote are worked out from
the actions, so they are not read (and are listed as such).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from wellled_xl import errors
from wellled_xl.headers import map_headers, normalise
from wellled_xl.importing.adopt import Adoption, Unplaced, adopted_path, write_adopted
from wellled_xl.read import tracker_from_sheets
from wellled_xl.shape import legend_row

# The marks a paper wellled-xl wrote adds to a cell: they are the paper's, not the lead's.
_ANNOTATIONS = re.compile(r"\s*\(not\s+on\s+legend\)|\s*\b\d[\d,]*\s+days?\s+overdue\b", re.I)
_LEGEND_LABELS = frozenset({"status", "key", "legend", "rag", "rag status", "status key"})
# Headers of the Summary tables of a paper wellled-xl wrote (overdue, slipped, findings).
_SUMMARY_HEADERS = frozenset({"days overdue", "revisions", "severity", "rule"})
_PAGE_FOOTER = re.compile(r"^\s*page\s+\d+(?:\s+of\s+\d+)?\s*$", re.I)
# Title lines kept above a table: the header must lie within the reader's first 30 rows.
_MAX_TITLE_LINES = 20


class Block(NamedTuple):
    """A text line or a table of the paper, in reading order."""

    kind: str  # "line" or "table"
    text: str  # the line; "" for a table
    rows: list[list[str]]  # the table's rows; [] for a line
    where: str  # "table 3", "page 4"
    continued: bool = False  # a table at the top of a new page: its first row may go on


@dataclass
class _Sheet:
    name: str
    header: tuple[str, ...]
    rows: list[list[str]] = field(default_factory=list)
    last_data: int = -1  # the row a row continued on the next page belongs to


def clean_cell(text: str | None, *, join_lines: bool = False) -> str:
    """A cell's text as the lead typed it: the paper's own marks taken off, wrapped lines
    joined for a PDF (where a line break is only where the text wrapped)."""
    text = _ANNOTATIONS.sub("", text or "")
    if join_lines:
        return " ".join(text.split())
    return "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())


def import_paper(
    path: str | Path, output: str | Path | None = None, *, force: bool = False
) -> Adoption:
    """Read a board paper (.docx or .pdf) and write its actions as a controlled tracker."""
    source = Path(path)
    if not source.is_file():
        raise errors.NotAPaper(source, "no such file" if not source.exists() else "not a file")
    suffix = source.suffix.lower()
    if suffix not in (".docx", ".pdf"):
        raise errors.NotAPaper(source, "import reads a Word .docx or a .pdf board paper")
    target = adopted_path(source, output, force)
    if suffix == ".docx":
        from wellled_xl.importing.word import read_blocks
    else:
        from wellled_xl.importing.pdf import read_blocks
    blocks = read_blocks(source)
    sheets, unplaced = sheets_from_blocks(blocks)
    if not sheets:
        tables = sum(1 for block in blocks if block.kind == "table")
        raise errors.NotAPaper(
            source,
            f"no action table: none of its {tables} tables has a header row with an action "
            "column and two of ref, lead, RAG, progress, due date",
        )
    rows = [(sheet.name, sheet.rows) for sheet in sheets]
    tracker = tracker_from_sheets(source, rows)
    adoption = write_adopted(tracker, target, rows)
    adoption.unplaced = unplaced + adoption.unplaced
    return adoption


def sheets_from_blocks(blocks: Iterable[Block]) -> tuple[list[_Sheet], list[Unplaced]]:
    """Lay the paper's blocks out as sheets: one per action table header, its title lines
    above it, repeated headers dropped, legend tables as legend rows, rows continued on the
    next page joined to the row they continue."""
    sheets: list[_Sheet] = []
    unplaced: list[Unplaced] = []
    current: _Sheet | None = None
    lines: list[tuple[str, str]] = []  # (text, where) since the last table
    titles: set[str] = set()
    for block in blocks:
        if block.kind == "line":
            if block.text.strip() and not _is_legend_line(block.text):
                lines.append((block.text.strip(), block.where))
            continue
        rows = [row for row in block.rows if any(cell.strip() for cell in row)]
        if not rows:
            continue
        legend = legend_table(rows, [text for text, _ in lines[-1:]])
        if legend is not None:
            if current is not None:
                current.rows.append(legend)
            lines = []
            continue
        header_at = next(
            (i for i, row in enumerate(rows[:3]) if map_headers(list(row)).looks_like_tracker()),
            None,
        )
        if header_at is None:
            if current is not None and block.continued and len(rows[0]) == len(current.header):
                _extend(current, rows, block.continued)  # a page of the table, no header
            else:
                unplaced.append(_table_unplaced(block, "a table with no action header row"))
            lines = []
            continue
        header = tuple(normalise(cell) for cell in rows[header_at])
        if _SUMMARY_HEADERS & set(header):
            unplaced.append(_table_unplaced(block, "the paper's summary, worked out from actions"))
            lines = []
            continue
        if current is not None and current.header == header:
            unplaced += [
                Unplaced(where, "", text, "a line between two parts of one table")
                for text, where in lines
                if text not in titles and not _PAGE_FOOTER.match(text)
            ]
            _extend(current, rows[header_at + 1 :], block.continued)
        else:
            kept = [text for text, _ in lines][-_MAX_TITLE_LINES:]
            titles.update(kept)
            current = _Sheet(f"Table {len(sheets) + 1}", header, [[text] for text in kept])
            current.rows.append(list(rows[header_at]))
            _extend(current, rows[header_at + 1 :], False)
            sheets.append(current)
        lines = []
    return sheets, unplaced


def _extend(sheet: _Sheet, rows: list[list[str]], continued: bool) -> None:
    """Add a table's body rows; the first, with no ref and not a band, continues the row
    the previous page ended with."""
    if continued and rows and sheet.last_data >= 0 and not rows[0][0].strip():
        filled = {col: cell for col, cell in enumerate(rows[0]) if cell.strip()}
        # A band row sits in the action column alone; a continued row fills others.
        if len(set(filled.values())) > 1 or (filled and min(filled) > 1):
            previous = sheet.rows[sheet.last_data]
            for col, cell in enumerate(rows[0]):
                if not cell.strip():
                    continue
                while len(previous) <= col:
                    previous.append("")
                previous[col] = f"{previous[col]} {cell}".strip()
            rows = rows[1:]
    for row in rows:
        sheet.rows.append(list(row))
    if rows:
        sheet.last_data = len(sheet.rows) - 1


def legend_table(rows: list[list[str]], before: list[str]) -> list[str] | None:
    """A legend table as the legend row the reader knows ('Status | G | … | A/G | …'):
    across one row, or one status a row under a 'Status' row (or line above the table)."""
    if len(rows) == 1:
        row = list(rows[0])
        first = row[0].split(None, 1) if row and row[0] else []
        if len(first) == 2 and normalise(first[0]) in _LEGEND_LABELS:
            row = [first[0], first[1], *row[1:]]  # "Status G" typed in one cell
        return row if legend_row(row) is not None else None
    label = ""
    body = rows
    head = [cell for cell in rows[0] if cell.strip()]
    if len(set(head)) == 1 and normalise(head[0]) in _LEGEND_LABELS:
        label, body = head[0], rows[1:]
    elif before and normalise(before[0]) in _LEGEND_LABELS:
        label = before[0]
    if not label:
        return None
    pairs = []
    for row in body:
        filled = list(dict.fromkeys(cell for cell in row if cell.strip()))
        if len(filled) == 1:
            continue  # a note under the legend ("R: not on this tracker's legend")
        if len(filled) != 2 or len(filled[0]) > 40:
            return None
        pairs += filled
    candidate = [label, *pairs]
    return candidate if len(pairs) >= 4 and legend_row(candidate) is not None else None


def _is_legend_line(text: str) -> bool:
    """The legend printed as a line in each page's footer ('Status: G Action completed …'),
    or a paper's note on a status not on it: the legend table is read instead."""
    words = normalise(text).split()
    if "not on this tracker s legend" in normalise(text):
        return True
    return len(words) > 4 and words[0] in _LEGEND_LABELS and text.lstrip()[len(words[0])] in ":"


def _table_unplaced(block: Block, why: str) -> Unplaced:
    first = next((cell for row in block.rows for cell in row if cell.strip()), "")
    return Unplaced(block.where, f"{len(block.rows)} rows", first[:80], why)
