"""The Summary's grid: a narrow column for every count of the RAG table, its chart beside it
and every group's label on the chart's axis, read back with openpyxl, from the chart's XML
and from LibreOffice's PDF (poppler's pdftotext)."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pytest
from openpyxl.utils import range_boundaries
from real_trackers import FIXTURES

from wellled_xl.model import Lead, Legend, LegendEntry, Settings
from wellled_xl.pipeline import build_board_paper
from wellled_xl.template import write_sample_tracker, write_tracker

AS_AT = date(2019, 9, 30)
COUNTS = ("Total", "Overdue")
STRAYS = ("Not on legend", "No RAG")
# The Summary's grid before it was narrow: the count table took every one of these columns,
# "Not on legend" and "No RAG" the two text columns of the lists, 50 and 42 wide.
WIDTH_BEFORE = 12 + 9 + 12 + 10 + 17 + 12 + 50 + 42
PAGES_BEFORE = 8  # the sample paper printed, before
# A word scale, as trusts write theirs: every status a phrase.
WORD_SCALE = Legend(
    (
        LegendEntry("Delivered", "Completed and evidenced", "0070C0", True),
        LegendEntry("On track to deliver", "", "00B050", False),
        LegendEntry("Some issues – narrative disclosure", "", "FFC000", False),
        LegendEntry("Not on track to deliver", "", "FF0000", False),
        LegendEntry("Not started", "", "D9D9D9", False),
        LegendEntry("Deferred", "", "7030A0", False),
    )
)

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler-utils are needed to print the paper",
)


# --- the papers ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("summary_grid")


@pytest.fixture(scope="module")
def sample(folder: Path) -> dict[str, Path]:
    """The sample tracker's paper and its PDF."""
    tracker = write_sample_tracker(folder / "sample_tracker.xlsx")
    report = build_board_paper(tracker, AS_AT, output=folder / "sample.xlsx", pdf=True)
    return {kind: Path(path) for kind, path in report.paths.items()}


@pytest.fixture(scope="module")
def word_scale(folder: Path) -> Path:
    """A tracker whose legend is six status phrases: the count table's widest header row."""
    actions = [
        {"ref": f"W{n}a", "kloe": f"W{n}", "action": f"Action {n}", "original_due": "2020-03",
         "lead": "KD", "success_measure": "Done", "progress": "Going well",
         "rag": WORD_SCALE.entries[n % 6].code}
        for n in range(1, 9)
    ]  # fmt: skip
    tracker = write_tracker(
        folder / "words.xlsx", settings=Settings(as_at=AS_AT), legend=WORD_SCALE,
        leads=(Lead("KD"),), actions=actions,
    )  # fmt: skip
    return Path(build_board_paper(tracker, output=folder / "words_paper.xlsx").paths["xlsx"])


def _real(name: str, folder: Path) -> dict[str, Path]:
    """A trust's own tracker (tests/real_trackers.py) and its paper's PDF, at its as-at date."""
    build, expected = FIXTURES[name]
    as_at = min(date.fromisoformat(day) for day in expected["overdue"])
    tracker = build(folder / f"{name}.xlsx")
    report = build_board_paper(tracker, as_at, output=folder / f"{name}_paper.xlsx", pdf=True)
    return {kind: Path(path) for kind, path in report.paths.items()}


@pytest.fixture(scope="module")
def cqc_plan(folder: Path) -> dict[str, Path]:
    """A CQC must-do / should-do plan: core services as groups, a key of four phrases."""
    return _real("cqc_plan", folder)


@pytest.fixture(scope="module")
def meeting_log(folder: Path) -> dict[str, Path]:
    """A board's action log grouped by meeting ("Actions from Board 15.03.2023")."""
    return _real("meeting_log", folder)


# --- the count table, read back with openpyxl ----------------------------------------------


class CountTable(NamedTuple):
    header: int  # the header row, 1-based
    labels: dict[int, str]  # row -> its group's label (the Total row last)
    label_columns: list[int]  # the columns the label takes, 1-based
    count_columns: dict[str, int]  # header -> its column, 1-based
    widths: dict[int, float]  # every column's width as the file stores it


def _count_table(path: Path) -> CountTable:
    sheet = openpyxl.load_workbook(path)["Summary"]
    header = next(
        row[0].row for row in sheet.iter_rows() if any(cell.value == "Total" for cell in row)
    )
    cells = {cell.column: cell.value for cell in sheet[header] if cell.value is not None}
    merged = {
        range_boundaries(str(merge))[0]: range_boundaries(str(merge))[2]
        for merge in sheet.merged_cells.ranges
        if range_boundaries(str(merge))[1] == header
    }
    last_label = merged.get(1, 1)
    labels = {}
    for row in range(header + 1, sheet.max_row + 1):
        label = sheet.cell(row, 1).value
        labels[row] = label
        if label == "Total":
            break
    widths = {  # openpyxl keeps side-by-side columns of one width as one <col> range
        column: dimension.width
        for dimension in sheet.column_dimensions.values()
        for column in range(dimension.min, dimension.max + 1)
    }
    counts = {str(value): column for column, value in cells.items() if column > last_label}
    for column in counts.values():  # a count is one cell: never merged across columns
        assert column not in merged, (path.name, column)
    return CountTable(header, labels, list(range(1, last_label + 1)), counts, widths)


def _is_narrow(width: float) -> bool:
    """About 8 to 12 characters: the file stores a width with Excel's padding (5/7 more)."""
    return 8 <= width <= 12 + 5 / 7 + 0.01


def test_every_count_of_the_sample_has_a_narrow_column(sample):
    table = _count_table(sample["xlsx"])
    assert list(table.count_columns) == [*COUNTS, "G", "A/G", "A/R", *STRAYS]
    for name, column in table.count_columns.items():
        assert _is_narrow(table.widths[column]), (name, table.widths[column])
    # The rarely used counts no longer take the lists' text columns, 50 and 42 wide.
    assert all(table.widths[table.count_columns[name]] < 13 for name in STRAYS)
    used = [*table.label_columns, *table.count_columns.values()]
    width = sum(table.widths[column] - 5 / 7 for column in used)
    assert width < 0.6 * WIDTH_BEFORE, width


def test_a_word_scale_s_counts_are_narrow_with_their_headers_wrapped(word_scale):
    table = _count_table(word_scale)
    assert list(table.count_columns) == [*COUNTS, *WORD_SCALE.codes, *STRAYS]
    sheet = openpyxl.load_workbook(word_scale)["Summary"]
    for name, column in table.count_columns.items():
        assert _is_narrow(table.widths[column]), (name, table.widths[column])
        assert sheet.cell(table.header, column).alignment.wrap_text, name
    # "Some issues – narrative disclosure" wraps onto four lines or so: the row is as tall.
    assert sheet.row_dimensions[table.header].height >= 4 * 12.5


def test_long_group_names_get_a_label_column_as_wide_as_they_need(cqc_plan, meeting_log):
    for paper, longest in ((cqc_plan, "Urgent and emergency care"),
                           (meeting_log, "Actions from Board 15.03.2023")):  # fmt: skip
        table = _count_table(paper["xlsx"])
        assert longest in table.labels.values()
        room = sum(table.widths[column] for column in table.label_columns)
        assert room >= len(longest) * 1.1, (paper["xlsx"].name, room)  # bold, on one line
        for name, column in table.count_columns.items():
            assert _is_narrow(table.widths[column]), (name, table.widths[column])


# --- the chart's category axis, read from its XML --------------------------------------------


def test_the_chart_shows_every_group_s_label(sample):
    with zipfile.ZipFile(sample["xlsx"]) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode("utf-8")
    (axis,) = re.findall(r"<c:catAx>.*?</c:catAx>", chart)
    assert '<c:tickLblSkip val="1"/>' in axis  # Excel: a label for every category
    assert '<a:bodyPr rot="0"' in axis  # LibreOffice: labels never left out


def _chart_height(path: Path) -> float:
    """The Summary chart's height in pixels: the rows its anchor spans in the drawing, at
    the heights openpyxl reads (96 pixels an inch, 72 points; 9,525 EMU a pixel)."""
    with zipfile.ZipFile(path) as archive:
        drawing = archive.read("xl/drawings/drawing1.xml").decode("utf-8")
    anchor = re.search(
        r"<xdr:from>.*?<xdr:row>(\d+)</xdr:row><xdr:rowOff>(\d+)</xdr:rowOff></xdr:from>"
        r"<xdr:to>.*?<xdr:row>(\d+)</xdr:row><xdr:rowOff>(\d+)</xdr:rowOff></xdr:to>",
        drawing,
    )
    top, top_offset, bottom, bottom_offset = map(int, anchor.groups())
    rows = openpyxl.load_workbook(path)["Summary"].row_dimensions
    points = sum(rows[row + 1].height or 15.0 for row in range(top, bottom))
    return points * 4 / 3 + (bottom_offset - top_offset) / 9525


