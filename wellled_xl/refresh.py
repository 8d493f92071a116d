"""Scheduled runs: validate and build the board paper of many trackers, unattended, under a lock.

``wellled-xl refresh`` is the command a cron job or Windows Task Scheduler runs, typically
on the first of each month. For every tracker it writes, into the output folder:

- ``<tracker stem>_board_paper_<as-at>.xlsx`` (and ``.pdf`` with ``--pdf``: LibreOffice;
  ``.docx`` with ``--docx``: a Word paper);
- ``<tracker stem>_validation_<as-at>.json``, the ``validate --json`` document;

and at the end ``refresh_summary_<as-at>.json``, one entry per tracker (actions, errors,
warnings, overdue, files written, or the one-line reason it failed). For the ``settings``
rule, where each tracker has its own as-at date, the summary is named by the run's date.
Two trackers with the same file name in different folders get the name of their folder
in front (``north_tracker_board_paper_…``), so neither overwrites the other.

Trackers are only read, unless ``--stamp-tracker`` asks for each row's status in its
Check column (``writeback.py``: backed up first, verified before the tracker is replaced,
and refused, exit 4, while it is open): an unattended run never writes into a workbook
somebody may have open. Outputs are written atomically (a temporary file, then a rename). One
broken tracker (missing, not a workbook, no tracker sheet) is reported and the others
are still built.

The config file (TOML; paths and glob patterns are relative to the file's folder)::

    # /srv/board/refresh.toml
    trackers = [
        "trackers/*.xlsx",              # a glob: Excel's ~$ owner files are skipped
        "/srv/estates/tracker.xlsm",    # or a path
    ]
    out_dir = "board-pack"              # default: the config file's folder
    as_at = "end-of-last-month"         # the default; see the rules below
    pdf = true                          # default: false
    docx = true                         # also a Word paper; default: false
    chase = true                        # also each tracker's chase drafts (wellled_xl.chase),
                                        # or a [chase] table that also sends them
    history = "wellled-history.sqlite"  # positions, for movement; default: in out_dir

Trackers named on the command line are added to the config's; ``--out-dir``,
``--as-at`` / ``--as-at-rule``, ``--pdf`` / ``--no-pdf``, ``--docx`` / ``--no-docx`` and
``--history`` override its values.
A glob that matches nothing is reported as a failed entry rather than ignored, and
previous board papers (``*_board_paper_YYYY-MM-DD.xlsx``) are never taken for trackers.

As-at rules (the position date of the papers):

- ``settings`` (default): each tracker's own Settings as-at date, as ``build`` takes it,
  else the end of last month; each tracker's line says which it used;
- ``end-of-last-month``: run on 1 November 2026 → 31 October 2026;
- ``end-of-last-quarter``: the last NHS quarter that has ended (quarters end in June,
  September, December and March): run in November 2026 → 30 September 2026;
- ``today``;
- a date: ISO ``2019-09-30`` or day first ``30/09/2019`` (in TOML, quoted; or a bare
  TOML date).

Exit code: the worst of the trackers', worst first —
3 (LibreOffice missing: no PDF can be rendered for any tracker; the .xlsx papers and
reports are still written) > 70 (an unexpected internal error) > 4 (a file is busy) >
2 (a tracker is unusable) > 5 (chase emails not all sent) > 1 (findings of severity
"error") > 0 (clean).
A second run while one holds the lock exits 4 at once, naming the lock and the PID of
its holder. The lock (``.wellled-xl-refresh.lock`` in the output folder) is an
operating-system lock (``flock`` / ``msvcrt.locking``) on that file, not the file's
existence: a run that crashes or is killed releases it, so there is no stale lock to
clear by hand.

Progress: a progress bar on a terminal; plain ``timestamp tracker: result`` lines when
stderr is not a terminal (cron, a log file). The summary goes to stdout (``--json``:
the summary document instead).

cron (06:15 on the 1st of each month)::

    15 6 1 * * /path/.venv/bin/wellled-xl refresh --config /srv/board/refresh.toml >> /srv/board/refresh.log 2>&1

Windows Task Scheduler (06:15 on the 1st of each month, logged on or not, with a log; the
README adds a task XML that also catches up a start missed while the laptop slept)::

    schtasks /Create /SC MONTHLY /D 1 /ST 06:15 /TN "wellled-xl refresh" /RU "%USERDOMAIN%\\%USERNAME%" /RP * /TR "cmd /c C:\\Board\\.venv\\Scripts\\wellled-xl.exe refresh --config C:\\Board\\refresh.toml >> C:\\Board\\refresh.log 2>&1"

On Windows, paths in the config are best in single quotes (``'C:\\Board\\*.xlsx'``); double
quotes work too (`parse_config_toml`).
"""  # noqa: E501

