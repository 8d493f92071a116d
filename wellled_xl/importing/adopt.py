"""Adopt a tracker of any shape: its actions, values as typed, and its registers, into the
controlled tracker that `new-tracker` makes.

What validation read is what is written: each value as the lead typed it (``AG`` stays
``AG``, ``UPDATE AWAITED`` stays), the dates split into Original due, Revised due and
Previous revisions exactly as validation chained them (a cell it could not read goes in
as its text, so the same finding comes back), the tracker's groups in a Group column and
its other columns as extra columns. The registers are seeded from what was found: the
leads named, the scale (with the colours the trust filled its key or status cells with),
the KLOE questions as its bands word them, its titles and its "Position as at …" date.
Whatever could not be placed is listed with its address: nothing is dropped silently.
"""

from __future__ import annotations

import calendar
import re
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from wellled_xl import errors
from wellled_xl.actions import Reading, read_actions
from wellled_xl.cells import cell_address, column_letter
from wellled_xl.headers import ACTIONS_COLUMNS, FINDINGS_COLUMNS, field_for, normalise
from wellled_xl.model import (
    DEFAULT_KLOES,
    EXTRA,
    Kloe,
    Lead,
    Legend,
    Settings,
    SheetShape,
    Tracker,
    cell_text,
    is_word_status,
    status_key,
)
from wellled_xl.read import read_sheets, tracker_from_sheets
from wellled_xl.shape import date_in_text
from wellled_xl.template import new_tracker_path, write_tracker

Rows = list[list[Any]]

# A title line giving the paper's position date: "Position as at end of September 2019".
_AS_AT_LINE = re.compile(r"\bas\s+at\b", re.I)
_BAND_TEXT = re.compile(r"^\s*(W[1-8])\b\s*[:.\-–]?\s*(.*)$", re.I | re.S)
_KLOE_WORD = re.compile(r"^\s*kloe\s+", re.I)
_KEY_LABELS = frozenset({"key", "status key", "rag key", "brag key", "legend", "rag rating key"})
# Register headers (read.py finds registers by these labels): such a sheet is read, not lost.
_REGISTER_LABELS = ({"initials"}, {"code", "meaning"}, {"kloe", "question"}, {"setting", "value"})
_OWN_HEADERS = {normalise(h) for h, _ in (*ACTIONS_COLUMNS, *FINDINGS_COLUMNS)} | {"group"}
DATE_FORMAT = "%d/%m/%Y"


@dataclass(frozen=True)
class Unplaced:
    """A cell of the source that has no place in the controlled tracker."""

    sheet: str
    cell: str  # A1 address, or a range for a whole sheet
    value: str
    why: str


@dataclass
class Adoption:
    """What `adopt` wrote, and what it could not place."""

    source: str
    path: Path
    tracker_id: str
    part_a: int
    part_b: int
    leads: tuple[str, ...]
    scale: tuple[str, ...]
    scale_source: str
    as_at: date | None
    groups: tuple[str, ...]
    extra_columns: tuple[str, ...]
    unplaced: list[Unplaced] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "path": str(self.path),
            "tracker_id": self.tracker_id,
            "actions": {"A": self.part_a, "B": self.part_b},
            "leads": list(self.leads),
            "scale": {"codes": list(self.scale), "source": self.scale_source},
            "as_at": self.as_at.isoformat() if self.as_at else None,
            "groups": list(self.groups),
            "extra_columns": list(self.extra_columns),
            "unplaced": [
                {"sheet": u.sheet, "cell": u.cell, "value": u.value, "why": u.why}
                for u in self.unplaced
            ],
        }


def adopted_path(source: str | Path, output: str | Path | None, force: bool = False) -> Path:
    """Where `adopt` writes: -o, else ``<stem>_controlled.xlsx`` beside the source; never the
    source itself, and an existing file only with `force`."""
    source = Path(source)
    target = new_tracker_path(output or source.with_name(f"{source.stem}_controlled.xlsx"))
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise errors.WellledError(
            f"{target}: that is the tracker being adopted; it is never written"
        )
    if target.exists() and not force:
        raise errors.WellledError(f"{target} already exists; use --force to replace it")
    return target


