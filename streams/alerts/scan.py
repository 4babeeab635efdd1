"""Where terms occur in a folded text: its words, and the places of a word.

A text is folded once by `streams.core.text.fold_text` (and a second time, hyphens joined, only
when that changes it: `streams.core.text.has_join`). A word term (letters and digits only, the
most common kind) is found by the set of the folded text's words rather than by an automaton: a
whole-word occurrence of a word is exactly one of the text's maximal runs of word characters. Its
offsets are looked up only when a subscription that needs them is evaluated.
"""

from __future__ import annotations

import re

from streams.core.text import Folded, is_word_char

__all__ = ["compounds", "is_plain_word", "word_spans", "words"]

#: ASCII characters that are not word characters, to spaces (words are then `str.split`)
_NOT_WORD = {c: " " for c in range(128) if not is_word_char(chr(c))}
_WORD = re.compile(r"\w+")
#: a hyphen between two word characters (the hyphen first, so that a search skips from hyphen
#: to hyphen), and the run of words joined by hyphens that starts at a word
_JOINED = re.compile(r"-(?<=\w-)(?=\w)")
_COMPOUND = re.compile(r"\w++(?:-\w++)+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def words(folded: str) -> set[str]:
    """The maximal runs of word characters of a folded text (ASCII ones by `str.split`)."""
    if not folded.isascii():
        for ch in set(_NON_ASCII.findall(folded)):
            if not is_word_char(ch):
                folded = folded.replace(ch, " ")
        if not folded.isascii():
            return set(_WORD.findall(folded))
    return set(folded.translate(_NOT_WORD).split())


def compounds(folded: str) -> set[str]:
    """The words that joining hyphens makes of a folded text ("cease-fire" -> ceasefire): with
    the text's own words, the words of its fold with hyphens joined (on ASCII text, or text that
    `streams.core.text.folds_alike`). Each run of words joined by hyphens is looked at from its
    first hyphen on; the rest of the text is skipped from hyphen to hyphen."""
    out: set[str] = set()
    hyphen = _JOINED.search(folded)
    while hyphen is not None:
        start = hyphen.start() - 1
        while start and is_word_char(folded[start - 1]):
            start -= 1
        found = _COMPOUND.match(folded, start)
        assert found is not None  # a word, the hyphen and a word at least
        out.add(found.group().replace("-", ""))
        hyphen = _JOINED.search(folded, found.end())
    return out


def is_plain_word(form: str) -> bool:
    """Whether a term form is one run of word characters (found through `words`)."""
    return _WORD.fullmatch(form) is not None


def word_spans(folded: Folded, form: str) -> list[tuple[int, int]]:
    """The original spans of every whole-word occurrence of `form` in `folded`, in order."""
    text = folded.text
    size = len(form)
    last = len(text)
    same = folded.shifts == (0,)  # the folded offsets are the original ones
    out: list[tuple[int, int]] = []
    at = text.find(form)
    while at >= 0:
        end = at + size
        before = text[at - 1] if at else " "
        after = text[end] if end < last else " "
        if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
            out.append((at, end) if same else folded.span(at, end))
        at = text.find(form, at + 1)
    return out
