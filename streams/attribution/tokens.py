"""Tokens and noun phrases of a sentence frame: the words outside its quotations.

A sentence is tokenised with each quotation as one `QUOTE` token, so that attribution looks only
at the reporting frame ("..., Okafor said") and never at names inside the quoted words. The noun
phrase helpers find the phrase a speech verb reports about: its subject before it ("the shadow
housing secretary said"), after it ("says the housing minister"), across an apposition ("Derek
Holt, 67, said"); `name_runs` finds the runs of capitalised name words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from streams.attribution.lexicon import PARTICLES, lexicon
from streams.attribution.quotes import QuoteSpan

__all__ = [
    "ADVERBS",
    "DETERMINERS",
    "PARTICLES",
    "POSSESSIVE_PRONOUNS",
    "PRONOUNS",
    "Token",
    "apposition_open",
    "is_name_token",
    "name_run",
    "name_runs",
    "phrase_after",
    "phrase_before",
    "stops_phrase",
    "tokenize",
]

_WORD = re.compile(
    # initials before a name, with their periods: "C.J." of "C.J. Adler", "J." of "J. R. Smith"
    r"(?:[A-Z\u00c0-\u00de]\.){1,3}(?=\s+[A-Z\u00c0-\u00de](?:[a-z\u00df-\u00ff]|\.))"
    # a word, with its apostrophes: also the opening mark typeset for one, "Okafor‘s"
    r"|[\w\u00c0-\u024f]+(?:[-’'‘.][\w\u00c0-\u024f]+)*(?:(?<=s)[’'](?![\w\u00c0-\u024f]))?"
    r"|[^\w\s]",
    re.UNICODE,
)
_POSSESSIVE = re.compile(r"(?:[’'‘]s|(?<=s)[’'])$")
_POSSESSIVE_ENDS = ("’s", "'s", "‘s", "s’", "s'")  # the only endings _POSSESSIVE can remove
_AGE = re.compile(r"^\d{1,3}-year-old$")

#: words skipped between a subject and its verb: "Okafor also says", "the minister has clearly said"
ADVERBS = frozenset(
    [
        *("also", "then", "now", "again", "clearly", "first", "later", "still", "once"),
        *("further", "only", "just", "even", "already", "never", "not", "briefly", "quickly"),
        *("more", "too", "finally", "meanwhile", "subsequently", "previously", "reportedly"),
        *("earlier", "immediately", "simply", "visibly", "repeatedly", "today", "tonight"),
        *("yesterday", "however", "separately", "publicly", "privately"),
        *("has", "had", "have", "will", "would", "did", "does", "is", "was", "were", "be"),
        *("been", "being", "may", "might", "could", "should", "must", "can", "shall"),
    ]
)
#: he/she with the gender they give; "they" and "it" stand for groups and organisations
PRONOUNS: dict[str, str | None] = {"he": "m", "she": "f", "him": "m", "her": "f", "they": None}
POSSESSIVE_PRONOUNS: dict[str, str | None] = {
    "his": "m",
    "her": "f",
    "its": None,
    "their": None,
    "our": None,
    "my": None,
    "your": None,
}
DETERMINERS = frozenset(["the", "a", "an", "this", "that", "one", "another"])
_CONTRACTIONS = frozenset(
    ["it", "he", "she", "that", "there", "what", "who", "let", "here", "where"]
)
_STOP_PHRASE = frozenset(",;:()[]–—-")


class Token(NamedTuple):
    """A word or punctuation mark of a frame, or a whole quotation (`quote` is its index).

    A named tuple: as immutable as a frozen dataclass, and several times cheaper to make (an
    entry makes hundreds)."""

    text: str
    start: int
    end: int
    quote: int | None = None
    lower: str = ""
    bare: str = ""  # without a possessive ending: Whitcombe's -> Whitcombe
    possessive: bool = False
    is_word: bool = False  # a word outside quotations (not punctuation, not a quotation)
    is_cap: bool = False  # a word that starts with a capital


@lru_cache(maxsize=65536)
def _word_facts(text: str) -> tuple[str, str, bool, bool, bool]:
    """What a word outside quotations is, computed once per distinct word: its lower case, its
    bare form, whether it is possessive, a word (not punctuation), capitalised."""
    lower = text.lower()
    bare = _POSSESSIVE.sub("", text) if text.endswith(_POSSESSIVE_ENDS) else text
    possessive = bare != text and bare.lower() not in _CONTRACTIONS and bool(bare)
    is_word = text[:1].isalnum()
    is_cap = is_word and text[:1].isupper()
    return lower, bare if possessive else text, possessive, is_word, is_cap


def tokenize(text: str, quotes: list[QuoteSpan], offset: int = 0) -> list[Token]:
    """Tokens of `text` (which starts at `offset` of its paragraph), each quotation as one."""
    tokens: list[Token] = []
    pos = 0
    for index, q in enumerate(quotes):
        if q.start < offset or q.end > offset + len(text):
            continue
        tokens.extend(_words(text[pos : q.start - offset], pos + offset))
        tokens.append(Token("QUOTE", q.start, q.end, index, "quote", "QUOTE"))
        pos = q.end - offset
    tokens.extend(_words(text[pos:], pos + offset))
    return tokens


def _words(text: str, base: int) -> list[Token]:
    return [
        Token(m[0], base + m.start(), base + m.end(), None, *_word_facts(m[0]))
        for m in _WORD.finditer(text)
    ]


def is_name_token(tok: Token) -> bool:
    """A capitalised word that may be part of a person's name (not a role, place or acronym)."""
    return tok.is_cap and _name_word(tok.bare)


