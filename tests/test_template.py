"""The controlled tracker as written: read back with python-calamine, LibreOffice and,
for validations, rules, tables and protection only, openpyxl."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
import python_calamine

from wellled_xl.headers import ACTIONS_COLUMNS, FINDINGS_COLUMNS
from wellled_xl.model import DEFAULT_KLOES, DEFAULT_LEGEND, SETTINGS_LABELS, Legend, LegendEntry
from wellled_xl.sample import SAMPLE_LEADS, SAMPLE_LEGEND
from wellled_xl.template import (
    write_sample_tracker,
    write_template,
    write_tracker,
)

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = {
    "tracker_template.xlsx": (
        write_template,
        "wellled-xl new-tracker workbook/tracker_template.xlsx --tracker-id '' --force",
    ),
    "sample_tracker.xlsx": (
        write_sample_tracker,
        "wellled-xl new-tracker workbook/sample_tracker.xlsx --sample --force",
    ),
}
SHEETS = ["Actions", "Findings", "Leads", "Legend", "KLOE", "Settings"]
PART_A_REFS = [
    ("W1a", "W1"), ("W1b", "W1"), ("W2a", "W2"), ("W2b", "W2"), ("W2c", "W2"),
    ("W3a", "W3"), ("W3b", "W3"), ("W3c", "W3"), ("W4a", "W4"), ("W5a", "W5"),
    ("W5b", "W5"), ("W6a", "W6"), ("W6b", "W6"), ("W7a", "W7"), ("W8a", "W8"),
    ("W8b", "W8"),
]  # fmt: skip
# Part A rows overdue at the sample's as-at date (30/09/2019): due before it and not G.
SAMPLE_OVERDUE = {
    "W1a", "W1b", "W2a", "W2b", "W2c", "W3b", "W3c", "W5a", "W5b", "W6b", "W8a", "W8b",
}  # fmt: skip
soffice = shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(soffice is None, reason="LibreOffice is not installed")


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_tracker(tmp_path_factory.mktemp("sample") / "sample.xlsx")


@pytest.fixture(scope="module")
def template_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "template.xlsx")


def calamine_rows(path: Path, sheet: str) -> list[list[object]]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(sheet).to_python()


def records(path: Path, sheet: str) -> list[dict[str, object]]:
    """Data rows as {header: value}, the way a lead sees them."""
    header, *rows = calamine_rows(path, sheet)
    return [dict(zip(header, row, strict=True)) for row in rows]


def normalised_parts(path: Path) -> dict[str, bytes]:
    """Every zip part except the timestamped core properties, XML canonicalised."""
    parts = {}
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if name == "docProps/core.xml":
                continue
            data = archive.read(name)
            if name.endswith((".xml", ".rels")):
                data = ElementTree.canonicalize(data.decode("utf-8")).encode("utf-8")
            parts[name] = data
    return parts


def libreoffice_convert(source: Path, out_dir: Path, fmt: str = "xlsx") -> Path:
    """Convert with a fresh LibreOffice profile, so parallel runs do not clash."""
    profile = out_dir / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    converted = out_dir / f"{source.stem}.{fmt}"
    assert result.returncode == 0 and converted.exists(), result.stderr
    return converted


def column_letter(columns: tuple[tuple[str, str], ...], field: str) -> str:
    return openpyxl.utils.get_column_letter([f for _, f in columns].index(field) + 1)


# ---------------------------------------------------------------- committed workbooks


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_committed_workbook_is_what_the_code_writes(name: str, tmp_path: Path) -> None:
    writer, command = COMMITTED[name]
    committed = ROOT / "workbook" / name
    assert committed.exists(), f"workbook/{name} is missing: regenerate it with `{command}`"
    fresh = writer(tmp_path / name)
    assert normalised_parts(committed) == normalised_parts(fresh), (
        f"workbook/{name} differs from what the code writes now: regenerate it with `{command}`"
    )


def test_writing_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first = write_sample_tracker(tmp_path / "one.xlsx").read_bytes()
    second = write_sample_tracker(tmp_path / "two.xlsx").read_bytes()
    assert first == second


def test_properties_name_the_tool(sample_path: Path) -> None:
    book = openpyxl.load_workbook(sample_path)
    assert book.properties.creator == "wellled-xl"


# ---------------------------------------------------------------- structure


@pytest.mark.parametrize("fixture", ["template_path", "sample_path"])
def test_sheets_and_headers(fixture: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue(fixture)
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == SHEETS
    assert calamine_rows(path, "Actions")[0] == [h for h, _ in ACTIONS_COLUMNS]
    assert calamine_rows(path, "Findings")[0] == [h for h, _ in FINDINGS_COLUMNS]
    assert calamine_rows(path, "Leads")[0] == ["Initials", "Name", "Role", "Email"]
    assert calamine_rows(path, "Legend")[0] == ["Code", "Meaning", "Colour", "Complete"]
    assert calamine_rows(path, "KLOE")[0] == ["KLOE", "Question"]
    settings = calamine_rows(path, "Settings")
    assert settings[0] == ["Setting", "Value"]
    assert [row[0] for row in settings[1:]] == [label for label, _ in SETTINGS_LABELS]


def test_tables_span_rows_and_spare_rows(sample_path: Path, template_path: Path) -> None:
    sample = openpyxl.load_workbook(sample_path)
    assert sample["Actions"].tables["ActionsTable"].ref == "A1:L117"  # 16 rows + 100 spare
    assert sample["Findings"].tables["FindingsTable"].ref == "A1:J115"  # 14 rows + 100 spare
    template = openpyxl.load_workbook(template_path)
    assert template["Actions"].tables["ActionsTable"].ref == "A1:L101"
    expected = {
        "Actions": "ActionsTable",
        "Findings": "FindingsTable",
        "Leads": "LeadsTable",
        "Legend": "LegendTable",
        "KLOE": "KloeTable",
    }
    for sheet, table_name in expected.items():
        table = sample[sheet].tables[table_name]
        assert table.tableStyleInfo.name
        _, min_row, max_col, max_row = openpyxl.utils.range_boundaries(table.ref)
        assert min_row == 1
        assert max_col == sample[sheet].max_column
        filled = sum(1 for row in calamine_rows(sample_path, sheet)[1:] if any(row))
        assert max_row > filled + 1, f"{table_name} has no spare rows"


def test_defined_names_feed_dropdowns(sample_path: Path) -> None:
    names = openpyxl.load_workbook(sample_path).defined_names
    assert names["AsAt"].attr_text == "'Settings'!$B$2"
    for name, column in [
        ("RagCodes", "'Legend'!$A$2"),
        ("RagComplete", "'Legend'!$D$2"),
        ("LeadInitials", "'Leads'!$A$2"),
        ("KloeCodes", "'KLOE'!$A$2"),
    ]:
        formula = names[name].attr_text
        assert formula.startswith(f"OFFSET({column},"), formula
        assert "COUNTA(" in formula


def _validations(sheet) -> dict[str, object]:
    """Data validations by the header of the column they cover (first range)."""
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for rule in sheet.data_validations.dataValidation:
        for cell_range in rule.sqref.ranges:
            found[headers[openpyxl.utils.get_column_letter(cell_range.min_col)]] = rule
    return found


@pytest.mark.parametrize(("sheet_name", "last_row"), [("Actions", 117), ("Findings", 115)])
def test_data_validations(sample_path: Path, sheet_name: str, last_row: int) -> None:
    sheet = openpyxl.load_workbook(sample_path)[sheet_name]
    rules = _validations(sheet)
    assert rules["RAG"].type == "list"
    assert rules["RAG"].formula1 == "RagCodes"
    assert rules["RAG"].errorStyle == "stop"
    lead = rules["Lead"]
    assert (lead.type, lead.formula1) == ("list", "LeadInitials")
    assert lead.errorStyle == "warning"  # "DMc / AK / MS" must be allowed
    assert lead.showInputMessage
    assert '" / "' in lead.prompt
    for header in ("Original due", "Revised due", "Last updated"):
        rule = rules[header]
        assert (rule.type, rule.operator) == ("date", "between")
        assert (rule.formula1, rule.formula2) == ("36526", "73050")  # 1/1/2000 .. 31/12/2099
    if sheet_name == "Actions":
        assert (rules["KLOE"].type, rules["KLOE"].formula1) == ("list", "KloeCodes")
    for rule in sheet.data_validations.dataValidation:
        assert all(r.min_row == 2 and r.max_row == last_row for r in rule.sqref.ranges)


def test_register_and_settings_validations(sample_path: Path) -> None:
    book = openpyxl.load_workbook(sample_path)
    complete = _validations(book["Legend"])["Complete"]
    assert (complete.type, complete.formula1) == ("list", '"Yes,No"')
    as_at = next(
        rule for rule in book["Settings"].data_validations.dataValidation if "B2" in rule.sqref
    )
    assert as_at.type == "date"


def _rules(sheet) -> list[tuple[str, object]]:
    return [
        (str(formatting.sqref), rule)
        for formatting in sheet.conditional_formatting
        for rule in formatting.rules
    ]


@pytest.mark.parametrize(
    ("legend", "codes"),
    [
        (SAMPLE_LEGEND, ["G", "A/G", "A/R"]),
        (DEFAULT_LEGEND, ["G", "A/G", "A/R", "R"]),
        (
            Legend(
                (
                    LegendEntry("B", "Complete and evidenced", "0070C0", True),
                    LegendEntry('Say "no"', "Quoted", "FFFFFF", False),
                )
            ),
            ["B", 'Say "no"'],
        ),
    ],
)
def test_rag_cells_take_their_legend_colour(
    legend: Legend, codes: list[str], tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(write_tracker(tmp_path / "t.xlsx", legend=legend))
    for sheet_name, rag_column in (("Actions", "J"), ("Findings", "H")):
        rag_rules = [
            rule
            for sqref, rule in _rules(book[sheet_name])
            if sqref.startswith(f"{rag_column}2:") and rule.type == "cellIs"
        ]
        assert [rule.formula[0] for rule in rag_rules] == [
            '"' + code.replace('"', '""') + '"' for code in codes
        ]
        for rule, entry in zip(rag_rules, legend.entries, strict=True):
            assert rule.dxf.fill.bgColor.rgb[-6:] == entry.colour
            dark_fill = entry.colour in ("00B050", "FF0000", "0070C0")
            assert rule.dxf.font.color.rgb[-6:] == ("FFFFFF" if dark_fill else "000000")


@pytest.mark.parametrize(
    ("sheet_name", "row_spans", "due_span", "rag"),
    [
        ("Actions", "A2:C117 F2:I117 K2:L117", "D2:E117", "$J2"),
        ("Findings", "A2:C115 F2:G115 I2:J115", "D2:E115", "$H2"),
    ],
)
def test_overdue_rows_are_highlighted_against_as_at(
    sample_path: Path, sheet_name: str, row_spans: str, due_span: str, rag: str
) -> None:
    rules = {sqref: rule for sqref, rule in _rules(openpyxl.load_workbook(sample_path)[sheet_name])}
    row_rule, due_rule = rules[row_spans], rules[due_span]
    for rule in (row_rule, due_rule):
        assert rule.type == "expression"
        formula = rule.formula[0]
        assert "<AsAt" in formula
        assert f'COUNTIFS(RagCodes,{rag},RagComplete,"Yes")=0' in formula
        assert rule.dxf.fill.bgColor.rgb[-6:] == "FFC7CE"
    assert row_rule.formula == due_rule.formula
    assert due_rule.dxf.font.b
    assert due_rule.dxf.font.color.rgb[-6:] == "C00000"


def test_protection(sample_path: Path) -> None:
    book = openpyxl.load_workbook(sample_path)
    for sheet in book.worksheets:
        protection = sheet.protection
        assert protection.sheet, sheet.title
        assert not protection.password, sheet.title
        # False means allowed: the officer can add rows, format, sort and filter.
        assert not protection.insertRows
        assert not protection.formatCells
        assert not protection.sort
        assert not protection.autoFilter
        assert all(cell.protection.locked for cell in sheet[1]), sheet.title
    for sheet_name, check, last_row in (("Actions", "L", 117), ("Findings", "J", 115)):
        sheet = book[sheet_name]
        for row in (2, 50, last_row):
            for cell in sheet[row]:
                assert cell.protection.locked == (cell.column_letter == check), cell.coordinate
    for sheet_name in ("Leads", "Legend", "KLOE"):
        sheet = book[sheet_name]
        last_row = openpyxl.utils.range_boundaries(next(iter(sheet.tables.values())).ref)[3]
        assert not any(cell.protection.locked for cell in sheet[last_row])
        assert not any(cell.protection.locked for cell in sheet[2])
    settings = book["Settings"]
    for row in range(2, len(SETTINGS_LABELS) + 2):
        assert settings.cell(row, 1).protection.locked
        assert not settings.cell(row, 2).protection.locked


def test_usability(sample_path: Path) -> None:
    book = openpyxl.load_workbook(sample_path)
    actions = book["Actions"]
    assert actions.freeze_panes == "B2"
    assert actions.page_setup.orientation == "landscape"
    assert actions.print_title_rows == "$1:$1"
    assert actions["A1"].font.b
    assert actions["I2"].alignment.wrap_text  # progress update
    assert actions.column_dimensions["I"].width >= 50
    assert actions["D2"].number_format == "mmmm yyyy"  # "March 2019", as the paper
    assert actions["D50"].number_format == "dd/mm/yyyy"  # spare rows: a lead's real date
    assert actions["A50"].number_format == "@"  # a typed ref stays text
    assert book["Settings"]["B2"].number_format == "dd/mm/yyyy"


# ---------------------------------------------------------------- the sample's values


def test_sample_part_a_rows_in_order_under_their_kloe(sample_path: Path) -> None:
    rows = records(sample_path, "Actions")
    assert [(row["Ref"], row["KLOE"]) for row in rows] == PART_A_REFS


def test_sample_part_a_keeps_the_mess(sample_path: Path) -> None:
    rows = {row["Ref"]: row for row in records(sample_path, "Actions")}
    assert rows["W1b"]["RAG"] == "R"
    assert rows["W2a"]["Lead"] == "Varied"
    assert rows["W4a"]["Lead"] == "DMc / AK / MS"
    assert rows["W4a"]["Planned action"] == ""
    assert rows["W6a"]["Progress update"].endswith("as per the plan. UPDATE AWAITED")
    assert rows["W6b"]["Progress update"].endswith("pilot ward in April 2019. UPDATE AWAITED")
    assert rows["W6a"]["RAG"] == "G"
    assert "our other out-tage systems" in rows["W2b"]["Progress update"]
    assert "31 st March 2020" in rows["W5b"]["Progress update"]
    assert rows["W3a"]["Progress update"].startswith(
        "Detailed review of the 162 colleagues who scored A4 has been undertaken and reviewed "
        "by the People and OD Committee."
    )
    assert rows["W3c"]["Success measure"] == (
        "New plan agreed at November 2019 board. Update being given at October 2019 Trust "
        "Board meeting"
    )
    assert rows["W7a"]["Planned action"] == (
        "Friends and family data volumes increased to the West Midlands mean (25%)"
    )
    assert rows["W8b"]["Progress update"].endswith(
        "resource has contributed to this. Work will be restarted, and the senior support post "
        "advertised."
    )
    assert all(row["Last updated"] == "" for row in rows.values())
    assert all(row["Check"] == "" for row in rows.values())


@pytest.mark.parametrize(
    ("ref", "original", "revised", "previous"),
    [
        ("W1a", date(2019, 3, 31), date(2019, 7, 31), ""),
        ("W1b", date(2019, 2, 28), "", ""),
        ("W3a", date(2019, 3, 31), date(2019, 12, 31), ""),  # "March 2019" / "December 19"
        ("W4a", date(2019, 12, 31), "", ""),
        ("W5a", date(2019, 2, 28), date(2019, 6, 30), ""),  # "February June 2019"
        ("W6a", date(2019, 3, 31), date(2019, 4, 30), ""),  # "March April 2019"
        ("W8a", date(2019, 1, 31), date(2019, 4, 30), "March 2019"),  # "January March April"
    ],
)
def test_sample_timescales(
    sample_path: Path, ref: str, original: date, revised: date | str, previous: str
) -> None:
    row = next(row for row in records(sample_path, "Actions") if row["Ref"] == ref)
    assert (row["Original due"], row["Revised due"], row["Previous revisions"]) == (
        original,
        revised,
        previous,
    )


def test_sample_part_b(sample_path: Path) -> None:
    rows = records(sample_path, "Findings")
    assert [row["No."] for row in rows] == [str(n) for n in range(1, 15)]
    by_number = {row["No."]: row for row in rows}
    assert by_number["2"]["RAG"] == "AG"
    assert by_number["2"]["Lead"] == "RW"
    assert by_number["5"]["Progress update"] == "As per item 2 above."
    assert "2018-19and 2019-20" in by_number["1"]["Planned action"]
    assert by_number["6"]["CQC finding"].endswith(
        "Feedback as to the effectiveness of the freedom to speak up function was varied."
    )
    assert by_number["10"]["Planned action"].endswith("as those for risk register mitigation")
    assert by_number["10"]["Progress update"].endswith(
        "In January we will review across all areas of risk our arrangements for the year ahead."
    )
    assert by_number["13"]["CQC finding"].startswith(
        "There was a range of strategies in place to engage with staff, however the trust"
    )
    assert "closely with Healthwatch to tackle" in by_number["13"]["Planned action"]
    assert by_number["13"]["Progress update"].endswith(
        "The plan is based on engaging with community groups already working with the Trust "
        "on specialty specific issues."
    )
    assert [row["RAG"] for row in rows] == [
        "A/G", "AG", "G", "A/G", "A/G", "A/G", "A/G", "A/R", "A/G", "A/R", "A/R", "A/G", "A/R",
        "A/G",
    ]  # fmt: skip
    for row in rows:
        assert (row["Original due"], row["Revised due"], row["Last updated"]) == ("", "", "")


def test_sample_registers_and_settings(sample_path: Path) -> None:
    legend = calamine_rows(sample_path, "Legend")[1:]
    assert legend == [
        ["G", "Action completed and improvement achieved", "00B050", "Yes"],
        ["A/G", "Clear plan for delivery but not yet completed", "FFC000", "No"],
        ["A/R", "We either lack a plan or confidence in that plan", "FF7C80", "No"],
    ]
    leads = [row[0] for row in calamine_rows(sample_path, "Leads")[1:]]
    assert leads == [lead.initials for lead in SAMPLE_LEADS]
    assert set(leads) == {"RG", "TL", "RS", "DMc", "AK", "MS", "RB", "KD", "DB", "PG", "RW", "DC"}
    kloes = calamine_rows(sample_path, "KLOE")[1:]
    assert kloes == [[k.code, k.question] for k in DEFAULT_KLOES]
    settings = dict(calamine_rows(sample_path, "Settings")[1:])
    assert settings["As-at date"] == date(2019, 9, 30)
    assert settings["Part B title"] == "PART B CQC Inspection findings: October 2018"


def test_blank_template(template_path: Path) -> None:
    assert calamine_rows(template_path, "Actions")[1:] == []
    assert calamine_rows(template_path, "Findings")[1:] == []
    assert calamine_rows(template_path, "Leads")[1:] == []
    assert [row[0] for row in calamine_rows(template_path, "Legend")[1:]] == list(
        DEFAULT_LEGEND.codes
    )
    assert dict(calamine_rows(template_path, "Settings")[1:])["As-at date"] == ""


# ---------------------------------------------------------------- writing rows


def test_formula_like_text_stays_text(tmp_path: Path) -> None:
    texts = {
        "progress": "=SUM(A1:A3) is what finance quoted",
        "action": "+44 helpline",
        "success_measure": "-5% waiting list",
        "lead": "@KD",
    }
    path = write_tracker(tmp_path / "t.xlsx", actions=[{"ref": "W1a", **texts}], spare_rows=2)
    row = records(path, "Actions")[0]
    assert row["Progress update"] == texts["progress"]
    assert row["Planned action"] == texts["action"]
    assert row["Success measure"] == texts["success_measure"]
    assert row["Lead"] == texts["lead"]
    sheet = openpyxl.load_workbook(path)["Actions"]
    assert sheet["I2"].data_type == "s"
    assert sheet["I2"].quotePrefix  # Excel keeps it text when the lead edits the cell


def test_dates_and_year_months(tmp_path: Path) -> None:
    path = write_tracker(
        tmp_path / "t.xlsx",
        findings=[
            {"ref": "1", "original_due": date(2020, 3, 15), "revised_due": "2020-06"},
            {"ref": "2", "original_due": "TBC", "last_updated": date(2020, 1, 2)},
        ],
    )
    first, second = records(path, "Findings")
    assert (first["Original due"], first["Revised due"]) == (date(2020, 3, 15), date(2020, 6, 30))
    assert second["Original due"] == "TBC"  # kept as the lead wrote it, for the validator
    assert second["Last updated"] == date(2020, 1, 2)
    sheet = openpyxl.load_workbook(path)["Findings"]
    assert sheet["D2"].number_format == "dd/mm/yyyy"
    assert sheet["E2"].number_format == "mmmm yyyy"


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Actions row 2: no column for owner"):
        write_tracker(tmp_path / "t.xlsx", actions=[{"ref": "W1a", "owner": "KD"}])
    assert not (tmp_path / "t.xlsx").exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


# ---------------------------------------------------------------- LibreOffice


@needs_libreoffice
def test_libreoffice_opens_the_sample_with_the_same_values(
    sample_path: Path, tmp_path: Path
) -> None:
    converted = libreoffice_convert(sample_path, tmp_path)
    for sheet in SHEETS:
        assert calamine_rows(converted, sheet) == calamine_rows(sample_path, sheet), sheet


@needs_libreoffice
def test_libreoffice_evaluates_names_and_the_overdue_rule(
    sample_path: Path, tmp_path: Path
) -> None:
    """The dynamic names and the overdue formula, evaluated by LibreOffice row by row."""
    book = openpyxl.load_workbook(sample_path)
    overdue = next(
        rule.formula[0]
        for _, rule in _rules(book["Actions"])
        if rule.type == "expression" and rule.dxf.font is None
    )
    probe = book.create_sheet("Probe")
    for row, formula in enumerate(
        [
            "=ROWS(RagCodes)",
            "=ROWS(LeadInitials)",
            "=ROWS(KloeCodes)",
            '=COUNTIFS(RagCodes,"G",RagComplete,"Yes")',
            "=INDEX(KloeCodes,8)",
        ],
        start=1,
    ):
        probe.cell(row, 1).value = formula
    for offset in range(len(PART_A_REFS)):
        # The rule's row-relative references ($A2 ...) pointed at each Actions row in turn.
        probe.cell(offset + 1, 2).value = "=" + re.sub(
            r"\$([A-Z]+)2\b", rf"Actions!$\g<1>{offset + 2}", overdue
        )
    book.save(tmp_path / "probe.xlsx")
    converted = libreoffice_convert(tmp_path / "probe.xlsx", tmp_path / "out")
    values = calamine_rows(converted, "Probe")
    assert [row[0] for row in values[:5]] == [3, 12, 8, 1, "W8"]
    flagged = {ref for (ref, _), row in zip(PART_A_REFS, values, strict=False) if row[1] is True}
    assert flagged == SAMPLE_OVERDUE
