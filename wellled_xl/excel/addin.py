"""Build and install wellled_xl.xlam: the Excel add-in with the "Well-led" ribbon tab.

The add-in is xlwings' own ribbon add-in template for the installed xlwings version
(``quickstart_addin_ribbon.xlam`` in the xlwings package), so its VBA (RunPython and
friends, compiled into ``xl/vbaProject.bin``) matches the xlwings Python package that
will answer it. Building changes only plain XML parts of that zip:

- ``customUI/customUI.xml`` (and ``customUI14.xml`` if a template has one) is replaced
  with ``macros/customUI.xml``: the Well-led tab and its Validate & Build button, whose
  onAction is the template's compiled callback ``RibbonMyAddin.RunMain``. That callback
  runs ``RunPython "import <file name>; <file name>.main()"``, hence the fixed file name
  ``wellled_xl.xlam``.
- With an interpreter (the default when building on Windows or macOS: this Python), the
  template's disabled settings sheet ``_myaddin.conf`` is enabled as ``myaddin.conf``
  and its Interpreter_Win (or Interpreter_Mac) set, so RunPython starts the Python that
  has wellled-xl installed. ``vbaProject.bin`` is copied byte for byte.
"""

from __future__ import annotations

import os
import re
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from wellled_xl.errors import FileBusy, WellledError
from wellled_xl.safety import atomic_output

ADDIN_NAME = "wellled_xl.xlam"  # the template's VBA imports the module named like the file
# The Chase leads button's add-in: the same compiled VBA, so its RunMain runs
# wellled_xl_chase.main(); its ribbon joins the Well-led tab (customUI_chase.xml).
CHASE_ADDIN_NAME = "wellled_xl_chase.xlam"
# The Board paper (Word) button's add-in, the same way: wellled_xl_word.main().
WORD_ADDIN_NAME = "wellled_xl_word.xlam"
RIBBONS = {
    ADDIN_NAME: "customUI.xml",
    CHASE_ADDIN_NAME: "customUI_chase.xml",
    WORD_ADDIN_NAME: "customUI_word.xml",
}
TEMPLATE_NAME = "quickstart_addin_ribbon.xlam"
CUSTOM_UI = "customUI/customUI.xml"
CUSTOM_UI_14 = "customUI/customUI14.xml"
CUSTOM_UI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
CUSTOM_UI_14_NS = "http://schemas.microsoft.com/office/2009/07/customui"
CONF_DISABLED = "_myaddin.conf"  # xlwings reads settings from a sheet named myaddin.conf
CONF_ENABLED = "myaddin.conf"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

# Where Excel loads add-ins from, per platform: (load on start, Add-ins dialog).
_WINDOWS_FOLDERS = (r"Microsoft\Excel\XLSTART", r"Microsoft\AddIns")
_MAC_OFFICE = "Library/Group Containers/UBF8T346G9.Office/User Content.localized"
_MAC_FOLDERS = (f"{_MAC_OFFICE}/Startup.localized/Excel", f"{_MAC_OFFICE}/Add-Ins.localized")


def template_path() -> Path:
    """xlwings' ribbon add-in template, from the installed xlwings package."""
    import xlwings

    path = Path(xlwings.__file__).parent / TEMPLATE_NAME
    if not path.is_file():
        raise WellledError(
            f"xlwings {xlwings.__version__} has no {TEMPLATE_NAME}: install an xlwings that "
            "ships its ribbon add-in template (pip install -U xlwings)"
        )
    return path


def macros_folder() -> Path:
    """The repository's macros/ folder: the ribbon definition and the VBA source."""
    installed = Path(sys.prefix) / "share" / "wellled-xl" / "macros"
    for folder in (
        Path(__file__).resolve().parents[2] / "macros",
        installed,
        Path.cwd() / "macros",
    ):
        if (folder / "customUI.xml").is_file():
            return folder
    raise WellledError(
        "macros/customUI.xml not found: run wellled-xl addin from the wellled-xl folder "
        "(the one holding macros/), or install it with pip install -e ."
    )


