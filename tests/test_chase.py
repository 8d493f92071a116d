"""Chasing leads: drafts read back with the email package, mailto links with urllib.parse,
and sending against a real SMTP server on the loopback (aiosmtpd)."""

from __future__ import annotations

import email
import json
import socket
from collections import Counter
from dataclasses import replace
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from aiosmtpd.controller import Controller

from wellled_xl.chase.drafts import MAILTO_LIMIT, mailto_link
from wellled_xl.chase.owed import chase_leads
from wellled_xl.chase.run import run_chase
from wellled_xl.chase.send import SENT_LOG, SentLog, smtp_settings
from wellled_xl.cli import main as cli
from wellled_xl.errors import EXIT_NOT_SENT, EXIT_OK
from wellled_xl.model import Lead
from wellled_xl.pipeline import check_tracker
from wellled_xl.sample import (
    SAMPLE_ACTIONS,
    SAMPLE_FINDINGS,
    SAMPLE_LEADS,
    SAMPLE_LEGEND,
    SAMPLE_SETTINGS,
)
from wellled_xl.template import write_tracker

AS_AT = "2019-09-30"
NO_EMAIL = "RW"
SENDER = "governance@trust.nhs.uk"


def address(initials: str) -> str:
    return f"{initials.lower()}@trust.nhs.uk"


def sample_with_emails(path: Path, *, leads=None, actions=SAMPLE_ACTIONS) -> Path:
    """The sample tracker with a full Leads register: names, roles and emails (one blank)."""
    leads = leads or [
        Lead(i, f"Lead {i}", "Director", "" if i == NO_EMAIL else address(i))
        for i in (lead.initials for lead in SAMPLE_LEADS)
    ]
    return write_tracker(
        path,
        settings=SAMPLE_SETTINGS,
        legend=SAMPLE_LEGEND,
        leads=leads,
        actions=actions,
        findings=SAMPLE_FINDINGS,
        spare_rows=0,
    )


@pytest.fixture(scope="module")
def tracker(tmp_path_factory) -> Path:
    # One action's text holds markup, to show the HTML part escapes tracker text.
    actions = [dict(a) for a in SAMPLE_ACTIONS]
    w6a = next(a for a in actions if a["ref"] == "W6a")
    w6a["action"] = 'Data quality <b>kitemark</b> & "assurance" <script>x()</script>'
    return sample_with_emails(tmp_path_factory.mktemp("chase") / "tracker.xlsx", actions=actions)


@pytest.fixture(scope="module")
def report(tracker):
    return check_tracker(tracker)


def parse(path: Path) -> EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=default)


# --- what each lead owes ------------------------------------------------------------------


def test_each_lead_of_a_shared_action_is_chased_and_leads_owing_nothing_are_not(report):
    chase = chase_leads(report)
    leads = {lead.initials: lead for lead in chase.leads}
    for initials in ("DMc", "AK", "MS"):  # "DMc / AK / MS" share an action
        assert any(item.ref for item in leads[initials].items)
    owing = {a for action in report.actions for a in action.leads}
    assert set(leads) <= owing
    assert all(lead.items for lead in chase.leads)
    db = leads["DB"]
    assert db.count("update") == 2  # W6a and W6b say UPDATE AWAITED
    assert {item.ref for item in db.items if item.kind == "update"} == {"W6a", "W6b"}
    assert all(item.cell.startswith(("I", "G")) for item in db.items if item.kind == "update")


def test_a_complete_action_is_chased_for_its_findings_not_its_date(tmp_path):
    actions = [dict(a) for a in SAMPLE_ACTIONS]
    done = actions[0]  # W1a, RG's, due July 2019
    done.update(rag="G", progress="UPDATE AWAITED")
    actions = [done, *(dict(a, lead="KD") for a in actions[1:])]
    report = check_tracker(sample_with_emails(tmp_path / "t.xlsx", actions=actions))
    rg = next(lead for lead in chase_leads(report).leads if lead.initials == "RG")
    kinds = {item.kind for item in rg.items if item.ref == "W1a"}
    assert "update" in kinds
    assert not kinds & {"overdue", "due soon", "slipped"}


