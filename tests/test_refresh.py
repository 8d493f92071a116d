"""`wellled-xl refresh`: many trackers, dated outputs, a lock, exit codes, read-only trackers."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from trackers import run_cli as run_wellled_xl

from wellled_xl import errors
from wellled_xl.read import read_tracker
from wellled_xl.refresh import (
    LOCK_NAME,
    RefreshPlan,
    as_at_for_rule,
    end_of_last_month,
    end_of_last_quarter,
    expand_trackers,
    load_config,
    make_plan,
    output_labels,
    parse_as_at_rule,
    refresh,
    refresh_lock,
    worst_exit_code,
)
from wellled_xl.template import write_sample_tracker

LOG_LINE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2} \S")
AS_AT = "2019-09-30"


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample tracker (`new-tracker --sample`), written once and copied by each test."""
    return write_sample_tracker(tmp_path_factory.mktemp("sample") / "tracker.xlsx")


def copy_tracker(sample: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample, target)
    return target


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return run_wellled_xl("refresh", *args, cwd=cwd, env=env, timeout=120)


# --- As-at rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 1), date(2026, 10, 31)),
        (date(2026, 11, 30), date(2026, 10, 31)),
        (date(2026, 1, 1), date(2025, 12, 31)),  # across the year boundary
        (date(2024, 3, 1), date(2024, 2, 29)),  # leap year
        (date(2026, 3, 31), date(2026, 2, 28)),
    ],
)
def test_end_of_last_month(today: date, expected: date) -> None:
    assert end_of_last_month(today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 9, 30)),
        (date(2026, 9, 30), date(2026, 6, 30)),  # Q2 has not ended until the day is over
        (date(2026, 7, 1), date(2026, 6, 30)),
        (date(2026, 4, 1), date(2026, 3, 31)),  # Q4 of 2025/26 ends in March
        (date(2026, 3, 31), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2025, 12, 31)),  # across the year boundary
        (date(2026, 2, 14), date(2025, 12, 31)),
    ],
)
def test_end_of_last_quarter_uses_nhs_quarter_ends(today: date, expected: date) -> None:
    assert end_of_last_quarter(today) == expected


def test_rules_by_name_and_dates() -> None:
    today = date(2026, 11, 1)
    assert as_at_for_rule("end-of-last-month", today) == date(2026, 10, 31)
    assert as_at_for_rule("end-of-last-quarter", today) == date(2026, 9, 30)
    assert as_at_for_rule("today", today) == today
    assert as_at_for_rule("settings", today) is None
    assert as_at_for_rule(parse_as_at_rule(" End-Of-Last-Month "), today) == date(2026, 10, 31)
    assert parse_as_at_rule(date(2019, 9, 30)) == AS_AT  # a bare TOML date
    assert as_at_for_rule(parse_as_at_rule(AS_AT), today) == date(2019, 9, 30)
    with pytest.raises(errors.WellledError, match="end-of-last-month"):
        parse_as_at_rule("last month")
    assert parse_as_at_rule("30/09/2019") == AS_AT  # day first, as leads type dates
    with pytest.raises(errors.WellledError, match="September 2019 has only 30 days"):
        parse_as_at_rule("2019-09-31")


def test_as_at_rule_day_first_on_the_command_line_and_in_the_config(tmp_path: Path) -> None:
    (tmp_path / "t.xlsx").write_bytes(b"x")
    assert make_plan(["t.xlsx"], as_at_rule="30/09/2019", cwd=tmp_path).as_at_rule == AS_AT
    config = tmp_path / "refresh.toml"
    config.write_text('trackers = ["t.xlsx"]\nas_at = "31/09/2019"\n', encoding="utf-8")
    with pytest.raises(errors.WellledError, match=r"refresh.toml: .*30 days"):
        make_plan([], config=config)
    wrong = run_cli("t.xlsx", "--as-at-rule", "2019-09-31", cwd=tmp_path)
    assert wrong.returncode == 2 and "September 2019 has only 30 days" in wrong.stderr


