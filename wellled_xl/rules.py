"""The validation rules: stable codes, severities, and the plain-English help for each."""

from __future__ import annotations

from dataclasses import dataclass

from wellled_xl.model import Severity


@dataclass(frozen=True)
class Rule:
    """A documented rule: its stable code, how serious it is and what it checks."""

    code: str
    severity: Severity
    checks: str


_RULES = (
    Rule(
        "required",
        "error",
        "A required field is empty: ref, planned action, lead, RAG "
        "(and the due date in Part A; the CQC finding in Part B).",
    ),
    Rule(
        "ref-format",
        "warning",
        "A Part A ref does not follow the KLOE pattern (W1a, W2b …) "
        "that the rest of the sheet uses.",
    ),
    Rule("ref-duplicate", "error", "Two rows of the same part share a ref."),
    Rule("kloe-unknown", "error", "The KLOE is not on the KLOE sheet (W1–W8)."),
    Rule(
        "kloe-mismatch",
        "warning",
        "The ref's KLOE (W3 in W3a) differs from the KLOE column or the band the row sits under.",
    ),
    Rule(
        "kloe-missing",
        "warning",
        "A Part A row has no KLOE, so the paper cannot place it under a KLOE band.",
    ),
    Rule(
        "rag-unknown",
        "error",
        "The RAG status is not on the workbook's legend; a close "
        "match is suggested (AG → A/G), never applied.",
    ),
    Rule("lead-not-person", "error", "The lead is not an accountable person (Varied, All, TBC …)."),
    Rule("lead-unknown", "error", "A lead's initials are not in the Leads register."),
    Rule(
        "lead-multiple",
        "warning",
        "Several leads share one action: the board expects one accountable lead.",
    ),
    Rule("date-unreadable", "error", "A date cell holds text that cannot be read as a date."),
    Rule(
        "date-not-a-date",
        "warning",
        "A date cell holds a status word (Ongoing, TBC …): the "
        "action has no due date and can never show as overdue.",
    ),
    Rule("date-order", "error", "A revised date is earlier than the date it revised."),
    Rule("measure-missing", "warning", "A Part A action has no success measure."),
    Rule("progress-missing", "warning", "No progress update."),
    Rule(
        "progress-placeholder",
        "warning",
        "The progress update is a placeholder "
        "(UPDATE AWAITED, TBC, -) or says an update is awaited.",
    ),
    Rule(
        "progress-cross-reference",
        "warning",
        "The progress update only points at another "
        'item ("As per item 2 above"); named when that item does not exist.',
    ),
    Rule("progress-stale", "warning", "Last updated before the start of the review period."),
    Rule("cell-error", "error", "A cell shows an Excel error (#N/A, #REF! …) instead of a value."),
    Rule(
        "merged-cells",
        "warning",
        "Cells are merged across data rows: the value belongs to the first row only.",
    ),
    Rule(
        "hidden-sheet",
        "warning",
        "A hidden sheet looks like a tracker: its rows are not read into the paper.",
    ),
    Rule(
        "header-duplicate",
        "warning",
        "Two columns of a tracker sheet mean the same field; only the first is read.",
    ),
    Rule("missing-column", "error", "A tracker sheet has no column for a required field."),
    Rule("legend-colour", "warning", "A Legend colour is not a six-digit hex colour."),
    Rule(
        "no-legend",
        "warning",
        "The workbook has no Legend sheet: RAG is checked against the default scale.",
    ),
    Rule(
        "no-leads-register",
        "warning",
        "The workbook has no Leads register: leads are not checked against people.",
    ),
    Rule(
        "no-kloe-list",
        "warning",
        "The workbook has no KLOE sheet: the framework's questions are used.",
    ),
    Rule("no-settings", "warning", "The workbook has no Settings sheet: no as-at date or titles."),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
