"""Check every tracker row with pandera and turn each failure into a finding a lead can act on."""

from __future__ import annotations

import difflib
import re
from calendar import monthrange
from collections.abc import Callable
from datetime import date
from functools import cached_property
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wellled_xl.actions import Reading, read_actions
from wellled_xl.cells import EXCEL_MAX_TEXT, excel_length
from wellled_xl.dates import DateParseError, NotADateError
from wellled_xl.model import DATE_FIELDS, EXTRA, Finding, Record, Tracker, cell_text
from wellled_xl.preflight import FORMULA_NO_VALUE, UnreadableNumber
from wellled_xl.report import Report
from wellled_xl.rules import RULES
from wellled_xl.scale import suggest_status

# Words that name no accountable person.
NOT_A_PERSON = frozenset(
    {
        "varied",
        "various",
        "all",
        "tbc",
        "tba",
        "n/a",
        "na",
        "none",
        "unknown",
        "?",
        "-",
        "multiple",
        "several",
        "shared",
        "everyone",
        "team",
        "exec team",
        "executive team",
        "all execs",
        "all directors",
        "board",
        "vacant",
        "various leads",
        "all leads",
    }
)
# Progress text that is no update at all.
PLACEHOLDERS = frozenset(
    {
        "update awaited",
        "awaiting update",
        "tbc",
        "tba",
        "-",
        "--",
        "n/a",
        "na",
        "none",
        "to follow",
        "update to follow",
        "no update",
        "no update received",
        "?",
        "...",
        "see above",
        "pending",
        "awaited",
    }
)
_AWAITED = re.compile(r"\b(?:update awaited|awaiting (?:an )?update|update to follow)\b", re.I)
_CROSS_REF = re.compile(
    r"\b(?:as per|see|refer to|same as)\s+(?:item|action|row|ref|no\.?|number)?\s*"
    r"([A-Za-z]?\d+[a-z]?)\b",
    re.I,
)
_CROSS_REF_LENGTH = 80  # a progress text this long says more than where to look
_ANY_KLOE_REF = re.compile(r"^W\d", re.I)
# A sheet with one of these columns gives each Part A action a due date.
_DUE_COLUMNS = frozenset(DATE_FIELDS) - {"previous_revisions"}


def _kloe_tables(tracker: Tracker, rows: list[Reading]) -> set[tuple[str, int]]:
    """The tables (`SheetShape.table_key`) that file their actions under KLOEs: a KLOE
    column, KLOE band rows, or refs in the W1a pattern. Only their rows are checked for a
    KLOE."""
    tables = {
        shape.table_key
        for shape in tracker.shapes
        if shape.kloe_bands or shape.kloe_refs or shape.column("kloe") is not None
    }
    tables |= {row.record.table_key for row in rows if row.kloe_ref}
    if not tracker.shapes:  # a tracker built in code, with no shapes: every sheet
        tables |= {row.record.table_key for row in rows}
    return tables


