"""The add-in, checked without Excel: a package LibreOffice opens, our ribbon, xlwings' VBA."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
import python_calamine

from wellled_xl.cli import main as cli
from wellled_xl.excel.addin import (
    ADDIN_NAME,
    CUSTOM_UI,
    addin_folder,
    build_addin,
    template_path,
)

MACROS = Path(__file__).resolve().parents[1] / "macros"
UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
INTERPRETER = r"C:\Users\officer\wellled\.venv\Scripts\pythonw.exe"


@pytest.fixture(scope="module")
def addin(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("addin")
    return build_addin(folder, interpreter=("Interpreter_Win", INTERPRETER))


@pytest.fixture(scope="module")
def vba(addin: Path) -> dict[str, str]:
    """The add-in's VBA modules as olevba reads them: module name -> source."""
    with warnings.catch_warnings():  # oletools' pyparsing grammar is old
        warnings.simplefilter("ignore")
        from oletools.olevba import VBA_Parser

        parser = VBA_Parser(str(addin))
        try:
            return {
                Path(vba_filename).stem: code
                for _, _, vba_filename, code in parser.extract_macros()
            }
        finally:
            parser.close()


def _ribbon_button(xml: bytes) -> tuple[ElementTree.Element, ElementTree.Element]:
    root = ElementTree.fromstring(xml)
    (tab,) = root.iter(f"{UI}tab")
    (button,) = tab.iter(f"{UI}button")
    return tab, button


def test_the_addin_is_the_xlwings_template_with_our_ribbon(addin: Path):
    assert addin.name == ADDIN_NAME
    with zipfile.ZipFile(addin) as built, zipfile.ZipFile(template_path()) as template:
        assert built.testzip() is None
        assert built.namelist() == template.namelist()
        assert built.read("xl/vbaProject.bin") == template.read("xl/vbaProject.bin")
        assert built.read(CUSTOM_UI) == (MACROS / "customUI.xml").read_bytes()
        tab, button = _ribbon_button(built.read(CUSTOM_UI))
    assert tab.get("label") == "Well-led"
    assert button.get("label") == "Validate & Build"


def test_the_ribbon_calls_the_templates_callback_which_runs_wellled_xl(addin, vba):
    _, button = _ribbon_button((MACROS / "customUI.xml").read_bytes())
    module, _, callback = button.get("onAction").partition(".")
    assert re.search(rf"Sub {callback}\(control As IRibbonControl\)", vba[module])
    # The callback imports the module named like the add-in file (ThisWorkbook.Name
    # without its extension): wellled_xl.xlam runs "import wellled_xl; wellled_xl.main()".
    assert 'Left(ThisWorkbook.Name, (InStrRev(ThisWorkbook.Name, "."' in vba[module]
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in vba[module]
    name = addin.name[: addin.name.rindex(".")]
    assert name == "wellled_xl"
    assert callable(importlib.import_module(name).main)
    assert "Public Function RunPython(PythonCommand As String)" in vba["xlwings"]


def test_the_vba_source_does_the_same(vba):
    source = (MACROS / "WellledXl.bas").read_text(encoding="utf-8")
    _, button = _ribbon_button((MACROS / "customUI.xml").read_bytes())
    module, _, callback = button.get("onAction").partition(".")
    assert f'Attribute VB_Name = "{module}"' in source
    assert f"Sub {callback}(control As IRibbonControl)" in source
    assert 'RunPython "import wellled_xl; wellled_xl.main()"' in source


def test_the_interpreter_is_preset_in_the_addins_settings_sheet(addin: Path):
    book = python_calamine.CalamineWorkbook.from_path(str(addin))
    try:
        assert book.sheet_names == ["myaddin.conf"]  # the name xlwings' VBA looks for
        rows = book.get_sheet_by_name("myaddin.conf").to_python()
    finally:
        book.close()
    assert rows[0][:2] == ["Interpreter_Win", INTERPRETER]
    assert rows[1][0] == "Interpreter_Mac"


