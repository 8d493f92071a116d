"""The tracker as plain data: records read from sheets, registers, findings and actions."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Literal, NamedTuple

from wellled_xl.dates import Timescale

Part = Literal["A", "B"]
Severity = Literal["error", "warning"]


def cell_text(value: Any) -> str:
    """A cell's value as the text a person sees (numbers without a needless '.0')."""
    if type(value) is str:  # most cells; this runs for every cell read
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


@dataclass(frozen=True)
class LegendEntry:
    """One status of the RAG scale: its code, what it means, its fill colour."""

    code: str
    meaning: str
    colour: str  # "RRGGBB", no leading '#'
    complete: bool  # counts as complete: never overdue, shown as delivered


@dataclass(frozen=True)
class Legend:
    """The RAG scale, which belongs to the workbook rather than to the code.

    `source` says where it was found (a Legend sheet, legend rows under a table, a KEY
    block, the status words a column holds) and `assumed` that the workbook wrote no
    scale at all, so its codes were read against the standard NHS one. A scale of words
    ("On track to deliver") matches a status whatever its case and spacing: the lead
    typed the same word; a scale of codes (G, A/G) matches exactly.
    """

    entries: tuple[LegendEntry, ...]
    source: str = field(default="the default scale", compare=False)
    assumed: bool = field(default=False, compare=False)

    @functools.cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.entries)

    @functools.cached_property
    def _by_code(self) -> dict[str, LegendEntry]:
        by_code: dict[str, LegendEntry] = {}
        for entry in self.entries:
            by_code.setdefault(entry.code, entry)
            if is_word_status(entry.code):
                by_code.setdefault(status_key(entry.code), entry)
        return by_code

    @functools.cached_property
    def _looked_up(self) -> dict[str, LegendEntry | None]:
        return {}  # every status looked up so far: a tracker types a few, again and again

    def get(self, code: str | None) -> LegendEntry | None:
        """The entry a status typed as `code` stands for, or None if it is not on the scale."""
        if not code:
            return None
        try:
            return self._looked_up[code]
        except KeyError:
            pass
        found = self._by_code.get(code)
        if found is None and is_word_status(code):
            found = self._by_code.get(status_key(code))
        if len(self._looked_up) < 10_000:  # statuses are few; narrative is not kept
            self._looked_up[code] = found
        return found

    def is_complete(self, code: str | None) -> bool:
        entry = self.get(code)
        return entry is not None and entry.complete


_STATUS_NOISE = re.compile(r"[\s\-–—_]+")


def status_key(text: str) -> str:
    """A word status as compared: 'On Track  to-deliver' and 'on track to deliver' agree."""
    return _STATUS_NOISE.sub(" ", text).strip().casefold()


def is_word_status(text: str) -> bool:
    """A status written as a word ('Delivered', 'Not yet due'), not a code such as A/G."""
    return sum(c.isalpha() for c in text) > 3


@dataclass(frozen=True)
class Lead:
    """A person (or role) in the Leads register who can be accountable for an action."""

    initials: str
    name: str = ""
    role: str = ""
    email: str = ""
    # Where the register row is, for findings about it (chasing): its sheet, its Excel
    # row, and the A1 cells of its Name and Email ("" when the register has no such column).
    sheet: str = field(default="", compare=False)
    row: int | None = field(default=None, compare=False)
    name_cell: str = field(default="", compare=False)
    email_cell: str = field(default="", compare=False)


@dataclass(frozen=True)
class Kloe:
    """A well-led key line of enquiry: W1 to W8 and the question it asks."""

    code: str
    question: str


@dataclass(frozen=True)
class Settings:
    """What the Settings sheet says about the paper: the as-at date and titles."""

    as_at: date | None = None
    title: str = "The well-led framework"
    part_a_title: str = "PART A Board self-review against KLOEs"
    part_b_title: str = "PART B CQC Inspection findings"
    part_a_heading: str = "PART A: Board self-review against KLOEs – Delivery Status"
    part_b_heading: str = "PART B CQC Inspection findings: Delivery Status"
    review_period_months: int = 3
    # Optional: an identity that survives renaming or moving the file (new-tracker writes a
    # fresh UUID), and where the Excel button keeps the history of positions.
    tracker_id: str = ""
    history_file: str = ""


