"""Read what a person typed as a due date or timescale in an action tracker (UK, day first)."""

import calendar
import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from numbers import Real
from typing import NamedTuple

MAX_TEXT_LENGTH = 200

# Excel's 1900 date system counts 1900-01-01 as day 1 and wrongly treats 1900 as a leap
# year, so from serial 61 (1 March 1900) on, a serial is a day count from 30 Dec 1899.
_EXCEL_EPOCH = date(1899, 12, 30)
# A workbook in Excel's 1904 date system (Excel for Mac's before 2011; `date1904` in its
# workbook.xml) counts days from 1 January 1904: 1,462 days after the 1900 system's day 0.
_DAYS_1904_AFTER_1900 = 1462
# Only numbers in this range are read as Excel dates (about 1954 to 2119); any other
# number in a date column is more likely a typo or a count than a date.
_EXCEL_SERIALS = (20_000, 80_000)

# A time of day after a date ("31/03/2019 12:00", "2019-03-31T00:00:00", as a program
# writes a date as text) is no part of the day, as the fraction of a serial is not.
_TIME_OF_DAY = re.compile(
    r"(?<=\d)(?:T|\s+|\s*,\s*)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[ap]\.?m\b\.?)?"
    r"(?:\s*(?:Z|UTC|GMT|BST)\b|[+-]\d{2}:?\d{2})?(?![\d:])",
    re.IGNORECASE,
)
# Characters pasted from web pages and e-mails that show nothing: zero-width spaces and
# joiners, the word joiner, a byte-order mark, a soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# A four-digit year outside this window is a typo in an action tracker ("2109").
_FIRST_YEAR, _LAST_YEAR = 1900, 2099

