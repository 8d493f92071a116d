"""The tracker as plain data: records read from sheets, registers, findings and actions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

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
    """The RAG scale, which belongs to the workbook rather than to the code."""

    entries: tuple[LegendEntry, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.entries)

    def get(self, code: str | None) -> LegendEntry | None:
        for entry in self.entries:
            if entry.code == code:
                return entry
        return None

    def is_complete(self, code: str | None) -> bool:
        entry = self.get(code)
        return entry is not None and entry.complete


@dataclass(frozen=True)
class Lead:
    """A person (or role) in the Leads register who can be accountable for an action."""

    initials: str
    name: str = ""
    role: str = ""
    email: str = ""


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


# Labels of the Settings sheet, in order, and the Settings attribute each fills.
SETTINGS_LABELS: tuple[tuple[str, str], ...] = (
    ("As-at date", "as_at"),
    ("Paper title", "title"),
    ("Part A title", "part_a_title"),
    ("Part B title", "part_b_title"),
    ("Part A table heading", "part_a_heading"),
    ("Part B table heading", "part_b_heading"),
    ("Review period (months)", "review_period_months"),
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


@dataclass
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

    def cell(self, field_name: str) -> str:
        """The A1 address of this record's cell for a field ("" if the sheet lacks it)."""
        column = self.columns.get(field_name)
        return f"{column}{self.row}" if column else ""


@dataclass(frozen=True)
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
        return asdict(self)


@dataclass
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
    # Findings about the workbook as a whole (missing registers, unmapped headers ...).
    findings: list[Finding] = field(default_factory=list)
