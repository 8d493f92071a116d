"""The one pipeline every door uses: read a tracker, settle the as-at date, validate."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from wellled_xl.model import Tracker
from wellled_xl.read import read_tracker
from wellled_xl.report import Report
from wellled_xl.validate import validate


def resolve_as_at(tracker: Tracker, as_at: date | None, today: date | None = None) -> date:
    """--as-at if given, else the tracker's Settings, else today."""
    return as_at or tracker.settings.as_at or today or date.today()


def check_tracker(path: str | Path, as_at: date | None = None) -> Report:
    """Read and validate one tracker file."""
    tracker = read_tracker(path)
    return validate(tracker, resolve_as_at(tracker, as_at))