def test_due_within_flags_actions_due_soon(report):
    soon = chase_leads(report, due_within=400)
    later = chase_leads(report, due_within=0)
    count = sum(lead.count("due soon") for lead in soon.leads)
    assert count > sum(lead.count("due soon") for lead in later.leads)


# --- drafts ----------------------------------------------------------------------------------


def test_one_draft_per_lead_read_back_with_the_email_package(tracker, tmp_path, capsys):
    out = tmp_path / "drafts"
    assert cli(["chase", str(tracker), "--out", str(out)]) == EXIT_OK
    printed = capsys.readouterr().out
    files = sorted(out.glob("*.eml"))
    report = check_tracker(tracker)
    chase = chase_leads(report)
    expected = {lead.initials for lead in chase.leads if lead.initials != NO_EMAIL}
    assert {f.stem for f in files} == expected
    assert f"{len(files)} drafts written into {out}" in printed
    assert "1 leads without an email address" in printed and "lead-no-email" in printed
    assert "nothing sent" in printed
    assert not (out / SENT_LOG).exists()
    for path in files:
        message = parse(path)
        assert message["X-Unsent"] == "1"
        assert message["To"].addresses[0].addr_spec == address(path.stem)
        assert message["To"].addresses[0].display_name == f"Lead {path.stem}"
        assert message.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
        assert list(message.iter_attachments()) == []
        assert "\n" not in message["Subject"] and "30 September 2019" in message["Subject"]
    db = parse(out / "DB.eml")
    text = db.get_body(("plain",)).get_content()
    page = db.get_body(("html",)).get_content()
    assert "UPDATE AWAITED" in text and "Actions!I" in text
    assert "<script>" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "&lt;b&gt;kitemark&lt;/b&gt; &amp; &quot;assurance&quot;" in page
    assert "<td" in page and "What is needed" in page


def test_json_lists_each_lead_and_the_leads_without_an_email(tracker, tmp_path, capsys):
    assert cli(["chase", str(tracker), "--out", str(tmp_path), "--json"]) == EXIT_OK
    document = json.loads(capsys.readouterr().out)
    assert document["as_at"] == AS_AT and document["sent"] is None
    (finding,) = document["findings"]
    assert (finding["rule"], finding["sheet"], finding["ref"]) == ("lead-no-email", "Leads", "RW")
    assert finding["cell"].startswith("D")
    assert document["drafts"] == len(document["leads"]) - 1


def unsafe_register() -> list[Lead]:
    leads = [Lead(i, f"Lead {i}", "", address(i)) for i in (x.initials for x in SAMPLE_LEADS)]
    odd = {
        "DB": Lead("DB", "Dan\r\nBcc: everyone@elsewhere.example", "", address("DB")),
        "KD": Lead("KD", "Kay", "", "kd@trust.nhs.uk, boss@elsewhere.example"),
        "RG": Lead("RG", "Ravi", "", "kd@trust.nhs.uk\nBcc: x@elsewhere.example"),
        "TL": Lead("TL", "Tom", "", "tom at trust"),
    }
    return [odd.get(lead.initials, lead) for lead in leads]


def test_a_name_or_address_that_could_inject_headers_is_refused(tmp_path, capsys):
    tracker = sample_with_emails(tmp_path / "t.xlsx", leads=unsafe_register())
    out = tmp_path / "drafts"
    assert cli(["chase", str(tracker), "--out", str(out), "--json"]) == EXIT_OK
    document = json.loads(capsys.readouterr().out)
    rules = {f["ref"]: f["rule"] for f in document["findings"]}
    assert rules == {
        "DB": "lead-email-unsafe",
        "KD": "lead-email-unsafe",
        "RG": "lead-email-unsafe",
        "TL": "lead-email-invalid",
    }
    written = {path.stem for path in out.glob("*.eml")}
    assert not written & set(rules)
    for path in out.glob("*.eml"):
        raw = path.read_bytes()
        assert b"elsewhere.example" not in raw and b"Bcc" not in raw


