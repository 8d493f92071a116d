"""Tests for reading due dates and timescales typed into action trackers."""

import calendar
import pickle
import time
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellled_xl.dates import (
    MONTH_NAMES,
    DateParseError,
    NotADateError,
    Timescale,
    from_1904_serial,
    parse_timescale,
)

FAST = settings(max_examples=200, deadline=None)

D = date  # keeps the tables below readable

# (cell, context_year, dates read)
READS = [
    # A time of day after a date, as programs write dates as text, is no part of the day.
    ("31/03/2019 12:00", None, (D(2019, 3, 31),)),
    ("2019-03-31 00:00:00", None, (D(2019, 3, 31),)),
    ("2019-03-31T09:30:00.000Z", None, (D(2019, 3, 31),)),
    ("31/03/2019 9:30 am", None, (D(2019, 3, 31),)),
    ("31 March 2019, 14:05 BST", None, (D(2019, 3, 31),)),
    ("March 2019 (revised 30/06/2019 10:15)", None, (D(2019, 3, 31), D(2019, 6, 30))),
    # Invisible characters pasted with the text, and full-width digits.
    ("\u200b31/03/2019\ufeff", None, (D(2019, 3, 31),)),
    ("31/03/2019\u00a0", None, (D(2019, 3, 31),)),
    ("３１/０３/２０１９", None, (D(2019, 3, 31),)),
    # Seed examples from trusts' trackers: several months mean the original then revisions.
    ("March 2019 July 2019", None, (D(2019, 3, 31), D(2019, 7, 31))),
    ("February 2019", None, (D(2019, 2, 28),)),
    ("January March April 2019", None, (D(2019, 1, 31), D(2019, 3, 31), D(2019, 4, 30))),
    ("February June 2019", None, (D(2019, 2, 28), D(2019, 6, 30))),
    ("March April 2019", None, (D(2019, 3, 31), D(2019, 4, 30))),
    ("March May 2019", None, (D(2019, 3, 31), D(2019, 5, 31))),
    ("March 2019 December 19", None, (D(2019, 3, 31), D(2019, 12, 31))),
    ("December 2019", None, (D(2019, 12, 31),)),
    # Other trusts' formats.
    ("17.7.12", None, (D(2012, 7, 17),)),
    ("10.05.2023", None, (D(2023, 5, 10),)),
    ("31/03/2020", None, (D(2020, 3, 31),)),
    ("May-12", None, (D(2012, 5, 31),)),
    ("30 Sept", 2019, (D(2019, 9, 30),)),
    ("Q4 2019/20", None, (D(2020, 3, 31),)),
    ("end of March 2020", None, (D(2020, 3, 31),)),
    # A month alone means its last day; names full or short, any case, with a full stop.
    ("July 2019", None, (D(2019, 7, 31),)),
    ("Sept 2019", None, (D(2019, 9, 30),)),
    ("Sep-19", None, (D(2019, 9, 30),)),
    ("Feb 2020", None, (D(2020, 2, 29),)),
    ("DEC. 2019", None, (D(2019, 12, 31),)),
    ("jun 2019", None, (D(2019, 6, 30),)),
    ("03/2019", None, (D(2019, 3, 31),)),
    # Two-digit years are 20YY.
    ("December 19", None, (D(2019, 12, 31),)),
    # Day-first numbers, and ISO.
    ("1-4-2020", None, (D(2020, 4, 1),)),
    ("31/3/20", None, (D(2020, 3, 31),)),
    ("2020-03-31", None, (D(2020, 3, 31),)),
    # A day with a month name.
    ("30 Sept 2019", None, (D(2019, 9, 30),)),
    ("31st March 2020", None, (D(2020, 3, 31),)),
    ("June 30th 2019", None, (D(2019, 6, 30),)),
    ("June 30 2019", None, (D(2019, 6, 30),)),
    ("30th June", 2020, (D(2020, 6, 30),)),
    ("1 Apr", 2021, (D(2021, 4, 1),)),
    ("30th of June 2019", None, (D(2019, 6, 30),)),
    # NHS financial-year quarters mean the quarter's last day.
    ("Q1 2019/20", None, (D(2019, 6, 30),)),
    ("Q2 2019/20", None, (D(2019, 9, 30),)),
    ("Q3 2019-20", None, (D(2019, 12, 31),)),
    ("Q4 19/20", None, (D(2020, 3, 31),)),
    ("Quarter 4 2019/20", None, (D(2020, 3, 31),)),
    ("Q4 2019", None, (D(2020, 3, 31),)),
    ("q1 2020/2021", None, (D(2020, 6, 30),)),
    ("2019/20 Q4", None, (D(2020, 3, 31),)),
    ("Q2", 2019, (D(2019, 9, 30),)),
    # A financial year alone is its end; a month with one is the month within it.
    ("2019/20", None, (D(2020, 3, 31),)),
    ("2019-20", None, (D(2020, 3, 31),)),
    ("March 2019/20", None, (D(2020, 3, 31),)),
    ("June 2019/20", None, (D(2019, 6, 30),)),
    # Leading words are ignored.
    ("by 30 June 2020", None, (D(2020, 6, 30),)),
    ("by end of June 2020", None, (D(2020, 6, 30),)),
    ("by the end of June 2020", None, (D(2020, 6, 30),)),
    ("End June 2020", None, (D(2020, 6, 30),)),
    ("w/c 1 April 2019", None, (D(2019, 4, 1),)),
    ("Due 31/03/2020", None, (D(2020, 3, 31),)),
    ("from April 2019", None, (D(2019, 4, 30),)),
    # Years inherited across a cell.
    ("November December January 2020", None, (D(2019, 11, 30), D(2019, 12, 31), D(2020, 1, 31))),
    ("March 2019 then June", None, (D(2019, 3, 31), D(2019, 6, 30))),
    ("November 2019 then January", None, (D(2019, 11, 30), D(2020, 1, 31))),
    ("November January", 2019, (D(2019, 11, 30), D(2020, 1, 31))),
    ("30 June 19 March 2020", None, (D(2019, 6, 30), D(2020, 3, 19))),
    # Separators between dates.
    ("March 2019\nJuly 2019", None, (D(2019, 3, 31), D(2019, 7, 31))),
    ("March 2019 / July 2019", None, (D(2019, 3, 31), D(2019, 7, 31))),
    ("March 2019, July 2019; Sept 2019", None, (D(2019, 3, 31), D(2019, 7, 31), D(2019, 9, 30))),
    ("March 2019 -> July 2019", None, (D(2019, 3, 31), D(2019, 7, 31))),
    ("March 2019 → July 2019", None, (D(2019, 3, 31), D(2019, 7, 31))),
    ("March 2019-July 2019", None, (D(2019, 3, 31), D(2019, 7, 31))),
    ("31/03/2019 - 30/06/2019", None, (D(2019, 3, 31), D(2019, 6, 30))),
    ("31/03/2019 revised to 30/06/2019", None, (D(2019, 3, 31), D(2019, 6, 30))),
    ("March 2019 (revised June 2019)", None, (D(2019, 3, 31), D(2019, 6, 30))),
    ("March 2019 now June 2019", None, (D(2019, 3, 31), D(2019, 6, 30))),
    ("Q4 2019/20, Q1 2020/21", None, (D(2020, 3, 31), D(2020, 6, 30))),
    # "was" points back to an older date.
    ("June 2019 (was March 2019)", None, (D(2019, 3, 31), D(2019, 6, 30))),
    ("June (was March 2019)", None, (D(2019, 3, 31), D(2019, 6, 30))),
]


