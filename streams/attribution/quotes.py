"""Quotation spans in a paragraph, and sentences that never cut through a quotation.

Double and single marks, curly and straight, German „…“ and guillemets. An apostrophe
(`It’s`, `Okafor’s`) is told apart from a closing single quote by the letters around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["QuoteSpan", "find_quotes", "split_sentences"]

_PAIRS = {
    "“": "”“",
    "„": "“”",
    "«": "»",
    "»": "«",
    "‹": "›",
    '"': '"”',
    "‘": "’",
    "‚": "‘’",
    "'": "'’",
}
_DOUBLE_OPEN = '“„«»"'
_SINGLE_OPEN = "‘‚'"
#: initials before a name: "C.J" of "C.J. Adler"
_INITIALS = re.compile(r"(?:[A-Z]\.)+[A-Z]")
#: words that open a sentence after initials that end one ("… in the U.S. The talks …")
_SENTENCE_OPENERS = frozenset(
    [
        *("The", "A", "An", "It", "He", "She", "They", "We", "I", "In", "But", "And", "This"),
        *("Der", "Die", "Das", "Es", "Er", "Sie", "Wir", "Ich", "Ein", "Eine", "Im", "Und", "Aber"),
    ]
)
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "prof",
    "gen",
    "lt",
    "col",
    "sgt",
    "rep",
    "sen",
    "gov",
    "no",
    "vs",
    "etc",
    "jr",
    "sr",
    "inc",
    "ltd",
    "co",
    "corp",
    "p.m",
    "a.m",
    "u.s",
    "u.k",
    "e.g",
    "i.e",
    "approx",
    "dept",
    "fig",
    "capt",
    "cmdr",
    "adm",
    "maj",
    "rev",
    "hon",
    "ca",
}


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """A quotation: `start`/`end` include the marks, `text` is what is inside them."""

    start: int
    end: int
    text: str
    open_ended: bool = False  # no closing mark before the paragraph ends


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _can_open(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if after.isspace() or before == "=":
        return False  # `onerror="…"` in markup written as text is an attribute, not a quote
    return not _is_word(before) or (text[i] in "“„«‘‚" and not _is_word(before))


def _can_close(text: str, i: int, mark: str) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isspace():
        return False
    if mark in "’'" and _is_word(before) and _is_word(after):
        return False  # an apostrophe inside a word: It’s, Okafor’s
    return not _is_word(after)


def _plural_possessive(text: str, j: int) -> bool:
    """`developers’ charter`: an apostrophe after a plural s, with the phrase going on."""
    return (
        text[j - 1 : j] == "s"
        and text[j + 1 : j + 2] == " "
        and (text[j + 2 : j + 3].islower() or text[j + 2 : j + 3].isupper())
    )


def _closer(text: str, i: int) -> int:
    """Index of the mark that closes the quotation opened at i, or -1."""
    opener = text[i]
    closers = _PAIRS[opener]
    candidates = [
        j for j in range(i + 1, len(text)) if text[j] in closers and _can_close(text, j, text[j])
    ]
    if opener in _SINGLE_OPEN:
        # a plural possessive inside single quotes closes nothing when a later mark can close
        while len(candidates) > 1 and _plural_possessive(text, candidates[0]):
            candidates.pop(0)
    return candidates[0] if candidates else -1


def find_quotes(text: str) -> list[QuoteSpan]:
    """Top-level quotation spans of `text`, in order (quotes nested inside them are left in)."""
    spans: list[QuoteSpan] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch not in _PAIRS or not _can_open(text, i):
            i += 1
            continue
        if ch == "'" and i > 0 and _is_word(text[i - 1]):
            i += 1
            continue
        found = _closer(text, i)
        if found == -1:
            inner = text[i + 1 :].strip()
            if ch in _DOUBLE_OPEN and len(inner.split()) >= 3:
                spans.append(QuoteSpan(i, n, inner, open_ended=True))
                break
            if ch == "‘" and len(inner.split()) >= 6 and text[:i].rstrip()[-1:] in ("", ":"):
                # "She added: ‘I'm just not the type …" running to the paragraph's end: a
                # quotation whose closing mark the next paragraph (or nobody) gives
                spans.append(QuoteSpan(i, n, inner, open_ended=True))
                break
            i += 1
            continue
        inner = text[i + 1 : found].strip()
        if inner and (ch in _DOUBLE_OPEN or 2 <= len(inner) <= 400):
            spans.append(QuoteSpan(i, found + 1, inner))
            i = found + 1
            continue
        i += 1
    return spans


def split_sentences(text: str, quotes: list[QuoteSpan]) -> list[tuple[int, int]]:
    """Sentence boundaries of `text` as (start, end) pairs; never inside a quotation."""
    protected = [(q.start, q.end) for q in quotes]
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"[.!?…]+[\"'”’»]*(?=\s+[\"'“‘„«(\[A-Z0-9\u00c0-\u024f])", text):
        end = m.end()
        if any(s < m.start() < e - 1 and m.end() != e for s, e in protected):
            continue  # inside a quotation: not a sentence end of the frame
        word = re.search(r"([\w.]+)[.]$", text[start : m.start() + 1])
        if word and m.group(0) == "." and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        if word and m.group(0) == "." and len(word.group(1)) == 1 and word.group(1).isupper():
            continue  # an initial: J. Smith
        if word and m.group(0) == "." and _INITIALS.fullmatch(word.group(1)):
            following = text[end:].split(None, 1)
            if following and following[0] not in _SENTENCE_OPENERS:
                continue  # initials: C.J. Adler (but "… in the U.S. The talks …" ends)
        bounds.append((start, end))
        start = end
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds
