"""The command line: parse arguments, call the library, turn errors into messages and exit codes."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import traceback
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from wellled_xl import __version__, errors
from wellled_xl.runtime import (
    end_process,
    keep_to_exit,
    paused_gc,
    process_ends_with_run,
    read_ahead_once,
)

if TYPE_CHECKING:
    from wellled_xl.report import Report

EXIT_CODES_HELP = errors.exit_codes_help()


def _add_as_at_option(parser: argparse.ArgumentParser) -> None:
    """--as-at, as validate, build and chase take it."""
    parser.add_argument(
        "--as-at",
        type=_as_at,
        metavar="DATE",
        help="the position date, 30/09/2019 or 2019-09-30 (default: Settings, then today)",
    )


def _as_at(text: str) -> date:
    """--as-at: ISO 2019-09-30 or day first 30/09/2019; the error says what is wrong."""
    from wellled_xl.dates import DateParseError, parse_date

    try:
        return parse_date(text)
    except DateParseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class _Parser(argparse.ArgumentParser):
    """argparse, but an option no command knows is reported by the command it was given
    to, with that command's usage and the closest option it has (--as_at → --as-at)."""

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = _chosen_command(self, parsed)
            command.error(
                f"unrecognized arguments: {' '.join(extras)}{_did_you_mean(command, extras)}"
            )
        return parsed


def _chosen_command(
    parser: argparse.ArgumentParser, parsed: argparse.Namespace
) -> argparse.ArgumentParser:
    """The parser of the command the arguments chose (``addin build``'s, not ``addin``'s)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(getattr(parsed, action.dest, None))
            if chosen is not None:
                return _chosen_command(chosen, parsed)
    return parser


def _did_you_mean(parser: argparse.ArgumentParser, extras: Sequence[str]) -> str:
    """The hint for the first unknown option close to one of `parser`'s options:
    ``" (did you mean --as-at?)"``, or "" when none is close."""
    import difflib

    known = [flag for action in parser._actions for flag in action.option_strings]
    for extra in extras:
        if not extra.startswith("-"):
            continue
        typed = extra.split("=", 1)[0]
        dashed = typed.replace("_", "-")  # --as_at: the commonest slip
        close = [dashed] if dashed in known else difflib.get_close_matches(dashed, known, n=1)
        if close:
            return f" (did you mean {close[0]}?)"
    return ""


def _shell_path(path: object) -> str:
    """A path as the user would type it in this system's shell (quoted if it needs to be)."""
    import shlex

    text = str(path)
    if os.name == "nt":
        return f'"{text}"' if " " in text else text
    return shlex.quote(text)


def _print_notices(report: Report) -> None:
    """What the user should know about the run itself (the tracker is open in Excel …)."""
    for notice in report.notices:
        print(f"wellled-xl: {notice}", file=sys.stderr)


def _print_json(document: dict) -> None:
    """Indented for a person at a terminal; one line for a program (jq, a scheduler's log).
    The text goes out in one write, as many small ones are each a system call when
    output is unbuffered."""
    from wellled_xl.report import json_bytes

    data = json_bytes(document, indent=sys.stdout.isatty())
    binary = getattr(sys.stdout, "buffer", None)  # None: a text-only stream (in-process)
    if binary is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        sys.stdout.flush()
        binary.write(data)
    keep_to_exit(document)