from __future__ import annotations

import contextlib
import gc
import glob
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from wellled_xl import __version__, errors
from wellled_xl.chase.send import ChaseConfig, parse_chase_config
from wellled_xl.dates import DateParseError, parse_date
from wellled_xl.locks import is_owner_file
from wellled_xl.paper import BOARD_PAPER_NAME
from wellled_xl.report import json_bytes
from wellled_xl.safety import atomic_output
from wellled_xl.writeback import BACKUP_NAME

AS_AT_RULES = ("end-of-last-month", "end-of-last-quarter", "today", "settings")
# As build does: the tracker's own Settings as-at date when it has one (else the end of
# last month, a scheduled run's natural position), so build and refresh agree.
DEFAULT_AS_AT_RULE = "settings"
LOCK_NAME = ".wellled-xl-refresh.lock"
CONFIG_KEYS = ("trackers", "out_dir", "as_at", "pdf", "docx", "chase", "history", "rollup")

# Worst first, as the module docstring documents: a missing LibreOffice stops every PDF,
# a bug needs reporting, a busy file needs a retry, then the trackers' own state.
_EXIT_RANK = {entry.code: rank for rank, entry in enumerate(reversed(errors.EXIT_CODES))}
_RESULT_WORDS = {entry.code: entry.word for entry in errors.EXIT_CODES}
# On Windows a locked byte cannot be read by others: lock one past the PID text.
_LOCK_OFFSET = 64


def worst_exit_code(codes: Sequence[int]) -> int:
    """The run's exit code: the worst of its trackers' (0 when there are none)."""
    return max(codes, key=lambda code: _EXIT_RANK.get(code, 4), default=errors.EXIT_OK)


# --- As-at rules ------------------------------------------------------------------------


def end_of_last_month(today: date) -> date:
    """The last day of the month before today's."""
    return today.replace(day=1) - timedelta(days=1)


def end_of_last_quarter(today: date) -> date:
    """The last day of the last quarter that has ended before today's quarter began.

    NHS financial quarters (Q1 Apr–Jun … Q4 Jan–Mar) end with the calendar quarters:
    on the last day of June, September, December and March.
    """
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return quarter_start - timedelta(days=1)