@pytest.mark.parametrize(("cell", "context_year", "expected"), READS)
def test_reads_what_people_type(cell, context_year, expected):
    assert parse_timescale(cell, context_year=context_year).dates == expected


@pytest.mark.parametrize("cell", [None, "", "   ", "\n\t"])
def test_blank_cells_have_no_dates(cell):
    assert parse_timescale(cell) == Timescale(())


def test_text_is_kept_as_the_source():
    assert parse_timescale("March 2019 July 2019").text == "March 2019 July 2019"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (datetime(2020, 3, 31, 17, 30), D(2020, 3, 31)),
        (D(2020, 3, 31), D(2020, 3, 31)),
        (43921, D(2020, 3, 31)),  # Excel serial numbers
        (43921.75, D(2020, 3, 31)),
        (20000, D(1954, 10, 3)),
        (80000, D(2119, 1, 11)),
    ],
)
def test_real_date_cells(cell, expected):
    assert parse_timescale(cell) == Timescale((expected,))


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (42000, D(2018, 12, 28)),  # 1,462 days after serial 42000 of the 1900 system
        (42000.75, D(2018, 12, 28)),  # the fraction is the time of day
        (20000 - 1462, D(1954, 10, 3)),  # the first and last days read as dates, as in 1900's
        (80000 - 1462, D(2119, 1, 11)),
        (20000 - 1463, 20000 - 1463),  # any other number is left as typed: no date
        (5, 5),
        (-3.5, -3.5),
    ],
)
def test_a_number_in_the_1904_date_system_is_the_day_it_means_there(number, expected):
    assert from_1904_serial(number) == expected


