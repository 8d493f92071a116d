"""Print a written board paper (the workbook, or the Word document) to PDF with LibreOffice.

A workbook paper is printed from a copy made for LibreOffice (`print_paper`,
`printing.for_printing`): its rows at the heights LibreOffice prints the text at, and long
sheets cut into parts, which LibreOffice prints in time linear in the paper's size.

Each conversion runs with its own throw-away LibreOffice profile
(``-env:UserInstallation``), so concurrent runs (a scheduled job and a person) do not
clash over the user's profile or its lock; it works on a copy in a private folder, is
stopped after a timeout, and its PDF is moved atomically into place.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from wellled_xl.errors import FileBusy, MissingTool, WellledError
from wellled_xl.paper.layout import PaperLayout
from wellled_xl.paper.printing import PART_ROWS, for_printing
from wellled_xl.paper.xlsx import write_paper
from wellled_xl.safety import atomic_output

TIMEOUT_SECONDS = 120
# The limit can be set for big papers (a 10,000-action paper prints some 3,000 pages).
TIMEOUT_VARIABLE = "WELLLED_XL_PDF_TIMEOUT"


def pdf_timeout() -> float:
    """Seconds LibreOffice may take: WELLLED_XL_PDF_TIMEOUT, else 120; WellledError if the
    variable is not a number of seconds above 0."""
    text = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not text:
        return TIMEOUT_SECONDS
    try:
        seconds = float(text.replace("_", ""))
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 86_400:
        raise WellledError(
            f"{TIMEOUT_VARIABLE}={text!r} is not a number of seconds above 0 (the default is "
            f"{TIMEOUT_SECONDS})"
        )
    return seconds


LIBREOFFICE_DOWNLOAD = "https://www.libreoffice.org/download/"


def missing_soffice(platform: str = sys.platform) -> str:
    """The message for a missing LibreOffice, naming the way to install it on `platform`."""
    if platform == "win32":
        how = f"on Windows, the installer from {LIBREOFFICE_DOWNLOAD}, or ask IT for it"
    elif platform == "darwin":
        how = f"on macOS, from {LIBREOFFICE_DOWNLOAD} or brew install --cask libreoffice"
    else:
        how = (
            "Debian/Ubuntu: apt-get install libreoffice-calc-nogui, and "
            "libreoffice-writer-nogui for a Word paper"
        )
    return f"LibreOffice (soffice) is not installed; install it ({how}) or leave out --pdf"


MISSING_SOFFICE = missing_soffice()


def _install_paths() -> list[Path]:
    """Where LibreOffice installs itself when it is not on PATH (Windows, macOS)."""
    paths = [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")]
    for variable, default in (
        ("PROGRAMFILES", r"C:\Program Files"),
        ("PROGRAMFILES(X86)", r"C:\Program Files (x86)"),
    ):
        root = os.environ.get(variable, default)
        paths.append(Path(root) / "LibreOffice" / "program" / "soffice.exe")
    return paths


def find_soffice() -> str:
    """The LibreOffice program: on PATH as soffice or libreoffice, else where it installs."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _install_paths():
        if candidate.is_file():
            return str(candidate)
    raise MissingTool(MISSING_SOFFICE)


def print_paper(
    layout: PaperLayout,
    paper_path: str | os.PathLike[str],
    pdf_path: str | os.PathLike[str],
    *,
    soffice: str | None = None,
    timeout: float | None = None,
    part_rows: int = PART_ROWS,
) -> Path:
    """Print the workbook paper `layout` to `pdf_path`, from a copy of it made for
    LibreOffice (`for_printing`: printed row heights, long sheets cut into parts; the
    same cells and page setup, pages numbered on through the parts) written to a private
    folder and removed after. `paper_path`, the workbook written from `layout`, names the
    paper in messages."""
    with tempfile.TemporaryDirectory(prefix="wellled-xl-print-") as work:
        copy = write_paper(for_printing(layout, part_rows), Path(work) / "paper.xlsx")
        return render_pdf(copy, pdf_path, soffice=soffice, timeout=timeout, name=paper_path)


def render_pdf(
    paper_path: str | os.PathLike[str],
    pdf_path: str | os.PathLike[str],
    *,
    soffice: str | None = None,
    timeout: float | None = None,
    name: str | os.PathLike[str] | None = None,
) -> Path:
    """Convert the paper to `pdf_path`: a workbook (every sheet, as its print setup says)
    with Calc, a Word document with Writer; LibreOffice chooses by the file's suffix."""
    program = soffice or find_soffice()
    target = Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="wellled-xl-pdf-") as work:
        folder = Path(work)
        # A plain name (no spaces or quotes reach soffice) with the paper's own suffix.
        source = folder / f"paper{Path(paper_path).suffix.lower()}"
        shutil.copyfile(paper_path, source)
        outdir = folder / "out"
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(source),
        ]
        output = _run(command, pdf_timeout() if timeout is None else timeout)
        produced = outdir / "paper.pdf"
        if not produced.is_file() or produced.read_bytes()[:5] != b"%PDF-":
            detail = " ".join(output.split())[-300:]
            raise WellledError(
                f"LibreOffice did not convert {name or paper_path} to PDF"
                + (f" ({detail})" if detail else "")
            )
        try:
            with atomic_output(target) as tmp:
                shutil.copyfile(produced, tmp)
        except PermissionError as exc:  # Windows: the old PDF is open in a viewer
            raise FileBusy(
                f"{target} cannot be written ({exc.strerror}): is it open in a PDF viewer, "
                "or is the folder read-only?"
            ) from exc
    return target


def _run(command: list[str], timeout: float) -> str:
    """Run soffice; stop it and everything it started if it overruns. Returns its output."""
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=sys.platform != "win32",
        )
    except OSError as exc:
        raise MissingTool(f"{MISSING_SOFFICE} ({exc.strerror or exc})") from exc
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if sys.platform == "win32":
            process.kill()
        else:
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise WellledError(
            f"LibreOffice did not finish the PDF within {timeout:g} s, so no PDF was written; "
            f"set {TIMEOUT_VARIABLE} to allow longer (a big paper takes minutes), or leave "
            "out --pdf"
        ) from None
    return output or ""
