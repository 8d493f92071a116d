"""Check a workbook file before any parser reads it: what it is, how big it unpacks, no DTDs.

python-calamine inflates each zip entry fully in memory, aborts the whole process when a
cell address or a shared-strings count asks for more memory than there is, and silently
reads a sharedStrings part carrying a DOCTYPE as empty (python-calamine 0.9). So nothing is parsed
until this module has looked at the file with bounded work, except in a process that is
killed if this module refuses the file (readahead.py):

- the first bytes: a zip (.xlsx/.xlsm), an OLE compound file (a legacy .xls, or a
  password-protected workbook: Excel encrypts into an OLE file with an
  ``EncryptionInfo`` stream), text (a CSV renamed), or something else;
- the zip's end record and central directory: entry count, total unpacked size and each
  entry's compression ratio, all as declared, before anything is inflated;
- every XML part, streamed in chunks: no ``<!DOCTYPE``/``<!ENTITY`` (Excel never writes
  one), no cell beyond the row and cell limits, no shared-strings count larger than the
  part could hold. Reading stops at each entry's declared size, and as every XML part is
  read to its end, the zip's CRC check catches one that inflates to other than it declares.

Limits have defaults and can be changed with environment variables (``LIMIT_VARIABLES``);
every refusal says which limit and how to change it.
"""

from __future__ import annotations

import codecs
import concurrent.futures
import functools
import io
import math
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path, PurePosixPath

import defusedxml.ElementTree as SafeET

from wellled_xl import errors

MB = 1024 * 1024
EXCEL_ROWS = 1_048_576  # the rows of Excel's grid
CHUNK = MB  # bytes inflated at a time
_OVERLAP = 256  # bytes carried between chunks, so no marker is split unseen


def _inflating_pool() -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="wellled-xl-inflate")


_READ_AHEAD = _inflating_pool()


