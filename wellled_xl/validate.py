"""Check every tracker row with pandera and turn each failure into a finding a lead can act on."""

from __future__ import annotations

import difflib
import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
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
    """One record prepared for checking: texts, parsed dates and where each date came from."""

    record: Record
    texts: dict[str, str]
    dates: dict[str, Timescale | ValueError]
    timescale: Timescale
    kloe: str
    index: int  # position in the frame pandera checks
    leads: tuple[str, ...]  # the lead cell split into people: "DMc / AK" -> ("DMc", "AK")
    last_updated: date | None


def _parse_dates(record: Record, context_year: int | None) -> tuple[dict, Timescale]:
    """Parse each date cell, then chain them: original, earlier revisions, latest revision."""
    parsed: dict[str, Timescale | ValueError] = {}
    chain: list[date] = []
    for fld in DATE_FIELDS:
        value = record.values.get(fld, "")
        if value == "" or value is None:
            continue  # an empty date cell: nothing to parse, nothing to chain
        try:
            result = _parse_after(value, chain[-1] if chain else None, context_year)
        except (DateParseError, NotADateError) as exc:
            parsed[fld] = exc
            continue
        parsed[fld] = result
        chain.extend(result.dates)
    source = " ".join(cell_text(record.values.get(f)) for f in DATE_FIELDS if f in record.values)
    return parsed, Timescale(tuple(chain), source.strip())


def _parse_after(value: Any, previous: date | None, context_year: int | None) -> Timescale:
    """Parse a date cell that revises `previous`: a date typed without a year ("30 Sept")
    takes the year that puts it on or after the date it revises."""
    if isinstance(value, date):  # a real date cell, the usual case: nothing to read
        return Timescale((value.date() if isinstance(value, datetime) else value,))
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
    try:
        return parse_timescale(value).due_date
    except (DateParseError, NotADateError):
        return None


def _prepare(tracker: Tracker, as_at: date) -> list[_Row]:
    rows = []
    for index, record in enumerate(tracker.records):
        texts = {
            fld: cell_text(value)
            for fld, value in record.values.items()
            if fld not in DATE_FIELDS and fld != "last_updated"
        }
        dates, timescale = _parse_dates(record, as_at.year)
        ref = texts.get("ref", "")
        kloe = texts.get("kloe", "").upper()
        if not kloe and record.kloe_band:
            kloe = record.kloe_band
        match = _KLOE_REF.match(ref)
        if not kloe and match:
            kloe = f"W{match.group(1)}"
        leads = split_leads(texts.get("lead", ""))
        updated = _last_updated(record.values.get("last_updated"))
        rows.append(_Row(record, texts, dates, timescale, kloe, index, leads, updated))
    return rows


def _frame(rows: list[_Row], as_at: date) -> pd.DataFrame:
    """One column per checked field; object columns keep Python values as they are."""

    def col(fld: str) -> list[str]:
        return [row.texts.get(fld, "") for row in rows]

    data: dict[str, list[Any]] = {
        "part": [row.record.part for row in rows],
        "ref": col("ref"),
        "ref_key": [f"{row.record.part}|{row.texts.get('ref', '')}" for row in rows],
        "kloe": [row.kloe for row in rows],
        "kloe_ref": [
            (f"W{m.group(1)}" if (m := _KLOE_REF.match(row.texts.get("ref", ""))) else "")
            for row in rows
        ],
        "finding": col("finding"),
        "action": col("action"),
        "lead": col("lead"),
        "rag": col("rag"),
        "success_measure": col("success_measure"),
        "progress": col("progress"),
        "due": [row.timescale for row in rows],
        "has_measure_column": ["success_measure" in row.record.columns for row in rows],
        "has_due_column": [
            any(f in row.record.columns for f in DATE_FIELDS if f != "previous_revisions")
            for row in rows
        ],
        "last_updated": [row.last_updated for row in rows],
        "lead_parts": [row.leads for row in rows],
    }
    for fld in DATE_FIELDS:
        data[f"{fld}_parsed"] = [row.dates.get(fld) for row in rows]
    return pd.DataFrame(data, dtype=object)


def _check(rule: str, fn: Callable[[pd.Series], pd.Series]) -> pa.Check:
    return pa.Check(fn, name=rule, error=rule)


