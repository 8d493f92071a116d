"""Exceptions for input the tool cannot use, and the documented exit codes."""

from __future__ import annotations

# Exit codes, as documented in the README ("Exit codes").
EXIT_OK = 0  # no errors (warnings allowed)
EXIT_FINDINGS = 1  # the tracker was read and has findings of severity "error"
EXIT_UNUSABLE = 2  # the file cannot be used, or the command line is wrong
EXIT_MISSING_TOOL = 3  # a tool the command needs (LibreOffice) is not installed
EXIT_BUSY = 4  # another refresh holds the lock, or the file is open in Excel
EXIT_INTERNAL = 70  # an unexpected internal error (a bug): one line, details with --debug


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


class UnsafeWrite(WellledError):
    """Writing would lose or change something the tool cannot round-trip."""
