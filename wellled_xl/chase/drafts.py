"""The chase emails: one message per lead (text and HTML), .eml drafts, and mailto: links."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr
from pathlib import Path
from urllib.parse import quote

from wellled_xl.chase.owed import Chase, Item, LeadChase
from wellled_xl.dates import MONTH_NAMES
from wellled_xl.safety import atomic_output

# Mail programs and Windows cut mailto: links longer than about 2,000 characters (Outlook
# ~2,048, Excel's hyperlinks 2,079): a longer list is cut with a note.
MAILTO_LIMIT = 2000
DRAFT_SUFFIX = ".eml"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_ACTION_WIDTH = 70  # characters of the planned action shown in the plain-text list
_KIND_WORDS = {
    "error": "Fix",
    "update": "Update",
    "overdue": "Overdue",
    "due soon": "Due soon",
    "slipped": "Slipped",
    "warning": "Check",
}


def one_line(text: str) -> str:
    """Tracker text on one line: its line breaks and runs of spaces as single spaces."""
    return " ".join(str(text).split())


def position(chase: Chase) -> str:
    day = chase.as_at
    return f"{day.day} {MONTH_NAMES[day.month]} {day.year}"


def subject(chase: Chase, lead: LeadChase) -> str:
    """One line, whatever the tracker's title holds: a subject can never start a header."""
    count = len(lead.items)
    things = "1 item" if count == 1 else f"{count} items"
    return f"{one_line(chase.title)}: {things} for you, position as at {position(chase)}"


def message_id(chase: Chase, lead: LeadChase) -> str:
    """The same Message-ID for the same tracker, position and lead, so a mail program
    can tell a resent chase from a new one."""
    key = f"{chase.tracker_name}|{chase.as_at.isoformat()}|{lead.initials.casefold()}"
    return f"<chase-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@wellled-xl>"


def _due(item: Item) -> str:
    return f"{item.due_date:%d %b %Y}" if item.due_date else ""


def _where(item: Item) -> str:
    return f"{item.sheet}!{item.cell}" if item.cell else ""


def _short(text: str, width: int = _ACTION_WIDTH) -> str:
    text = one_line(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _item_lines(item: Item) -> list[str]:
    head = f"{one_line(item.ref) or f'Row {item.row}'}  {_short(item.action)}"
    lines = [head]
    if item.due_date:
        lines.append(f"    Due: {_due(item)}")
    lines.append(f"    {_KIND_WORDS[item.kind]}: {one_line(item.needed)}")
    if item.cell:
        lines.append(f"    Cell: {_where(item)}")
    return lines


def _opening(chase: Chase, lead: LeadChase) -> list[str]:
    count = lead.actions
    actions = "1 of your actions needs" if count == 1 else f"{count} of your actions need"
    return [
        f"Dear {one_line(lead.name)},",
        "",
        f"The well-led action tracker ({one_line(chase.tracker_name)}) is being prepared for "
        f"the board, position as at {position(chase)}. {actions} something from you:",
    ]


_CLOSING = "Please update your rows in the tracker. Thank you."


def text_body(chase: Chase, lead: LeadChase) -> str:
    lines = [*_opening(chase, lead), ""]
    for item in lead.items:
        lines += [*_item_lines(item), ""]
    lines += [_CLOSING, "", f"(Drafted by wellled-xl from {one_line(chase.tracker_name)}.)"]
    return "\n".join(lines) + "\n"


def html_body(chase: Chase, lead: LeadChase) -> str:
    """The same as `text_body`, with the list as a table; every tracker text escaped."""
    esc = html.escape
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td style="border:1px solid #999;padding:3px 6px;vertical-align:top">{esc(v)}</td>'
            for v in (
                one_line(item.ref),
                one_line(item.action),
                _due(item),
                f"{_KIND_WORDS[item.kind]}: {one_line(item.needed)}",
                _where(item),
            )
        )
        + "</tr>\n"
        for item in lead.items
    )
    header = "".join(
        f'<th style="border:1px solid #999;padding:3px 6px;background:#DDEBF7;text-align:left">'
        f"{name}</th>"
        for name in ("Ref", "Action", "Due", "What is needed", "Cell")
    )
    paragraphs = "".join(f"<p>{esc(line)}</p>\n" for line in _opening(chase, lead) if line)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>'
        '<body style="font-family:Arial,sans-serif;font-size:11pt">\n'
        f"{paragraphs}"
        f'<table style="border-collapse:collapse">\n<tr>{header}</tr>\n{rows}</table>\n'
        f"<p>{esc(_CLOSING)}</p>\n"
        f'<p style="color:#666">(Drafted by wellled-xl from {esc(one_line(chase.tracker_name))}.)'
        "</p>\n</body></html>\n"
    )