# --- mailto links ------------------------------------------------------------------------------


def test_a_mailto_link_parses_back_to_the_draft(report):
    chase = chase_leads(report)
    db = next(lead for lead in chase.leads if lead.initials == "DB")
    url, cut = mailto_link(chase, db)
    parts = urlsplit(url)
    assert (parts.scheme, unquote(parts.path)) == ("mailto", address("DB"))
    query = parse_qs(parts.query)
    assert query["subject"][0].endswith("position as at 30 September 2019")
    body = query["body"][0]
    assert not cut and "UPDATE AWAITED" in body and "W6b" in body


def test_a_long_mailto_link_is_cut_with_a_note(report):
    chase = chase_leads(report)
    lead = max(chase.addressed, key=lambda lead: len(lead.items))
    many = replace(lead, items=lead.items * 20)
    url, cut = mailto_link(chase, many)
    assert cut and len(url) <= MAILTO_LIMIT
    body = parse_qs(urlsplit(url).query)["body"][0]
    assert "more: see the Chase sheet of tracker.xlsx" in body
    assert mailto_link(chase, replace(lead, address=""))[0] == ""


# --- sending, against a real SMTP server on the loopback -------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Relay:
    """An SMTP relay that keeps what it accepts; it can refuse a recipient (550) or drop the
    connection instead of answering the DATA of its n-th message."""

    def __init__(self, refuse: str = "", drop_at: int | None = None) -> None:
        self.refuse = refuse
        self.drop_at = drop_at
        self.received: list[tuple[str, EmailMessage]] = []
        self.data_commands = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 5.1.1 <" + address + ">: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_commands += 1
        if self.data_commands == self.drop_at:
            server.transport.close()  # gone, without a reply: the message is not accepted
            return "421 closing"
        message = email.message_from_bytes(envelope.content, policy=default)
        for rcpt in envelope.rcpt_tos:
            self.received.append((rcpt, message))
        return "250 Message accepted"


@pytest.fixture
def relay():
    servers = []

    def start(**kwargs) -> tuple[Relay, int]:
        handler = Relay(**kwargs)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        return handler, port

    yield start
    for controller in servers:
        controller.stop()


def loopback(port: int):
    return smtp_settings(host="127.0.0.1", port=port, sender=SENDER)


def send_args(tracker: Path, out: Path, port: int, *extra: str) -> list[str]:
    return [
        "chase", str(tracker), "--out", str(out), "--send", "--smtp-host", "127.0.0.1",
        "--smtp-port", str(port), "--from", SENDER, *extra,
    ]  # fmt: skip


def test_every_draft_is_delivered_once_across_two_runs(tracker, tmp_path, relay, capsys):
    server, port = relay()
    out = tmp_path / "out"
    assert cli(send_args(tracker, out, port)) == EXIT_NOT_SENT  # RW has no address
    printed = capsys.readouterr().out
    drafts = {path.stem: parse(path) for path in out.glob("*.eml")}
    assert sorted(rcpt for rcpt, _ in server.received) == sorted(map(address, drafts))
    for rcpt, message in server.received:
        draft = drafts[rcpt.split("@")[0].upper() if rcpt != "dmc@trust.nhs.uk" else "DMc"]
        assert message["From"] == SENDER and message["X-Unsent"] is None
        assert message["Message-ID"] == draft["Message-ID"]
        assert (
            message.get_body(("plain",)).get_content() == draft.get_body(("plain",)).get_content()
        )
    assert f"sent {len(drafts)}" in printed and f"not sent: {NO_EMAIL}" in printed
    log = (out / SENT_LOG).read_text(encoding="utf-8").splitlines()
    assert len(log) == len(drafts)

    assert cli(send_args(tracker, out, port)) == EXIT_NOT_SENT
    printed = capsys.readouterr().out
    assert len(server.received) == len(drafts)  # nothing sent twice
    assert "sent 0" in printed and "already sent for this position" in printed

    assert cli(send_args(tracker, out, port, "--resend")) == EXIT_NOT_SENT
    assert len(server.received) == 2 * len(drafts)


