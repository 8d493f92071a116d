"""The rules: each one's code, severity, what it checks, and the words of its findings.

A rule is one object, as frictionless-py's error classes are: the README's rule table is
`markdown_table()` (a test compares them), and every finding in the package is made by
`Rule.finding`, which takes its severity from the rule and its message and suggestion
from the rule's templates. The code that decides *whether* a rule fires lives with the
check (pandera's schema in validate.py, the reader in read.py); the code that fills in a
template's words lives beside that check too. Templates are `str.format` strings: the
finding's own fields (``{sheet}``, ``{cell}``, ``{row}``, ``{ref}``, ``{field}``,
``{value}``) and the words the check passes are at hand. Where a rule says different
things in different cases, its message (or suggestion) is a mapping from a variant name
to a template, ``""`` being the usual case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wellled_xl.model import Finding, Severity

Template = str | Mapping[str, str]

# A finding's words stay readable whatever a cell holds: a message longer than this is
# worded again with each text it quotes cut to QUOTED characters (a ref of 45,000
# characters made a message of 90,000). The finding's value keeps the cell whole.
LONGEST_MESSAGE = 600
QUOTED = 80


@dataclass(frozen=True)
class Rule:
    """A documented rule: its stable code, how serious it is, what it checks (the README's
    words) and the templates of its findings' message and suggestion."""

    code: str
    severity: Severity
    checks: str
    message: Template
    suggestion: Template = ""

    def finding(
        self,
        *,
        sheet: str = "",
        cell: str = "",
        row: int | None = None,
        ref: str = "",
        field: str = "",
        value: Any = "",
        variant: str = "",
        **words: Any,
    ) -> Finding:
        """A finding of this rule, worded from its templates (`variant` picks among them)."""
        words.update(sheet=sheet, cell=cell, row=row, ref=ref, field=field, value=value)
        return self.worded(words, variant)

    def worded(self, context: dict[str, Any], variant: str = "") -> Finding:
        """A finding of this rule from the words of its templates: `context` holds the
        finding's own fields (sheet, cell, row, ref, field, value) and every other word
        its templates use. Validation words thousands of findings this way, without the
        keywords of `finding` to match on each."""
        message = _pick(self.message, variant).format_map(context)
        words = context
        if len(message) > LONGEST_MESSAGE:
            words = {key: _quoted(word) for key, word in context.items()}
            message = _pick(self.message, variant).format_map(words)
        # By position, in the order of Finding's fields (tests/test_validate.py pins it).
        return Finding(
            context["sheet"],  # sheet
            context["cell"],  # cell
            context["row"],  # row
            context["ref"],  # ref
            context["field"],  # field
            context["value"],  # value
            self.code,  # rule
            self.severity,  # severity
            message,  # message
            _pick(self.suggestion, variant).format_map(words),  # suggestion
        )


def _quoted(word: Any) -> Any:
    """A text as a long message quotes it: its first QUOTED characters, and "…"."""
    if isinstance(word, str) and len(word) > QUOTED:
        return f"{word[: QUOTED - 1]}…"
    return word


def _pick(template: Template, variant: str) -> str:
    if isinstance(template, str):
        return template
    return template.get(variant, template.get("", ""))


_ASK_FOR_UPDATE = "Ask {chase} for this period's update."

