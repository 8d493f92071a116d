"""What each lead owes for a position: their rows' findings, overdue and due-soon actions, slips."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import PurePath

from wellled_xl.model import Action, Finding, Lead, Record
from wellled_xl.report import Report
from wellled_xl.rules import RULES

DEFAULT_DUE_WITHIN = 30  # days: actions due this soon are flagged to their lead
# The findings that mean "send this period's update". A history feature that finds an
# update copied word for word from the last paper adds its rule (progress-unchanged) here.
UPDATE_RULES = frozenset(
    {
        "progress-missing",
        "progress-placeholder",
        "progress-stale",
        "progress-cross-reference",
        "progress-unchanged",
    }
)
# Leads that are no person (Varied, TBC …): the officer fixes those rows, nobody is chased.
_NOT_A_PERSON = frozenset({"varied", "various", "all", "tbc", "tba", "n/a", "na", "none", "?", "-"})
# Kinds of item, in the order a lead reads them.
KINDS = ("error", "update", "overdue", "due soon", "slipped", "warning")
# Line breaks and other control characters, which would start a new header in an email.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_SEPARATORS = re.compile(r"[,;\s]+")
# One plain address: a local part and a dotted domain, ASCII (an SMTP relay needs no more).
_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
)


@dataclass(frozen=True)
class Item:
    """One thing a lead owes: on which action, what is needed, and the cell to fix."""

    kind: str  # one of KINDS
    sheet: str
    row: int | None
    ref: str
    action: str
    due_date: date | None
    needed: str
    cell: str = ""


@dataclass
class LeadChase:
    """One lead's chase: who, where to write, and what they owe."""

    initials: str
    lead: Lead | None  # their Leads register entry, if any
    items: list[Item] = field(default_factory=list)
    address: str = ""  # the checked address to write to; "" when there is none usable
    findings: list[Finding] = field(default_factory=list)  # why there is no address

    @property
    def name(self) -> str:
        return self.lead.name if self.lead and self.lead.name else self.initials

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in KINDS}

    @property
    def actions(self) -> int:
        """How many of their actions need something."""
        return len({(item.sheet, item.row) for item in self.items})


@dataclass
class Chase:
    """Everyone to chase for one tracker and position (leads owing nothing are left out)."""

    tracker: str  # the tracker's path (or the open workbook's name)
    as_at: date
    due_within: int
    leads: list[LeadChase]
    title: str = "Well-led action tracker"

    @property
    def tracker_name(self) -> str:
        return PurePath(self.tracker).name

    @property
    def findings(self) -> list[Finding]:
        return [f for lead in self.leads for f in lead.findings]

    @property
    def addressed(self) -> list[LeadChase]:
        return [lead for lead in self.leads if lead.address]


def chase_leads(report: Report, due_within: int = DEFAULT_DUE_WITHIN) -> Chase:
    """Per lead (each lead of a multi-lead action too), what they owe as at the report's
    date: their rows' findings (errors first, with the cell), updates needed, overdue
    actions, actions due within `due_within` days and slipped dates. A complete action is
    not chased for its date; its findings still are."""
    register = {lead.initials.casefold(): lead for lead in report.tracker.leads}
    by_row: dict[tuple[str, int], list[Finding]] = {}
    for finding in report.findings:
        if finding.row is not None:
            by_row.setdefault((finding.sheet, finding.row), []).append(finding)
    records = {(r.sheet, r.row): r for r in report.tracker.records}
    leads: dict[str, LeadChase] = {}
    for action in report.actions:
        found = by_row.get((action.sheet, action.row), [])
        record = records.get((action.sheet, action.row))
        items = list(_items(action, found, report.as_at, due_within, record))
        if not items:
            continue
        for initials in dict.fromkeys(action.leads):
            if initials.casefold() in _NOT_A_PERSON:
                continue
            key = initials.casefold()
            if key not in leads:
                leads[key] = LeadChase(
                    register.get(key, Lead(initials)).initials, register.get(key)
                )
            leads[key].items.extend(items)
    for lead in leads.values():
        lead.items.sort(key=lambda item: KINDS.index(item.kind))
        lead.address, lead.findings = check_address(lead)
    return Chase(
        report.tracker.path,
        report.as_at,
        due_within,
        list(leads.values()),
        report.tracker.settings.title or "Well-led action tracker",
    )


