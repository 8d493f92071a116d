"""The status scale a tracker uses: found where the trust wrote it, or read from its statuses.

A trust's scale is rarely a Legend sheet. It is the legend rows printed under each table
(``Status | G | Action completed … | A/G | …``), a KEY block of words above the table
(``Delivered · On track to deliver · Some issues … · Not on track to deliver``), the words
leads type in a status column (``Not yet due``, ``Proposed for Closure``), or RAG codes
with no key anywhere, read against the standard NHS scale they come from. Whichever it
is, the `Legend` says where it came from and whether it was assumed, and which statuses
count as complete is decided from their words (Delivered, Complete, Closed, C, and Blue
in BRAG are complete; Proposed for closure is not).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from wellled_xl.model import Legend, LegendEntry, is_word_status, status_key

# The standard NHS scales a column of codes comes from: BRAG is RAG with Blue for
# "complete and evidenced"; A/G and A/R are the seed's split of amber.
STANDARD_ENTRIES = {
    "B": LegendEntry("B", "Complete and evidenced", "0070C0", True),
    "G": LegendEntry("G", "Complete, or on track to deliver", "00B050", True),
    "A/G": LegendEntry("A/G", "Clear plan for delivery but not yet completed", "FFC000", False),
    "A": LegendEntry("A", "Some risk to delivery", "FFC000", False),
    "A/R": LegendEntry("A/R", "We either lack a plan or confidence in that plan", "FF7C80", False),
    "R": LegendEntry("R", "Off track: delivery at risk and no recovery plan", "FF0000", False),
}
# A scale's code colours where the trust's key names the code but no colour.
CODE_COLOURS = {code: entry.colour for code, entry in STANDARD_ENTRIES.items()} | {
    "AG": "FFC000",
    "AR": "FF7C80",
}
_RAG_WORDS = (("green", "g"), ("amber", "a"), ("red", "r"), ("blue", "b"))

# Words that say an action is done. "Proposed for closure" is not: the board has yet to
# agree it, so it stays open (and shows on the paper as it is typed).
_COMPLETE_WORDS = re.compile(
    r"^(?:c|closed|complete|completed|action complete|delivered|done|achieved|blue|"
    r"implemented|finished|closed\b.*|complete\b.*|delivered\b.*)$"
)
_NOT_COMPLETE = re.compile(r"\b(?:not|proposed|partially|partly|part|in progress|to be)\b")
# Status words a lead types into a status or comment column, and what they look like.
KNOWN_STATUSES = (
    "complete", "completed", "closed", "c", "open", "o", "delivered", "done", "achieved",
    "on track", "on track to deliver", "off track", "not on track", "not on track to deliver",
    "in progress", "not started", "not yet due", "ongoing", "on going", "on hold", "on agenda",
    "overdue", "delayed", "deferred", "at risk", "pending", "superseded", "withdrawn",
    "proposed for closure", "proposed to close", "verbal update to be given",
    "verbal update to be provided", "verbal update", "some issues",
    "some issues – narrative disclosure", "tbc in meeting",
)  # fmt: skip
_KNOWN = {status_key(word) for word in KNOWN_STATUSES}
# The colour a word status is shown in when the trust gave none: done green, trouble
# red, issues amber, on track light green, anything else (open, not yet due) grey.
_BAD = re.compile(r"\b(?:not on track|off track|overdue|delayed|at risk|red)\b")
_ISSUES = re.compile(r"\b(?:issues?|on hold|amber|concern)\b")
_ON_TRACK = re.compile(r"\b(?:on track|in progress|ongoing|on going)\b")
# "Status: in progress – pending …", inside a longer text.
STATUS_LABEL = re.compile(r"\bstatus\s*:\s*([^\n–—;.(]+)", re.I)
_LEADING_WORD_END = re.compile(r"\s*(?:[–—\-:;,.(]|$)")


def is_complete_word(word: str) -> bool:
    """Whether a status word says the action is done (Delivered, Closed, C …)."""
    key = status_key(word)
    return bool(_COMPLETE_WORDS.match(key)) and not _NOT_COMPLETE.search(key)


def word_colour(word: str) -> str:
    """A fill for a word status the trust gave no colour: by what the word says."""
    key = status_key(word)
    if is_complete_word(word):
        return "00B050"
    if _BAD.search(key):
        return "FF0000"
    if _ISSUES.search(key):
        return "FFC000"
    if _ON_TRACK.search(key):
        return "92D050"
    return "D9D9D9"


def rag_letters(text: str) -> str:
    """'Amber/Green' -> 'ag', 'A/G' -> 'ag': a RAG code or its spelled-out form, as letters."""
    letters = text.lower()
    for word, letter in _RAG_WORDS:
        letters = letters.replace(word, letter)
    return re.sub(r"[^a-z]", "", letters)


_CODE_LETTERS = {"b", "g", "a", "r", "ag", "ar", "ga", "ra", "bg", "gb"}


def looks_like_rag_codes(values: Iterable[str]) -> bool:
    """Values that are RAG codes (G, A/G, AR …) or colour words, at least mostly."""
    counts = Counter(v for v in values if v)  # a column holds few distinct statuses
    if not counts:
        return False
    coded = sum(n for v, n in counts.items() if len(v) <= 12 and rag_letters(v) in _CODE_LETTERS)
    return coded >= 0.8 * sum(counts.values())


def standard_scale(values: Iterable[str]) -> Legend:
    """The standard NHS scale for codes typed with no key: G, A/G, A/R, R, plus A and B
    when the tracker uses them (3-point RAG, BRAG). Marked as assumed."""
    used = {rag_letters(v) for v in set(values) if v}
    codes = ["G", "A/G", "A/R", "R"]
    if "a" in used:
        codes.insert(2, "A")
    if "b" in used:
        codes.insert(0, "B")
    if "b" in used:  # in BRAG, Blue is complete and Green is on track
        entries = [STANDARD_ENTRIES[c] for c in codes]
        entries[1] = LegendEntry("G", "On track to deliver", "00B050", False)
    else:
        entries = [STANDARD_ENTRIES[c] for c in codes]
        entries[0] = LegendEntry("G", "Action completed and improvement achieved", "00B050", True)
    return Legend(tuple(entries), source="the standard NHS RAG scale (assumed)", assumed=True)


def scale_from_key(pairs: Sequence[tuple[str, str, str | None]], source: str) -> Legend:
    """A scale the trust wrote: (code or word, meaning, fill or None) in its order."""
    entries = []
    seen = set()
    for code, meaning, fill in pairs:
        key = status_key(code) if is_word_status(code) else code
        if key in seen:
            continue
        seen.add(key)
        colour = fill or CODE_COLOURS.get(code) or word_colour(meaning or code)
        meaning = meaning.strip()
        complete = is_complete_word(code) or (
            code in ("G", "B") and bool(meaning) and is_complete_word(_first_words(meaning))
        )
        entries.append(LegendEntry(code, meaning, colour, complete))
    return Legend(tuple(entries), source=source)


def _first_words(meaning: str) -> str:
    """'Action completed and improvement achieved' -> 'completed': the word that says done."""
    for word in re.findall(r"[A-Za-z]+", meaning.lower())[:3]:
        if is_complete_word(word):
            return word
    return meaning


def statuses_in(values: Sequence[str]) -> list[str]:
    """The statuses a column mixing status words and comments holds, in order of first use:
    each value that is a known status word or a short phrase typed more than once."""
    counts = Counter(status_key(v) for v in values if v)
    found: dict[str, str] = {}
    for value in values:
        key = status_key(value)
        if not key or key in found:
            continue
        if key in _KNOWN or (counts[key] > 1 and len(key.split()) <= 5):
            found[key] = value.strip()
        else:
            word = leading_status(value)
            if word and status_key(word) not in found:
                found[status_key(word)] = word
    return list(found.values())


def leading_status(text: str) -> str:
    """The known status a comment starts with: 'Complete – report to June Board' ->
    'Complete'; '' if it starts with none."""
    lower = text.strip()
    for word in sorted(KNOWN_STATUSES, key=len, reverse=True):
        if len(word) < 4:  # 'c' and 'o' start too many words
            continue
        if lower[: len(word)].casefold() == word and _LEADING_WORD_END.match(lower, len(word)):
            return lower[: len(word)]
    return ""


def scale_from_statuses(values: Sequence[str], source: str) -> Legend:
    """A scale of the status words a column holds (no key written): each word as its own
    meaning, complete when it says done."""
    pairs = [(word, "", None) for word in values]  # the trust wrote no meanings
    return scale_from_key(pairs, source)


def labelled_status(text: str) -> str:
    """The status written after 'Status:' in a text ('Status: in progress – …'), or ''."""
    label = STATUS_LABEL.search(text)
    return label.group(1).strip() if label else ""


def status_inside(text: str, legend: Legend) -> str:
    """The status a text holds: after 'Status:', or the scale word it starts with; ''."""
    labelled = labelled_status(text)
    if labelled:
        return labelled
    leading = leading_status(text)
    if leading:
        return leading
    for entry in legend.entries:  # a scale word of the trust's own that starts the text
        code = entry.code
        starts = is_word_status(code) and text[: len(code)].casefold() == code.casefold()
        if starts and _LEADING_WORD_END.match(text, len(code)):
            return text[: len(code)]
    return ""


@functools.lru_cache(maxsize=64)
def _lookups(codes: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    """A scale's codes by their RAG letters, and its word statuses by `status_key`."""
    by_letters = {rag_letters(code): code for code in codes if not is_word_status(code)}
    words = {status_key(code): code for code in codes if is_word_status(code)}
    return by_letters, words


def suggest_status(value: str, legend: Legend) -> str:
    """A status on the scale the lead probably meant, or '': AG -> A/G, Green -> G,
    Delivred -> Delivered, 'on track' -> 'On track to deliver'. Never applied."""
    return _suggestion(value, legend.codes)


@functools.lru_cache(maxsize=4096)  # a tracker mistypes a few statuses, again and again
def _suggestion(value: str, codes: tuple[str, ...]) -> str:
    by_letters, words = _lookups(codes)
    letters = rag_letters(value)
    if letters in by_letters and len(value) <= 12:
        return by_letters[letters]
    if not words:
        return ""
    key = status_key(value)
    starting = [code for word, code in words.items() if word.startswith(key) and len(key) >= 4]
    if len(starting) == 1:
        return starting[0]
    close = difflib.get_close_matches(key, list(words), n=1, cutoff=0.8)
    return words[close[0]] if close else ""