@lru_cache(maxsize=16384)
def _name_word(word: str) -> bool:
    lex = lexicon()
    low = word.lower()
    if low in lex.stopwords or low in lex.roles or low in lex.titles or low in lex.org_heads:
        return False
    if word in lex.places or word in lex.demonyms or word in lex.place_words:
        return False
    if word in lex.org_words or lex.is_group(low):
        return False  # "Ministers", "Councils" at the start of a sentence
    return not (word.isupper() and len(word) <= 5)  # UN, NATO, EU: organisations


def _skippable(tok: Token) -> bool:
    """An adverb or auxiliary between a subject and its verb."""
    if not tok.is_word or tok.is_cap:
        return False
    return tok.lower in ADVERBS or (tok.lower.endswith("ly") and len(tok.text) > 4)


def _is_head(tok: Token) -> bool:
    """A word that can end a speaker phrase: a name, role, organisation, pronoun or person noun."""
    lex = lexicon()
    low = tok.lower
    bare = tok.bare.lower()
    return (
        tok.is_cap
        or low in PRONOUNS
        or bare in lex.roles
        or bare in lex.org_heads
        or bare in lex.voices
        or lex.is_group(bare)
        or lex.is_person_noun(bare)
        or bool(_AGE.match(low))
    )


def _is_modifier(tok: Token) -> bool:
    """A word that may stand inside a speaker phrase: `Swedish`, `shadow`, `EU`, `housing`."""
    if not tok.is_word:
        return False
    lex = lexicon()
    low = tok.lower
    if tok.is_cap:
        return low not in lex.stopwords or low in DETERMINERS
    if low in lex.stopwords or low in lex.speech_forms or low in lex.conversation_forms:
        return False
    return not low.endswith("ly")


def phrase_before(tokens: Sequence[Token], k: int) -> tuple[int, int]:
    """The (start, end) token span of the phrase that ends just before token k.

    Adverbs and auxiliaries between the phrase and k are skipped ("Okafor has also said");
    the span is empty (start == end) when no speaker-like phrase is there.
    """
    i = _skip_back(tokens, k - 1)
    if i < 0 or not tokens[i].is_word or not _is_head(tokens[i]):
        return (k, k)
    if tokens[i].lower in PRONOUNS:
        return (i, i + 1)
    start = i
    j = i - 1
    while j >= 0 and start - j <= 8:
        tok = tokens[j]
        low = tok.lower
        if low in DETERMINERS or low in POSSESSIVE_PRONOUNS:
            start = j
            break
        if tok.possessive and tok.is_word:
            start = j  # "Whitcombe's spokesperson", "the EU's trade commissioner"
        elif _joins_names(tokens, j):
            start = j
        elif not _is_modifier(tok):
            break
        else:
            start = j
        j -= 1
    return (start, i + 1)