_RULES = (
    Rule(
        "required",
        "error",
        "A required field is empty: ref, planned action, lead, RAG "
        "(and the due date in Part A; the CQC finding in Part B).",
        "{who}: {label} is empty.",
        "Fill in {label} in {cell}.",
    ),
    Rule(
        "ref-format",
        "warning",
        "A Part A ref does not follow the KLOE pattern (W1a, W2b …) "
        "that the rest of the sheet uses.",
        "{who}: ref {value!r} does not follow the W1a, W1b … pattern.",
        "Use the KLOE and a letter, e.g. {kloe}a.",
    ),
    Rule(
        "ref-duplicate",
        "error",
        "Two rows of the same part share a ref.",
        "Ref {value} is used again in {others}.",
        "Give each action its own ref.",
    ),
    Rule(
        "kloe-unknown",
        "error",
        "The KLOE is not on the KLOE sheet (W1–W8).",
        "{who}: KLOE {value!r} is not on the KLOE sheet ({known}).",
    ),
    Rule(
        "kloe-mismatch",
        "warning",
        "The ref's KLOE (W3 in W3a) differs from the KLOE column or the band the row sits under.",
        "{who}: the ref says {kloe_ref} but the row is filed under {value}.",
        "Check whether the ref or the KLOE is wrong (it sits under {value}).",
    ),
    Rule(
        "kloe-missing",
        "warning",
        "A Part A row has no KLOE, so the paper cannot place it under a KLOE band.",
        "{who}: no KLOE, so the paper cannot place it under a KLOE band.",
        "Pick the KLOE (W1–W8) this action answers.",
    ),
    Rule(
        "rag-unknown",
        "error",
        "The RAG status is not on the workbook's legend; a close "
        "match is suggested (AG → A/G), never applied.",
        "{who}: RAG {value!r} is not on this tracker's legend ({codes}).",
        {
            "": "Choose one of {codes}, or add {value!r} to the Legend sheet if the board uses it.",
            "close": "Did you mean {match!r}?",
        },
    ),
    Rule(
        "lead-not-person",
        "error",
        "The lead is not an accountable person (Varied, All, TBC …).",
        "{who}: lead {value!r} is not a person who can be held to account.",
        "Name the one executive accountable for this action.",
    ),
    Rule(
        "lead-unknown",
        "error",
        "A lead's initials are not in the Leads register.",
        "{who}: lead {names} is not in the Leads register.",
        {
            "": "Add the lead to the Leads sheet, or correct the initials.",
            "close": "Did you mean {close}?",
        },
    ),
    Rule(
        "lead-multiple",
        "warning",
        "Several leads share one action: the board expects one accountable lead.",
        "{who}: {count} leads named ({names}).",
        "Name one accountable lead; others can be mentioned in the progress update.",
    ),
    Rule(
        "date-unreadable",
        "error",
        "A date cell holds text that cannot be read as a date.",
        "{who}: {problem}",
        "Type a date such as 31/03/2020 or a month such as March 2020.",
    ),
    Rule(
        "date-not-a-date",
        "warning",
        "A date cell holds a status word (Ongoing, TBC …): the "
        "action has no due date and can never show as overdue.",
        "{who}: {label} says {value!r}, which is not a date, so the action cannot show as overdue.",
        "Give the date by which it will be done, e.g. March 2020.",
    ),
    Rule(
        "date-order",
        "error",
        "A revised date is earlier than the date it revised.",
        "{who}: a revised date is earlier than the date it revised ({dates}).",
        "Check the original and revised dates.",
    ),
    Rule(
        "measure-missing",
        "warning",
        "A Part A action has no success measure.",
        "{who}: no success measure.",
        "Say how the board will know it worked.",
    ),
    Rule(
        "progress-missing",
        "warning",
        "No progress update.",
        "{who}: no progress update.",
        _ASK_FOR_UPDATE,
    ),
    Rule(
        "progress-placeholder",
        "warning",
        "The progress update is a placeholder "
        "(UPDATE AWAITED, TBC, -) or says an update is awaited.",
        "{who}: progress says {shown!r}: this period's update has not come in.",
        _ASK_FOR_UPDATE,
    ),
    Rule(
        "progress-cross-reference",
        "warning",
        "The progress update only points at another "
        'item ("As per item 2 above"); named when that item does not exist.',
        {
            "": "{who}: progress only points to item {target}; the board sees no update for "
            "this action itself.",
            "missing": "{who}: progress only points to item {target}, which does not exist.",
        },
        "Give this action its own update, or confirm item {target}'s update covers it.",
    ),
    Rule(
        "progress-stale",
        "warning",
        "Last updated before the start of the review period.",
        "{who}: last updated {updated:%d %b %Y}, before this review period ({months} months).",
        "Ask the lead to confirm or refresh the update.",
    ),
    Rule(
        "cell-error",
        "error",
        "A cell shows an Excel error (#N/A, #REF! …) instead of a value.",
        "{who}: {label} shows {value}, an Excel error, not a value.",
        "Fix the formula or link behind the cell, or type the value in.",
    ),
    Rule(
        "formula-no-value",
        "error",
        "A cell holds a formula saved without its value (the file was written by a program and "
        "never opened in Excel), so it reads as empty.",
        "{who}: {label} holds a formula saved without its value, so it reads as empty.",
        "Open the workbook in Excel (or LibreOffice) and save it: the formula's value is then "
        "saved with it.",
    ),
    Rule(
        "number-unreadable",
        "error",
        "A cell holds a number no date can be and the reader cannot take (far below zero, or "
        "not a number at all: a program wrote it, Excel shows ########), so it reads as empty.",
        "{who}: {label} holds {value}, a number that cannot be read as a date or a value, so "
        "it reads as empty.",
        "Type the date (or the value) the cell should hold.",
    ),
    Rule(
        "text-too-long",
        "warning",
        "A cell holds more text than an Excel cell can (32,767 characters): the board paper "
        "shows the first 32,767 and the rest is left out.",
        "{who}: {label} holds {length:,} characters, more than an Excel cell holds "
        "({limit:,}); the board paper shows the first {limit:,} and leaves out the rest.",
        "Shorten the text in {cell} (move the detail to a document the update links to).",
    ),
    Rule(
        "merged-cells",
        "warning",
        "Cells are merged across data rows: the value belongs to the first row only.",
        "Cells {cell} are merged across rows {row}–{last}: the value belongs to row {row} "
        "only, and the rows below it read as empty.",
        "Unmerge the cells and fill in each row.",
    ),
    Rule(
        "stray-text",
        "warning",
        "A cell on its own far below the last action: it is not an action, so not in the paper.",
        "{cell} holds {shown!r} on its own, {gap:,} blank rows below the rest of the sheet: "
        "it is not an action, so it is not in the paper.",
        "Delete it if it was typed by mistake, or move it up into the tracker's rows.",
    ),
    Rule(
        "hidden-sheet",
        "warning",
        "A hidden sheet looks like a tracker: its rows are not read into the paper.",
        "Sheet {sheet!r} is hidden but looks like a tracker: its rows were not read, so they "
        "are not in the paper.",
        "Unhide the sheet if its actions belong in the paper, or delete it.",
    ),
    Rule(
        "hidden-column",
        "warning",
        "A column of a tracker sheet that holds data is hidden in Excel: an extra column is "
        "left off the paper (its entries are still read); one read as a field the paper "
        "prints (lead, status, a date …) is printed all the same. One finding a sheet.",
        {
            "": "{listed} hidden in the tracker: left off the paper.",
            "printed": "{listed} hidden in the tracker but read as {fields}, which the paper "
            "shows: printed all the same.",
        },
        {
            "": "Unhide {them} to print {them} on the paper.",
            "printed": "Unhide {them}: the paper prints {them}, so the tracker should show "
            "{them} too.",
        },
    ),
    Rule(
        "hidden-rows",
        "warning",
        "Rows holding actions are hidden in Excel (hidden, or filtered out): they are read and "
        "on the paper like the others, since an action is never dropped. One finding a sheet.",
        "{rows} {hold} but {verb} hidden in the tracker (hidden, or filtered out): {they} "
        "read and on the paper like the others.",
        "Unhide {them} (or clear the filter) so the tracker shows every action the paper "
        "prints; mark an action the board has closed complete rather than hide it.",
    ),
    Rule(
        "header-duplicate",
        "warning",
        "Two columns of a tracker sheet mean the same field; only the first is read.",
        "Column {column} is another {label} column; only column {first} was read.",
        "Rename or remove the extra column.",
    ),
    Rule(
        "missing-column",
        "error",
        "A tracker sheet has no column for a required field.",
        "Sheet {sheet!r} has no {label} column.",
        "Add a column headed {header!r}.",
    ),
    Rule(
        "legend-colour",
        "warning",
        "A Legend colour is not a six-digit hex colour.",
        "Colour {value!r} for {ref} is not a hex colour such as 00B050; grey is used.",
        "Type six hex digits, e.g. 00B050 for green.",
    ),
    Rule(
        "legend-complete",
        "warning",
        "A Legend's Complete cell says neither yes nor no.",
        "Complete says {value!r} for {ref}, which is neither yes nor no: {ref} is read as "
        "not complete, so its actions count as overdue once due.",
        "Type Yes or No.",
    ),
    Rule(
        "no-legend",
        "warning",
        "The workbook writes no scale (no Legend sheet, key or legend rows) for its status "
        "codes: they are read against the standard NHS scale, and the paper says it was "
        "assumed.",
        "No Legend sheet (Code | Meaning | Colour | Complete), key or legend rows: the status "
        "codes were read against the standard NHS scale {codes}, which the paper marks as "
        "assumed.",
        "Add a Legend sheet (or a key) so the scale is your board's own.",
    ),
    Rule(
        "no-actions",
        "warning",
        "The tracker has no actions yet: there is nothing to check or to paper.",
        "The tracker has no actions yet ({sheets}): there is nothing to check or to paper.",
        "Leads fill in their rows first; fill in the Leads, Legend and Settings sheets before.",
    ),
    Rule(
        "leads-empty",
        "warning",
        "The Leads register lists no one: the Lead dropdown offers nothing and leads are not "
        "checked.",
        "The Leads register lists no one: the Lead dropdown offers nothing, and leads were not "
        "checked against people.",
        "Add each lead's initials (and name, role, email) to the Leads sheet.",
    ),
    Rule(
        "no-status",
        "warning",
        "A tracker sheet has no status column and no key: nothing can show as complete, so "
        "every action past its due date is overdue.",
        "Sheet {sheet!r} has no status (RAG) column and writes no scale: no action can show "
        "as complete, so each one past its due date counts as overdue.",
        "Add a status column (RAG, or the words the board uses) and a key.",
    ),
    Rule(
        "status-unclear",
        "warning",
        'Statuses are read from inside a text (a STATUS/ COMMENT column, "Status: …" in '
        "the action) and this row's text holds none.",
        "{who}: no status in {label} ({shown!r}); the statuses used here are {codes}.",
        "Start the text with the status, e.g. {example!r}.",
    ),
    Rule(
        "no-leads-register",
        "warning",
        "The workbook has no Leads register: leads are not checked against people.",
        "No Leads register (Initials | Name | Role | Email): leads were not checked against "
        "a list of people.",
        "Add a Leads sheet listing each lead's initials.",
    ),
    Rule(
        "no-kloe-list",
        "warning",
        "The workbook has no KLOE sheet: the framework's questions are used.",
        "No KLOE sheet (KLOE | Question): the well-led framework's W1–W8 questions were used.",
    ),
    Rule(
        "no-settings",
        "warning",
        "The workbook has no Settings sheet: no as-at date or titles.",
        "No Settings sheet (Setting | Value): no as-at date or paper titles in the workbook; "
        "the as-at date comes from --as-at or today.",
    ),
    Rule(
        "setting-unreadable",
        "error",
        "A Settings value the paper depends on (the as-at date, the review period) cannot be read.",
        "{setting!r} in {cell} holds {shown!r}, which cannot be read ({reason}), so {fallback}.",
        {
            "as_at": "Type the as-at date in {cell} as 30/09/2019 (day first) or 2019-09-30.",
            "review_period_months": "Type a whole number of months in {cell}, such as 3.",
        },
    ),
    # Chasing (wellled_xl/chase): found when leads are written to, not by validate.
    Rule(
        "lead-no-email",
        "warning",
        "A lead who owes something has no email address in the Leads register: no draft "
        "is written for them (chasing only).",
        {
            "": "{initials} owes {count} item(s) but has no email address in the Leads "
            "register, so no draft was written.",
            "unregistered": "{initials} owes {count} item(s) but is not in the Leads register, "
            "so there is no email address to write to.",
        },
        {
            "": "Add {initials}'s email address to the Leads register{where}.",
            "unregistered": "Add {initials} to the Leads register with an email address, or "
            "correct the lead's initials.",
        },
    ),
    Rule(
        "lead-email-invalid",
        "error",
        "A lead's email address in the Leads register is not a valid address: nothing is "
        "written or sent to it (chasing only).",
        "{initials}'s email address {value!r} is not a valid address ({reason}); no draft "
        "was written.",
        "Type one address such as jane.smith@nhs.net.",
    ),
    Rule(
        "lead-email-unsafe",
        "error",
        "A lead's name or email in the Leads register holds a line break or several "
        "addresses, which could add recipients or headers to an email: refused, never sent "
        "(chasing only).",
        {
            "": "{initials}'s {label} holds a line break or control character, which could "
            "add headers to an email: no draft was written.",
            "several": "{initials}'s email holds several addresses ({value!r}): chasing writes "
            "to one person, so no draft was written.",
        },
        {
            "": "Retype the {label} on one line.",
            "several": "Keep one address per lead in the Leads register.",
        },
    ),
)

