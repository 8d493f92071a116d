"""Owner and lock files beside a workbook: is it open in Excel or LibreOffice, by whom, since when.

Excel writes ``~$<name>`` beside a workbook it opens, LibreOffice ``.~lock.<name>#``; both
go when the program closes it (a crash leaves them behind). What they hold, as read here:

- Excel's owner file (165 bytes; Word's is 162): one byte, the user name's length (1 to
  52), then the name in the Windows 8-bit code page, padded with spaces; then, at byte 55
  (54 in Word's), the length again as a 2-byte little-endian number and the name in
  UTF-16-LE. The UTF-16 copy is preferred (it keeps names the code page cannot spell).
  This is the layout LibreOffice reads and writes for Office 2016 owner files.
- LibreOffice's lock file: one line of comma-separated fields ending in ``;``: the name
  from LibreOffice's options (often empty), the operating-system user name, the host,
  the time, the profile folder; ``\\`` escapes a ``,``, ``;`` or ``\\`` inside a field.

"Since" is the lock file's modification time: both programs write it when they open
the workbook. A name that cannot be read leaves the user unknown, never an error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from wellled_xl.dates import MONTH_NAMES

# Owner-file name patterns ({} is the workbook's file name) and the program writing them.
OWNER_FILES = (("~${}", "Excel"), (".~lock.{}#", "LibreOffice"))
_MAX_OFFICE_NAME = 52  # Office refuses longer user names
_UTF16_AT = (55, 54)  # where the UTF-16 copy's length sits: Excel and PowerPoint, Word
_READ_LIMIT = 4096  # an owner file is a few hundred bytes; never read a huge one whole


@dataclass(frozen=True)
class OwnerFile:
    """An owner or lock file beside a workbook: which program, who (if it says), since when."""

    path: Path
    program: str  # "Excel" or "LibreOffice"
    user: str  # "" when the file names nobody (or cannot be read)
    since: datetime | None  # the file's modification time, local; None if unknown

    def describe(self) -> str:
        """``open in Excel by Jane Smith since 14:02 on 3 October 2019``."""
        words = [f"open in {self.program}"]
        if self.user:
            words.append(f"by {self.user}")
        if self.since is not None:
            when = self.since
            words.append(f"since {when:%H:%M} on {when.day} {MONTH_NAMES[when.month]} {when.year}")
        return " ".join(words)


def is_owner_file(name: str) -> bool:
    """A file name Excel or LibreOffice uses for its owner/lock file (never a tracker)."""
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def owner_file(workbook: str | os.PathLike[str]) -> OwnerFile | None:
    """The owner file beside `workbook` (Excel's first), or None when there is none."""
    path = Path(workbook)
    for pattern, program in OWNER_FILES:
        owner = path.with_name(pattern.format(path.name))
        try:
            stat = owner.stat()
        except OSError:
            continue
        try:
            with open(owner, "rb") as handle:
                data = handle.read(_READ_LIMIT)
        except OSError:  # held exclusively by its program: it is there, its text is not
            data = b""
        user = _excel_user(data) if program == "Excel" else _libreoffice_user(data)
        return OwnerFile(owner, program, _printable(user), datetime.fromtimestamp(stat.st_mtime))
    return None


def open_notice(workbook: str | os.PathLike[str]) -> str | None:
    """The sentence saying `workbook` is open and what that means for what was read, or None."""
    owner = owner_file(workbook)
    if owner is None:
        return None
    return (
        f"{Path(workbook).name} is {owner.describe()} ({owner.path.name} is beside it): "
        "unsaved changes are not in this check or its paper; save it and run again "
        f"(if nobody has it open, {owner.path.name} was left by a crash: delete it)"
    )


def _excel_user(data: bytes) -> str:
    if not data or not 0 < data[0] <= _MAX_OFFICE_NAME:
        return ""
    length = data[0]
    for at in _UTF16_AT:
        end = at + 2 + 2 * length
        if len(data) >= end and int.from_bytes(data[at : at + 2], "little") == length:
            name = data[at + 2 : end].decode("utf-16-le", errors="replace")
            if "\ufffd" not in name:
                return name
    if len(data) < 1 + length:
        return ""
    return data[1 : 1 + length].decode("cp1252", errors="replace")


def _libreoffice_user(data: bytes) -> str:
    fields, current, escaped = [], [], False
    for char in data.decode("utf-8", errors="replace"):
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in ",;":
            fields.append("".join(current))
            current = []
            if char == ";" or len(fields) == 2:
                break
        else:
            current.append(char)
    # The name from LibreOffice's options, else the operating-system user.
    return next((field.strip() for field in fields if field.strip()), "")


def _printable(text: str) -> str:
    """A name from a file anyone can write: no control characters reach a terminal or paper."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())