# Words that stand where a date belongs but say "no date": spelling -> the word kept.
_STATUS_WORDS = {
    word: word
    for word in (
        "ongoing", "tbc", "tba", "tbd", "complete", "completed", "n/a", "none",
        "continuous", "annual", "not yet due", "in place", "done", "closed",
    )
} | {"on-going": "ongoing", "on going": "ongoing", "na": "n/a", "n.a": "n/a"}  # fmt: skip
_STATUS_TRIM = string.punctuation + string.whitespace

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
# English names for messages (calendar.month_name follows the machine's locale).
MONTH_NAMES = (
    "", "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# Words around dates that change nothing: "by the end of March", "w/c 1 April",
# "Q4 FY 2019/20", and the links from an original date to its revisions ("was", which
# links back to an older date, is read apart).
_SKIPPED_WORDS = frozenset(
    {"end", "of", "by", "the", "due", "from", "w/c", "fy", "then", "revised", "now"}
)
# Words that show the person meant a date but left out which one ("end of year").
_VAGUE_WORDS = frozenset({"year", "month", "quarter", "week"})

# NHS financial year quarters (April to March): quarter -> (years after the start of
# the financial year, month, day) of the quarter's last day.
_QUARTER_ENDS = {1: (0, 6, 30), 2: (0, 9, 30), 3: (0, 12, 31), 4: (1, 3, 31)}

# One token of a cell. Whole numeric dates come first, so that the "/", "-" and "."
# inside "31/03/2020" or "2019/20" are not taken as separators between dates.
_TOKEN = re.compile(
    r"""
      (?P<iso>(?P<iso_y>[0-9]{4})(?P<iso_sep>[-/.])(?P<iso_m>[0-9]{1,2})
              (?P=iso_sep)(?P<iso_d>[0-9]{1,2}))(?![0-9])
    | (?P<dmy>(?P<dmy_d>[0-9]{1,2})(?P<dmy_sep>[-/.])(?P<dmy_m>[0-9]{1,2})
              (?P=dmy_sep)(?P<dmy_y>[0-9]{4}|[0-9]{2}))(?![0-9])
    | (?P<fy>(?P<fy_start>[0-9]{4})[-/](?P<fy_end>[0-9]{4}|[0-9]{2}))(?![0-9])
    | (?P<month_year>(?P<my_m>[0-9]{1,2})[-/.](?P<my_y>[0-9]{4}))(?![0-9])
    | (?P<pair>(?P<pair_a>[0-9]{1,2})[-/](?P<pair_b>[0-9]{1,2}))(?![0-9])
    | (?P<quarter>(?:quarter|qtr|q)\ ?(?P<quarter_n>[0-9]+))
    | (?P<number>(?P<digits>[0-9]+)(?P<suffix>st|nd|rd|th)?)
    | (?P<was>(?:revised|moved|changed)\ from(?![a-z])|previously(?![a-z])|originally(?![a-z]))
    | (?P<gap>revised\ to(?![a-z])|[\ ,;/()\[\].:'">\-–—→‘’“”]+)
    | (?P<word>w/c(?![a-z])|[a-z]+)
    """,
    re.ASCII | re.IGNORECASE | re.VERBOSE,
)


# A whole date with a four-digit year: ISO (year first) or day first, one separator.
_WHOLE_DATE = re.compile(
    r"[0-9]{4}(?P<iso>[-/.])[0-9]{1,2}(?P=iso)[0-9]{1,2}"
    r"|[0-9]{1,2}(?P<dmy>[-/.])[0-9]{1,2}(?P=dmy)[0-9]{4}"
)


class DateParseError(ValueError):
    """Text that a person might mean as a date but that could not be read."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"Could not read {_quoted(text)} as a date: {reason}.")

    def __reduce__(self):
        return type(self), (self.text, self.reason)


class NotADateError(ValueError):
    """A status word typed where a date belongs: Ongoing, TBC, Complete, N/A ..."""

    def __init__(self, text: str, word: str) -> None:
        self.text = text
        self.word = word
        super().__init__(f"{_quoted(text)} is a status, not a date.")

    def __reduce__(self):
        return type(self), (self.text, self.word)


def _quoted(text: str) -> str:
    """The text on one line, cut short if long, in double quotes for a message."""
    shown = " ".join(text.split())
    return f'"{shown[:57]}..."' if len(shown) > 60 else f'"{shown}"'


@dataclass(frozen=True, slots=True)
class Timescale:
    """A due date cell read as the original date then its revisions, in order."""

    dates: tuple[date, ...]  # original first, then each revision in the order written
    text: str = ""  # the source text ("" for real date cells)

    @property
    def original(self) -> date | None:
        return self.dates[0] if self.dates else None

    @property
    def due_date(self) -> date | None:
        """The latest revision, else the original."""
        return self.dates[-1] if self.dates else None

    @property
    def revisions(self) -> tuple[date, ...]:
        return self.dates[1:]

    @property
    def slipped(self) -> bool:
        return len(self.dates) > 1


def parse_timescale(value: object, *, context_year: int | None = None) -> Timescale:
    """Read one cell. None / "" / whitespace -> Timescale(()).

    A ``datetime`` or ``date`` is that date; an int or float from 20000 to 80000 is an
    Excel serial date. Text is read as UK board papers write it, day first:

    - "31/03/2020", "31/3/20", "17.7.12", "1-4-2020", ISO "2020-03-31";
      two-digit years are 20YY.
    - "30 Sept 2019", "31st March 2020", "June 30th 2019". A two-digit number straight
      after a month is a year ("December 19" is December 2019), unless a four-digit
      year follows it ("June 30 2019").
    - A month with no day means its last day: "July 2019", "Sep-19", "03/2019".
    - Quarters are of the NHS financial year (Q1 April-June ... Q4 January-March) and
      mean the quarter's last day: "Q4 2019/20", "Q4 19/20", "2019/20 Q4". A quarter
      with one year, "Q4 2019", is read as that quarter of the financial year starting
      in 2019 (so 31 March 2020), because trackers name a financial year by its first
      year. A quarter with no year uses ``context_year`` as the financial year's start.
    - "2019/20" alone is the end of that financial year; "March 2019/20" is the March
      within it (March 2020).
    - Several dates are the original then its revisions, in the order written, except
      that a date after "was" (or "revised from", "previously", "originally") is older
      than the one before it: "June 2019 (was March 2019)" is March 2019 revised to June
      2019.
    - A date with no year takes it from the next date in the cell that has one (the year
      before, if its month falls later: "November December January 2020"), else from
      the date before it, else ``context_year``.

    Raises NotADateError for a status word (Ongoing, TBC, Complete, N/A ...) and
    DateParseError for anything else that cannot be read; never anything else.
    """
    if value is None:
        return Timescale(())
    if isinstance(value, datetime):
        return Timescale((value.date(),))
    if isinstance(value, date):
        return Timescale((value,))
    if isinstance(value, bool):
        raise DateParseError(str(value), "a true/false value is not a date")
    if isinstance(value, Real):
        return Timescale((_excel_serial_date(value),))
    if not isinstance(value, str):
        raise DateParseError(_describe(value), "it is neither a date nor text")
    text = " ".join(value.split())
    if not text.isascii():  # invisible characters; full-width digits, as NFKC makes them
        text = " ".join(unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).split())
    if ":" in text:
        text = _TIME_OF_DAY.sub("", text).strip()
    if not text:
        return Timescale(())
    status = _STATUS_WORDS.get(" ".join(text.strip(_STATUS_TRIM).lower().split()))
    if status is not None:
        raise NotADateError(value, status)
    if len(text) > MAX_TEXT_LENGTH:
        raise DateParseError(value, "it is too long to be a date")
    try:
        return Timescale(_read_text(text, context_year), value)
    except _Unreadable as problem:
        raise DateParseError(value, problem.reason) from None


def parse_date(text: str) -> date:
    """One whole date as typed on a command line or in a config: ISO "2019-09-30" or day
    first "30/09/2019" (also "30.9.2019", "30-09-2019"), always with a four-digit year.

    Stricter than `parse_timescale`: a month alone, a quarter or a two-digit year is
    refused, since the as-at date must be exactly the day meant. Raises DateParseError
    saying what is wrong ("September 2019 has only 30 days").
    """
    shown = " ".join(str(text).split())
    if not _WHOLE_DATE.fullmatch(shown):
        raise DateParseError(
            shown, "give the whole date, day first as in 30/09/2019 or ISO as in 2019-09-30"
        )
    return parse_timescale(shown).dates[0]


def _excel_serial_date(number: Real) -> date:
    low, high = _EXCEL_SERIALS
    if not low <= number <= high:  # also rules out NaN
        raise DateParseError(str(number), "a number on its own is not a date")
    # The fraction of a serial is the time of day.
    return _EXCEL_EPOCH + timedelta(days=int(number))


def from_1904_serial(number: Real) -> date | Real:
    """A plain number in a date cell of a workbook in Excel's 1904 date system: the day it
    means there, when that day is in the range `parse_timescale` reads a number as a date;
    any other number as it is, for `parse_timescale` to say, with the number as typed, why
    it is no date. (python-calamine reads a date-styled cell in the workbook's own date
    system already: only a number shown as a number needs this.)"""
    serial = number + _DAYS_1904_AFTER_1900
    low, high = _EXCEL_SERIALS
    return _excel_serial_date(serial) if low <= serial <= high else number


def _describe(value: object) -> str:
    # Any object may reach here; one whose str() fails is still reported, not raised.
    try:
        return str(value)
    except Exception:
        return f"<{type(value).__name__}>"


class _Unreadable(Exception):
    """Why the text being read is not a date; parse_timescale adds the text."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Atom(NamedTuple):
    """One meaningful token: its kind, its numbers and the text it came from."""

    kind: str  # date, fy, month_year, pair, quarter, month, year, short, ordinal, was
    value: tuple[int, ...]
    source: str


class _Reading:
    """One date as written, before a missing year is filled in."""

    __slots__ = ("day", "month", "year")

    def __init__(self, month: int, day: int | None = None, year: int | None = None) -> None:
        self.month = month
        self.day = day  # None: the month's last day
        self.year = year  # None: not written; taken from the dates around it


def _read_text(text: str, context_year: int | None) -> tuple[date, ...]:
    atoms = _atoms(text)
    # "was" starts a new group of older dates: groups are read back to front.
    groups: list[list[_Reading]] = [[]]
    i = 0
    while i < len(atoms):
        atom = atoms[i]
        if atom.kind == "was":
            groups.append([])
            i += 1
            continue
        if atom.kind == "date":
            year, month, day = atom.value
            reading, i = _Reading(month, day, year), i + 1
        elif atom.kind == "month_year":
            reading, i = _Reading(atom.value[0], None, atom.value[1]), i + 1
        elif atom.kind == "fy":
            if _kind(atoms, i + 1) == "quarter":  # "2019/20 Q4"
                reading, i = _quarter_end(atoms[i + 1], atom.value[0]), i + 2
            else:  # a financial year alone means its end, 31 March
                reading, i = _Reading(3, 31, atom.value[0] + 1), i + 1
        elif atom.kind == "quarter":
            start, i = _financial_year_after(atoms, i + 1, atom, context_year)
            reading = _quarter_end(atom, start)
        elif atom.kind == "month":
            reading, i = _read_month(atoms, i, None)
        elif atom.kind in ("short", "ordinal") and _kind(atoms, i + 1) == "month":
            reading, i = _read_month(atoms, i + 1, atom.value[0])
        else:
            raise _Unreadable(_stray_reason(atom))
        groups[-1].append(reading)
    readings = [reading for group in reversed(groups) for reading in group]
    if not readings:
        raise _Unreadable("there is no date in it")
    _fill_years(readings, context_year)
    return tuple(_to_date(reading) for reading in readings)


def _atoms(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            fragment = text[pos:].split(" ", 1)[0]
            raise _Unreadable(f"{_quoted(fragment)} is not part of a date")
        pos = match.end()
        kind = match.lastgroup
        source = match.group()
        if kind == "gap":
            continue
        if kind == "was":  # "revised from", "previously": older dates follow, as after "was"
            atoms.append(_Atom("was", (), source))
            continue
        if kind == "word":
            atom = _word_atom(source)
            if atom is not None:
                atoms.append(atom)
            continue
        parts = match.groupdict()
        if kind == "iso":
            value = (_year(parts["iso_y"]), _month(parts["iso_m"]), int(parts["iso_d"]))
            kind = "date"
        elif kind == "dmy":
            year = parts["dmy_y"]
            value = (
                _year(year) if len(year) == 4 else 2000 + int(year),
                _month(parts["dmy_m"]),
                int(parts["dmy_d"]),
            )
            kind = "date"
        elif kind == "fy":
            value = (_financial_year(source, parts["fy_start"], parts["fy_end"]),)
        elif kind == "month_year":
            value = (_month(parts["my_m"]), _year(parts["my_y"]))
        elif kind == "pair":
            value = (int(parts["pair_a"]), int(parts["pair_b"]))
        elif kind == "quarter":
            value = (int(parts["quarter_n"]),)
            if value[0] not in _QUARTER_ENDS:
                raise _Unreadable(f"{_quoted(source)} is not a quarter (there are four, Q1 to Q4)")
        else:
            kind, value = _number(source, parts["digits"], parts["suffix"])
        atoms.append(_Atom(kind, value, source))
    return atoms


def _word_atom(word: str) -> _Atom | None:
    """A month, "was", or None for a word that changes nothing; else why it is unreadable."""
    key = word.lower()
    if key in _MONTHS:
        return _Atom("month", (_MONTHS[key],), word)
    if key == "was":
        return _Atom("was", (), word)
    if key in _SKIPPED_WORDS:
        return None
    if key in _STATUS_WORDS:
        raise _Unreadable(f"{_quoted(word)} is a status, not a date")
    if key in _VAGUE_WORDS:
        raise _Unreadable(f"it does not say which {key}")
    if key[:3] in _MONTHS:  # "Marchh", "Septmber": meant as a month, mistyped
        raise _Unreadable(f"{_quoted(word)} is not a month")
    raise _Unreadable(f"{_quoted(word)} is not part of a date")


def _number(source: str, digits: str, suffix: str | None) -> tuple[str, tuple[int, ...]]:
    if suffix is not None:
        if len(digits) > 2:
            raise _Unreadable(f"{_quoted(source)} is not a day of the month")
        return "ordinal", (int(digits),)
    if len(digits) <= 2:
        return "short", (int(digits),)
    if len(digits) == 4:
        return "year", (_year(digits),)
    raise _Unreadable(f"{_quoted(source)} is not a day, month or year")


def _year(digits: str) -> int:
    year = int(digits)
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise _Unreadable(f"{_quoted(digits)} is not a year from {_FIRST_YEAR} to {_LAST_YEAR}")
    return year


def _month(digits: str) -> int:
    month = int(digits)
    if not 1 <= month <= 12:
        raise _Unreadable(
            f"{_quoted(digits)} is not a month (dates are read day first, as in 31/03/2020)"
        )
    return month


def _financial_year(source: str, start: str, end: str) -> int:
    """The first year of a financial year written "2019/20" or "2019/2020"."""
    first = _year(start)
    if int(end) != (first + 1 if len(end) == 4 else (first + 1) % 100):
        raise _not_a_financial_year(source)
    return first


def _not_a_financial_year(source: str) -> _Unreadable:
    return _Unreadable(
        f"{_quoted(source)} is not a financial year (the years should follow on, as in 2019/20)"
    )


def _kind(atoms: list[_Atom], i: int) -> str | None:
    return atoms[i].kind if i < len(atoms) else None


def _read_month(atoms: list[_Atom], i: int, day: int | None) -> tuple[_Reading, int]:
    """Read from the month at atoms[i]: its day if written after it, then its year."""
    month = atoms[i].value[0]
    i += 1
    # "June 30th", "June 30 2019": a day after the month (US order) needs an ordinal or a
    # four-digit year after it; otherwise "December 19" is December 2019.
    after = _kind(atoms, i)
    if day is None and (after == "ordinal" or (after == "short" and _kind(atoms, i + 1) == "year")):
        day = atoms[i].value[0]
        i += 1
    kind = _kind(atoms, i)
    if kind == "year":
        return _Reading(month, day, atoms[i].value[0]), i + 1
    # After "30 June", a number followed by a month is that month's day ("30 June 19 March
    # 2020"), not June's year.
    if kind == "short" and not (day is not None and _kind(atoms, i + 1) == "month"):
        return _Reading(month, day, 2000 + atoms[i].value[0]), i + 1
    if kind == "fy":  # "March 2019/20": the March within that financial year
        start = atoms[i].value[0]
        return _Reading(month, day, start if month >= 4 else start + 1), i + 1
    return _Reading(month, day), i


def _financial_year_after(
    atoms: list[_Atom], i: int, quarter: _Atom, context_year: int | None
) -> tuple[int, int]:
    """The start year of the financial year written after a quarter, and where it ends."""
    kind = _kind(atoms, i)
    if kind in ("fy", "year"):  # "Q4 2019/20"; "Q4 2019" is Q4 of 2019/20
        return atoms[i].value[0], i + 1
    if kind == "short":  # "Q4 19"
        return 2000 + atoms[i].value[0], i + 1
    if kind == "pair":  # "Q4 19/20"
        first, second = atoms[i].value
        if (first + 1) % 100 != second:
            raise _not_a_financial_year(atoms[i].source)
        return 2000 + first, i + 1
    if context_year is not None:
        return context_year, i
    raise _Unreadable(f"{_quoted(quarter.source)} does not say which financial year")


def _quarter_end(quarter: _Atom, start: int) -> _Reading:
    years_on, month, day = _QUARTER_ENDS[quarter.value[0]]
    return _Reading(month, day, start + years_on)


def _stray_reason(atom: _Atom) -> str:
    """Why a token that does not start a date cannot be read where it stands."""
    if atom.kind == "year":
        return f"{_quoted(atom.source)} is a year with no month"
    if atom.kind == "pair":
        return f"{_quoted(atom.source)} needs a full year, as in 31/03/2020 or 2019/20"
    return f"{_quoted(atom.source)} does not say which month"


def _fill_years(readings: list[_Reading], context_year: int | None) -> None:
    """Give each date with no year written the year it must mean."""
    # A date with no year belongs to the next date that has one, or to the year before
    # if its month falls later in the calendar ("November December January 2020").
    for earlier, later in reversed(list(pairwise(readings))):
        if earlier.year is None and later.year is not None:
            earlier.year = later.year - (earlier.month > later.month)
    # Now the first date has no year only if no date in the cell has one.
    if readings[0].year is None:
        if context_year is None:
            raise _Unreadable("it does not say which year")
        readings[0].year = context_year
    # Dates after the last written year follow on from the date before them
    # ("March 2019 then June"; "November 2019 then January" is January 2020).
    for earlier, later in pairwise(readings):
        if later.year is None:
            later.year = earlier.year + (later.month < earlier.month)


def _to_date(reading: _Reading) -> date:
    year, month = reading.year, reading.month
    last_day = calendar.monthrange(year, month)[1]
    if reading.day is None:  # a month alone means its last day
        return date(year, month, last_day)
    if reading.day == 0:
        raise _Unreadable("there is no day 0 in a month")
    if reading.day > last_day:
        raise _Unreadable(f"{MONTH_NAMES[month]} {year} has only {last_day} days")
    return date(year, month, reading.day)