def _frame(rows: list[Reading], tracker: Tracker) -> pd.DataFrame:
    """One column per checked field and what its checks compare it with; object columns
    keep Python values as they are.

    What a table or a status decides is worked out once per table or status, and the few
    rows with a date problem or a status read from a text are filled in on their own;
    the checks that would ask each row's timescale or leads a question get its answer
    as a column of its own.
    """
    n = len(rows)
    actions = [row.action for row in rows]
    parts = [a.part for a in actions]
    refs = [a.ref for a in actions]
    rags = [a.rag for a in actions]
    progress = [a.progress for a in actions]
    dues = [a.timescale for a in actions]
    leads = [a.leads for a in actions]
    tables = [(a.sheet, a.table) for a in actions]
    # A table's columns, from its last row (the rows of a table share them).
    last_rows = dict(zip(tables, rows, strict=True))
    shapes = {table: row.record.columns for table, row in last_rows.items()}
    kloe_tables = _kloe_tables(tracker, rows)
    known = {rag: tracker.legend.get(rag) is not None for rag in set(rags)}
    data: dict[str, list[Any]] = {
        "part": parts,
        "ref": refs,
        "ref_key": list(map("{}|{}".format, parts, refs)),
        "kloe": [a.kloe for a in actions],
        "kloe_ref": [row.kloe_ref for row in rows],
        "finding": [a.finding for a in actions],
        "action": [a.action for a in actions],
        "lead": [a.lead for a in actions],
        "rag": rags,
        "success_measure": [a.success_measure for a in actions],
        "progress": progress,
        "progress_lower": list(map(str.lower, progress)),
        "due": dues,
        "dates_in_order": [len(t.dates) < 2 or list(t.dates) == sorted(t.dates) for t in dues],
        "has_dates": [bool(t.dates) for t in dues],
        "has_measure_column": _by_table(
            tables, {t: "success_measure" in c for t, c in shapes.items()}
        ),
        "has_due_column": _by_table(
            tables, {t: not _DUE_COLUMNS.isdisjoint(c) for t, c in shapes.items()}
        ),
        "last_updated": [a.last_updated for a in actions],
        "lead_parts": leads,
        "lead_count": list(map(len, leads)),
        "rag_known": list(map(known.__getitem__, rags)),
        "uses_kloes": _by_table(tables, {t: t in kloe_tables for t in shapes}),
    }
    # Statuses read from inside a text that holds none.
    unclear = [False] * n
    for index in [i for i, a in enumerate(actions) if a.rag_found_in]:
        action = actions[index]
        unclear[index] = not action.rag and bool(getattr(action, action.rag_found_in))
    data["status_unclear"] = unclear
    problems: dict[str, list[Any]] = {fld: [None] * n for fld in DATE_FIELDS}
    for index in [i for i, row in enumerate(rows) if row.date_problems]:
        for fld, problem in rows[index].date_problems.items():
            problems[fld][index] = problem
    for fld in DATE_FIELDS:
        data[f"{fld}_problem"] = problems[fld]
    # Rows whose date cells already failed to parse (reported once, not twice).
    data["has_date_problem"] = [bool(row.date_problems) for row in rows]
    # Made as one block of objects and one of flags (masks, negated with ~): pandera copies
    # the frame, which would first merge the blocks of columns converted one by one.
    flags = {name: np.array(data.pop(name), dtype=bool) for name in _FLAGS}
    flags["lead_count"] = np.array(data.pop("lead_count"), dtype=np.int64)
    return pd.concat([pd.DataFrame(data, dtype=object), pd.DataFrame(flags)], axis=1)


_FLAGS = (
    "rag_known", "uses_kloes", "status_unclear", "dates_in_order", "has_dates",
    "has_measure_column", "has_due_column", "has_date_problem",
)  # fmt: skip


def _by_table(tables: list[tuple[str, int]], value: dict[tuple[str, int], bool]) -> list[bool]:
    """Each row's value of what its table decides (`value`, by table)."""
    return list(map(value.__getitem__, tables))


def _column(checks: pa.Check | list[pa.Check], required: bool = True) -> pa.Column:
    """A column of text (or of flags) the frame fills for every row: none holds a null
    (an empty cell is ""), so pandera is not asked to look for one, a scan of 10 ms a
    column at 100,000 rows that could find nothing."""
    return pa.Column(checks=checks, nullable=True, required=required)


def _check(rule: str, fn: Callable[[pd.Series], pd.Series], *, nullable: bool = False) -> pa.Check:
    # pandera takes a column's empty (null) cells out before a check if asked to, which
    # costs a scan of the column per check: only the nullable columns have any.
    return pa.Check(fn, name=rule, error=rule, ignore_na=nullable)


def build_schema(tracker: Tracker, frame: pd.DataFrame, as_at: date) -> pa.DataFrameSchema:
    """The pandera schema for this tracker: its legend, its leads register, its KLOEs."""
    kloe_codes = {k.code for k in tracker.kloes}
    known = {lead.initials.lower() for lead in tracker.leads} | {
        lead.role.lower() for lead in tracker.leads if lead.role
    }
    part_a = frame["part"] == "A"
    part_b = frame["part"] == "B"
    kloe_rows = part_a & frame["uses_kloes"]
    uses_kloe_refs = any(
        part == "A" and _ANY_KLOE_REF.match(ref)
        for part, ref in zip(frame["part"], frame["ref"], strict=True)
    )
    months = tracker.settings.review_period_months
    stale_before = _months_before(as_at, months)
    # Each person named in a lead cell (frame column lead_parts), lower-cased, indexed by
    # the row that names them: a row may name several, or none.
    people = frame["lead_parts"].explode().dropna().str.lower()

    masks: dict[str, pd.Series] = {}

    def filled(series: pd.Series) -> pd.Series:
        # Every text column holds str (cell_text), and a str is true when not empty:
        # numpy tests each value's truth in one pass, without pandas' checks for NaN. A
        # column is tested once: its checks and others' ask again (never a nullable one,
        # which pandera hands over without its empty cells).
        name = str(series.name)
        if name not in masks:
            masks[name] = pd.Series(series.to_numpy().astype(bool), index=series.index)
        return masks[name]

    def required_where(mask: pd.Series) -> Callable[[pd.Series], pd.Series]:
        return lambda s: ~mask | filled(s)

    def no_lead_fails(fails: Callable[[pd.Series], pd.Series]) -> Callable[[pd.Series], pd.Series]:
        # A row passes when none of the people its lead cell names fails.
        return lambda s: pd.Series(~s.index.isin(people.index[fails(people)]), index=s.index)

    def date_ok(kind: type[ValueError]) -> Callable[[pd.Series], pd.Series]:
        return lambda s: ~s.map(lambda value: isinstance(value, kind))

    date_checks = [
        _check("date-unreadable", date_ok(DateParseError), nullable=True),
        _check("date-not-a-date", date_ok(NotADateError), nullable=True),
    ]
    columns = {
        "ref": _column(
            [
                _check("required", filled),
                _check(
                    "ref-format",
                    # A ref follows the W1a pattern exactly when a KLOE was read from it.
                    lambda s: ~(part_a & filled(s) & uses_kloe_refs) | filled(frame["kloe_ref"]),
                ),
            ]
        ),
        "ref_key": _column(
            _check(
                "ref-duplicate",
                lambda s: ~s.duplicated(keep=False) | ~filled(frame["ref"]),
            )
        ),
        "kloe": _column(
            [
                _check("kloe-missing", lambda s: ~kloe_rows | filled(s)),
                _check("kloe-unknown", lambda s: ~kloe_rows | ~filled(s) | s.isin(kloe_codes)),
                _check(
                    "kloe-mismatch",
                    lambda s: ~part_a | ~filled(frame["kloe_ref"]) | (s == frame["kloe_ref"]),
                ),
            ]
        ),
        "finding": _column(_check("required", required_where(part_b))),
        "action": _column(_check("required", filled)),
        "lead": _column(
            [
                _check("required", filled),
                _check("lead-not-person", no_lead_fails(lambda p: p.isin(NOT_A_PERSON))),
                _check(
                    "lead-unknown",
                    # Without a Leads register no one is unknown; "TBC" is said once, above.
                    no_lead_fails(
                        lambda p: (
                            ~(p.isin(NOT_A_PERSON) | p.isin(known)) & tracker.has_leads_register
                        )
                    ),
                ),
                _check("lead-multiple", lambda s: frame["lead_count"] <= 1),
            ]
        ),
        "rag": _column(
            [
                _check("required", filled),
                _check("rag-unknown", lambda s: ~filled(s) | frame["rag_known"]),
                _check("status-unclear", lambda s: ~frame["status_unclear"]),
            ]
        ),
        "success_measure": _column(
            _check("measure-missing", required_where(part_a & frame["has_measure_column"])),
            required=False,
        ),
        "progress": _column(
            [
                _check("progress-missing", filled),
                _check(
                    "progress-placeholder",
                    lambda s: (
                        ~filled(s)
                        | ~(frame["progress_lower"].isin(PLACEHOLDERS) | _says_awaited(frame))
                    ),
                ),
                _check(
                    "progress-cross-reference",
                    # Short progress that only refers to another item ("As per item 2
                    # above."): only a short text is searched.
                    lambda s: pd.Series(
                        [
                            len(text) >= _CROSS_REF_LENGTH or _CROSS_REF.search(text) is None
                            for text in s.tolist()  # a list is walked faster than a Series
                        ],
                        index=s.index,
                        dtype=bool,
                    ),
                ),
            ]
        ),
        "due": _column(
            [
                _check(
                    "required",
                    lambda s: (
                        ~(part_a & frame["has_due_column"])
                        | frame["has_dates"]
                        | frame["has_date_problem"]
                    ),
                ),
                _check("date-order", lambda s: frame["dates_in_order"]),
            ]
        ),
        "last_updated": pa.Column(
            checks=_check(
                "progress-stale", lambda s: s.map(lambda d: d >= stale_before), nullable=True
            ),
            nullable=True,  # no date: nothing to be stale (pandera passes empty cells)
        ),
    }
    for fld in DATE_FIELDS:
        columns[f"{fld}_problem"] = pa.Column(checks=date_checks, nullable=True)
    return pa.DataFrameSchema(columns, strict=False)