def adopt_tracker(
    source: str | Path, output: str | Path | None = None, *, force: bool = False
) -> Adoption:
    """Read a tracker of any shape and write it as a controlled tracker; the source is only read."""
    source = Path(source)
    target = adopted_path(source, output, force)
    sheets, extras = read_sheets(source)
    tracker = tracker_from_sheets(source, sheets, extras)
    return write_adopted(tracker, target, sheets, fills=scale_fills(source, tracker))


def write_adopted(
    tracker: Tracker,
    target: Path,
    sheets: Sequence[tuple[str, Rows]],
    fills: dict[str, str] | None = None,
) -> Adoption:
    """Write a tracker already read as a controlled tracker at `target`."""
    readings = read_actions(tracker, date.today())  # the as-at date only sets days overdue
    kloe_banded = {shape.table_key for shape in tracker.shapes if shape.kloe_bands}
    extras: dict[str, list[str]] = {"A": [], "B": []}
    rows: dict[str, list[dict[str, object]]] = {"A": [], "B": []}
    for reading in readings:
        part = reading.record.part
        rows[part].append(_row(reading, reading.record.table_key in kloe_banded, extras[part]))
    tracker_id = tracker.settings.tracker_id if tracker.has_settings else ""
    tracker_id = tracker_id or str(uuid.uuid4())
    settings, placed_titles = _settings(tracker, tracker_id)
    legend = _legend(tracker.legend, fills or {})
    leads = _leads(tracker, readings)
    grouped = any(row.get("group") for part in rows.values() for row in part)
    write_tracker(
        target,
        settings=settings,
        legend=legend,
        kloes=_kloes(tracker),
        leads=leads,
        actions=rows["A"],
        findings=rows["B"],
        group=grouped,
        extra_columns=extras,
    )
    groups = [g for s in tracker.shapes if s.table_key not in kloe_banded for g in s.groups]
    return Adoption(
        source=tracker.path,
        path=target,
        tracker_id=tracker_id,
        part_a=len(rows["A"]),
        part_b=len(rows["B"]),
        leads=tuple(lead.initials for lead in leads),
        scale=legend.codes,
        scale_source=tracker.legend.source,
        as_at=settings.as_at,
        groups=tuple(dict.fromkeys(groups)),
        extra_columns=tuple(dict.fromkeys(extras["A"] + extras["B"])),
        unplaced=unplaced_cells(tracker, sheets, placed_titles),
    )


# ---------------------------------------------------------------------------------------
# The rows


def _row(reading: Reading, kloe_banded: bool, extras: list[str]) -> dict[str, object]:
    """One action as the controlled tracker's row: every value as typed."""
    record, action = reading.record, reading.action
    values = record.values

    def text(fld: str) -> str:
        return cell_text(values.get(fld))

    row: dict[str, object] = {
        # A ref read from the start of the action text ("BOD 60/17(h) …") gets its column.
        "ref": text("ref") or action.ref,
        "action": text("action"),
        "lead": text("lead"),
        "progress": text("progress"),
        "rag": text("rag"),  # empty when the status sat inside a text: read there again
    }
    if record.part == "A":
        row["kloe"] = text("kloe") or action.kloe
        row["success_measure"] = text("success_measure")
    else:
        row["finding"] = text("finding")
    if record.group and not kloe_banded:  # KLOE bands are the KLOE column and sheet
        row["group"] = record.group
    row |= _due_dates(reading)
    updated = values.get("last_updated")
    row["last_updated"] = updated.date() if isinstance(updated, datetime) else updated or ""
    carried = [(k.removeprefix(EXTRA), v) for k, v in values.items() if k.startswith(EXTRA)]
    if record.part == "B":  # Part B's sheet has no such columns: carried under their names
        for fld, header in (("success_measure", "Success measure"),):
            if text(fld):
                carried.append((header, values[fld]))
        if row.get("previous_revisions"):
            carried.append(("Previous revisions", row.pop("previous_revisions")))
        row.pop("previous_revisions", None)
    for header, value in carried:
        header = extra_header(header)
        if header not in extras:
            extras.append(header)
        row[EXTRA + header] = value if header == "Previous revisions" else cell_text(value)
    return row


