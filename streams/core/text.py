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

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from functools import cache, lru_cache

__all__ = [
    "Folded",
    "fold",
    "fold_text",
    "folds_alike",
    "has_join",
    "is_word_char",
    "name_keys",
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


class Folded:
    """A folded form of a text, with the original offset of each of its characters.

    The offsets are kept as break points rather than one integer per character: from folded
    position `starts[k]` on, the original offset is the folded one plus `shifts[k]` (most texts
    have one break point, at 0, with no shift).
    """

    __slots__ = ("shifts", "starts", "text")

    def __init__(self, text: str, starts: tuple[int, ...], shifts: tuple[int, ...]) -> None:
        self.text = text
        self.starts = starts
        self.shifts = shifts

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Folded):
            return NotImplemented
        return (self.text, self.starts, self.shifts) == (other.text, other.starts, other.shifts)

    def __hash__(self) -> int:
        return hash((self.text, self.starts, self.shifts))

    def __repr__(self) -> str:
        return f"Folded({self.text!r}, starts={self.starts!r}, shifts={self.shifts!r})"

    def origin(self, at: int) -> int:
        """The original offset of folded position `at`."""
        if len(self.starts) == 1:
            return at + self.shifts[0]
        return at + self.shifts[bisect_right(self.starts, at) - 1]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) of the folded range [start, end)."""
        starts = self.starts
        if len(starts) == 1:
            shift = self.shifts[0]
            return start + shift, end + shift
        k = bisect_right(starts, start) - 1
        if k + 1 == len(starts) or starts[k + 1] >= end:
            shift = self.shifts[k]  # no break inside the range
            return start + shift, end + shift
        return start + self.shifts[k], self.origin(end - 1) + 1

    def bounded(self, start: int, end: int) -> bool:
        """Whether [start, end) is a whole word or phrase (no word character on either side)."""
        text = self.text
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        return not is_word_char(before) and not is_word_char(after)


#: hyphens `fold_text` drops when it joins the parts of a word (the hyphen first, so that the
#: regular expression engine skips from hyphen to hyphen)
_JOIN = re.compile(r"[-\u2010\u2011](?<=\w[-\u2010\u2011])(?=\w)")
_RUNS = re.compile(r" {2,}")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
#: whitespace of ASCII other than the space (each folds to one space)
_ASCII_SPACES = tuple(chr(c) for c in range(128) if chr(c).isspace() and chr(c) != " ")
#: non-ASCII characters seen so far: their one-character fold, or None when a text that has
#: them takes the character-by-character fold; bounded, so that a stream of every code point
#: cannot grow it without limit
_SEEN: dict[str, str | None] = {}
_MAX_SEEN = 20_000


def fold_text(text: str, *, join_hyphens: bool) -> Folded:
    """The folded form of `text`: lower case, no accents, one space for any whitespace run, and
    with `join_hyphens` no hyphen between two word characters.

    Computed with string methods that run in C: a `str.replace` for each distinct non-ASCII
    character and `str.lower`, whitespace runs collapsed and joined hyphens dropped by two
    regular expressions; a character that folds to several ("…", "ß") is expanded last. A text
    with a character that folds to none or to a space (a combining accent, "¨"), or that
    `lower()` would change otherwise ("İ"), is folded one character at a time (`_fold_chars`),
    with the same result.
    """
    out = text
    longer: list[tuple[str, str]] = []
    if not text.isascii():
        pairs = _replacements(text)
        if pairs is None:
            return _fold_chars(text, join_hyphens=join_hyphens)
        for ch, to in pairs:
            if len(to) == 1:
                out = out.replace(ch, to)
            else:
                longer.append((ch, to))  # one character until the end (`lower` keeps it)
    out = out.lower()
    for space in _ASCII_SPACES:
        if space in out:
            out = out.replace(space, " ")
    drops: list[tuple[int, int]] = []
    if "  " in out:
        drops = [(m.start() + 1, m.end()) for m in _RUNS.finditer(out)]
    if join_hyphens and ("-" in text or "\u2010" in text or "\u2011" in text):
        hyphens = [(m.start(), m.end()) for m in _JOIN.finditer(text)]
        if hyphens:
            drops = sorted(drops + hyphens)
    if not drops and not longer:
        return Folded(out, _NO_BREAK, _NO_BREAK)
    parts: list[str] = []
    starts, shifts = [0], [0]
    prev = shift = 0
    for a, b in drops:
        parts.append(out[prev:a])
        starts.append(a - shift)
        shift += b - a
        shifts.append(shift)
        prev = b
    parts.append(out[prev:])
    folded = "".join(parts)
    if longer:
        return _expand(folded, Folded(folded, tuple(starts), tuple(shifts)), longer)
    while starts[-1] >= len(folded) and len(starts) > 1:
        # a run of spaces at the very end: no folded character lies after it
        starts.pop()
        shifts.pop()
    return Folded(folded, tuple(starts), tuple(shifts))


_NO_BREAK = (0,)


def has_join(text: str) -> bool:
    """Whether joining hyphens changes the fold of `text` (else both folds are the same)."""
    if "-" not in text and "\u2010" not in text and "\u2011" not in text:
        return False
    return _JOIN.search(text) is not None


#: non-ASCII characters seen so far: whether `folds_alike` holds for each (bounded like `_SEEN`)
_ALIKE: dict[str, bool] = {}


def folds_alike(text: str) -> bool:
    """Whether each character of `text` folds to one character that is a word character
    exactly when it is one, and no hyphen but `-` is there (always true of ASCII text). The
    words of its fold with hyphens joined are then, as on ASCII text, those of the fold without
    and the fold's runs of words joined by `-`, hyphens left out (`streams.alerts.scan.compounds`):
    no second fold is needed to know them."""
    if text.isascii():
        return True
    for ch in set(_NON_ASCII.findall(text)):
        alike = _ALIKE.get(ch)
        if alike is None:
            folded = _one(ch)
            alike = (
                folded is not None
                and len(folded) == 1
                and is_word_char(folded) == is_word_char(ch)
                and ch not in _HYPHENS
            )
            if len(_ALIKE) < _MAX_SEEN:
                _ALIKE[ch] = alike
        if not alike:
            return False
    return True


def _expand(text: str, inner: Folded, longer: list[tuple[str, str]]) -> Folded:
    """`inner` with each character of `longer` replaced by its fold of several characters, each
    of which has the character's original offset."""
    size = dict(longer)
    found = re.finditer("[" + "".join(re.escape(ch) for ch, _ in longer) + "]", text)
    # break points of the expanded text -> `text`
    outer_starts, outer_shifts = [0], [0]
    extra = 0
    for m in found:
        at = m.start()
        grown = len(size[m.group()])
        start = at + extra
        for i in range(grown):
            outer_starts.append(start + i)
            outer_shifts.append(at - start - i)
        extra += grown - 1
        outer_starts.append(start + grown)
        outer_shifts.append(-extra)
    expanded = text
    for ch, to in longer:
        expanded = expanded.replace(ch, to)
    outer = Folded(expanded, tuple(outer_starts), tuple(outer_shifts))
    # where either map changes: the expanded offsets of the break points of `inner` too
    places = set(outer_starts)
    for b in inner.starts:
        lo, hi = 0, len(expanded)
        while lo < hi:
            mid = (lo + hi) // 2
            if outer.origin(mid) < b:
                lo = mid + 1
            else:
                hi = mid
        places.add(lo)
    starts: list[int] = []
    shifts: list[int] = []
    for at in sorted(places):
        if at >= len(expanded) and starts:
            break
        shift = inner.origin(outer.origin(at)) - at
        if not shifts or shift != shifts[-1]:
            starts.append(at)
            shifts.append(shift)
    return Folded(expanded, tuple(starts), tuple(shifts))