def _says_awaited(frame: pd.DataFrame) -> pd.Series:
    """Progress that says its update is awaited ("Update awaited from RG")."""
    # Every phrase _AWAITED finds contains "update" (in any case), so the case-blind
    # regex, slow over long texts, only runs on the few texts that have the word.
    says = [False] * len(frame)
    lower = frame["progress_lower"].tolist()
    progress = frame["progress"].tolist()
    for row in [i for i, text in enumerate(lower) if "update" in text]:
        says[row] = _AWAITED.search(progress[row]) is not None
    return pd.Series(says, index=frame.index, dtype=bool)


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


LABELS = {
    "ref": "the ref",
    "kloe": "the KLOE",
    "finding": "the CQC finding",
    "action": "the planned action",
    "lead": "the lead",
    "rag": "the RAG status",
    "success_measure": "the success measure",
    "progress": "the progress update",
    "due": "the due date",
    "timescale": "the timescale",
    "original_due": "the original due date",
    "revised_due": "the revised due date",
    "previous_revisions": "the previous revisions",
    "last_updated": "the last-updated date",
}


def _cell_field(column: str, rule: str, record: Record) -> str:
    """The tracker field whose cell a failure should point at."""
    if column.endswith("_problem"):
        return column.removesuffix("_problem")
    if column == "ref_key":
        return "ref"
    if column == "kloe":
        return "kloe" if "kloe" in record.columns else "ref"
    if column == "due":
        order = ("revised_due", "timescale") if rule == "date-order" else DATE_FIELDS
        return next((f for f in order if f in record.columns), "original_due")
    return column


class _RefIndex:
    """Which records use each ref, by part: gathered on first use, as only the findings
    that name another row (ref-duplicate, progress-cross-reference) need it."""

    def __init__(self, rows: list[Reading]) -> None:
        self._rows = rows

    @cached_property
    def _records(self) -> dict[tuple[str, str], list[Record]]:
        by_ref: dict[tuple[str, str], list[Record]] = {}
        for row in self._rows:
            by_ref.setdefault((row.action.part, row.action.ref), []).append(row.record)
        return by_ref

    def records(self, part: str, ref: str) -> list[Record]:
        """The records of a part whose ref is `ref`, in tracker order."""
        return self._records.get((part, ref), [])


class _Failure:
    """One row failing one rule: what its message needs, worked out on demand."""

    __slots__ = ("fld", "refs", "row", "tracker", "value")

    def __init__(self, fld: str, row: Reading, tracker: Tracker, refs: _RefIndex) -> None:
        self.fld = fld
        self.row = row
        self.tracker = tracker
        self.refs = refs
        self.value: Any = cell_text(row.record.values.get(fld, ""))

    @property
    def who(self) -> str:
        ref = self.row.action.ref
        if not ref:
            return f"Row {self.row.record.row}"
        return ref if self.row.record.part == "A" else f"Item {ref.rstrip('.')}"

    @property
    def label(self) -> str:
        return LABELS.get(self.fld, self.fld.replace("_", " "))

    @property
    def chase(self) -> str:
        lead = self.row.action.lead
        return lead if lead and lead.lower() not in NOT_A_PERSON else "the lead"