def parse_as_at_rule(value: object) -> str:
    """A rule name or a date (ISO or day first, text or TOML date), normalised to a rule
    name or ISO; WellledError if neither, saying what is wrong with a date."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip().lower()
    if text in AS_AT_RULES:
        return text
    try:
        return parse_date(text).isoformat()
    except DateParseError as exc:
        raise errors.WellledError(
            f"as-at rule {value!r} is not one of {', '.join(AS_AT_RULES)} or a date like "
            f"2019-09-30 or 30/09/2019 ({exc.reason})"
        ) from None


def as_at_for_rule(rule: str, today: date) -> date | None:
    """The as-at date a rule gives today; None for ``settings`` (each tracker's own)."""
    if rule == "end-of-last-month":
        return end_of_last_month(today)
    if rule == "end-of-last-quarter":
        return end_of_last_quarter(today)
    if rule == "today":
        return today
    if rule == "settings":
        return None
    return date.fromisoformat(rule)


# --- What to refresh ----------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshConfig:
    """A refresh.toml: trackers (paths or globs, relative to `base`) and run options."""

    base: Path
    trackers: tuple[str, ...] = ()
    out_dir: Path | None = None
    as_at_rule: str | None = None
    pdf: bool | None = None
    docx: bool | None = None
    chase: ChaseConfig | None = None  # chase = true, or a [chase] table (drafts; sending)
    history: Path | None = None  # the history file of positions
    rollups: tuple[tuple[str, tuple[str, ...]], ...] = ()  # [[rollup]]: name, trackers


@dataclass(frozen=True)
class RefreshPlan:
    """The trackers of one run, where their outputs go, the as-at rule and PDF on/off."""

    trackers: tuple[Path, ...]
    out_dir: Path
    as_at_rule: str = DEFAULT_AS_AT_RULE
    pdf: bool = False
    unmatched: tuple[str, ...] = ()  # glob patterns that matched no file
    stamp_tracker: bool = False  # opt-in: each row's status into the tracker's Check column
    docx: bool = False  # also the paper as a Word document
    chase: ChaseConfig | None = None  # each tracker's chase drafts (and sending) too
    history: Path | None = None  # the history file; None: <out_dir>/wellled-history.sqlite
    # One roll-up paper each: its name and its trackers (those that matched its patterns).
    rollups: tuple[tuple[str, tuple[Path, ...]], ...] = ()

    @property
    def history_file(self) -> Path:
        from wellled_xl.history import default_history_path

        return self.history or default_history_path(self.out_dir)


def load_config(path: str | os.PathLike[str]) -> RefreshConfig:
    """Read a refresh.toml; every mistake is one WellledError naming the file."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
        document = parse_config_toml(text)
    except FileNotFoundError:
        raise errors.WellledError(f"{source}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.WellledError(f"{source}: cannot read the config file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        hint = "; write Windows paths in single quotes, 'C:\\Board\\*.xlsx'" if "\\" in text else ""
        raise errors.WellledError(f"{source}: not valid TOML ({exc}){hint}") from None
    unknown = sorted(set(document) - set(CONFIG_KEYS))
    if unknown:
        raise errors.WellledError(
            f"{source}: unknown setting {', '.join(unknown)} (known: {', '.join(CONFIG_KEYS)})"
        )
    base = source.resolve().parent
    trackers = document.get("trackers", [])
    if isinstance(trackers, str):
        trackers = [trackers]
    if not isinstance(trackers, list) or not all(isinstance(t, str) for t in trackers):
        raise errors.WellledError(f"{source}: trackers must be a list of paths or glob patterns")
    out_dir = document.get("out_dir")
    if out_dir is not None and not isinstance(out_dir, str):
        raise errors.WellledError(f"{source}: out_dir must be a folder path in quotes")
    for switch in ("pdf", "docx"):
        if document.get(switch) is not None and not isinstance(document[switch], bool):
            raise errors.WellledError(f"{source}: {switch} must be true or false")
    rollups = []
    for entry in document.get("rollup", []):
        name, patterns = (
            (entry.get("name"), entry.get("trackers")) if isinstance(entry, dict) else (None, None)
        )
        if not isinstance(name, str) or not name.strip() or set(entry) - {"name", "trackers"}:
            raise errors.WellledError(
                f'{source}: each [[rollup]] needs a name = "…" and trackers = ["…", …]'
            )
        if not isinstance(patterns, list) or not all(isinstance(t, str) for t in patterns):
            raise errors.WellledError(
                f"{source}: rollup {name!r}: trackers must be a list of paths"
            )
        rollups.append((name.strip(), tuple(patterns)))
    history = document.get("history")
    if history is not None and not isinstance(history, str):
        raise errors.WellledError(f"{source}: history must be a file path in quotes")
    as_at = document.get("as_at")
    try:
        rule = None if as_at is None else parse_as_at_rule(as_at)
    except errors.WellledError as exc:
        raise errors.WellledError(f"{source}: {exc}") from None
    return RefreshConfig(
        base=base,
        trackers=tuple(trackers),
        out_dir=base / out_dir if out_dir is not None else None,
        as_at_rule=rule,
        pdf=document.get("pdf"),
        docx=document.get("docx"),
        chase=parse_chase_config(document["chase"], source) if "chase" in document else None,
        history=base / history if history is not None else None,
        rollups=tuple(rollups),
    )


def parse_config_toml(text: str) -> dict[str, Any]:
    """TOML, except that a Windows path in double quotes keeps its backslashes.

    In a TOML double-quoted string a backslash starts an escape, so ``"C:\\Board\\*.xlsx"``
    is an error (``\\B`` is no escape) and ``"C:\\new\\tracker.xlsx"`` quietly holds a line
    break and a tab. No refresh setting needs an escape, so when the text fails to parse,
    or parses to a setting holding a control character, it is read again with every
    backslash inside double quotes taken as itself. Single quotes (TOML's literal strings,
    ``'C:\\Board\\*.xlsx'``) never need this; correctly escaped text (``"C:\\\\Board"``)
    parses the first time and is read as TOML says. If the second reading fails too, the
    first reading's error is raised.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        if "\\" in text:
            with contextlib.suppress(tomllib.TOMLDecodeError):
                return tomllib.loads(_backslashes_as_themselves(text))
        raise
    if "\\" in text and _holds_control_characters(document):
        with contextlib.suppress(tomllib.TOMLDecodeError):
            return tomllib.loads(_backslashes_as_themselves(text))
    return document


def _holds_control_characters(value: object) -> bool:
    if isinstance(value, str):
        return any(char < " " for char in value)
    if isinstance(value, dict):
        return any(_holds_control_characters(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_control_characters(item) for item in value)
    return False


def _backslashes_as_themselves(text: str) -> str:
    """`text` with each backslash in a one-line double-quoted string doubled (so TOML reads
    it as a backslash), and such a string ending at its next double quote; comments,
    single-quoted and triple-quoted strings are left as they are."""
    out: list[str] = []
    i = 0
    while i < len(text):
        line_end = text.find("\n", i)
        line_end = len(text) if line_end < 0 else line_end
        char = text[i]
        if char == "#":  # a comment, to the end of its line
            end = line_end
        elif text.startswith(('"""', "'''"), i):
            close = text.find(text[i : i + 3], i + 3)
            end = len(text) if close < 0 else close + 3
        elif char in "'\"":
            close = text.find(char, i + 1, line_end)
            end = line_end if close < 0 else close + 1
            if char == '"' and close >= 0:
                out.append(text[i:end].replace("\\", "\\\\"))
                i = end
                continue
        else:
            end = i + 1
        out.append(text[i:end])
        i = end
    return "".join(out)


def _unique(paths: Sequence[Path]) -> list[Path]:
    """Each file once, however it was named (relative, absolute, another case on Windows)."""
    unique: dict[str, Path] = {}
    for path in paths:
        unique.setdefault(os.path.normcase(str(path.resolve())), path)
    return list(unique.values())


def expand_trackers(patterns: Sequence[str], base: Path) -> tuple[list[Path], list[str]]:
    """Paths and glob patterns (relative to `base`) → tracker files, and unmatched patterns.

    A plain path is kept even if missing (the run reports it); owner files (``~$``, ``.~lock.``)
    and this command's own board papers are skipped; a file named twice is kept once.
    """
    found: list[Path] = []
    unmatched: list[str] = []
    for pattern in patterns:
        given = Path(pattern).expanduser()
        path = given if given.is_absolute() else base / given
        # A file whose name holds [ or * is itself, not a pattern.
        if not any(char in pattern for char in "*?[") or path.exists():
            found.append(path)
            continue
        full = str(given) if given.is_absolute() else os.path.join(glob.escape(str(base)), pattern)
        matches = [
            Path(match)
            for match in sorted(glob.glob(full, recursive=True))
            if Path(match).is_file()
            and not is_owner_file(Path(match).name)
            and not BOARD_PAPER_NAME.fullmatch(Path(match).name)
            and not BACKUP_NAME.fullmatch(Path(match).name)
        ]
        found.extend(matches)
        if not matches:
            unmatched.append(pattern)
    return _unique(found), unmatched


def make_plan(
    trackers: Sequence[str] = (),
    *,
    config: str | os.PathLike[str] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    as_at_rule: str | None = None,
    pdf: bool | None = None,
    cwd: Path | None = None,
    stamp_tracker: bool = False,
    docx: bool | None = None,
    history: str | os.PathLike[str] | None = None,
) -> RefreshPlan:
    """Merge command-line options over a config file into the plan of one run.

    Command-line trackers are relative to `cwd` and added to the config's; the output
    folder defaults to the config file's folder, else `cwd`.
    """
    here = cwd or Path.cwd()
    settings = load_config(config) if config is not None else RefreshConfig(base=here)
    config_paths, config_unmatched = expand_trackers(settings.trackers, settings.base)
    cli_paths, cli_unmatched = expand_trackers(trackers, here)
    paths = _unique([*config_paths, *cli_paths])
    unmatched = [*config_unmatched, *cli_unmatched]
    if not paths and not unmatched:
        raise errors.WellledError(
            "no trackers to refresh: name tracker files or give --config with a trackers list"
        )
    target = Path(out_dir) if out_dir is not None else settings.out_dir or settings.base
    rule = parse_as_at_rule(as_at_rule) if as_at_rule is not None else settings.as_at_rule
    return RefreshPlan(
        trackers=tuple(paths),
        out_dir=target if target.is_absolute() else here / target,
        as_at_rule=rule or DEFAULT_AS_AT_RULE,
        pdf=pdf if pdf is not None else bool(settings.pdf),
        unmatched=tuple(unmatched),
        stamp_tracker=stamp_tracker,
        docx=docx if docx is not None else bool(settings.docx),
        chase=settings.chase,
        history=here / history if history is not None else settings.history,
        rollups=tuple(
            (name, tuple(expand_trackers(patterns, settings.base)[0]))
            for name, patterns in settings.rollups
        ),
    )


def output_labels(trackers: Sequence[Path]) -> list[str]:
    """A file-name stem per tracker, unique even when trackers share a name.

    A tracker keeps its own stem unless another has the same one (ignoring case, as
    Windows does); then its folder names are put in front, nearest first, until the
    names differ (``north_tracker``, ``south_tracker``), then its extension, then a number.
    """
    candidates = []
    for tracker in trackers:
        resolved = tracker.resolve()
        folders = [part for part in resolved.parent.parts if part != resolved.anchor]
        names = [resolved.stem]
        names += [
            "_".join([*folders[-depth:], resolved.stem]) for depth in range(1, len(folders) + 1)
        ]
        names.append(f"{names[-1]}_{resolved.suffix.lstrip('.')}")
        candidates.append(names)
    level = [0] * len(trackers)
    while True:
        labels = [
            names[min(lvl, len(names) - 1)] for names, lvl in zip(candidates, level, strict=True)
        ]
        seen: dict[str, list[int]] = {}
        for index, label in enumerate(labels):
            seen.setdefault(label.casefold(), []).append(index)
        clashing = [i for group in seen.values() if len(group) > 1 for i in group]
        movable = [i for i in clashing if level[i] < len(candidates[i]) - 1]
        if not movable:
            break
        for index in movable:
            level[index] += 1
    for group in seen.values():
        for number, index in enumerate(group[1:], start=2):
            labels[index] = f"{labels[index]}_{number}"
    return labels


# --- The lock -----------------------------------------------------------------------------


def _try_lock(fd: int) -> bool:
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


def _lock_holder(path: Path) -> str:
    with contextlib.suppress(OSError, ValueError), open(path, encoding="ascii") as handle:
        return f"PID {int(handle.read(_LOCK_OFFSET).strip())}"
    return "an unknown PID"


@contextlib.contextmanager
def refresh_lock(out_dir: Path) -> Iterator[Path]:
    """Hold the output folder's refresh lock, or raise FileBusy naming its holder's PID.

    The lock is the operating system's, on the open file: it goes when the process
    does, however it ends. The file itself stays (removing it would let a third run lock
    a new file while the second still holds the old one); its PID text is informative.
    """
    path = out_dir / LOCK_NAME
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    except OSError as exc:
        raise errors.WellledError(
            f"cannot use the output folder {out_dir}: {exc.strerror or exc}"
        ) from exc
    try:
        if not _try_lock(fd):
            raise errors.FileBusy(
                f"another refresh is running: {path} is locked by {_lock_holder(path)}; "
                "this run did nothing"
            )
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            yield path
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


# --- The run --------------------------------------------------------------------------------


@dataclass
class TrackerResult:
    """What the run did with one tracker: its counts and files, or why it failed."""

    tracker: str
    label: str
    exit_code: int
    as_at: date | None = None
    actions: int | None = None
    errors: int | None = None
    warnings: int | None = None
    overdue: int | None = None
    files: list[str] = field(default_factory=list)
    error: str | None = None  # the one-line reason, as the CLI would print it
    as_at_from: str = ""  # the rule that gave the as-at date ("its Settings" …)
    chase: dict[str, Any] | None = None  # the chase run's document, when the plan chases

    @property
    def result(self) -> str:
        return _RESULT_WORDS.get(self.exit_code, "failed")

    def describe(self) -> str:
        """One line after the result word: counts and files, or the reason it failed."""
        parts = []
        if self.as_at is not None:
            parts.append(f"as at {self.as_at:%d %B %Y} ({self.as_at_from})")
        if self.actions is not None:
            parts.append(
                f"{self.actions} actions, {self.errors} errors, {self.warnings} warnings, "
                f"{self.overdue} overdue"
            )
        if self.error:
            parts.append(self.error)
        if self.files:
            parts.append("wrote " + ", ".join(Path(f).name for f in self.files))
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tracker": self.tracker,
            "label": self.label,
            "as_at": self.as_at.isoformat() if self.as_at else None,
            "as_at_from": self.as_at_from,
            "result": self.result,
            "exit_code": self.exit_code,
            "actions": self.actions,
            "errors": self.errors,
            "warnings": self.warnings,
            "overdue": self.overdue,
            "files": list(self.files),
            "error": self.error,
            **({"chase": self.chase} if self.chase is not None else {}),
        }


@dataclass
class RefreshSummary:
    """One run: its plan, when it ran, each tracker's result and the summary file."""

    plan: RefreshPlan
    as_at: date | None  # None for the `settings` rule
    started: datetime
    finished: datetime | None = None
    results: list[TrackerResult] = field(default_factory=list)
    path: Path | None = None  # refresh_summary_<as-at>.json, once written

    @property
    def exit_code(self) -> int:
        return worst_exit_code([r.exit_code for r in self.results])

    def to_dict(self) -> dict[str, Any]:
        def total(attr: str) -> int:
            return sum(getattr(r, attr) or 0 for r in self.results)

        return {
            "tool": f"wellled-xl {__version__}",
            "as_at_rule": self.plan.as_at_rule,
            "as_at": self.as_at.isoformat() if self.as_at else None,
            "out_dir": str(self.plan.out_dir),
            "pdf": self.plan.pdf,
            "docx": self.plan.docx,
            "history": str(self.plan.history_file),
            "started": self.started.isoformat(timespec="seconds"),
            "finished": self.finished.isoformat(timespec="seconds") if self.finished else None,
            "exit_code": self.exit_code,
            "summary_file": str(self.path) if self.path else None,
            "totals": {
                "trackers": len(self.results),
                "built": sum(1 for r in self.results if r.actions is not None),
                "failed": sum(1 for r in self.results if r.exit_code > errors.EXIT_FINDINGS),
                "actions": total("actions"),
                "errors": total("errors"),
                "warnings": total("warnings"),
                "overdue": total("overdue"),
            },
            "trackers": [r.to_dict() for r in self.results],
        }

    def render_text(self) -> str:
        """The summary for a person or a log: one block per tracker, then the exit code."""
        when = f"as at {self.as_at:%d %B %Y}" if self.as_at else "as at each tracker's Settings"
        lines = [f"refresh {when} ({self.plan.as_at_rule}) into {self.plan.out_dir}"]
        for result in self.results:
            name = f"{result.label}  ({result.tracker})" if result.label else result.tracker
            lines.append(f"  {name}")
            lines.append(f"    {result.result} - {result.describe()}")
        lines.append(f"summary: {self.path}" if self.path else "summary: not written")
        lines.append(f"exit code {self.exit_code} ({_RESULT_WORDS.get(self.exit_code, '')})")
        return "\n".join(lines)


class Progress:
    """Receives the run's events; the default does nothing (library use, tests)."""

    def begin(self, total: int) -> None:
        """The run has the lock and is about to build `total` trackers."""

    def tracker_started(self, label: str) -> None:
        """A tracker (named by its output label) is being read and built."""

    def tracker_done(self, result: TrackerResult) -> None:
        """A tracker is finished, built or failed."""

    def end(self, summary: RefreshSummary) -> None:
        """The summary file is written."""


class LogLines(Progress):
    """Plain ``timestamp tracker: result`` lines, for cron and log files."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def _line(self, text: str) -> None:
        stamp = datetime.now().astimezone().isoformat(timespec="seconds")
        self.stream.write(f"{stamp} {text}\n")
        self.stream.flush()

    def begin(self, total: int) -> None:
        self._line(f"refresh started (PID {os.getpid()}): {total} trackers")

    def tracker_done(self, result: TrackerResult) -> None:
        self._line(f"{result.tracker}: {result.result} - {result.describe()}")

    def end(self, summary: RefreshSummary) -> None:
        self._line(f"refresh finished: exit code {summary.exit_code}; summary {summary.path}")


class ProgressBar(Progress):
    """A rich progress bar on a terminal, with one line per finished tracker above it."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self.bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=stream),
        )
        self.task = self.bar.add_task("refresh", total=None)

    def begin(self, total: int) -> None:
        self.bar.update(self.task, total=total)
        self.bar.start()

    def tracker_started(self, label: str) -> None:
        self.bar.update(self.task, description=label)

    def tracker_done(self, result: TrackerResult) -> None:
        from rich.text import Text

        style = {0: "green", 1: "yellow"}.get(result.exit_code, "red")
        name = result.label or result.tracker
        self.bar.console.print(
            Text.assemble((result.result, style), f" {name} - {result.describe()}")
        )
        self.bar.advance(self.task)

    def end(self, summary: RefreshSummary) -> None:
        self.bar.update(self.task, description="done")
        self.bar.stop()


