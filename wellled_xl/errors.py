"""Exceptions for input the tool cannot use, and the documented exit codes."""

from __future__ import annotations

import textwrap
from typing import NamedTuple

EXIT_OK = 0  # no errors (warnings allowed)
EXIT_FINDINGS = 1  # the tracker was read and has findings of severity "error"
EXIT_UNUSABLE = 2  # the file cannot be used, or the command line is wrong
EXIT_MISSING_TOOL = 3  # a tool the command needs (LibreOffice) is not installed
EXIT_BUSY = 4  # another refresh holds the lock, or the file is open in Excel
EXIT_NOT_SENT = 5  # chase --send: some emails were not sent (refused, not tried, no server)
EXIT_INTERNAL = 70  # an unexpected internal error (a bug): one line, details with --debug


class ExitCode(NamedTuple):
    """A documented exit code: its number, the word a run summary uses, what it means."""

    code: int
    word: str
    meaning: str


# The one table of exit codes: the CLI's help and the README's table are made from it
# (a test compares the README's). Listed worst first, as `refresh` ranks its trackers'.
EXIT_CODES = (
    ExitCode(
        EXIT_MISSING_TOOL,
        "missing tool",
        "a program the command needs (LibreOffice, for `--pdf`) is not installed",
    ),
    ExitCode(
        EXIT_INTERNAL,
        "internal error",
        "an unexpected internal error: one line; `--debug` shows the details",
    ),
    ExitCode(
        EXIT_BUSY,
        "busy",
        "busy: the tracker is open in Excel or LibreOffice or locked, or another refresh "
        "holds the lock",
    ),
    ExitCode(
        EXIT_UNUSABLE,
        "unusable",
        "the file cannot be used (refused as unsafe or damaged, no tracker sheet, "
        "unreadable), an output could not be written (e.g. disk full: the previous file is "
        "unchanged; or LibreOffice did not finish the PDF within `WELLLED_XL_PDF_TIMEOUT` "
        "seconds: no PDF is left), a write-back was refused as unsafe, or bad usage",
    ),
    ExitCode(
        EXIT_NOT_SENT,
        "not sent",
        "`chase --send` (or a refresh that sends): some emails were not sent — refused, "
        "not tried, no usable address, or the mail server could not be reached",
    ),
    ExitCode(EXIT_FINDINGS, "findings", "the tracker has findings of severity `error`"),
    ExitCode(EXIT_OK, "clean", "no errors (warnings allowed)"),
)


def exit_codes_help() -> str:
    """The exit codes for a command's --help, in number order."""
    lines = ["exit codes:"]
    for entry in sorted(EXIT_CODES):
        text = f"{entry.code:>3}  {entry.meaning.replace('`', '')}"
        lines += textwrap.wrap(text, 88, subsequent_indent=" " * 5)
    return "\n".join(lines) + "\n"


def exit_codes_markdown() -> str:
    """The README's table of exit codes, in number order."""
    lines = ["| code | meaning |", "|---|---|"]
    lines += [f"| {entry.code} | {entry.meaning} |" for entry in sorted(EXIT_CODES)]
    return "\n".join(lines)


class WellledError(Exception):
    """Base class: something the user must fix before the tool can go on."""

    exit_code = EXIT_UNUSABLE


class UnusableWorkbook(WellledError):
    """The file cannot be read as a tracker at all."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class NotAWorkbook(UnusableWorkbook):
    """The file is not an .xlsx/.xlsm workbook (or is damaged)."""


class NoTrackerSheet(UnusableWorkbook):
    """No sheet in the workbook has a header row that looks like an action tracker."""


class LimitExceeded(UnusableWorkbook):
    """The workbook is larger than a safety limit allows."""


class MissingTool(WellledError):
    """An external program the command needs is not installed."""

    exit_code = EXIT_MISSING_TOOL


class FileBusy(WellledError):
    """A file is locked: open in Excel, or another run holds the lock."""

    exit_code = EXIT_BUSY


class NotSent(WellledError):
    """Mail could not be sent at all: the server is unreachable or refused the login."""

    exit_code = EXIT_NOT_SENT


class UnsafeWrite(WellledError):
    """Writing would lose or change something the tool cannot round-trip."""


class NotAPaper(UnusableWorkbook):
    """The file is not a board paper that can be imported (.docx, .pdf), or holds no action
    table: scanned, password-protected, damaged or empty."""