def message_for(chase: Chase, lead: LeadChase, sender: str | None = None) -> EmailMessage:
    """The chase email to one lead: a draft (``X-Unsent: 1``, Outlook opens it ready to
    send) with a plain-text part and an HTML alternative; never an attachment.

    Only a lead whose address passed `check_address` gets one: the caller never builds a
    message for an address that was refused.
    """
    if not lead.address:
        raise ValueError(f"{lead.initials} has no usable address")
    message = EmailMessage()
    message["To"] = formataddr((one_line(lead.lead.name if lead.lead else ""), lead.address))
    if sender:
        message["From"] = sender
    message["Subject"] = subject(chase, lead)
    message["Message-ID"] = message_id(chase, lead)
    message["X-Unsent"] = "1"
    message["X-Wellled-Xl-Position"] = chase.as_at.isoformat()
    message.set_content(text_body(chase, lead))
    message.add_alternative(html_body(chase, lead), subtype="html")
    return message


@dataclass(frozen=True)
class Draft:
    """A lead's draft: the message and the .eml file it was written to."""

    lead: LeadChase
    message: EmailMessage
    path: Path


def draft_names(leads: list[LeadChase]) -> dict[str, str]:
    """Each lead's .eml file name: their initials made safe for any file system, unique
    ignoring case (Windows): DMc.eml, and DMC_2.eml beside it."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for lead in leads:
        stem = _UNSAFE_NAME.sub("_", lead.initials).strip("_") or "lead"
        name, number = stem, 2
        while name.casefold() in taken:
            name, number = f"{stem}_{number}", number + 1
        taken.add(name.casefold())
        names[lead.initials] = name + DRAFT_SUFFIX
    return names


def write_drafts(chase: Chase, folder: str | Path, sender: str | None = None) -> list[Draft]:
    """One .eml per lead with a usable address into `folder` (each written atomically);
    leads without one get no file (their findings say why). Nothing is sent."""
    target = Path(folder)
    names = draft_names(chase.leads)
    drafts = []
    for lead in chase.addressed:
        message = message_for(chase, lead, sender)
        path = target / names[lead.initials]
        with atomic_output(path) as tmp:
            tmp.write_bytes(message.as_bytes(policy=SMTP))
        drafts.append(Draft(lead, message, path))
    return drafts


def mailto_link(chase: Chase, lead: LeadChase, limit: int = MAILTO_LIMIT) -> tuple[str, bool]:
    """A ``mailto:`` link that opens the lead's email, prefilled, in the user's mail
    program, and whether its list was cut to keep it under `limit` characters (the full
    list stays in the Chase sheet). "" when the lead has no usable address."""
    if not lead.address:
        return "", False
    start = f"mailto:{quote(lead.address, safe='@')}?subject={quote(subject(chase, lead))}&body="
    opening = "\r\n".join(_opening(chase, lead)) + "\r\n\r\n"
    closing = "\r\n" + _CLOSING + "\r\n"
    blocks = ["\r\n".join(_item_lines(item)) + "\r\n\r\n" for item in lead.items]

    def link(shown: int) -> str:
        rest = len(blocks) - shown
        note = (
            f"… and {rest} more: see the Chase sheet of {one_line(chase.tracker_name)}.\r\n"
            if rest
            else ""
        )
        return start + quote(opening + "".join(blocks[:shown]) + note + closing)

    shown = len(blocks)
    url = link(shown)
    while len(url) > limit and shown > 0:
        shown -= 1
        url = link(shown)
    return url, shown < len(blocks)
