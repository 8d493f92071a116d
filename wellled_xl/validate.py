"""Check every tracker row with pandera and turn each failure into a finding a lead can act on."""

from __future__ import annotations

import difflib
import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

import pandas as pd
import pandera.pandas as pa

from wellled_xl.dates import DateParseError, NotADateError, Timescale, parse_timescale
from wellled_xl.model import Action, Finding, Legend, Record, Tracker, cell_text
from wellled_xl.report import Report
from wellled_xl.rules import RULES

# Leads typed into one cell: "DMc / AK / MS", "RG, TL", "KD & PG", "KD and PG".
_LEAD_SPLIT = re.compile(r"\s*(?:/|,|;|&|\+|\band\b)\s*", re.I)
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
_KLOE_REF = re.compile(r"^W([1-8])[a-z]{1,2}\d*$")
_ANY_KLOE_REF = re.compile(r"^W\d", re.I)
_RAG_WORDS = (("green", "g"), ("amber", "a"), ("red", "r"), ("blue", "b"))
# The cells that hold a due date, in the order original -> revisions -> latest.
DATE_FIELDS = ("timescale", "original_due", "previous_revisions", "revised_due")
# A sheet with one of these columns gives each Part A action a due date.
_DUE_COLUMNS = frozenset(DATE_FIELDS) - {"previous_revisions"}
# The cells read as text (the date cells and last_updated are parsed instead).
TEXT_FIELDS = ("ref", "kloe", "finding", "action", "lead", "rag", "success_measure", "progress")


def split_leads(text: str) -> tuple[str, ...]:
    """'DMc / AK / MS' -> ('DMc', 'AK', 'MS')."""
    return tuple(part for part in _LEAD_SPLIT.split(text.strip()) if part)


def _rag_letters(text: str) -> str:
    letters = text.lower()
    for word, letter in _RAG_WORDS:
        letters = letters.replace(word, letter)
    return re.sub(r"[^a-z]", "", letters)


def suggest_rag(value: str, legend: Legend) -> str:
    """A legend code the lead probably meant ('AG' -> 'A/G', 'Green' -> 'G'), or ''."""
    by_letters = {_rag_letters(code): code for code in legend.codes}
    return by_letters.get(_rag_letters(value), "")


@dataclass
class _Row:
    """One record, read once: the action it becomes and what its checks need besides."""

    record: Record
    action: Action  # has_errors is set once the findings are known
    date_problems: dict[str, ValueError]  # date field -> why its cell could not be read
    kloe_ref: str  # the KLOE a ref in the W1a pattern names ("W3" for W3a), else ""


def _parse_dates(
    record: Record, context_year: int | None
) -> tuple[dict[str, ValueError], Timescale]:
    """Parse each date cell, then chain them: original, earlier revisions, latest revision.

    Returns the cells that could not be read (and why) and the chained timescale.
    """
    problems: dict[str, ValueError] = {}
    chain: list[date] = []
    values = record.values
    for fld in DATE_FIELDS:
        value = values.get(fld, "")
        if value == "" or value is None:
            continue  # an empty date cell: nothing to parse, nothing to chain
        if isinstance(value, date):  # a real date cell, the usual case: nothing to read
            chain.append(value.date() if isinstance(value, datetime) else value)
            continue
        try:
            result = _parse_after(value, chain[-1] if chain else None, context_year)
        except (DateParseError, NotADateError) as exc:
            # Kept for its message and kind only: its traceback, and that of the error it
            # was raised from, would hold the frames of this call, and through them every
            # row, past the end of validation (pandas columns hide the cycle from the gc).
            exc.__context__ = None
            problems[fld] = exc.with_traceback(None)
            continue
        chain.extend(result.dates)
    source = " ".join([cell_text(values[f]) for f in DATE_FIELDS if f in values])
    return problems, Timescale(tuple(chain), source.strip())


def _parse_after(value: Any, previous: date | None, context_year: int | None) -> Timescale:
    """Parse a date cell that revises `previous`: a date typed without a year ("30 Sept")
    takes the year that puts it on or after the date it revises."""
    if previous is None:
        return parse_timescale(value, context_year=context_year)
    result = parse_timescale(value, context_year=previous.year)
    if result.dates and result.dates[0] < previous:
        later = parse_timescale(value, context_year=previous.year + 1)
        if later.dates != result.dates:  # the text had no year of its own
            return later
    return result