def extra_header(header: str) -> str:
    """An extra column's header, changed only as far as needed so that the controlled
    tracker does not read it as one of its own fields ('Must do / Should do' would be
    read as the CQC finding)."""
    if field_for(header) is None and normalise(header) not in _OWN_HEADERS:
        return header
    if header == "Previous revisions" or header == "Success measure":
        return header  # Part B's: read as the field they are
    changed = header.replace("/", "–")
    if field_for(changed) is None and normalise(changed) not in _OWN_HEADERS:
        return changed
    return f"Tracker's {changed}"


def _due_dates(reading: Reading) -> dict[str, object]:
    """Original due, Revised due and Previous revisions as validation chained them."""
    values = reading.record.values
    if reading.date_problems:
        # A cell that could not be read goes in as typed, so the same finding comes back.
        first = [values.get(f) for f in ("timescale", "original_due") if _filled(values.get(f))]
        return {
            "original_due": _as_cell(first[0])
            if len(first) == 1
            else " ".join(map(cell_text, first)),
            "revised_due": _as_cell(values.get("revised_due")),
            "previous_revisions": cell_text(values.get("previous_revisions")),
        }
    dates = reading.action.timescale.dates
    if not dates:
        return {}
    return {
        "original_due": dates[0],
        "revised_due": dates[-1] if len(dates) > 1 else "",
        "previous_revisions": "; ".join(d.strftime(DATE_FORMAT) for d in dates[1:-1]),
    }


def _filled(value: Any) -> bool:
    return value is not None and cell_text(value) != ""


def _as_cell(value: Any) -> object:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return cell_text(value)


# ---------------------------------------------------------------------------------------
# The registers


def _leads(tracker: Tracker, readings: Sequence[Reading]) -> list[Lead]:
    """The register's leads, then every other person named, split as validation splits."""
    from wellled_xl.validate import NOT_A_PERSON

    leads = list(tracker.leads) if tracker.has_leads_register else []
    seen = {lead.initials.casefold() for lead in leads}
    seen |= {lead.role.casefold() for lead in leads if lead.role}
    for reading in readings:
        for person in reading.action.leads:
            key = person.casefold()
            if key in seen or key in NOT_A_PERSON:
                continue
            seen.add(key)
            leads.append(Lead(person))
    return leads


def _legend(legend: Legend, fills: dict[str, str]) -> Legend:
    entries = tuple(
        replace(entry, colour=fills.get(scale_key(entry.code), entry.colour))
        for entry in legend.entries
    )
    return Legend(entries, source=legend.source, assumed=legend.assumed)


def scale_key(code: str) -> str:
    """A status as the legend compares it: words whatever their case and spacing."""
    return status_key(code) if is_word_status(code) else code.strip()


def _kloes(tracker: Tracker) -> tuple[Kloe, ...]:
    """The KLOE sheet's questions as the tracker's bands word them, else the framework's."""
    if tracker.has_kloe_list:
        return tracker.kloes
    by_code = {kloe.code: kloe for kloe in DEFAULT_KLOES}
    for shape in tracker.shapes:
        if not shape.kloe_bands:
            continue
        for group in shape.groups:
            match = _BAND_TEXT.match(group)
            if match and match.group(2).strip():
                code = match.group(1).upper()
                by_code[code] = Kloe(code, " ".join(match.group(2).split()))
    return tuple(sorted(by_code.values(), key=lambda k: int(k.code[1:])))


