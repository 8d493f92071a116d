"""The Word paper: the sample tracker's, read back with python-docx and printed by LibreOffice."""

from __future__ import annotations

import io
import json
import re
import shutil
import struct
import subprocess
import time
import zipfile
import zlib
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from trackers import REPO, run_cli

from wellled_xl.model import Lead, Settings
from wellled_xl.paper.docx import PLACEHOLDER, row_role, write_docx
from wellled_xl.paper.layout import (
    BAND_FILL,
    PaperLayout,
    PrintSetup,
    SheetLayout,
    Style,
    layout_paper,
)
from wellled_xl.paper.pdf import find_soffice, render_pdf
from wellled_xl.pipeline import build_board_paper, check_tracker
from wellled_xl.rules import title_of
from wellled_xl.sample import SAMPLE_LEGEND
from wellled_xl.template import write_tracker

AS_AT = date(2019, 9, 30)
SAMPLE = REPO / "workbook" / "sample_tracker.xlsx"
PART_A_HEADER = ["Ref", "Planned action", "Timescale", "Lead", "Success measure",
                 "Progress update", "RAG"]  # fmt: skip
PART_B_HEADER = ["No.", "CQC finding", "Planned action", "Progress", "Lead", "RAG"]
PART_A_BANDS = {
    "W1": ["W1a", "W1b"],
    "W2": ["W2a", "W2b", "W2c"],
    "W3": ["W3a", "W3b", "W3c"],
    "W4": ["W4a"],
    "W5": ["W5a", "W5b"],
    "W6": ["W6a", "W6b"],
    "W7": ["W7a"],
    "W8": ["W8a", "W8b"],
}
LEGEND_COLOURS = {entry.code: entry.colour for entry in SAMPLE_LEGEND.entries}
A4_LANDSCAPE_TWIPS = (16838, 11906)


def _has_writer() -> bool:
    """LibreOffice with Writer: soffice alone may be Calc only, which cannot load a .docx."""
    try:
        program = Path(find_soffice()).resolve().parent
    except Exception:
        return False
    return not (program / "libsclo.so").exists() or (program / "libswlo.so").exists()


needs_writer = pytest.mark.skipif(
    shutil.which("pdftotext") is None or not _has_writer(),
    reason="LibreOffice Writer and poppler-utils are needed to print the Word paper",
)


# --- fixtures: the sample tracker's paper, as a .docx, once for the module ------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("docx")


@pytest.fixture(scope="module")
def built(folder: Path):
    return build_board_paper(SAMPLE, AS_AT, output=folder / "paper.xlsx", docx=True)


@pytest.fixture(scope="module")
def paper(built) -> Path:
    return Path(built.paths["docx"])


@pytest.fixture(scope="module")
def document(paper: Path):
    return docx.Document(str(paper))


def _cell_text(cell) -> str:
    return "\n".join(p.text for p in cell.paragraphs)


def _rows(table) -> list[list[str]]:
    """Each row's cells once (a merged cell once, not once a grid column)."""
    rows = []
    for tr in table._tbl.tr_lst:
        rows.append(["\n".join(p.text for p in _paragraphs(tc)) for tc in tr.tc_lst])
    return rows


def _paragraphs(tc):
    return [docx.text.paragraph.Paragraph(p, None) for p in tc.iter(qn("w:p"))]


def _fill(tc) -> str | None:
    shading = tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
    return None if shading is None else shading.get(qn("w:fill"))


def _table_with_header(document, header: list[str]):
    for table in document.tables:
        if _rows(table)[0] == header:
            return table
    raise AssertionError(f"no table headed {header}")


def _table_after_heading(document, heading: str):
    """The first table after the paragraph starting with `heading`."""
    body = document.element.body
    seen = False
    for element in body:
        text = "".join(t.text or "" for t in element.iter(qn("w:t")))
        if element.tag == qn("w:p") and text.startswith(heading):
            seen = True
        elif seen and element.tag == qn("w:tbl"):
            return docx.table.Table(element, document)
    raise AssertionError(f"no table after {heading!r}")


# --- the document's shape --------------------------------------------------------------


def test_every_sheet_is_a_landscape_a4_section_with_the_legend_and_page_fields(document):
    assert len(document.sections) == 3  # Part A, Part B, Summary
    for section in document.sections:
        assert section.orientation == WD_ORIENT.LANDSCAPE
        assert (section.page_width.twips, section.page_height.twips) == A4_LANDSCAPE_TWIPS
        footer = section.footer
        assert not footer.is_linked_to_previous
        text = " ".join(p.text for p in footer.paragraphs)
        for entry in SAMPLE_LEGEND.entries:
            assert f"{entry.code} {entry.meaning}" in text
        instructions = [t.text.strip() for t in footer._element.iter(qn("w:instrText"))]
        assert instructions == ["PAGE", "NUMPAGES"]
        assert "Position as at end of September 2019" in section.header.paragraphs[0].text


def test_title_block_is_headings_and_the_mark_row_is_not_printed(document, built):
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert paragraphs[:5] == [
        ("Heading 1", "The well-led framework"),
        ("Heading 3", built.tracker.settings.part_a_title),
        ("Heading 3", built.tracker.settings.part_b_title),
        ("Heading 3", "Position as at end of September 2019"),
        ("Heading 2", built.tracker.settings.part_a_heading),
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Generated by wellled-xl" not in text
    assert document.core_properties.comments.startswith("Generated by wellled-xl")


def test_part_a_has_a_shaded_merged_band_per_kloe_with_its_actions(document):
    table = _table_with_header(document, PART_A_HEADER)
    bands: dict[str, list[str]] = {}
    band = None
    for tr, cells in zip(table._tbl.tr_lst, _rows(table), strict=True):
        tcs = tr.tc_lst
        if cells[0] == "KLOE":
            band = cells[1].split(":")[0]
            bands[band] = []
            assert len(tcs) == 2 and tcs[1].grid_span == 6  # merged across the table
            assert {_fill(tc) for tc in tcs} == {BAND_FILL}
            keep = [p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") for p in tr.iter(qn("w:p"))]
            assert all(k is not None for k in keep)  # stays with the first action below
        elif cells != PART_A_HEADER:
            bands[band].append(cells[0])
    assert bands == PART_A_BANDS


def test_header_rows_repeat_and_rows_do_not_split(document):
    for table in document.tables:
        rows = table._tbl.tr_lst
        for index, tr in enumerate(rows):
            properties = tr.find(qn("w:trPr"))
            assert properties.find(qn("w:cantSplit")) is not None
            repeated = properties.find(qn("w:tblHeader")) is not None
            # Only a table's first row can be its header row; legend tables have none.
            assert repeated == (index == 0 and _fill(tr.tc_lst[0]) == "005EB8")
    assert sum(1 for t in document.tables if t._tbl.tr_lst[0].find(
        f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None) == 6  # fmt: skip
    # Part A, Part B, and the Summary's RAG counts, overdue, slipped and findings lists


def test_rag_cells_take_the_legend_colours_with_readable_text(document):
    table = _table_with_header(document, PART_A_HEADER)
    checked = 0
    for tr, cells in zip(table._tbl.tr_lst[1:], _rows(table)[1:], strict=True):
        if cells[0] == "KLOE":
            continue
        rag = cells[-1]
        fill = _fill(tr.tc_lst[-1])
        if rag in LEGEND_COLOURS:
            assert fill == LEGEND_COLOURS[rag], cells[0]
            style_id = tr.tc_lst[-1].find(f".//{qn('w:pStyle')}").get(qn("w:val"))
            style = next(s for s in document.styles if s.style_id == style_id)
            assert style.name == f"Paper rag {rag}"
            assert style.font.color.rgb is not None
            assert str(style.font.color.rgb) != fill  # text never the colour of its cell
            assert style.font.bold
            checked += 1
        else:  # R: not on the legend, shown as typed, uncoloured
            assert rag == "R\n(not on legend)" and fill is None
    assert checked == 15


def test_superseded_dates_are_struck_and_overdue_dates_red(document):
    table = _table_with_header(document, PART_A_HEADER)
    timescales = {
        cells[0]: tr.tc_lst[2]
        for tr, cells in zip(table._tbl.tr_lst, _rows(table), strict=True)
        if cells[0] != "KLOE"
    }
    runs = [(r.text, r.font.strike, r.font.bold, str(r.font.color.rgb))
            for r in _paragraphs(timescales["W8a"])[0].runs]  # fmt: skip
    assert runs == [
        ("January 2019", True, False, "7F7F7F"),  # superseded: grey, struck through
        ("\nMarch 2019", True, False, "7F7F7F"),
        ("\nApril 2019", False, True, "C00000"),  # the due date, overdue: bold red
        ("\n153 days overdue", False, True, "C00000"),
    ]
    runs = [(r.text, r.font.strike, r.font.bold) for r in _paragraphs(timescales["W6a"])[0].runs]
    assert runs == [("March 2019", True, False), ("\nApril 2019", False, False)]  # G: not late


def test_part_b_lists_findings_in_number_order(document):
    rows = _rows(_table_with_header(document, PART_B_HEADER))
    numbers = [row[0] for row in rows[1:]]
    assert numbers == [str(n) for n in range(1, 15)]
    assert rows[2][1].startswith("Leaders were not always visible")
    assert rows[2][-1] == "AG\n(not on legend)"


def test_each_table_is_followed_by_the_legend(document):
    legends = [t for t in document.tables if _rows(t)[0] == ["Status"]]
    assert len(legends) == 2  # under Part A and under Part B
    for table in legends:
        rows = _rows(table)
        assert rows[1:4] == [[e.code, e.meaning] for e in SAMPLE_LEGEND.entries]
        assert [_fill(tr.tc_lst[0]) for tr in table._tbl.tr_lst[1:4]] == list(
            LEGEND_COLOURS.values()
        )
        assert "not on this tracker's legend" in rows[4][0]


def test_summary_tables_count_rag_overdue_slipped_and_findings(document, built):
    rag = _rows(_table_after_heading(document, "RAG status by KLOE"))
    assert rag[0][:6] == ["KLOE", "Total", "Overdue", "G", "A/G", "A/R"]
    assert [row[0] for row in rag[1:]] == [*PART_A_BANDS, "Part B", "Total"]
    assert rag[-1][:8] == ["Total", "30", "12", "3", "18", "7", "2", "0"]
    overdue = _rows(_table_after_heading(document, "Overdue actions (12)"))
    assert [row[0] for row in overdue[1:]] == [a.ref for a in built.overdue]
    assert overdue[1][4:6] == ["31 Jan 2019", "242"]
    slipped = _rows(_table_after_heading(document, "Slipped actions (8)"))
    assert len(slipped) == 9
    findings = _rows(_table_after_heading(document, "Validation findings"))
    assert [(row[0], row[1], row[4]) for row in findings[1:]] == [
        (f.sheet, f.cell, title_of(f.rule)) for f in built.findings
    ]


def test_the_chart_is_a_native_word_chart_of_the_rag_counts(paper):
    with zipfile.ZipFile(paper) as package:
        names = package.namelist()
        charts = [n for n in names if n.startswith("word/charts/")]
        assert charts == ["word/charts/chart1.xml"]
        chart = package.read(charts[0]).decode()
        assert "drawingml.chart+xml" in package.read("[Content_Types].xml").decode()
        assert (
            'uri="http://schemas.openxmlformats.org/drawingml/2006/chart"'
            in package.read("word/document.xml").decode()
        )
    assert '<c:barDir val="bar"/>' in chart and '<c:grouping val="stacked"/>' in chart
    series = re.findall(r"<c:ser>.*?</c:ser>", chart)
    names = [re.search(r"<c:tx><c:v>(.*?)</c:v>", s).group(1) for s in series]
    assert names == ["G", "A/G", "A/R", "Not on legend"]  # R and AG are bars too
    for s, colour in zip(series, LEGEND_COLOURS.values(), strict=False):
        assert f'<a:srgbClr val="{colour}"/>' in s
    categories = re.findall(r"<c:v>(.*?)</c:v>", re.search(r"<c:cat>.*?</c:cat>", series[1])[0])
    assert categories == [*PART_A_BANDS, "Part B"]
    values = re.findall(r"<c:v>(\d+)</c:v>", re.search(r"<c:val>.*?</c:val>", series[1])[0])
    assert values == ["1", "1", "3", "1", "2", "1", "0", "1", "8"]  # A/G by KLOE, Part B


# --- safety and sameness ------------------------------------------------------------------


def test_the_same_layout_gives_the_same_bytes(built, folder):
    layout = layout_paper(built)
    first = write_docx(layout, folder / "one.docx").path.read_bytes()
    time.sleep(2.1)  # a zip's clock ticks in two seconds: the builds differ in time
    second = write_docx(layout, folder / "two.docx").path.read_bytes()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    properties = docx.Document(str(folder / "one.docx")).core_properties
    assert properties.created.year == 2000 and properties.modified.year == 2000


def test_control_characters_are_dropped_counted_and_reported(tmp_path):
    # write_tracker stores each control character as Excel does (_x0007_).
    progress = "Bell \x07 rings; escape \x1b[31m; vertical \x0b tab; <b>&amp;</b>"
    source = write_tracker(
        tmp_path / "t.xlsx", settings=Settings(as_at=AS_AT), legend=SAMPLE_LEGEND,
        leads=(Lead("KD"),),
        actions=[{"ref": "W1a", "kloe": "W1", "action": "Act", "original_due": "2020-03",
                  "lead": "KD", "success_measure": "m", "progress": progress, "rag": "A/G"}],
        findings=[],
    )  # fmt: skip
    assert "\x07" in check_tracker(source).actions[0].progress  # the tracker holds them
    result = run_cli(
        "build", str(source), "-o", str(tmp_path / "p.xlsx"), "--docx", "--json", timeout=120
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["replaced_characters"] == {"docx": 3}
    table = _table_with_header(docx.Document(str(tmp_path / "p.docx")), PART_A_HEADER)
    cell = next(cells for cells in _rows(table) if cells[0] == "W1a")[5]
    assert cell == "Bell  rings; escape [31m; vertical \n tab; <b>&amp;</b>"
    text = run_cli("build", str(source), "-o", str(tmp_path / "q.xlsx"), "--docx", timeout=120)
    assert "note: 3 control characters the .docx cannot hold were left out" in text.stdout


def test_control_characters_in_status_codes_and_titles_make_a_word_paper_too(tmp_path):
    """A Legend code and the paper's title holding control characters (a status is named
    by its code in Word's styles; the title is the document's property): the Word paper is
    written, each status keeps a style of its own, and the title is kept without them."""
    legend = [
        ["Code", "Meaning", "Colour", "Complete"],
        ["G", "Done", "00B050", "Yes"],
        ["A/G", "On track", "FFC000", "No"],
        ["A/G_x001B_", "Pasted", "FF0000", "No"],
    ]
    settings = [
        ["Setting", "Value"],
        ["Paper title", "Board_x0007_ paper"],
        ["As-at date", "2019-09-30"],
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Actions"
    for row in [
        ["Ref", "Action", "Lead", "Due", "Progress", "RAG"],
        ["1", "Act", "KD", "31/03/2020", "p", "A/G"],
        ["2", "Act again", "KD", "31/03/2020", "p", "A/G_x001B_"],
    ]:
        sheet.append(row)
    for name, rows in (("Legend", legend), ("Settings", settings)):
        other = book.create_sheet(name)
        for row in rows:
            other.append(row)
    book.save(tmp_path / "t.xlsx")  # "_x001B_" is how a sheet spells ESC: read as ESC
    result = run_cli("build", str(tmp_path / "t.xlsx"), "-o", str(tmp_path / "p.xlsx"),
                     "--docx", timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "p.docx") as package:
        core = package.read("docProps/core.xml").decode()
        styles = package.read("word/styles.xml").decode()
    assert "<dc:title>Board paper</dc:title>" in core
    assert 'w:val="Paper rag A/G"' in styles and 'w:val="Paper rag A/G\\x1b"' in styles


def test_writer_follows_any_sheet_shape(tmp_path):
    """A sheet of the layout's generic parts: its own columns, bands, a note and a legend."""
    styles = {
        "title": Style(size=16, bold=True),
        "header": Style(bold=True, fill="005EB8", colour="FFFFFF"),
        "band": Style(bold=True, fill="DCE6F1"),
        "text": Style(),
        "note": Style(italic=True),
        "rag B": Style(fill="0070C0", colour="FFFFFF"),
        "legend meaning": Style(),
    }
    rows = [
        (["May 2012 log", None, None], ["title"] * 3),
        (["No", "Action", "Status"], ["header"] * 3),
        (["May 2012", None, None], ["band"] * 3),
        (["01.05", "Write the paper", "Not yet due"], ["text"] * 3),
        (["Nothing else this month", None, None], ["note"] * 3),
        ([None, None, None], [None] * 3),
        (["B", "Complete and evidenced", None], ["rag B", "legend meaning", "legend meaning"]),
    ]
    sheet = SheetLayout(
        name="Log",
        values=[list(v) for v, _ in rows],
        styles=[list(s) for _, s in rows],
        column_widths=[6.0, 30.0, 12.0],
        row_heights=[15.0] * len(rows),
        merges=["A1:C1", "A3:C3", "A5:C5", "B7:C7"],
        print_setup=PrintSetup(orientation="portrait"),
    )
    layout = PaperLayout(title="Log", position="", styles=styles, sheets=[sheet])
    assert [row_role(s) for _, s in rows] == [
        "title", "header", "band", "body", "note", "gap", "legend"
    ]  # fmt: skip
    document = docx.Document(str(write_docx(layout, tmp_path / "log.docx").path))
    assert document.sections[0].orientation == WD_ORIENT.PORTRAIT
    data, legend = document.tables
    assert _rows(data) == [
        ["No", "Action", "Status"],
        ["May 2012"],
        ["01.05", "Write the paper", "Not yet due"],
        ["Nothing else this month"],  # a note under a table's rows stays in the table
    ]
    assert len(data.columns) == 3
    assert _rows(legend) == [["B", "Complete and evidenced"]]
    assert _fill(legend._tbl.tr_lst[0].tc_lst[0]) == "0070C0"


# --- the trust's template ---------------------------------------------------------------------


def _template(path: Path, *, placeholder: bool = True) -> Path:
    """A trust's paper template: a styled heading, a page header, the placeholder between two
    paragraphs; saved as a .dotx when the name says so."""
    document = docx.Document()
    heading = document.styles["Heading 1"]
    heading.font.name = "Georgia"
    heading.font.size = docx.shared.Pt(20)
    document.sections[0].header.paragraphs[0].text = "Trust Board - Part 1 (public) - Item 7"
    document.add_heading("Well-led action plan: quarterly position", level=1)
    document.add_paragraph("Purpose: for assurance. Author: Trust Secretary.")
    if placeholder:
        document.add_paragraph(PLACEHOLDER)
    document.add_paragraph("Recommendation: the Board is asked to note the position.")
    stream = io.BytesIO()
    document.save(stream)
    if path.suffix == ".dotx":  # a template differs from a document in its main content type
        source = zipfile.ZipFile(stream)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == "[Content_Types].xml":
                    data = data.replace(b"document.main+xml", b"template.main+xml")
                package.writestr(info, data)
    else:
        path.write_bytes(stream.getvalue())
    return path


@pytest.mark.parametrize("suffix", [".docx", ".dotx"])
def test_the_paper_replaces_the_placeholder_of_the_trusts_template(tmp_path, suffix):
    template = _template(tmp_path / f"board{suffix}")
    report = build_board_paper(SAMPLE, AS_AT, output=tmp_path / "p.xlsx", docx_template=template)
    written = Path(report.paths["docx"])
    assert written == tmp_path / "p.docx"
    with zipfile.ZipFile(written) as package:
        types = package.read("[Content_Types].xml").decode()
    assert "wordprocessingml.document.main+xml" in types and "template.main" not in types
    document = docx.Document(str(written))
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[0] == "Well-led action plan: quarterly position"
    assert texts[1].startswith("Purpose: for assurance")
    assert texts[2] == "The well-led framework"
    assert texts[-1].startswith("Recommendation:")
    assert PLACEHOLDER not in "\n".join(texts)
    headings = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in headings] == [
        texts[0],
        "The well-led framework",  # Part A's title, then Part B's
        "The well-led framework",
        "The well-led framework: summary",
    ]
    assert document.styles["Heading 1"].font.name == "Georgia"  # the template's, untouched
    assert {t.style.name for t in document.tables} == {"Table Grid"}
    # The template's pages keep its portrait setup and its header; the paper is landscape.
    orientations = [s.orientation for s in document.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, *[WD_ORIENT.LANDSCAPE] * 3, WD_ORIENT.PORTRAIT]
    first, *paper, last = document.sections
    for section in (first, last):
        assert section.header.paragraphs[0].text == "Trust Board - Part 1 (public) - Item 7"
    assert all("Position as at" in s.header.paragraphs[0].text for s in paper)


def test_without_a_placeholder_the_paper_goes_at_the_end(tmp_path):
    template = _template(tmp_path / "board.docx", placeholder=False)
    report = build_board_paper(SAMPLE, AS_AT, output=tmp_path / "p.xlsx", docx_template=template)
    document = docx.Document(report.paths["docx"])
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[2].startswith("Recommendation:") and texts[3] == "The well-led framework"
    orientations = [s.orientation for s in document.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, *[WD_ORIENT.LANDSCAPE] * 3]  # no blank page


def test_a_template_that_is_not_a_word_document_is_refused_before_writing(tmp_path):
    fake = tmp_path / "board.dotx"
    fake.write_bytes(b"not a zip")
    out = tmp_path / "p.xlsx"
    for template in (fake, tmp_path / "missing.docx", tmp_path / "board.doc"):
        result = run_cli(
            "build", str(SAMPLE), "-o", str(out), "--docx-template", str(template), timeout=120
        )
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(template) in lines[0] and "Traceback" not in lines[0]
    assert not out.exists() and not out.with_suffix(".docx").exists()


# --- the command line and the scheduled run -------------------------------------------------


def test_build_docx_writes_beside_the_workbook_and_says_so(tmp_path):
    out = tmp_path / "board" / "paper.xlsx"
    result = run_cli("build", str(SAMPLE), "--as-at", "2019-09-30", "-o", str(out), "--docx",
                     "--json", timeout=120)  # fmt: skip
    assert result.returncode == 1, result.stderr  # the sample has errors; the papers are written
    assert json.loads(result.stdout)["paths"] == {
        "xlsx": str(out),
        "docx": str(out.with_suffix(".docx")),
    }
    assert docx.Document(str(out.with_suffix(".docx"))).tables
    plain = run_cli("build", str(SAMPLE), "-o", str(out), "--docx", timeout=120)
    assert f"wrote {out.with_suffix('.docx')}" in plain.stdout.splitlines()


def test_refresh_writes_the_word_paper_when_the_config_says_docx(tmp_path):
    shutil.copyfile(SAMPLE, tmp_path / "north.xlsx")
    config = tmp_path / "refresh.toml"
    config.write_text('trackers = ["north.xlsx"]\nas_at = "2019-09-30"\ndocx = true\n')
    result = run_cli("refresh", "--config", str(config), "--json", timeout=180)
    assert result.returncode == 1, result.stderr
    files = json.loads(result.stdout)["trackers"][0]["files"]
    paper = tmp_path / "north_board_paper_2019-09-30.docx"
    assert str(paper) in files and docx.Document(str(paper)).tables
    paper.unlink()
    result = run_cli("refresh", "--config", str(config), "--no-docx", timeout=180)
    assert result.returncode == 1 and not paper.exists()
    config.write_text('trackers = ["north.xlsx"]\ndocx = "yes"\n')
    bad = run_cli("refresh", "--config", str(config), timeout=60)
    assert bad.returncode == 2 and "docx must be true or false" in bad.stderr


# --- printed by LibreOffice Writer, read by poppler ------------------------------------------


@pytest.fixture(scope="module")
def pdf(paper: Path) -> Path:
    return render_pdf(paper, paper.with_suffix(".pdf"))


@needs_writer
def test_printed_paper_has_every_ref_band_the_legend_and_page_numbers(pdf):
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "The well-led framework" in flat and "Position as at end of September 2019" in flat
    for refs in PART_A_BANDS.values():
        for ref in refs:
            assert re.search(rf"\b{ref}\b", flat), ref
    assert "KLOE W1: Is there the leadership capacity and capability" in flat
    assert "KLOE W8: Are there robust systems" in flat
    legend = "Status: " + " ".join(f"{e.code} {e.meaning}" for e in SAMPLE_LEGEND.entries)
    pages = text.split("\f")
    assert all(legend in " ".join(page.split()) for page in pages if page.strip())
    assert "Page 1 of" in flat and re.search(r"Page (\d+) of \1\b", flat)
    assert "RAG status by KLOE and for Part B" in flat
    assert re.search(r"\b14\b", flat)


@needs_writer
def test_printed_first_page_is_not_blank_and_shows_legend_colours(pdf, tmp_path):
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    width, height, pixels = _read_png(next(tmp_path.glob("page*.png")))
    assert width > height  # landscape
    ink = sum(1 for i in range(0, len(pixels), 3) if pixels[i : i + 3] != b"\xff\xff\xff")
    assert ink > width * height // 20  # a tenth of a page of text and table lines at least
    targets = {code: bytes.fromhex(colour) for code, colour in LEGEND_COLOURS.items()}
    counts = dict.fromkeys(targets, 0)
    for i in range(0, len(pixels), 3):
        for code, target in targets.items():
            if all(abs(p - t) <= 6 for p, t in zip(pixels[i : i + 3], target, strict=True)):
                counts[code] += 1
    assert counts["A/G"] > 50 and counts["A/R"] > 50, counts


def _read_png(path: Path) -> tuple[int, int, bytes]:
    """An 8-bit RGB PNG (as pdftoppm writes it) as width, height and RGB bytes, unfiltered."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour_type = header[:4]
    assert (depth, colour_type) == (8, 2)
    raw, stride, rows, previous = zlib.decompress(b"".join(chunks)), width * 3, [], bytes(width * 3)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for x in range(stride):
            left = line[x - 3] if x >= 3 else 0
            up, corner = previous[x], previous[x - 3] if x >= 3 else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (
                    line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)
                ) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, b"".join(rows)
