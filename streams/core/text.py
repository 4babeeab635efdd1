"""Text folding, the one accent fold of the code base, and text as the filters see it: folded,
with every character mapped back to the original.

`fold` is how names are compared (speaker memory, the gold-label scorer); `fold_text` and
`normalize_term` are how filters and the speaker directory see words.

Words match case-insensitively, without accents, with typographic apostrophes and runs of
whitespace made plain. A text is looked at in two forms: `split` keeps hyphens (so `fire` is
found in "cease-fire") and `joined` drops the hyphens inside words (so `ceasefire` is found in
"cease-fire" too). Both carry an offset map from each folded character to the original one, so
that every match is reported at its place in the text the user sees.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

__all__ = [
    "Folded",
    "fold",
    "fold_text",
    "is_word_char",
    "normalize_term",
    "strip_accents",
    "term_forms",
]

_APOSTROPHES = frozenset("’‘ʼ′`")
#: hyphens that join the parts of one word; en and em dashes separate words instead
_HYPHENS = frozenset("-‐‑")


def strip_accents(text: str) -> str:
    """`text` without its combining marks ("Muller" for "Müller"), case and spaces kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case without accents, trimmed: the key names and gold labels are compared by."""
    return strip_accents(text).lower().strip()


@cache
def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    return strip_accents(ch).casefold()


def is_word_char(ch: str) -> bool:
    """A letter, digit or underscore: what a word is made of."""
    return ch.isalnum() or ch == "_"


@dataclass(frozen=True, slots=True)
class Folded:
    """A folded form of a text and, for each of its characters, the original offset."""

    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) of the folded range [start, end)."""
        return self.origin[start], self.origin[end - 1] + 1

    def bounded(self, start: int, end: int) -> bool:
        """Whether [start, end) is a whole word or phrase (no word character on either side)."""
        before = self.text[start - 1] if start > 0 else " "
        after = self.text[end] if end < len(self.text) else " "
        return not is_word_char(before) and not is_word_char(after)


def fold_text(text: str, *, join_hyphens: bool) -> Folded:
    """The folded form of `text`: lower case, no accents, one space for any whitespace run."""
    out: list[str] = []
    origin: list[int] = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            out.append(" ")
            origin.append(i)
            continue
        if (
            join_hyphens
            and ch in _HYPHENS
            and 0 < i < last
            and is_word_char(text[i - 1])
            and is_word_char(text[i + 1])
        ):
            continue
        folded = ch.lower() if ch.isascii() else _fold_char(ch)
        for c in folded:
            out.append(c)
            origin.append(i)
    return Folded("".join(out), tuple(origin))


def normalize_term(term: str) -> str:
    """A word or phrase as the automaton stores it: folded, hyphens inside words dropped."""
    return fold_text(term.strip(), join_hyphens=True).text.strip()


def term_forms(term: str, *, phrase: bool) -> frozenset[str]:
    """The folded forms a term matches: a word also as its simple plural or singular.

    `ceasefire` gives ceasefire and ceasefires (and, with the hyphen-free text form, cease-fire);
    `ceasefires` gives the same; a quoted phrase matches only itself (folded), and a two-word
    phrase also written as one word ("cease fire" -> ceasefire).
    """
    base = normalize_term(term)
    if not base:
        return frozenset()
    if phrase:
        words = base.split()
        forms = {base}
        if len(words) == 2:
            forms.add("".join(words))
        return frozenset(forms)
    forms = {base}
    if not base.isalpha() or len(base) < 3:
        return frozenset(forms)
    singular = _singular(base)
    forms.add(singular)
    forms.add(_plural(singular))
    if singular.endswith("o"):
        forms.add(singular + "s")
    return frozenset(forms)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes", "oes")) and len(word) > 4:
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "is", "us")) and len(word) > 4:
        return word[:-1]
    return word


def _plural(word: str) -> str:
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh", "o")):
        return word + "es"
    return word + "s"