@pytest.mark.parametrize(
    ("cell", "word"),
    [
        ("Ongoing", "ongoing"),
        ("On-going", "ongoing"),
        ("TBC", "tbc"),
        ("tba", "tba"),
        ("TBD.", "tbd"),
        ("Complete", "complete"),
        ("Completed", "completed"),
        ("N/A", "n/a"),
        ("NA", "n/a"),
        ("None", "none"),
        ("Continuous", "continuous"),
        ("Annual", "annual"),
        ("Not yet due", "not yet due"),
        ("In place", "in place"),
        ("Done!", "done"),
        ("(Closed)", "closed"),
    ],
)
def test_status_words_are_not_dates(cell, word):
    with pytest.raises(NotADateError) as caught:
        parse_timescale(cell)
    assert caught.value.word == word
    assert caught.value.text == cell
    assert str(caught.value) == f'"{cell}" is a status, not a date.'


# (cell or value, words the message must contain)
UNREADABLE = [
    ("Marchh 2019", '"Marchh" is not a month'),
    ("soon", '"soon" is not part of a date'),
    ("see note", '"see" is not part of a date'),
    ("32/01/2020", "January 2020 has only 31 days"),
    ("31/02/2020", "February 2020 has only 29 days"),
    ("31 June 2019", "June 2019 has only 30 days"),
    ("0 March 2019", "no day 0"),
    ("01/13/2020", '"13" is not a month'),
    ("2020-13-01", '"13" is not a month'),
    ("30 Sept", "does not say which year"),
    ("June", "does not say which year"),
    ("Q2", "does not say which financial year"),
    ("Q5 2019/20", '"Q5" is not a quarter'),
    ("Q4 19/21", '"19/21" is not a financial year'),
    ("2019/21", '"2019/21" is not a financial year'),
    ("end of year", "does not say which year"),
    ("end of quarter", "does not say which quarter"),
    ("2020", '"2020" is a year with no month'),
    ("30th", '"30th" does not say which month'),
    ("19/20", '"19/20" needs a full year'),
    ("March 2109", '"2109" is not a year from 1900 to 2099'),
    ("Completed March 2019", '"Completed" is a status, not a date'),
    ("March 2019?", '"?" is not part of a date'),
    ("-", "there is no date in it"),
    ("March " * 40, "too long to be a date"),
    (5, "a number on its own is not a date"),
    (1e9, "a number on its own is not a date"),
    (float("nan"), "a number on its own is not a date"),
    (True, "a true/false value is not a date"),
    (["March 2019"], "neither a date nor text"),
]