def _settings(tracker: Tracker, tracker_id: str) -> tuple[Settings, set[str]]:
    """Settings from the tracker's own (if it has one), else its title rows: the first line
    is the title, the next the part titles, a last one under them the table heading; a
    "Position as at …" line gives the as-at date. Returns the title lines placed."""
    if tracker.has_settings:
        return replace(tracker.settings, tracker_id=tracker_id), set()
    part_a = next((s for s in tracker.shapes if s.part == "A" and s.title), None)
    part_b = next((s for s in tracker.shapes if s.part == "B" and s.title), None)
    first = part_a or next((s for s in tracker.shapes if s.title), None)
    values: dict[str, Any] = {"tracker_id": tracker_id}
    placed: set[str] = set()
    lines = []
    for line in first.title if first else []:
        if _AS_AT_LINE.search(line) and position_date(line):
            values.setdefault("as_at", position_date(line))
            placed.add(line)
        else:
            lines.append(line)
    if first and first.marking:
        placed.add(first.marking)
    if lines:
        values["title"] = lines[0]
    rest = lines[1:]
    if len(rest) >= 3:
        values["part_a_title"], values["part_b_title"] = rest[0], rest[1]
        values["part_a_heading"] = rest[-1]
        placed |= {rest[0], rest[1], rest[-1]}
    else:
        for attr, line in zip(("part_a_title", "part_b_title"), rest, strict=False):
            values[attr] = line
            placed.add(line)
    if lines:
        placed.add(lines[0])
    if part_b is not None and part_b is not first:
        values["part_b_heading"] = part_b.title[-1]
        placed.add(part_b.title[-1])
    return Settings(**values), placed


def position_date(line: str) -> date | None:
    """The date a "Position as at end of September 2019" line gives: a month alone is its
    last day."""
    found = date_in_text(line)
    if found is None:
        return None
    day, has_day = found
    if has_day:
        return day
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


# ---------------------------------------------------------------------------------------
# Colours, with openpyxl: python-calamine reads values only


def scale_fills(path: str | Path, tracker: Tracker) -> dict[str, str]:
    """The fill colour ("RRGGBB") the trust gave each status of its scale, keyed by
    `scale_key`: from its key or legend cells first, else from its status cells."""
    codes = {scale_key(code) for code in tracker.legend.codes}
    if not codes or not tracker.shapes:
        return {}
    # Colours are a nicety: a workbook openpyxl cannot read (a number it cannot convert, a
    # part it finds odd) gets the scale's own colours, and openpyxl's warnings about what it
    # finds missing (no default style) are not the user's to read.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _scale_fills(path, tracker, codes)
        except Exception:
            return {}


def _scale_fills(path: str | Path, tracker: Tracker, codes: set[str]) -> dict[str, str]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    key_fills: dict[str, str] = {}
    status_fills: dict[str, str] = {}
    try:
        for shape in tracker.shapes:
            if shape.name not in book.sheetnames:
                continue
            rag = shape.column("rag")
            rag_column = rag.letter if rag else None
            scale_rows = set(shape.scale_rows)
            for row in book[shape.name].iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if not isinstance(value, str) or scale_key(value) not in codes:
                        continue
                    colour = _solid(cell)
                    if colour is None:
                        continue
                    in_key = cell.row in scale_rows or cell.row < shape.header_row
                    if in_key:
                        key_fills.setdefault(scale_key(value), colour)
                    elif cell.column_letter == rag_column:
                        status_fills.setdefault(scale_key(value), colour)
    finally:
        book.close()
    return status_fills | key_fills


def _solid(cell: Any) -> str | None:
    fill = getattr(cell, "fill", None)
    if fill is None or fill.fill_type != "solid":
        return None
    rgb = fill.fgColor.rgb
    if isinstance(rgb, str) and re.fullmatch(r"[0-9A-Fa-f]{8}", rgb):
        return rgb[2:].upper()
    return None


# ---------------------------------------------------------------------------------------
# What could not be placed