# Movement since the last paper (history/movement.py): they fire only with a history file.
_HISTORY_RULES = (
    Rule(
        "progress-unchanged",
        "warning",
        "With a history file: the progress update is word for word the last paper's "
        "(whitespace aside), so no update came in this period.",
        "{ref}: the progress update is word for word the last paper's (as at {when}): an "
        "update copied from last period is not an update.",
        _ASK_FOR_UPDATE.replace("{chase}", "the lead"),
    ),
    Rule(
        "action-removed",
        "error",
        "With a history file: an action in the last paper is missing from the tracker and "
        "was never closed (actions must not disappear).",
        "{ref} ({rag} in the last paper, as at {when}) is no longer in sheet {sheet!r} and "
        "was never closed: actions must not disappear from the tracker.",
        "Put the row back and mark it complete if it is done, or minute the board's "
        "agreement to drop it.",
    ),
    Rule(
        "slipped-again",
        "warning",
        "With a history file: the due date moved later again since the last paper.",
        "{ref}: now due {value:%d %b %Y}, later than the {before:%d %b %Y} the last paper "
        "(as at {when}) gave; the date has been revised {revisions} time(s).",
        "Ask the lead why it slipped again and what the board can rely on now.",
    ),
    Rule(
        "history-unreadable",
        "warning",
        "The history file (--history) is damaged or not a wellled-xl history: the paper is "
        "built without movement and the file is left as it was.",
        "The history file {value} could not be used ({problem}): the paper shows no movement "
        "since the last paper, and the file was left as it was.",
        "Point --history at another file, or restore this one from a backup.",
    ),
)
_RULES = (*_RULES, *_HISTORY_RULES)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}

