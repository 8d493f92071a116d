"""Read a Word board paper with python-docx: its paragraphs and tables, in document order."""

from __future__ import annotations

from pathlib import Path

from wellled_xl import errors
from wellled_xl.importing.paper import Block, clean_cell
from wellled_xl.preflight import check_document

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_blocks(path: Path) -> list[Block]:
    """The paper's text lines and tables; a cell merged across columns is read once, in
    its first column (a band row: "KLOE | W1: Is there …")."""
    check_document(path, "word/document.xml", "Word document (.docx)")
    import docx
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a damaged part
        raise errors.NotAPaper(path, f"not a readable Word document ({exc})") from exc
    blocks: list[Block] = []
    tables = 0
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            text = Paragraph(child, document).text.strip()
            for line in text.splitlines():
                if line.strip():
                    blocks.append(Block("line", line.strip(), [], "paragraph"))
        elif child.tag == f"{_W}tbl":
            tables += 1
            table = Table(child, document)
            rows = []
            for tr in child.tr_lst:
                row: list[str] = []
                for tc in tr.tc_lst:
                    row.append(clean_cell(_Cell(tc, table).text))
                    row.extend([""] * (max(tc.grid_span, 1) - 1))
                rows.append(row)
            blocks.append(Block("table", "", rows, f"table {tables}"))
    return blocks
