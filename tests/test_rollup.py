"""One paper for several trackers: the sample with another trust's, read back with calamine."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from real_trackers import FIXTURES
from trackers import read_sheets, run_cli

from wellled_xl import errors
from wellled_xl.refresh import make_plan, refresh
from wellled_xl.rollup import build_rollup
from wellled_xl.template import write_sample_tracker

build_month_log, EXPECTED_MONTH_LOG = FIXTURES["month_log"]


@pytest.fixture
def trackers(tmp_path: Path) -> dict[str, Path]:
    """The sample (as two divisions' copies), a trust's month-grouped log, a broken file."""
    folder = tmp_path / "trackers"
    folder.mkdir()
    broken = folder / "broken.xlsx"
    broken.write_text("not a workbook\n")
    return {
        "north": write_sample_tracker(folder / "north.xlsx"),
        "south": write_sample_tracker(folder / "south.xlsx"),
        "hull": build_month_log(folder / "hull.xlsx"),
        "broken": broken,
    }


def test_the_sample_and_another_trusts_tracker_in_one_paper(
    trackers: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "pack.xlsx"
    run = run_cli(
        "build", str(trackers["north"]), str(trackers["hull"]), str(trackers["broken"]),
        "-o", str(out), "--title", "Trust Board: every tracker", "--json", timeout=120,
    )  # fmt: skip
    assert run.returncode == errors.EXIT_UNUSABLE, run.stderr  # one tracker was left out
    document = json.loads(run.stdout)
    assert [t["label"] for t in document["trackers"]] == ["north", "hull"]
    assert document["left_out"] == [
        {"tracker": str(trackers["broken"]), "error": document["left_out"][0]["error"]}
    ]
    assert "Left out of this roll-up" in run.stderr and "broken.xlsx" in run.stderr
    totals = document["summary"]
    for key in ("actions", "errors", "warnings", "overdue"):
        assert totals[key] == sum(t["summary"][key] for t in document["trackers"]), key
    assert totals["trackers"] == 2
    assert {f["tracker"] for f in document["findings"]} == {"north", "hull"}
    assert {o["tracker"] for o in document["overdue"]} == {"north", "hull"}
    hull_actions = len(EXPECTED_MONTH_LOG["actions"])
    assert document["trackers"][1]["summary"]["actions"] == hull_actions

    sheets = read_sheets(out)
    assert list(sheets) == ["Part A", "Part B", "Board paper", "Summary"]
    first_column = {name: [row[0] for row in rows] for name, rows in sheets.items()}
    assert "The well-led framework (north)" in first_column["Part A"]
    hull_band = [t for t in first_column["Board paper"] if "(hull)" in str(t)]
    assert hull_band and "HULL AND EAST YORKSHIRE" in hull_band[0]
    # Hull's month groups are under its band, in the log's order
    bands = [t for t in first_column["Board paper"] if str(t) in EXPECTED_MONTH_LOG["groups"]]
    assert bands == EXPECTED_MONTH_LOG["groups"]
    summary = sheets["Summary"]
    counts_at = next(i for i, row in enumerate(summary) if row[0] == "Tracker")
    rows = {row[0]: row[1] for row in summary[counts_at + 1 : counts_at + 4]}
    assert rows == {"north": 30, "hull": hull_actions, "Total": 30 + hull_actions}
    assert any("broken.xlsx" in str(row[0]) for row in summary)


def test_refs_that_clash_are_shown_with_their_trackers_label(
    trackers: dict[str, Path], tmp_path: Path
) -> None:
    rollup = build_rollup([trackers["north"], trackers["south"]], output=tmp_path / "p.xlsx")
    assert rollup.exit_code == errors.EXIT_FINDINGS
    refs = [row[0] for row in read_sheets(tmp_path / "p.xlsx")["Part A"]]
    assert "W1a (north)" in refs and "W1a (south)" in refs and "W1a" not in refs
    document = rollup.to_dict()
    assert {o["ref"] for o in document["overdue"] if o["ref"] == "W1a"} == {"W1a"}
    combined_refs = {a.ref for a in rollup.combined.actions}
    assert {"W1a (north)", "W1a (south)"} <= combined_refs


def test_refresh_makes_the_rollups_its_config_names(
    trackers: dict[str, Path], tmp_path: Path
) -> None:
    config = tmp_path / "refresh.toml"
    config.write_text(
        'trackers = ["trackers/north.xlsx", "trackers/hull.xlsx"]\nout_dir = "pack"\n'
        'as_at = "2019-09-30"\n\n[[rollup]]\nname = "Trust board"\n'
        'trackers = ["trackers/north.xlsx", "trackers/hull.xlsx", "trackers/broken.xlsx"]\n',
        encoding="utf-8",
    )
    summary = refresh(make_plan(config=config))
    by_label = {result.label: result for result in summary.results}
    assert set(by_label) == {"north", "hull", "Trust board"}
    rolled = by_label["Trust board"]
    assert rolled.actions == by_label["north"].actions + by_label["hull"].actions
    assert "broken.xlsx" in (rolled.error or "")
    paper = tmp_path / "pack" / "Trust_board_board_paper_2019-09-30.xlsx"
    assert str(paper) in rolled.files
    assert list(read_sheets(paper))[-1] == "Summary"
    report = json.loads((tmp_path / "pack" / "Trust_board_validation_2019-09-30.json").read_text())
    assert [t["label"] for t in report["trackers"]] == ["north", "hull"]


def test_a_rollup_none_of_whose_trackers_can_be_read_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_text("no\n")
    with pytest.raises(errors.WellledError, match="no tracker of the roll-up"):
        build_rollup([broken, tmp_path / "missing.xlsx"])


def test_copies_of_one_tracker_do_not_overwrite_each_others_history(
    trackers: dict[str, Path], tmp_path: Path
) -> None:
    history = tmp_path / "h.sqlite"
    rollup = build_rollup(
        [trackers["north"], trackers["hull"], trackers["south"]],
        output=tmp_path / "p.xlsx",
        history=history,
    )
    assert any("same Tracker id as north" in n for n in rollup.combined.notices)
    with sqlite3.connect(history) as db:
        labels = [label for (label,) in db.execute("SELECT label FROM positions ORDER BY id")]
    assert [Path(label).name for label in labels] == ["north.xlsx", "hull.xlsx"]
