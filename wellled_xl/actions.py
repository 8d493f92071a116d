"""Turn tracker records into actions: their texts, dates, due date, KLOE, leads and overdue days.

What a row *means* as at a date, with no judgement on it: validation (validate.py) checks
these readings, and the paper, history and chasing use the actions they become, without
needing pandas or pandera.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from wellled_xl.dates import (
    MAX_TEXT_LENGTH,
    DateParseError,
    NotADateError,
    Timescale,
    parse_timescale,
)
from wellled_xl.model import (
    DATE_FIELDS,
    EXTRA,
    Action,
    Record,
    Tracker,
    YearContext,
    cell_text,
)
from wellled_xl.scale import status_inside
from wellled_xl.shape import KLOE_REF, REF_IN_TEXT, items_getter

# Leads typed into one cell: "DMc / AK / MS", "RG; TL", "KD + PG" are always several;
# "RG, TL", "KD & PG", "KD and PG" are several only when each part is a person of the
# same kind (initials, a role, a name): "Director of Finance and Performance", "Service
# Director, Community" and "Director of Nursing, Midwifery and AHPs" are one job title.
_LEAD_SPLIT = re.compile(r"\s*(?:/|;|\+)\s*")
_LEAD_LIST = re.compile(r"\s*(?:,|&|\band\b)\s*", re.I)
_ROLE_WORD = re.compile(
    r"\b(?:director|chief|officer|head|manager|lead|nurse|executive|deputy|associate|chair|"
    r"secretary|consultant|matron|clinician|doctor|dr|team|committee|board|group)\b",
    re.I,
)
_JOINING_WORD = re.compile(r"\b(?:of|for|the|to|in)\b", re.I)
# The cells read as text (the date cells and last_updated are parsed instead).
TEXT_FIELDS = ("ref", "kloe", "finding", "action", "lead", "rag", "success_measure", "progress")
_TEXT_AT = {fld: index for index, fld in enumerate(TEXT_FIELDS)}
_REF, _KLOE, _FINDING, _ACTION, _LEAD, _RAG, _MEASURE, _PROGRESS = range(len(TEXT_FIELDS))


@functools.lru_cache(maxsize=4096)  # a tracker names a few dozen leads, again and again
def split_leads(text: str) -> tuple[str, ...]:
    """'DMc / AK / MS' -> ('DMc', 'AK', 'MS'); 'KD and PG' -> ('KD', 'PG'); 'Director of
    Finance and Performance' -> itself (one job title)."""
    people: list[str] = []
    for part in _LEAD_SPLIT.split(text.strip()):
        if not part:
            continue
        pieces = [piece for piece in _LEAD_LIST.split(part) if piece]
        kinds = {_kind_of_lead(piece) for piece in pieces}
        people.extend(pieces if len(kinds) == 1 and "" not in kinds else [part])
    return tuple(people)


def _kind_of_lead(piece: str) -> str:
    """'initials' (KD, DoF, CEO), 'role' (Chief Nurse), 'name' (Jane Doe), else ''."""
    if len(piece) <= 5 and " " not in piece:
        return "initials"
    if _ROLE_WORD.search(piece):
        return "role"
    words = piece.split()
    if len(words) <= 3 and all(w[:1].isupper() for w in words) and not _JOINING_WORD.search(piece):
        return "name"
    return ""


@dataclass(slots=True)
class Reading:
    """One record, read once: the action it becomes and what its checks need besides."""

    record: Record
    action: Action  # has_errors is set once the findings are known
    date_problems: dict[str, ValueError]  # date field -> why its cell could not be read
    kloe_ref: str  # the KLOE a ref in the W1a pattern names ("W3" for W3a), else ""


