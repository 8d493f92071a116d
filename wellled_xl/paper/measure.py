"""How much room a cell's text takes: lines at a column's width, and the row height they need.

Two measures, for the two programs that show the paper with the row heights it sets:

- **Excel** (the workbook a person opens): a count of characters a line, from the column
  width in character units, with a margin for Excel's wider line spacing (12.75 points a
  line of 10-point Arial) and its screen-hinted glyphs. Excel keeps an explicit height, so
  text that does not fit is cut off; this measure errs on the tall side.
- **LibreOffice** (the PDF): the text's width in Arial's own advance widths, wrapped word
  by word at the width LibreOffice gives the column, and its line spacing. LibreOffice
  substitutes Liberation Sans for Arial, which has the same widths. Measured in its PDF
  of the paper (LibreOffice 7.4): a width unit is 5.54 points (the default font's digit,
  1139/2048 of 10 points), text is inset about a point either side, a line is 1.117
  times the font size (Liberation Sans' ascent and descent), and a cell adds about a
  point above and below.
"""

from __future__ import annotations

import functools
import math
import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

# --- Excel --------------------------------------------------------------------------------


def chars_per_line(width: float, size: float, bold: bool) -> int:
    """How many characters of text fit on one line of a column `width` units wide in Excel.

    A width unit is 7 pixels and 10-point Arial prose averages about 5.6 pixels a
    character (~1.25 characters a unit); 1.15 leaves a margin, and bold text is wider.
    """
    per_unit = 1.15 * (10.0 / size) / (1.08 if bold else 1.0)
    return max(1, int((width - 1) * per_unit))


def merged_width(widths: Sequence[float]) -> float:
    """The width, in character units, of cells merged across columns `widths` wide.

    A column is 7 pixels a unit plus 5 of padding, so each column after the first adds
    its padding, 5/7 of a unit, to the text's room: five columns 10 wide hold the text a
    column 52.9 wide does, not 50.
    """
    return sum(widths) + (len(widths) - 1) * 5 / 7


def wrapped_lines(text: str, per_line: int) -> int:
    """How many lines `text` takes when wrapped at `per_line` characters.

    Words wrap whole (a word longer than a line is broken), so the count is a greedy
    wrap of the real words, not a division of the length: each match of `_line_pattern`
    is one line, and every paragraph takes a line at least.
    """
    if len(text) <= per_line and "\n" not in text:
        return 1
    pattern = _line_pattern(per_line)
    if "\n" not in text:
        return len(pattern.findall(text)) or 1
    return sum(len(pattern.findall(paragraph)) or 1 for paragraph in text.split("\n"))


@functools.cache
def _line_pattern(per_line: int) -> re.Pattern[str]:
    """One wrapped line: the longest run from a non-space that ends before a space (or the
    end) within `per_line` characters; else, for a longer word, `per_line` of its
    characters."""
    return re.compile(rf"\S.{{0,{per_line - 1}}}(?=\s|$)|\S{{{per_line}}}")


def excel_line_height(size: float) -> float:
    return size * 1.25


EXCEL_PADDING = 4.0  # points a row adds to its lines


def whole_pixels(points: float) -> float:
    """Round a row height up to whole screen pixels (0.75 pt), as spreadsheets store it."""
    return math.ceil(points / 0.75 - 1e-9) * 0.75


# --- LibreOffice ----------------------------------------------------------------------------

