"""`import`: a controlled tracker from a board paper in Word or PDF, and what it refuses.

Inputs: a Word paper laid out like the seed, made here with python-docx (KLOE band rows
merged across the table, original and revised dates in one timescale cell, legend tables,
Part B's number column with a blank header); its PDF printed by LibreOffice Writer; and
the .docx and .pdf that `build --docx --pdf` writes for the sample tracker. Each must
give the seed's 30 actions and the sample's overdue list as at 30 September 2019, with
Part B item 2's `AG` still as typed. The written tracker is read back with python-calamine.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from real_trackers import SEED_LEGEND
from test_sample import EXPECTED_OVERDUE, SAMPLE
from trackers import read_sheets, run_cli

from wellled_xl import errors
from wellled_xl.importing.paper import import_paper
from wellled_xl.pipeline import build_board_paper, check
from wellled_xl.read import read_tracker
from wellled_xl.sample import SAMPLE_ACTIONS, SAMPLE_FINDINGS, _month_label

AS_AT = date(2019, 9, 30)
KLOE_TEXT = {
    "W1": "Is there the leadership capacity and capability to deliver high quality, "
    "sustainable care?",
    "W2": "Is there a clear vision and credible strategy to deliver high quality sustainable "
    "care to people who use services, and robust plans to deliver?",
    "W3": "Is there a culture of high quality, sustainable care?",
    "W4": "Are there clear responsibilities, roles and systems of accountability to support "
    "good governance and management?",
    "W5": "Are there clear and effective processes for managing risks, issues and performance?",
    "W6": "Is robust and appropriate information being effectively processed and challenged?",
    "W7": "Are the people who use services, the public, staff and external partners engaged "
    "and involved to support high quality sustainable services?",
    "W8": "Are there robust systems, processes for learning, continuous improvement and "
    "innovation?",
}
LEGEND = SEED_LEGEND  # the legend row the seed prints under each table


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip("LibreOffice is not installed")
    return found


def _table(document, header: list[str]):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    return table


def _legend(document) -> None:
    table = _table(document, LEGEND)
    for cell in table.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.font.size = Pt(7)


def _seed_paper(path: Path) -> Path:
    """The seed board paper in Word, as a governance officer types it."""
    document = docx.Document()
    section = document.sections[0]
    section.orientation = 1
    section.page_width, section.page_height = section.page_height, section.page_width
    for line in (
        "The well-led framework",
        "PART A Board self-review against KLOEs: 2018/19 deliverables",
        "PART B CQC Inspection findings: October 2018",
        "Position as at end of September 2019",
        "PART A: Board self-review against KLOEs – Delivery Status",
    ):
        document.add_paragraph(line)
    header = ["Ref:", "Planned action", "Timescale", "Lead", "Success measure",
              "Progress update", "RAG"]  # fmt: skip
    table = _table(document, header)
    _repeat_header(table.rows[0])
    kloe = ""
    for action in SAMPLE_ACTIONS:
        if action["kloe"] != kloe:
            kloe = str(action["kloe"])
            band = table.add_row().cells
            band[0].text = "KLOE"
            merged = band[1].merge(band[-1])
            merged.text = f"{kloe}: {KLOE_TEXT[kloe]}"
        months = [action["original_due"], *str(action["previous_revisions"] or "").split("; ")]
        months += [action["revised_due"]]
        timescale = " ".join(
            m if " " in m else _month_label(m) for m in months if m
        )  # "March 2019 July 2019": original and revision in one cell
        values = [action["ref"], action["action"], timescale, action["lead"],
                  action["success_measure"], action["progress"], action["rag"]]  # fmt: skip
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = str(value or "")
    document.add_paragraph()
    _legend(document)
    document.add_paragraph("PART B CQC Inspection provider well-led findings: October 2018")
    table = _table(document, ["", "CQC finding", "Planned action", "Progress", "Lead", "RAG"])
    _repeat_header(table.rows[0])
    for finding in SAMPLE_FINDINGS:
        values = [f"{finding['ref']}.", finding["finding"], finding["action"],
                  finding["progress"], finding["lead"], finding["rag"]]  # fmt: skip
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = str(value or "")
    document.add_paragraph()
    _legend(document)
    document.save(path)
    return path


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _print_pdf(source: Path, out_dir: Path) -> Path:
    subprocess.run(
        [_soffice(), f"-env:UserInstallation=file://{out_dir}/profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(out_dir), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return out_dir / f"{source.stem}.pdf"


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("papers")
    seed = _seed_paper(folder / "seed_paper.docx")
    built = build_board_paper(SAMPLE, AS_AT, output=folder / "built.xlsx", docx=True, pdf=True)
    return {
        "seed docx": seed,
        "seed pdf": _print_pdf(seed, folder),
        "built docx": Path(built.paths["docx"]),
        "built pdf": Path(built.paths["pdf"]),
    }


@pytest.mark.parametrize("kind", ["seed docx", "seed pdf", "built docx", "built pdf"])
def test_a_paper_imports_to_the_seeds_actions_and_overdue_list(
    papers: dict[str, Path], kind: str, tmp_path: Path
) -> None:
    adoption = import_paper(papers[kind], tmp_path / "tracker.xlsx")
    assert (adoption.part_a, adoption.part_b) == (16, 14)
    assert adoption.as_at == AS_AT
    report = check(read_tracker(adoption.path))  # as at the Settings' date, from the paper
    assert report.as_at == AS_AT
    overdue = [
        (a.ref, a.lead, a.rag, a.due_date.isoformat(), a.days_overdue, a.slipped)
        for a in report.overdue
    ]
    assert overdue == EXPECTED_OVERDUE
    sheets = read_sheets(adoption.path)
    findings = sheets["Findings"]
    item_2 = next(row for row in findings[1:] if str(row[0]).rstrip(".") == "2")
    assert item_2[findings[0].index("RAG")] == "AG"  # as printed, not corrected
    legend = [row[0] for row in sheets["Legend"][1:] if row[0]]
    assert legend == ["G", "A/G", "A/R"]
    kloes = dict(row[:2] for row in sheets["KLOE"][1:] if row[0])
    assert kloes["W3"] == KLOE_TEXT["W3"]
    rules = {(f.rule, str(f.value)) for f in report.findings}
    assert ("rag-unknown", "R") in rules and ("rag-unknown", "AG") in rules
    assert ("lead-not-person", "Varied") in rules
    assert ("lead-multiple", "DMc / AK / MS") in rules


def test_import_on_the_command_line(papers: dict[str, Path], tmp_path: Path) -> None:
    done = run_cli("import", str(papers["seed docx"]), "-o", str(tmp_path / "t.xlsx"), timeout=60)
    assert done.returncode == 0, done.stderr
    assert "16 Part A and 14 Part B actions" in done.stdout


def _encrypted_pdf(source: Path, target: Path) -> Path:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=str(source))
    writer.encrypt("secret")
    with open(target, "wb") as handle:
        writer.write(handle)
    return target


def _scanned_pdf(target: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (200, 280), "white").save(target, "PDF")
    return target


def _bad_inputs(folder: Path, papers: dict[str, Path]) -> dict[str, tuple[Path, str]]:
    no_table = docx.Document()
    no_table.add_paragraph("Minutes of the Board meeting")
    no_table.save(folder / "minutes.docx")
    corrupt = folder / "corrupt.pdf"
    corrupt.write_bytes(papers["seed pdf"].read_bytes()[:2000])
    cut = folder / "cut.docx"
    cut.write_bytes(papers["seed docx"].read_bytes()[:3000])
    import zipfile

    bomb = folder / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document>" + b" " * 5_000_000)
    hostile = folder / "hostile.docx"
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><w:document/>',
        )
    return {
        "no table": (folder / "minutes.docx", "no action table"),
        "corrupt pdf": (corrupt, "not a readable PDF"),
        "cut docx": (cut, "zip"),
        "zip bomb": (bomb, "WELLLED_XL_MAX_RATIO"),
        "DTD": (hostile, "DOCTYPE"),
        "text as pdf": (_text(folder / "notes.pdf"), "not a PDF"),
        "other suffix": (_text(folder / "paper.txt"), ".docx or a .pdf"),
        "scanned": (_scanned_pdf(folder / "scanned.pdf"), "scanned"),
        "password": (_encrypted_pdf(papers["seed pdf"], folder / "locked.pdf"), "password"),
    }


def _text(path: Path) -> Path:
    path.write_text("Ref,Action\n1,Do it\n")
    return path


def test_bad_papers_are_one_line_and_exit_2(papers: dict[str, Path], tmp_path: Path) -> None:
    for name, (path, words) in _bad_inputs(tmp_path, papers).items():
        with pytest.raises(errors.WellledError) as caught:
            import_paper(path, tmp_path / f"{name}.xlsx")
        assert words in str(caught.value), (name, str(caught.value))
        assert caught.value.exit_code == errors.EXIT_UNUSABLE
        assert not (tmp_path / f"{name}.xlsx").exists()
    done = run_cli("import", str(tmp_path / "scanned.pdf"), timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