def test_windows_paths_in_double_quotes_keep_their_backslashes(tmp_path: Path) -> None:
    config = tmp_path / "refresh.toml"
    config.write_text(
        r"""# the Board's trackers, as an officer on Windows types them
trackers = [
    "C:\Board\trackers\*.xlsx",  # \B is no TOML escape: an error in plain TOML
    "C:\new\tracker.xlsx",        # \n and \t are: a line break and a tab in plain TOML
    'D:\literal\x.xlsx',          # single quotes: TOML's literal string
    "C:\\escaped\\y.xlsx",        # read again with the others: each backslash as typed
]
out_dir = "C:\Board\"
""",
        encoding="utf-8",
    )
    loaded = load_config(config)
    assert loaded.trackers == (
        r"C:\Board\trackers\*.xlsx",
        r"C:\new\tracker.xlsx",
        r"D:\literal\x.xlsx",
        r"C:\\escaped\\y.xlsx",
    )
    assert str(loaded.out_dir).endswith("C:\\Board\\")
    # Escaped as TOML wants and nothing else odd: read as TOML says.
    config.write_text(r'trackers = ["C:\\Board\\t.xlsx"]' + "\n", encoding="utf-8")
    assert load_config(config).trackers == (r"C:\Board\t.xlsx",)


def test_a_broken_config_with_backslashes_suggests_single_quotes(tmp_path: Path) -> None:
    config = tmp_path / "refresh.toml"
    config.write_text('trackers = ["C:\\Board\\*.xlsx"\n', encoding="utf-8")  # no ]
    with pytest.raises(errors.WellledError, match="not valid TOML") as raised:
        load_config(config)
    assert "single quotes, 'C:\\Board\\*.xlsx'" in str(raised.value)


def test_worst_exit_code_ranks_missing_tool_first() -> None:
    assert worst_exit_code([]) == 0
    assert worst_exit_code([0, 1, 0]) == 1
    assert worst_exit_code([1, 2, 0]) == 2
    assert worst_exit_code([2, 4, 1]) == 4
    assert worst_exit_code([4, 70, 2]) == 70
    assert worst_exit_code([70, 3, 2]) == 3


# --- Which trackers, which names ------------------------------------------------------------


def test_same_stem_in_different_folders_gets_the_folder_name(tmp_path: Path) -> None:
    trackers = [
        tmp_path / "north" / "tracker.xlsx",
        tmp_path / "south" / "Tracker.xlsx",  # Windows would see the same name
        tmp_path / "a" / "board" / "plan.xlsx",
        tmp_path / "b" / "board" / "plan.xlsx",
        tmp_path / "other.xlsx",
    ]
    assert output_labels(trackers) == [
        "north_tracker",
        "south_Tracker",
        "a_board_plan",
        "b_board_plan",
        "other",
    ]
    same_folder = [tmp_path / "t.xlsx", tmp_path / "t.xlsm"]
    labels = output_labels(same_folder)
    assert len({label.casefold() for label in labels}) == 2
    assert labels[0].endswith("_t_xlsx")


def test_globs_skip_owner_files_and_earlier_papers(tmp_path: Path) -> None:
    (tmp_path / "trackers").mkdir()
    for name in ("a.xlsx", "b.xlsx", "~$a.xlsx", "a_board_paper_2019-09-30.xlsx", "c.xlsm"):
        (tmp_path / "trackers" / name).write_bytes(b"x")
    found, unmatched = expand_trackers(
        ["trackers/*.xlsx", "trackers/a.xlsx", "nothing/*.xlsx", "missing.xlsx"], tmp_path
    )
    assert [p.name for p in found] == ["a.xlsx", "b.xlsx", "missing.xlsx"]
    assert unmatched == ["nothing/*.xlsx"]


