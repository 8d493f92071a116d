"""The one pipeline every door uses: read a tracker, settle the as-at date, validate."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from wellled_xl.model import Tracker
from wellled_xl.read import read_tracker
from wellled_xl.report import Report
from wellled_xl.runtime import import_in_background

# What validation imports that takes long; loaded while the tracker is read.
VALIDATION_LIBRARIES = ("pandas", "pandera.pandas")


def resolve_as_at(tracker: Tracker, as_at: date | None, today: date | None = None) -> date:
    """--as-at if given, else the tracker's Settings, else today."""
    return as_at or tracker.settings.as_at or today or date.today()


def check_tracker(path: str | Path, as_at: date | None = None) -> Report:
    """Read and validate one tracker file."""
    import_in_background(VALIDATION_LIBRARIES)
    tracker = read_tracker(path)
    from wellled_xl.validate import validate  # pandas and pandera: loaded meanwhile

    return validate(tracker, resolve_as_at(tracker, as_at))


def build_board_paper(
    path: str | Path,
    as_at: date | None = None,
    output: str | Path | None = None,
    pdf: bool = False,
    docx: bool = False,
    docx_template: str | Path | None = None,
) -> Report:
    """Validate a tracker and write its board paper (and PDF, and Word paper); `Report.paths`
    says where.

    The paper is written even when the tracker has errors (its Summary lists them);
    it is never written over the tracker. With `pdf`, LibreOffice is looked for before
    anything is written, so a missing LibreOffice leaves no half-built output behind; a
    Word template is checked first too. With `docx` (implied by `docx_template`) the
    same layout is written as ``<paper stem>.docx``.
    """
    from wellled_xl.paper import check_paper_path, default_paper_path, docx_path_for, pdf_path_for
    from wellled_xl.paper.layout import layout_paper
    from wellled_xl.paper.pdf import find_soffice, render_pdf
    from wellled_xl.paper.xlsx import write_paper

    if output is not None:
        check_paper_path(output, path)
    if docx_template is not None:
        from wellled_xl.paper.docx import check_template

        check_template(docx_template)
    report = check_tracker(path, as_at)
    target = check_paper_path(output or default_paper_path(path, report.as_at), path)
    soffice = find_soffice() if pdf else None
    layout = layout_paper(report)
    report.paths["xlsx"] = str(write_paper(layout, target))
    if docx or docx_template is not None:
        from wellled_xl.paper.docx import write_docx

        written = write_docx(layout, docx_path_for(target), template=docx_template)
        report.paths["docx"] = str(written.path)
        if written.replaced_characters:
            report.replaced_characters["docx"] = written.replaced_characters
    if soffice is not None:
        report.paths["pdf"] = str(render_pdf(target, pdf_path_for(target), soffice=soffice))
    return report
