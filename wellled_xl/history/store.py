"""The history file: each papered position of each tracker, in one SQLite file (an I/O module).

Decisions a reader of this file should know:

- **Safe where trusts keep files**: a network share or a synced folder. The rollback
  journal (``journal_mode=DELETE``), never WAL, whose shared-memory file does not work
  over a network; a busy timeout, so two runs at once wait for each other rather than
  fail; ``synchronous=FULL``. Every recording is one ``BEGIN IMMEDIATE`` transaction: a
  process killed half way leaves a hot journal that the next opener rolls back, so the
  file opens with the positions it had before.
- **Versioned schema**: ``PRAGMA user_version`` says which; `MIGRATIONS` take an older
  file forward, inside a transaction. A file that is not SQLite, a SQLite file with
  other tables and no version (somebody else's database), or one from a newer version
  is refused with `HistoryUnreadable`, before anything is written to it.
- **Same tracker, same as-at: replaced.** A tracker is known by its Settings' Tracker id
  when it has one, else by its resolved path.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from wellled_xl.errors import WellledError
from wellled_xl.history.movement import Entry, Position

HISTORY_FILE_NAME = "wellled-history.sqlite"
BUSY_TIMEOUT_SECONDS = 30.0
APPLICATION_TABLES = {"positions", "actions"}

# Each step takes the file from version i to i + 1.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE positions (
        id INTEGER PRIMARY KEY,
        tracker TEXT NOT NULL,
        label TEXT NOT NULL,
        as_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        UNIQUE (tracker, as_at)
    );
    CREATE TABLE actions (
        position INTEGER NOT NULL REFERENCES positions (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        part TEXT NOT NULL,
        sheet TEXT NOT NULL,
        ref TEXT NOT NULL,
        grp TEXT NOT NULL,
        lead TEXT NOT NULL,
        rag TEXT NOT NULL,
        complete INTEGER NOT NULL,
        due_date TEXT,
        revision_count INTEGER NOT NULL,
        progress TEXT NOT NULL
    );
    CREATE INDEX actions_of_position ON actions (position, seq);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryUnreadable(WellledError):
    """The history file is damaged, somebody else's, or from a newer wellled-xl."""

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def tracker_identity(tracker_id: str, path: str | os.PathLike[str]) -> str:
    """The Settings' Tracker id when the tracker has one, else its resolved path."""
    return f"id:{tracker_id}" if tracker_id else f"path:{Path(path).resolve()}"


@contextmanager
def _connection(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise HistoryUnreadable(path, f"cannot open it ({exc})") from None
    try:
        yield db
    except sqlite3.DatabaseError as exc:
        raise HistoryUnreadable(path, str(exc)) from None
    finally:
        db.close()


def _prepare(db: sqlite3.Connection, path: Path, *, create: bool) -> int:
    """Check the file is ours (or empty) and, with `create`, take it to SCHEMA_VERSION.

    Reading the schema first touches the file's header, so a file that is not SQLite is
    refused here, and nothing has been written to it."""
    db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if version > SCHEMA_VERSION:
        raise HistoryUnreadable(
            path,
            f"written by a newer wellled-xl (schema {version}, this one reads {SCHEMA_VERSION})",
        )
    if version == 0 and tables:
        raise HistoryUnreadable(path, "a SQLite database of something else, not a history file")
    if version and not tables >= APPLICATION_TABLES:
        raise HistoryUnreadable(path, "its tables are missing")
    db.execute("PRAGMA journal_mode = DELETE")  # the rollback journal: safe on a share
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    if create and version < SCHEMA_VERSION:
        db.execute("BEGIN IMMEDIATE")
        try:
            # Another run may have migrated it while this one waited for the lock.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for step in MIGRATIONS[version:]:
                for statement in step.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        version = SCHEMA_VERSION
    return version


def check_history(path: str | os.PathLike[str]) -> None:
    """Raise HistoryUnreadable if `path` exists and is not a history file this code can
    use; a missing file is fine (the first recording makes it). Writes nothing."""
    target = Path(path)
    if not target.exists():
        return
    if target.is_dir():
        raise HistoryUnreadable(target, "a folder, not a file")
    with _connection(target) as db:
        _prepare(db, target, create=False)


def record_position(
    path: str | os.PathLike[str],
    tracker: str,
    as_at: date,
    entries: Sequence[Entry],
    label: str = "",
    recorded_at: datetime | None = None,
) -> None:
    """Record one tracker's position as at `as_at`, in one transaction, replacing the
    position already recorded for that tracker and date."""
    target = Path(path)
    when = (recorded_at or datetime.now().astimezone()).isoformat(timespec="seconds")
    rows = [
        (seq, *e[:7], e.due_date.isoformat() if e.due_date else None, e.revision_count, e.progress)
        for seq, e in enumerate(entries)
    ]
    with _connection(target) as db:
        _prepare(db, target, create=True)
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "DELETE FROM positions WHERE tracker = ? AND as_at = ?",
                (tracker, as_at.isoformat()),
            )
            position = db.execute(
                "INSERT INTO positions (tracker, label, as_at, recorded_at) VALUES (?, ?, ?, ?)",
                (tracker, label, as_at.isoformat(), when),
            ).lastrowid
            db.executemany(
                "INSERT INTO actions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((position, *row) for row in rows),
            )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise


def _positions(db: sqlite3.Connection, tracker: str, where: str = "", args: tuple = ()) -> list:
    return db.execute(
        f"SELECT id, as_at, recorded_at, label FROM positions WHERE tracker = ? {where} "
        "ORDER BY as_at",
        (tracker, *args),
    ).fetchall()


def _entries(db: sqlite3.Connection, position: int) -> tuple[Entry, ...]:
    rows = db.execute(
        "SELECT part, sheet, ref, grp, lead, rag, complete, due_date, revision_count, progress "
        "FROM actions WHERE position = ? ORDER BY seq",
        (position,),
    )
    iso = date.fromisoformat
    return tuple(
        Entry(part, sheet, ref, grp, lead, rag, complete == 1, iso(due) if due else None,
              revisions, progress)
        for part, sheet, ref, grp, lead, rag, complete, due, revisions, progress in rows
    )  # fmt: skip


def load_positions(
    path: str | os.PathLike[str], tracker: str, before: date | None = None
) -> list[Position]:
    """Every position recorded for `tracker` (only those as at before `before`, if given),
    oldest first. A missing file has none; nothing is written."""
    target = Path(path)
    if not target.exists():
        return []
    with _connection(target) as db:
        if not _prepare(db, target, create=False):
            return []
        db.execute("BEGIN")  # one snapshot for every read
        where, args = ("AND as_at < ?", (before.isoformat(),)) if before else ("", ())
        found = [
            Position(tracker, date.fromisoformat(as_at), _entries(db, pid), recorded, label)
            for pid, as_at, recorded, label in _positions(db, tracker, where, args)
        ]
        db.execute("COMMIT")
        return found


def load_previous(
    path: str | os.PathLike[str], tracker: str, as_at: date, trend: int = 8
) -> tuple[Position | None, list[tuple[date, list[str]]]]:
    """The latest position before `as_at` (None if there is none) and the RAGs of up to
    `trend` - 1 positions before `as_at`, oldest first, for the trend chart."""
    target = Path(path)
    if not target.exists():
        return None, []
    with _connection(target) as db:
        if not _prepare(db, target, create=False):
            return None, []
        db.execute("BEGIN")
        earlier = _positions(db, tracker, "AND as_at < ?", (as_at.isoformat(),))[-(trend - 1) :]
        rags = [
            (
                date.fromisoformat(day),
                [r for (r,) in db.execute("SELECT rag FROM actions WHERE position = ?", (pid,))],
            )
            for pid, day, _, _ in earlier
        ]
        previous = None
        if earlier:
            pid, day, recorded, label = earlier[-1]
            previous = Position(
                tracker, date.fromisoformat(day), _entries(db, pid), recorded, label
            )
        db.execute("COMMIT")
        return previous, rags