def test_config_paths_are_relative_to_its_folder_and_options_override(tmp_path: Path) -> None:
    board = tmp_path / "board"
    (board / "trackers").mkdir(parents=True)
    (board / "trackers" / "a.xlsx").write_bytes(b"x")
    (tmp_path / "extra.xlsx").write_bytes(b"x")
    config = board / "refresh.toml"
    config.write_text(
        'trackers = ["trackers/*.xlsx"]\nout_dir = "pack"\nas_at = 2019-09-30\npdf = true\n'
    )
    plan = make_plan(["extra.xlsx"], config=config, cwd=tmp_path)
    assert plan.trackers == (board / "trackers" / "a.xlsx", tmp_path / "extra.xlsx")
    assert plan.out_dir == board / "pack"
    assert (plan.as_at_rule, plan.pdf) == (AS_AT, True)
    plan = make_plan(
        [], config=config, out_dir="elsewhere", as_at_rule="today", pdf=False, cwd=tmp_path
    )
    assert (plan.out_dir, plan.as_at_rule, plan.pdf) == (tmp_path / "elsewhere", "today", False)
    config.write_text('trackers = ["a.xlsx"]\noutdir = "pack"\n')
    with pytest.raises(errors.WellledError, match="unknown setting outdir"):
        make_plan([], config=config)
    with pytest.raises(errors.WellledError, match="no trackers"):
        make_plan([], cwd=tmp_path)


# --- The lock -------------------------------------------------------------------------------


def test_lock_is_exclusive_and_names_its_holder(tmp_path: Path) -> None:
    with refresh_lock(tmp_path) as path:
        assert path == tmp_path / LOCK_NAME
        busy = rf"{re.escape(LOCK_NAME)} is locked by PID {os.getpid()}"
        with pytest.raises(errors.FileBusy, match=busy), refresh_lock(tmp_path):
            pass
    with refresh_lock(tmp_path):  # released: taken again
        pass


def test_a_killed_run_leaves_no_stale_lock(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, pathlib; from wellled_xl.refresh import refresh_lock\n"
            "with refresh_lock(pathlib.Path(sys.argv[1])):\n"
            "    print('locked', flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(errors.FileBusy, match=f"PID {holder.pid}"), refresh_lock(tmp_path):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (tmp_path / LOCK_NAME).exists()  # the file stays; the lock went with the process
    with refresh_lock(tmp_path):
        pass


def test_second_run_exits_4_naming_the_lock_then_runs_after_release(
    sample: Path, tmp_path: Path
) -> None:
    tracker = copy_tracker(sample, tmp_path / "tracker.xlsx")
    out = tmp_path / "pack"
    with refresh_lock(out):
        busy = run_cli(str(tracker), "--out-dir", str(out), "--as-at", AS_AT, cwd=tmp_path)
    assert busy.returncode == errors.EXIT_BUSY
    assert busy.stderr.strip().splitlines() == [
        f"wellled-xl: another refresh is running: {out / LOCK_NAME} is locked by PID "
        f"{os.getpid()}; this run did nothing"
    ]
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]
    done = run_cli(str(tracker), "--out-dir", str(out), "--as-at", AS_AT, "--json", cwd=tmp_path)
    summary = json.loads(done.stdout)
    assert done.returncode == summary["exit_code"] != errors.EXIT_BUSY
    assert (out / f"tracker_board_paper_{AS_AT}.xlsx").is_file()


# --- Whole runs -------------------------------------------------------------------------------


