"""The Chase sheet the Excel button writes: one row per lead, what they owe, a mailto: link."""

from __future__ import annotations

from wellled_xl.chase.drafts import _KIND_WORDS, mailto_link, one_line
from wellled_xl.chase.owed import Chase
from wellled_xl.paper.layout import (
    Cell,
    SheetBuilder,
    SheetLayout,
    Style,
    header_row,
    mark_row,
    position_text,
    print_setup_for,
)
from wellled_xl.report import Report

CHASE_SHEET = "Chase"
CHASE_COLUMNS = (
    ("Lead", 8.0),
    ("Name", 18.0),
    ("Email", 26.0),
    ("Actions", 8.0),
    ("Errors", 7.0),
    ("Updates", 8.0),
    ("Overdue", 8.0),
    ("Due soon", 8.0),
    ("Slipped", 8.0),
    ("What they owe", 70.0),
    ("Write to them", 22.0),
)
LINK_COLUMN = "K"


def owed_text(chase: Chase, initials: str) -> str:
    """One line per item: "W6a: Update: progress says 'UPDATE AWAITED' … (Actions!I12)"."""
    lead = next(lead for lead in chase.leads if lead.initials == initials)
    lines = []
    for item in lead.items:
        where = f" ({item.sheet}!{item.cell})" if item.cell else ""
        ref = one_line(item.ref) or f"Row {item.row}"
        lines.append(f"{ref}: {_KIND_WORDS[item.kind]}: {one_line(item.needed)}{where}")
    return "\n".join(lines)


def layout_chase(
    chase: Chase, report: Report, styles: dict[str, Style]
) -> tuple[SheetLayout, dict[str, str]]:
    """The Chase sheet, and its mailto: links (A1 cell -> link), which a writer adds as
    hyperlinks. A link whose list was cut says so; the sheet keeps the whole list."""
    builder = SheetBuilder(CHASE_SHEET, [w for _, w in CHASE_COLUMNS], styles)
    width = len(builder.widths)
    mark_row(builder, report)
    builder.add([Cell("Chase: what each lead owes", "title", span=width)], height=26)
    builder.add([Cell(position_text(report.as_at), "position", span=width)], height=21)
    builder.add(
        [
            Cell(
                f"{len(chase.leads)} leads owe something (due within {chase.due_within} days "
                "counts as due soon). Click a lead's link to open a prefilled email in your "
                "mail program; the .eml drafts hold the same, as a table.",
                "note",
                span=width,
            )
        ]
    )
    builder.gap(10)
    header = header_row(builder, CHASE_COLUMNS)
    links: dict[str, str] = {}
    for lead in chase.leads:
        url, cut = mailto_link(chase, lead)
        reason = "; ".join(f.message for f in lead.findings)
        link_text = f"Email {lead.initials}" + (" (list cut: full list here)" if cut else "")
        counts = lead.counts
        row = builder.add(
            [
                Cell(lead.initials, "text"),
                Cell(one_line(lead.lead.name) if lead.lead and lead.lead.name else None, "text"),
                Cell(lead.address or reason or None, "text"),
                Cell(lead.actions, "text"),
                *(
                    Cell(counts[kind] or None, "text")
                    for kind in ("error", "update", "overdue", "due soon", "slipped")
                ),
                Cell(owed_text(chase, lead.initials), "text"),
                Cell(link_text if url else "no usable address", "link" if url else "text"),
            ]
        )
        if url:
            links[f"{LINK_COLUMN}{row}"] = url
    if not chase.leads:
        builder.add([Cell("No lead owes anything for this position.", "note", span=width)])
    sheet = builder.build(
        print_setup_for(builder, report, position_text(report.as_at), header),
        freeze_panes=f"A{header + 1}",
    )
    return sheet, links
