"""The seed board paper ("Position as at end of September 2019") transcribed as plain data.

Every row is kept as printed, mess included (`R` and `AG` statuses, the `Varied` and
`DMc / AK / MS` leads, W4a's empty planned action, `UPDATE AWAITED`, typos such as
"2018-19and"), because the tracker built from it is what the validator is tested on.
Text that the PDF split across page breaks is joined back with single spaces.

Dates: the paper gives months only, so each due date is an ISO year-month ("2019-03"),
which `template.write_tracker` stores as the month's last day shown as "March 2019".
A timescale of several months ("January March April 2019") is the original due date,
then its revisions: the last is the revised due date, the ones between are kept as
`previous_revisions` text. Part B rows carry no dates in the paper and none here.
Part B numbers are text ("1" .. "14"), like the Part A refs.
"""

from __future__ import annotations

import calendar
from datetime import date

from wellled_xl.model import Lead, Legend, LegendEntry, Settings

# The sample is one tracker wherever a copy of it lives: a fixed id, so the committed
# workbook is the same bytes whenever the code writes it (new-tracker writes a fresh one
# for a blank tracker).
SAMPLE_TRACKER_ID = "5a3c1e9e-2019-4f0b-9a7e-000000000001"

SAMPLE_SETTINGS = Settings(
    as_at=date(2019, 9, 30),
    tracker_id=SAMPLE_TRACKER_ID,
    title="The well-led framework",
    part_a_title="PART A Board self-review against KLOEs: 2018/19 deliverables",
    part_b_title="PART B CQC Inspection findings: October 2018",
    part_a_heading="PART A: Board self-review against KLOEs – Delivery Status",
    part_b_heading=(
        "PART B CQC Inspection provider well-led findings: October 2018: Delivery Status"
    ),
)

# The legend printed under every table of the paper: three statuses, so `R` is not one.
SAMPLE_LEGEND = Legend(
    (
        LegendEntry("G", "Action completed and improvement achieved", "00B050", True),
        LegendEntry("A/G", "Clear plan for delivery but not yet completed", "FFC000", False),
        LegendEntry("A/R", "We either lack a plan or confidence in that plan", "FF7C80", False),
    )
)

# Everyone the paper names as a lead, in order of first appearance. The paper gives
# initials only: names, roles and emails are left for the trust to fill in.
SAMPLE_LEADS: tuple[Lead, ...] = tuple(
    Lead(initials)
    for initials in ("RG", "TL", "RS", "DMc", "AK", "MS", "RB", "KD", "DB", "PG", "RW", "DC")
)


def _month_label(year_month: str) -> str:
    """'2019-03' -> 'March 2019', as the paper prints a month."""
    year, month = year_month.split("-")
    return f"{calendar.month_name[int(month)]} {year}"


def _action(
    ref: str,
    kloe: str,
    action: str,
    months: tuple[str, ...],
    lead: str,
    success_measure: str,
    progress: str,
    rag: str,
) -> dict[str, object]:
    """One Part A row; `months` is the printed timescale: original due, then revisions."""
    return {
        "ref": ref,
        "kloe": kloe,
        "action": action,
        "original_due": months[0],
        "revised_due": months[-1] if len(months) > 1 else None,
        "previous_revisions": "; ".join(_month_label(m) for m in months[1:-1]),
        "lead": lead,
        "success_measure": success_measure,
        "progress": progress,
        "rag": rag,
        "last_updated": None,
    }


def _finding(
    ref: str, finding: str, action: str, progress: str, lead: str, rag: str
) -> dict[str, object]:
    """One Part B row, in the paper's column order (progress before lead)."""
    return {
        "ref": ref,
        "finding": finding,
        "action": action,
        "original_due": None,
        "revised_due": None,
        "lead": lead,
        "progress": progress,
        "rag": rag,
        "last_updated": None,
    }