# Per rule, the words its templates (rules.py) need beyond who, label, chase and codes;
# "value" replaces the cell's text as the finding's value, "variant" picks a template.
_Words = dict[str, Any]


def _required(f: _Failure) -> _Words:
    return {"label": "the due date"} if f.fld in DATE_FIELDS else {}


def _ref_format(f: _Failure) -> _Words:
    return {"kloe": f.row.action.kloe or "W1"}


def _ref_duplicate(f: _Failure) -> _Words:
    record = f.row.record
    return {"others": few_rows(f.refs.records(record.part, f.value), record)}


# How many other rows a finding names before it counts the rest: 5,000 rows sharing a ref
# give 5,000 short messages, not 5,000 lists of 4,999 rows.
NAMED_ROWS = 3


def few_rows(records: list[Record], itself: Record) -> str:
    """'row 7', 'rows 3, 4 and 5' or 'rows 3, 4, 5 and 4,995 more': the other rows of a
    group, a few named."""
    named: list[str] = []
    for other in records:
        if other is not itself:
            named.append(str(other.row))
            if len(named) == NAMED_ROWS:
                break
    rest = len(records) - 1 - len(named)
    if rest > 0:
        return f"rows {', '.join(named)} and {rest:,} more"
    if len(named) > 1:
        return f"rows {', '.join(named[:-1])} and {named[-1]}"
    return f"row {''.join(named)}"


def _kloe_unknown(f: _Failure) -> _Words:
    return {"value": f.row.action.kloe, "known": ", ".join(k.code for k in f.tracker.kloes)}


def _kloe_mismatch(f: _Failure) -> _Words:
    return {"value": f.row.action.kloe, "kloe_ref": f.row.kloe_ref}


def _rag_unknown(f: _Failure) -> _Words:
    match = suggest_status(f.value, f.tracker.legend)
    return {"match": match, "variant": "close" if match else ""}


def _lead_unknown(f: _Failure) -> _Words:
    leads = f.tracker.leads
    known = [lead.initials for lead in leads]
    known_lower = {k.lower() for k in known}
    roles = {lead.role.lower() for lead in leads if lead.role}
    missing = [
        p
        for p in f.row.action.leads
        if p.lower() not in known_lower and p.lower() not in NOT_A_PERSON and p.lower() not in roles
    ]
    close = [m for p in missing for m in difflib.get_close_matches(p, known, n=1)]
    return {
        "names": ", ".join(repr(p) for p in missing),
        "close": ", ".join(repr(c) for c in close),
        "variant": "close" if close else "",
    }


def _lead_multiple(f: _Failure) -> _Words:
    leads = f.row.action.leads
    return {"count": len(leads), "names": ", ".join(leads)}


def _date_unreadable(f: _Failure) -> _Words:
    return {"problem": f.row.date_problems.get(f.fld)}


def _date_order(f: _Failure) -> _Words:
    timescale = f.row.action.timescale
    dates = " → ".join(d.strftime("%d %b %Y") for d in timescale.dates)
    return {"value": timescale.text, "dates": dates}


def _progress_placeholder(f: _Failure) -> _Words:
    words = _AWAITED.search(f.value)
    return {"shown": words.group(0) if words else f.value}


def _progress_cross_reference(f: _Failure) -> _Words:
    part = f.row.record.part
    target = _CROSS_REF.search(f.value).group(1)
    # Part B's numbers are often typed "2." while the text says "item 2".
    forms = {target, target.rstrip("."), target.rstrip(".") + "."}
    missing = not any(f.refs.records(part, form) for form in forms)
    return {"target": target, "variant": "missing" if missing else ""}


def _progress_stale(f: _Failure) -> _Words:
    updated = f.row.action.last_updated
    return {
        "value": updated.isoformat(),
        "updated": updated,
        "months": f.tracker.settings.review_period_months,
    }


def _status_unclear(f: _Failure) -> _Words:
    text = " ".join(f.value.split())
    codes = f.tracker.legend.codes
    return {
        "shown": text if len(text) <= 40 else text[:39] + "…",
        "example": f"{codes[0]} – {text[:30]}" if codes else f"Open – {text[:30]}",
    }


