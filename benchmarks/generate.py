"""Generate controlled trackers of a given size for the benchmarks (realistic, with some errors)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from wellled_xl.model import DEFAULT_KLOES, Lead, Settings
from wellled_xl.sample import SAMPLE_LEGEND
from wellled_xl.template import write_tracker

WORDS = (
    "board assurance committee quality safety plan delivery workforce digital estates risk "
    "governance review patient staff engagement improvement programme strategy leadership "
    "culture training data report audit recovery milestone progress agreed launched pilot"
).split()
LEADS = ("RG", "TL", "RS", "DMc", "AK", "MS", "RB", "KD", "DB", "PG", "RW", "DC")
RAGS = ("G", "A/G", "A/G", "A/R", "A/G", "G")


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def make_rows(count: int, seed: int = 2019) -> tuple[list[dict], list[dict]]:
    """Part A actions across all KLOEs and Part B findings, about 2% with an error."""
    rng = random.Random(seed)
    actions, findings = [], []
    per_kloe: dict[str, int] = {}
    for index in range(count):
        if index % 5 == 4:
            number = len(findings) + 1
            findings.append(
                {
                    "ref": str(number),
                    "finding": _sentence(rng, rng.randint(12, 40)),
                    "action": _sentence(rng, rng.randint(15, 45)),
                    "lead": rng.choice(LEADS),
                    "progress": _sentence(rng, rng.randint(20, 70)),
                    "rag": rng.choice(RAGS),
                }
            )
            continue
        kloe = DEFAULT_KLOES[index % 8].code
        per_kloe[kloe] = per_kloe.get(kloe, 0) + 1
        n = per_kloe[kloe]
        # a, b, ... z, then aa1-style suffixes keep refs unique past 26 per KLOE
        ref = f"{kloe}{chr(97 + (n - 1) % 26)}{'' if n <= 26 else (n - 1) // 26}"
        original = _month_end(2019, rng.randint(1, 12))
        revised = _month_end(2019, rng.randint(7, 18)) if rng.random() < 0.3 else None
        row = {
            "ref": ref,
            "kloe": kloe,
            "action": _sentence(rng, rng.randint(6, 20)),
            "original_due": original,
            "revised_due": revised if revised and revised >= original else None,
            "lead": rng.choice(LEADS),
            "success_measure": _sentence(rng, rng.randint(4, 12)),
            "progress": _sentence(rng, rng.randint(30, 90)),
            "rag": rng.choice(RAGS),
        }
        roll = rng.random()
        if roll < 0.005:
            row["rag"] = "AG"
        elif roll < 0.01:
            row["lead"] = "Varied"
        elif roll < 0.015:
            row["original_due"] = "Soon"
        elif roll < 0.02:
            row["progress"] = "UPDATE AWAITED"
        actions.append(row)
    return actions, findings


# Another trust's own log (no registers): its header, and status typos one row in five.
TRUST_HEADER = ("Ref", "Action", "Owner", "Target Date", "New Date", "Update", "Status")
TRUST_STATUSES = ("G", "A/G", "A", "R", "G", "A/G")
TYPOS = ("AG", "Green", "amber", "A/ G", "g")


def generate_trust(count: int, folder: Path) -> Path:
    """Write (once) another trust's log of `count` rows: no registers, a title block,
    month group rows every 50 actions, dates as text and as dates, a status typo in one
    row in five."""
    import openpyxl

    path = folder / f"trust_{count}.xlsx"
    if path.exists():
        return path
    rng = random.Random(2023)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Action log")
    sheet.append(["Trust Board action log"])
    sheet.append(["Compiled 4 July 2019"])
    sheet.append([])
    sheet.append(list(TRUST_HEADER))
    for index in range(count):
        month = 12 - (index // 50) % 12  # the meeting the action came from, newest first
        if index % 50 == 0:
            sheet.append([f"{date(2019, month, 1):%B %Y}"])
        target = _month_end(2019, month + rng.randint(0, 5))
        new = _month_end(2019, month + rng.randint(3, 12)) if rng.random() < 0.3 else None
        status = rng.choice(TYPOS) if index % 5 == 4 else rng.choice(TRUST_STATUSES)
        sheet.append(
            [
                f"{index // 50 + 1}.{index % 50 + 1:02d}",
                _sentence(rng, rng.randint(6, 20)),
                rng.choice(LEADS),
                target if index % 3 else f"{target:%d %b}",  # some dates typed, yearless
                new if new and new >= target else None,
                _sentence(rng, rng.randint(30, 90)),
                status,
            ]
        )
    book.save(path)
    return path


def generate(count: int, folder: Path) -> Path:
    """Write (once) a controlled tracker of `count` rows; reuse it if already there."""
    path = folder / f"tracker_{count}.xlsx"
    if path.exists():
        return path
    actions, findings = make_rows(count)
    write_tracker(
        path,
        settings=Settings(as_at=date(2019, 9, 30)),
        legend=SAMPLE_LEGEND,
        leads=tuple(Lead(initials) for initials in LEADS),
        actions=actions,
        findings=findings,
        spare_rows=0,
    )
    return path