def test_two_good_trackers_and_a_broken_one(sample: Path, tmp_path: Path) -> None:
    north = copy_tracker(sample, tmp_path / "north" / "tracker.xlsx")
    south = copy_tracker(sample, tmp_path / "south" / "tracker.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_text("this is not a workbook\n")
    before = {path: fingerprint(path) for path in (north, south, broken)}
    out = tmp_path / "pack"

    run = run_cli(
        "north/tracker.xlsx", str(south), "broken.xlsx", "--out-dir", "pack", "--as-at", AS_AT,
        cwd=tmp_path,
    )  # fmt: skip

    assert run.returncode == errors.EXIT_UNUSABLE, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert {path: fingerprint(path) for path in before} == before  # trackers untouched
    # Cron: stderr is a pipe, so plain timestamped lines, no progress bar or colour.
    log = run.stderr.splitlines()
    assert log and all(LOG_LINE.match(line) for line in log), log
    assert "\x1b[" not in run.stderr
    with pytest.raises(errors.UnusableWorkbook) as unusable:
        read_tracker(broken)
    reason = unusable.value.reason  # what `validate` says of it, without the path
    assert "\n" not in reason
    assert any(f"broken.xlsx: unusable - {reason}" in line for line in log), log

    expected = sorted(
        [LOCK_NAME, f"refresh_summary_{AS_AT}.json", "wellled-history.sqlite"]
        + [f"{side}_tracker_board_paper_{AS_AT}.xlsx" for side in ("north", "south")]
        + [f"{side}_tracker_validation_{AS_AT}.json" for side in ("north", "south")]
    )
    assert sorted(p.name for p in out.iterdir()) == expected
    summary = json.loads((out / f"refresh_summary_{AS_AT}.json").read_text(encoding="utf-8"))
    assert summary["exit_code"] == errors.EXIT_UNUSABLE
    assert summary["as_at"] == AS_AT and summary["as_at_rule"] == AS_AT
    by_label = {entry["label"]: entry for entry in summary["trackers"]}
    assert set(by_label) == {"north_tracker", "south_tracker", "broken"}
    for side, tracker in (("north", north), ("south", south)):
        entry = by_label[f"{side}_tracker"]
        report = json.loads(
            (out / f"{side}_tracker_validation_{AS_AT}.json").read_text(encoding="utf-8")
        )
        assert report["tracker"] == str(tracker)
        assert report["as_at"] == AS_AT
        assert entry["tracker"] == str(tracker)
        assert entry["exit_code"] == (1 if report["summary"]["errors"] else 0)
        assert [entry[k] for k in ("actions", "errors", "warnings", "overdue")] == [
            report["summary"][k] for k in ("actions", "errors", "warnings", "overdue")
        ]
        assert entry["actions"] > 0 and entry["error"] is None
        assert sorted(Path(f).name for f in entry["files"]) == [
            f"{side}_tracker_board_paper_{AS_AT}.xlsx",
            f"{side}_tracker_validation_{AS_AT}.json",
        ]
        paper = CalamineWorkbook.from_path(str(out / f"{side}_tracker_board_paper_{AS_AT}.xlsx"))
        assert paper.sheet_names
    bad = by_label["broken"]
    assert bad["exit_code"] == errors.EXIT_UNUSABLE and bad["result"] == "unusable"
    assert bad["error"] == reason
    assert bad["files"] == [] and bad["actions"] is None
    assert summary["totals"]["trackers"] == 3 and summary["totals"]["failed"] == 1
    # The text summary on stdout names each tracker's result.
    assert "broken.xlsx" in run.stdout and "exit code 2" in run.stdout


def test_config_with_a_glob_end_of_last_month_and_pdf(sample: Path, tmp_path: Path) -> None:
    board = tmp_path / "board"
    tracker = copy_tracker(sample, board / "trackers" / "quality.xlsx")
    (board / "trackers" / "~$quality.xlsx").write_bytes(b"owner file")  # Excel has it open
    config = board / "refresh.toml"
    config.write_text(
        textwrap.dedent(
            """\
            trackers = ["trackers/*.xlsx"]
            out_dir = "pack"
            as_at = "end-of-last-month"
            pdf = true
            """
        )
    )
    before = fingerprint(tracker)

    run = run_cli("--config", str(config), "--json", cwd=tmp_path)

    as_at = end_of_last_month(date.today()).isoformat()
    summary = json.loads(run.stdout)
    assert run.returncode == summary["exit_code"] in (0, 1), run.stderr
    assert summary["as_at"] == as_at and summary["as_at_rule"] == "end-of-last-month"
    assert [entry["label"] for entry in summary["trackers"]] == ["quality"]
    pack = board / "pack"
    paper = pack / f"quality_board_paper_{as_at}.xlsx"
    assert CalamineWorkbook.from_path(str(paper)).sheet_names
    assert (pack / f"quality_board_paper_{as_at}.pdf").read_bytes().startswith(b"%PDF")
    report = json.loads((pack / f"quality_validation_{as_at}.json").read_text(encoding="utf-8"))
    assert report["as_at"] == as_at
    assert json.loads((pack / f"refresh_summary_{as_at}.json").read_text()) == summary
    assert fingerprint(tracker) == before


def test_without_libreoffice_the_papers_are_still_built_and_exit_is_3(
    sample: Path, tmp_path: Path
) -> None:
    for name in ("a", "b"):
        copy_tracker(sample, tmp_path / f"{name}.xlsx")
    (tmp_path / "bin").mkdir()  # a PATH with no soffice on it
    env = {**os.environ, "PATH": str(tmp_path / "bin")}

    run = run_cli("*.xlsx", "--out-dir", "pack", "--as-at", AS_AT, "--pdf", "--json",
                  cwd=tmp_path, env=env)  # fmt: skip

    assert run.returncode == errors.EXIT_MISSING_TOOL, run.stderr
    summary = json.loads(run.stdout)
    assert [entry["exit_code"] for entry in summary["trackers"]] == [3, 3]
    for entry in summary["trackers"]:
        assert entry["error"].startswith("no PDF: LibreOffice (soffice) is not installed")
        assert entry["actions"] > 0
        assert sorted(Path(f).name for f in entry["files"]) == [
            f"{entry['label']}_board_paper_{AS_AT}.xlsx",
            f"{entry['label']}_validation_{AS_AT}.json",
        ]
    assert not list((tmp_path / "pack").glob("*.pdf"))


@pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals are POSIX")
def test_a_terminal_gets_a_progress_bar_not_log_lines(sample: Path, tmp_path: Path) -> None:
    import pty

    copy_tracker(sample, tmp_path / "tracker.xlsx")
    terminal, child_end = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "wellled_xl", "refresh", "tracker.xlsx", "--as-at", AS_AT],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=child_end,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm"},
    )
    os.close(child_end)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=60)
    os.close(terminal)
    screen = shown.decode("utf-8", "replace")
    assert "1/1" in screen and "tracker" in screen
    assert not any(LOG_LINE.match(line) for line in screen.splitlines())
    assert b"exit code" in process.stdout.read()
    process.stdout.close()


