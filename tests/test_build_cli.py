"""`wellled-xl build` as a user runs it: exit codes, --json, the tracker refused, no soffice."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from trackers import read_sheets, run_cli

from wellled_xl.cli import build_parser
from wellled_xl.model import Lead, Settings
from wellled_xl.sample import SAMPLE_LEGEND
from wellled_xl.template import write_sample_tracker, write_tracker


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=env, timeout=180)


@pytest.fixture(scope="module")
def tracker(tmp_path_factory) -> Path:
    return write_sample_tracker(tmp_path_factory.mktemp("build") / "sample_tracker.xlsx")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_json_is_the_validate_document_plus_the_paths(tracker: Path, tmp_path: Path) -> None:
    out = tmp_path / "board" / "paper.xlsx"
    built = run("build", str(tracker), "--as-at", "2019-09-30", "-o", str(out), "--pdf", "--json")
    assert built.returncode == 1, built.stderr  # the sample has errors; the paper is written
    document = json.loads(built.stdout)
    assert document.pop("paths") == {"xlsx": str(out), "pdf": str(out.with_suffix(".pdf"))}
    checked = run("validate", str(tracker), "--as-at", "2019-09-30", "--json")
    assert document == json.loads(checked.stdout)
    assert out.read_bytes()[:2] == b"PK"
    assert out.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"


def test_default_output_is_beside_the_tracker_and_named_by_date(tracker: Path) -> None:
    built = run("build", str(tracker), "--as-at", "2019-10-15")
    expected = tracker.with_name("sample_tracker_board_paper_2019-10-15.xlsx")
    assert built.returncode == 1, built.stderr
    assert built.stdout.splitlines() == [
        f"wrote {expected}",
        "30 actions, 4 errors, 4 warnings, 12 overdue",
        f"The errors are listed on the Summary sheet of {expected}; "
        f"`wellled-xl validate {tracker}` lists them by sheet and lead",
    ]
    assert expected.is_file()


def test_building_again_says_the_paper_was_replaced(tracker: Path, tmp_path: Path) -> None:
    out = tmp_path / "paper.xlsx"
    first = run("build", str(tracker), "--as-at", "2019-09-30", "-o", str(out))
    assert first.stdout.splitlines()[0] == f"wrote {out}"
    again = run("build", str(tracker), "--as-at", "2019-09-30", "-o", str(out))
    assert again.returncode == 1, again.stderr
    assert again.stdout.splitlines()[0] == f"replaced {out}"
    # Beside the tracker, named by the as-at date from its Settings: a new date is a new file.
    source = shutil.copyfile(tracker, tmp_path / "sept.xlsx")
    paper = tmp_path / "sept_board_paper_2019-09-30.xlsx"
    assert run("build", str(source)).stdout.splitlines()[0] == f"wrote {paper}"
    assert run("build", str(source)).stdout.splitlines()[0] == f"replaced {paper}"
    other_day = run("build", str(source), "--as-at", "2019-10-31")
    assert other_day.stdout.splitlines()[0].startswith("wrote ")
    document = json.loads(run("build", str(source), "--json").stdout)
    assert set(document) == {
        "tracker", "as_at", "summary", "findings", "overdue", "reading", "paths"
    }  # fmt: skip


def test_a_tracker_open_in_excel_is_built_with_a_notice_in_the_summary(
    tracker: Path, tmp_path: Path
) -> None:
    source = shutil.copyfile(tracker, tmp_path / "sept.xlsx")
    owner = tmp_path / "~$sept.xlsx"
    name = "Jane Smith"  # as Excel writes it: the 8-bit name, then the UTF-16 copy at byte 55
    data = bytes([len(name)]) + name.encode("cp1252")
    data += b" " * (55 - len(data)) + len(name).to_bytes(2, "little") + name.encode("utf-16-le")
    owner.write_bytes(data.ljust(165, b" "))
    stamp = datetime(2019, 10, 3, 14, 2).timestamp()
    os.utime(owner, (stamp, stamp))
    out = tmp_path / "paper.xlsx"
    built = run("build", str(source), "-o", str(out), "--json")
    assert built.returncode == 1  # as without the owner file: the sample has errors
    notice = (
        "sept.xlsx is open in Excel by Jane Smith since 14:02 on 3 October 2019 "
        "(~$sept.xlsx is beside it): unsaved changes are not in this check or its paper"
    )
    assert built.stderr.startswith(f"wellled-xl: {notice}")
    assert json.loads(built.stdout)["notices"][0].startswith(notice)
    summary = read_sheets(out)["Summary"]
    texts = [next((c for c in row if c != ""), "") for row in summary]
    counts = next(i for i, text in enumerate(texts) if str(text).startswith("30 actions · "))
    assert str(texts[counts + 1]).startswith(notice)  # right under the counts
    owner.unlink()
    run("build", str(source), "-o", str(out))
    assert not any(notice in str(c) for row in read_sheets(out)["Summary"] for c in row)


@pytest.mark.parametrize(
    ("platform", "names", "not_named"),
    [
        ("win32", "libreoffice.org/download", "apt-get"),
        ("darwin", "brew install --cask libreoffice", "apt-get"),
        ("linux", "apt-get install libreoffice-calc-nogui", "libreoffice.org"),
    ],
)
def test_missing_libreoffice_names_this_systems_way_to_install_it(
    platform: str, names: str, not_named: str
) -> None:
    from wellled_xl.paper.pdf import missing_soffice

    message = missing_soffice(platform)
    assert message.startswith("LibreOffice (soffice) is not installed") and "--pdf" in message
    assert names in message and not_named not in message


def test_a_clean_tracker_builds_with_exit_0(tmp_path: Path) -> None:
    source = write_tracker(
        tmp_path / "clean.xlsx",
        settings=Settings(as_at=None),
        legend=SAMPLE_LEGEND,
        leads=(Lead("KD"),),
        actions=[
            {
                "ref": "W1a",
                "kloe": "W1",
                "action": "Coaching programme",
                "original_due": "2020-03",
                "lead": "KD",
                "success_measure": "75 enrolled",
                "progress": "On track",
                "rag": "A/G",
            }
        ],
        findings=[
            {
                "ref": "1",
                "finding": "Leaders not visible",
                "action": "Walkabouts",
                "lead": "KD",
                "progress": "Started",
                "rag": "A/G",
            }
        ],
    )
    built = run("build", str(source), "--as-at", "2019-09-30", "-o", str(tmp_path / "p.xlsx"))
    assert built.returncode == 0, built.stdout + built.stderr
    assert (tmp_path / "p.xlsx").is_file()


def test_output_onto_the_tracker_is_refused(tracker: Path) -> None:
    before = tracker.read_bytes()
    roundabout = tracker.parent / ".." / tracker.parent.name / tracker.name
    refused = run("build", str(tracker), "-o", str(roundabout))
    assert refused.returncode == 2
    assert refused.stdout == ""
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "never written into the tracker" in lines[0]
    assert tracker.read_bytes() == before


def test_missing_libreoffice_exits_3_before_writing(tracker: Path, tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    out = tmp_path / "paper.xlsx"
    result = run("build", str(tracker), "-o", str(out), "--pdf", env={"PATH": str(empty)})
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "LibreOffice (soffice) is not installed" in lines[0] and "--pdf" in lines[0]
    assert not out.exists()


def test_unusable_input_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(b"Ref,Action\nW1a,Do it\n")
    result = run("build", str(path))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == [path]


def test_build_options_are_documented() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    build = commands.choices["build"]
    options = {flag for action in build._actions for flag in action.option_strings}
    assert {"--as-at", "-o", "--output", "--pdf", "--json"} <= options
    assert all(action.help for action in build._actions)


def test_a_board_paper_given_as_a_tracker_is_named_for_what_it_is(tmp_path):
    import subprocess
    from pathlib import Path

    sample = Path(__file__).parent.parent / "workbook" / "sample_tracker.xlsx"
    paper = tmp_path / "paper.xlsx"
    run = [sys.executable, "-m", "wellled_xl"]
    subprocess.run([*run, "build", str(sample), "-o", str(paper)], capture_output=True, timeout=120)
    result = subprocess.run([*run, "validate", str(paper)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "board paper wellled-xl wrote" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(shutil.which("soffice") is None, reason="prints with LibreOffice")
def test_a_pdf_that_runs_out_of_time_leaves_no_file(tracker: Path, tmp_path: Path) -> None:
    """WELLLED_XL_PDF_TIMEOUT bounds LibreOffice: past it, one line, exit 2, no PDF."""
    out = tmp_path / "p.xlsx"
    result = run("build", str(tracker), "-o", str(out), "--pdf",
                 env={"WELLLED_XL_PDF_TIMEOUT": "0.01"})  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "WELLLED_XL_PDF_TIMEOUT" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert out.is_file() and not out.with_suffix(".pdf").exists()
    assert not list(tmp_path.glob("*.part"))
    bad = run("build", str(tracker), "-o", str(out), "--pdf",
              env={"WELLLED_XL_PDF_TIMEOUT": "soon"})  # fmt: skip
    assert bad.returncode == 2 and "not a number of seconds" in bad.stderr