def _skip_back(tokens: Sequence[Token], i: int) -> int:
    """Back over adverbs, auxiliaries and a short parenthesis: "Lindqvist (pictured) said"."""
    while i >= 0:
        if _skippable(tokens[i]):
            i -= 1
        elif tokens[i].text == ")":
            opening = next(
                (j for j in range(i - 1, max(-1, i - 7), -1) if tokens[j].text == "("), -1
            )
            if opening < 0:
                return i
            i = opening - 1
        else:
            return i
    return i


def _joins_names(tokens: Sequence[Token], j: int) -> bool:
    """`von` in "Ursula von der Leyen", `for` in "Department for Transport", `.` in "Dr. Obi"."""
    if j == 0 or j + 1 >= len(tokens):
        return False
    tok, before, after = tokens[j], tokens[j - 1], tokens[j + 1]
    if tok.text == ".":
        return before.is_cap and before.lower in lexicon().titles and after.is_cap
    joins = tok.lower in PARTICLES or tok.lower in ("of", "for")
    return joins and (before.is_cap or before.lower in PARTICLES) and after.is_cap


def phrase_after(tokens: Sequence[Token], k: int) -> tuple[int, int]:
    """The span of the phrase that starts just after token k: `says Maria Okafor`."""
    n = len(tokens)
    i = k + 1
    while i < n and _skippable(tokens[i]):
        i += 1
    if i >= n or not tokens[i].is_word:
        return (i, i)
    if tokens[i].lower in PRONOUNS:
        return (i, i + 1)
    start = i
    if tokens[i].lower in DETERMINERS or tokens[i].lower in POSSESSIVE_PRONOUNS:
        i += 1
    end = start
    while i < n and i - start < 9:
        tok = tokens[i]
        if end > start and _joins_names(tokens, i):
            i += 1
            continue
        if not _is_modifier(tok) or tok.lower in DETERMINERS:
            break
        i += 1
        if _is_head(tok):
            end = i
    return (start, end) if end > start else (start, start)


def apposition_open(tokens: Sequence[Token], comma: int) -> int | None:
    """For `Name, the role,` / `Name – who … –` closed by the mark at `comma`: the index of the
    mark that opens the apposition (the name ends just before it), or None."""
    mark = tokens[comma].text
    j = comma - 1
    while j >= 0 and comma - j <= 14:
        tok = tokens[j]
        if tok.quote is not None or tok.text in ";:()":
            return None
        if tok.text == mark:
            return j if j > 0 and tokens[j - 1].is_word else None
        j -= 1
    return None


def stops_phrase(tok: Token) -> bool:
    return tok.quote is not None or tok.text in _STOP_PHRASE


def _generic_start(tok: Token) -> bool:
    """A capitalised common word that can stand before a name: `Substitute`, `Match-winner`."""
    parts = tok.bare.split("-")
    if len(parts) > 1 and all(p[:1].islower() for p in parts[1:]):
        return True
    return lexicon().is_person_noun(tok.bare) and tok.bare.lower() not in lexicon().demonyms


def name_run(tokens: Sequence[Token], i: int) -> int:
    """End (exclusive) of the run of name tokens starting at i; i when there is none."""
    j = i
    n = len(tokens)
    while j < n and j - i < 7:
        tok = tokens[j]
        if is_name_token(tok):
            j += 1
            if tok.possessive:
                break
        elif (after := _past_particles(tokens, j)) > j:
            j = after  # "Ursula von der Leyen", "von der Leyen said", "Pieter de Groot"
        else:
            break
    return j


def _past_particles(tokens: Sequence[Token], j: int) -> int:
    """The index past lower-case name particles at j (`von der`) when a name word follows them
    (`Leyen`), else j."""
    k = j
    while k < len(tokens) and k - j < 3 and tokens[k].text in PARTICLES:
        k += 1
    return k if k > j and k < len(tokens) and is_name_token(tokens[k]) else j


def name_runs(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Every run of name tokens, without a leading common word (`Substitute Kyle Benn`)."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        end = name_run(tokens, i)
        if end == i:
            i += 1
            continue
        start = i
        while end - start > 1 and _generic_start(tokens[start]):
            start += 1
        runs.append((start, end))
        i = end
    return runs
