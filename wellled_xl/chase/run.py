"""One chase of one tracker: drafts into a folder, sending if asked, and what to tell the user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from wellled_xl import errors
from wellled_xl.chase.drafts import Draft, write_drafts
from wellled_xl.chase.owed import DEFAULT_DUE_WITHIN, Chase, chase_leads
from wellled_xl.chase.send import SENT_LOG, SendReport, SentLog, SmtpSettings, send_drafts
from wellled_xl.report import Report, finding_json, printable

NO_ADDRESS = "no usable email address (see the findings)"


def default_folder(tracker: str | Path, as_at: date) -> Path:
    """Beside the tracker: ``<stem>_chase_<as-at>``."""
    path = Path(tracker)
    return path.parent / f"{path.stem}_chase_{as_at.isoformat()}"


@dataclass
class ChaseRun:
    """What one chase did: who owes what, the drafts written, and what was sent."""

    chase: Chase
    folder: Path
    drafts: list[Draft]
    send: SendReport | None = None  # None: nothing was to be sent

    @property
    def exit_code(self) -> int:
        """0, or EXIT_NOT_SENT when a send left someone out (refused, not tried, no address)."""
        if self.send is not None and not self.send.complete:
            return errors.EXIT_NOT_SENT
        return errors.EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        chase = self.chase
        drafted = {draft.lead.initials: str(draft.path) for draft in self.drafts}
        return {
            "tracker": chase.tracker,
            "as_at": chase.as_at.isoformat(),
            "due_within": chase.due_within,
            "folder": str(self.folder),
            "leads": [
                {
                    "lead": lead.initials,
                    "name": lead.lead.name if lead.lead else "",
                    "email": lead.address,
                    "counts": lead.counts,
                    "draft": drafted.get(lead.initials),
                    "items": [
                        {
                            "kind": item.kind,
                            "sheet": item.sheet,
                            "row": item.row,
                            "ref": item.ref,
                            "action": item.action,
                            "due_date": item.due_date.isoformat() if item.due_date else None,
                            "needed": item.needed,
                            "cell": item.cell,
                        }
                        for item in lead.items
                    ],
                }
                for lead in chase.leads
            ],
            "findings": [finding_json(f) for f in chase.findings],
            "drafts": len(self.drafts),
            "sent": self.send.to_dict() if self.send is not None else None,
            "exit_code": self.exit_code,
        }

    def render_text(self) -> str:
        chase = self.chase
        lines = [
            f"{printable(chase.tracker)}: chase as at {chase.as_at:%d %B %Y} "
            f"(due within {chase.due_within} days)"
        ]
        if not chase.leads:
            lines.append("no lead owes anything for this position: no drafts")
        drafted = {draft.lead.initials: draft.path.name for draft in self.drafts}
        for lead in chase.leads:
            counts = ", ".join(f"{n} {kind}" for kind, n in lead.counts.items() if n)
            where = drafted.get(lead.initials, "no draft")
            lines.append(
                f"  {printable(lead.initials):<6} {printable(lead.address) or '-':<32} "
                f"{lead.actions} action{'s' if lead.actions != 1 else ''}: {counts}  → {where}"
            )
        lines.append(f"{len(self.drafts)} drafts written into {self.folder}")
        missing = [f for f in chase.findings if f.rule == "lead-no-email"]
        refused = [f for f in chase.findings if f.rule != "lead-no-email"]
        if missing:
            lines.append(f"{len(missing)} leads without an email address (no draft):")
        for finding in [*missing, *refused]:
            where = f"{finding.sheet}!{finding.cell}" if finding.cell else "-"
            message = printable(finding.message)
            lines.append(f"  {finding.severity:<7} {finding.rule:<18} {where:<10} {message}")
        if self.send is None:
            lines.append(
                "nothing sent: open a .eml draft in Outlook to check and send it, or run again "
                "with --send"
            )
            return "\n".join(lines)
        send = self.send
        if send.error:
            lines.append(send.error)
        lines.append(f"sent {len(send.sent)}" + (f": {', '.join(send.sent)}" if send.sent else ""))
        for initials, reason in send.refused.items():
            lines.append(f"  refused: {printable(initials)} - {printable(reason)}")
        for initials, reason in send.not_tried.items():
            if send.error and reason != NO_ADDRESS:  # the error line says why, once
                continue
            lines.append(f"  not sent: {printable(initials)} - {printable(reason)}")
        if send.already_sent:
            lines.append(
                f"already sent for this position, not sent again (--resend sends them): "
                f"{', '.join(send.already_sent)}"
            )
        lines.append(
            f"{len(send.refused)} refused, {len(send.not_tried)} not sent; sent log: "
            f"{self.folder / SENT_LOG}"
        )
        return "\n".join(lines)


def run_chase(
    report: Report,
    folder: str | Path,
    *,
    due_within: int = DEFAULT_DUE_WITHIN,
    smtp: SmtpSettings | None = None,
    resend: bool = False,
) -> ChaseRun:
    """Work out what each lead owes, write their drafts into `folder`, and send them
    only when `smtp` is given (once per tracker, position and lead unless `resend`)."""
    chase = chase_leads(report, due_within)
    target = Path(folder)
    drafts = write_drafts(chase, target, smtp.sender if smtp else None)
    run = ChaseRun(chase, target, drafts)
    if smtp is not None:
        run.send = send_drafts(chase, drafts, smtp, SentLog(target / SENT_LOG), resend=resend)
        for lead in chase.leads:
            if not lead.address:
                run.send.not_tried[lead.initials] = NO_ADDRESS
    return run