_WORDS: dict[str, Callable[[_Failure], _Words]] = {
    "required": _required,
    "ref-format": _ref_format,
    "ref-duplicate": _ref_duplicate,
    "kloe-unknown": _kloe_unknown,
    "kloe-mismatch": _kloe_mismatch,
    "rag-unknown": _rag_unknown,
    "lead-unknown": _lead_unknown,
    "lead-multiple": _lead_multiple,
    "date-unreadable": _date_unreadable,
    "date-order": _date_order,
    "progress-placeholder": _progress_placeholder,
    "progress-cross-reference": _progress_cross_reference,
    "progress-stale": _progress_stale,
    "status-unclear": _status_unclear,
}


def _row_finding(
    rule: str, fld: str, cell: str, row: Reading, tracker: Tracker, refs: _RefIndex, codes: str
) -> Finding:
    """The finding of one row failing one rule at `cell`, worded by the rule (`codes`: the
    legend's codes, as its templates list them)."""
    failure = _Failure(fld, row, tracker, refs)
    record = row.record
    context: _Words = {
        "sheet": record.sheet,
        "cell": cell,
        "row": record.row,
        "ref": row.action.ref,
        "field": fld,
        "value": failure.value,
        "who": failure.who,
        "label": failure.label,
        "chase": failure.chase,
        "codes": codes,
    }
    words = _WORDS.get(rule)
    if words is not None:
        context.update(words(failure))  # may replace the value or the label
    return RULES[rule].worded(context, context.pop("variant", ""))


def _findings(
    tracker: Tracker, rows: list[Reading], frame: pd.DataFrame, schema: pa.DataFrameSchema
) -> list[Finding]:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    findings = []
    seen: set[tuple] = set()
    refs = _RefIndex(rows)
    codes = ", ".join(tracker.legend.codes)
    cases = cases[cases["index"].notna()]
    # As lists: a pandas column gives up its values one by one far more slowly.
    columns, checks, indexes = (cases[name].tolist() for name in ("column", "check", "index"))
    for column, rule, index in zip(columns, checks, indexes, strict=True):
        if rule not in RULES:
            continue
        row = rows[int(index)]
        record = row.record
        fld = (
            row.action.rag_found_in
            if rule == "status-unclear"
            else _cell_field(str(column), rule, record)
        )
        cell = record.cell(fld)
        if not cell:
            continue  # the sheet has no such column: said once by missing-column, if required
        if fld in record.errors:
            continue  # the cell shows an Excel error: said once by cell-error
        key = (id(row), rule, fld)
        if key in seen:
            continue
        seen.add(key)
        findings.append(_row_finding(rule, fld, cell, row, tracker, refs, codes))
    return findings


def _missing_columns(tracker: Tracker) -> list[Finding]:
    """A tracker table that lacks a required column gets one finding, not one per row. On
    a sheet of several tables (Part A, then Part B) the finding names the table's header
    row, its first cell."""
    needed = {
        "A": ("ref", "action", "lead", "rag"),
        "B": ("ref", "finding", "action", "lead", "rag"),
    }
    findings = []
    shapes = {shape.table_key: shape for shape in tracker.shapes}
    shared = {shape.name for shape in tracker.shapes if shape.table > 1}  # several tables
    no_status = {f.sheet for f in tracker.findings if f.rule == "no-status"}
    # A status read from inside a text, or a sheet said once to have no status at all.
    seen: set[tuple[tuple[str, int], str]] = {
        (shape.table_key, "rag")
        for shape in tracker.shapes
        if shape.status_in or shape.name in no_status
    }
    seen |= {(shape.table_key, "ref") for shape in tracker.shapes if shape.ref_in}
    tables: set[tuple[str, int]] = set()
    for record in tracker.records:
        # The records of one table share their columns: look at each table's once.
        table = record.table_key
        if table in tables:
            continue
        tables.add(table)
        shape = shapes.get(table)
        header_cell = f"A{shape.header_row}" if shape and record.sheet in shared else ""
        for fld in needed[record.part]:
            if fld in record.columns or (table, fld) in seen:
                continue
            seen.add((table, fld))
            findings.append(
                RULES["missing-column"].finding(
                    sheet=record.sheet,
                    cell=header_cell,
                    field=fld,
                    label=LABELS[fld].removeprefix("the "),
                    header=fld.replace("_", " ").title(),
                )
            )
    return findings