def build_schema(tracker: Tracker, frame: pd.DataFrame, as_at: date) -> pa.DataFrameSchema:
    """The pandera schema for this tracker: its legend, its leads register, its KLOEs."""
    legend_codes = set(tracker.legend.codes)
    kloe_codes = {k.code for k in tracker.kloes}
    known = {lead.initials.lower() for lead in tracker.leads} | {
        lead.role.lower() for lead in tracker.leads if lead.role
    }
    part_a = frame["part"] == "A"
    part_b = frame["part"] == "B"
    uses_kloe_refs = frame.loc[part_a, "ref"].str.match(_ANY_KLOE_REF).any()
    months = tracker.settings.review_period_months
    stale_before = _months_before(as_at, months)

    def filled(series: pd.Series) -> pd.Series:
        return series.str.len() > 0

    def required_where(mask: pd.Series) -> Callable[[pd.Series], pd.Series]:
        return lambda s: ~mask | filled(s)

    def leads_all(predicate: Callable[[str], bool]) -> Callable[[pd.Series], pd.Series]:
        # The lead cell, split once into people (frame column lead_parts), each checked.
        return lambda s: frame["lead_parts"].map(lambda parts: all(predicate(p) for p in parts))

    def date_ok(kind: type[ValueError]) -> Callable[[pd.Series], pd.Series]:
        return lambda s: ~s.map(lambda value: isinstance(value, kind))

    date_checks = [
        _check("date-unreadable", date_ok(DateParseError)),
        _check("date-not-a-date", date_ok(NotADateError)),
    ]
    columns = {
        "ref": pa.Column(
            checks=[
                _check("required", filled),
                _check(
                    "ref-format",
                    lambda s: ~(part_a & filled(s) & bool(uses_kloe_refs)) | s.str.match(_KLOE_REF),
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
                _check("lead-not-person", leads_all(lambda p: p.lower() not in NOT_A_PERSON)),
                _check(
                    "lead-unknown",
                    leads_all(
                        lambda p: (
                            not tracker.has_leads_register
                            or p.lower() in NOT_A_PERSON
                            or p.lower() in known
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
                        ~filled(s) | ~(s.str.lower().isin(PLACEHOLDERS) | s.str.contains(_AWAITED))
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
                "progress-stale",
                lambda s: s.map(lambda d: d is None or d >= stale_before),
            )
        ),
    }
    for fld in DATE_FIELDS:
        columns[f"{fld}_parsed"] = pa.Column(checks=date_checks, nullable=True)
    return pa.DataFrameSchema(columns, strict=False)


def _only_points_elsewhere(text: str) -> bool:
    """Short progress that only refers to another item: "As per item 2 above."."""
    return len(text) < 80 and _CROSS_REF.search(text) is not None


def _any_date_problem(frame: pd.DataFrame) -> pd.Series:
    """Rows whose date cells already failed to parse (reported once, not twice)."""
    problem = pd.Series(False, index=frame.index)
    for fld in DATE_FIELDS:
        problem |= frame[f"{fld}_parsed"].map(lambda v: isinstance(v, ValueError))
    return problem


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
    if column.endswith("_parsed"):
        return column.removesuffix("_parsed")
    if column == "ref_key":
        return "ref"
    if column == "kloe":
        return "kloe" if "kloe" in record.columns else "ref"
    if column == "due":
        order = ("revised_due", "timescale") if rule == "date-order" else DATE_FIELDS
        return next((f for f in order if f in record.columns), "original_due")
    return column


def _describe(rule: str, fld: str, row: _Row, tracker: Tracker, frame: pd.DataFrame) -> tuple:
    """(value, message, suggestion) for one failure, in words a lead understands."""
    record = row.record
    lead_text = row.texts.get("lead", "")
    chase = lead_text if lead_text and lead_text.lower() not in NOT_A_PERSON else "the lead"
    ref = row.texts.get("ref", "")
    who = (ref if record.part == "A" else f"Item {ref}") if ref else f"Row {record.row}"
    value: Any = cell_text(record.values.get(fld, ""))
    label = LABELS.get(fld, fld.replace("_", " "))
    cell = record.cell(fld)
    codes = ", ".join(tracker.legend.codes)
    leads = row.leads
    if rule == "required":
        if fld in DATE_FIELDS:
            label = "the due date"
        return value, f"{who}: {label} is empty.", f"Fill in {label} in {cell}." if cell else ""
    if rule == "ref-format":
        return (
            value,
            f"{who}: ref {value!r} does not follow the W1a, W1b … pattern.",
            (f"Use the KLOE and a letter, e.g. {row.kloe or 'W1'}a."),
        )
    if rule == "ref-duplicate":
        others = [
            str(r.row)
            for r in tracker.records
            if r.part == record.part and cell_text(r.values.get("ref")) == value and r is not record
        ]
        return (
            value,
            f"Ref {value} is used again in row {', '.join(others)}.",
            ("Give each action its own ref."),
        )
    if rule == "kloe-unknown":
        known = ", ".join(k.code for k in tracker.kloes)
        return row.kloe, f"{who}: KLOE {row.kloe!r} is not on the KLOE sheet ({known}).", ""
    if rule == "kloe-missing":
        return (
            value,
            f"{who}: no KLOE, so the paper cannot place it under a KLOE band.",
            ("Pick the KLOE (W1–W8) this action answers."),
        )
    if rule == "kloe-mismatch":
        expected = frame.at[row.index, "kloe_ref"]
        return (
            row.kloe,
            (f"{who}: the ref says {expected} but the row is filed under {row.kloe}."),
            f"Check whether the ref or the KLOE is wrong (it sits under {row.kloe}).",
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
            f"{who}: {row.dates.get(fld)}",
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
        dates = " → ".join(d.strftime("%d %b %Y") for d in row.timescale.dates)
        return (
            row.timescale.text,
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
        refs = {cell_text(r.values.get("ref")) for r in tracker.records if r.part == record.part}
        missing = target not in refs and target.rstrip(".") not in refs
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
        updated = frame.at[row.index, "last_updated"]
        return (
            updated.isoformat(),
            (
                f"{who}: last updated {updated:%d %b %Y}, before this review period "
                f"({tracker.settings.review_period_months} months)."
            ),
            "Ask the lead to confirm or refresh the update.",
        )
    return value, f"{who}: {RULES[rule].checks}", ""


def _findings(tracker: Tracker, rows: list[_Row], frame: pd.DataFrame, schema) -> list[Finding]:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    findings = []
    seen: set[tuple] = set()
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
        value, message, suggestion = _describe(rule, fld, row, tracker, frame)
        findings.append(
            Finding(
                sheet=row.record.sheet,
                cell=row.record.cell(fld),
                row=row.record.row,
                ref=row.texts.get("ref", ""),
                field=fld,
                value=value,
                rule=rule,
                severity=RULES[rule].severity,
                message=message,
                suggestion=suggestion,
            )
        )
    return findings


def _actions(tracker: Tracker, rows: list[_Row], as_at: date, bad: set[int]) -> list[Action]:
    actions = []
    for row in rows:
        t = row.texts
        complete = tracker.legend.is_complete(t.get("rag", ""))
        due = row.timescale.due_date
        # Overdue: not complete in the legend and due before the as-at date.
        days = (as_at - due).days if (due and not complete and due < as_at) else 0
        actions.append(
            Action(
                part=row.record.part,
                sheet=row.record.sheet,
                row=row.record.row,
                ref=t.get("ref", ""),
                kloe=row.kloe,
                finding=t.get("finding", ""),
                action=t.get("action", ""),
                timescale=row.timescale,
                lead=t.get("lead", ""),
                leads=row.leads,
                success_measure=t.get("success_measure", ""),
                progress=t.get("progress", ""),
                rag=t.get("rag", ""),
                last_updated=row.last_updated,
                complete=complete,
                days_overdue=days,
                has_errors=id(row.record) in bad,
            )
        )
    return actions


def _missing_columns(tracker: Tracker) -> list[Finding]:
    """A tracker sheet that lacks a required column gets one finding, not one per row."""
    needed = {
        "A": ("ref", "action", "lead", "rag"),
        "B": ("ref", "finding", "action", "lead", "rag"),
    }
    findings = []
    seen: set[tuple[str, str]] = set()
    for record in tracker.records:
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
        frame = _frame(rows, as_at)
        schema = build_schema(tracker, frame, as_at)
        row_findings = [
            f
            for f in _findings(tracker, rows, frame, schema)
            if not (f.rule == "required" and (f.sheet, f.field) in missing)
        ]
        findings.extend(row_findings)
    error_rows = {(f.sheet, f.row) for f in findings if f.severity == "error"}
    bad = {id(row.record) for row in rows if (row.record.sheet, row.record.row) in error_rows}
    actions = _actions(tracker, rows, as_at, bad)
    return Report(
        tracker=tracker, as_at=as_at, actions=actions, findings=_ordered(tracker, findings)
    )


def _ordered(tracker: Tracker, findings: list[Finding]) -> list[Finding]:
    """Workbook-wide findings first, then by sheet order, row and column."""
    sheets = {r.sheet: i for i, r in reversed(list(enumerate(tracker.records)))}

    def key(f: Finding) -> tuple:
        column = re.match(r"[A-Z]+", f.cell)
        col = column.group(0) if column else ""
        return (f.row is not None, sheets.get(f.sheet, -1), f.row or 0, len(col), col, f.rule)

    return sorted(findings, key=key)
