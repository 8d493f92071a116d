"""Sending the chase drafts through the trust's SMTP relay, once per tracker, position and lead.

Nothing here runs unless the user asks (`chase --send`, or ``send = true`` in a refresh
config's ``[chase]`` table). What was sent is recorded in a sent log (`SENT_LOG`, JSON
lines in the drafts' folder), appended and flushed to disk after each message the server
accepted, so a run that dies half-way, or a server that drops the connection, never makes
the next run send a lead the same chase twice; ``--resend`` overrides it.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any, Literal

from wellled_xl import errors
from wellled_xl.chase.drafts import Draft
from wellled_xl.chase.owed import DEFAULT_DUE_WITHIN, Chase, LeadChase

SENT_LOG = "chase_sent.jsonl"
PASSWORD_VARIABLE = "WELLLED_XL_SMTP_PASSWORD"
KEYRING_SERVICE = "wellled-xl"
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
CHASE_KEYS = ("send", "smtp_host", "smtp_port", "from", "starttls", "ssl", "smtp_user",
              "due_within")  # fmt: skip
Security = Literal["none", "starttls", "ssl"]


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: the relay, the From address, TLS, and the login user."""

    host: str
    sender: str
    port: int | None = None
    security: Security = "none"
    user: str = ""
    timeout: float = 30.0

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port or DEFAULT_PORTS[self.security]}"


@dataclass(frozen=True)
class ChaseConfig:
    """A refresh config's chase settings: drafts on every run, and sending if asked."""

    send: bool = False
    smtp: SmtpSettings | None = None
    due_within: int = DEFAULT_DUE_WITHIN


def parse_chase_config(value: object, source: object) -> ChaseConfig | None:
    """``chase = true`` (drafts only), ``chase = false``, or a ``[chase]`` table:
    send, smtp_host, smtp_port, from, starttls, ssl, smtp_user, due_within. Every mistake
    is one WellledError naming the file. The password is never in the file."""
    if isinstance(value, bool):
        return ChaseConfig() if value else None
    if not isinstance(value, Mapping):
        raise errors.WellledError(f"{source}: chase must be true, false or a [chase] table")
    unknown = sorted(set(value) - set(CHASE_KEYS))
    if unknown:
        hint = (
            f"; the password comes from {PASSWORD_VARIABLE} or the system keyring"
            if any("pass" in key for key in unknown)
            else ""
        )
        raise errors.WellledError(
            f"{source}: unknown [chase] setting {', '.join(unknown)} "
            f"(known: {', '.join(CHASE_KEYS)}){hint}"
        )
    for key in ("send", "starttls", "ssl"):
        if key in value and not isinstance(value[key], bool):
            raise errors.WellledError(f"{source}: [chase] {key} must be true or false")
    for key in ("smtp_port", "due_within"):
        if key in value and (type(value[key]) is not int or value[key] < 0):
            raise errors.WellledError(f"{source}: [chase] {key} must be a whole number")
    for key in ("smtp_host", "from", "smtp_user"):
        if key in value and not isinstance(value[key], str):
            raise errors.WellledError(f"{source}: [chase] {key} must be text in quotes")
    send = bool(value.get("send", False))
    smtp = None
    if send or "smtp_host" in value:
        smtp = smtp_settings(
            host=value.get("smtp_host"),
            port=value.get("smtp_port"),
            sender=value.get("from"),
            starttls=bool(value.get("starttls", False)),
            use_ssl=bool(value.get("ssl", False)),
            user=value.get("smtp_user") or "",
            where=f"{source}: [chase]",
        )
    return ChaseConfig(send, smtp, value.get("due_within", DEFAULT_DUE_WITHIN))


def smtp_settings(
    *,
    host: str | None,
    port: int | None,
    sender: str | None,
    starttls: bool = False,
    use_ssl: bool = False,
    user: str = "",
    where: str = "--send",
) -> SmtpSettings:
    """Checked SMTP settings, or one WellledError saying what is missing."""
    if not host:
        raise errors.WellledError(f"{where} needs the mail server: smtp host (--smtp-host)")
    if not sender:
        raise errors.WellledError(f"{where} needs the From address (--from)")
    if any(char in sender for char in "\r\n"):
        raise errors.WellledError(f"{where}: the From address must be on one line")
    if starttls and use_ssl:
        raise errors.WellledError(f"{where}: choose STARTTLS or SSL, not both")
    security: Security = "ssl" if use_ssl else "starttls" if starttls else "none"
    return SmtpSettings(host, sender, port, security, user)


def smtp_password(user: str, environ: Mapping[str, str] = os.environ) -> str | None:
    """The SMTP password: the environment variable, else the system keyring (if the
    keyring package is installed), else None. Never a command-line argument."""
    if environ.get(PASSWORD_VARIABLE):
        return environ[PASSWORD_VARIABLE]
    try:
        import keyring
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, user)
    except Exception:  # no keyring backend on this machine: as if none was stored
        return None


# --- The sent log -------------------------------------------------------------------------


def tracker_identity(tracker: str) -> str:
    """The tracker as the sent log knows it: its absolute path."""
    return str(Path(tracker).resolve())