def _cell_errors(tracker: Tracker) -> list[Finding]:
    """Cells showing #N/A, #REF! ...: the lead sees an error, not an empty cell."""
    findings = []
    for record in tracker.records:
        if not record.errors:
            continue
        ref = cell_text(record.values.get("ref"))
        for fld, error in record.errors.items():
            rule = "formula-no-value" if error == FORMULA_NO_VALUE else "cell-error"
            rule = "number-unreadable" if isinstance(error, UnreadableNumber) else rule
            findings.append(
                RULES[rule].finding(
                    sheet=record.sheet, cell=record.cell(fld), row=record.row, ref=ref,
                    field=fld, value=error, who=ref or f"Row {record.row}",
                    label=LABELS.get(fld, fld.replace("_", " ")),
                )
            )  # fmt: skip
    return findings


def _long_texts(tracker: Tracker) -> list[Finding]:
    """Text longer than an Excel cell holds: the paper shows its start, and says so here."""
    findings: list[Finding] = []
    # Every text's length at once, in C: a tracker rarely holds one long enough to ask.
    values = chain.from_iterable(record.values.values() for record in tracker.records)
    if max(map(len, filter(str.__instancecheck__, values)), default=0) * 2 <= EXCEL_MAX_TEXT:
        return findings
    for record in tracker.records:
        for fld, value in record.values.items():
            if type(value) is str and len(value) * 2 > EXCEL_MAX_TEXT:
                length = excel_length(value)
                if length <= EXCEL_MAX_TEXT:
                    continue
                ref = cell_text(record.values.get("ref"))
                ref = ref if len(ref) <= 40 else f"{ref[:40]}…"  # a ref may be the long text
                findings.append(
                    RULES["text-too-long"].finding(
                        sheet=record.sheet, cell=record.cell(fld), row=record.row, ref=ref,
                        field=fld, who=ref or f"Row {record.row}",
                        label=LABELS.get(fld, f"column {fld.removeprefix(EXTRA)!r}"),
                        length=length, limit=EXCEL_MAX_TEXT,
                    )
                )  # fmt: skip
    return findings


def validate(tracker: Tracker, as_at: date) -> Report:
    """Validate every row of a tracker as at a date; return the findings and the actions."""
    rows = read_actions(tracker, as_at)
    findings = list(tracker.findings) + _missing_columns(tracker) + _cell_errors(tracker)
    findings += _long_texts(tracker)
    if not rows:
        names = dict.fromkeys(shape.name for shape in tracker.shapes)  # a sheet once
        sheets = ", ".join(names) or "no tracker sheet"
        findings.append(RULES["no-actions"].finding(sheets=sheets))
    if rows:
        frame = _frame(rows, tracker)
        schema = build_schema(tracker, frame, as_at)
        # A table with no column for a field gives its rows no finding about it (see
        # `_findings`): missing-column says it once.
        findings.extend(_findings(tracker, rows, frame, schema))
    error_rows = {(f.sheet, f.row) for f in findings if f.severity == "error"}
    for row in rows:
        if (row.record.sheet, row.record.row) in error_rows:
            row.action.has_errors = True
    actions = [row.action for row in rows]
    return Report(
        tracker=tracker, as_at=as_at, actions=actions, findings=_ordered(tracker, findings)
    )


_COLUMN_LETTERS = re.compile(r"[A-Z]+")


def _ordered(tracker: Tracker, findings: list[Finding]) -> list[Finding]:
    """Workbook-wide findings first, then by sheet order, row and column."""
    sheets: dict[str, int] = {}  # each sheet's first record
    for index, record in enumerate(tracker.records):
        sheets.setdefault(record.sheet, index)

    def key(f: Finding) -> tuple:
        column = _COLUMN_LETTERS.match(f.cell)
        col = column.group(0) if column else ""
        return (f.row is not None, sheets.get(f.sheet, -1), f.row or 0, len(col), col, f.rule)

    return sorted(findings, key=key)
