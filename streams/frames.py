"""Tokens and noun phrases of a sentence frame: the words outside its quotations.

A sentence is tokenised with each quotation as one `QUOTE` token, so that attribution looks only
at the reporting frame ("..., Lavrov said") and never at names inside the quoted words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from streams.lexicon import lexicon
from streams.quotes import QuoteSpan

__all__ = ["NounPhrase", "Token", "noun_phrase_after", "noun_phrase_before", "tokenize"]

_WORD = re.compile(r"[\w\u00c0-\u024f]+(?:[-’'.][\w\u00c0-\u024f]+)*|[^\w\s]", re.UNICODE)
ADVERBS = frozenset(
    [
        "also",
        "then",
        "now",
        "again",
        "clearly",
        "first",
        "later",
        "still",
        "once",
        "further",
        "only",
        "just",
        "even",
        "already",
        "never",
        "not",
        "has",
        "had",
        "have",
        "will",
        "would",
        "did",
        "does",
        "is",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "briefly",
        "quickly",
        "later",
        "later,",
        "once",
        "more",
        "too",
        "finally",
        "meanwhile",
        "subsequently",
        "previously",
        "reportedly",
        "earlier",
        "immediately",
        "simply",
        "visibly",
        "repeatedly",
    ]
)
PRONOUNS = {"he": "m", "she": "f", "him": "m", "her": "f", "they": None}
DETERMINERS = {"the", "a", "an", "this", "that"}
_AGE = re.compile(r"^\d{1,3}-year-old$")
_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int
    quote: int | None = None  # index of the quotation this token stands for

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_word(self) -> bool:
        return self.quote is None and (self.text[0].isalnum())

    @property
    def is_cap(self) -> bool:
        return self.is_word and self.text[0].isupper()


@dataclass(slots=True)
class NounPhrase:
    """A candidate speaker phrase, split into its parts."""

    tokens: list[Token]
    determiner: str | None = None
    pronoun: str | None = None
    role: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    descriptor: list[str] = field(default_factory=list)
    possessive: bool = False

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)

    def __bool__(self) -> bool:
        return bool(self.tokens)


def tokenize(text: str, quotes: list[QuoteSpan], offset: int = 0) -> list[Token]:
    """Tokens of text[offset:], each quotation inside it as one token."""
    tokens: list[Token] = []
    pos = 0
    local = [
        (i, q) for i, q in enumerate(quotes) if q.start >= offset and q.end <= offset + len(text)
    ]
    for index, q in local:
        tokens.extend(_words(text[pos : q.start - offset], pos + offset))
        tokens.append(Token("QUOTE", q.start, q.end, index))
        pos = q.end - offset
    tokens.extend(_words(text[pos:], pos + offset))
    return tokens


def _words(text: str, base: int) -> list[Token]:
    return [Token(m.group(0), base + m.start(), base + m.end()) for m in _WORD.finditer(text)]


def _is_name_token(tok: Token) -> bool:
    lex = lexicon()
    word = _POSSESSIVE.sub("", tok.text)
    if not tok.is_cap or not word:
        return False
    low = word.lower()
    if low in lex.stopwords or low in lex.roles or low in lex.titles:
        return False
    if word in lex.places or word in lex.demonyms or word in lex.place_words:
        return False
    if word in lex.org_words:
        return False
    return not (word.isupper() and len(word) <= 5)  # UN, NATO, EU: organisations


def _is_modifier(tok: Token) -> bool:
    """A word that may stand inside a role phrase: `Russian`, `foreign`, `UN`, `trade`."""
    if not tok.is_word:
        return False
    low = tok.lower
    lex = lexicon()
    if low in lex.stopwords or low in lex.speech_forms or low in lex.conversation_forms:
        return False
    return not low.endswith("ly")


def classify(tokens: list[Token]) -> NounPhrase:
    """Split a phrase into determiner, pronoun, role, name and descriptor parts."""
    np = NounPhrase(tokens=tokens)
    lex = lexicon()
    words = list(tokens)
    if words and words[0].lower in DETERMINERS:
        np.determiner = words.pop(0).lower
    if len(words) == 1 and words[0].lower in PRONOUNS:
        np.pronoun = words[0].lower
        return np
    last_role = -1
    for i, tok in enumerate(words):
        if tok.lower in lex.roles or tok.lower in lex.titles:
            last_role = i
    # "Russian Foreign Minister Sergey Lavrov": role up to the last role word, then the name
    np.role = [t.text for t in words[: last_role + 1]]
    rest = words[last_role + 1 :]
    for tok in rest:
        if _is_name_token(tok):
            np.name.append(_POSSESSIVE.sub("", tok.text))
            if _POSSESSIVE.search(tok.text):
                np.possessive = True
        else:
            np.descriptor.append(tok.text)
    if np.name and not np.role:
        # names come first: "Guterres Moscow" keeps only the leading run of name tokens
        pass
    return np


def noun_phrase_before(tokens: list[Token], k: int) -> NounPhrase:
    """The subject phrase that ends just before token k (adverbs and auxiliaries skipped)."""
    i = k - 1
    while (
        i >= 0
        and tokens[i].is_word
        and (
            tokens[i].lower in ADVERBS
            or (tokens[i].lower.endswith("ly") and len(tokens[i].text) > 4)
        )
        and not tokens[i].is_cap
    ):
        i -= 1
    if i < 0 or not tokens[i].is_word:
        return NounPhrase(tokens=[])
    if tokens[i].lower in PRONOUNS:
        return classify([tokens[i]])
    lex = lexicon()
    collected: list[Token] = []
    head_is_role = tokens[i].lower in lex.roles or bool(_AGE.match(tokens[i].lower))
    j = i
    while j >= 0 and len(collected) < 7:
        tok = tokens[j]
        if not tok.is_word:
            break
        if tok.lower in DETERMINERS:
            collected.insert(0, tok)
            break
        if tok.is_cap and (
            _is_name_token(tok)
            or tok.lower in lex.roles
            or tok.lower in lex.titles
            or tok.text in lex.demonyms
            or tok.text.isupper()
            or tok.text in lex.places
        ):
            collected.insert(0, tok)
        elif (head_is_role or _AGE.match(tok.lower)) and _is_modifier(tok) and not tok.is_cap:
            collected.insert(0, tok)
            head_is_role = True
        elif tok.is_cap and tok.lower in lex.stopwords:
            break
        elif tok.is_cap and j == i:
            collected.insert(0, tok)
        else:
            break
        j -= 1
    return classify(collected)


def noun_phrase_after(tokens: list[Token], k: int) -> NounPhrase:
    """The phrase that starts just after token k: `says António Guterres`, `to the Portuguese`."""
    i = k + 1
    while (
        i < len(tokens)
        and tokens[i].is_word
        and tokens[i].lower in ADVERBS
        and not tokens[i].is_cap
    ):
        i += 1
    if i >= len(tokens) or not tokens[i].is_word:
        return NounPhrase(tokens=[])
    if tokens[i].lower in PRONOUNS:
        return classify([tokens[i]])
    lex = lexicon()
    collected: list[Token] = []
    j = i
    if tokens[j].lower in DETERMINERS:
        collected.append(tokens[j])
        j += 1
    while j < len(tokens) and len(collected) < 8:
        tok = tokens[j]
        if not tok.is_word:
            break
        low = tok.lower
        if (
            (tok.is_cap and low not in lex.stopwords)
            or low in lex.roles
            or _AGE.match(low)
            or (
                _is_modifier(tok)
                and any(t.lower in lex.roles for t in tokens[j + 1 : j + 4] if t.is_word)
            )
        ):
            collected.append(tok)
        else:
            break
        j += 1
    return classify(collected)