def sent_key(chase: Chase, lead: LeadChase) -> tuple[str, str, str]:
    return (tracker_identity(chase.tracker), chase.as_at.isoformat(), lead.initials.casefold())


class SentLog:
    """What was sent, one JSON line per message the server accepted."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def keys(self) -> set[tuple[str, str, str]]:
        """The (tracker, as-at, lead) of every recorded send; a line cut short by a crash
        while it was written is ignored (its message was then not recorded as sent)."""
        found: set[tuple[str, str, str]] = set()
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return found
        for line in text.splitlines():
            with contextlib.suppress(ValueError, KeyError, TypeError):
                entry = json.loads(line)
                found.add((entry["tracker"], entry["as_at"], entry["lead"].casefold()))
        return found

    def record(self, entry: dict[str, Any]) -> None:
        """Append one line in one write and flush it to disk before the next send."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(
            self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644
        )
        try:
            if os.fstat(fd).st_size and not _ends_with_newline(fd):
                data = b"\n" + data  # after a torn line, start a fresh one
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)


def _ends_with_newline(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return os.pread(fd, 1, size - 1) == b"\n" if hasattr(os, "pread") else True


# --- Sending -------------------------------------------------------------------------------


@dataclass
class SendReport:
    """What a send did, lead by lead."""

    sent: list[str] = field(default_factory=list)  # initials
    refused: dict[str, str] = field(default_factory=dict)  # initials -> the server's answer
    not_tried: dict[str, str] = field(default_factory=dict)  # initials -> why not
    already_sent: list[str] = field(default_factory=list)  # sent by an earlier run
    error: str = ""  # the one line when the server could not be used at all

    @property
    def complete(self) -> bool:
        return not (self.refused or self.not_tried or self.error)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sent": list(self.sent),
            "refused": dict(self.refused),
            "not_tried": dict(self.not_tried),
            "already_sent": list(self.already_sent),
            "error": self.error or None,
        }


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    port = settings.port or DEFAULT_PORTS[settings.security]
    context = ssl.create_default_context()
    if settings.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, port, timeout=settings.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, port, timeout=settings.timeout)
    try:
        smtp.ehlo()
        if settings.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.user:
            password = smtp_password(settings.user)
            if password is None:
                raise errors.NotSent(
                    f"no password for {settings.user}: set {PASSWORD_VARIABLE}, or store it in "
                    f"the system keyring (service {KEYRING_SERVICE!r})"
                )
            smtp.login(settings.user, password)
    except BaseException:
        with contextlib.suppress(Exception):
            smtp.close()
        raise
    return smtp


def _outgoing(draft: Draft, settings: SmtpSettings) -> EmailMessage:
    """The draft as it goes out: From and Date set, no longer marked unsent."""
    message = copy.deepcopy(draft.message)
    del message["X-Unsent"]
    del message["From"]
    message["From"] = settings.sender
    message["Date"] = formatdate(localtime=True)
    return message


def _answer(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}"


def send_drafts(
    chase: Chase,
    drafts: list[Draft],
    settings: SmtpSettings,
    log: SentLog,
    *,
    resend: bool = False,
) -> SendReport:
    """Send each draft not sent before for this tracker and position (all with `resend`).

    One refused recipient does not stop the others; a lost connection stops the run, and
    the leads not reached are reported as not tried (the next run sends them, and only
    them). A server that cannot be reached or logged into is the report's one `error`
    line. Never raises for the mail server.
    """
    report = SendReport()
    done = set() if resend else log.keys()
    pending = []
    for draft in drafts:
        if sent_key(chase, draft.lead) in done:
            report.already_sent.append(draft.lead.initials)
        else:
            pending.append(draft)
    if not pending:
        return report
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException, errors.NotSent) as exc:
        reason = _reason(exc)
        report.error = (
            f"cannot use the mail server {settings.address} ({reason}): nothing was sent; "
            "the drafts are written"
        )
        report.not_tried = {d.lead.initials: "the mail server could not be used" for d in pending}
        return report
    try:
        for index, draft in enumerate(pending):
            lead = draft.lead
            try:
                smtp.send_message(
                    _outgoing(draft, settings), from_addr=settings.sender, to_addrs=[lead.address]
                )
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                report.refused[lead.initials] = _answer(code, text)
                _reset(smtp)
                continue
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                report.refused[lead.initials] = _answer(exc.smtp_code, exc.smtp_error)
                _reset(smtp)
                continue
            except (OSError, smtplib.SMTPException) as exc:
                reason = f"the connection was lost ({_reason(exc)})"
                for left in pending[index:]:
                    report.not_tried[left.lead.initials] = reason
                break
            log.record(
                {
                    "tracker": sent_key(chase, lead)[0],
                    "as_at": chase.as_at.isoformat(),
                    "lead": lead.initials,
                    "to": lead.address,
                    "message_id": draft.message["Message-ID"],
                    "sent_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                }
            )
            report.sent.append(lead.initials)
    finally:
        with contextlib.suppress(Exception):
            smtp.quit()
        with contextlib.suppress(Exception):
            smtp.close()
    return report


def _reset(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(Exception):
        smtp.rset()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _answer(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
