"""Header names by meaning: the controlled tracker's headers and the synonyms trusts use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The controlled tracker's sheets: (sheet name, [(header, field), ...]).
ACTIONS_SHEET = "Actions"
FINDINGS_SHEET = "Findings"
ACTIONS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Ref", "ref"),
    ("KLOE", "kloe"),
    ("Planned action", "action"),
    ("Original due", "original_due"),
    ("Revised due", "revised_due"),
    ("Previous revisions", "previous_revisions"),
    ("Lead", "lead"),
    ("Success measure", "success_measure"),
    ("Progress update", "progress"),
    ("RAG", "rag"),
    ("Last updated", "last_updated"),
    ("Check", "check"),
)
FINDINGS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("No.", "ref"),
    ("CQC finding", "finding"),
    ("Planned action", "action"),
    ("Original due", "original_due"),
    ("Revised due", "revised_due"),
    ("Lead", "lead"),
    ("Progress update", "progress"),
    ("RAG", "rag"),
    ("Last updated", "last_updated"),
    ("Check", "check"),
)

# The controlled tracker's optional Group column (the bands of a tracker not filed by KLOE),
# and where extra columns carried from an adopted tracker sit: before Check.
GROUP_HEADER = "Group"

# What trusts call each field. Keys are normalised (see `normalise`).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "ref": (
        "ref",
        "ref no",
        "reference",
        "ref number",
        "no",
        "number",
        "id",
        "action ref",
        "action no",
        "action number",
        "item",
        "item no",
        "#",
        "action id",
        # Board logs number actions by the minute that set them: "Minute No. 269/19".
        "minute",
        "minute no",
        "minute number",
        "minute ref",
        "minute reference",
        "min ref",
        "min no",
        "log no",
        "log ref",
        "log number",
        "action log no",
        "action log ref",
        "item ref",
    ),
    "kloe": ("kloe", "key line of enquiry", "well led kloe", "domain", "kloe ref"),
    "finding": (
        "cqc finding",
        "finding",
        "findings",
        "cqc findings",
        "issue",
        "concern",
        "cqc concern",
        "must do",
        "should do",
        "recommendation",
        "area for improvement",
        "requirement",
        "regulatory requirement",
    ),
    "action": (
        "planned action",
        "action",
        "actions",
        "action required",
        "action to be taken",
        "actions to be taken",
        "planned actions",
        "description",
        "what we will do",
        "action description",
        "improvement action",
    ),
    "timescale": ("timescale", "timescales", "deadline", "timeframe", "when", "target"),
    "original_due": (
        "original due",
        "original due date",
        "original date",
        "target date",
        "due date",
        "original target date",
        "date due",
        "planned completion",
        "completion date",
        "due by",
        "by when",
        "original deadline",
        "due",
    ),
    "revised_due": (
        "revised due",
        "revised due date",
        "revised date",
        "new date",
        "revised target date",
        "new target date",
        "revised deadline",
        "forecast date",
        "new due date",
        "revised completion date",
        "revised timescale",
    ),
    "previous_revisions": ("previous revisions", "earlier revisions", "revision history"),
    "lead": (
        "lead",
        "owner",
        "exec lead",
        "executive lead",
        "responsible",
        "lead officer",
        "accountable",
        "responsible officer",
        "action owner",
        "lead director",
        "by whom",
        "leads",
        "accountable lead",
        "responsible lead",
        "executive owner",
        "who",
        "responsibility",
        "responsible director",
        "responsible person",
    ),
    "success_measure": (
        "success measure",
        "success measures",
        "measure of success",
        "measures of success",
        "outcome",
        "expected outcome",
        "success criteria",
        "evidence",
        "evidence of success",
        "how will we know",
        "outcome measure",
    ),
    "progress": (
        "progress",
        "progress update",
        "update",
        "latest update",
        "comments",
        "commentary",
        "current position",
        "position",
        "status update",
        "progress to date",
        "progress notes",
        "narrative",
        "update on progress",
    ),
    "rag": (
        "rag",
        "status",
        "rag status",
        "rag rating",
        "brag",
        "brag status",
        "rating",
        "rag rated",
        "delivery status",
        "current rag",
    ),
    "group": ("group",),
    # Written by the tool (the Excel button), never by a lead: read but not validated.
    "check": ("check", "validation check", "wellled xl check"),
    "last_updated": (
        "last updated",
        "updated",
        "date updated",
        "update date",
        "last update",
        "date of update",
        "updated on",
    ),
}

_LOOKUP: dict[str, str] = {name: fld for fld, names in SYNONYMS.items() for name in names}
# The shortest names of the action column, found in any case: each of the others holds
# one ("planned action").
_ACTION_NAME = re.compile(
    "|".join(
        re.escape(name)
        for name in SYNONYMS["action"]
        if not any(other != name and other in name for other in SYNONYMS["action"])
    ),
    re.I,
)
_NOISE = re.compile(r"[^a-z0-9#/ ]+")
_SPACE = re.compile(r"\s+")


def normalise(header: object) -> str:
    """Lower case, punctuation and line breaks folded to single spaces: 'Ref:' -> 'ref'."""
    if header is None:
        return ""
    text = str(header).lower().replace("\u00a0", " ").replace("-", " ")
    text = _NOISE.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def may_name_action(text: str) -> bool:
    """Whether a cell's text may name the action column: a cheap test before a row is
    mapped as a header (a row with no such cell is no tracker header)."""
    return _ACTION_NAME.search(text) is not None


def field_for(header: object) -> str | None:
    """The canonical field a header means, or None if it is not one we know."""
    return _field_and_fit(header)[0]


def _field_and_fit(header: object) -> tuple[str | None, int]:
    """The field a header means and how closely: 2 for the whole header, 1 for its words
    before a bracket, 0 for one name either side of a slash; (None, -1) for none."""
    key = normalise(header)
    if not key:
        return None, -1
    if key in _LOOKUP:
        return _LOOKUP[key], 2
    # "RAG status (G / A/G / A/R)" or "Lead (initials)": try the words before a bracket.
    head = normalise(str(header).split("(")[0])
    if head in _LOOKUP:
        return _LOOKUP[head], 1
    # "Relevant Item / Action", "Action / Progress": one of the names either side of a
    # slash. The action wins wherever it stands (the column holds each row's action, its
    # progress typed after it), else the last name first.
    sides = [_LOOKUP.get(part.strip()) for part in reversed(head.split("/"))]
    if "action" in sides:
        return "action", 0
    return next(((found, 0) for found in sides if found is not None), (None, -1))


@dataclass
class HeaderMap:
    """Which column (0-based) holds each field, for one header row."""

    columns: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, list[int]] = field(default_factory=dict)  # field -> extra columns
    unknown: dict[int, str] = field(default_factory=dict)  # column -> header text
    why: dict[int, str] = field(default_factory=dict)  # column -> why, if not its header alone

    @property
    def part(self) -> str:
        """Part B sheets are the ones with a CQC finding column."""
        return "B" if "finding" in self.columns else "A"

    def looks_like_tracker(self) -> bool:
        """An action column and at least two of the fields a tracker cannot do without."""
        core = {"ref", "lead", "rag", "progress", "original_due", "timescale", "finding"}
        return "action" in self.columns and len(core & self.columns.keys()) >= 2

    def looks_like_follow_up_log(self, headers: list[object]) -> bool:
        """A board follow-up log's header, with no lead or status column: an action column
        whose header says Action, a ref (or Item) column, and a progress or outcome column
        (`Meeting | Item | Action / Progress | Outcome`). Weaker than `looks_like_tracker`,
        so only read when no sheet of the workbook has a tracker header: a register or a
        table of ID, Description and Comments has no such header."""
        action = self.columns.get("action")
        return (
            action is not None
            and not {"action", "actions"}.isdisjoint(normalise(headers[action]).split())
            and "ref" in self.columns
            and ("progress" in self.columns or "success_measure" in self.columns)
        )


def map_headers(cells: list[object]) -> HeaderMap:
    """Map one row of header cells to fields. The column whose header names the field most
    closely wins ("CQC Finding" over the "Should Do" of "Must Do / Should Do"), else the
    first; a column that half-names a field another column names whole is left to be read
    by its values or carried as it is, never dropped as a duplicate."""
    result = HeaderMap()
    fits: dict[str, int] = {}
    for index, cell in enumerate(cells):
        fld, fit = _field_and_fit(cell)
        if fld is None:
            if cell not in (None, ""):
                result.unknown[index] = str(cell)
            continue
        if fld not in result.columns:
            result.columns[fld], fits[fld] = index, fit
        elif fit > fits[fld] and fits[fld] == 0:
            loser = result.columns[fld]  # named by a slash part only: no longer this field's
            result.unknown[loser] = str(cells[loser])
            result.columns[fld], fits[fld] = index, fit
        elif fit == 0 and fits[fld] > 0:
            result.unknown[index] = str(cell)  # "Must Do / Should Do" beside "CQC Finding"
        else:
            result.duplicates.setdefault(fld, []).append(index)
    return result