def test_one_refused_recipient_does_not_stop_the_others(tracker, tmp_path, relay):
    server, port = relay(refuse=address("KD"))
    report = check_tracker(tracker)
    run = run_chase(report, tmp_path, smtp=loopback(port))
    assert run.send is not None and run.exit_code == EXIT_NOT_SENT
    assert list(run.send.refused) == ["KD"] and run.send.refused["KD"].startswith("550")
    delivered = {rcpt for rcpt, _ in server.received}
    assert delivered == {address(d.lead.initials) for d in run.drafts} - {address("KD")}
    assert "KD" not in {json.loads(line)["lead"] for line in (tmp_path / SENT_LOG).open()}
    assert "refused: KD - 550" in run.render_text()


def test_a_dropped_connection_sends_no_duplicate_on_the_rerun(tracker, tmp_path, relay):
    report = check_tracker(tracker)
    dropping, port = relay(drop_at=3)
    first = run_chase(report, tmp_path, smtp=loopback(port))
    assert first.send is not None
    assert len(first.send.sent) == 2
    assert len(first.send.not_tried) == len(first.drafts) - 2 + 1  # and RW, without address
    assert "connection was lost" in next(iter(first.send.not_tried.values()))
    healthy, port = relay()
    second = run_chase(report, tmp_path, smtp=loopback(port))
    assert second.send is not None and second.send.already_sent == first.send.sent
    everyone = Counter(rcpt for rcpt, _ in [*dropping.received, *healthy.received])
    assert set(everyone.values()) == {1}
    assert set(everyone) == {address(d.lead.initials) for d in first.drafts}


