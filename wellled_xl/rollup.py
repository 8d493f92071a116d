"""One board paper for several trackers (divisions, committees): ``build A.xlsx B.xlsx …``.

Each tracker is read and validated as on its own, at one as-at date; one that cannot be
read is left out and the paper says so. The paper has a top band per tracker with its own
groups under it, and a Summary that counts per tracker and in total. A ref used by more
than one tracker (W1a in both) is shown with its tracker's label, in the paper and in the
JSON, where every finding and overdue item names its tracker.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePath
from typing import Any

from wellled_xl import errors
from wellled_xl.history.store import tracker_identity
from wellled_xl.model import Legend, Settings, Tracker
from wellled_xl.report import Report

ROLLUP_STEM = "rollup"


@dataclass
class RollupPart:
    """One tracker of a roll-up: its short label (its file name, unique in the roll-up),
    the text of its top band, and its report."""

    label: str
    band: str
    report: Report
    shown: Report | None = None  # the report as the paper shows it: clashing refs labelled


@dataclass
class Rollup:
    """Several trackers' reports, those left out and why, and the combined report the
    paper is laid out from."""

    title: str
    as_at: date
    parts: list[RollupPart]
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (tracker, why)
    combined: Report | None = None
    paths: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        if self.left_out:
            return errors.EXIT_UNUSABLE
        return max((part.report.exit_code for part in self.parts), default=errors.EXIT_OK)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report: totals, every finding and overdue item naming its tracker, each
        tracker's own report, and those left out."""
        assert self.combined is not None
        combined = self.combined.to_dict()
        by_tracker = []
        findings, overdue = [], []
        for part in self.parts:
            document = part.report.to_dict()
            document["label"] = part.label
            by_tracker.append(document)
            findings += [{**f, "tracker": part.label} for f in document["findings"]]
            overdue += [{**o, "tracker": part.label} for o in document["overdue"]]
        overdue.sort(key=lambda o: -o["days_overdue"])
        document = {
            "tracker": [part.report.tracker.path for part in self.parts],
            "as_at": self.as_at.isoformat(),
            "title": self.title,
            "summary": {**combined["summary"], "trackers": len(self.parts)},
            "findings": findings,
            "overdue": overdue,
            "trackers": by_tracker,
            "left_out": [{"tracker": path, "error": why} for path, why in self.left_out],
        }
        if self.paths:
            document["paths"] = dict(self.paths)
        return document


def _labels(paths: list[str]) -> list[str]:
    """Each tracker's file stem, made unique with its folder's name (then a number)."""
    stems = [PurePath(p).stem for p in paths]
    counts = Counter(stems)
    labels: list[str] = []
    for path, stem in zip(paths, stems, strict=True):
        label = stem if counts[stem] == 1 else f"{PurePath(path).parent.name}/{stem}"
        while label in labels:
            label += "'"
        labels.append(label)
    return labels


def _union_legend(reports: list[Report]) -> Legend:
    """Every tracker's statuses, first come first: the paper's legend and counts."""
    seen: dict[str, Any] = {}
    for report in reports:
        for entry in report.tracker.legend.entries:
            seen.setdefault(entry.code, entry)
    sources = "; ".join(dict.fromkeys(r.tracker.legend.source for r in reports))
    return Legend(tuple(seen.values()), source=sources)


def combine(rollup: Rollup) -> Report:
    """The combined report: every tracker's actions and findings, a clashing ref shown
    with its tracker's label ("W1a (north)"), the notices saying who was left out."""
    from wellled_xl.paper.layout import paper_title

    owners: dict[tuple[str, str], set[str]] = {}
    for part in rollup.parts:
        for action in part.report.actions:
            if action.ref:
                owners.setdefault((action.part, action.ref), set()).add(part.label)
    actions, findings = [], []
    for part in rollup.parts:
        report = part.report
        clash = {ref for (p, ref), who in owners.items() if len(who) > 1}
        relabelled = []
        for action in report.actions:
            if action.ref in clash:
                action = replace(action, ref=f"{action.ref} ({part.label})")
            relabelled.append(action)
        actions += relabelled
        part.shown = replace(report, actions=relabelled)
        for finding in report.findings:
            sheet = f"{part.label}: {finding.sheet}" if finding.sheet else part.label
            ref = f"{finding.ref} ({part.label})" if finding.ref in clash else finding.ref
            findings.append(replace(finding, sheet=sheet, ref=ref))
        part.band = part.band or paper_title(report)
    tracker = Tracker(
        path=" + ".join(part.label for part in rollup.parts),
        records=[],
        legend=_union_legend([part.report for part in rollup.parts]),
        settings=Settings(as_at=rollup.as_at, title=rollup.title),
        has_settings=True,
    )
    combined = Report(tracker, rollup.as_at, actions, findings)
    if rollup.left_out:
        combined.notices.append(
            "Left out of this roll-up, as they could not be read: "
            + "; ".join(f"{PurePath(path).name} ({why})" for path, why in rollup.left_out)
        )
    for part in rollup.parts:
        combined.notices += [f"{part.label}: {notice}" for notice in part.report.notices]
    return combined