def progress_for(stream: IO[str]) -> Progress:
    """A progress bar when `stream` is a terminal, plain log lines when it is not."""
    return ProgressBar(stream) if stream.isatty() else LogLines(stream)


def _write_json(path: Path, document: dict[str, Any]) -> None:
    with atomic_output(path) as tmp:
        tmp.write_bytes(json_bytes(document, indent=True))


def _one_line(exc: BaseException) -> str:
    """An error's reason without the tracker path the summary already shows."""
    return getattr(exc, "reason", None) or str(exc)


def _refresh_tracker(
    tracker: Path,
    label: str,
    plan: RefreshPlan,
    today: date,
    never_write: set[Path],
    missing_tool: errors.MissingTool | None,
) -> tuple[TrackerResult, errors.MissingTool | None]:
    """Build one tracker's paper and report; exceptions are the caller's to record.

    `missing_tool` is LibreOffice's absence as an earlier tracker found it: then no
    PDF is attempted, and each tracker says it has none. Returns the result and
    LibreOffice's absence, if known now.
    """
    from wellled_xl.paper import docx_path_for, paper_path, pdf_path_for
    from wellled_xl.paper.pdf import find_soffice
    from wellled_xl.pipeline import (
        VALIDATION_LIBRARIES,
        check,
        with_history,
        with_open_notice,
        write_board_paper,
    )
    from wellled_xl.read import read_tracker
    from wellled_xl.runtime import import_in_background

    import_in_background(VALIDATION_LIBRARIES)
    tracker_read = read_tracker(tracker)  # once: its Settings may give the as-at date
    # `settings`: each tracker's own as-at date, which also names its files.
    as_at = as_at_for_rule(plan.as_at_rule, today)
    as_at_from = plan.as_at_rule
    if as_at is None:
        as_at = tracker_read.settings.as_at or end_of_last_month(today)
        as_at_from = "its Settings" if tracker_read.settings.as_at else "end of last month"
    paper = paper_path(plan.out_dir, label, as_at)
    report_path = plan.out_dir / f"{label}_validation_{as_at.isoformat()}.json"
    for target in (paper, pdf_path_for(paper), docx_path_for(paper), report_path):
        if target.resolve() in never_write:
            raise errors.UnsafeWrite(f"{target} is a tracker of this run; it is never written")
    result = TrackerResult(str(tracker), label, errors.EXIT_OK, as_at=as_at, as_at_from=as_at_from)
    report = with_open_notice(check(tracker_read, as_at), tracker)
    with_history(report, plan.history_file)
    soffice = None
    if plan.pdf and missing_tool is None:
        try:
            soffice = find_soffice()
        except errors.MissingTool as exc:
            missing_tool = exc
    try:
        write_board_paper(report, paper, pdf=soffice is not None, soffice=soffice, docx=plan.docx)
    except errors.MissingTool as exc:  # found, but would not start
        missing_tool = exc
    if missing_tool is not None and plan.pdf:
        # Without LibreOffice the board still gets the .xlsx paper and the report.
        result.error = f"no PDF: {missing_tool}"
        result.exit_code = missing_tool.exit_code
    _write_json(report_path, report.to_dict())
    result.actions = len(report.actions)
    result.errors = report.errors
    result.warnings = report.warnings
    result.overdue = len(report.overdue)
    # The history file is the run's, not this tracker's: the summary names it once.
    papers = [p for kind, p in report.paths.items() if p and kind != "history"]
    result.files = [str(p) for p in papers] + [str(report_path)]
    result.exit_code = worst_exit_code([result.exit_code, report.exit_code])
    if plan.chase is not None:  # the leads' chase drafts, sent when the config says so
        _chase_tracker(report, label, plan, result)
    if plan.stamp_tracker:  # opt-in, the one write into a tracker: see writeback.py
        from wellled_xl.writeback import stamp_tracker

        try:
            result.files += [str(tracker), str(stamp_tracker(tracker, report))]
        except errors.WellledError as exc:
            note = f"statuses not written into the tracker: {_one_line(exc)}"
            result.error = f"{result.error}; {note}" if result.error else note
            result.exit_code = worst_exit_code([result.exit_code, exc.exit_code])
    return result, missing_tool