def default_interpreter(platform: str = sys.platform) -> tuple[str, str] | None:
    """("Interpreter_Win" or "Interpreter_Mac", this Python) on Windows and macOS, else None.

    On Windows pythonw.exe (beside python.exe) runs without a console window flashing up.
    """
    executable = Path(sys.executable)
    if platform.startswith("win"):
        windowless = executable.with_name("pythonw.exe")
        return "Interpreter_Win", str(windowless if windowless.is_file() else executable)
    if platform == "darwin":
        return "Interpreter_Mac", str(executable)
    return None


def build_addin(
    output: str | os.PathLike[str] | None = None,
    *,
    interpreter: tuple[str, str] | None = None,
    template: str | os.PathLike[str] | None = None,
    name: str = ADDIN_NAME,
) -> Path:
    """Write wellled_xl.xlam (into `output`, a folder or a path ending in that name);
    `name` CHASE_ADDIN_NAME writes the Chase leads add-in instead.

    `interpreter` is ("Interpreter_Win" | "Interpreter_Mac", path) to preset in the
    add-in's settings sheet; None leaves the sheet disabled as in the template.
    """
    target = _addin_path(output, name)
    source = Path(template) if template else template_path()
    ribbon = (macros_folder() / RIBBONS[name]).read_bytes()
    _check_ribbon(ribbon)
    with zipfile.ZipFile(source) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
        infos = archive.infolist()
    parts[CUSTOM_UI] = ribbon
    if CUSTOM_UI_14 in parts:
        parts[CUSTOM_UI_14] = ribbon.replace(CUSTOM_UI_NS.encode(), CUSTOM_UI_14_NS.encode())
    if interpreter is not None:
        _preset_interpreter(parts, *interpreter)
    try:
        with atomic_output(target) as tmp, zipfile.ZipFile(tmp, "w") as built:
            for info in infos:  # the template's order, times and compression
                built.writestr(info, parts[info.filename])
    except PermissionError as exc:
        raise FileBusy(f"{target} cannot be replaced: close Excel, which has it loaded") from exc
    return target


def build_addins(
    output: str | os.PathLike[str] | None = None,
    *,
    interpreter: tuple[str, str] | None = None,
) -> list[Path]:
    """Every add-in: wellled_xl.xlam (where `output` says), then wellled_xl_chase.xlam and
    wellled_xl_word.xlam beside it, whose buttons join its Well-led tab."""
    main = build_addin(output, interpreter=interpreter)
    others = [name for name in RIBBONS if name != ADDIN_NAME]
    return [main, *(build_addin(main.parent, interpreter=interpreter, name=n) for n in others)]


def _addin_path(output: str | os.PathLike[str] | None, name: str = ADDIN_NAME) -> Path:
    if output is None:
        return Path.cwd() / name
    path = Path(output)
    if path.is_dir():
        return path / name
    if path.name != name:
        raise WellledError(
            f"{path}: the add-in must be called {name} (its button runs the Python "
            "module named like the file); give a folder or a path ending in that name"
        )
    return path


def _check_ribbon(ribbon: bytes) -> None:
    try:
        root = ElementTree.fromstring(ribbon)
    except ElementTree.ParseError as exc:
        raise WellledError(f"macros/customUI.xml is not well-formed XML ({exc})") from exc
    if root.tag != f"{{{CUSTOM_UI_NS}}}customUI":
        raise WellledError(f"macros/customUI.xml: the root must be customUI in {CUSTOM_UI_NS}")