EM = 2048  # Arial's font units an em
# Advance widths in font units (Liberation Sans 2.1, the same as Arial's), each rounded up
# to one of a few classes; a character not listed counts as a full em and a quarter.
_REGULAR = {
    0: "\xad",
    455: "'ijl‘’",
    569: " !,./:;I[\\]ftÌÍÎÏìíîï\xa0|¦",
    684: "()-`r¡¨²³´·¸¹“”{}",
    819: '•"ºª*°',
    1024: "^Jcksvxyzçýÿ",
    1139: "#$0123456789?L_abdeghnopqu¢£¤¥§«»àáâãäåèéêëðñòóôõöùúûüþ–€¶±÷¯",
    1251: "µ+<=>~¬×FTZ¿ßø",
    1366: "&ABEKPSVXYÀÁÂÃÄÅÈÉÊËÝÞ",
    1479: "CDHNRUwÇÐÑÙÚÛÜ",
    1593: "GOQÒÓÔÕÖØ©®",
    1708: "Mm¼½¾",
    1821: "%æ",
    2079: "WÆ—…@",
}
_BOLD = {
    0: "\xad",
    569: "' ,./I\\ijlÌÍÎÏìíîï\xa0‘’|¦",
    684: "!()-:;[]`ft¡¨²³´·¸¹",
    819: "•ºª*r{}°",
    1024: '"z“”',
    1139: "#$0123456789J_aceksvxy¢£¤¥§«¶»àáâãäåçèéêëýÿ–€±÷¯",
    1251: "µ+<=>^~¬×?FLTZbdghnopqu¿ßðñòóôõöøùúûüþ",
    1366: "EPSVXYÈÉÊËÝÞ",
    1479: "&ABCDHKNRUÀÁÂÃÄÅÇÐÑÙÚÛÜ",
    1593: "GOQwÒÓÔÕÖØ©®",
    1708: "M¼½¾",
    1821: "%mæ",
    2079: "WÆ—…@",
}
UNLISTED = 2560  # a character not in the tables: wider than any Latin letter
WIDEST = 2079  # the widest character in the tables

DIGIT_POINTS = 5.54  # a column width unit in LibreOffice, in points
TEXT_INSET = 2.5  # points of a column's width that text does not use (both sides, the grid)
LINE_FACTOR = 1.117  # a line's height for the font size
PRINT_PADDING = 2.0  # points a row adds to its lines
MIN_PRINT_HEIGHT = 12.75  # points: the least a printed row takes (Excel's for 10-point Arial)
WRAP_MARGIN = 0.995  # of the width, kept free for LibreOffice's rounding of glyph positions


def _widths(groups: dict[int, str]) -> dict[str, int]:
    return {char: width for width, chars in groups.items() for char in chars}


class _Font:
    """One weight's character widths, and the width of each word met (words repeat)."""

    def __init__(self, groups: dict[int, str]) -> None:
        self.chars = _widths(groups)
        self.space = self.chars[" "]
        self.words: dict[str, int] = {}

    def word(self, word: str) -> int:
        width = self.words.get(word)
        if width is None:
            chars = self.chars
            width = self.words[word] = sum(chars.get(char, UNLISTED) for char in word)
        return width


REGULAR, BOLD = _Font(_REGULAR), _Font(_BOLD)


def printed_width(width: float) -> float:
    """Points of a column `width` units wide that LibreOffice wraps text in. XlsxWriter
    stores a width of w as w + 5/7 (Excel's padding of 5 pixels), which LibreOffice reads
    as character units of its own."""
    return ((width + 5 / 7) * DIGIT_POINTS - TEXT_INSET) * WRAP_MARGIN


def printed_lines(text: str, width: float, size: float, bold: bool) -> int:
    """Lines `text` takes in LibreOffice, at `size` points, in a column `width` units wide.

    A greedy wrap at spaces of the words' real widths, as LibreOffice wraps (it may also
    break after a hyphen, which only ever saves a line); a word wider than the line is
    broken across as many lines as it needs; every paragraph takes a line at least.
    """
    font = BOLD if bold else REGULAR
    line = printed_width(width) * EM / size  # the line's width in font units
    if "\n" not in text:
        if len(text) * WIDEST <= line:  # most cells: surely one line
            return 1
        return _paragraph_lines(text, line, font)
    return sum(_paragraph_lines(paragraph, line, font) for paragraph in text.split("\n"))


def _paragraph_lines(paragraph: str, line: float, font: _Font) -> int:
    words = paragraph.split(" ")
    widths = list(map(font.words.get, words))  # the words met before (most of them)
    if None in widths:
        widths = [font.word(word) for word in words]
    space = font.space
    if sum(widths) + space * (len(widths) - 1) <= line:
        return 1
    # ends[i]: the width from the paragraph's start to the end of word i and one space.
    ends = list(accumulate(map(space.__add__, widths)))
    lines, word, start, count = 0, 0, 0, len(widths)
    while word < count:
        # The words that fit from `word` on: their ends, less the last space, within the line.
        after = bisect_right(ends, start + line + space, lo=word)
        if after == word:  # one word wider than the line: broken, its rest starts a line
            lines += math.ceil(widths[word] / line)
            after = word + 1
        else:
            lines += 1
        start = ends[after - 1]
        word = after
    return lines


def printed_line_height(size: float) -> float:
    return size * LINE_FACTOR
