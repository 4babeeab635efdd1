"""People introduced in the text: names with their roles, ages and genders.

Read from the words outside quotations, before the entry's speech frames are read, so that
"the shadow housing secretary said" finds the person an earlier sentence introduced:

- a role or title before a name: `EU trade commissioner Jan Lindqvist`, `Mrs Shah`;
- a role, then a comma, then a name: `the housing secretary, Ruth Adebayo,`;
- a name, then an apposition: `Tom Fairweather, the shadow housing secretary,`, `Derek Holt, 67,`,
  `Amrita Shah, who runs a café`, `EuroAgri, the farmers' lobby,` (an organisation);
- gender from titles (`Ms`, `Mr`), gendered role words (`spokeswoman`) and from a pronoun in a
  sentence that names exactly one person ("Adebayo is on her feet").
"""

from __future__ import annotations

from collections.abc import Sequence

from streams.attribution.mentions import Mention, Resolver, name_runs, role_text
from streams.frames import Token, phrase_before, stops_phrase
from streams.lexicon import lexicon
from streams.memory import Person

__all__ = ["learn_gender", "learn_people"]

_GENDER_WORDS = {
    "he": "m",
    "him": "m",
    "his": "m",
    "himself": "m",
    "she": "f",
    "her": "f",
    "hers": "f",
    "herself": "f",
}
_RELATIVE = frozenset(["who", "whose", "whom", "which", "that"])
_PREPOSITIONS = frozenset(["of", "for", "at", "in", "with", "from", "on"])
_APPOSITION_MAX = 10


def learn_people(tokens: Sequence[Token], resolver: Resolver) -> None:
    """Add the people (and organisations) that `tokens` introduce to the memory."""
    for start, end in name_runs(tokens):
        _learn_run(tokens, start, end, resolver)


def _learn_run(tokens: Sequence[Token], start: int, end: int, resolver: Resolver) -> None:
    lex = lexicon()
    if end < len(tokens) and tokens[end].is_cap and lex.org_kind(tokens[end].bare):
        return  # "Westshire Police": an organisation, read when it speaks
    name = " ".join(t.bare for t in tokens[start:end])
    role, gender = _role_before(tokens, start)
    segment = _apposition_after(tokens, end)
    kind = _apposition_kind(segment)
    if kind == "org":
        head = Mention.of(_before_preposition(segment)).last
        resolver.memory.add(name, kind="org", org_kind=lex.org_kind(head))
        return
    appo = Mention.of(segment) if kind else None
    single = end - start == 1
    known, _ = resolver.memory.by_name(name, fuzzy=False)
    if single and known is None and gender is None and not role:
        return  # one capitalised word with nothing to say it is a person
    bare = role is None and appo is None and (single or not _is_introduction(tokens, end))
    if bare and known is None:
        return
    person = resolver.memory.add(name, role=role or None, gender=gender)
    if appo is not None:
        _learn_apposition(person, appo, resolver)


def _is_introduction(tokens: Sequence[Token], end: int) -> bool:
    """`Name (@handle)`: a byline names its author."""
    return end + 1 < len(tokens) and tokens[end].text == "(" and tokens[end + 1].text == "@"


def _role_before(tokens: Sequence[Token], start: int) -> tuple[str | None, str | None]:
    """The role (and a title's gender) written right before a name, or after `role,`."""
    lex = lexicon()
    if start == 0:
        return None, None
    before = tokens[start - 1]
    low = before.bare.lower().rstrip(".")
    if before.is_word and (low in lex.roles or low in lex.titles):
        span = phrase_before(tokens, start)
        words = tokens[span[0] : span[1]]
        gender = next((lex.titles.get(t.lower.rstrip(".")) for t in words if t.is_word), None)
        gender = gender or _gendered_role(words)
        mention = Mention.of(words)
        role = role_text(mention.head) if any(lex.is_role(t.bare) for t in words) else None
        return role, gender
    if before.text == "," and start >= 2:
        span = phrase_before(tokens, start - 1)
        mention = Mention.of(tokens[span[0] : span[1]])
        if mention.head and lex.is_role(mention.last) and not _names_in(mention):
            return role_text(mention.head), _gendered_role(mention.head)
    return None, None


def _names_in(mention: Mention) -> bool:
    return bool(name_runs(mention.head))


def _gendered_role(words: Sequence[Token]) -> str | None:
    for tok in words:
        low = tok.lower
        if low.endswith("woman") or low in ("queen", "princess", "duchess"):
            return "f"
        if (low.endswith("man") and not low.endswith("human")) or low in ("king", "prince"):
            return "m"
    return None


def _apposition_after(tokens: Sequence[Token], end: int) -> list[Token]:
    """The words of `, the role,` / `, 67,` / `, who …` right after a name, or []."""
    if end >= len(tokens) or tokens[end].text != ",":
        return []
    out: list[Token] = []
    for tok in tokens[end + 1 : end + 1 + _APPOSITION_MAX]:
        if stops_phrase(tok) or tok.text in ".;!?" or tok.lower in lexicon().speech_forms:
            break
        if tok.lower in _RELATIVE:
            return out or [tok]  # "Name, who runs a café": a person, no role
        out.append(tok)
    return out


def _apposition_kind(segment: Sequence[Token]) -> str | None:
    """What an apposition says of the name before it: age, relative, role, person or org."""
    if not segment:
        return None
    lex = lexicon()
    first = segment[0]
    if len(segment) == 1 and first.text.isdigit():
        return "age"
    if first.lower in _RELATIVE:
        return "relative"
    head = Mention.of(_before_preposition(segment)).last
    if lex.is_role(head):
        return "role"
    if lex.org_kind(head):
        return "org"
    return "person" if lex.is_person_noun(head) else None


def _before_preposition(words: Sequence[Token]) -> list[Token]:
    """`the leader of Westshire county council` -> `the leader`: the apposition's own noun."""
    cut = next((i for i, t in enumerate(words) if i and t.lower in _PREPOSITIONS), len(words))
    return list(words[:cut])


def _learn_apposition(person: Person, appo: Mention, resolver: Resolver) -> None:
    lex = lexicon()
    first = appo.tokens[0]
    if first.text.isdigit() and len(appo.tokens) == 1:
        resolver.memory.learn_descriptor(person, f"{first.text}-year-old")
        return
    if first.lower in _RELATIVE:
        return
    words = list(appo.head)
    last_role = max((i for i, t in enumerate(words) if lex.is_role(t.bare)), default=-1)
    if last_role >= 0:
        resolver.memory.learn_role(person, " ".join(t.bare for t in words))
        resolver.memory.learn_gender(person, _gendered_role(words))


def learn_gender(tokens: Sequence[Token], people: Sequence[Person], resolver: Resolver) -> None:
    """A sentence that names exactly one person and uses he/his or she/her: that person's."""
    persons = list({p.id: p for p in people if p.kind == "person"}.values())
    if len(persons) != 1 or persons[0].gender is not None:
        return
    genders = {_GENDER_WORDS[t.lower] for t in tokens if t.lower in _GENDER_WORDS}
    if len(genders) == 1:
        resolver.memory.learn_gender(persons[0], genders.pop())