def test_the_chart_grows_with_its_groups_and_their_long_labels(sample, cqc_plan, meeting_log):
    # Nine short groups, three short-to-long ones, four long ones (one wraps): at least a
    # bar of 24 pixels each, and the title, value axis and legend around them.
    for paper, groups in ((sample, 9), (cqc_plan, 3), (meeting_log, 4)):
        assert _chart_height(paper["xlsx"]) >= 24 * groups + 150, paper["xlsx"].name
    assert _chart_height(sample["xlsx"]) > _chart_height(meeting_log["xlsx"])


# --- the printed Summary, read from LibreOffice's PDF ------------------------------------------


class Word(NamedTuple):
    page: int
    left: float
    top: float
    right: float
    bottom: float
    text: str


def _words(pdf: Path) -> list[Word]:
    """Every word of the PDF with its page and box (points), as pdftotext -bbox gives them."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = []
    for page, body in enumerate(xhtml.split("<page ")[1:], start=1):
        for box in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            body,
        ):
            left, top, right, bottom = map(float, box.groups()[:4])
            words.append(Word(page, left, top, right, bottom, box.group(5)))
    return words


def _count_table_words(words: list[Word]) -> list[Word]:
    """The words of the Summary's page from its count table's header down (the heading
    above it repeats the chart's title): the page whose header says "Not on legend"."""
    page = next(
        w.page for w in words
        if w.text == "legend" and any(o.page == w.page and o.text == "Total" for o in words)
    )  # fmt: skip
    top = min(w.top for w in words if w.page == page and w.text == "Total")
    return [w for w in words if w.page == page and w.bottom > top - 30]


def _chart_labels(words: list[Word], labels: list[str]) -> dict[str, Word]:
    """Each group's label on the chart's axis: a word of it that no other label has, the
    instance not in the table (the table's label starts at the page's left, in column A)."""
    found = {}
    for label in labels:
        others = {token for other in labels if other != label for token in other.split()}
        token = next(t for t in label.split() if t not in others)
        instances = sorted((w for w in words if w.text == token), key=lambda w: w.left)
        assert len(instances) >= 2, (label, "the chart leaves it out")
        found[label] = instances[1]
    return found


@needs_soffice
def test_the_sample_prints_its_count_table_with_its_chart_beside_it(sample):
    words = _words(sample["pdf"])
    assert max(w.page for w in words) <= PAGES_BEFORE
    table_words = _count_table_words(words)
    groups = [f"W{n}" for n in range(1, 9)]
    in_table = {w.text: w for w in sorted(table_words, key=lambda w: -w.left) if w.text in groups}
    on_chart = _chart_labels(table_words, groups)
    header, total = sorted((w for w in table_words if w.text == "Total"), key=lambda w: w.top)
    # The right end of the header's last count, "No RAG" (the chart's title, level with
    # the header, has a "RAG" of its own).
    (no,) = [w for w in table_words if w.text == "No" and abs(w.top - header.top) < 15]
    no_rag = next(
        w.right for w in table_words if w.text == "RAG" and abs(w.top - no.top) < 2
        and 0 < w.left - no.right < 10
    )  # fmt: skip
    for group in groups:
        # beside the table, right of its last count, level with its rows
        assert on_chart[group].left > no_rag, group
        assert in_table[group].top - 30 < on_chart[group].top < total.bottom, group
    assert "Actions" in {w.text for w in table_words}  # the chart's value axis: this page too


@needs_soffice
@pytest.mark.parametrize("name", ["cqc_plan", "meeting_log"])
def test_every_group_s_label_prints_on_the_chart_apart_from_the_next(name, request):
    paper = request.getfixturevalue(name)
    labels = [label for label in _count_table(paper["xlsx"]).labels.values() if label != "Total"]
    chart = _chart_labels(_count_table_words(_words(paper["pdf"])), labels)
    boxes = [chart[label] for label in labels]  # top down, in the table's order
    for above, below in itertools.pairwise(boxes):
        assert below.top >= above.bottom - 0.5, (above.text, below.text)  # never overlapping
