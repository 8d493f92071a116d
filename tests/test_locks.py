"""Owner files beside a tracker: Excel's ``~$`` and LibreOffice's ``.~lock.#``, read as written."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from wellled_xl.locks import is_owner_file, open_notice, owner_file

OPENED = datetime(2019, 10, 3, 14, 2)


def office_owner_file(name: str, *, word: bool = False) -> bytes:
    """An owner file laid out as Office 2016 writes it: the name's length, the name in the
    8-bit code page padded to byte 55 (Word: zeros to 54), then the length and the name
    in UTF-16-LE, padded to 165 bytes (Word: 162)."""
    ansi = name.encode("cp1252", errors="replace")
    data = bytes([len(name)]) + ansi
    data += (b"\0" if word else b" ") * ((54 if word else 55) - len(data))
    data += len(name).to_bytes(2, "little") + name.encode("utf-16-le")
    size = 162 if word else 165
    return data + (b"\0" if word else b" \0") * ((size - len(data)) // (1 if word else 2))


def opened(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    os.utime(path, (OPENED.timestamp(), OPENED.timestamp()))
    return path


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    path = tmp_path / "sept.xlsx"
    path.write_bytes(b"PK")
    return path


def test_no_owner_file_no_notice(tracker: Path) -> None:
    assert owner_file(tracker) is None
    assert open_notice(tracker) is None


def test_excel_owner_file_names_the_user_from_its_unicode_copy(tracker: Path) -> None:
    # cp1252 cannot spell Ł: the 8-bit copy holds "?ukasz", the UTF-16 copy the name.
    opened(tracker.with_name("~$sept.xlsx"), office_owner_file("Łukasz Nowak"))
    owner = owner_file(tracker)
    assert owner is not None
    assert (owner.program, owner.user, owner.since) == ("Excel", "Łukasz Nowak", OPENED)
    assert owner.describe() == "open in Excel by Łukasz Nowak since 14:02 on 3 October 2019"


def test_word_layout_and_a_bare_8_bit_name_are_read_too(tracker: Path) -> None:
    owner_path = tracker.with_name("~$sept.xlsx")
    opened(owner_path, office_owner_file("Jane Smith", word=True))
    assert owner_file(tracker).user == "Jane Smith"
    opened(owner_path, b"\x0aJane Smith")  # no UTF-16 copy: the 8-bit name
    assert owner_file(tracker).user == "Jane Smith"


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00" * 165, b"\xff" + b"x" * 300, b"\x0bJane Smith", os.urandom(165)],
)
def test_an_unreadable_owner_file_still_says_open_but_names_nobody(
    tracker: Path, content: bytes
) -> None:
    opened(tracker.with_name("~$sept.xlsx"), content)
    owner = owner_file(tracker)
    assert owner is not None and owner.program == "Excel"
    assert all(char.isprintable() for char in owner.user)
    if content in (b"", b"\x00" * 165, b"\x0bJane Smith"):
        assert owner.describe() == "open in Excel since 14:02 on 3 October 2019"


def test_libreoffice_lock_names_the_user(tracker: Path) -> None:
    lock = tracker.with_name(".~lock.sept.xlsx#")
    opened(lock, b",jsmith,LAPTOP-42,03.10.2019 14:02,file:///home/jsmith/.config;")
    owner = owner_file(tracker)
    assert (owner.program, owner.user) == ("LibreOffice", "jsmith")  # no name in its options
    opened(lock, "Siân O\\,Brien,jsmith,LAPTOP-42,03.10.2019 14:02,x;".encode())
    assert owner_file(tracker).user == "Siân O,Brien"  # the options' name, unescaped


def test_a_name_cannot_carry_control_characters(tracker: Path) -> None:
    opened(tracker.with_name(".~lock.sept.xlsx#"), b"\x1b[2JEvil\x07,x,y,z,w;")
    assert owner_file(tracker).user == "[2JEvil"


def test_the_notice_says_what_is_missing_and_what_to_do(tracker: Path) -> None:
    opened(tracker.with_name("~$sept.xlsx"), office_owner_file("Jane Smith"))
    notice = open_notice(tracker)
    assert notice.startswith(
        "sept.xlsx is open in Excel by Jane Smith since 14:02 on 3 October 2019 "
        "(~$sept.xlsx is beside it): unsaved changes are not in this check or its paper"
    )
    assert "delete it" in notice  # a crash leaves an owner file behind


def test_owner_file_names() -> None:
    assert is_owner_file("~$sept.xlsx") and is_owner_file(".~lock.sept.xlsx#")
    assert not is_owner_file("sept.xlsx") and not is_owner_file(".~lock.sept.xlsx")
