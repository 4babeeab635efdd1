"""A text folded once for matching: its folded forms, its words and where terms occur.

`streams.core.text.fold_text` folds a text one character at a time in Python; matching folds
every entry and quote twice (hyphens kept, hyphens joined), which was most of its cost. `fold`
gives the same folded text and the same offsets with string methods that run in C: a
`str.replace` for each distinct non-ASCII character and `str.lower` (every character folds to
one character on the fast path), whitespace runs
collapsed and joined hyphens dropped by two regular expressions, and the offset map kept as a few
break points instead of one integer per character. A text with a character that folds to no
character, to several or to a space ("ß", a combining accent, "¨") takes `fold_text` itself.

A word term (letters and digits only, the most common kind) is found by the set of the folded
text's words rather than by the automaton: a whole-word occurrence of a word is exactly one of
the text's maximal runs of word characters. Its offsets are looked up only when a subscription
that needs them is evaluated.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import Protocol

from streams.core.text import Folded, _fold_char, fold_text, is_word_char

__all__ = ["FastFolded", "FoldedLike", "fold", "has_join", "is_plain_word", "word_spans", "words"]

#: characters `fold_text` treats as hyphens inside a word (dropped when hyphens are joined)
_JOIN = re.compile(r"(?<=\w)[-\u2010\u2011](?=\w)")
_RUNS = re.compile(r" {2,}")
#: ASCII characters that are not word characters, to spaces (words are then `str.split`)
_NOT_WORD = {c: " " for c in range(128) if not is_word_char(chr(c))}
_WORD = re.compile(r"\w+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
#: whitespace of ASCII other than the space (each folds to one space)
_ASCII_SPACES = tuple(chr(c) for c in range(128) if chr(c).isspace() and chr(c) != " ")
#: non-ASCII characters seen so far: their one-character fold, or None when they need the slow
#: path; bounded so that a stream of every code point cannot grow it without limit
_SEEN: dict[str, str | None] = {}
_MAX_SEEN = 20_000


class FoldedLike(Protocol):
    """What `Folded` and `FastFolded` share: the folded text, offsets back, word bounds."""

    @property
    def text(self) -> str: ...
    def span(self, start: int, end: int) -> tuple[int, int]: ...
    def bounded(self, start: int, end: int) -> bool: ...


class FastFolded:
    """A folded text whose offsets are kept as break points: from folded position `starts[k]`
    on, the original offset is the folded one plus `shifts[k]`."""

    __slots__ = ("shifts", "starts", "text")

    def __init__(self, text: str, starts: list[int], shifts: list[int]) -> None:
        self.text = text
        self.starts = starts
        self.shifts = shifts

    def origin(self, at: int) -> int:
        """The original offset of folded position `at`."""
        if len(self.starts) == 1:
            return at
        return at + self.shifts[bisect_right(self.starts, at) - 1]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) of the folded range [start, end)."""
        return self.origin(start), self.origin(end - 1) + 1

    def bounded(self, start: int, end: int) -> bool:
        """Whether [start, end) is a whole word or phrase (no word character on either side)."""
        text = self.text
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        return not is_word_char(before) and not is_word_char(after)


def _one(ch: str) -> str | None:
    """The fold of a non-ASCII character when the fast path can apply it with `str.replace`:
    one character, no space unless `ch` is whitespace, unchanged by `lower()` and by folding
    again (so the order of the replacements does not matter)."""
    if ch.isspace():
        return " "
    folded = _fold_char(ch)
    if len(folded) != 1 or folded.isspace() or folded.lower() != folded:
        return None
    if not folded.isascii() and _fold_char(folded) != folded:
        return None
    return folded


def _replacements(text: str) -> list[tuple[str, str]] | None:
    """The (character, fold) pairs that fold the non-ASCII characters of `text`, or None when
    one of them needs `fold_text`."""
    out: list[tuple[str, str]] = []
    for ch in set(_NON_ASCII.findall(text)):
        folded = _SEEN.get(ch, "")
        if folded == "":
            folded = _one(ch)
            if len(_SEEN) < _MAX_SEEN:
                _SEEN[ch] = folded
        if folded is None:
            return None
        if folded != ch:
            out.append((ch, folded))
    return out


def fold(text: str, *, join_hyphens: bool) -> FoldedLike:
    """`fold_text(text, join_hyphens=...)`: the same text and offsets, computed in C."""
    out = text
    if not text.isascii():
        pairs = _replacements(text)
        if pairs is None:
            folded: Folded = fold_text(text, join_hyphens=join_hyphens)
            return folded
        for ch, to in pairs:
            out = out.replace(ch, to)
    out = out.lower()
    for space in _ASCII_SPACES:
        if space in out:
            out = out.replace(space, " ")
    drops: list[tuple[int, int]] = []
    if "  " in out:
        drops = [(m.start() + 1, m.end()) for m in _RUNS.finditer(out)]
    if join_hyphens:
        hyphens = [(m.start(), m.end()) for m in _JOIN.finditer(text)]
        if hyphens:
            drops = sorted(drops + hyphens)
    if not drops:
        return FastFolded(out, [0], [0])
    parts: list[str] = []
    starts, shifts = [0], [0]
    prev = shift = 0
    for a, b in drops:
        parts.append(out[prev:a])
        shift += b - a
        starts.append(a - shift + (b - a))
        shifts.append(shift)
        prev = b
    parts.append(out[prev:])
    return FastFolded("".join(parts), starts, shifts)


def has_join(text: str) -> bool:
    """Whether joining hyphens changes `text` (else both folds are the same)."""
    if "-" not in text and "\u2010" not in text and "\u2011" not in text:
        return False
    return _JOIN.search(text) is not None


def words(folded: str) -> set[str]:
    """The maximal runs of word characters of a folded text (ASCII ones by `str.split`)."""
    if not folded.isascii():
        for ch in set(_NON_ASCII.findall(folded)):
            if not is_word_char(ch):
                folded = folded.replace(ch, " ")
        if not folded.isascii():
            return set(_WORD.findall(folded))
    return set(folded.translate(_NOT_WORD).split())


def is_plain_word(form: str) -> bool:
    """Whether a term form is one run of word characters (found through `words`)."""
    return _WORD.fullmatch(form) is not None


def word_spans(folded: FoldedLike, form: str) -> Iterator[tuple[int, int]]:
    """The original spans of every whole-word occurrence of `form` in `folded`."""
    text = folded.text
    size = len(form)
    at = text.find(form)
    while at >= 0:
        if folded.bounded(at, at + size):
            yield folded.span(at, at + size)
        at = text.find(form, at + 1)