def read_actions(tracker: Tracker, as_at: date) -> list[Reading]:
    """Read each record once: its texts, dates, KLOE and leads become its `Action`.

    Nothing here depends on `as_at` but the days overdue: a date typed without a year
    takes it from the tracker (the group row above it, its title rows, its Settings),
    never from the as-at date, so the same tracker gives the same due dates whenever
    it is read.
    """
    readings = []
    settings_context = (
        YearContext(tracker.settings.as_at, "nearest", "the Settings sheet's as-at date")
        if tracker.settings.as_at
        else None
    )
    # Keyed by table (`SheetShape.table_key`): a sheet may hold Part A, then Part B. Each
    # names the text (its place in TEXT_FIELDS) a status or a ref is read from.
    status_in = {s.table_key: _TEXT_AT[s.status_in] for s in tracker.shapes if s.status_in}
    ref_in = {s.table_key: _TEXT_AT[s.ref_in] for s in tracker.shapes if s.ref_in}
    is_complete = tracker.legend.is_complete
    tables: dict[tuple[str, int], _SheetFields] = {}  # the records of a table share columns
    for record in tracker.records:
        values = record.values
        table = (record.sheet, record.table)
        fields = tables.get(table)
        if fields is None:
            fields = tables[table] = _SheetFields.of(record)
        # Every text field, in TEXT_FIELDS' order: "" where the table has no such column.
        text = [v.strip() if type(v) is str else cell_text(v) for v in fields.text_of(values)]
        context = record.year_context or settings_context
        problems, timescale, yearless = _dates_of(values, fields.dates, context)
        if table in ref_in and not text[_REF]:
            found = REF_IN_TEXT.match(text[ref_in[table]])
            text[_REF] = found.group(1) if found else ""
        rag_found_in = ""
        if table in status_in and not text[_RAG]:
            text[_RAG] = status_inside(text[status_in[table]], tracker.legend)
            rag_found_in = TEXT_FIELDS[status_in[table]]
        ref = text[_REF]
        match = KLOE_REF.match(ref) if ref[:1] == "W" else None  # W1a, W3b …
        kloe_ref = f"W{match.group(1)}" if match else ""
        # The KLOE column, else the band the row sits under, else the ref's KLOE.
        kloe = text[_KLOE].upper() or record.kloe_band or kloe_ref
        rag = text[_RAG]
        complete = is_complete(rag)
        due = timescale.dates[-1] if timescale.dates else None
        # Overdue: not complete in the legend and due before the as-at date.
        days = (as_at - due).days if (due and not complete and due < as_at) else 0
        lead = text[_LEAD]
        # By position, in the order of Action's fields (tests/test_validate.py pins it):
        # 22 keywords matched on every call cost 0.2 s more at 100,000 actions.
        action = Action(
            record.part,  # part
            record.sheet,  # sheet
            record.row,  # row
            ref,  # ref
            kloe,  # kloe
            text[_FINDING],  # finding
            text[_ACTION],  # action
            timescale,  # timescale
            lead,  # lead
            split_leads(lead),  # leads
            text[_MEASURE],  # success_measure
            text[_PROGRESS],  # progress
            rag,  # rag
            last_updated(values["last_updated"]) if fields.updated else None,  # last_updated
            complete,  # complete
            days,  # days_overdue
            False,  # has_errors: set once the findings are known
            record.group,  # group
            tuple((key.removeprefix(EXTRA), cell_text(values[key])) for key in fields.extras)
            if fields.extras
            else (),  # extras
            context.source if yearless and context else "",  # year_source
            rag_found_in,  # rag_found_in
            record.table,  # table
        )
        readings.append(Reading(record, action, problems, kloe_ref))
    return readings


@dataclass(frozen=True, slots=True)
class _SheetFields:
    """Which fields a table's records hold: every record of a table holds the same."""

    # A record's values of every one of TEXT_FIELDS, in order; None for a field the
    # table has no column for.
    text_of: Callable[[dict[str, Any]], Any]
    dates: tuple[str, ...]  # of DATE_FIELDS, in their order
    updated: bool  # a Last updated column
    extras: tuple[str, ...]  # the keys of the columns carried as they are

    @classmethod
    def of(cls, record: Record) -> _SheetFields:
        values = record.values
        texts = tuple(fld for fld in TEXT_FIELDS if fld in values)
        return cls(
            # One C call for a table with every text column; else each looked up.
            text_of=items_getter(TEXT_FIELDS)
            if texts == TEXT_FIELDS
            else lambda values: map(values.get, TEXT_FIELDS),
            dates=tuple(fld for fld in DATE_FIELDS if fld in values),
            updated="last_updated" in values,
            extras=tuple(key for key in values if key.startswith(EXTRA)),
        )


