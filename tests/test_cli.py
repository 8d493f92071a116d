"""The command line: exit codes, one-line errors, help text for every command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from trackers import LEADS, LEGEND, run_cli, trust_tracker

from wellled_xl.cli import build_parser


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, timeout=120)


def test_clean_tracker_exits_0_and_reports_on_a_terminal(tmp_path: Path) -> None:
    path = trust_tracker(
        tmp_path / "clean.xlsx",
        [["W1a", "Coaching", "March 2020", "RG", "75 enrolees", "On track", "A/G"]],
        extra_sheets={"Legend": LEGEND, "Leads": LEADS},
    )
    result = run("validate", str(path), "--as-at", "2019-09-30")
    assert result.returncode == 0, result.stderr
    assert "1 actions, 0 errors" in result.stdout
    assert "no-settings" in result.stdout  # the workbook warnings are shown, not hidden


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"Ref,Action\nW1a,Do it\n", "looks like CSV or plain text"),
        (b"", "the file is empty"),
    ],
)
def test_unusable_file_exits_2_with_one_line(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(content)
    result = run("validate", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "tracker.xlsx" in lines[0] and words in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_file_and_bad_date_are_usage_errors(tmp_path: Path) -> None:
    missing = run("validate", str(tmp_path / "nope.xlsx"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad_date = run("validate", str(tmp_path / "nope.xlsx"), "--as-at", "2019-09-31")
    assert bad_date.returncode == 2
    assert "September 2019 has only 30 days" in bad_date.stderr
    assert "usage: wellled-xl validate" in bad_date.stderr


@pytest.mark.parametrize("typed", ["30/09/2019", "2019-09-30", "30.9.2019"])
def test_as_at_is_read_day_first_or_iso(tmp_path: Path, typed: str) -> None:
    path = trust_tracker(
        tmp_path / "t.xlsx",
        [["W1a", "Coaching", "March 2019", "RG", "75 enrolees", "On track", "A/G"]],
        extra_sheets={"Legend": LEGEND, "Leads": LEADS},
    )
    result = run("validate", str(path), "--as-at", typed, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["as_at"] == "2019-09-30"
    assert document["overdue"][0]["days_overdue"] == 183  # due 31 March 2019


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("31/09/2019", "September 2019 has only 30 days"),
        ("09/30/2019", "dates are read day first"),
        ("September 2019", "give the whole date"),
        ("30/09/19", "give the whole date"),
    ],
)
def test_as_at_that_is_not_one_whole_date_says_why(typed: str, words: str) -> None:
    from wellled_xl.dates import DateParseError, parse_date

    with pytest.raises(DateParseError, match=words):
        parse_date(typed)


def test_a_misspelled_option_gets_its_commands_usage_and_a_suggestion(tmp_path: Path) -> None:
    result = run("build", str(tmp_path / "t.xlsx"), "--as_at", "2019-09-30")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("usage: wellled-xl build ")
    assert "unrecognized arguments: --as_at 2019-09-30 (did you mean --as-at?)" in result.stderr
    nested = run("addin", "build", "--no-interpeter")
    assert nested.stderr.startswith("usage: wellled-xl addin build ")
    assert "(did you mean --no-interpreter?)" in nested.stderr
    far = run("validate", str(tmp_path / "t.xlsx"), "--colour")
    assert far.returncode == 2 and "did you mean" not in far.stderr


def test_validate_with_errors_ends_saying_where_to_look(tmp_path: Path) -> None:
    path = trust_tracker(
        tmp_path / "my tracker.xlsx",
        [["W1a", "Coaching", "March 2020", "Varied", "75 enrolees", "On track", "AG"]],
        extra_sheets={"Legend": LEGEND, "Leads": LEADS},
    )
    result = run("validate", str(path), "--as-at", "2019-09-30")
    assert result.returncode == 1, result.stderr
    assert result.stdout.rstrip().splitlines()[-1] == (
        "2 errors to fix in the tracker: each is listed above with its sheet and cell; "
        f"`wellled-xl build '{path}'` writes the board paper, whose Summary sheet lists them too"
    )
    clean = run("validate", str(path), "--as-at", "2019-09-30", "--json")
    json.loads(clean.stdout)  # --json stays one document


def test_an_open_tracker_is_still_read_with_a_notice_on_stderr(tmp_path: Path) -> None:
    path = trust_tracker(
        tmp_path / "sept.xlsx",
        [["W1a", "Coaching", "March 2020", "RG", "75 enrolees", "On track", "A/G"]],
        extra_sheets={"Legend": LEGEND, "Leads": LEADS},
    )
    quiet = run("validate", str(path), "--as-at", "2019-09-30", "--json")
    assert quiet.stderr == "" and "notices" not in json.loads(quiet.stdout)
    lock = path.with_name(".~lock.sept.xlsx#")
    lock.write_text(",Jane Smith,LAPTOP-42,03.10.2019 14:02,file:///x;", encoding="utf-8")
    stamp = datetime(2019, 10, 3, 14, 2).timestamp()
    os.utime(lock, (stamp, stamp))
    result = run("validate", str(path), "--as-at", "2019-09-30", "--json")
    assert result.returncode == 0  # a scheduled run is not blocked
    notice = (
        "sept.xlsx is open in LibreOffice by Jane Smith since 14:02 on 3 October 2019 "
        "(.~lock.sept.xlsx# is beside it): unsaved changes are not in this check or its paper"
    )
    assert result.stderr.startswith(f"wellled-xl: {notice}")
    assert json.loads(result.stdout)["notices"][0].startswith(notice)
    text = run("validate", str(path), "--as-at", "2019-09-30")
    assert text.returncode == 0 and notice in text.stderr and notice not in text.stdout


def test_new_tracker_adds_xlsx_refuses_other_extensions_and_says_what_next(
    tmp_path: Path,
) -> None:
    made = run("new-tracker", "my_tracker", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "my_tracker.xlsx").read_bytes()[:2] == b"PK"
    assert not (tmp_path / "my_tracker").exists()
    lines = made.stdout.splitlines()
    assert lines[0] == "wrote my_tracker.xlsx"
    steps = "\n".join(lines[1:])
    assert steps.index("Leads") < steps.index("Legend") < steps.index("Settings")
    assert steps.index("Settings") < steps.index("the leads fill in their rows of Actions")
    assert "wellled-xl validate my_tracker.xlsx" in steps
    refused = run("new-tracker", "t.csv", cwd=tmp_path)
    assert refused.returncode == 2 and refused.stdout == ""
    assert "name it t.xlsx" in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my_tracker.xlsx"]


def test_new_tracker_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "tracker.xlsx"
    assert run("new-tracker", str(target)).returncode == 0
    before = target.read_bytes()
    again = run("new-tracker", str(target))
    assert again.returncode == 2 and "--force" in again.stderr
    assert target.read_bytes() == before
    assert run("new-tracker", str(target), "--sample", "--force").returncode == 0
    assert target.read_bytes() != before


def test_every_command_has_help_and_a_readme_entry() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    for name, sub in commands.choices.items():
        assert sub.description, f"{name} has no help text"
        assert f"wellled-xl {name}" in readme, f"{name} is not in the README"


def test_the_terminal_report_never_prints_control_characters(tmp_path: Path) -> None:
    """A cell holding an escape sequence must not reach the terminal as one."""
    import xlsxwriter

    path = tmp_path / "t.xlsx"
    book = xlsxwriter.Workbook(str(path))  # openpyxl refuses control characters; Excel does not
    sheet = book.add_worksheet("Plan")
    rows = [
        ["Ref", "Action", "Timescale", "Lead", "Success measure", "Progress", "RAG"],
        ["W1a", "a", "March 2020", "RG\x1b]0;pwned\x07", "m", "p\x1b[2J", "A/G\x1b[31m"],
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    result = run("validate", str(path), "--as-at", "2019-09-30")
    assert result.returncode == 1, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b" in result.stdout  # shown, escaped, so the lead can see what is there


def test_a_run_pauses_the_cycle_collector_and_switches_it_back_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from wellled_xl import cli, pipeline

    seen = []
    real = pipeline.check_tracker

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "check_tracker", watched)
    path = trust_tracker(
        tmp_path / "t.xlsx",
        [["W1a", "Coaching", "March 2020", "RG", "75 enrolees", "On track", "A/G"]],
        extra_sheets={"Legend": LEGEND, "Leads": LEADS},
    )
    assert gc.isenabled()
    assert cli.main(["validate", str(path), "--as-at", "2019-09-30", "--json"]) == 0
    assert seen == [False] and gc.isenabled()
    # An error inside a run still switches it back on.
    assert cli.main(["validate", str(tmp_path / "missing.xlsx")]) != 0
    assert gc.isenabled()


def test_paused_gc_nests_and_leaves_a_disabled_collector_disabled() -> None:
    import gc

    from wellled_xl.runtime import paused_gc

    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block is still running
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # the host had switched it off; it stays off
    finally:
        gc.enable()


def test_json_is_indented_on_a_terminal_and_one_line_in_a_pipe(tmp_path: Path) -> None:
    import json
    import os
    import pty

    path = trust_tracker(
        tmp_path / "t.xlsx",
        [["W1a", "Coaching", "March 2020", "RG", "75 enrolees", "On track", "A/G"]],
        extra_sheets={"Legend": LEGEND, "Leads": LEADS},
    )
    argv = [sys.executable, "-m", "wellled_xl", "validate", str(path), "--json"]
    piped = subprocess.run(argv, capture_output=True, text=True, timeout=120).stdout
    assert piped.count("\n") == 1
    primary, replica = pty.openpty()
    with subprocess.Popen(argv, stdout=replica, stderr=subprocess.DEVNULL):
        os.close(replica)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closes when the process ends
                break
            if not chunk:
                break
            chunks.append(chunk)
    os.close(primary)
    shown = b"".join(chunks).decode().replace("\r\n", "\n")
    assert shown.count("\n") > 10
    assert json.loads(shown) == json.loads(piped)


def test_the_program_ends_with_its_code_and_every_byte_of_its_output(tmp_path: Path) -> None:
    """The process ends without the interpreter's teardown (runtime.end_process): what it
    printed still arrives whole, its exit code is the report's, and output cut short by
    the reader (`| head`) ends it quietly."""
    rows = [
        [f"W1a{i}", f"Coaching {i}", "March 2020", "XX", "75", "Done", "A/G"] for i in range(400)
    ]
    path = trust_tracker(tmp_path / "t.xlsx", rows, extra_sheets={"Legend": LEGEND, "Leads": LEADS})
    argv = [sys.executable, "-m", "wellled_xl", "validate", str(path), "--json"]
    done = subprocess.run(argv, capture_output=True, timeout=120)
    assert done.returncode == 1  # XX is not on the Leads register: errors
    assert len(done.stdout) > 65536  # more than one pipe buffer's worth, all of it read back
    assert json.loads(done.stdout)["summary"]["actions"] == 400
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as cut:
        assert cut.stdout is not None and cut.stderr is not None
        cut.stdout.read(10)
        cut.stdout.close()
        errors = cut.stderr.read()
    assert cut.returncode == 1
    assert b"Traceback" not in errors and b"Exception ignored" not in errors


def test_results_are_kept_to_the_end_only_by_a_process_that_ends_with_its_run() -> None:
    import weakref

    from wellled_xl import runtime

    class Result:
        pass

    result = Result()
    gone = weakref.ref(result)
    runtime.keep_to_exit(result)  # this host (the tests, the Excel button) lives on
    del result
    assert gone() is None


def test_libraries_load_on_a_second_thread_and_failures_stay_quiet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import sys as system

    from wellled_xl.runtime import import_in_background

    assert import_in_background(["json"]) is None  # already imported: no thread
    system.modules.pop("colorsys", None)
    thread = import_in_background(["wellled_xl_no_such_module", "colorsys"])
    assert thread is not None
    thread.join(timeout=30)
    assert "colorsys" not in system.modules  # stopped at the first failure
    assert capsys.readouterr().err == ""  # and said nothing: the main thread will
    with pytest.raises(ModuleNotFoundError):
        __import__("wellled_xl_no_such_module")
    thread = import_in_background(["colorsys"])
    assert thread is not None
    thread.join(timeout=30)
    assert "colorsys" in system.modules
