"""The sample paper as LibreOffice prints it: rows as tall as their text, none cut off, few pages.

The sample tracker's paper is printed (`print_paper`) and read back with pdfplumber. A
table row is a band between two horizontal rules that run the table's width and a left
border that runs the band's height (cell fills, strike-throughs and the chart are not
rules); its text is the words whose middle lies in the band.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from typing import NamedTuple

import pytest

from wellled_xl.paper.pdf import print_paper
from wellled_xl.paper.xlsx import write_paper
from wellled_xl.pipeline import check_tracker, paper_for

pdfplumber = pytest.importorskip("pdfplumber")
pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice is needed to print the paper"
)

SAMPLE = Path(__file__).resolve().parent.parent / "workbook" / "sample_tracker.xlsx"
AS_AT = date(2019, 9, 30)
PAGES_BEFORE = 9  # the sample paper printed at the workbook's (Excel's) row heights
PAGES = 7  # at the heights LibreOffice needs (measure.py), the Summary's chart beside its table
LINE = 1.117  # a line of Liberation Sans, for its size
RULE = 0.6  # points: a rule is thinner than this
# Of the rows' height, in all, left empty beyond what the text needs: the header rows and
# KLOE bands keep their set heights (20 and 18 points), most of what is left.
SLACK = 0.07


class Band(NamedTuple):
    page: int
    top: float
    bottom: float
    words: list[dict]

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def text_height(self) -> float:
        return max(w["bottom"] for w in self.words) - min(w["top"] for w in self.words)

    @property
    def size(self) -> float:
        """The size of the band's largest text, as printed (at the sheet's zoom)."""
        return max(w["size"] for w in self.words)

    @property
    def excess(self) -> float:
        """Points of the band left empty beyond what its text needs: its lines, the last
        one's leading and a point above and below (at the sheet's zoom, size / 10)."""
        needed = self.text_height + (LINE - 1) * self.size + 2 * self.size / 10
        return max(0.0, self.height - needed)

    @property
    def line(self) -> float:
        """Points a line of the band's largest text takes."""
        return self.size * LINE


@pytest.fixture(scope="module")
def layout():
    return paper_for(check_tracker(SAMPLE, AS_AT))


@pytest.fixture(scope="module")
def pdf(layout, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("density")
    paper = write_paper(layout, folder / "paper.xlsx")
    return print_paper(layout, paper, folder / "paper.pdf")


def _rules(page) -> tuple[dict[float, float], list[tuple[float, float, float]]]:
    """Horizontal rules: y -> the length they cover; vertical ones: (x, top, bottom)."""
    across: dict[float, float] = Counter()
    down = []
    for line in [*page.lines, *(r for r in page.rects if min(r["width"], r["height"]) < RULE)]:
        if line["bottom"] - line["top"] < RULE:
            across[round(line["top"], 1)] += line["x1"] - line["x0"]
        elif line["x1"] - line["x0"] < RULE:
            down.append((round(line["x0"], 1), line["top"], line["bottom"]))
    return across, down


@pytest.fixture(scope="module")
def bands(pdf) -> list[Band]:
    found = []
    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages, 1):
            across, down = _rules(page)
            if not down:
                continue
            left = min(x for x, _, _ in down)
            width = max(x for x, _, _ in down) - left
            edges = sorted(y for y, length in across.items() if length > 0.9 * width)
            words = page.extract_words(extra_attrs=["size"])
            for top, bottom in itertools.pairwise(edges):
                bordered = sum(
                    min(b, bottom) - max(t, top) for x, t, b in down if x == left and b > top
                    and t < bottom
                )  # fmt: skip
                inside = [w for w in words if top < (w["top"] + w["bottom"]) / 2 < bottom]
                if bottom - top > 2 and bordered > 0.9 * (bottom - top) and inside:
                    found.append(Band(number, top, bottom, inside))
    return found


def test_the_sample_paper_prints_on_fewer_pages(pdf):
    with pdfplumber.open(pdf) as document:
        assert len(document.pages) <= PAGES < PAGES_BEFORE


def test_no_row_is_more_than_a_line_taller_than_its_text(bands):
    assert len(bands) > 40  # the tables' rows were found
    # A row of n lines needs n lines less the last one's leading, and a point above and
    # below; a whole line more than that is the most a row may leave empty.
    loose = [b for b in bands if b.height - b.text_height > 2 * b.line - b.size + 2 + 0.75]
    assert not loose, [(b.page, round(b.top), round(b.height - b.text_height, 1)) for b in loose]
    assert sum(b.excess for b in bands) / sum(b.height for b in bands) < SLACK


def test_no_text_is_cut_off_at_the_bottom_of_its_row(bands):
    # A word LibreOffice clips at the row's edge is still in the PDF, below the rule.
    cut = [(b.page, w["text"]) for b in bands for w in b.words if w["bottom"] > b.bottom + 1]
    assert not cut


def _tokens(text: str) -> list[str]:
    return re.findall(r"\S+", text)


def test_every_cell_s_text_is_printed_in_full(layout, pdf):
    with pdfplumber.open(pdf) as document:
        printed = Counter(w["text"] for page in document.pages for w in page.extract_words())
    wanted: Counter[str] = Counter()
    for sheet in layout.sheets:
        for row in sheet.values[1:]:  # the mark row is not printed
            for value in row:
                if isinstance(value, str):
                    wanted.update(_tokens(value))
    # pdfplumber joins text of two cells that touch, and a word LibreOffice breaks after
    # its hyphen is two words: "out-" and "tage".
    missing = [
        token
        for token in wanted - printed
        if not any(token in word for word in printed)
        and not all(printed[piece] for piece in re.findall(r"[^-]+-?", token))
    ]
    assert not missing