def _dates_of(
    values: dict[str, Any], fields: tuple[str, ...], context: YearContext | None
) -> tuple[dict[str, ValueError], Timescale, bool]:
    """Parse a record's date cells (`fields` of its `values`), then chain them: original,
    earlier revisions, latest revision.

    Returns the cells that could not be read (and why), the chained timescale, and
    whether a date typed without a year took its year from `context`.
    """
    problems: dict[str, ValueError] = {}
    chain: list[date] = []
    yearless = False
    for fld in fields:
        value = values[fld]
        if value == "" or value is None:
            continue  # an empty date cell: nothing to parse, nothing to chain
        if isinstance(value, date):  # a real date cell, the usual case: nothing to read
            chain.append(value.date() if isinstance(value, datetime) else value)
            continue
        try:
            if chain:
                result = _parse_after(value, chain[-1])
            else:
                result, yearless = _parse_first(value, context)
        except (DateParseError, NotADateError) as exc:
            # Kept for its message and kind only: its traceback, and that of the error it
            # was raised from, would hold the frames of this call, and through them every
            # row, past the end of validation (pandas columns hide the cycle from the gc).
            exc.__context__ = None
            problems[fld] = exc.with_traceback(None)
            continue
        chain.extend(result.dates)
    # What was typed is shown only where no date could be read, or dates run backwards
    # (date-order quotes it): most rows need no text of their cells joined.
    if chain and not problems and (len(chain) == 1 or all(a <= b for a, b in pairwise(chain))):
        return problems, Timescale(tuple(chain), ""), yearless
    source = " ".join([cell_text(values[f]) for f in fields])
    return problems, Timescale(tuple(chain), source.strip()), yearless


def _parse_first(value: Any, context: YearContext | None) -> tuple[Timescale, bool]:
    """Parse the first date cell of a row; a date typed without a year takes it from the
    tracker: on or after the meeting of its group row ("Jan" set at the June 2012 board
    is January 2013), or the year nearest its title's or Settings' date. Returns the
    timescale and whether the year came from `context`."""
    if context is None:
        return _parse(value), False
    if isinstance(value, str) and len(value) <= MAX_TEXT_LENGTH:
        # "31 Mar" under one group row, again and again: read once per text and group.
        found = _first_in_context(value, context.day, context.rule)
        if isinstance(found, DateParseError):
            raise found
        return found
    return _read_first(value, context.day, context.rule)


def _read_first(value: Any, day: date, rule: str) -> tuple[Timescale, bool]:
    year = day.year
    this, following = _in_year(value, year), _in_year(value, year + 1)
    if isinstance(this, Timescale) and this == following:
        return this, False  # the text says its own year
    if isinstance(this, DateParseError) and isinstance(following, DateParseError):
        raise this
    if rule == "after":  # the first reading on or after the meeting ("29 Feb")
        options = [t for t in (this, following) if isinstance(t, Timescale) and t.dates]
        later = [t for t in options if t.dates[0] >= day]
        return (later or options)[0], True
    readings = [this, following, _in_year(value, year - 1)]
    options = [t for t in readings if isinstance(t, Timescale) and t.dates]
    nearest = min(options, key=lambda t: (abs((t.dates[0] - day).days), t.dates[0]))
    return nearest, True


@functools.lru_cache(maxsize=8192)
def _first_in_context(value: str, day: date, rule: str) -> tuple[Timescale, bool] | DateParseError:
    """`_read_first`, with an unreadable date returned (so it is cached like the rest)."""
    try:
        return _read_first(value, day, rule)
    except DateParseError as exc:
        exc.__context__ = None
        return exc.with_traceback(None)


def _in_year(value: Any, year: int | None) -> Timescale | DateParseError:
    """The cell read with `year` for a date that has none; a status word still raises.
    An unreadable date is returned, not raised, so it can be cached like the rest."""
    if isinstance(value, str) and len(value) <= MAX_TEXT_LENGTH:
        return _in_year_cached(value, year)
    return _read_in_year(value, year)


def _read_in_year(value: Any, year: int | None) -> Timescale | DateParseError:
    try:
        return parse_timescale(value, context_year=year)
    except DateParseError as exc:
        exc.__context__ = None
        return exc.with_traceback(None)


# A tracker's date texts repeat ("31 Mar", "Q4 2019/20"): each is read once a run.
_in_year_cached = functools.lru_cache(maxsize=8192)(_read_in_year)


def _parse(value: Any, year: int | None = None) -> Timescale:
    result = _in_year(value, year)
    if isinstance(result, DateParseError):
        raise result
    return result


def _parse_after(value: Any, previous: date) -> Timescale:
    """Parse a date cell that revises `previous`: a date typed without a year ("30 Sept")
    takes the year that puts it on or after the date it revises."""
    result = _parse(value, previous.year)
    if result.dates and result.dates[0] < previous:
        later = _parse(value, previous.year + 1)
        if later.dates != result.dates:  # the text had no year of its own
            return later
    return result


def last_updated(value: Any) -> date | None:
    """The Last updated cell as a date; None when empty or unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value == "" or value is None:
        return None  # the usual empty cell, without asking the date reader
    try:
        return _parse(value).due_date
    except (DateParseError, NotADateError) as exc:
        exc.with_traceback(None)  # a cached error must not keep this call's frames alive
        return None
