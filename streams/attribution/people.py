"""People introduced in the text: names with their roles, ages and genders.

Read from the words outside quotations, before the entry's speech frames are read, so that
"the shadow housing secretary said" finds the person an earlier sentence introduced:

- a role or title before a name: `EU trade commissioner Jan Lindqvist`, `Mrs Shah`;
- a role, then a comma, then a name: `the housing secretary, Ruth Adebayo,`;
- a name, then an apposition: `Tom Fairweather, the shadow housing secretary,`, `Derek Holt, 67,`,
  `Amrita Shah, who runs a café`, `EuroAgri, the farmers' lobby,` (an organisation);
- gender from titles (`Ms`, `Mr`), gendered role words (`spokeswoman`) and from a pronoun in a
  sentence that names exactly one person ("Adebayo is on her feet");
- a full name that opens a sentence ("Derek Holt has lived in the village all his life"): a
  person when the sentence gives them a gender, else a candidate the entry may still refer to
  ("the pensioner said").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from streams.attribution.language import Language, language
from streams.attribution.lexicon import lexicon
from streams.attribution.memory import Person
from streams.attribution.mentions import Mention, Resolver, first_name_title, role_text
from streams.attribution.tokens import Token, name_runs, phrase_before, stops_phrase

__all__ = ["learn_gender", "learn_people", "learn_subject", "post_nominal"]

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
_PREPOSITIONS = frozenset(["of", "for", "at", "in", "with", "from", "on", "to"])
#: what may stand before a role phrase that opens a clause: "…. The harbour's chief engineer, X"
_CLAUSE_MARKS = frozenset([".", "!", "?", ":", ";", "(", "–", "—"])
#: the words that join a role to what it is of: "the general secretary of the rail union"
_OWNER_MARKS = frozenset(["of", "for", "at"])
#: how many words "of …" may run to before the comma: "of the Federation of Chemical Industry"
_OWNED_MAX = 8
_APPOSITION_MAX = 10


def learn_people(
    tokens: Sequence[Token], resolver: Resolver, runs: Sequence[tuple[int, int]] | None = None
) -> None:
    """Add the people (and organisations) that `tokens` introduce to the memory (`runs`: their
    name runs, when already known)."""
    for start, end in name_runs(tokens) if runs is None else runs:
        _learn_run(tokens, start, end, resolver)


def _learn_run(tokens: Sequence[Token], start: int, end: int, resolver: Resolver) -> None:
    lex = lexicon()
    if end < len(tokens) and tokens[end].is_cap and lex.org_kind(tokens[end].bare):
        return  # "Westshire Police": an organisation, read when it speaks
    name = " ".join(t.bare for t in tokens[start:end])
    before = _role_before(tokens, start)
    role, gender, titled = before.role, before.gender, before.titled
    after, affiliation = _skip_qualifiers(tokens, end)
    segment = _apposition_after(tokens, after)
    kind = _apposition_kind(segment)
    if kind == "org":
        head = Mention.of(_before_preposition(segment)).last
        resolver.memory.add(name, kind="org", org_kind=lex.org_kind(head))
        return
    appo = Mention.of(segment) if kind else None
    single = end - start == 1
    known, _ = resolver.memory.by_name(name, fuzzy=False)
    if known is not None and known.kind == "org":
        return  # "Nordposten said": the newspaper met before
    org_kind = (
        kind_before(tokens, start, language("en"))
        if known is None and kind in (None, "org") and not role
        else None
    )
    if org_kind is not None:
        resolver.memory.add(name, kind="org", org_kind=org_kind)
        return  # "revelations by newspaper Nordposten": a newspaper (but "the committee
        # Dana Reyes, the chair,": a person)
    if known is None and single and start > 0 and first_name_title(tokens[start - 1]):
        known = resolver.memory.by_first_name(name)  # "Dame Helena" for Helena Marsh
        if known is not None:
            return
    introduced = titled or role is not None or appo is not None or affiliation is not None
    introduced = introduced or before.descriptor is not None
    if single and known is None and not (titled or role):
        return  # one capitalised word with nothing to say it is a person
    if known is None and not introduced and (single or not _is_introduction(tokens, end)):
        return
    person = resolver.memory.add(name, role=role or None, gender=gender)
    for descriptor in (affiliation, before.descriptor):
        if descriptor:
            resolver.memory.learn_descriptor(person, descriptor)
    if appo is not None:
        _learn_apposition(person, appo, resolver)


def _skip_qualifiers(tokens: Sequence[Token], end: int) -> tuple[int, str | None]:
    """Past `KC`, `of Montana` and `(CDU)` after a name; the bracketed affiliation, if any."""
    n = len(tokens)
    affiliation = None
    while end < n and post_nominal(tokens[end]):
        end += 1
    if end + 2 < n and tokens[end].text == "(":
        close = next((i for i in range(end + 1, min(n, end + 6)) if tokens[i].text == ")"), None)
        if close is not None:
            affiliation = " ".join(t.text for t in tokens[end + 1 : close])
            end = close + 1
    if end + 1 < n and tokens[end].lower == "of" and tokens[end + 1].is_cap:
        end += 1
        while end < n and tokens[end].is_cap:
            end += 1
    return end, affiliation


def kind_before(tokens: Sequence[Token], start: int, lang: Language) -> str | None:
    """The kind of organisation a lower-case noun right before a name gives it, in English
    ("newspaper Nordposten", "by broadcaster Nordvik TV"); German capitalises that noun, and
    there it is usually a title in quotation marks."""
    if lang.code != "en" or start == 0:
        return None
    before = tokens[start - 1]
    if not before.is_word or before.is_cap:
        return None
    return lang.org_head(before.bare)


def post_nominal(tok: Token) -> bool:
    """Letters after a name: `KC`, `MP`, `OBE`."""
    return tok.is_word and tok.text.isalpha() and tok.text.isupper() and 2 <= len(tok.text) <= 4


def _is_introduction(tokens: Sequence[Token], end: int) -> bool:
    """`Name (@handle)`: a byline names its author."""
    return end + 1 < len(tokens) and tokens[end].text == "(" and tokens[end + 1].text == "@"


@dataclass(frozen=True, slots=True)
class _Before:
    """What stands before a name: a role, a descriptor, a gender, a title."""

    role: str | None = None
    descriptor: str | None = None
    gender: str | None = None
    titled: bool = False


def _role_before(tokens: Sequence[Token], start: int) -> _Before:
    """The role, descriptor, gender and whether a title stands right before a name (`Sen. Maria
    Delgado`, `EU trade commissioner Jan Lindqvist`, `retired postman Derek Holt`), or a role
    before `, Name` (`the transport secretary, Graham Nkemelu`)."""
    lex = lexicon()
    i, genders = start, []
    while i > 0 and (_pure_title(tokens[i - 1]) or _title_dot(tokens, i - 1)):
        i -= 1
        genders.append(lex.titles.get(tokens[i].bare.lower()))
    titled = bool(genders)
    gender = next((g for g in genders if g), None)
    # an abbreviated title stands for a role: "Gov. Raymond Oakes" is a governor
    title_role = next(
        (
            lex.title_roles[low]
            for t in tokens[i:start]
            if (low := t.bare.lower().rstrip(".")) in lex.title_roles
        ),
        None,
    )
    if i > 0 and tokens[i - 1].possessive:
        return _Before(role=title_role, gender=gender, titled=titled)  # "the General's Corps"
    if i > 0 and tokens[i - 1].is_word and lex.is_role(tokens[i - 1].bare):
        s, e = phrase_before(tokens, i)
        words = tokens[s:e]
        head = Mention.of(words).head
        gender = gender or _title_gender(words) or _gendered_role(words)
        return _Before(role_text(head), None, gender, titled or any(_is_title(t) for t in words))
    if i > 0 and _person_noun(tokens[i - 1]):
        s, e = phrase_before(tokens, i)
        head = Mention.of(tokens[s:e]).head
        text = " ".join(t.bare for t in head) or None
        return _Before(None, text, gender or _gendered_role(head), titled)
    if i > 1 and tokens[i - 1].text == ",":
        found = _role_apposition(tokens, i - 1)
        return _Before(found.role, found.descriptor, gender or found.gender, titled)
    return _Before(role=title_role, gender=gender, titled=titled)


def _person_noun(tok: Token) -> bool:
    """A noun for a person right before a name: `retired postman`, `Engineer`, `columnist`."""
    lex = lexicon()
    if not tok.is_word:
        return False
    return tok.bare.lower() in lex.person_nouns or (not tok.is_cap and lex.is_person_noun(tok.bare))


def _role_apposition(tokens: Sequence[Token], comma: int) -> _Before:
    """`the housing secretary,` / `the general secretary of the rail union,` / `the chair of the
    hearing,` / `The harbour's chief engineer,` (a role) / `The retired postman,` (a descriptor,
    when the phrase opens its clause) before a name."""
    lex = lexicon()
    s, e = phrase_before(tokens, comma)
    mention = Mention.of(tokens[s:e])
    if mention.head and not _names_in(mention):
        if lex.is_role(mention.last):
            return _Before(role_text(mention.head), None, _gendered_role(mention.head))
        if lex.is_person_noun(mention.last) and _opens_clause(tokens, s):
            words = " ".join(t.bare for t in mention.head)
            if any(lex.is_role(t.bare) for t in mention.head):  # "chief engineer"
                return _Before(words, None, _gendered_role(mention.head))
            return _Before(None, words, _gendered_role(mention.head))
    j = comma - 2
    while j > 0 and tokens[j].is_word and comma - j <= _OWNED_MAX:
        if tokens[j].lower in _OWNER_MARKS:
            s2, e2 = phrase_before(tokens, j)
            owner = Mention.of(tokens[s2:e2])
            if owner.head and lex.is_role(owner.last) and not _names_in(owner):
                role = " ".join(t.bare for t in [*owner.head, *tokens[e2:comma]])
                return _Before(role, None, _gendered_role(owner.head))
        j -= 1
    return _Before()


def _opens_clause(tokens: Sequence[Token], s: int) -> bool:
    return s == 0 or tokens[s - 1].text in _CLAUSE_MARKS or tokens[s - 1].quote is not None


def _pure_title(tok: Token) -> bool:
    """A title that is not also a role: `Mr`, `Sen`, `Dr` (not `President`)."""
    return _is_title(tok) and not lexicon().is_role(tok.bare)


def _title_dot(tokens: Sequence[Token], i: int) -> bool:
    return tokens[i].text == "." and i > 0 and _is_title(tokens[i - 1])


def _title_gender(words: Sequence[Token]) -> str | None:
    titles = lexicon().titles
    return next((g for t in words if _is_title(t) and (g := titles.get(t.bare.lower()))), None)


def _is_title(tok: Token) -> bool:
    return tok.is_cap and tok.bare.lower() in lexicon().titles


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
    elif words and lex.is_person_noun(words[-1].bare):
        resolver.memory.learn_descriptor(person, " ".join(t.bare for t in words))


def learn_gender(tokens: Sequence[Token], people: Sequence[Person], resolver: Resolver) -> None:
    """A sentence that names exactly one person and uses he/his or she/her: that person's."""
    persons = list({p.id: p for p in people if p.kind == "person"}.values())
    if len(persons) != 1 or persons[0].gender is not None:
        return
    genders = {_GENDER_WORDS[t.lower] for t in tokens if t.lower in _GENDER_WORDS}
    if len(genders) == 1:
        resolver.memory.learn_gender(persons[0], genders.pop())


