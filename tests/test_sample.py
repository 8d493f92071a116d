"""The sample tracker (the September 2019 paper transcribed): its findings and overdue list."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from trackers import run_cli

SAMPLE = Path(__file__).parent.parent / "workbook" / "sample_tracker.xlsx"

EXPECTED_FINDINGS = [
    ("Actions", "J3", 3, "W1b", "rag", "rag-unknown", "error", "R"),
    ("Actions", "G4", 4, "W2a", "lead", "lead-not-person", "error", "Varied"),
    ("Actions", "C10", 10, "W4a", "action", "required", "error", ""),
    ("Actions", "G10", 10, "W4a", "lead", "lead-multiple", "warning", "DMc / AK / MS"),
    ("Actions", "I13", 13, "W6a", "progress", "progress-placeholder", "warning", None),
    ("Actions", "I14", 14, "W6b", "progress", "progress-placeholder", "warning", None),
    ("Findings", "H3", 3, "2", "rag", "rag-unknown", "error", "AG"),
    ("Findings", "G6", 6, "5", "progress", "progress-cross-reference", "warning", None),
]

# As at 30 September 2019: not complete (G is the only complete code) and due before it.
EXPECTED_OVERDUE = [
    ("W2b", "TL", "A/R", "2019-01-31", 242, False),
    ("W8b", "KD", "A/R", "2019-01-31", 242, False),
    ("W1b", "TL", "R", "2019-02-28", 214, False),
    ("W3b", "TL", "A/G", "2019-02-28", 214, False),
    ("W2c", "RS", "A/G", "2019-03-31", 183, False),
    ("W5b", "KD", "A/G", "2019-03-31", 183, False),
    ("W8a", "KD", "A/G", "2019-04-30", 153, True),
    ("W3c", "RG", "A/G", "2019-05-31", 122, True),
    ("W6b", "DB", "A/G", "2019-05-31", 122, True),
    ("W5a", "RB", "A/G", "2019-06-30", 92, True),
    ("W1a", "RG", "A/G", "2019-07-31", 61, True),
    ("W2a", "Varied", "A/R", "2019-07-31", 61, True),
]


def run_validate(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("validate", *args, timeout=60)


def test_sample_findings_and_overdue_are_exactly_the_papers_mess() -> None:
    result = run_validate(str(SAMPLE), "--as-at", "2019-09-30", "--json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["as_at"] == "2019-09-30"
    assert document["summary"] == {"actions": 30, "errors": 4, "warnings": 4, "overdue": 12}
    keys = ("sheet", "cell", "row", "ref", "field", "rule", "severity", "value")
    found = [tuple(f[k] for k in keys) for f in document["findings"]]
    assert [f[:7] for f in found] == [e[:7] for e in EXPECTED_FINDINGS]
    for got, want in zip(found, EXPECTED_FINDINGS, strict=True):
        if want[7] is not None:
            assert got[7] == want[7]
    assert document["findings"][4]["value"].endswith("UPDATE AWAITED")
    assert document["findings"][7]["value"] == "As per item 2 above."
    ag = document["findings"][6]
    assert ag["suggestion"] == "Did you mean 'A/G'?"
    overdue = [
        (o["ref"], o["lead"], o["rag"], o["due_date"], o["days_overdue"], o["slipped"])
        for o in document["overdue"]
    ]
    assert overdue == EXPECTED_OVERDUE
    assert {o["sheet"] for o in document["overdue"]} == {"Actions"}


def test_as_at_comes_from_the_settings_sheet_when_not_given() -> None:
    document = json.loads(run_validate(str(SAMPLE), "--json").stdout)
    assert document["as_at"] == "2019-09-30"


def test_an_earlier_as_at_date_changes_what_is_overdue() -> None:
    document = json.loads(run_validate(str(SAMPLE), "--as-at", "2019-03-01", "--json").stdout)
    assert [(o["ref"], o["days_overdue"]) for o in document["overdue"]] == [
        ("W2b", 29),
        ("W8b", 29),
        ("W1b", 1),
        ("W3b", 1),
    ]