def _items(
    action: Action,
    findings: Iterable[Finding],
    as_at: date,
    due_within: int,
    record: Record | None,
) -> Iterable[Item]:
    # The cells a date item points at: the revised date to record, the update to write.
    date_cell = record.cell("revised_due") or record.cell("timescale") if record else ""
    update_cell = record.cell("progress") if record else ""

    def item(kind: str, needed: str, cell: str = "") -> Item:
        return Item(
            kind, action.sheet, action.row, action.ref, action.action, action.due_date, needed, cell
        )

    for finding in findings:
        kind = (
            "error"
            if finding.severity == "error"
            else "update"
            if finding.rule in UPDATE_RULES
            else "warning"
        )
        needed = _without_ref(finding)
        if finding.suggestion:
            needed += f" {finding.suggestion}"
        yield item(kind, needed, finding.cell)
    due = action.due_date
    if action.complete or due is None:
        return  # a complete action owes no date; one without a date is a finding already
    if action.is_overdue:
        days = "1 day" if action.days_overdue == 1 else f"{action.days_overdue} days"
        yield item(
            "overdue",
            f"{days} overdue (due {due:%d %b %Y}): complete it, or agree a "
            "revised date and record it in Revised due.",
            date_cell,
        )
    elif as_at <= due <= as_at + timedelta(days=due_within):
        left = (due - as_at).days
        yield item(
            "due soon",
            f"Due in {left} day{'s' if left != 1 else ''} ({due:%d %b %Y}): "
            "confirm it will be delivered on time.",
            date_cell,
        )
    if action.slipped:
        revisions = action.revision_count
        times = "once" if revisions == 1 else f"{revisions} times"
        yield item(
            "slipped",
            f"The date has been revised {times}: the board will see it "
            "slipped; say in the progress update why, and that the new date holds.",
            update_cell,
        )


def _without_ref(finding: Finding) -> str:
    """A finding's message without its leading "W1b: ", which the table's Ref column says."""
    for prefix in (f"{finding.ref}: ", f"Item {finding.ref.rstrip('.')}: "):
        if finding.ref and finding.message.startswith(prefix):
            text = finding.message[len(prefix) :]
            return text[:1].upper() + text[1:]
    return finding.message


def check_address(lead: LeadChase) -> tuple[str, list[Finding]]:
    """The lead's address if it is one safe, valid address, else "" and the finding why.

    Workbook text goes into email headers here, so nothing is trusted: a line break (or any
    control character) in a name or address could add headers or recipients, several
    addresses would write to more than the lead; each is refused with a finding.
    """
    register = lead.lead
    count = len(lead.items)
    if register is None:
        return "", [
            RULES["lead-no-email"].finding(
                ref=lead.initials,
                field="email",
                variant="unregistered",
                initials=lead.initials,
                count=count,
            )
        ]
    where = dict(sheet=register.sheet, row=register.row, ref=register.initials)
    for label, value, cell in (
        ("name", register.name, register.name_cell),
        ("email", register.email, register.email_cell),
    ):
        if _CONTROL.search(value):
            return "", [
                RULES["lead-email-unsafe"].finding(
                    **where,
                    cell=cell,
                    field=label,
                    value=value,
                    initials=register.initials,
                    label=label,
                )
            ]
    email = register.email
    if not email:
        shown = f" ({register.sheet}!{register.email_cell})" if register.email_cell else ""
        return "", [
            RULES["lead-no-email"].finding(
                **where,
                cell=register.email_cell,
                field="email",
                initials=register.initials,
                count=count,
                where=shown,
            )
        ]
    if email.count("@") > 1 or len([p for p in _SEPARATORS.split(email) if "@" in p]) > 1:
        return "", [
            RULES["lead-email-unsafe"].finding(
                **where,
                cell=register.email_cell,
                field="email",
                value=email,
                variant="several",
                initials=register.initials,
                label="email",
            )
        ]
    if not _ADDRESS.fullmatch(email):
        reason = (
            "no @"
            if "@" not in email
            else "letters, digits and . _ - + only, and a domain such as nhs.net"
        )
        return "", [
            RULES["lead-email-invalid"].finding(
                **where,
                cell=register.email_cell,
                field="email",
                value=email,
                initials=register.initials,
                reason=reason,
            )
        ]
    return email, []