def test_an_unreachable_server_is_one_clear_line(tracker, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli(send_args(tracker, out, free_port())) == EXIT_NOT_SENT
    printed = capsys.readouterr().out
    (line,) = [line for line in printed.splitlines() if "mail server" in line]
    assert line.startswith("cannot use the mail server 127.0.0.1:") and "nothing was sent" in line
    assert "Traceback" not in printed and list(out.glob("*.eml"))
    assert not (out / SENT_LOG).exists()


def test_sending_needs_a_server_and_a_from_address(tracker, tmp_path, capsys):
    assert cli(["chase", str(tracker), "--out", str(tmp_path), "--send"]) == 2
    assert "needs the mail server" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.eml"))


def test_a_torn_last_line_of_the_sent_log_is_ignored(tmp_path):
    log = SentLog(tmp_path / SENT_LOG)
    log.record({"tracker": "t", "as_at": AS_AT, "lead": "DB"})
    with open(log.path, "a", encoding="utf-8") as handle:
        handle.write('{"tracker": "t", "as_at": "2019')
    log.record({"tracker": "t", "as_at": AS_AT, "lead": "KD"})
    assert log.keys() == {("t", AS_AT, "db"), ("t", AS_AT, "kd")}


# --- the Excel button ---------------------------------------------------------------------------


@pytest.fixture
def excel(monkeypatch):
    from test_excel import calamine_sheets, remote_book, replayed, use_remote_engine

    use_remote_engine(monkeypatch)
    return calamine_sheets, remote_book, replayed


def test_the_chase_button_writes_a_chase_sheet_with_mailto_links_and_drafts(tracker, excel):
    from wellled_xl.cells import GENERATED_MARK
    from wellled_xl.excel.chase import run_and_tell

    calamine_sheets, remote_book, replayed = excel
    sheets = calamine_sheets(tracker)
    book = remote_book(sheets, name=str(tracker))
    click = run_and_tell(book)
    assert click is not None
    actions = book.json()["actions"]
    chase_sheet = replayed(book, [name for name, _ in sheets])["Chase"]
    values = chase_sheet.values
    assert str(values[(0, 0)]).lstrip("'").startswith(GENERATED_MARK)
    header = next(r for (r, c), v in values.items() if c == 0 and str(v).lstrip("'") == "Lead")
    leads = [
        str(values[(r, 0)]).lstrip("'")
        for r in range(header + 1, header + 1 + len(click.chase.leads))
    ]
    assert leads == [lead.initials for lead in click.chase.leads]
    links = [a for a in actions if a["func"] == "addHyperlink"]
    assert len(links) == len(click.chase.addressed)
    for link in links:
        parts = urlsplit(link["args"][0])
        assert parts.scheme == "mailto" and "@trust.nhs.uk" in unquote(parts.path)
        assert len(link["args"][0]) <= MAILTO_LIMIT
        assert parse_qs(parts.query)["subject"][0].endswith("30 September 2019")
    folder = tracker.parent / "tracker_chase_2019-09-30"
    assert click.folder == folder
    assert {p.stem for p in folder.glob("*.eml")} == {
        lead.initials for lead in click.chase.addressed
    }
    assert "Nothing was sent." in click.message()


def test_the_chase_button_never_replaces_a_chase_sheet_of_the_trusts(tracker, excel):
    from wellled_xl.excel.chase import run_and_tell

    calamine_sheets, remote_book, _ = excel
    book = remote_book([*calamine_sheets(tracker), ("Chase", [["Our own chasing notes"]])])
    assert run_and_tell(book) is None
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    assert "did not make" in actions[0]["args"][0]


def test_chase_main_is_the_buttons_entry_point():
    import wellled_xl

    assert callable(wellled_xl.chase_main)


# --- refresh -----------------------------------------------------------------------------------


def test_refresh_with_chase_writes_each_trackers_drafts(tracker, tmp_path):
    from wellled_xl.refresh import make_plan, refresh

    config = tmp_path / "refresh.toml"
    config.write_text(
        f"trackers = ['{tracker}']\nas_at = '{AS_AT}'\nchase = true\n", encoding="utf-8"
    )
    summary = refresh(make_plan(config=config))
    (result,) = summary.results
    folder = tmp_path / f"tracker_chase_{AS_AT}"
    drafts = sorted(folder.glob("*.eml"))
    assert drafts and {str(p) for p in drafts} <= set(result.files)
    assert result.chase is not None and result.chase["sent"] is None
    assert result.exit_code == 1  # the sample's own errors; nothing to send
    assert not (folder / SENT_LOG).exists()


def test_refresh_sends_when_its_chase_table_says_so(tracker, tmp_path, relay):
    from wellled_xl.refresh import make_plan, refresh

    server, port = relay()
    config = tmp_path / "refresh.toml"
    config.write_text(
        f"trackers = ['{tracker}']\nas_at = '{AS_AT}'\n\n[chase]\nsend = true\n"
        f"smtp_host = '127.0.0.1'\nsmtp_port = {port}\nfrom = '{SENDER}'\n",
        encoding="utf-8",
    )
    (result,) = refresh(make_plan(config=config)).results
    sent = result.chase["sent"]["sent"]
    assert sorted(rcpt for rcpt, _ in server.received) == sorted(map(address, sent))
    assert result.exit_code == EXIT_NOT_SENT and "not sent" in result.error  # RW: no address
    (again,) = refresh(make_plan(config=config)).results
    assert again.chase["sent"]["already_sent"] == sent
    assert len(server.received) == len(sent)


def test_a_password_in_the_chase_table_is_refused(tmp_path):
    from wellled_xl.errors import WellledError
    from wellled_xl.refresh import load_config

    config = tmp_path / "refresh.toml"
    config.write_text("[chase]\nsmtp_password = 'x'\n", encoding="utf-8")
    with pytest.raises(WellledError, match="WELLLED_XL_SMTP_PASSWORD"):
        load_config(config)