def _last_updated(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value == "" or value is None:
        return None  # the usual empty cell, without asking the date reader
    try:
        return parse_timescale(value).due_date
    except (DateParseError, NotADateError):
        return None


def _prepare(tracker: Tracker, as_at: date) -> list[_Row]:
    """Read each record once: its texts, dates, KLOE and leads become its `Action`."""
    rows = []
    for record in tracker.records:
        text = {fld: cell_text(record.values.get(fld)) for fld in TEXT_FIELDS}
        problems, timescale = _parse_dates(record, as_at.year)
        match = _KLOE_REF.match(text["ref"])
        kloe_ref = f"W{match.group(1)}" if match else ""
        # The KLOE column, else the band the row sits under, else the ref's KLOE.
        kloe = text["kloe"].upper() or record.kloe_band or kloe_ref
        complete = tracker.legend.is_complete(text["rag"])
        due = timescale.due_date
        # Overdue: not complete in the legend and due before the as-at date.
        days = (as_at - due).days if (due and not complete and due < as_at) else 0
        action = Action(
            part=record.part,
            sheet=record.sheet,
            row=record.row,
            ref=text["ref"],
            kloe=kloe,
            finding=text["finding"],
            action=text["action"],
            timescale=timescale,
            lead=text["lead"],
            leads=split_leads(text["lead"]),
            success_measure=text["success_measure"],
            progress=text["progress"],
            rag=text["rag"],
            last_updated=_last_updated(record.values.get("last_updated")),
            complete=complete,
            days_overdue=days,
        )
        rows.append(_Row(record, action, problems, kloe_ref))
    return rows


def _frame(rows: list[_Row]) -> pd.DataFrame:
    """One column per checked field and what its checks compare it with; object columns
    keep Python values as they are."""
    actions = [row.action for row in rows]
    data: dict[str, list[Any]] = {
        "part": [a.part for a in actions],
        "ref": [a.ref for a in actions],
        "ref_key": [f"{a.part}|{a.ref}" for a in actions],
        "kloe": [a.kloe for a in actions],
        "kloe_ref": [row.kloe_ref for row in rows],
        "finding": [a.finding for a in actions],
        "action": [a.action for a in actions],
        "lead": [a.lead for a in actions],
        "rag": [a.rag for a in actions],
        "success_measure": [a.success_measure for a in actions],
        "progress": [a.progress for a in actions],
        "progress_lower": [a.progress.lower() for a in actions],
        "due": [a.timescale for a in actions],
        "has_measure_column": ["success_measure" in row.record.columns for row in rows],
        "has_due_column": [not _DUE_COLUMNS.isdisjoint(row.record.columns) for row in rows],
        "last_updated": [a.last_updated for a in actions],
        "lead_parts": [a.leads for a in actions],
    }
    for fld in DATE_FIELDS:
        data[f"{fld}_problem"] = [row.date_problems.get(fld) for row in rows]
    return pd.DataFrame(data, dtype=object)


def _check(rule: str, fn: Callable[[pd.Series], pd.Series], *, nullable: bool = False) -> pa.Check:
    # pandera takes a column's empty (null) cells out before a check if asked to, which
    # costs a scan of the column per check: only the nullable columns have any.
    return pa.Check(fn, name=rule, error=rule, ignore_na=nullable)


def build_schema(tracker: Tracker, frame: pd.DataFrame, as_at: date) -> pa.DataFrameSchema:
    """The pandera schema for this tracker: its legend, its leads register, its KLOEs."""
    legend_codes = set(tracker.legend.codes)
    kloe_codes = {k.code for k in tracker.kloes}
    known = {lead.initials.lower() for lead in tracker.leads} | {
        lead.role.lower() for lead in tracker.leads if lead.role
    }
    part_a = frame["part"] == "A"
    part_b = frame["part"] == "B"
    uses_kloe_refs = any(
        part == "A" and _ANY_KLOE_REF.match(ref)
        for part, ref in zip(frame["part"], frame["ref"], strict=True)
    )
    months = tracker.settings.review_period_months
    stale_before = _months_before(as_at, months)
    # Each person named in a lead cell (frame column lead_parts), lower-cased, indexed by
    # the row that names them: a row may name several, or none.
    people = frame["lead_parts"].explode().dropna().str.lower()

    def filled(series: pd.Series) -> pd.Series:
        # Every text column holds str (cell_text), and a str is true when not empty;
        # testing truth is several times cheaper than comparing with "".
        return series.astype(bool)

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
        "ref": pa.Column(
            checks=[
                _check("required", filled),
                _check(
                    "ref-format",
                    # A ref follows the W1a pattern exactly when a KLOE was read from it.
                    lambda s: ~(part_a & filled(s) & uses_kloe_refs) | filled(frame["kloe_ref"]),
                ),
            ]
        ),
        "ref_key": pa.Column(
            checks=_check(
                "ref-duplicate",
                lambda s: ~s.duplicated(keep=False) | ~filled(frame["ref"]),
            )
        ),
        "kloe": pa.Column(
            checks=[
                _check("kloe-missing", lambda s: ~part_a | filled(s)),
                _check("kloe-unknown", lambda s: ~part_a | ~filled(s) | s.isin(kloe_codes)),
                _check(
                    "kloe-mismatch",
                    lambda s: ~part_a | ~filled(frame["kloe_ref"]) | (s == frame["kloe_ref"]),
                ),
            ]
        ),
        "finding": pa.Column(checks=_check("required", required_where(part_b))),
        "action": pa.Column(checks=_check("required", filled)),
        "lead": pa.Column(
            checks=[
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
                _check("lead-multiple", lambda s: frame["lead_parts"].map(len) <= 1),
            ]
        ),
        "rag": pa.Column(
            checks=[
                _check("required", filled),
                _check("rag-unknown", lambda s: ~filled(s) | s.isin(legend_codes)),
            ]
        ),
        "success_measure": pa.Column(
            checks=_check("measure-missing", required_where(part_a & frame["has_measure_column"])),
            required=False,
        ),
        "progress": pa.Column(
            checks=[
                _check("progress-missing", filled),
                _check(
                    "progress-placeholder",
                    lambda s: (
                        ~filled(s)
                        | ~(frame["progress_lower"].isin(PLACEHOLDERS) | _says_awaited(frame))
                    ),
                ),
                _check("progress-cross-reference", lambda s: ~s.map(_only_points_elsewhere)),
            ]
        ),
        "due": pa.Column(
            checks=[
                _check(
                    "required",
                    lambda s: (
                        ~(part_a & frame["has_due_column"])
                        | s.map(lambda t: bool(t.dates))
                        | _any_date_problem(frame)
                    ),
                ),
                _check("date-order", lambda s: s.map(lambda t: list(t.dates) == sorted(t.dates))),
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


def _only_points_elsewhere(text: str) -> bool:
    """Short progress that only refers to another item: "As per item 2 above."."""
    return len(text) < 80 and _CROSS_REF.search(text) is not None


def _says_awaited(frame: pd.DataFrame) -> pd.Series:
    """Progress that says its update is awaited ("Update awaited from RG")."""
    # Every phrase _AWAITED finds contains "update" (in any case), so the case-blind
    # regex, slow over long texts, only runs on the few texts that have the word.
    return pd.Series(
        [
            "update" in lower and _AWAITED.search(text) is not None
            for text, lower in zip(frame["progress"], frame["progress_lower"], strict=True)
        ],
        index=frame.index,
        dtype=bool,
    )


def _any_date_problem(frame: pd.DataFrame) -> pd.Series:
    """Rows whose date cells already failed to parse (reported once, not twice)."""
    return frame[[f"{fld}_problem" for fld in DATE_FIELDS]].notna().any(axis=1)


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

    def __init__(self, rows: list[_Row]) -> None:
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


def _describe(rule: str, fld: str, row: _Row, tracker: Tracker, refs: _RefIndex) -> tuple:
    """(value, message, suggestion) for one failure, in words a lead understands."""
    record = row.record
    action = row.action
    lead_text = action.lead
    chase = lead_text if lead_text and lead_text.lower() not in NOT_A_PERSON else "the lead"
    ref = action.ref
    who = (ref if record.part == "A" else f"Item {ref}") if ref else f"Row {record.row}"
    value: Any = cell_text(record.values.get(fld, ""))
    label = LABELS.get(fld, fld.replace("_", " "))
    cell = record.cell(fld)
    codes = ", ".join(tracker.legend.codes)
    leads = action.leads
    if rule == "required":
        if fld in DATE_FIELDS:
            label = "the due date"
        return value, f"{who}: {label} is empty.", f"Fill in {label} in {cell}." if cell else ""
    if rule == "ref-format":
        return (
            value,
            f"{who}: ref {value!r} does not follow the W1a, W1b … pattern.",
            (f"Use the KLOE and a letter, e.g. {action.kloe or 'W1'}a."),
        )
    if rule == "ref-duplicate":
        others = [str(r.row) for r in refs.records(record.part, value) if r is not record]
        return (
            value,
            f"Ref {value} is used again in row {', '.join(others)}.",
            ("Give each action its own ref."),
        )
    if rule == "kloe-unknown":
        known = ", ".join(k.code for k in tracker.kloes)
        return action.kloe, f"{who}: KLOE {action.kloe!r} is not on the KLOE sheet ({known}).", ""
    if rule == "kloe-missing":
        return (
            value,
            f"{who}: no KLOE, so the paper cannot place it under a KLOE band.",
            ("Pick the KLOE (W1–W8) this action answers."),
        )
    if rule == "kloe-mismatch":
        return (
            action.kloe,
            (f"{who}: the ref says {row.kloe_ref} but the row is filed under {action.kloe}."),
            f"Check whether the ref or the KLOE is wrong (it sits under {action.kloe}).",
        )
    if rule == "rag-unknown":
        suggestion = suggest_rag(value, tracker.legend)
        return (
            value,
            f"{who}: RAG {value!r} is not on this tracker's legend ({codes}).",
            (
                f"Did you mean {suggestion!r}?"
                if suggestion
                else f"Choose one of {codes}, or add {value!r} to the Legend sheet if the board "
                "uses it."
            ),
        )
    if rule == "lead-not-person":
        return (
            value,
            f"{who}: lead {value!r} is not a person who can be held to account.",
            ("Name the one executive accountable for this action."),
        )
    if rule == "lead-unknown":
        known = [lead.initials for lead in tracker.leads]
        missing = [
            p
            for p in leads
            if p.lower() not in {k.lower() for k in known}
            and p.lower() not in NOT_A_PERSON
            and p.lower() not in {lead.role.lower() for lead in tracker.leads if lead.role}
        ]
        close = [m for p in missing for m in difflib.get_close_matches(p, known, n=1)]
        names = ", ".join(repr(p) for p in missing)
        return (
            value,
            f"{who}: lead {names} is not in the Leads register.",
            (
                f"Did you mean {', '.join(repr(c) for c in close)}?"
                if close
                else "Add the lead to the Leads sheet, or correct the initials."
            ),
        )
    if rule == "lead-multiple":
        return (
            value,
            f"{who}: {len(leads)} leads named ({', '.join(leads)}).",
            ("Name one accountable lead; others can be mentioned in the progress update."),
        )
    if rule == "date-unreadable":
        return (
            value,
            f"{who}: {row.date_problems.get(fld)}",
            ("Type a date such as 31/03/2020 or a month such as March 2020."),
        )
    if rule == "date-not-a-date":
        return (
            value,
            (
                f"{who}: {label} says {value!r}, which is not a date, so the action cannot show "
                "as overdue."
            ),
            "Give the date by which it will be done, e.g. March 2020.",
        )
    if rule == "date-order":
        dates = " → ".join(d.strftime("%d %b %Y") for d in action.timescale.dates)
        return (
            action.timescale.text,
            f"{who}: a revised date is earlier than the date it revised ({dates}).",
            ("Check the original and revised dates."),
        )
    if rule == "measure-missing":
        return value, f"{who}: no success measure.", "Say how the board will know it worked."
    if rule == "progress-missing":
        return value, f"{who}: no progress update.", (f"Ask {chase} for this period's update.")
    if rule == "progress-placeholder":
        words = _AWAITED.search(value)
        shown = words.group(0) if words else value
        return (
            value,
            f"{who}: progress says {shown!r}: this period's update has not come in.",
            (f"Ask {chase} for this period's update."),
        )
    if rule == "progress-cross-reference":
        target = _CROSS_REF.search(value).group(1)
        missing = not refs.records(record.part, target) and not refs.records(
            record.part, target.rstrip(".")
        )
        return (
            value,
            (
                f"{who}: progress only points to item {target}, which does not exist."
                if missing
                else f"{who}: progress only points to item {target}; the board sees no update "
                "for this action itself."
            ),
            f"Give this action its own update, or confirm item {target}'s update covers it.",
        )
    if rule == "progress-stale":
        updated = action.last_updated
        return (
            updated.isoformat(),
            (
                f"{who}: last updated {updated:%d %b %Y}, before this review period "
                f"({tracker.settings.review_period_months} months)."
            ),
            "Ask the lead to confirm or refresh the update.",
        )
    return value, f"{who}: {RULES[rule].checks}", ""


def _findings(
    tracker: Tracker, rows: list[_Row], frame: pd.DataFrame, schema: pa.DataFrameSchema
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
    cases = cases[cases["index"].notna()]
    for column, rule, index in zip(cases["column"], cases["check"], cases["index"], strict=True):
        if rule not in RULES:
            continue
        row = rows[int(index)]
        fld = _cell_field(str(column), rule, row.record)
        if not row.record.cell(fld):
            continue  # the sheet has no such column: said once by missing-column, if required
        if fld in row.record.errors:
            continue  # the cell shows an Excel error: said once by cell-error
        key = (id(row), rule, fld)
        if key in seen:
            continue
        seen.add(key)
        value, message, suggestion = _describe(rule, fld, row, tracker, refs)
        findings.append(
            Finding(
                sheet=row.record.sheet,
                cell=row.record.cell(fld),
                row=row.record.row,
                ref=row.action.ref,
                field=fld,
                value=value,
                rule=rule,
                severity=RULES[rule].severity,
                message=message,
                suggestion=suggestion,
            )
        )
    return findings


def _missing_columns(tracker: Tracker) -> list[Finding]:
    """A tracker sheet that lacks a required column gets one finding, not one per row."""
    needed = {
        "A": ("ref", "action", "lead", "rag"),
        "B": ("ref", "finding", "action", "lead", "rag"),
    }
    findings = []
    seen: set[tuple[str, str]] = set()
    shapes: set[tuple[str, str, int]] = set()
    for record in tracker.records:
        # The records of one sheet share one columns dict: look at each sheet's once.
        shape = (record.sheet, record.part, id(record.columns))
        if shape in shapes:
            continue
        shapes.add(shape)
        for fld in needed[record.part]:
            if fld in record.columns or (record.sheet, fld) in seen:
                continue
            seen.add((record.sheet, fld))
            findings.append(
                Finding(
                    record.sheet,
                    "",
                    None,
                    "",
                    fld,
                    "",
                    "missing-column",
                    "error",
                    f"Sheet {record.sheet!r} has no {LABELS[fld].removeprefix('the ')} column.",
                    f"Add a column headed {fld.replace('_', ' ').title()!r}.",
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
            label = LABELS.get(fld, fld.replace("_", " "))
            findings.append(
                Finding(
                    record.sheet, record.cell(fld), record.row, ref, fld, error, "cell-error",
                    "error",
                    f"{ref or f'Row {record.row}'}: {label} shows {error}, an Excel error, "
                    "not a value.",
                    "Fix the formula or link behind the cell, or type the value in.",
                )
            )  # fmt: skip
    return findings


def validate(tracker: Tracker, as_at: date) -> Report:
    """Validate every row of a tracker as at a date; return the findings and the actions."""
    rows = _prepare(tracker, as_at)
    findings = list(tracker.findings) + _missing_columns(tracker) + _cell_errors(tracker)
    missing = {(f.sheet, f.field) for f in findings if f.rule == "missing-column"}
    if rows:
        frame = _frame(rows)
        schema = build_schema(tracker, frame, as_at)
        row_findings = [
            f
            for f in _findings(tracker, rows, frame, schema)
            if not (f.rule == "required" and (f.sheet, f.field) in missing)
        ]
        findings.extend(row_findings)
    error_rows = {(f.sheet, f.row) for f in findings if f.severity == "error"}
    for row in rows:
        if (row.record.sheet, row.record.row) in error_rows:
            row.action.has_errors = True
    actions = [row.action for row in rows]
    return Report(
        tracker=tracker, as_at=as_at, actions=actions, findings=_ordered(tracker, findings)
    )


def _ordered(tracker: Tracker, findings: list[Finding]) -> list[Finding]:
    """Workbook-wide findings first, then by sheet order, row and column."""
    sheets: dict[str, int] = {}  # each sheet's first record
    for index, record in enumerate(tracker.records):
        sheets.setdefault(record.sheet, index)

    def key(f: Finding) -> tuple:
        column = re.match(r"[A-Z]+", f.cell)
        col = column.group(0) if column else ""
        return (f.row is not None, sheets.get(f.sheet, -1), f.row or 0, len(col), col, f.rule)

    return sorted(findings, key=key)
