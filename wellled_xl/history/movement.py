"""What moved between two positions of a tracker: pure code on plain data, no file, no SQLite."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from wellled_xl.model import Finding, Legend
from wellled_xl.rules import RULES

# The kinds of change, in the order the Summary lists them.
CHANGE_KINDS = ("new", "closed", "reopened", "removed", "rag", "due_date", "lead")
KIND_TITLES = {
    "new": "New actions",
    "closed": "Closed (now complete)",
    "reopened": "Reopened (no longer complete)",
    "removed": "Removed from the tracker",
    "rag": "RAG changed",
    "due_date": "Due date moved",
    "lead": "Lead changed",
}


class Entry(NamedTuple):  # a tuple, not a dataclass: a position holds 10,000s of them
    """One action as a position records it; the cells say where it sits now (for findings)."""

    part: str
    sheet: str
    ref: str
    group: str
    lead: str
    rag: str
    complete: bool
    due_date: date | None
    revision_count: int
    progress: str
    row: int | None = None
    progress_cell: str = ""
    due_cell: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """An action is the same action from paper to paper when its sheet, part and ref
        are: a sheet may hold a Part A table and a Part B table, each numbered from 1."""
        return (self.sheet, self.part, self.ref)


@dataclass(frozen=True)
class Position:
    """A tracker's actions as papered at one as-at date."""

    tracker: str  # its identity: the Settings' Tracker id, else its resolved path
    as_at: date
    entries: tuple[Entry, ...]
    recorded_at: str = ""
    label: str = ""  # the file it was read from, for people


@dataclass(frozen=True)
class Change:
    """One movement of one action since the last paper."""

    sheet: str
    part: str
    ref: str
    kind: str  # one of CHANGE_KINDS
    before: Any
    after: Any

    @property
    def key(self) -> tuple[str, str, str]:
        """The action's, as `Entry.key`."""
        return (self.sheet, self.part, self.ref)

    def to_dict(self) -> dict[str, Any]:
        iso = [v.isoformat() if isinstance(v, date) else v for v in (self.before, self.after)]
        return {"sheet": self.sheet, "part": self.part, "ref": self.ref, "kind": self.kind,
                "before": iso[0], "after": iso[1]}  # fmt: skip


@dataclass
class Movement:
    """The changes and findings between the previous position and this one, and what the
    paper shows beside each row (its previous RAG) and in the trend."""

    previous_as_at: date | None
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    previous_rag: dict[tuple[str, str, str], str] = field(default_factory=dict)  # key -> RAG then
    # (as-at, counts per status) for up to the last eight positions, this one last.
    trend: list[tuple[date, dict[str, int]]] = field(default_factory=list)
    current: list[Entry] = field(default_factory=list)  # this position, as compared


def _same_words(before: str, after: str) -> bool:
    """An update copied from last period: the same words, whitespace aside."""
    return before == after or before.split() == after.split()


def rag_rank(rag: str, legend: Legend) -> int | None:
    """Where a status stands, 0 the best: complete codes first, then the legend's order
    (a legend lists its statuses best first, as the seed's G, A/G, A/R); None off the legend."""
    entry = legend.get(rag)
    if entry is None:
        return None
    ordered = sorted(legend.entries, key=lambda e: not e.complete)
    return ordered.index(entry)


def direction(before: str, after: str, legend: Legend) -> int:
    """+1 when `after` is a better status than `before`, -1 worse, 0 same or not comparable."""
    was, now = rag_rank(before, legend), rag_rank(after, legend)
    if was is None or now is None or was == now:
        return 0
    return 1 if now < was else -1


def movement(previous: Position | None, current: Sequence[Entry]) -> Movement:
    """The changes since `previous` (None: the first paper, nothing moved) and the findings
    they raise: an update unchanged, an action removed unclosed, a date that slipped again."""
    if previous is None:
        return Movement(None, current=list(current))
    result = Movement(previous.as_at, current=list(current))
    before: dict[tuple[str, str, str], Entry] = {}
    for entry in previous.entries:
        if entry.ref:
            before.setdefault(entry.key, entry)
    seen: set[tuple[str, str, str]] = set()
    changes, findings = result.changes, result.findings
    when = f"{previous.as_at:%d %b %Y}"
    for now in current:
        key = now.key
        if not now.ref or key in seen:
            continue  # no ref (or a duplicate ref): it cannot be followed paper to paper
        seen.add(key)
        then = before.get(key)
        if then is None:
            changes.append(Change(*key, "new", None, now.rag))
            continue
        result.previous_rag[key] = then.rag
        if then.complete != now.complete:
            kind = "closed" if now.complete else "reopened"
            changes.append(Change(*key, kind, then.rag, now.rag))
        elif then.rag != now.rag:
            changes.append(Change(*key, "rag", then.rag, now.rag))
        if then.due_date != now.due_date:
            changes.append(Change(*key, "due_date", then.due_date, now.due_date))
            if then.due_date and now.due_date and now.due_date > then.due_date and not now.complete:
                findings.append(
                    RULES["slipped-again"].finding(
                        sheet=now.sheet, cell=now.due_cell, row=now.row, ref=now.ref,
                        field="due_date", value=now.due_date, before=then.due_date,
                        when=when, revisions=now.revision_count,
                    )
                )  # fmt: skip
        if then.lead != now.lead:
            changes.append(Change(*key, "lead", then.lead, now.lead))
        if (
            now.progress
            and not (now.complete and then.complete)
            and _same_words(then.progress, now.progress)
        ):
            findings.append(
                RULES["progress-unchanged"].finding(
                    sheet=now.sheet, cell=now.progress_cell, row=now.row, ref=now.ref,
                    field="progress", value=_cut(now.progress), when=when,
                )
            )  # fmt: skip
    for key, then in before.items():
        if key in seen:
            continue
        changes.append(Change(*key, "removed", then.rag, None))
        if not then.complete:
            findings.append(
                RULES["action-removed"].finding(
                    sheet=then.sheet, ref=then.ref, field="ref", value=then.ref,
                    rag=then.rag, when=when,
                )
            )  # fmt: skip
    order = {kind: i for i, kind in enumerate(CHANGE_KINDS)}
    changes.sort(key=lambda c: order[c.kind])  # stable: tracker order within a kind
    return result


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rag_counts(rags: Iterable[str], legend: Legend) -> dict[str, int]:
    """Actions per status on the legend (a status counts under the code it stands for);
    statuses off the legend are left out of the trend."""
    counts = Counter()
    for rag in rags:
        entry = legend.get(rag)
        if entry is not None:
            counts[entry.code] += 1
    return {code: counts[code] for code in legend.codes}
