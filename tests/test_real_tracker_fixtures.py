"""The real-tracker fixtures agree with themselves, read back with python-calamine."""

from __future__ import annotations

import re
from datetime import date

import pytest
from real_trackers import FIXTURES
from trackers import read_sheets

NAMES = sorted(FIXTURES)
KINDS = ("title", "marking", "header", "group", "key", "legend")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[list[object]]]]:
    """Every fixture written once and read back by the independent reader."""
    folder = tmp_path_factory.mktemp("real_trackers")
    return {
        name: read_sheets(build(folder / f"{name}.xlsx")) for name, (build, _) in FIXTURES.items()
    }


def _text(value: object) -> str:
    """A cell as a person reads it: numbers without a spurious '.0', empty as ''."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) else str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _row(sheets: dict[str, list[list[object]]], sheet: str, row: int) -> list[str]:
    """The cells of a 1-based Excel row as text, trailing empty cells dropped."""
    rows = sheets[sheet]
    cells = [_text(value) for value in rows[row - 1]] if row <= len(rows) else []
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _sheets(expected: dict) -> list[str]:
    sheet = expected["sheet"]
    return sheet if isinstance(sheet, list) else [sheet]


def _columns(expected: dict, sheet: str) -> dict[str, str]:
    """Header -> meaning for one sheet (nested per sheet when a fixture has several)."""
    columns = expected["columns"]
    return columns[sheet] if isinstance(expected["sheet"], list) else columns


def _index_of(expected: dict, sheet: str, meaning: str) -> int:
    """The 0-based column whose meaning starts with `meaning`, else one that mentions it."""
    meanings = list(_columns(expected, sheet).values())
    for index, text in enumerate(meanings):
        if text.split(" (")[0] == meaning:
            return index
    for index, text in enumerate(meanings):
        if meaning in text:
            return index
    raise AssertionError(f"no column read as {meaning!r} on {sheet}")


def _kind_rows(expected: dict, kind: str) -> list[dict]:
    return [entry for entry in expected["not_actions"] if entry["why"].startswith(kind)]


def _sheet_order(expected: dict, entry: dict) -> tuple[int, int]:
    return _sheets(expected).index(entry["sheet"]), entry["row"]


@pytest.mark.parametrize("name", NAMES)
def test_header_rows_hold_the_columns_described(built: dict, name: str) -> None:
    expected = FIXTURES[name][1]
    sheets = built[name]
    for sheet in _sheets(expected):
        assert sheet in sheets
        headers = [entry for entry in _kind_rows(expected, "header") if entry["sheet"] == sheet]
        assert headers, f"{name}: no header row on {sheet}"
        for header in headers:
            assert _row(sheets, sheet, header["row"]) == list(_columns(expected, sheet))


@pytest.mark.parametrize("name", NAMES)
def test_every_action_is_at_its_row(built: dict, name: str) -> None:
    expected = FIXTURES[name][1]
    for action in expected["actions"]:
        sheet, cells = action["sheet"], _row(built[name], action["sheet"], action["row"])
        cells += [""] * (len(_columns(expected, sheet)) - len(cells))
        where = f"{name} {sheet}!{action['row']}"
        ref_cell = cells[_index_of(expected, sheet, "ref")]
        # the ref is the cell, or opens the one text that also holds action and status
        assert re.match(re.escape(action["ref"]) + r"(\W|$)", ref_cell), where
        assert cells[_index_of(expected, sheet, "lead")] == action["lead"], where
        action_cell = cells[_index_of(expected, sheet, "action")]
        if action_cell == ref_cell:  # one text holds ref, action and status
            assert action["action"] in action_cell, where
            assert f"Status:{action['status']}" in action_cell.replace("Status: ", "Status:")
        else:
            assert len(action["action"]) <= 30, where
            assert action_cell[:30] == action["action"], where
            assert cells[_index_of(expected, sheet, "status")] == action["status"], where


@pytest.mark.parametrize("name", NAMES)
def test_not_actions_hold_what_they_say(built: dict, name: str) -> None:
    expected = FIXTURES[name][1]
    for entry in expected["not_actions"]:
        cells = [cell for cell in _row(built[name], entry["sheet"], entry["row"]) if cell]
        assert cells and cells[0] == entry["holds"], f"{name} {entry['sheet']}!{entry['row']}"
        assert entry["why"].startswith(KINDS), entry["why"]


@pytest.mark.parametrize("name", NAMES)
def test_every_row_with_content_is_an_action_or_said_not_to_be(built: dict, name: str) -> None:
    expected = FIXTURES[name][1]
    for sheet in _sheets(expected):
        filled = {
            number
            for number in range(1, len(built[name][sheet]) + 1)
            if _row(built[name], sheet, number)
        }
        actions = [a["row"] for a in expected["actions"] if a["sheet"] == sheet]
        others = [n["row"] for n in expected["not_actions"] if n["sheet"] == sheet]
        assert len(set(actions)) == len(actions) and len(set(others)) == len(others)
        assert not set(actions) & set(others)
        assert set(actions) | set(others) == filled, f"{name} {sheet}"
        assert actions == sorted(actions), "actions are listed in sheet order"


@pytest.mark.parametrize("name", NAMES)
def test_groups_follow_the_group_rows(built: dict, name: str) -> None:
    expected = FIXTURES[name][1]
    group_rows = sorted(_kind_rows(expected, "group"), key=lambda e: _sheet_order(expected, e))
    assert len(group_rows) == len(expected["groups"])
    for entry, group in zip(group_rows, expected["groups"], strict=True):
        assert group in " ".join(_row(built[name], entry["sheet"], entry["row"]))
    for action in expected["actions"]:
        above = [
            group
            for entry, group in zip(group_rows, expected["groups"], strict=True)
            if entry["sheet"] == action["sheet"] and entry["row"] < action["row"]
        ]
        assert action["group"] == (above[-1] if above else None), action["ref"]


@pytest.mark.parametrize("name", NAMES)
def test_title_lines_are_title_rows(name: str) -> None:
    expected = FIXTURES[name][1]
    titles = [entry["holds"] for entry in _kind_rows(expected, "title")]
    assert titles == expected["title"]


@pytest.mark.parametrize("name", NAMES)
def test_scale_is_what_the_sheet_shows(built: dict, name: str) -> None:
    expected = FIXTURES[name][1]
    scale = {entry["code"]: entry["complete"] for entry in expected["scale"]}
    source = expected["scale_source"]
    if source in ("key block", "legend rows"):
        kind = "key" if source == "key block" else "legend"
        shown = {
            cell
            for entry in _kind_rows(expected, kind)
            for cell in _row(built[name], entry["sheet"], entry["row"])
        }
        assert set(scale) <= shown
    else:
        statuses = [action["status"].lower() for action in expected["actions"]]
        for code in scale:
            assert any(status.startswith(code.lower()) for status in statuses), code
    for action in expected["actions"]:
        if action["status"] in scale:
            assert action["complete"] == scale[action["status"]], action["ref"]


@pytest.mark.parametrize("name", NAMES)
def test_due_is_the_latest_revision_else_the_original(name: str) -> None:
    for action in FIXTURES[name][1]["actions"]:
        dates = [action["original"], *action["revisions"]]
        assert action["due"] == dates[-1], action["ref"]
        for value in dates:
            assert value is None or date.fromisoformat(value).isoformat() == value


@pytest.mark.parametrize("name", NAMES)
def test_overdue_lists_follow_from_due_dates(name: str) -> None:
    expected = FIXTURES[name][1]
    assert len(expected["overdue"]) == 2
    first, second = sorted(expected["overdue"])
    assert date.fromisoformat(second).replace(year=date.fromisoformat(first).year) == (
        date.fromisoformat(first)
    ), "the two as-at dates are a year apart"
    for as_at, listed in expected["overdue"].items():
        late = [
            (action, (date.fromisoformat(as_at) - date.fromisoformat(action["due"])).days)
            for action in expected["actions"]
            if not action["complete"] and action["due"] and action["due"] < as_at
        ]
        late.sort(key=lambda pair: (-pair[1], _sheet_order(expected, pair[0])))
        assert listed == [(action["ref"], days) for action, days in late], as_at