def _fresh_read_ahead() -> None:
    """A forked process (readahead.py) has none of its parent's threads: a pool of its own."""
    global _READ_AHEAD
    _READ_AHEAD = _inflating_pool()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_read_ahead)

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    """How much a workbook may ask of the machine before it is refused as too big."""

    max_uncompressed_mb: int = 200  # all entries together, unpacked (and the file itself)
    max_ratio: int = 200  # unpacked : packed, for entries over ratio_min_entry_mb
    ratio_min_entry_mb: int = 1
    max_entries: int = 10_000  # files inside the zip
    # The highest row number a sheet may use: Excel's last row. A stray cell typed there
    # is read (a sheet that holds a few cells is read cell by cell, see read.py); a higher
    # row is in no file Excel writes.
    max_rows: int = EXCEL_ROWS
    # Rows x columns of a sheet's used range: python-calamine holds each cell of it (~32
    # bytes, blank or not), so 9,000,000 cells and the rest of a run stay within 400 MB.
    max_cells: int = 9_000_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, overridden by any WELLLED_XL_MAX_* variable that is set."""
        environ = os.environ if environ is None else environ
        values = {}
        for attribute, variable in LIMIT_VARIABLES.items():
            text = environ.get(variable, "").strip()
            if not text:
                continue
            try:
                value = int(text.replace("_", ""))
            except ValueError:
                value = 0
            if value <= 0:
                raise errors.WellledError(
                    f"{variable}={text!r} is not a whole number above 0; unset it to use "
                    f"the default ({getattr(cls(), attribute)})"
                )
            values[attribute] = value
        return cls(**values)


LIMIT_VARIABLES = {
    "max_uncompressed_mb": "WELLLED_XL_MAX_UNCOMPRESSED_MB",
    "max_ratio": "WELLLED_XL_MAX_RATIO",
    "max_entries": "WELLLED_XL_MAX_ENTRIES",
    "max_rows": "WELLLED_XL_MAX_ROWS",
    "max_cells": "WELLLED_XL_MAX_CELLS",
}

# Markers searched in the raw bytes of every XML part.
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# A cell or row address: <c r="XFD1048576">, <row r="12">, with any prefix or quoting:
# an attribute r after whitespace. The pattern starts at the "r" and looks back for the
# whitespace, because a pattern that starts with a literal is searched for much faster
# than one that starts with \s (which would be tried at every space of every cell text).
_CELL_REF = re.compile(rb"""r(?<=\sr)\s*=\s*["']\$?([A-Za-z]*)\$?([0-9]+)["']""")
# Reading every address costs a match a cell; most sheets need not be read so closely.
# When no attribute is quoted with ' or spaced around its "=", and no address has a second
# letter, every column is between A and Z, and only rows above a threshold can break a
# limit: those are the addresses looked for (_high_row_ref, which finds the wide ones
# too; an attribute r must follow a space, so xmlns:r="http://…" is none); the others
# are left unread.
_ODD_ATTRIBUTE = re.compile(rb"""=(?:(?<=\s=)|\s|')""")
_FORMULA = re.compile(rb"<f[\s>/]")  # searched faster than b"<f" is found with `in`
_PLAIN_COLUMNS = 26  # A to Z
# A sheet is sparse when it uses this many rows and this many times the cells it holds:
# python-calamine would hold its whole used range (about 40 bytes a cell) for a few cells.
SPARSE_ROWS = 100_000
SPARSE_RATIO = 20
# A cell whose type is an error, and its cached value: <c r="F2" s="1" t="e"><v>#N/A</v>.
_ERROR_CELL = re.compile(
    rb"""<c\b[^>]*?\br="([A-Z]{1,3}[0-9]{1,7})"[^>]*?\bt="e"[^>]*>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?<v>([^<]{1,32})</v>"""
)
MAX_ERROR_CELLS = 10_000  # enough to tell every lead; no more held in memory
# A formula cell saved without its value (written by a script, never calculated): the
# formula, then no <v> at all; or, in a cell of no type, an empty <v> (Excel types an empty
# text result t="str" and writes its empty <v>). Readers see it as an empty cell.
_FORMULA_ELEMENT = rb"(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)"
_FORMULA_NO_VALUE = re.compile(
    rb'<c\b(?:(?![^>]*\bt=)[^>]*?\br="([A-Z]{1,3}[0-9]{1,7})"[^>]*>' + _FORMULA_ELEMENT
    + rb'(?:<v\s*/>|<v>\s*</v>)|[^>]*?\br="([A-Z]{1,3}[0-9]{1,7})"[^>]*>' + _FORMULA_ELEMENT
    + rb")</c>"
)  # fmt: skip
# What a cell with such a formula holds, among the error cells: it shows no value.
FORMULA_NO_VALUE = "(a formula with no saved value)"
# A number python-calamine cannot convert: a date-styled number below about -1.07e11 (more
# days than a 64-bit count of milliseconds holds) makes it panic, which no `except` stops,
# and NaN reads as 30 Dec 1899. Excel saves neither, nor an infinity; a program may. Found
# by its value first (a negative number, or one spelt with letters, is rare in a tracker),
# then by the cell around it, which must be a number (no type, or t="n").
_ODD_NUMBER = re.compile(
    rb"<v>\s*(-[0-9.]+(?:[eE][+-]?[0-9]+)?|[+-]?(?:[nN][aA][nN]|[iI][nN][fF]\w*)"
    rb"|[0-9.]+[eE]\+?[0-9]{3,})\s*</v>"
)
_CELL_START = re.compile(rb"""<c\b[^>]*?\br="([A-Z]{1,3}[0-9]{1,7})"[^>]*>""")
_LOWEST_DATE_DAYS = -(2**63) / 86_400_000  # calamine counts a date's milliseconds in an i64
# A hidden column or row as a worksheet part declares it: <col min="6" max="8" hidden="1"/>
# (in <cols>, which comes before <sheetData>) and <row r="7" hidden="true">, with any prefix,
# quoting or spacing. Rows are looked for only where "hidden" is written, from the "<"
# before it: a sheet of 100,000 rows with none hidden costs one byte search a chunk.
_HIDDEN = rb"""\bhidden\s*=\s*["']\s*(?:1|true)\s*["']"""
_HIDDEN_COLUMN = re.compile(rb"<(?:\w+:)?col\b[^>]*?" + _HIDDEN + rb"[^>]*>")
_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?" + _HIDDEN + rb"[^>]*>")
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["']\s*([0-9]+)""")
_COLUMN_SPAN = re.compile(rb"""\s(min|max)\s*=\s*["']\s*([0-9]+)""")
_LAST_COLUMN = 16_384  # XFD


@dataclass(frozen=True)
class HiddenCells:
    """The columns and rows a worksheet hides, as its part declares them: Excel's 1-based
    column spans (min, max) of each hidden <col>, and the numbers of its hidden rows."""

    columns: tuple[tuple[int, int], ...] = ()
    rows: frozenset[int] = frozenset()


class UnreadableNumber(str):
    """Among a sheet's error cells, a cell holding such a number, as its text ("-1e308"):
    the reader gives calamine a copy of the workbook where it is an error cell."""


_SST_COUNT = re.compile(rb"""<(?:\w+:)?sst\b[^>]*?\buniqueCount\s*=\s*["']\s*([0-9]+)""")
# The smallest shared string, "<si/>", is 5 bytes: a part cannot hold more than size / 5.
_SMALLEST_SHARED_STRING = 5
_NAMES_PART_LIMIT = 10 * MB  # workbook.xml and its rels are parsed only up to this size
_WORKSHEET_REL = re.compile(r"/relationships/worksheet$")
_TEXT_BYTES = frozenset(range(0x20, 0x100)) | {0x09, 0x0A, 0x0D}
_OLE_NAMES = {
    name: re.compile(re.escape(name.encode("utf-16-le")) + b"\x00\x00")
    for name in ("EncryptionInfo", "EncryptedPackage", "Workbook", "Book", "WordDocument")
}
_ZIP_KINDS = (
    ("xl/workbook.bin", "an Excel binary workbook (.xlsb); open it in Excel and save it as .xlsx"),
    ("word/document.xml", "a Word document, not an Excel workbook"),
    ("ppt/presentation.xml", "a PowerPoint presentation, not an Excel workbook"),
    ("content.xml", "an OpenDocument file (.ods?); open it and save it as an Excel .xlsx"),
)


@dataclass(frozen=True)
class WorkbookScan:
    """What the pre-flight check learnt about a workbook it let through."""

    path: Path
    parts: tuple[str, ...]  # every entry of the zip, in archive order
    sheet_parts: dict[str, str]  # sheet name -> its worksheet part ("xl/worksheets/...")
    # Cells showing an Excel error (#N/A, #REF! ...): sheet name -> {A1 address: error}.
    # python-calamine reads them as empty, so a lead would be told "empty" instead.
    error_cells: dict[str, dict[str, str]] = field(default_factory=dict)
    # Sheets whose used range is far bigger than the cells they hold (a stray space typed
    # at row 999,999): read cell by cell rather than as one block (read.py).
    sparse: frozenset[str] = frozenset()
    # Cells holding a number python-calamine cannot convert (_ODD_NUMBER): worksheet part ->
    # A1 addresses. Read from `readable_copy`, where each is an error cell.
    odd_numbers: dict[str, set[str]] = field(default_factory=dict)
    # The columns and rows each sheet hides (sheet name -> HiddenCells), for sheets that do.
    hidden_cells: dict[str, HiddenCells] = field(default_factory=dict)
    # The workbook counts dates in Excel's 1904 date system (its workbookPr date1904).
    date1904: bool = False

    def sheet_of(self, part: str) -> str | None:
        """The name of the sheet stored in `part`, if it is a worksheet."""
        return next((name for name, p in self.sheet_parts.items() if p == part), None)


def check_workbook(path: str | os.PathLike[str], limits: Limits | None = None) -> WorkbookScan:
    """Refuse a file that is not a safe .xlsx/.xlsm to parse; otherwise say what is in it.

    Raises NotAWorkbook (not a zip workbook, damaged, encrypted, hostile XML) or
    LimitExceeded (bigger than a limit): both exit 2, one line naming the file.
    """
    source = Path(path)
    limits = limits or Limits.from_env()
    try:
        size = source.stat().st_size
        with open(source, "rb") as handle:
            head = handle.read(4096)
            if not head.startswith(ZIP_MAGIC):
                raise errors.NotAWorkbook(source, _not_a_zip(head, handle))
    except OSError as exc:
        raise errors.UnusableWorkbook(source, f"cannot be read ({exc.strerror or exc})") from exc
    if size > limits.max_uncompressed_mb * MB:
        raise _limit(
            source,
            f"the file is {size / MB:.0f} MB",
            "max_uncompressed_mb",
            limits.max_uncompressed_mb,
            "MB",
        )
    _check_entry_count(source, size, limits)
    try:
        with zipfile.ZipFile(source) as archive:
            return _check_archive(source, archive, limits)
    except (zipfile.BadZipFile, zlib.error) as exc:
        raise errors.NotAWorkbook(
            source, f"damaged or truncated zip: {exc} (was a copy or download cut short?)"
        ) from exc
    except (NotImplementedError, EOFError, OSError, ValueError, RuntimeError) as exc:
        raise errors.NotAWorkbook(source, f"damaged or unreadable zip: {exc}") from exc


# --- What a file that is not a zip looks like --------------------------------------------


def _not_a_zip(head: bytes, handle) -> str:
    if not head:
        return "the file is empty (0 bytes), not a workbook"
    if head.startswith(OLE_MAGIC):
        return _describe_ole(_ole_streams(handle))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return (
            "looks like Unicode text (Excel's 'Unicode Text' export), not a workbook; "
            "open it in Excel and save it as an Excel Workbook (.xlsx)"
        )
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return (
            "looks like an HTML or XML file, not an .xlsx workbook (some systems export web "
            "pages named .xls); open it in Excel and save it as an Excel Workbook (.xlsx)"
        )
    if sum(byte in _TEXT_BYTES for byte in head) >= 0.95 * len(head):
        return (
            "looks like CSV or plain text, not an Excel workbook; open it in Excel and save "
            "it as an Excel Workbook (.xlsx)"
        )
    return "not an Excel workbook: it does not start like an .xlsx (zip) file"


def _ole_streams(handle) -> set[str]:
    """Names of the OLE directory entries this module cares about.

    A directory entry is 128 bytes, aligned to 128 in the file: its UTF-16 name, then at
    byte 64 the name's length in bytes with the terminator. Matching that shape finds
    the stream names without trusting (or needing) the file's allocation tables.
    """
    found: set[str] = set()
    handle.seek(0)
    offset, tail = 0, b""
    while chunk := handle.read(CHUNK):
        data = tail + chunk
        base = offset - len(tail)
        for name, pattern in _OLE_NAMES.items():
            for match in pattern.finditer(data):
                start = match.start()
                length_at = start + 64
                if (base + start) % 128 or length_at + 2 > len(data):
                    continue
                if struct.unpack_from("<H", data, length_at)[0] == 2 * (len(name) + 1):
                    found.add(name)
        offset += len(chunk)
        tail = data[-_OVERLAP:]
    return found


def _describe_ole(streams: set[str]) -> str:
    if streams & {"EncryptionInfo", "EncryptedPackage"}:
        return (
            "the workbook is password-protected (encrypted), so it cannot be read; open it "
            "in Excel with the password and save a copy without one (File > Info > Protect "
            "Workbook > Encrypt with Password, clear the password)"
        )
    if streams & {"Workbook", "Book"}:
        return (
            "this is a legacy Excel 97-2003 workbook (.xls); open it in Excel and save it "
            "as an Excel Workbook (.xlsx)"
        )
    if "WordDocument" in streams:
        return "this is a legacy Word document (.doc), not an Excel workbook"
    return (
        "this is an OLE compound file (a legacy .xls or a password-protected workbook), "
        "not an .xlsx workbook; open it in Excel and save it as an Excel Workbook (.xlsx)"
    )


# --- The zip, as declared --------------------------------------------------------------


def _check_entry_count(source: Path, size: int, limits: Limits) -> None:
    """Read the entry count from the end record, before zipfile loads the whole directory."""
    with open(source, "rb") as handle:
        tail_size = min(size, 22 + 65535)
        handle.seek(size - tail_size)
        tail = handle.read(tail_size)
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or end + 22 > len(tail):
            raise errors.NotAWorkbook(
                source,
                "damaged or truncated zip: no end-of-archive record "
                "(was a copy or download cut short?)",
            )
        entries = struct.unpack_from("<H", tail, end + 10)[0]
        locator = end - 20
        if entries == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
            record_at = struct.unpack_from("<Q", tail, locator + 8)[0]
            handle.seek(record_at)
            record = handle.read(56)
            if len(record) == 56 and record[:4] == b"PK\x06\x06":
                entries = struct.unpack_from("<Q", record, 32)[0]
    if entries > limits.max_entries:
        raise _limit(source, f"the zip holds {entries:,} files", "max_entries", limits.max_entries)


def check_document(
    path: str | os.PathLike[str], main_part: str, kind: str, limits: Limits | None = None
) -> None:
    """The same pre-flight for another zip of XML (a Word .docx): the file's size, the
    zip's entries as declared, no encrypted or doubled entries, no DTD in any XML part,
    and `main_part` present. Raises NotAWorkbook or LimitExceeded (exit 2)."""
    source = Path(path)
    limits = limits or Limits.from_env()
    try:
        size = source.stat().st_size
        with open(source, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise errors.UnusableWorkbook(source, f"cannot be read ({exc.strerror or exc})") from exc
    if not head.startswith(ZIP_MAGIC):
        why = "the file is empty (0 bytes)" if not head else f"it does not start like a {kind}"
        if head.startswith(OLE_MAGIC):
            why = f"an OLE file: a legacy .doc, or a password-protected {kind}; save it as .docx"
        raise errors.NotAWorkbook(source, f"not a {kind}: {why}")
    if size > limits.max_uncompressed_mb * MB:
        raise _limit(
            source, f"the file is {size / MB:.0f} MB", "max_uncompressed_mb",
            limits.max_uncompressed_mb, "MB",
        )  # fmt: skip
    _check_entry_count(source, size, limits)
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            _check_entries(source, infos, limits)
            if main_part not in {info.filename for info in infos}:
                raise errors.NotAWorkbook(source, f"a zip file but not a {kind} (no {main_part})")
            for info in infos:
                if not info.is_dir():
                    _scan_part(source, archive, info, limits, False, None)
    except (zipfile.BadZipFile, zlib.error) as exc:
        raise errors.NotAWorkbook(source, f"damaged or truncated zip: {exc}") from exc
    except (NotImplementedError, EOFError, OSError, ValueError, RuntimeError) as exc:
        raise errors.NotAWorkbook(source, f"damaged or unreadable zip: {exc}") from exc


def _check_archive(source: Path, archive: zipfile.ZipFile, limits: Limits) -> WorkbookScan:
    infos = archive.infolist()
    _check_entries(source, infos, limits)
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        kind = next((text for part, text in _ZIP_KINDS if part in names), None)
        raise errors.NotAWorkbook(
            source, kind or "a zip file but not an Excel workbook (it has no xl/workbook.xml)"
        )
    return _scan_workbook_parts(source, archive, infos, names, limits)


def _check_entries(source: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Entry count, doubled or encrypted entries, ratios and total size, as declared."""
    if len(infos) > limits.max_entries:
        raise _limit(
            source, f"the zip holds {len(infos):,} files", "max_entries", limits.max_entries
        )
    seen: dict[str, str] = {}
    total = 0
    for info in infos:
        folded = info.filename.casefold()
        if folded in seen:
            raise errors.NotAWorkbook(
                source,
                f"the zip holds two entries named {info.filename!r}; readers disagree on "
                "which one counts, so it is refused as possibly hostile",
            )
        seen[folded] = info.filename
        if info.flag_bits & 0x1:
            raise errors.NotAWorkbook(
                source, f"zip entry {info.filename} is encrypted; an .xlsx never is"
            )
        total += info.file_size
        packed = max(info.compress_size, 1)
        if (
            info.file_size > limits.ratio_min_entry_mb * MB
            and info.file_size / packed > limits.max_ratio
        ):
            raise _limit(
                source,
                f"zip entry {info.filename} unpacks {info.file_size / packed:,.0f} times its "
                f"packed size ({info.file_size / MB:,.0f} MB from {packed / MB:,.2f} MB): a "
                "zip bomb, or a part padded with blank space",
                "max_ratio",
                limits.max_ratio,
            )
    if total > limits.max_uncompressed_mb * MB:
        raise _limit(
            source,
            f"it unpacks to {total / MB:,.0f} MB",
            "max_uncompressed_mb",
            limits.max_uncompressed_mb,
            "MB",
        )


def _scan_workbook_parts(
    source: Path,
    archive: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    names: set[str],
    limits: Limits,
) -> WorkbookScan:
    # The workbook and its relationships first: they name the sheets for every message.
    first = [n for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") if n in names]
    for name in first:
        _scan_part(source, archive, archive.getinfo(name), limits, False, None)
    sheet_parts, date1904 = _sheet_parts(archive, names)
    # Cell addresses are counted in worksheets only (a theme's r="50000" is no row).
    worksheets = {part: name for name, part in sheet_parts.items()} or {
        name: None for name in names if name.startswith("xl/worksheets/")
    }
    error_cells: dict[str, dict[str, str]] = {}
    sparse: set[str] = set()
    odd_numbers: dict[str, set[str]] = {}
    hidden_cells: dict[str, HiddenCells] = {}
    for info in infos:
        if info.filename not in first and not info.is_dir():
            name = worksheets.get(info.filename) or info.filename
            found, is_sparse, hidden = _scan_part(
                source, archive, info, limits, info.filename in worksheets,
                worksheets.get(info.filename),
            )  # fmt: skip
            if found:
                error_cells[name] = found
            if is_sparse:
                sparse.add(name)
            if hidden.columns or hidden.rows:
                hidden_cells[name] = hidden
            odd = {ref for ref, error in found.items() if isinstance(error, UnreadableNumber)}
            if odd:
                odd_numbers[info.filename] = odd
    return WorkbookScan(
        source,
        tuple(info.filename for info in infos),
        sheet_parts,
        error_cells,
        frozenset(sparse),
        odd_numbers,
        hidden_cells,
        date1904,
    )


# --- Each part, streamed ------------------------------------------------------------------


def iter_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """An entry's bytes in chunks (UTF-16 XML re-encoded as UTF-8), with overlap.

    Each chunk starts with the last bytes of the one before, so a marker split across
    two reads is still seen whole. Reading stops at the entry's declared size.
    """
    with archive.open(info) as stream:
        first = stream.read(CHUNK)
        decoder = None
        if first.startswith((b"\xff\xfe", b"\xfe\xff")) or first[:2] in (b"<\x00", b"\x00<"):
            bom = first[:2]
            encoding = "utf-16-be" if bom in (b"\xfe\xff", b"\x00<") else "utf-16-le"
            decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        tail = b""
        chunk = first
        # A big part is inflated a chunk ahead on a second thread while this one is
        # searched: zlib lets go of the interpreter lock, the searches do not.
        ahead = _READ_AHEAD if info.file_size > 4 * CHUNK else None
        while chunk:
            coming = ahead.submit(stream.read, CHUNK) if ahead else None
            data = decoder.decode(chunk).encode("utf-8") if decoder else chunk
            yield tail + data
            tail = data[-_OVERLAP:] if len(data) >= _OVERLAP else (tail + data)[-_OVERLAP:]
            chunk = coming.result() if coming else stream.read(CHUNK)


def _looks_like_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    if info.filename.lower().endswith((".xml", ".rels", ".vml")):
        return True
    with archive.open(info) as stream:
        head = stream.read(64)
    return head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00").startswith(b"<")


def _scan_part(
    source: Path,
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limits: Limits,
    worksheet: bool,
    sheet: str | None,
) -> tuple[dict[str, str], bool, HiddenCells]:
    """Refuse a DTD anywhere in an XML part, and cell addresses or counts beyond the limits.

    Returns a worksheet's cells that show an Excel error value, by A1 address, whether it
    is sparse (at least SPARSE_ROWS rows used, and SPARSE_RATIO times the cells it holds),
    and the columns and rows it hides.
    """
    found: dict[str, str] = {}
    if info.file_size == 0 or not _looks_like_xml(archive, info):
        return found, False, HiddenCells()
    hidden_columns: dict[tuple[int, int], None] = {}  # in order, once each: chunks overlap
    hidden_rows: set[int] = set()
    before_data = worksheet  # <cols> not yet passed: hidden columns may still come
    cells = 0
    where = f"sheet {sheet!r} ({info.filename})" if sheet else info.filename
    plain = worksheet  # every address so far plainly written, in columns A to Z
    high_row = 0  # the highest row above the threshold that plain addresses name
    high_ref = _high_row_ref(limits)
    for index, chunk in enumerate(iter_part(archive, info)):
        if b"<!" in chunk and _DTD.search(chunk):  # the search is slow; "<!" is rare
            raise errors.NotAWorkbook(
                source,
                f"{where} contains an XML DOCTYPE/entity declaration, which neither Excel "
                "nor Word writes; refusing it as possibly hostile",
            )
        if index == 0:
            _check_shared_strings(source, info, chunk, limits)
        if not worksheet:
            continue
        cells += chunk.count(b"</c>")  # the cells that hold something
        if plain and _ODD_ATTRIBUTE.search(chunk):
            plain = False
        if plain and (refs := high_ref.findall(chunk)):
            if any(wide for wide, _ in refs):
                plain = False
            else:
                high_row = max(high_row, max(int(row) for row in set(map(itemgetter(1), refs))))
                if high_row > limits.max_rows:
                    _check_used_range(source, where, high_row, 1, limits)
                if high_row * _PLAIN_COLUMNS > limits.max_cells:
                    plain = False  # the columns it spans decide: read every address
        if b't="e"' in chunk and len(found) < MAX_ERROR_CELLS:
            for ref, value in _ERROR_CELL.findall(chunk):
                found[ref.decode("ascii")] = value.decode("utf-8", "replace")
        if _FORMULA.search(chunk) and len(found) < MAX_ERROR_CELLS:
            for empty, bare in _FORMULA_NO_VALUE.findall(chunk):
                found[(empty or bare).decode("ascii")] = FORMULA_NO_VALUE
        if len(found) < MAX_ERROR_CELLS:
            found.update(_odd_numbers(chunk))
        if before_data:
            data = _SHEET_DATA.search(chunk)
            end = data.start() if data else len(chunk)
            hidden_columns.update(dict.fromkeys(_hidden_columns(chunk, end)))
            before_data = data is None
        if b"hidden" in chunk:
            hidden_rows.update(_hidden_rows(chunk))
    if not worksheet:
        return found, False, HiddenCells()
    hidden = HiddenCells(tuple(hidden_columns), frozenset(hidden_rows))
    # The rows used: all read when every address is; else known when above the threshold
    # (at the default limits, row 100,000: as low as a sparse sheet's last row may be).
    if not plain:
        return found, _check_every_address(source, archive, info, where, limits, cells), hidden
    return found, _is_sparse(high_row, cells), hidden


def _hidden_columns(chunk: bytes, end: int) -> Iterator[tuple[int, int]]:
    """The (min, max) span of each hidden <col> in `chunk` before `end` (its <sheetData>)."""
    for match in _HIDDEN_COLUMN.finditer(chunk, 0, end):
        span = dict(_COLUMN_SPAN.findall(match.group(0)))
        if b"min" in span:
            first = int(span[b"min"])
            yield first, min(int(span.get(b"max", first)), _LAST_COLUMN)


def _hidden_rows(chunk: bytes) -> Iterator[int]:
    """The number of each hidden <row> in `chunk`, found from each "hidden" written in it.
    A row written without its number (r is optional) cannot be named, and is not."""
    at = chunk.find(b"hidden")
    while at >= 0:
        start = chunk.rfind(b"<", 0, at)
        row = _HIDDEN_ROW.match(chunk, start) if start >= 0 else None
        if row is not None and (number := _ROW_NUMBER.search(row.group(0))):
            yield int(number.group(1))
        at = chunk.find(b"hidden", at + 6)


def _is_sparse(rows: int, cells: int) -> bool:
    """A sheet using `rows` rows for `cells` cells: at least SPARSE_ROWS rows, and
    SPARSE_RATIO times its cells."""
    return rows >= SPARSE_ROWS and rows >= SPARSE_RATIO * cells


@functools.lru_cache(maxsize=8)
def _high_row_ref(limits: Limits) -> re.Pattern[bytes]:
    """An address past column Z (its letters), or a plain one whose row has as many digits
    as the lowest row that could break a limit in columns A to Z (its row): every row
    above that row is among its matches."""
    threshold = min(limits.max_rows, limits.max_cells // _PLAIN_COLUMNS)
    digits = len(str(threshold + 1))
    return re.compile(rb'r="(?<=\sr=")\$?(?:([A-Za-z]{2})|[A-Za-z]?\$?([0-9]{%d,})")' % digits)


def _check_every_address(
    source: Path,
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    where: str,
    limits: Limits,
    cells: int,
) -> bool:
    """The highest row and column of every cell and row address a worksheet names, against
    the limits (attributes written any way XML allows); returns whether the sheet, which
    holds `cells` cells, is sparse.

    A sparse sheet is read cell by cell, each row as wide as the widest: its used range
    is never held, so it is not held to the cells limit, but its rows of cells are.
    """
    max_row = max_col = 0
    for chunk in iter_part(archive, info):
        refs = _CELL_REF.findall(chunk)
        if refs:
            # Only distinct row numbers and column letters are converted: a sheet has
            # far fewer of those than cells.
            numbers = set(map(itemgetter(1), refs))
            letters = set(map(itemgetter(0), refs))
            max_row = max(max_row, max(map(int, numbers)))
            max_col = max(max_col, max(_column_number(column.upper()) for column in letters))
            _check_used_range(source, where, max_row, 1, limits)
    sparse = _is_sparse(max_row, cells)
    if not sparse or cells * max_col > limits.max_cells:
        _check_used_range(source, where, max_row, max_col, limits)
    return sparse


def _odd_numbers(chunk: bytes) -> dict[str, str]:
    """The number cells of `chunk` whose value python-calamine cannot convert, by address."""
    found = {}
    for match in _ODD_NUMBER.finditer(chunk):
        text = match.group(1).decode("ascii")
        try:
            value = float(text)
        except ValueError:  # "infinite" and the like: calamine reads it as text
            continue
        if math.isfinite(value) and value > _LOWEST_DATE_DAYS:
            continue
        start = chunk.rfind(b"<c", 0, match.start())
        cell = _CELL_START.match(chunk, start) if start >= 0 else None
        if cell is None or re.search(rb'\bt="(?!n")', cell.group(0)):
            continue  # text, a shared string's index, an error: not a number
        found[cell.group(1).decode("ascii")] = UnreadableNumber(text)
    return found


def readable_copy(scan: WorkbookScan) -> io.BytesIO:
    """The workbook in memory with every cell in `scan.odd_numbers` made an error cell
    (#NUM!), so that python-calamine reads it as empty instead of stopping the process.
    Only a workbook that holds such a number is copied (a program wrote it, not Excel)."""
    copy = io.BytesIO()
    with zipfile.ZipFile(scan.path) as archive, zipfile.ZipFile(copy, "w") as out:
        for info in archive.infolist():
            data = archive.read(info)
            refs = scan.odd_numbers.get(info.filename)
            if refs:
                cells = re.compile(
                    rb'<c\b[^>]*?\br="(' + b"|".join(r.encode() for r in sorted(refs))
                    + rb')"[^>]*?(?:/>|>.*?</c>)',
                    re.S,
                )  # fmt: skip
                data = cells.sub(rb'<c r="\1" t="e"><v>#NUM!</v></c>', data)
            out.writestr(info, data, zipfile.ZIP_DEFLATED, 1)
    copy.seek(0)
    return copy


def _check_shared_strings(source: Path, info: zipfile.ZipInfo, head: bytes, limits: Limits) -> None:
    """calamine reserves memory for uniqueCount strings up front: that count must be honest."""
    match = _SST_COUNT.search(head)
    if match is None:
        return
    declared = int(match.group(1))
    room = info.file_size // _SMALLEST_SHARED_STRING
    if declared > room:
        raise errors.NotAWorkbook(
            source,
            f"{info.filename} declares {declared:,} shared strings but has room for at most "
            f"{room:,}: damaged, or crafted to exhaust memory",
        )
    if declared > limits.max_cells:
        raise _limit(
            source,
            f"{info.filename} declares {declared:,} distinct strings",
            "max_cells",
            limits.max_cells,
        )


def _check_used_range(source: Path, where: str, max_row: int, max_col: int, limits: Limits) -> None:
    if max_row > limits.max_rows:
        raise _limit(source, f"{where} uses row {max_row:,}", "max_rows", limits.max_rows)
    if max_row * max_col > limits.max_cells:
        raise _limit(
            source,
            f"{where} spans {max_row:,} rows x {max_col:,} columns "
            f"({max_row * max_col:,} cells to hold in memory)",
            "max_cells",
            limits.max_cells,
        )


def _column_number(letters: bytes) -> int:
    """b'A' -> 1, b'XFD' -> 16384; no letters (a row's r="12") -> 1."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return max(number, 1)


def _sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> tuple[dict[str, str], bool]:
    """Sheet name -> worksheet part, from workbook.xml and its relationships (DTD-free now),
    and whether the workbook is in Excel's 1904 date system."""
    wanted = ("xl/_rels/workbook.xml.rels", "xl/workbook.xml")
    if any(n not in names or archive.getinfo(n).file_size > _NAMES_PART_LIMIT for n in wanted):
        return {}, False  # no names in messages rather than a huge tree in memory
    try:
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        book = SafeET.fromstring(archive.read("xl/workbook.xml"))
    except Exception:  # a broken workbook.xml is calamine's to report, with its own words
        return {}, False
    targets = {}
    for rel in rels:
        if _WORKSHEET_REL.search(rel.get("Type", "")) and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id")] = _normalise_part(path)
    r_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    parts = {}
    date1904 = False
    for element in book.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "sheet" and element.get(r_id) in targets:
            parts[element.get("name", "")] = targets[element.get(r_id)]
        elif tag == "workbookPr":  # an xsd:boolean, as calamine reads it
            date1904 = element.get("date1904", "").strip() in ("1", "true")
    return parts, date1904


def _normalise_part(path: str) -> str:
    parts: list[str] = []
    for piece in PurePosixPath(path).parts:
        if piece == "..":
            if parts:
                parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _limit(
    source: Path, what: str, attribute: str, limit: int, unit: str = ""
) -> errors.LimitExceeded:
    label, variable = _LIMIT_LABELS[attribute], LIMIT_VARIABLES.get(attribute)
    how = f"set {variable} to change it" if variable else "this limit is fixed"
    return errors.LimitExceeded(
        source,
        f"{what}, over the safety limit of {limit:,}{' ' + unit if unit else ''} {label} ({how})",
    )


_LIMIT_LABELS = {
    "max_uncompressed_mb": "unpacked",
    "max_ratio": "times (compression ratio)",
    "max_entries": "files in the zip",
    "max_rows": "rows",
    "max_cells": "cells",
}