def unplaced_cells(
    tracker: Tracker, sheets: Sequence[tuple[str, Rows]], placed_titles: set[str]
) -> list[Unplaced]:
    """Every non-empty cell of the source with no place in the controlled tracker."""
    shapes: dict[str, list[SheetShape]] = {}  # a sheet's tables, in order
    for shape in tracker.shapes:
        shapes.setdefault(shape.name, []).append(shape)
    records: dict[str, dict[int, Any]] = {}
    for record in tracker.records:
        records.setdefault(record.sheet, {})[record.row] = record
    found: list[Unplaced] = []
    for name, rows in sheets:
        tables = shapes.get(name)
        if tables is None:
            found.extend(_other_sheet(name, rows))
            continue
        by_row = records.get(name, {})
        used_groups = {r.group for r in by_row.values()}
        scale_rows = {number for shape in tables for number in shape.scale_rows}
        headers = {
            shape.header_row: {cell_text(c) for c in rows[shape.header_row - 1] if cell_text(c)}
            for shape in tables
        }
        for index, row in enumerate(rows):
            number = index + 1
            filled = [(col, cell_text(cell)) for col, cell in enumerate(row) if cell_text(cell)]
            if not filled or number in headers or number in scale_rows:
                continue
            record = by_row.get(number)
            if record is not None:
                found.extend(_record_cells(name, index, filled, record))
                continue
            first = filled[0][1]
            shape = _table_of(tables, number, first)
            header = headers[shape.header_row]
            groups = set(shape.groups)
            if number < shape.header_row:
                placed = first in placed_titles or normalise(first) in _KEY_LABELS
                if first in shape.title and not placed:
                    why = "a title line the Settings sheet has no place for"
                    found.append(Unplaced(name, cell_address(index, filled[0][0]), first, why))
                found.extend(
                    Unplaced(name, cell_address(index, col), text, "beside a title line")
                    for col, text in filled[1:]
                    if text != first and not placed
                )
                continue
            texts = [_KLOE_WORD.sub("", text) for _, text in filled]
            band = next((t for t in texts if t in groups), None)
            if band is not None:
                if band not in used_groups and not shape.kloe_bands:
                    found.append(Unplaced(name, cell_address(index, filled[0][0]), band,
                                          "a group row with no actions under it"))  # fmt: skip
                continue
            if {text for _, text in filled} <= header:
                continue  # the header repeated on a printed page
            found.extend(
                Unplaced(name, cell_address(index, col), text,
                         "a row that is neither an action, a group, a legend nor a header")
                for col, text in filled
            )  # fmt: skip
    return found


def _table_of(tables: Sequence[SheetShape], number: int, first: str) -> SheetShape:
    """The table of a sheet (`tables`, in order) Excel row `number` is in: the last whose
    header is at or above it, or the next when the row is one of that table's title rows
    (Part B's title under Part A)."""
    above = sum(1 for shape in tables if shape.header_row <= number)
    if above < len(tables) and (above == 0 or first in tables[above].title):
        return tables[above]
    return tables[above - 1]


def _record_cells(name: str, index: int, filled: list[tuple[int, str]], record: Any) -> list:
    letters = set(record.columns.values())
    found = [
        Unplaced(name, cell_address(index, col), text,
                 "another column for a field already read (see header-duplicate)")
        for col, text in filled
        if column_letter(col) not in letters
    ]  # fmt: skip
    found += [
        Unplaced(name, record.cell(fld), error, "the cell shows an Excel error, not a value")
        for fld, error in record.errors.items()
    ]
    return found


def _other_sheet(name: str, rows: Rows) -> list[Unplaced]:
    """A sheet that is neither a tracker sheet nor a register: said once, with its range."""
    filled = [(r, c) for r, row in enumerate(rows) for c, cell in enumerate(row) if cell_text(cell)]
    if not filled:
        return []
    for row in rows[:30]:
        labels = {normalise(cell) for cell in row if cell_text(cell)}
        if any(wanted <= labels for wanted in _REGISTER_LABELS):
            return []
    last_row = max(r for r, _ in filled)
    last_col = max(c for _, c in filled)
    first = rows[filled[0][0]][filled[0][1]]
    span = f"A1:{cell_address(last_row, last_col)}"
    return [Unplaced(name, span, cell_text(first)[:80], "not a tracker sheet or a register")]


__all__ = ["Adoption", "Unplaced", "adopt_tracker", "write_adopted"]