SAMPLE_ACTIONS: tuple[dict[str, object], ...] = (
    _action(
        "W1a",
        "W1",
        "Coaching and mentoring programme launches",
        ("2019-03", "2019-07"),
        "RG",
        "75 enrolees commenced in formal coaching programme 300 enrolees commenced in "
        "Accredited Manager Coaching and Mentoring Programme",
        "80 people are receiving formal coaching through ILM Level 5 and 7. 100 people "
        "attended Stepping Up which offers formal coaching elements. Formal alumni event "
        "hosted for 120 Stepping Up graduates with another funded programme agreed with NHS "
        "Leadership Academy. 500 people have undertaken the Accredited Manager module in "
        "coaching and mentoring to date, with more dates planned in Q3 and Q4. This module "
        "was a core element of the UNITY Super Users and Digital Champions",
        "A/G",
    ),
    _action(
        "W1b",
        "W1",
        "Finalised succession plan for each director role",
        ("2019-02",),
        "TL",
        "Remuneration Committee agrees plan",
        "A revised plan has been accepted by the Remuneration Committee and recruitment at "
        "director and d/director level is pending for the next 8 weeks.",
        "R",
    ),
    _action(
        "W2a",
        "W2",
        "Continued delivery of quality, education and public health plans",
        ("2019-03", "2019-07"),
        "Varied",
        "As per plan",
        "Quality plan deployment is progressing well, but both refreshing corporately the "
        "education and learning plans, and implementation of key aspects of the public health "
        "plan are running behind schedule – both are recoverable by March 2020",
        "A/R",
    ),
    _action(
        "W2b",
        "W2",
        "Full delivery of Board's IT turnaround plan",
        ("2019-01",),
        "TL",
        "As per plan: 10 weeks resilience",
        "P1 have reduced and the expectation is that replacement of ICM will reduce it "
        "further. A definitive timetable must be in place for our other out-tage systems "
        "together with an approved cloud migration programme.",
        "A/R",
    ),
    _action(
        "W2c",
        "W2",
        "ICS mobilisation plan delivered",
        ("2019-03",),
        "RS",
        "2 provider alliances in place",
        "We have an agreed process to establish the alliances from November 2019 and a draft "
        "arrangement in place for contracting for 20-21",
        "A/G",
    ),
    # The timescale reads "March 2019" and, over the page break, "December 19".
    _action(
        "W3a",
        "W3",
        "Tracking high potential individual's PDP execution",
        ("2019-03", "2019-12"),
        "RG",
        "70% of PDP aims delivered",
        "Detailed review of the 162 colleagues who scored A4 has been undertaken and reviewed "
        "by the People and OD Committee. Further review of the 3A scores (256) and 2A (28) "
        "scores to be undertaken. Tracking to be developed for every colleague who scores an "
        "A in their PDR. Around 20% had already been promoted and moved in to their next "
        "role. Now moderation has completed there are plans to launch a talent network that "
        "will offer personalised support to all 4A's. The Remuneration Committee have agreed "
        "a financial reward package for 20/21 implementation.",
        "A/G",
    ),
    _action(
        "W3b",
        "W3",
        "Delivery of we connect programme",
        ("2019-02",),
        "TL",
        "35% response rate achieved",
        "The programme is continuing well, with teams engaged and 3 rounds of surveys "
        "completed. There are two upcoming 'tests': the continuity of mood into the national "
        "staff survey, the work required to kick on from 3.8+ towards 4.0.",
        "A/G",
    ),
    _action(
        "W3c",
        "W3",
        "Improvements in mental wellbeing of workforce",
        ("2019-03", "2019-05"),
        "RG",
        "New plan agreed at November 2019 board. Update being given at October 2019 Trust "
        "Board meeting",
        "New mental health support in place with improvements expected in Quarter 4. On board "
        "agenda for October 2019.",
        "A/G",
    ),
    _action(
        "W4a",
        "W4",
        "",
        ("2019-12",),
        "DMc / AK / MS",
        "Full supplier list in place",
        "Draft supplier code of conduct produced for review and development Supplier list and "
        "contracts database established – 2,800 suppliers. Focus on Top 50 expenditure "
        "suppliers and contracts database link. 21 in place and remainder being chased. Local "
        "(West Midlands) flag applied. One off versus regular suppliers identified. Start and "
        "end date of contracts included as contracts are identified and copies obtained.",
        "A/G",
    ),
    _action(
        "W5a",
        "W5",
        "Refresh approach to PMO and improvement teams",
        ("2019-02", "2019-06"),
        "RB",
        "All six PMOs operational",
        "Team development plan designed and in progress of delivery. Process for CLE led "
        "improvement in place with monthly reporting. Main strategic plan supported is the "
        "Quality and current digital focus work with Unity. Digital and estates plans to be "
        "documented by end of year.",
        "A/G",
    ),
    _action(
        "W5b",
        "W5",
        "Significant improvement in risk mitigation delivery",
        ("2019-03",),
        "KD",
        "50% cut in overdue risks",
        "At 27 September, we have 1003 open risks registered on Safeguard, with 80 "
        "outstanding risk reviews, showing a significant improvement. The focus will now turn "
        "to risk mitigation plan delivery, the first deadline set is 31 st March 2020 for all "
        "red rated risks.",
        "A/G",
    ),
    _action(
        "W6a",
        "W6",
        "Data quality plan to be finalised and executed",
        ("2019-03", "2019-04"),
        "DB",
        "A&RM Committee satisfied",
        "A&RM happy with plan. On track to deliver the execution of the plan by end of April "
        "2019 as per the plan. UPDATE AWAITED",
        "G",
    ),
    _action(
        "W6b",
        "W6",
        "Visible data at frontline level for safety and quality plans",
        ("2019-03", "2019-05"),
        "DB",
        "Prototype operational",
        "Safety Plan agreed as prototype (quality plan metrics not yet agreed). Visited "
        "Salford, UHB visit scheduled. Initial mock up developed. Actions agreed between P&I "
        "and Nursing teams. Working plan to deliver pilot ward in April 2019. UPDATE AWAITED",
        "A/G",
    ),
    _action(
        "W7a",
        "W7",
        "Friends and family data volumes increased to the West Midlands mean (25%)",
        ("2019-02",),
        "PG",
        "As per data",
        "SMS and IVM now implemented in : Inpatients, Daycase, OP, Maternity and Inpatient "
        "response rates in this quarter to date: 32% and 28%, other areas less than 15%. "
        "Improvement plan developed locally in W&C for immediate implementation.",
        "G",
    ),
    _action(
        "W8a",
        "W8",
        "Full QIHD accreditation achieved",
        ("2019-01", "2019-03", "2019-04"),
        "KD",
        "Every team accredited",
        "The slim-lined Executive decision-making process to evaluate QIHD accreditation "
        "applications has proved successful, this more awards granted. A resource has "
        "commenced in post this month to support the administration of QIHDs. All QIHD teams "
        "will be accredited by the end of March 2020.",
        "A/G",
    ),
    _action(
        "W8b",
        "W8",
        "we learn programme agreed at Board level",
        ("2019-01",),
        "KD",
        "As left",
        "Progress has been limited since launching the we learn programme at the Leadership "
        "Conference on June 4 th due to competing priorities and a lack of dedicated "
        "management resource has contributed to this. Work will be restarted, and the senior "
        "support post advertised.",
        "A/R",
    ),
)