# What each rule is called on paper, for a board member rather than a spreadsheet: the
# Summary's findings table shows these words, the JSON and the README the codes.
TITLES: dict[str, str] = {
    "required": "Empty required cell",
    "ref-format": "Ref out of pattern",
    "ref-duplicate": "Ref used twice",
    "kloe-unknown": "KLOE not on the list",
    "kloe-mismatch": "Ref and KLOE disagree",
    "kloe-missing": "No KLOE",
    "rag-unknown": "Status not on the legend",
    "lead-not-person": "Lead is not a person",
    "lead-unknown": "Lead not in the register",
    "lead-multiple": "Several leads",
    "date-unreadable": "Date cannot be read",
    "date-not-a-date": "No due date (a status word)",
    "date-order": "Revised date before the original",
    "measure-missing": "No success measure",
    "progress-missing": "No progress update",
    "progress-placeholder": "Update awaited",
    "progress-cross-reference": "Update only points elsewhere",
    "progress-stale": "Update out of date",
    "cell-error": "Excel error in a cell",
    "formula-no-value": "Formula with no saved value",
    "number-unreadable": "Number no date can be",
    "text-too-long": "Text longer than a cell",
    "merged-cells": "Cells merged across rows",
    "stray-text": "Text below the tracker",
    "hidden-sheet": "Hidden tracker sheet",
    "hidden-column": "Hidden column",
    "hidden-rows": "Hidden rows with actions",
    "header-duplicate": "Column repeated",
    "missing-column": "Column missing",
    "legend-colour": "Legend colour unreadable",
    "legend-complete": "Legend's Complete unclear",
    "no-legend": "Scale assumed (no key)",
    "no-actions": "No actions yet",
    "leads-empty": "Leads register empty",
    "no-status": "No status recorded",
    "status-unclear": "No status in the comment",
    "no-leads-register": "No Leads register",
    "no-kloe-list": "No KLOE list",
    "no-settings": "No Settings sheet",
    "setting-unreadable": "Setting cannot be read",
    "lead-no-email": "Lead has no email address",
    "lead-email-invalid": "Lead's email address invalid",
    "lead-email-unsafe": "Lead's name or email unsafe to send",
    "progress-unchanged": "Update unchanged since the last paper",
    "action-removed": "Action gone without being closed",
    "slipped-again": "Due date moved again",
    "history-unreadable": "History file unreadable",
}


def title_of(code: str) -> str:
    """The words the paper uses for a rule ('Status not on the legend' for rag-unknown)."""
    return TITLES.get(code) or code.replace("-", " ").capitalize()


def markdown_table() -> str:
    """The README's rule table, one row per rule in this file's order."""
    lines = ["| rule | severity | what it checks |", "|---|---|---|"]
    lines += [f"| `{rule.code}` | {rule.severity} | {rule.checks} |" for rule in _RULES]
    return "\n".join(lines)
