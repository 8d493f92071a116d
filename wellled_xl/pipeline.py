"""The one pipeline every door uses: read a tracker, settle the as-at date, validate, lay out
and write the paper.

The command line, ``refresh`` and the Excel button all go through these functions: a
tracker is read once (`read_tracker` from a file, `tracker_from_sheets` from the open
workbook), checked once (`check`), laid out once (`paper_for`), and written by whichever
writer the door needs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from wellled_xl.locks import open_notice
from wellled_xl.model import Tracker
from wellled_xl.read import read_tracker
from wellled_xl.report import Report
from wellled_xl.runtime import keep_to_exit

if TYPE_CHECKING:
    from wellled_xl.paper.layout import PaperLayout

# What validation imports that takes long; loaded while the tracker is read. pandera
# loads its pandas backends as it first validates: named last, as a pandera that moves
# them only loses the head start (a failed import ends the list, quietly).
VALIDATION_LIBRARIES = (
    "pandas",
    "pandera.pandas",
    "pandera.backends.pandas.register",
    "pandera.backends.pandas.builtin_checks",
    "pandera.backends.pandas.builtin_hypotheses",
)


def resolve_as_at(tracker: Tracker, as_at: date | None, today: date | None = None) -> date:
    """--as-at if given, else the tracker's Settings, else today."""
    return as_at or tracker.settings.as_at or today or date.today()


def check(tracker: Tracker, as_at: date | None = None) -> Report:
    """Validate a tracker already read, as at `as_at` (else its Settings, else today)."""
    from wellled_xl.validate import validate  # pandas and pandera: loaded in the background

    return validate(tracker, resolve_as_at(tracker, as_at))


def check_tracker(
    path: str | Path, as_at: date | None = None, history: str | Path | None = None
) -> Report:
    """Read and validate one tracker file; with `history`, add what moved since its last
    recorded position (history/)."""
    report = with_open_notice(check(read_tracker(path, VALIDATION_LIBRARIES), as_at), path)
    return with_history(report, history)


def with_history(report: Report, history: str | Path | None) -> Report:
    """The movement since the last paper, from the history file `history` (None: none)."""
    if history is None:
        return report
    from wellled_xl.history import apply_history

    return apply_history(report, history)


def with_open_notice(report: Report, path: str | Path) -> Report:
    """Say so in the report when the tracker file is open in Excel or LibreOffice: what
    was read is its last saved copy (the exit code stays as it is)."""
    notice = open_notice(path)
    if notice:
        report.notices.append(notice)
    return report


def paper_for(report: Report) -> PaperLayout:
    """The board paper's layout for a validated tracker: the same for every writer."""
    from wellled_xl.paper.layout import layout_paper

    return layout_paper(report)


def write_board_paper(
    report: Report,
    output: str | Path | None = None,
    pdf: bool = False,
    soffice: str | None = None,
    docx: bool = False,
    docx_template: str | Path | None = None,
    layout: PaperLayout | None = None,
) -> Report:
    """Write a validated tracker's board paper (and PDF, and Word paper); `Report.paths`
    says where. `layout` is the paper's, when it is not `paper_for(report)` (a roll-up's).

    The paper goes to `output`, else beside the tracker (`default_paper_path`); it is
    never written over the tracker. With `pdf`, LibreOffice is looked for (unless
    `soffice` names it) before anything is written, so a missing LibreOffice leaves no
    half-built output behind; a Word template is checked first too. With `docx`
    (implied by `docx_template`) the same layout is written as ``<paper stem>.docx``.
    """
    from wellled_xl.paper import check_paper_path, default_paper_path, docx_path_for, pdf_path_for
    from wellled_xl.paper.pdf import find_soffice, print_paper
    from wellled_xl.paper.xlsx import write_paper

    tracker = report.tracker.path
    target = check_paper_path(output or default_paper_path(tracker, report.as_at), tracker)
    if docx_template is not None:
        from wellled_xl.paper.docx import check_template

        check_template(docx_template)
    if pdf and soffice is None:
        soffice = find_soffice()
    layout = layout or paper_for(report)
    keep_to_exit(layout)  # a command's process ends here: the OS frees it at once
    report.paths["xlsx"] = str(write_paper(layout, target))
    if docx or docx_template is not None:
        from wellled_xl.paper.docx import write_docx

        written = write_docx(layout, docx_path_for(target), template=docx_template)
        report.paths["docx"] = str(written.path)
        if written.replaced_characters:
            report.replaced_characters["docx"] = written.replaced_characters
    if pdf:
        printed = print_paper(layout, target, pdf_path_for(target), soffice=soffice)
        report.paths["pdf"] = str(printed)
    if report.history is not None:  # the position papered, recorded once the paper exists
        from wellled_xl.history import record_history

        record_history(report)
    return report


def build_board_paper(
    path: str | Path,
    as_at: date | None = None,
    output: str | Path | None = None,
    pdf: bool = False,
    docx: bool = False,
    docx_template: str | Path | None = None,
    history: str | Path | None = None,
) -> Report:
    """Validate a tracker file and write its board paper (and PDF, and Word paper):
    `check_tracker` then `write_board_paper`. The paper is written even when the tracker
    has errors (its Summary lists them). A bad `output` or Word template is refused
    before the tracker is read."""
    from wellled_xl.paper import check_paper_path

    if output is not None:
        check_paper_path(output, path)
    if docx_template is not None:
        from wellled_xl.paper.docx import check_template

        check_template(docx_template)
    report = check_tracker(path, as_at, history)
    return write_board_paper(report, output, pdf, docx=docx, docx_template=docx_template)