def _chase_tracker(report: Any, label: str, plan: RefreshPlan, result: TrackerResult) -> None:
    """Write the tracker's chase drafts into ``<label>_chase_<as-at>`` in the output
    folder, and send them if the config's [chase] table says ``send = true``."""
    from wellled_xl.chase.run import run_chase

    chase = plan.chase
    assert chase is not None
    folder = plan.out_dir / f"{label}_chase_{report.as_at.isoformat()}"
    run = run_chase(
        report, folder, due_within=chase.due_within, smtp=chase.smtp if chase.send else None
    )
    result.files += [str(draft.path) for draft in run.drafts]
    result.chase = run.to_dict()
    if run.send is not None and not run.send.complete:
        note = (
            run.send.error
            or f"{len(run.send.sent)} chase emails sent, {len(run.send.refused)} refused, "
            f"{len(run.send.not_tried)} not sent"
        )
        result.error = f"{result.error}; {note}" if result.error else note
        result.exit_code = worst_exit_code([result.exit_code, run.exit_code])


def _refresh_rollup(
    name: str, trackers: Sequence[Path], plan: RefreshPlan, as_at: date | None
) -> TrackerResult:
    """One [[rollup]]: a paper for its trackers together, and its JSON report."""
    from wellled_xl.paper import paper_path
    from wellled_xl.rollup import check_rollup, write_rollup

    if not trackers:
        raise errors.WellledError("no file matches this roll-up's trackers")
    rollup = check_rollup(list(trackers), as_at, name, plan.history_file)
    stem = re.sub(r"[^\w.-]+", "_", name).strip("_") or "rollup"
    paper = paper_path(plan.out_dir, stem, rollup.as_at)
    write_rollup(rollup, paper, pdf=plan.pdf, docx=plan.docx)
    report_path = plan.out_dir / f"{stem}_validation_{rollup.as_at.isoformat()}.json"
    _write_json(report_path, rollup.to_dict())
    combined = rollup.combined
    assert combined is not None
    result = TrackerResult(", ".join(str(t) for t in trackers), name, rollup.exit_code,
                           as_at=rollup.as_at)  # fmt: skip
    result.actions, result.errors = len(combined.actions), combined.errors
    result.warnings, result.overdue = combined.warnings, len(combined.overdue)
    papers = [p for kind, p in rollup.paths.items() if kind != "history"]
    result.files = [*papers, str(report_path)]
    if rollup.left_out:
        result.error = "left out: " + "; ".join(
            f"{Path(p).name} ({why})" for p, why in rollup.left_out
        )
    return result


