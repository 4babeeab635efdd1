"""Clauses that introduce a quotation by their subject: colon introductions.

"Lee Darnell on BBC Radio 5 Live: “…”", "Darnell's verdict: “…”", "Kyle Benn, the substitute, is
almost lost for words: “…”": no speech verb, but the clause before the colon opens with the person
whose words follow. A person right before a verb or "was ADJ" that ends the clause ("Voss
shrugged:", "Asked about the penalty, Voss shrugs:", "Okafor was blunt:", "Voss signs off:") or
owning its noun ("His verdict:") is the speaker too. `subject_phrase` finds that opening phrase;
it is also the subject a trailing participle reports ("She paid tribute …, saying: …").
"""

from __future__ import annotations

from collections.abc import Sequence

from streams.attribution.lexicon import lexicon
from streams.attribution.mentions import BLOCKED, NOBODY, Mention, Resolved, Resolver
from streams.attribution.tokens import (
    DETERMINERS,
    POSSESSIVE_PRONOUNS,
    PRONOUNS,
    Token,
    phrase_before,
)

__all__ = ["colon_speaker", "subject_phrase"]

#: the longest clause read as a colon introduction: "Kyle Benn, the substitute, is lost for words:"
_COLON_CLAUSE = 18
_BE = frozenset(["is", "was", "were", "are", "been", "be", "seemed", "looked", "sounded"])
#: endings of a verb that closes a clause before a colon: shrugged, shrugs, smiles
_VERB_ENDS = ("ed", "s")
#: the particle of a phrasal verb that ends a colon introduction: "signs off:", "hits back:"
_VERB_PARTICLES = frozenset(["off", "up", "back", "out", "on", "in"])
#: irregular past forms of gestures: "Voss grinned:" ends in -ed, these do not
_GESTURES = frozenset(["shook", "bit", "spat", "beamed", "sighed", "grew", "stood", "sat"])


def subject_phrase(tokens: Sequence[Token], stop: int) -> tuple[int, int]:
    """The span of the phrase a clause opens with, before token `stop`."""
    lex = lexicon()
    i = 0
    skipped = 0
    while i < stop and (not tokens[i].is_word or _skippable_opener(tokens[i])) and skipped < 3:
        skipped += 1
        i += 1
    end = i
    j = i
    while j < stop:
        tok = tokens[j]
        low = tok.lower
        if j == i and (low in DETERMINERS or low in POSSESSIVE_PRONOUNS):
            j += 1
            continue
        if low in PRONOUNS or low == "it":
            return (j, j + 1) if j == i else (i, end)
        if not tok.is_word or (low in lex.stopwords and not tok.possessive):
            break
        if low in lex.speech_forms or (not tok.is_cap and low.endswith("ing")):
            break
        j += 1
        if tok.is_cap or lex.is_role(tok.bare) or lex.org_kind(tok.bare) or tok.possessive:
            end = j
        if tok.possessive:
            break
    return (i, end) if end == j else (i, i)  # "a senior government source": not a speaker


def _skippable_opener(tok: Token) -> bool:
    lex = lexicon()
    low = tok.lower
    return (
        low in lex.stopwords
        and low not in DETERMINERS
        and low not in POSSESSIVE_PRONOUNS
        and (low not in PRONOUNS and low != "it")
    )


def colon_speaker(
    tokens: Sequence[Token], colon: int, framed: Resolved | None, resolver: Resolver
) -> Resolved:
    """Who a colon introduces: the speaker `framed` by a verb before it ("Hale said:"), else
    the subject the clause opens with."""
    if framed is not None:
        return framed
    found = _gesture(tokens, colon, resolver)
    if found.person is not None or found.blocked:
        return found
    start, end = phrase_before(tokens, colon)
    if end > start and resolver.resolve(Mention.of(tokens[start:end]), create=False).blocked:
        return BLOCKED  # "A few thoughts from our correspondent:", "… from the fans:"
    if colon > _COLON_CLAUSE:
        return NOBODY
    start, end = subject_phrase(tokens, colon)
    if end <= start:
        return NOBODY
    found = resolver.resolve(Mention.of(tokens[start:end]), create=True)
    return found if found.person is not None else BLOCKED if found.blocked else NOBODY


def _gesture(tokens: Sequence[Token], colon: int, resolver: Resolver) -> Resolved:
    """A person right before a verb or `was ADJ` that ends the clause, or owning its noun:
    "Voss shrugged:", "Asked about it, Voss shrugs:", "Okafor was blunt:", "His verdict:"."""
    k = colon - 1
    if k >= 2 and tokens[k].lower in _VERB_PARTICLES and tokens[k - 1].is_word:
        k -= 1  # "Voss signs off:", "Okafor hits back:"
    if k < 1 or not tokens[k].is_word or tokens[k].is_cap or tokens[k].lower in lexicon().stopwords:
        return NOBODY
    owner = tokens[k - 1]
    if owner.lower in POSSESSIVE_PRONOUNS and (k == 1 or not tokens[k - 2].is_word):
        found = resolver.pronoun(owner.lower, owner.start)  # "His verdict:"
        return found if found.person is not None and found.person.kind == "person" else NOBODY
    start, end = phrase_before(tokens, k)
    if end <= start:
        return NOBODY
    between = tokens[end:k]
    linked = any(t.lower in _BE for t in between)  # "Okafor was blunt:"
    if not (linked or tokens[k].lower.endswith(_VERB_ENDS) or tokens[k].lower in _GESTURES):
        return NOBODY
    found = resolver.resolve(Mention.of(tokens[start:end]), create=True)
    if found.person is None:
        return BLOCKED if found.blocked else NOBODY  # "Fans were furious:"
    return found if found.person.kind == "person" else NOBODY