def _colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a tracker and report findings and overdue actions."""
    from wellled_xl.pipeline import check_tracker

    read_ahead_once()  # one tracker read, then the process ends: see readahead.py
    report = check_tracker(args.tracker, args.as_at, args.history)
    keep_to_exit(report)
    _print_notices(report)
    if args.json:
        _print_json(report.to_dict())
    else:
        print(report.render_text(colour=_colour()))
        _print_movement(report)
        if report.errors:
            print(
                f"\n{report.errors} errors to fix in the tracker: each is listed above with its "
                f"sheet and cell; `wellled-xl build {_shell_path(args.tracker)}` writes the board "
                "paper, whose Summary sheet lists them too"
            )
    return report.exit_code


def _print_movement(report: Report) -> None:
    """With --history: one line of what moved since the last paper."""
    from collections import Counter

    moved = report.movement
    if moved is None:
        return
    if moved.previous_as_at is None:
        print("\nno earlier position in the history file: the next paper shows movement")
        return
    kinds = Counter(change.kind for change in moved.changes)
    listed = ", ".join(f"{count} {kind}" for kind, count in kinds.items()) or "nothing moved"
    print(f"\nsince the last paper (as at {moved.previous_as_at:%d %b %Y}): {listed}")


def cmd_build(args: argparse.Namespace) -> int:
    """Check a tracker and write its board paper: Part A, Part B and a Summary sheet."""
    from wellled_xl.pipeline import build_board_paper

    if len(args.tracker) > 1 or args.title is not None:
        return _build_rollup(args)
    args.tracker = args.tracker[0]
    earlier = _earlier_papers(args.tracker, args.output)
    read_ahead_once()
    report = build_board_paper(
        args.tracker,
        args.as_at,
        output=args.output,
        pdf=args.pdf,
        docx=args.docx,
        docx_template=args.docx_template,
        history=args.history,
    )
    keep_to_exit(report)
    _print_notices(report)
    if args.json:
        _print_json(report.to_dict())
    else:
        for path in report.paths.values():
            print(f"{'replaced' if Path(path) in earlier else 'wrote'} {path}")
        for kind, count in report.replaced_characters.items():
            print(f"note: {count} control characters the .{kind} cannot hold were left out")
        print(
            f"{len(report.actions)} actions, {report.errors} errors, {report.warnings} warnings, "
            f"{len(report.overdue)} overdue"
        )
        _print_movement(report)
        if report.errors:
            print(
                f"The errors are listed on the Summary sheet of {report.paths['xlsx']}; "
                f"`wellled-xl validate {_shell_path(args.tracker)}` lists them by sheet and lead"
            )
    return report.exit_code


def _build_rollup(args: argparse.Namespace) -> int:
    """``build A.xlsx B.xlsx …``: one paper for several trackers."""
    from wellled_xl.rollup import build_rollup

    if args.docx_template is not None:
        raise errors.WellledError("--docx-template is for one tracker's paper, not a roll-up")
    rollup = build_rollup(
        args.tracker,
        args.as_at,
        output=args.output,
        title=args.title,
        pdf=args.pdf,
        docx=args.docx,
        history=args.history,
    )
    _print_notices(rollup.combined)
    if args.json:
        _print_json(rollup.to_dict())
        return rollup.exit_code
    for path in rollup.paths.values():
        print(f"wrote {path}")
    for part in rollup.parts:
        report = part.report
        print(
            f"{part.label}: {len(report.actions)} actions, {report.errors} errors, "
            f"{report.warnings} warnings, {len(report.overdue)} overdue"
        )
    for path, why in rollup.left_out:
        print(f"left out {path}: {why}")
    return rollup.exit_code


def _earlier_papers(tracker: str, output: str | None) -> set[Path]:
    """The papers a build may replace, as they are before it: -o's (and its PDF), or the
    dated papers beside the tracker (the as-at date, hence the name, is not known yet)."""
    import glob

    from wellled_xl.paper import PAPER_SUFFIX, pdf_path_for

    if output is not None:
        candidates = [Path(output), pdf_path_for(output)]
    else:
        source = Path(tracker)
        pattern = f"{glob.escape(source.stem)}_board_paper_*"
        candidates = [
            Path(p) for p in glob.glob(os.path.join(glob.escape(str(source.parent)), pattern))
        ]
        candidates = [p for p in candidates if p.suffix.lower() in (PAPER_SUFFIX, ".pdf")]
    return {path for path in candidates if path.is_file()}


def cmd_new_tracker(args: argparse.Namespace) -> int:
    """Write the controlled tracker workbook (or the sample transcribed from a real paper)."""
    from wellled_xl.template import new_tracker_path, write_sample_tracker, write_template

    target = new_tracker_path(args.path)
    if target.exists() and not args.force:
        raise errors.WellledError(f"{target} already exists; use --force to replace it")
    # A fresh tracker id, so the history knows the tracker however it is renamed or moved.
    tracker_id = str(uuid.uuid4()) if args.tracker_id is None else args.tracker_id
    if args.sample:
        written = write_sample_tracker(target, args.tracker_id)
    else:
        written = write_template(target, tracker_id)
    print(f"wrote {written}")
    path = _shell_path(written)
    if args.sample:
        print(f"It holds the September 2019 sample: `wellled-xl build {path}` writes its paper.")
    else:
        print(
            "Next, in Excel:\n"
            "  1. Leads: one row per accountable lead (initials, name, role, email); the Lead "
            "dropdown offers these initials.\n"
            "  2. Legend: check the RAG codes, their meanings and colours, and which count as "
            "complete; KLOE: the questions as your trust words them.\n"
            "  3. Settings: the as-at date, the paper's titles and the review period.\n"
            "  4. Then the leads fill in their rows of Actions (Part A) and Findings (Part B).\n"
            f"Then `wellled-xl validate {path}` checks it and `wellled-xl build {path}` writes "
            "the board paper."
        )
    return errors.EXIT_OK


def cmd_adopt(args: argparse.Namespace) -> int:
    """Turn a tracker the trust already keeps, of any shape, into the controlled tracker."""
    from wellled_xl.importing.adopt import adopt_tracker

    return _adopted(adopt_tracker(args.tracker, args.output, force=args.force), args)


def cmd_import(args: argparse.Namespace) -> int:
    """Make a controlled tracker from a board paper (.docx or .pdf): its tables, legend, titles."""
    from wellled_xl.importing.paper import import_paper

    return _adopted(import_paper(args.paper, args.output, force=args.force), args)


# How many of an adopted scale's statuses the summary names before it counts the rest.
_SCALE_SHOWN = 12


def _adopted(adoption, args: argparse.Namespace) -> int:
    if args.json:
        _print_json(adoption.to_dict())
        return errors.EXIT_OK
    from wellled_xl.report import printable
    from wellled_xl.rules import QUOTED

    print(f"wrote {adoption.path} (tracker id {adoption.tracker_id})")
    as_at = adoption.as_at.strftime("%d/%m/%Y") if adoption.as_at else "none found"
    shown = adoption.scale[:_SCALE_SHOWN]
    scale = ", ".join(printable(code, QUOTED) for code in shown)
    rest = len(adoption.scale) - len(shown)
    scale += f" and {rest} more" if rest else ""
    print(
        f"{adoption.part_a} Part A and {adoption.part_b} Part B actions, values as typed; "
        f"{len(adoption.leads)} leads; scale {scale or 'none'} "
        f"({printable(adoption.scale_source, QUOTED)}); as-at date {as_at}"
    )
    if adoption.unplaced:
        print(f"{len(adoption.unplaced)} cells could not be placed (copy them by hand):")
        for cell in adoption.unplaced:
            print(
                f"  {printable(cell.sheet, QUOTED)}!{cell.cell}: "
                f"{printable(repr(cell.value[:60]))} ({printable(cell.why)})"
            )
    path = _shell_path(adoption.path)
    print(
        f"Next: open {path} in Excel and fill in the Leads sheet's names and emails; "
        f"`wellled-xl validate {path}` checks it, `wellled-xl build {path}` writes the paper."
    )
    return errors.EXIT_OK


def cmd_refresh(args: argparse.Namespace) -> int:
    """Validate and build many trackers unattended (cron / Task Scheduler), under a lock."""
    from wellled_xl.refresh import make_plan, progress_for, refresh

    plan = make_plan(
        args.trackers,
        config=args.config,
        out_dir=args.out_dir,
        as_at_rule=args.as_at.isoformat() if args.as_at else args.as_at_rule,
        pdf=args.pdf,
        docx=args.docx,
        stamp_tracker=args.stamp_tracker,
        history=args.history,
    )
    on_unexpected = traceback.print_exception if args.debug else None
    summary = refresh(plan, progress=progress_for(sys.stderr), on_unexpected=on_unexpected)
    if args.json:
        _print_json(summary.to_dict())
    else:
        print(summary.render_text())
    return summary.exit_code


def _days(text: str) -> int:
    """--due-within: a whole number of days, 0 or more."""
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days (0 or more)")
    return int(text)


def cmd_chase(args: argparse.Namespace) -> int:
    """Write one email draft per lead saying what they owe for this position (.eml, ready
    to check and send from Outlook); send them through the SMTP relay only with --send."""
    from wellled_xl.chase.run import default_folder, run_chase
    from wellled_xl.chase.send import smtp_settings
    from wellled_xl.pipeline import check_tracker

    smtp, due_within = None, args.due_within
    chase_config = None
    if args.config is not None:
        from wellled_xl.refresh import load_config

        chase_config = load_config(args.config).chase
    if args.send:
        configured = chase_config.smtp if chase_config else None
        smtp = smtp_settings(
            host=args.smtp_host or (configured.host if configured else None),
            port=args.smtp_port or (configured.port if configured else None),
            sender=args.sender or (configured.sender if configured else None),
            starttls=args.starttls or bool(configured and configured.security == "starttls"),
            use_ssl=args.ssl or bool(configured and configured.security == "ssl"),
            user=args.smtp_user or (configured.user if configured else ""),
        )
    if due_within is None:
        due_within = chase_config.due_within if chase_config else 30
    report = check_tracker(args.tracker, args.as_at)
    _print_notices(report)
    folder = args.out or default_folder(args.tracker, report.as_at)
    run = run_chase(report, folder, due_within=due_within, smtp=smtp, resend=args.resend)
    if args.json:
        _print_json(run.to_dict())
    else:
        print(run.render_text())
    return run.exit_code


def _add_chase_command(commands: argparse._SubParsersAction) -> None:
    chase = commands.add_parser(
        "chase",
        help="write each lead an email draft saying what they owe (sent only with --send)",
        description=cmd_chase.__doc__,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chase.add_argument("tracker", help="the tracker workbook (.xlsx or .xlsm); never written")
    _add_as_at_option(chase)
    chase.add_argument(
        "--out", metavar="DIR", help="folder for the drafts (default: <stem>_chase_<as-at>)"
    )
    chase.add_argument(
        "--due-within",
        type=_days,
        metavar="DAYS",
        help="also chase actions due within this many days (default 30)",
    )
    chase.add_argument("--json", action="store_true", help="print one JSON document")
    chase.add_argument(
        "--send",
        action="store_true",
        help="send the drafts through the SMTP relay (once per tracker, position and lead)",
    )
    chase.add_argument(
        "--resend", action="store_true", help="with --send: send again what was sent before"
    )
    chase.add_argument("--smtp-host", metavar="HOST", help="the trust's SMTP relay")
    chase.add_argument("--smtp-port", type=int, metavar="PORT", help="default 25, 587, 465")
    chase.add_argument("--from", dest="sender", metavar="ADDRESS", help="the From address")
    security = chase.add_mutually_exclusive_group()
    security.add_argument("--starttls", action="store_true", help="upgrade to TLS (port 587)")
    security.add_argument("--ssl", action="store_true", help="TLS from the start (port 465)")
    chase.add_argument(
        "--smtp-user",
        metavar="USER",
        help="log in as USER; the password comes from WELLLED_XL_SMTP_PASSWORD or the "
        "system keyring, never the command line",
    )
    chase.add_argument(
        "--config", metavar="refresh.toml", help="take the SMTP settings from its [chase] table"
    )
    chase.set_defaults(run=cmd_chase)


def cmd_history(args: argparse.Namespace) -> int:
    """Each action's trail, position by position, from the history file; or, with
    ``history add TRACKER --as-at DATE``, record an old copy of a tracker without building
    (to seed last quarter)."""
    from wellled_xl.history import default_history_path
    from wellled_xl.history.trail import add_position, render_trail, trail

    words = list(args.words)
    adding = words[0] == "add" and len(words) == 2
    if len(words) != 1 and not adding:
        raise errors.WellledError("history takes one TRACKER, or: history add TRACKER --as-at DATE")
    tracker = words[-1]
    history = args.history or default_history_path(Path(tracker).resolve().parent)
    if adding:
        if args.as_at is None:
            raise errors.WellledError("history add needs --as-at DATE: the date of that position")
        report = add_position(tracker, args.as_at, history)
        print(
            f"recorded {len(report.actions)} actions of {tracker} as at "
            f"{report.as_at:%d %B %Y} in {history}"
        )
        return errors.EXIT_OK
    document = trail(tracker, history, ref=args.ref)
    if args.json:
        _print_json(document)
    else:
        print(render_trail(document))
    return errors.EXIT_OK


def _interpreter(args: argparse.Namespace) -> tuple[str, str] | None:
    from wellled_xl.excel.addin import default_interpreter

    if args.no_interpreter:
        return None
    if args.interpreter_win:
        return "Interpreter_Win", args.interpreter_win
    if args.interpreter_mac:
        return "Interpreter_Mac", args.interpreter_mac
    return default_interpreter()


def cmd_addin_build(args: argparse.Namespace) -> int:
    """Build wellled_xl.xlam, the Excel add-in with the Well-led tab and its button."""
    from wellled_xl.excel.addin import build_addins

    for path in build_addins(args.output, interpreter=_interpreter(args)):
        print(f"wrote {path}")
    return errors.EXIT_OK


def cmd_addin_install(args: argparse.Namespace) -> int:
    """Build the add-in into the folder Excel loads add-ins from (or --dest DIR)."""
    from wellled_xl.excel.addin import CHASE_ADDIN_NAME, WORD_ADDIN_NAME, install_addin

    path = install_addin(args.dest, startup=not args.addins_folder, interpreter=_interpreter(args))
    print(f"installed {path}")
    print(f"installed {path.with_name(CHASE_ADDIN_NAME)} (the Chase leads button)")
    print(f"installed {path.with_name(WORD_ADDIN_NAME)} (the Board paper (Word) button)")
    if args.addins_folder and args.dest is None:
        print(
            "In Excel: File > Options > Add-ins > Manage Excel Add-ins > Go…, tick wellled_xl, "
            "wellled_xl_chase and wellled_xl_word."
        )
    return errors.EXIT_OK


def _add_addin_commands(commands: argparse._SubParsersAction) -> None:
    addin = commands.add_parser(
        "addin",
        help="build or install the Excel add-in (the Well-led tab's Validate & Build button)",
        description="The Excel add-in: xlwings' ribbon add-in template with the Well-led tab.",
    )
    actions = addin.add_subparsers(dest="addin_command", required=True, metavar="ACTION")
    build = actions.add_parser(
        "build", help=cmd_addin_build.__doc__, description=cmd_addin_build.__doc__
    )
    build.add_argument(
        "-o", "--output", help="a folder, or a path ending in wellled_xl.xlam (default: here)"
    )
    install = actions.add_parser(
        "install", help=cmd_addin_install.__doc__, description=cmd_addin_install.__doc__
    )
    install.add_argument("--dest", help="write it into this folder instead (no Excel needed)")
    install.add_argument(
        "--addins-folder",
        action="store_true",
        help="Excel's Add-ins folder (then tick it in Excel) instead of its startup folder",
    )
    for parser, run in ((build, cmd_addin_build), (install, cmd_addin_install)):
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--interpreter-win", metavar="PATH", help="the pythonw.exe the button runs (Windows)"
        )
        which.add_argument(
            "--interpreter-mac", metavar="PATH", help="the python the button runs (macOS)"
        )
        which.add_argument(
            "--no-interpreter",
            action="store_true",
            help="leave the add-in's settings sheet off (set Interpreter_Win in myaddin.conf)",
        )
        parser.set_defaults(run=run)


def _add_history_option(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--history", metavar="PATH", help=f"{text} (SQLite)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="wellled-xl",
        description="Validate a well-led / CQC action tracker and build its board paper.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"wellled-xl {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check a tracker: findings by sheet and lead, overdue actions",
        description=cmd_validate.__doc__,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("tracker", help="the tracker workbook (.xlsx or .xlsm)")
    _add_as_at_option(validate)
    validate.add_argument("--json", action="store_true", help="print one JSON document")
    _add_history_option(validate, "read what moved since the last paper from this file")
    validate.set_defaults(run=cmd_validate)

    build = commands.add_parser(
        "build",
        help="check a tracker and write its board paper (.xlsx; .pdf, .docx on request)",
        description=cmd_build.__doc__,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument(
        "tracker",
        nargs="+",
        help="the tracker workbook (.xlsx or .xlsm); never written. Several: one roll-up "
        "paper for them all",
    )
    build.add_argument("--title", help="a roll-up's title (default: 'Board paper: N trackers')")
    _add_as_at_option(build)
    build.add_argument(
        "-o",
        "--output",
        help="the paper's .xlsx (default: beside the tracker, <stem>_board_paper_<as-at>.xlsx)",
    )
    build.add_argument(
        "--pdf", action="store_true", help="also print it to <output stem>.pdf with LibreOffice"
    )
    build.add_argument(
        "--docx", action="store_true", help="also write it as a Word document, <output stem>.docx"
    )
    build.add_argument(
        "--docx-template",
        metavar="PAPER.dotx",
        help="the trust's Word template (.docx or .dotx): the paper replaces its "
        "{{board_paper}} paragraph, else goes at the end (implies --docx)",
    )
    build.add_argument("--json", action="store_true", help="print one JSON document")
    _add_history_option(
        build, "show what moved since the last paper, and record this position, in this file"
    )
    build.set_defaults(run=cmd_build)

    new = commands.add_parser(
        "new-tracker",
        help="write a controlled tracker workbook",
        description=cmd_new_tracker.__doc__,
    )
    new.add_argument("path", help="where to write the .xlsx")
    new.add_argument("--sample", action="store_true", help="fill it with the sample board paper")
    new.add_argument("--force", action="store_true", help="replace an existing file")
    new.add_argument(
        "--tracker-id",
        metavar="ID",
        help="the Settings' Tracker id (default: a fresh UUID; the sample's own with --sample; "
        '"" for none)',
    )
    new.set_defaults(run=cmd_new_tracker)

    adopt = commands.add_parser(
        "adopt",
        help="turn the tracker a trust already keeps into the controlled tracker",
        description=cmd_adopt.__doc__,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    adopt.add_argument("tracker", help="the tracker workbook (.xlsx or .xlsm); never written")
    importing = commands.add_parser(
        "import",
        help="make a controlled tracker from a board paper (.docx or .pdf)",
        description=cmd_import.__doc__,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importing.add_argument("paper", help="the board paper, a Word .docx or a .pdf")
    for command, run in ((adopt, cmd_adopt), (importing, cmd_import)):
        command.add_argument(
            "-o", "--output", help="the new tracker (default: beside it, <stem>_controlled.xlsx)"
        )
        command.add_argument("--force", action="store_true", help="replace an existing file")
        command.add_argument("--json", action="store_true", help="print one JSON document")
        command.set_defaults(run=run)

    refresh_cmd = commands.add_parser(
        "refresh",
        help="build the board papers of many trackers for a scheduled run (cron, Task Scheduler)",
        description=cmd_refresh.__doc__,
        epilog=EXIT_CODES_HELP
        + "refresh exits with its worst tracker's code, worst first: 3, 70, 4, 2, 5, 1, 0\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    refresh_cmd.add_argument(
        "trackers", nargs="*", metavar="TRACKER", help="tracker workbooks or glob patterns"
    )
    refresh_cmd.add_argument("--config", help="refresh.toml: trackers, out_dir, as_at, pdf, docx")
    refresh_cmd.add_argument(
        "--out-dir", help="folder for papers and reports (default: the config's folder, or .)"
    )
    when = refresh_cmd.add_mutually_exclusive_group()
    when.add_argument(
        "--as-at", type=_as_at, metavar="DATE", help="the position date, 30/09/2019 or 2019-09-30"
    )
    when.add_argument(
        "--as-at-rule",
        metavar="RULE",
        help="settings (default: each tracker's Settings as-at, else the end of last month), "
        "end-of-last-month, end-of-last-quarter, today, or a date",
    )
    refresh_cmd.add_argument(
        "--pdf",
        action=argparse.BooleanOptionalAction,
        help="also render each paper to PDF with LibreOffice (default: the config's, or off)",
    )
    refresh_cmd.add_argument(
        "--docx",
        action=argparse.BooleanOptionalAction,
        help="also write each paper as a Word document (default: the config's, or off)",
    )
    refresh_cmd.add_argument(
        "--json", action="store_true", help="print the run summary as one JSON document"
    )
    refresh_cmd.add_argument(
        "--stamp-tracker",
        action="store_true",
        help="also write each row's status into the tracker's Check column (opt-in; backs the "
        "tracker up first; refused while it is open or holds what cannot be saved faithfully)",
    )
    _add_history_option(
        refresh_cmd,
        "the history file of positions (default: the config's history, else "
        "<out-dir>/wellled-history.sqlite)",
    )
    refresh_cmd.set_defaults(run=cmd_refresh)
    _add_chase_command(commands)

    history = commands.add_parser(
        "history",
        help="each action's trail, position by position; `history add` records an old copy",
        description=cmd_history.__doc__,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    history.add_argument("words", nargs="+", metavar="TRACKER", help="the tracker, or: add TRACKER")
    _add_history_option(history, "the history file (default: wellled-history.sqlite beside it)")
    history.add_argument("--ref", help="only this action's trail")
    history.add_argument(
        "--as-at", type=_as_at, metavar="DATE", help="with `add`: the date of the copy's position"
    )
    history.add_argument("--json", action="store_true", help="print one JSON document")
    history.set_defaults(run=cmd_history)
    _add_addin_commands(commands)
    return parser


def run() -> NoReturn:
    """The ``wellled-xl`` program (and ``python -m wellled_xl``): `main`, then exit.

    The process ends with the command, so the cycle collector stays paused to the end:
    switching it back on would only make it sweep the whole heap once before exit
    (0.04 s after a 10,000-action validate); and its results are left for the operating
    system to reclaim (`runtime.keep_to_exit`).
    """
    gc.disable()
    process_ends_with_run()
    end_process(main())  # argparse's own exits (--help, a usage error) end it as usual


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (never raise, never print a traceback)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with paused_gc():
            return args.run(args)
    except errors.WellledError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"wellled-xl: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # output piped into `head` and cut short: not an error
        sys.stderr.close()
        return errors.EXIT_OK
    except KeyboardInterrupt:
        print("wellled-xl: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if args.debug:
            traceback.print_exc()
        print(
            f"wellled-xl: unexpected error ({type(exc).__name__}: {exc}); "
            "run again with --debug and report it",
            file=sys.stderr,
        )
        return errors.EXIT_INTERNAL