def test_without_an_interpreter_the_settings_sheet_stays_off(tmp_path: Path):
    addin = build_addin(tmp_path, interpreter=None)
    with zipfile.ZipFile(addin) as built, zipfile.ZipFile(template_path()) as template:
        for name in template.namelist():
            if name != CUSTOM_UI:
                assert built.read(name) == template.read(name), name


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_addin(addin: Path, tmp_path: Path):
    source = tmp_path / ADDIN_NAME
    shutil.copyfile(addin, source)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--infilter=Calc MS Excel 2007 XML",
            "--convert-to",
            "csv",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = (tmp_path / "out" / "wellled_xl.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"Interpreter_Win,{INTERPRETER}"


def test_the_addin_must_keep_its_name(tmp_path: Path, capsys):
    assert cli(["addin", "build", "-o", str(tmp_path / "Well-led.xlam")]) == 2
    assert "must be called wellled_xl.xlam" in capsys.readouterr().err


def test_install_writes_into_the_folder_given(tmp_path: Path, capsys):
    assert cli(["addin", "install", "--dest", str(tmp_path), "--no-interpreter"]) == 0
    assert (tmp_path / ADDIN_NAME).is_file()
    assert f"installed {tmp_path / ADDIN_NAME}" in capsys.readouterr().out


def test_install_knows_where_excel_looks():
    appdata = {"APPDATA": r"C:\Users\officer\AppData\Roaming"}
    startup = addin_folder(platform="win32", environ=appdata)
    assert startup.parts[-3:] == ("Microsoft", "Excel", "XLSTART")
    assert addin_folder(startup=False, platform="win32", environ=appdata).parts[-2:] == (
        "Microsoft",
        "AddIns",
    )
    mac = addin_folder(platform="darwin", environ={"HOME": "/Users/officer"})
    assert str(mac).startswith("/Users/officer/Library/Group Containers/UBF8T346G9.Office/")
    assert addin_folder(platform="linux") is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_install_on_linux_says_there_is_no_excel(capsys):
    assert cli(["addin", "install", "--no-interpreter"]) == 2
    message = capsys.readouterr().err
    assert "there is no Excel on this system" in message
    assert r"%APPDATA%\Microsoft\Excel\XLSTART" in message and "--dest" in message


def test_the_readmes_sharepoint_advice_names_a_setting_the_addins_vba_reads(vba):
    """Opened from SharePoint unsynced, xlwings looks for the workbook's folder unless
    ADD_WORKBOOK_TO_PYTHONPATH is false; the README tells the officer to set it."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    setting = '"ADD_WORKBOOK_TO_PYTHONPATH","False"'
    assert setting in readme and r"%USERPROFILE%\.myaddin\myaddin.conf" in readme
    code = "\n".join(vba.values())
    assert 'GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "true")' in code
    assert 'Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in code


def test_the_chase_addin_joins_the_well_led_tab_and_runs_chase_main(addin: Path, vba):
    """Chase leads: a second add-in with the same compiled VBA (whose RunMain imports the
    module named like its file) and a ribbon whose tab has the main add-in's idQ."""
    from wellled_xl.excel.addin import CHASE_ADDIN_NAME

    chase = build_addin(addin.parent, interpreter=("Interpreter_Win", INTERPRETER),
                        name=CHASE_ADDIN_NAME)  # fmt: skip
    with zipfile.ZipFile(chase) as built, zipfile.ZipFile(addin) as main:
        assert built.read("xl/vbaProject.bin") == main.read("xl/vbaProject.bin")
        assert built.read(CUSTOM_UI) == (MACROS / "customUI_chase.xml").read_bytes()
        chase_tab, button = _ribbon_button(built.read(CUSTOM_UI))
        main_tab, _ = _ribbon_button(main.read(CUSTOM_UI))
    assert chase_tab.get("idQ") == main_tab.get("idQ") == "wl:wellledTab"
    assert button.get("label") == "Chase leads"
    module, _, callback = button.get("onAction").partition(".")
    assert re.search(rf"Sub {callback}\(control As IRibbonControl\)", vba[module])
    name = chase.name[: chase.name.rindex(".")]
    assert name == "wellled_xl_chase"
    assert callable(importlib.import_module(name).main)
    source = (MACROS / "WellledXl.bas").read_text(encoding="utf-8")
    assert 'RunPython "import wellled_xl; wellled_xl.chase_main()"' in source


def test_addin_build_writes_every_addin(tmp_path: Path, capsys):
    assert cli(["addin", "build", "-o", str(tmp_path), "--no-interpreter"]) == 0
    assert (tmp_path / ADDIN_NAME).is_file() and (tmp_path / "wellled_xl_chase.xlam").is_file()
    assert (tmp_path / "wellled_xl_word.xlam").is_file()
    assert capsys.readouterr().out.count("wrote ") == 3


def test_the_word_addin_joins_the_well_led_tab_and_runs_word_main(addin: Path, vba):
    """Board paper (Word): the third add-in, built the way the Chase one is."""
    from wellled_xl.excel.addin import WORD_ADDIN_NAME

    word = build_addin(addin.parent, interpreter=("Interpreter_Win", INTERPRETER),
                       name=WORD_ADDIN_NAME)  # fmt: skip
    with zipfile.ZipFile(word) as built, zipfile.ZipFile(addin) as main:
        assert built.read("xl/vbaProject.bin") == main.read("xl/vbaProject.bin")
        tab, button = _ribbon_button(built.read(CUSTOM_UI))
        main_tab, _ = _ribbon_button(main.read(CUSTOM_UI))
    assert tab.get("idQ") == main_tab.get("idQ") == "wl:wellledTab"
    assert button.get("label") == "Board paper (Word)"
    module, _, callback = button.get("onAction").partition(".")
    assert re.search(rf"Sub {callback}\(control As IRibbonControl\)", vba[module])
    # RunMain imports the module named like the file: it exists and calls word_main.
    import wellled_xl_word

    assert word.name == "wellled_xl_word.xlam"
    assert "word_main" in Path(wellled_xl_word.__file__).read_text(encoding="utf-8")