@pytest.mark.parametrize(("cell", "reason"), UNREADABLE)
def test_unreadable_cells_say_why(cell, reason):
    with pytest.raises(DateParseError) as caught:
        parse_timescale(cell)
    assert reason in caught.value.reason
    assert str(caught.value).startswith("Could not read ")
    assert str(caught.value).endswith(f"as a date: {caught.value.reason}.")


def test_message_quotes_the_text_in_plain_english():
    with pytest.raises(DateParseError) as caught:
        parse_timescale("Marchh 2019")
    assert str(caught.value) == 'Could not read "Marchh 2019" as a date: "Marchh" is not a month.'
    assert caught.value.text == "Marchh 2019"


def test_errors_survive_pickling():
    for error in (DateParseError("soon", "why"), NotADateError("TBC", "tbc")):
        copy = pickle.loads(pickle.dumps(error))
        assert (type(copy), str(copy), copy.args) == (type(error), str(error), error.args)


def test_object_whose_str_fails_is_still_a_date_parse_error():
    class Awkward:
        def __str__(self):
            raise RuntimeError("no")

    with pytest.raises(DateParseError, match="Awkward"):
        parse_timescale(Awkward())


def test_timescale_properties():
    timescale = Timescale((D(2019, 3, 31), D(2019, 6, 30), D(2019, 9, 30)))
    assert timescale.original == D(2019, 3, 31)
    assert timescale.revisions == (D(2019, 6, 30), D(2019, 9, 30))
    assert timescale.due_date == D(2019, 9, 30)
    assert timescale.slipped
    empty = Timescale(())
    assert (empty.original, empty.due_date, empty.revisions, empty.slipped) == (
        None,
        None,
        (),
        False,
    )


# --- properties ----------------------------------------------------------------------

MONTH_SPELLINGS = {
    1: ["January", "Jan"],
    2: ["February", "Feb"],
    3: ["March", "Mar"],
    4: ["April", "Apr"],
    5: ["May"],
    6: ["June", "Jun"],
    7: ["July", "Jul"],
    8: ["August", "Aug"],
    9: ["September", "Sept", "Sep"],
    10: ["October", "Oct"],
    11: ["November", "Nov"],
    12: ["December", "Dec"],
}


def month_name(draw, month):
    name = draw(st.sampled_from(MONTH_SPELLINGS[month]))
    return draw(st.sampled_from([name, name.lower(), name.upper(), name + "."]))


tracker_dates = st.dates(min_value=D(1900, 1, 1), max_value=D(2099, 12, 31))


@st.composite
def typed_dates(draw):
    """A date and one way a person might type it."""
    day = draw(tracker_dates)
    style = draw(st.sampled_from(["dd/mm/yyyy", "d.m.yy", "d Month yyyy", "iso"]))
    if style == "d.m.yy":
        day = draw(st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31)))
        return day, f"{day.day}.{day.month}.{day.year % 100:02d}"
    if style == "dd/mm/yyyy":
        return day, day.strftime("%d/%m/") + str(day.year)
    if style == "iso":
        return day, day.isoformat()
    return day, f"{day.day} {month_name(draw, day.month)} {day.year}"


@FAST
@given(typed_dates())
def test_a_typed_date_reads_back_as_itself(typed):
    day, text = typed
    assert parse_timescale(text).dates == (day,)


@FAST
@given(st.data(), st.integers(1900, 2099), st.integers(1, 12))
def test_a_month_and_year_is_the_last_day_of_the_month(data, year, month):
    text = f"{month_name(data.draw, month)} {year}"
    assert parse_timescale(text).dates == (D(year, month, calendar.monthrange(year, month)[1]),)


@st.composite
def revised_months(draw):
    """1-4 increasing (year, month)s, typed with a year left off where the next has it."""
    count = draw(st.integers(1, 4))
    months = sorted(
        draw(
            st.lists(
                st.tuples(st.integers(2000, 2098), st.integers(1, 12)),
                min_size=count,
                max_size=count,
                unique=True,
            )
        )
    )
    words = []
    for position, (year, month) in enumerate(months):
        following = months[position + 1] if position + 1 < len(months) else None
        leave_year_off = following is not None and following[0] == year and draw(st.booleans())
        if leave_year_off:
            words.append(month_name(draw, month))
        else:
            written_year = draw(st.sampled_from([str(year), f"{year % 100:02d}"]))
            words.append(f"{month_name(draw, month)} {written_year}")
    return months, " ".join(words)