def test_settings_rule_names_files_by_each_trackers_own_date(sample: Path, tmp_path: Path) -> None:
    tracker = copy_tracker(sample, tmp_path / "tracker.xlsx")
    plan = RefreshPlan(trackers=(tracker,), out_dir=tmp_path / "pack", as_at_rule="settings")
    summary = refresh(plan, today=date(2026, 11, 1))
    assert summary.as_at is None
    (result,) = summary.results
    assert result.as_at == date(2019, 9, 30)  # the sample's Settings as-at
    assert (tmp_path / "pack" / f"tracker_board_paper_{AS_AT}.xlsx").is_file()
    assert summary.path == tmp_path / "pack" / "refresh_summary_2026-11-01.json"


def test_an_output_name_that_is_a_tracker_is_never_written(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack"
    first = copy_tracker(sample, tmp_path / "a" / "tracker.xlsx")
    # Somebody keeps a tracker under the name the first one's paper would get.
    clash = copy_tracker(sample, out / f"tracker_board_paper_{AS_AT}.xlsx")
    before = fingerprint(clash)
    summary = refresh(RefreshPlan(trackers=(first, clash), out_dir=out, as_at_rule=AS_AT))
    refused, built = summary.results
    assert refused.exit_code == errors.EXIT_UNUSABLE
    assert "is a tracker of this run; it is never written" in (refused.error or "")
    assert built.actions and fingerprint(clash) == before


def test_by_default_refresh_takes_the_as_at_date_build_takes(sample: Path, tmp_path: Path) -> None:
    """The tracker's Settings as-at, as build does (12 overdue on the sample, not 14);
    a tracker without one is papered at the end of last month; each line says which."""
    from trackers import trust_tracker

    from wellled_xl.pipeline import check_tracker

    tracker = copy_tracker(sample, tmp_path / "tracker.xlsx")
    trust = trust_tracker(
        tmp_path / "trust.xlsx", [["W1a", "a", "March 2026", "RG", "m", "p", "A/G"]]
    )
    plan = make_plan([str(tracker), str(trust)], cwd=tmp_path, out_dir=tmp_path / "pack")
    assert plan.as_at_rule == "settings"
    summary = refresh(plan, today=date(2026, 11, 1))
    first, second = summary.results
    assert first.as_at == check_tracker(tracker).as_at == date(2019, 9, 30)
    assert first.overdue == len(check_tracker(tracker).overdue) == 12
    assert "as at 30 September 2019 (its Settings)" in first.describe()
    assert second.as_at == date(2026, 10, 31)
    assert "as at 31 October 2026 (end of last month)" in second.describe()
    assert summary.to_dict()["trackers"][0]["as_at_from"] == "its Settings"