# Labels of the Settings sheet, in order, and the Settings attribute each fills.
SETTINGS_LABELS: tuple[tuple[str, str], ...] = (
    ("As-at date", "as_at"),
    ("Paper title", "title"),
    ("Part A title", "part_a_title"),
    ("Part B title", "part_b_title"),
    ("Part A table heading", "part_a_heading"),
    ("Part B table heading", "part_b_heading"),
    ("Review period (months)", "review_period_months"),
    ("Tracker id", "tracker_id"),
    ("History file", "history_file"),
)

DEFAULT_KLOES: tuple[Kloe, ...] = (
    Kloe(
        "W1",
        "Is there the leadership capacity and capability to deliver high quality, "
        "sustainable care?",
    ),
    Kloe(
        "W2",
        "Is there a clear vision and credible strategy to deliver high quality sustainable "
        "care to people who use services, and robust plans to deliver?",
    ),
    Kloe("W3", "Is there a culture of high quality, sustainable care?"),
    Kloe(
        "W4",
        "Are there clear responsibilities, roles and systems of accountability to support "
        "good governance and management?",
    ),
    Kloe(
        "W5",
        "Are there clear and effective processes for managing risks, issues and performance?",
    ),
    Kloe("W6", "Is robust and appropriate information being effectively processed and challenged?"),
    Kloe(
        "W7",
        "Are the people who use services, the public, staff and external partners engaged "
        "and involved to support high quality sustainable services?",
    ),
    Kloe(
        "W8",
        "Are there robust systems, processes for learning, continuous improvement and innovation?",
    ),
)

# The seed board paper's three-point scale, plus R, which many trusts use.
DEFAULT_LEGEND = Legend(
    (
        LegendEntry("G", "Action completed and improvement achieved", "00B050", True),
        LegendEntry("A/G", "Clear plan for delivery but not yet completed", "FFC000", False),
        LegendEntry("A/R", "We either lack a plan or confidence in that plan", "FF7C80", False),
        LegendEntry("R", "Off track: delivery at risk and no recovery plan", "FF0000", False),
    )
)


class YearContext(NamedTuple):
    """Where a date typed without a year ("30 Sept") gets its year from."""

    day: date
    rule: Literal["after", "nearest"]
    source: str  # for the report: "the group row 'May 2012' (row 10)"


@dataclass(slots=True)
class Record:
    """One data row of a tracker sheet as read: raw values by field, and where they came from."""

    part: Part
    sheet: str
    row: int  # the Excel row number the lead sees
    values: dict[str, Any]  # canonical field -> the cell's value as read
    columns: dict[str, str]  # canonical field -> column letter
    kloe_band: str | None = None  # KLOE set by a band row above this row, if any
    # Fields whose cell shows an Excel error (#N/A, #REF! ...), which readers see as empty.
    errors: dict[str, str] = field(default_factory=dict)
    group: str = ""  # the group row (or KLOE band) the row sits under, as written
    # What a date typed without a year takes its year from: the date, how ("after": on
    # or after it, as an action set at a meeting is due after it; "nearest": the year
    # nearest it), and where it was found ("the group row 'May 2012'").
    year_context: YearContext | None = None
    table: int = 1  # which table of its sheet the row is in: 2 for a second header below

    @property
    def table_key(self) -> tuple[str, int]:
        """The table the row is in: its sheet, and the table's number on it."""
        return (self.sheet, self.table)

    def cell(self, field_name: str) -> str:
        """The A1 address of this record's cell for a field ("" if the sheet lacks it)."""
        column = self.columns.get(field_name)
        return f"{column}{self.row}" if column else ""


# The cells that hold a due date, in the order original -> revisions -> latest.
DATE_FIELDS = ("timescale", "original_due", "previous_revisions", "revised_due")

# A column carried to the paper as the tracker has it, under its own header: the key of
# its value in `Record.values` and `Record.columns` is this prefix and the header.
EXTRA = "extra:"
# Fields read from a tracker's columns that the paper does not print as columns of its own
# (the Check column, Last updated, the KLOE the bands already say).
NOT_ON_PAPER = ("check", "last_updated", "kloe")


@dataclass(frozen=True)
class Column:
    """One column of a tracker sheet, as it was read."""

    letter: str
    header: str  # as typed, "" when blank
    read_as: str  # a field ("rag", "progress" ...), EXTRA + header, or "" (holds nothing)
    why: str  # how that was decided: "its header", "its values: narrative text" ...
    hidden: bool = False  # hidden in the tracker: an extra column is then left off the paper


