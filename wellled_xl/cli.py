"""The command line: parse arguments, call the library, turn errors into messages and exit codes."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from wellled_xl import __version__, errors
from wellled_xl.runtime import paused_gc

EXIT_CODES_HELP = """exit codes:
  0  no errors (warnings allowed)
  1  the tracker has findings of severity "error"
  2  the file cannot be used (not a workbook, no tracker sheet, unreadable) or bad usage
  3  a program the command needs (LibreOffice) is not installed
  4  the file is busy: open in Excel, or another refresh holds the lock
 70  an unexpected internal error (please report it; --debug shows details)
"""


def _as_at(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2019-09-30") from None


def _print_json(document: dict) -> None:
    """Indented for a person at a terminal; one line for a program (jq, a scheduler's log).

    Indenting takes Python's pure-Python encoder, about ten times slower than the one
    line (0.08 s for a 10,000-action report); and the text goes out in one write, as
    json.dump's many small ones are each a system call when output is unbuffered.
    """
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(document, indent=indent, ensure_ascii=False) + "\n")


def _colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a tracker and report findings and overdue actions."""
    from wellled_xl.pipeline import check_tracker

    report = check_tracker(args.tracker, args.as_at)
    if args.json:
        _print_json(report.to_dict())
    else:
        print(report.render_text(colour=_colour()))
    return report.exit_code


def cmd_build(args: argparse.Namespace) -> int:
    """Check a tracker and write its board paper: Part A, Part B and a Summary sheet."""
    from wellled_xl.pipeline import build_board_paper

    report = build_board_paper(
        args.tracker,
        args.as_at,
        output=args.output,
        pdf=args.pdf,
        docx=args.docx,
        docx_template=args.docx_template,
    )
    if args.json:
        _print_json(report.to_dict())
    else:
        for path in report.paths.values():
            print(f"wrote {path}")
        for kind, count in report.replaced_characters.items():
            print(f"note: {count} control characters the .{kind} cannot hold were left out")
        print(
            f"{len(report.actions)} actions, {report.errors} errors, {report.warnings} warnings, "
            f"{len(report.overdue)} overdue"
        )
    return report.exit_code


def cmd_new_tracker(args: argparse.Namespace) -> int:
    """Write the controlled tracker workbook (or the sample transcribed from a real paper)."""
    from wellled_xl.template import write_sample_tracker, write_template

    target = Path(args.path)
    if target.exists() and not args.force:
        raise errors.WellledError(f"{target} already exists; use --force to replace it")
    written = (write_sample_tracker if args.sample else write_template)(target)
    print(f"wrote {written}")
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
    )
    on_unexpected = traceback.print_exception if args.debug else None
    summary = refresh(plan, progress=progress_for(sys.stderr), on_unexpected=on_unexpected)
    if args.json:
        _print_json(summary.to_dict())
    else:
        print(summary.render_text())
    return summary.exit_code


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
    from wellled_xl.excel.addin import build_addin

    print(f"wrote {build_addin(args.output, interpreter=_interpreter(args))}")
    return errors.EXIT_OK


def cmd_addin_install(args: argparse.Namespace) -> int:
    """Build the add-in into the folder Excel loads add-ins from (or --dest DIR)."""
    from wellled_xl.excel.addin import install_addin

    path = install_addin(args.dest, startup=not args.addins_folder, interpreter=_interpreter(args))
    print(f"installed {path}")
    if args.addins_folder and args.dest is None:
        print("In Excel: File > Options > Add-ins > Manage Excel Add-ins > Go…, tick wellled_xl.")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    validate.add_argument(
        "--as-at", type=_as_at, help="the position date, YYYY-MM-DD (default: Settings, then today)"
    )
    validate.add_argument("--json", action="store_true", help="print one JSON document")
    validate.set_defaults(run=cmd_validate)

    build = commands.add_parser(
        "build",
        help="check a tracker and write its board paper (.xlsx; .pdf, .docx on request)",
        description=cmd_build.__doc__,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("tracker", help="the tracker workbook (.xlsx or .xlsm); never written")
    build.add_argument(
        "--as-at", type=_as_at, help="the position date, YYYY-MM-DD (default: Settings, then today)"
    )
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
    build.set_defaults(run=cmd_build)

    new = commands.add_parser(
        "new-tracker",
        help="write a controlled tracker workbook",
        description=cmd_new_tracker.__doc__,
    )
    new.add_argument("path", help="where to write the .xlsx")
    new.add_argument("--sample", action="store_true", help="fill it with the sample board paper")
    new.add_argument("--force", action="store_true", help="replace an existing file")
    new.set_defaults(run=cmd_new_tracker)

    refresh_cmd = commands.add_parser(
        "refresh",
        help="build the board papers of many trackers for a scheduled run (cron, Task Scheduler)",
        description=cmd_refresh.__doc__,
        epilog=EXIT_CODES_HELP
        + "refresh exits with its worst tracker's code, worst first: 3, 70, 4, 2, 1, 0\n",
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
    when.add_argument("--as-at", type=_as_at, help="the position date, YYYY-MM-DD")
    when.add_argument(
        "--as-at-rule",
        metavar="RULE",
        help="end-of-last-month (default), end-of-last-quarter, today, settings, or YYYY-MM-DD",
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
    refresh_cmd.set_defaults(run=cmd_refresh)
    _add_addin_commands(commands)
    return parser


def run() -> NoReturn:
    """The ``wellled-xl`` program (and ``python -m wellled_xl``): `main`, then exit.

    The process ends with the command, so the cycle collector stays paused to the end:
    switching it back on would only make it sweep the whole heap once before exit
    (0.04 s after a 10,000-action validate).
    """
    gc.disable()
    sys.exit(main())


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
