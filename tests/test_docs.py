"""The README says what the code does: its rule table and exit-code table are the code's own."""

from __future__ import annotations

import re
from pathlib import Path

from wellled_xl import errors
from wellled_xl.cli import build_parser
from wellled_xl.rules import RULES, markdown_table

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _table_after(heading: str) -> str:
    """The first Markdown table under a heading, as its lines joined."""
    start = README.index(heading)
    lines = README[start:].splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[first:]:
        if not line.startswith("|"):
            break
        table.append(line)
    return "\n".join(table)


def test_the_readme_rule_table_is_the_rules_cell_by_cell() -> None:
    table = _table_after("## Rules")
    assert table == markdown_table(), (
        "README's rule table differs from wellled_xl/rules.py; paste "
        "`python -c 'from wellled_xl.rules import markdown_table; print(markdown_table())'`"
    )
    rows = [re.findall(r"\|\s*([^|]*?)\s*(?=\|)", line) for line in table.splitlines()[2:]]
    assert [(code.strip("`"), severity, checks) for code, severity, checks in rows] == [
        (rule.code, rule.severity, rule.checks) for rule in RULES.values()
    ]


def test_the_readme_exit_code_table_is_the_codes_table() -> None:
    assert _table_after("### Exit codes, in full") == errors.exit_codes_markdown()


def test_every_command_help_shows_the_exit_codes() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps them here
    for name in ("validate", "build", "refresh", "chase", "history", "adopt", "import"):
        text = commands[name].format_help()
        for entry in errors.EXIT_CODES:
            assert re.search(rf"^\s*{entry.code}\s+\S", text, re.M), (name, entry.code)


def test_every_rule_has_words_for_the_board() -> None:
    """The paper's findings table names each rule in words (rules.TITLES), never a code."""
    from wellled_xl.rules import TITLES

    assert set(TITLES) == set(RULES)
    assert all(title and "-" not in title for title in TITLES.values())