def _preset_interpreter(parts: dict[str, bytes], key: str, interpreter: str) -> None:
    """Enable the template's settings sheet and put the interpreter beside its key."""
    workbook = parts["xl/workbook.xml"].decode("utf-8")
    if f'name="{CONF_DISABLED}"' not in workbook:
        raise WellledError(
            f"this xlwings template has no {CONF_DISABLED} sheet; build with --no-interpreter "
            f"and set {key} in %USERPROFILE%\\.myaddin\\myaddin.conf instead"
        )
    sheet_rid = re.search(
        rf'<sheet [^>]*name="{re.escape(CONF_DISABLED)}"[^>]*r:id="(\w+)"', workbook
    )
    if sheet_rid is None:
        raise WellledError(f"the xlwings template's {CONF_DISABLED} sheet has no part")
    parts["xl/workbook.xml"] = workbook.replace(
        f'name="{CONF_DISABLED}"', f'name="{CONF_ENABLED}"'
    ).encode("utf-8")
    sheet_part = _relationship_target(parts, "xl/_rels/workbook.xml.rels", sheet_rid.group(1))
    key_index = _shared_strings(parts["xl/sharedStrings.xml"]).index(key)
    sheet = parts[sheet_part].decode("utf-8")
    # The key's cell: <c r="A1" s="1" t="s"><v>6</v></c>; its value goes in column B.
    cell = re.search(rf'<c r="A(\d+)"([^>]*) t="s"><v>{key_index}</v></c>', sheet)
    if cell is None or f'r="B{cell.group(1)}"' in sheet:
        raise WellledError(f"the xlwings template's settings sheet has no free {key} value cell")
    row, style = cell.group(1), cell.group(2)
    value = f'<c r="B{row}"{style} t="inlineStr"><is><t>{escape(interpreter)}</t></is></c>'
    sheet = sheet[: cell.end()] + value + sheet[cell.end() :]
    sheet = re.sub(rf'(<row r="{row}" spans=")1:1"', r'\g<1>1:2"', sheet)
    parts[sheet_part] = sheet.encode("utf-8")


def _relationship_target(parts: Mapping[str, bytes], rels: str, rid: str) -> str:
    root = ElementTree.fromstring(parts[rels])
    for relationship in root.iter(f"{{{PACKAGE_REL_NS}}}Relationship"):
        if relationship.get("Id") == rid:
            return "xl/" + relationship.get("Target", "").lstrip("/").removeprefix("xl/")
    raise WellledError(f"the xlwings template's workbook has no relationship {rid}")


def _shared_strings(data: bytes) -> list[str]:
    root = ElementTree.fromstring(data)
    return [
        "".join(t.text or "" for t in item.iter(f"{{{MAIN_NS}}}t"))
        for item in root.iter(f"{{{MAIN_NS}}}si")
    ]


def addin_folder(
    *, startup: bool = True, platform: str = sys.platform, environ: Mapping[str, str] = os.environ
) -> Path | None:
    """Where Excel loads add-ins: its startup folder (every start) or its Add-ins folder
    (tick it in the Add-ins dialog). None where there is no Excel (Linux)."""
    which = 0 if startup else 1
    if platform.startswith("win"):
        appdata = environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(appdata, *_WINDOWS_FOLDERS[which].split("\\"))
    if platform == "darwin":
        return Path(environ.get("HOME") or Path.home()) / _MAC_FOLDERS[which]
    return None


def install_addin(
    dest: str | os.PathLike[str] | None = None,
    *,
    startup: bool = True,
    interpreter: tuple[str, str] | None = None,
    platform: str = sys.platform,
) -> Path:
    """Build the add-in straight into Excel's add-in folder (or `dest`); return its path."""
    folder = Path(dest) if dest is not None else addin_folder(startup=startup, platform=platform)
    if folder is None:
        raise WellledError(
            "there is no Excel on this system, so the add-in was not installed. On Windows it "
            f"goes to %APPDATA%\\{_WINDOWS_FOLDERS[0]} (loads when Excel starts) or "
            f"%APPDATA%\\{_WINDOWS_FOLDERS[1]} (tick it under File > Options > Add-ins > Go…); "
            f"on macOS to ~/{_MAC_FOLDERS[0]}. Use --dest DIR to write it somewhere else"
        )
    folder.mkdir(parents=True, exist_ok=True)
    return build_addins(folder / ADDIN_NAME, interpreter=interpreter)[0]
