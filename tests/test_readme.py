"""The README's set-up and Windows examples work as written: the docs cannot drift."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from wellled_xl.excel.addin import ADDIN_NAME
from wellled_xl.refresh import parse_config_toml

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
TASK = "{http://schemas.microsoft.com/windows/2004/02/mit/task}"


def blocks(language: str) -> list[str]:
    """The README's fenced code blocks in `language`, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.M | re.S)


def test_the_venv_is_activated_before_the_first_bare_command() -> None:
    """Commands typed as `wellled-xl …` (the Commands table on) work only with the venv on
    PATH: the set-up says how, on both systems, before the table."""
    before = README[: README.index("\n## Commands\n")]
    assert "\n. .venv/bin/activate" in before  # Linux and macOS
    assert "\n.venv\\Scripts\\activate" in before  # Windows, Command Prompt
    assert "| `wellled-xl " not in before


def test_every_toml_example_is_a_config_the_refresh_reads() -> None:
    examples = blocks("toml")
    assert len(examples) >= 2
    documents = [parse_config_toml(text) for text in examples]
    windows = next(d for d in documents if d["trackers"][0].startswith("C:"))
    assert windows["trackers"] == [r"C:\Board\trackers\*.xlsx", r"S:\Estates\tracker.xlsm"]
    assert windows["out_dir"] == r"C:\Board\board-pack"
    assert re.search(r"^trackers = \['C:\\Board", README, flags=re.M)  # single quotes shown


def test_the_scheduled_task_logs_runs_logged_off_and_catches_up_a_missed_start() -> None:
    (schtasks,) = [line for line in "".join(blocks("bat")).splitlines() if "/SC MONTHLY" in line]
    assert "/RU " in schtasks and "/RP *" in schtasks
    command = re.search(r'/TR "cmd /c (.+)"$', schtasks).group(1)
    assert command.endswith(r">> C:\Board\refresh.log 2>&1")
    cron = next(line for line in "".join(blocks("sh")).splitlines() if line.startswith("15 6 1"))
    assert cron.endswith(">> /srv/board/refresh.log 2>&1")  # the same log as on Linux

    (xml,) = blocks("xml")
    task = ElementTree.fromstring(xml.encode("utf-16"))  # saved as UTF-16, as it declares
    settings = task.find(f"{TASK}Settings")
    assert settings.findtext(f"{TASK}StartWhenAvailable") == "true"
    assert settings.findtext(f"{TASK}DisallowStartIfOnBatteries") == "false"
    assert task.find(f"{TASK}Principals/{TASK}Principal").findtext(f"{TASK}LogonType") == (
        "Password"  # runs whether the user is logged on or not
    )
    trigger = task.find(f"{TASK}Triggers/{TASK}CalendarTrigger")
    assert trigger.findtext(f"{TASK}StartBoundary").endswith("T06:15:00")
    assert trigger.findtext(f"{TASK}ScheduleByMonth/{TASK}DaysOfMonth/{TASK}Day") == "1"
    months = trigger.find(f"{TASK}ScheduleByMonth/{TASK}Months")
    assert len(months) == 12
    action = task.find(f"{TASK}Actions/{TASK}Exec")
    assert action.findtext(f"{TASK}Command") == "cmd.exe"
    assert action.findtext(f"{TASK}Arguments") == f'/c "{command}"'  # the schtasks line's


def test_the_windows_install_covers_getting_it_proxies_it_and_saving() -> None:
    section = README[README.index("### Installing on a trust laptop (Windows)") :]
    section = section[: section.index("\n### ", 1)]
    for words in (
        "pip wheel --no-deps -w dist .",
        "--proxy http://",
        "PIP_INDEX_URL",
        "--find-links wheels",
        "SharePoint",
        "Save after clicking?",
        "libreoffice.org/download",
    ):
        assert words in section, words
    ticket = "\n".join(
        line[2:] for line in section.splitlines() if line.startswith("> ") or line == ">"
    )
    # The paragraph for IT names the real file, its folder, the local Python, no network.
    for words in (
        f"`{ADDIN_NAME}`",
        r"%APPDATA%\Microsoft\Excel\XLSTART",
        "pythonw.exe",
        "no network",
    ):
        assert words in " ".join(ticket.split()), words