SAMPLE_FINDINGS: tuple[dict[str, object], ...] = (
    _finding(
        "1",
        "Not all leaders had the necessary experience, knowledge or capability to lead "
        "effectively.",
        "This conclusion was not explained elsewhere in the report. However, we will ensure "
        "PDR outcomes for 2018-19and 2019-20 are available to permit the next inspection to "
        "consider this fragment analytically. We will make structural and personnel changes "
        "in the one domain where the group level analysis raised red rated concerns.",
        "Changes have been made within the paediatric directorate which appear, based on "
        "staff feedback, to have tackled underlying issues identified by the Trust to the "
        "CQC. Management development generally within the Trust is covered in our Board level "
        "well led report. An analysis of post moderation band 8 and above PDR outcomes will "
        "come to the January POD.",
        "TL",
        "A/G",
    ),
    _finding(
        "2",
        "Leaders were not always visible.",
        "We will take forward our we connect engagement strategy and aim for our ambitious "
        "target of an engagement score of 4/5 by 2021.",
        "First Friday is being reintroduced in November. Pioneer teams are promoting more "
        "visible local leadership, which also been a bi-product of Unity deployment. Further "
        "work is needed in Q4 on the route to a 4 rating from weconnect.",
        "RW",
        "AG",
    ),
    _finding(
        "3",
        "Fit and Proper Person checks were not in place.",
        "Fit and Proper Person's file responsibility will be documented and those departments "
        "required to contribute to the files will be notified through their directors. File "
        "completion will be notified to the Chairman by June 30 th .",
        "The files are now complete and have been subject to scrutiny. Arrangements to "
        "maintain them have been put in place.",
        "KD",
        "G",
    ),
    _finding(
        "4",
        "Leaders did not ensure the promotion of a positive culture across the trust.",
        "We will re-double efforts to ensure that we can demonstrate the work of leaders at "
        "each level to do this, including through the launch of our Code of Conduct.",
        "Through the balance of 2019-20 we will work to develop the Code of Conduct brand, and "
        "consider the right time to re-examine our mix of values and promises.",
        "TL",
        "A/G",
    ),
    _finding(
        "5",
        "Staff did not always feel supported and valued.",
        "We will take forward our we connect engagement strategy and aim for our ambitious "
        "target of an engagement score of 4/5 by 2021.",
        "As per item 2 above.",
        "RW",
        "A/G",
    ),
    _finding(
        "6",
        "The trust had appointed Freedom to Speak Up Guardians (FTSUG) but not provided them "
        "with sufficient resources and support to help staff to raise concerns. Feedback as "
        "to the effectiveness of the freedom to speak up function was varied.",
        "A FTSU strategy will be completed, covering both the wider Speak Up agenda and the "
        "FTSU function. This will go back to the Board in June for final sign off.",
        "The actions agreed are complete and we will track through ARM the FTSUG plan, and "
        "through Q&S the Freedom to Speak up plan.",
        "KD",
        "A/G",
    ),
    _finding(
        "7",
        "Whilst the arrangements for governance were well established we were not assured "
        "that the approach and flow of information was always effective.",
        "We will review and re-document the terms of reference, role and membership of all "
        "CLE and Board committees in time for August's Trust Board meeting.",
        "This work is very much in hand and has taken time at CLE level to complete. It will "
        "presented to the December Board meeting.",
        "KD",
        "A/G",
    ),
    _finding(
        "8",
        "The trust did not have clear strategies for meeting the needs of patients with a "
        "mental health, or dementia diagnosis",
        "We will ensure that the next CQC inspection the detailed extant plan we have in each "
        "area of vulnerability is presented in a form preferred by the regulator.",
        "CLE has considered in detail ideas on mental wellbeing and is expecting a final "
        "proposal at its November meeting.",
        "PG",
        "A/R",
    ),
    _finding(
        "9",
        "Appropriate governance arrangements were not in place in relation to Mental Health "
        "Act administration and Compliance.",
        "We will review and complete a Mental Health Act policy and operational guidance "
        "during June.",
        "New arrangements with B&SMHNHSFT have been commissioned and a policy approved for our "
        "work in this area. This will go green when data is visible and comprehensive.",
        "RB",
        "A/G",
    ),
    _finding(
        "10",
        "Systems to identify and reduce or eliminate risks were not always effective. Risks "
        "and issues were not always dealt with quickly enough. Oversight and assurance of "
        "mitigation at board level was not always evident and there was an inconsistent "
        "approach to audit processes.",
        "We will revisit our SBAF arrangements to ensure connection is evident to our local "
        "risk registers in line with the CQC's instruction. We will revisit our arrangements "
        "for incident management and learning, as those for risk register mitigation",
        "Considerable work has taken place at CLE and Board to create more dynamic work in "
        "this area. Inputs are being delivered but output success varies by directorate. In "
        "January we will review across all areas of risk our arrangements for the year ahead.",
        "KD",
        "A/R",
    ),
    _finding(
        "11",
        "Access to data was inhibited by the poor reliability of IT systems. Staff did not "
        "have access to the IT equipment and systems needed to do their work. Analysis and "
        "interpretation of available data to board was weak. The trust had recognised the "
        "information technology system was not fit for purpose.",
        "We will agree through the Digital MPA in June a strategy for IT governance "
        "reflecting both this report and the audit that we commissioned in February.",
        "Further work on IT governance and risk is shortly due at DMPA. Reliability data "
        "suggests material improvement, but we are not yet assured by our systems and "
        "processes. We expect to be assured during Q4 2019-20.",
        "TL",
        "A/R",
    ),
    _finding(
        "12",
        "Information governance systems were not robust and the confidentiality of patient "
        "records was not assured. There was a lack of oversight of the management of patient "
        "information.",
        "The Trust will implement the revised NHS wide governance arrangements and complete "
        "our self-assessment for 2019-20. By implementing Unity we will also remove the need "
        "for much fragmented paper outwith the clinical record.",
        "We have not yet implemented all of the improvements in our Q1 self-assessment "
        "document, but expect to have done so by the end of Q3.",
        "KD",
        "A/G",
    ),
    _finding(
        "13",
        "There was a range of strategies in place to engage with staff, however the trust did "
        "not have a structured and systematic approach to engaging with people who use "
        "services, those close to them and their representatives.",
        "We will revisit our approach to the MLG, and work even more closely with Healthwatch "
        "to tackle involvement and participations deficits. We will seek to ensure that these "
        "ideas are captured in a single place to meet the requirements of the regulator.",
        "Work in this area is due to report to the Board in November. The plan is based on "
        "engaging with community groups already working with the Trust on specialty specific "
        "issues.",
        "PG",
        "A/R",
    ),
    _finding(
        "14",
        "Systems to identify and learn from unanticipated deaths were ineffective.",
        "The Trust will pursue its Learning from Deaths strategy, augmented by revised IT "
        "arrangements.",
        "The Board's Q&S Committee has oversight of work in this area, and by the end of "
        "2019-20 we expect to have delivered our ME plan in full.",
        "DC",
        "A/G",
    ),
)