@FAST
@given(revised_months())
def test_several_months_are_the_original_then_revisions(revised):
    months, text = revised
    expected = tuple(D(y, m, calendar.monthrange(y, m)[1]) for y, m in months)
    assert parse_timescale(text).dates == expected


@FAST
@given(st.integers(1900, 2098), st.integers(1, 4), st.sampled_from(["/", "-"]))
def test_a_quarter_ends_within_its_financial_year(start, quarter, dash):
    (end,) = parse_timescale(f"Q{quarter} {start}{dash}{(start + 1) % 100:02d}").dates
    assert D(start, 4, 1) <= end <= D(start + 1, 3, 31)
    assert end.month == {1: 6, 2: 9, 3: 12, 4: 3}[quarter]
    assert end.day == calendar.monthrange(end.year, end.month)[1]


def read_or_refuse(value):
    """Read a cell, allowing only the two documented refusals; return the seconds taken."""
    started = time.perf_counter()
    try:
        result = parse_timescale(value, context_year=2020)
    except (DateParseError, NotADateError):
        pass
    else:
        assert isinstance(result, Timescale)
    return time.perf_counter() - started


date_like_text = st.text(
    alphabet="0123456789/-.,() qQtrhsndJjanfebmMrpyulgcovDwasthen", max_size=60
)


@FAST
@given(st.one_of(st.text(max_size=250), date_like_text))
def test_any_text_is_read_or_refused_quickly(text):
    # A cell takes microseconds; the bound leaves room for a busy machine's pauses while
    # still catching a regex that backtracks without end.
    assert read_or_refuse(text) < 0.5


@FAST
@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.datetimes(),
        st.dates(),
        st.lists(st.integers(), max_size=2),
    )
)
def test_any_value_is_read_or_refused(value):
    read_or_refuse(value)


@FAST
@given(st.lists(tracker_dates, max_size=5))
def test_due_date_is_the_last_date_and_slipped_means_revised(dates):
    timescale = Timescale(tuple(dates))
    assert timescale.due_date == (dates[-1] if dates else None)
    assert timescale.original == (dates[0] if dates else None)
    assert timescale.revisions == tuple(dates[1:])
    assert timescale.slipped == (len(dates) > 1)


@FAST
@given(revised_months())
def test_a_parsed_cell_is_due_on_its_last_date(revised):
    months, text = revised
    timescale = parse_timescale(text)
    y, m = months[-1]
    assert timescale.due_date == D(y, m, calendar.monthrange(y, m)[1])
    assert timescale.slipped == (len(months) > 1)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 1)),
    st.integers(1, 12),
    st.integers(1, 28),
)
def test_a_yearless_date_falls_on_or_after_its_meeting_and_within_a_year(meeting, month, day):
    """'30 Sept' under the group row of a meeting: the first such day on or after it."""
    from wellled_xl.actions import _parse_first
    from wellled_xl.model import YearContext

    text = f"{day} {MONTH_NAMES[month]}"
    timescale, yearless = _parse_first(text, YearContext(meeting, "after", "a group row"))
    due = timescale.due_date
    assert yearless and (due.month, due.day) == (month, day)
    # A year on from 29 February is 1 March (replace() has no 29 February in most years).
    assert meeting <= due <= meeting + timedelta(days=366)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 1)), st.integers(1, 12))
def test_a_yearless_month_under_a_title_date_is_the_nearest_one(title_day, month):
    from wellled_xl.actions import _parse_first
    from wellled_xl.model import YearContext

    timescale, _ = _parse_first(MONTH_NAMES[month], YearContext(title_day, "nearest", "a title"))
    assert abs((timescale.due_date - title_day).days) <= 200