def learn_subject(
    tokens: Sequence[Token], resolver: Resolver, runs: Sequence[tuple[int, int]] | None = None
) -> Person | str | None:
    """A new full name that opens the sentence as its subject: a person if a pronoun gives them
    a gender, otherwise a candidate (its name is returned) the resolver may use for "the
    pensioner" or "she said"."""
    runs = name_runs(tokens) if runs is None else runs
    if not runs or runs[0][0] != 0 or not 2 <= runs[0][1] <= 3:
        return None
    end = runs[0][1]
    after = end
    while after < len(tokens) and post_nominal(tokens[after]):
        after += 1  # "Naomi Okafor KC put it to …"
    nxt = tokens[after] if after < len(tokens) else None
    opens_clause = nxt is not None and (nxt.text == "," or (nxt.is_word and not nxt.is_cap))
    if not opens_clause or _not_a_person(tokens[:end]):
        return None
    name = " ".join(t.bare for t in tokens[:end])
    if resolver.memory.by_name(name, fuzzy=False)[0] is not None:
        return None
    genders = {_GENDER_WORDS[t.lower] for t in tokens[after:] if t.lower in _GENDER_WORDS}
    if len(runs) == 1 and len(genders) == 1:
        return resolver.memory.add(name, gender=genders.pop())
    resolver.candidates.insert(0, name)
    return name


def _not_a_person(words: Sequence[Token]) -> bool:
    lex = lexicon()
    return any(t.bare in lex.org_words or lex.org_kind(t.bare) for t in words)
