"""The Chase leads button: what each lead owes, as a Chase sheet in the open workbook and
.eml drafts beside it.

The ribbon's Chase leads button runs ``wellled_xl.chase_main()`` (see `wellled_xl.chase_main`
for how the add-in gets there), which lands in `main` here with the officer's workbook as
``xw.Book.caller()``. `run_chase_button` reads the open workbook as the Validate & Build
button does, works out the chase (`wellled_xl.chase`), and writes:

- a generated ``Chase`` sheet (GENERATED_MARK, replaced on each click; a ``Chase`` sheet
  the trust made itself stops the run before anything is written): one row per lead with
  their counts, what they owe, and a ``mailto:`` link that opens a prefilled email;
- the ``.eml`` drafts in ``<stem>_chase_<as-at>`` beside the workbook, when it is a file in
  a local (or synced) folder. Nothing is ever sent from Excel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wellled_xl import errors
from wellled_xl.cells import is_generated, parse_cell
from wellled_xl.chase.drafts import Draft, write_drafts
from wellled_xl.chase.owed import Chase, chase_leads
from wellled_xl.chase.run import default_folder
from wellled_xl.chase.sheet import CHASE_SHEET, layout_chase
from wellled_xl.excel.button import click, read_open_book, tell
from wellled_xl.excel.writer import write_paper_xlwings
from wellled_xl.paper.layout import PaperLayout, paper_styles, paper_title, position_text
from wellled_xl.pipeline import check
from wellled_xl.read import tracker_from_sheets

TITLE = "Well-led: Chase leads"


@dataclass
class ChaseClick:
    """What one click did: the chase, the links written and the drafts."""

    chase: Chase
    links: dict[str, str] = field(default_factory=dict)
    drafts: list[Draft] = field(default_factory=list)
    folder: Path | None = None  # where the drafts went; None: the workbook has no local folder

    def message(self) -> str:
        chase = self.chase
        lines = [
            f"{len(chase.leads)} leads owe something for the position as at "
            f"{chase.as_at:%d %B %Y}. The Chase sheet lists each one, with a link that opens "
            "a prefilled email."
        ]
        if self.folder is not None:
            lines.append(f"{len(self.drafts)} .eml drafts written to {self.folder}.")
        else:
            lines.append("No .eml drafts: the workbook is not saved in a local or synced folder.")
        if chase.findings:
            lines.append(
                f"{len(chase.findings)} leads have no usable email address: the Chase sheet "
                "says why."
            )
        lines.append("Nothing was sent.")
        return "\n\n".join(lines)


def local_folder(book: Any) -> Path | None:
    """The folder the workbook is saved in, if it is a local one (not unsaved, not https)."""
    fullname = str(getattr(book, "fullname", "") or "")
    path = Path(fullname)
    if "://" in fullname or not path.is_absolute() or not path.parent.is_dir():
        return None
    return path.parent


def run_chase_button(book: Any) -> ChaseClick:
    """Write the open workbook's Chase sheet (and drafts beside it); refuse before any
    write when a Chase sheet is the trust's own."""
    sheets, extras = read_open_book(book)
    tracker = tracker_from_sheets(book.name, sheets, extras)
    report = check(tracker)
    chase = chase_leads(report)
    chase.tracker = book.fullname or book.name
    for name, rows in sheets:
        if name.casefold() == CHASE_SHEET.casefold() and not is_generated(rows):
            raise errors.UnsafeWrite(
                f"This workbook already has a sheet called '{name}' that wellled-xl did not "
                "make. Rename it and click Chase leads again: the button replaces only the "
                "sheet it made itself."
            )
    styles = paper_styles(tracker.legend)
    sheet, links = layout_chase(chase, report, styles)
    for name, _ in sheets:
        if name.casefold() == CHASE_SHEET.casefold():
            book.sheets[name].delete()
    paper = PaperLayout(
        title=paper_title(report),
        position=position_text(report.as_at),
        styles=styles,
        sheets=[sheet],
    )
    write_paper_xlwings(paper, book)
    written = book.sheets[CHASE_SHEET]
    for cell, url in links.items():  # one call per lead: a real hyperlink holds 2,079 chars
        written.range(cell).add_hyperlink(url, sheet_value(sheet, cell))
    click = ChaseClick(chase, links)
    folder = local_folder(book)
    if folder is not None:
        click.folder = default_folder(folder / Path(book.fullname).name, report.as_at)
        click.drafts = write_drafts(chase, click.folder)
    written.activate()
    return click


def sheet_value(sheet: Any, cell: str) -> str:
    row, col = parse_cell(cell)
    return str(sheet.values[row][col])


def run_and_tell(book: Any) -> ChaseClick | None:
    """`run_chase_button`, then one message box; never raises."""
    return tell(book, run_chase_button)


def main() -> None:
    """Run the Chase leads button on the workbook Excel called from."""
    click(run_chase_button)
