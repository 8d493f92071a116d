"""The board paper: one layout computed from a validated tracker, and its writers.

`layout` holds the paper as plain data; `xlsx` writes it with XlsxWriter and `docx` as a
Word document; `pdf` prints the written workbook with LibreOffice. This package's own
functions decide where the paper goes and refuse to put it where it must not go (over the
tracker).
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from wellled_xl.errors import UnsafeWrite, WellledError
from wellled_xl.paper.layout import PaperLayout, layout_paper

PAPER_SUFFIX = ".xlsx"
# A board paper named by `paper_path`: never taken for a tracker.
BOARD_PAPER_NAME = re.compile(r".+_board_paper_\d{4}-\d{2}-\d{2}\.xlsx", re.IGNORECASE)


def paper_path(folder: str | os.PathLike[str], stem: str, as_at: date) -> Path:
    """Where a paper goes: ``<folder>/<stem>_board_paper_<as-at ISO>.xlsx``."""
    return Path(folder) / f"{stem}_board_paper_{as_at.isoformat()}{PAPER_SUFFIX}"


def default_paper_path(tracker: str | os.PathLike[str], as_at: date) -> Path:
    """Beside the tracker: ``<stem>_board_paper_<as-at ISO>.xlsx``."""
    source = Path(tracker)
    return paper_path(source.parent, source.stem, as_at)


def pdf_path_for(paper: str | os.PathLike[str]) -> Path:
    """The PDF goes beside the workbook, with the same stem."""
    return Path(paper).with_suffix(".pdf")


def docx_path_for(paper: str | os.PathLike[str]) -> Path:
    """The Word paper goes beside the workbook, with the same stem."""
    return Path(paper).with_suffix(".docx")


def check_paper_path(paper: str | os.PathLike[str], tracker: str | os.PathLike[str]) -> Path:
    """Refuse an output that is not an .xlsx, or that is the tracker (the leads' work)."""
    target = Path(paper)
    if target.suffix.lower() != PAPER_SUFFIX:
        raise WellledError(f"{target}: the board paper is an .xlsx workbook; name it *.xlsx")
    for output in (target, pdf_path_for(target), docx_path_for(target)):
        if _same_file(output, Path(tracker)):
            raise UnsafeWrite(
                f"{output} is the tracker itself; the board paper is never written into "
                "the tracker: choose another output with -o"
            )
    return target


def _same_file(a: Path, b: Path) -> bool:
    """The same file, however written (relative, symlinked, hard-linked, other case)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return False


__all__ = [
    "BOARD_PAPER_NAME",
    "PaperLayout",
    "check_paper_path",
    "default_paper_path",
    "docx_path_for",
    "layout_paper",
    "paper_path",
    "pdf_path_for",
]