def _one(ch: str) -> str | None:
    """The fold of a non-ASCII character when `fold_text` can apply it with `str.replace`: at
    least one character, no space unless `ch` is whitespace, unchanged by `lower()` and by
    folding again (so the order of the replacements does not matter); a character that folds
    to several must be one `lower()` leaves alone."""
    if ch.isspace():
        return " "
    folded = _fold_char(ch)
    if not folded or any(c.isspace() for c in folded) or folded.lower() != folded:
        return None
    if len(folded) > 1 and ch.lower() != ch:
        return None
    if not folded.isascii() and any(_fold_char(c) != c for c in folded):
        return None
    return folded


def _replacements(text: str) -> list[tuple[str, str]] | None:
    """The (character, fold) pairs that fold the non-ASCII characters of `text`, or None when
    one of them needs the character-by-character fold."""
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


def _fold_chars(text: str, *, join_hyphens: bool) -> Folded:
    """`fold_text` one character at a time: the definition, taken by texts whose characters
    do not all fold to one character."""
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
    starts, shifts = [0], [0]
    for at, was in enumerate(origin):
        shift = was - at
        if shift != shifts[-1]:
            if at == starts[-1]:
                shifts[-1] = shift
            else:
                starts.append(at)
                shifts.append(shift)
    return Folded("".join(out), tuple(starts), tuple(shifts))


def normalize_term(term: str) -> str:
    """A word or phrase as the automaton stores it: folded, hyphens inside words dropped."""
    return fold_text(term.strip(), join_hyphens=True).text.strip()


def name_keys(names: Iterable[str]) -> frozenset[str]:
    """The keys `speaker:` values are compared with: each name folded, and each of its words."""
    keys: set[str] = set()
    for name in names:
        key = normalize_term(name)
        if not key:
            continue
        keys.add(key)
        keys.update(word for word in key.split() if len(word) > 1)
    return frozenset(keys)


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
