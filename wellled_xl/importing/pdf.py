"""Read a PDF board paper with pdfplumber: its text lines and ruled tables, page by page."""

from __future__ import annotations

from pathlib import Path

from wellled_xl import errors
from wellled_xl.importing.paper import Block, clean_cell
from wellled_xl.preflight import MB, Limits

MAX_PAGES = 2_000  # a board paper of 10,000 actions is about 3,000 pages; more is not one


def read_blocks(path: Path) -> list[Block]:
    """Each page's lines outside its tables and its tables, top to bottom. A cell's
    wrapped lines are joined; a table at the top of a page after the first is marked as
    continued, so a row split over the page break is joined again."""
    limits = Limits.from_env()
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise errors.NotAPaper(path, f"cannot be read ({exc.strerror or exc})") from exc
    if b"%PDF-" not in head:
        why = "the file is empty (0 bytes)" if not head else "it does not start like a PDF"
        raise errors.NotAPaper(path, f"not a PDF: {why}")
    if size > limits.max_uncompressed_mb * MB:
        raise errors.LimitExceeded(
            path,
            f"the file is {size / MB:.0f} MB, over the limit of {limits.max_uncompressed_mb} MB "
            "(WELLLED_XL_MAX_UNCOMPRESSED_MB)",
        )
    import pdfplumber

    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:  # pdfminer raises many kinds for a damaged or locked file
        raise _unreadable(path, exc) from exc
    with pdf:
        try:
            pages = pdf.pages
        except Exception as exc:
            raise _unreadable(path, exc) from exc
        if len(pages) > MAX_PAGES:
            raise errors.LimitExceeded(
                path, f"it has {len(pages):,} pages; a board paper has fewer than {MAX_PAGES:,}"
            )
        blocks: list[Block] = []
        text_seen = pictures = False
        for number, page in enumerate(pages, start=1):
            try:
                page_blocks = _page(page, number)
                text_seen = text_seen or bool(page.chars)
                pictures = pictures or bool(page.images)
            except Exception as exc:
                raise errors.NotAPaper(
                    path, f"page {number}: its table cannot be read ({type(exc).__name__}: {exc})"
                ) from exc
            finally:
                page.close()
            blocks.extend(page_blocks)
    if not text_seen:
        raise errors.NotAPaper(
            path,
            "a scanned PDF: its pages are pictures, with no text to read; import the Word "
            "original, or a PDF printed from it"
            if pictures
            else "the PDF holds no text",
        )
    return blocks


def _page(page, number: int) -> list[Block]:
    tables = page.find_tables()
    placed: list[tuple[float, Block]] = []
    for index, table in enumerate(tables):
        rows = [[clean_cell(cell, join_lines=True) for cell in row] for row in table.extract()]
        continued = number > 1 and index == 0
        placed.append((table.bbox[1], Block("table", "", rows, f"page {number}", continued)))
    boxes = [table.bbox for table in tables]
    for line in page.extract_text_lines():
        middle = (line["top"] + line["bottom"]) / 2
        inside = any(x0 <= line["x0"] <= x1 and top <= middle <= bottom
                     for x0, top, x1, bottom in boxes)  # fmt: skip
        if not inside:
            placed.append((line["top"], Block("line", line["text"].strip(), [], f"page {number}")))
    return [block for _, block in sorted(placed, key=lambda item: item[0])]


def _unreadable(path: Path, exc: Exception) -> errors.NotAPaper:
    # pdfplumber wraps pdfminer's errors (PDFPasswordIncorrect): look down the chain.
    chain, seen = [], exc
    while seen is not None and len(chain) < 5:
        chain += [seen, *(a for a in seen.args if isinstance(a, BaseException))]
        seen = seen.__cause__ or seen.__context__
    text = " ".join(f"{type(e).__name__} {e}" for e in chain).lower()
    if "password" in text or "encrypt" in text:
        return errors.NotAPaper(
            path, "the PDF is password-protected; open it and save a copy without the password"
        )
    return errors.NotAPaper(
        path, f"not a readable PDF, damaged or cut short ({exc or type(exc).__name__})"
    )