@dataclass
class SheetShape:
    """How one tracker sheet is laid out: what the paper follows to keep the trust's shape."""

    name: str
    part: Part
    header_row: int  # 1-based
    columns: list[Column]
    title: list[str] = field(default_factory=list)  # the title rows above the header
    groups: list[str] = field(default_factory=list)  # group rows (or KLOE bands), in order
    kloe_bands: bool = False  # its groups are KLOE bands ("KLOE W1: Is there ...")
    kloe_refs: bool = False  # its refs follow the KLOE pattern (W1a, W2b ...)
    controlled: bool = False  # the controlled tracker's own sheet (new-tracker's headers)
    scale_rows: list[int] = field(default_factory=list)  # legend / KEY rows read as the scale
    status_in: str = ""  # where statuses were found when no column holds them
    ref_in: str = ""  # where refs were found when no column holds them ("action")
    marking: str = ""  # a protective marking above the title ("PUBLIC", "OFFICIAL")
    notes: list[str] = field(default_factory=list)  # the trust's notes under its table
    # A sheet may hold several tables, each under its own header row (Part A, then Part B
    # under its title): 1 for the first, 2 for the next …; each is a shape of its own.
    table: int = 1

    @property
    def table_key(self) -> tuple[str, int]:
        """What the records of this table share: the sheet and the table's number on it."""
        return (self.name, self.table)

    def column(self, read_as: str) -> Column | None:
        return next((c for c in self.columns if c.read_as == read_as), None)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in the tracker, placed where the lead will find it."""

    sheet: str
    cell: str
    row: int | None
    ref: str
    field: str
    value: Any
    rule: str
    severity: Severity
    message: str
    suggestion: str = ""

    def to_dict(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict deep-copies every value, 0.1 ms a finding.
        return {name: getattr(self, name) for name in _FINDING_FIELDS}


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


@dataclass(slots=True)
class Action:
    """A validated tracker row, with its due date worked out against the as-at date."""

    part: Part
    sheet: str
    row: int
    ref: str
    kloe: str
    finding: str  # Part B: the CQC finding this action answers
    action: str
    timescale: Timescale
    lead: str
    leads: tuple[str, ...]
    success_measure: str
    progress: str
    rag: str
    last_updated: date | None
    complete: bool = False
    days_overdue: int = 0  # > 0 when overdue
    has_errors: bool = False
    group: str = ""  # the tracker's group row (or KLOE band) the action sits under
    extras: tuple[tuple[str, str], ...] = ()  # (header, text) of the columns carried as-is
    year_source: str = ""  # where a date typed without a year took its year from
    rag_found_in: str = ""  # the field a status was found inside ("action"), if not its own
    table: int = 1  # which table of its sheet the action is in (`SheetShape.table`)

    @property
    def table_key(self) -> tuple[str, int]:
        return (self.sheet, self.table)

    @property
    def due_date(self) -> date | None:
        return self.timescale.due_date

    @property
    def slipped(self) -> bool:
        return self.timescale.slipped

    @property
    def revision_count(self) -> int:
        return len(self.timescale.revisions)

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass
class Tracker:
    """Everything read from one tracker workbook."""

    path: str
    records: list[Record]
    legend: Legend = DEFAULT_LEGEND
    leads: tuple[Lead, ...] = ()
    kloes: tuple[Kloe, ...] = DEFAULT_KLOES
    settings: Settings = field(default_factory=Settings)
    has_leads_register: bool = False
    has_settings: bool = False
    has_kloe_list: bool = False
    # Findings about the workbook as a whole (missing registers, unmapped headers ...).
    findings: list[Finding] = field(default_factory=list)
    shapes: list[SheetShape] = field(default_factory=list)  # its tracker sheets, in order
    sheet_names: list[str] = field(default_factory=list)  # every sheet it has, in order

    @property
    def title_lines(self) -> list[str]:
        """The title rows of the first tracker sheet that has any."""
        return next((shape.title for shape in self.shapes if shape.title), [])

    @property
    def uses_kloes(self) -> bool:
        """Whether the tracker files its actions under the well-led KLOEs."""
        return any(
            shape.kloe_bands or shape.kloe_refs or shape.column("kloe") is not None
            for shape in self.shapes
            if shape.part == "A"
        )