def refresh(
    plan: RefreshPlan,
    *,
    today: date | None = None,
    progress: Progress | None = None,
    on_unexpected: Callable[[BaseException], None] | None = None,
) -> RefreshSummary:
    """Build every tracker of `plan` under the output folder's lock; write the summary.

    Raises FileBusy (exit 4) at once when another run holds the lock. Otherwise never
    raises for a tracker: each failure becomes that tracker's result and the run goes on.
    `on_unexpected` sees exceptions that are not WellledError/OSError (``--debug``).
    """
    today = today or date.today()
    progress = progress or Progress()
    rule_as_at = as_at_for_rule(plan.as_at_rule, today)
    labels = output_labels(plan.trackers)
    never_write = {t.resolve() for t in plan.trackers}
    missing_tool: errors.MissingTool | None = None
    with refresh_lock(plan.out_dir):
        summary = RefreshSummary(plan, rule_as_at, datetime.now().astimezone())
        progress.begin(len(plan.unmatched) + len(plan.trackers))
        for pattern in plan.unmatched:
            result = TrackerResult(
                pattern, "", errors.EXIT_UNUSABLE, error="no file matches this pattern"
            )
            summary.results.append(result)
            progress.tracker_done(result)
        for tracker, label in zip(plan.trackers, labels, strict=True):
            progress.tracker_started(label)
            try:
                result, missing_tool = _refresh_tracker(
                    tracker, label, plan, today, never_write, missing_tool
                )
            except errors.WellledError as exc:
                result = TrackerResult(str(tracker), label, exc.exit_code, error=_one_line(exc))
            except OSError as exc:
                result = TrackerResult(str(tracker), label, errors.EXIT_UNUSABLE, error=str(exc))
            except Exception as exc:
                if on_unexpected is not None:
                    on_unexpected(exc)
                result = TrackerResult(
                    str(tracker),
                    label,
                    errors.EXIT_INTERNAL,
                    error=f"unexpected error ({type(exc).__name__}: {exc}); please report it",
                )
            summary.results.append(result)
            progress.tracker_done(result)
            gc.collect()  # the run pauses the collector (runtime.py): free this tracker's cycles
        for name, trackers in plan.rollups:
            progress.tracker_started(name)
            try:
                result = _refresh_rollup(name, trackers, plan, rule_as_at)
            except errors.WellledError as exc:
                result = TrackerResult(name, name, exc.exit_code, error=_one_line(exc))
            summary.results.append(result)
            progress.tracker_done(result)
        summary.finished = datetime.now().astimezone()
        named = rule_as_at or today
        summary.path = plan.out_dir / f"refresh_summary_{named.isoformat()}.json"
        _write_json(summary.path, summary.to_dict())
        progress.end(summary)
    return summary