def check_rollup(
    paths: list[str | os.PathLike[str]],
    as_at: date | None = None,
    title: str | None = None,
    history: str | os.PathLike[str] | None = None,
) -> Rollup:
    """Read and validate each tracker at one as-at date (--as-at, else the first readable
    tracker's Settings, else today); a tracker that cannot be read is left out."""
    from wellled_xl.paper.layout import paper_title
    from wellled_xl.pipeline import check, resolve_as_at, with_history, with_open_notice
    from wellled_xl.read import read_tracker

    texts = [str(p) for p in paths]
    labels = _labels(texts)
    read: list[tuple[str, str, Tracker]] = []
    left_out: list[tuple[str, str]] = []
    for path, label in zip(texts, labels, strict=True):
        try:
            read.append((path, label, read_tracker(path)))
        except errors.WellledError as exc:
            left_out.append((path, getattr(exc, "reason", None) or str(exc)))
        except OSError as exc:
            left_out.append((path, exc.strerror or str(exc)))
    if not read:
        reasons = "; ".join(f"{PurePath(p).name}: {why}" for p, why in left_out)
        raise errors.WellledError(f"no tracker of the roll-up could be read ({reasons})")
    day = as_at or resolve_as_at(read[0][2], None)
    parts = []
    identities: dict[str, str] = {}  # tracker identity -> the label that has it
    for path, label, tracker in read:
        report = with_open_notice(check(tracker, day), path)
        identity = tracker_identity(tracker.settings.tracker_id, path)
        if history is not None and identity in identities:
            # Copies of one tracker (the same Tracker id): one position per tracker and date.
            report.notices.append(
                f"it has the same Tracker id as {identities[identity]}, so its position is "
                "not recorded in the history (give each tracker its own id in Settings)"
            )
        else:
            identities[identity] = label
            report = with_history(report, history)
        title_of = paper_title(report)
        band = title_of if title_of == label else f"{title_of} ({label})"
        parts.append(RollupPart(label, band, report))
    rollup = Rollup(title or f"Board paper: {len(texts)} trackers", day, parts, left_out)
    rollup.combined = combine(rollup)
    return rollup


def build_rollup(
    paths: list[str | os.PathLike[str]],
    as_at: date | None = None,
    output: str | os.PathLike[str] | None = None,
    title: str | None = None,
    pdf: bool = False,
    docx: bool = False,
    history: str | os.PathLike[str] | None = None,
) -> Rollup:
    """Validate several trackers and write one paper for them all (``-o``, else
    ``rollup_board_paper_<as-at>.xlsx`` beside the first); never over any of them."""
    from wellled_xl.paper import check_paper_path, paper_path

    if output is not None:
        for path in paths:
            check_paper_path(output, path)
    rollup = check_rollup(paths, as_at, title, history)
    first = Path(rollup.parts[0].report.tracker.path)
    target = output if output is not None else paper_path(first.parent, ROLLUP_STEM, rollup.as_at)
    return write_rollup(rollup, target, pdf=pdf, docx=docx)


def write_rollup(
    rollup: Rollup, target: str | os.PathLike[str], pdf: bool = False, docx: bool = False
) -> Rollup:
    """Write a checked roll-up's paper to `target` (never over one of its trackers), and
    record each tracker's position in its history file, if it has one."""
    from wellled_xl.history import record_history
    from wellled_xl.paper import check_paper_path
    from wellled_xl.paper.layout import layout_rollup
    from wellled_xl.pipeline import write_board_paper

    assert rollup.combined is not None
    for part in rollup.parts:
        check_paper_path(target, part.report.tracker.path)
    parts = [(part.band, part.label, part.shown or part.report) for part in rollup.parts]
    layout = layout_rollup(rollup.combined, parts, rollup.title)
    write_board_paper(rollup.combined, target, pdf=pdf, docx=docx, layout=layout)
    rollup.paths = dict(rollup.combined.paths)
    for part in rollup.parts:
        record_history(part.report)
        if "history" in part.report.paths:
            rollup.paths["history"] = part.report.paths["history"]
    return rollup
