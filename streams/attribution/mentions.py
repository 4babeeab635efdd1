"""A speaker phrase and what it refers to: a person, an organisation, or nobody we track.

`Mention.of(tokens)` splits a phrase ("the EU's trade commissioner", "a Treasury spokeswoman",
"his office", "Castlebridge manager Tomasz Wierzbicki") into determiner, possessor and head words.
`Resolver.resolve` finds its referent in the blog's memory, in this order: pronoun, spokesperson
or office (whose words are their principal's), name (exact, then fuzzy), organisation, role,
group ("Ministers", "Councils": nobody), descriptor ("the 54-year-old").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from streams.attribution.methods import Method
from streams.frames import DETERMINERS, POSSESSIVE_PRONOUNS, PRONOUNS, Token, name_runs
from streams.lexicon import lexicon
from streams.memory import Gender, Person, SpeakerMemory

__all__ = ["BLOCKED", "NOBODY", "Mention", "Resolved", "Resolver", "role_text"]

_AGE = re.compile(r"^\d{1,3}-year-old$")
_GENDERED = {"spokeswoman": "f", "spokesman": "m", "chairwoman": "f", "chairman": "m"}
#: people a phrase names whose words are not a speaker's: the reporter, the reader
_FIRST_PERSON = frozenset(["i", "we", "you", "me", "us", "our", "my", "your"])


@dataclass(frozen=True, slots=True)
class Resolved:
    """The referent of a mention: a person, or `blocked` when it is someone we do not track."""

    person: Person | None = None
    method: Method = "none"
    blocked: bool = False


NOBODY = Resolved()
BLOCKED = Resolved(blocked=True)


@dataclass(frozen=True, slots=True)
class Mention:
    """A speaker phrase split into its parts."""

    tokens: tuple[Token, ...]
    determiner: str | None
    possessor: tuple[Token, ...]
    head: tuple[Token, ...]
    complement: tuple[Token, ...] = ()

    @classmethod
    def of(cls, tokens: Sequence[Token], complement: Sequence[Token] = ()) -> Mention:
        words = list(tokens)
        determiner = None
        if words and words[0].lower in DETERMINERS:
            determiner = words.pop(0).lower
        possessor: list[Token] = []
        if words and words[0].lower in POSSESSIVE_PRONOUNS and len(words) > 1:
            possessor = [words.pop(0)]
        else:
            cut = max((i for i, t in enumerate(words[:-1]) if t.possessive), default=-1)
            if cut >= 0:
                possessor, words = words[: cut + 1], words[cut + 1 :]
        return cls(tuple(tokens), determiner, tuple(possessor), tuple(words), tuple(complement))

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)

    def __bool__(self) -> bool:
        return bool(self.tokens)

    @property
    def pronoun(self) -> str | None:
        if len(self.tokens) == 1 and self.tokens[0].lower in (*PRONOUNS, "it", *_FIRST_PERSON):
            return self.tokens[0].lower
        return None

    @property
    def last(self) -> str:
        return self.head[-1].bare.lower() if self.head else ""


def _role_split(head: Sequence[Token]) -> tuple[list[Token], list[Token], Gender | None]:
    """Role words (up to the last role or title word) and the words after them."""
    lex = lexicon()
    last = -1
    gender: str | None = None
    for i, tok in enumerate(head):
        low = tok.bare.lower().rstrip(".")
        if low in lex.roles or low in lex.titles:
            last = i
            gender = gender or lex.titles.get(low) or _GENDERED.get(low)
    return (
        list(head[: last + 1]),
        list(head[last + 1 :]),
        "f" if gender == "f" else ("m" if gender == "m" else None),
    )


def role_text(words: Sequence[Token]) -> str:
    """The role a phrase states, without bare titles: `EU trade commissioner`."""
    lex = lexicon()
    kept = [
        t.bare
        for t in words
        if t.bare.lower().rstrip(".") not in lex.titles or t.bare.lower() in lex.roles
    ]
    return " ".join(kept)


class Resolver:
    """Resolves mentions to people against the memory and the entry's own context."""

    def __init__(self, memory: SpeakerMemory) -> None:
        self.memory = memory
        self.local: list[Person] = []  # this entry's people, most recent first
        self.mentioned: list[Person] = []
        self.voiced: dict[str, Gender] = {}  # org id -> gender of the spokesperson heard
        self.candidates: list[str] = []  # full names that opened a sentence, most recent first

    # salience ----------------------------------------------------------------------------------

    def touch(self, person: Person) -> None:
        """`person` was just named: they become the most recent of this entry."""
        if person in self.local:
            self.local.remove(person)
        self.local.insert(0, person)
        if person not in self.mentioned:
            self.mentioned.append(person)
            person.mentions += 1

    def salient(self, gender: str | None) -> Person | None:
        """The most recent person of this entry known to be of `gender`, else the most recent
        whose gender is unknown, else the blog's most salient fitting person."""
        known = [p for p in self.local if gender is not None and self._gender(p) == gender]
        if known:
            return known[0]
        unknown = [p for p in self.local if p.kind == "person" and p.gender is None]
        if unknown:
            return unknown[0]
        return self.memory.most_salient(gender)

    def _gender(self, person: Person) -> str | None:
        return self.voiced.get(person.id) if person.kind == "org" else person.gender

    def salient_org(self) -> Person | None:
        local = next((p for p in self.local if p.kind == "org"), None)
        return local or self.memory.most_salient(kind="org")

    # resolution --------------------------------------------------------------------------------

    def resolve(self, mention: Mention, *, create: bool) -> Resolved:
        """The referent of `mention`; new people are created only when `create`."""
        if not mention.head and not mention.possessor:
            return NOBODY
        if mention.pronoun:
            return self.pronoun(mention.pronoun)
        if mention.possessor and mention.possessor[0].lower in _FIRST_PERSON:
            return BLOCKED  # "our correspondent"
        if mention.last in lexicon().voices:
            return self._voice(mention, create=create)
        return self._noun_phrase(mention, create=create)

    def pronoun(self, word: str) -> Resolved:
        """he/she to the most salient person of that gender; it/they to an organisation."""
        if word in _FIRST_PERSON:
            return BLOCKED
        if word in ("it", "they", "their", "its"):
            org = next((p for p in self.local if p.kind == "org"), None)
            return Resolved(org, "pronoun") if org is not None else BLOCKED
        gender = PRONOUNS.get(word) or POSSESSIVE_PRONOUNS.get(word)
        person = self.salient(gender)
        return Resolved(person, "pronoun") if person is not None else NOBODY

    def _noun_phrase(self, mention: Mention, *, create: bool) -> Resolved:
        lex = lexicon()
        roles, rest, gender = _role_split(mention.head)
        names = self._names(rest)
        org_kind = lex.org_kind(mention.last) or _proper_org_kind(mention.head)
        if names and not org_kind:
            return self._named(mention, roles, names, gender, create=create)
        if org_kind:
            return self._org(mention, org_kind, create=create)
        if roles and mention.last in lex.roles:
            person = self.memory.by_role(role_text(roles)) or self._local_role(mention.last)
            return Resolved(person, "role") if person is not None else BLOCKED
        if lex.is_group(mention.last):
            return BLOCKED  # "Ministers have been promising …", "Critics said …"
        return self._descriptor(mention)

    @staticmethod
    def _names(words: Sequence[Token]) -> list[Token]:
        """The name the words end with: `Sinead Costello` in "head coach Sinead Costello";
        none in "the Green politician", where a common noun follows the capitalised word."""
        for start, end in name_runs(words):
            if all(t.is_cap or not t.is_word for t in words[end:]):
                return list(words[start:end])
            return []
        return []

    def _local_role(self, head: str) -> Person | None:
        """ "the association president": the one person of this entry holding that role noun."""
        found = [p for p in self.local if any(head in role.split() for role in p.roles)]
        return found[0] if len(found) == 1 else None

    def _named(
        self,
        mention: Mention,
        roles: list[Token],
        names: list[Token],
        gender: Gender | None,
        *,
        create: bool,
    ) -> Resolved:
        name = " ".join(t.bare for t in names)
        person, fuzzy = self.memory.by_name(name)
        if person is None and len(names) > 1:
            # "Okafor Lagos": a known surname followed by more capitalised words
            for tok in names[:-1]:
                person, _ = self.memory.by_name(tok.bare, fuzzy=False)
                if person is not None:
                    return Resolved(person, "name")
        if person is None and not create:
            return NOBODY
        if person is not None and person.kind == "org":
            return Resolved(person, "org")
        if person is None or (not fuzzy and len(names) > 1):
            person = self.memory.add(name)  # new, or a fuller form that becomes canonical
        role = role_text(roles)
        if role and mention.head and roles[-1].bare.lower() in lexicon().roles:
            self.memory.learn_role(person, role)
        self.memory.learn_gender(person, gender)
        return Resolved(person, "fuzzy" if fuzzy else "name")

    def _org(self, mention: Mention, org_kind: str, *, create: bool) -> Resolved:
        if mention.possessor and mention.possessor[0].lower in POSSESSIVE_PRONOUNS:
            return BLOCKED  # "her group", "their union": nobody we can name
        lex = lexicon()
        words = [t.bare for t in mention.head if not lex.org_kind(t.bare)]
        found = self.memory.by_org(org_kind, words)
        if found is None and not create:
            return BLOCKED
        if found is None:
            found = self.memory.add(_org_name(mention), kind="org", org_kind=org_kind)
        return Resolved(found, "org")

    def _voice(self, mention: Mention, *, create: bool) -> Resolved:
        """A spokesperson's or an office's words are their principal's."""
        principal = BLOCKED
        if mention.possessor:
            owner = Mention.of(mention.possessor)
            principal = (
                self.pronoun(owner.tokens[0].lower)
                if len(owner.tokens) == 1 and owner.tokens[0].lower in POSSESSIVE_PRONOUNS
                else self.resolve(owner, create=create)
            )
        elif mention.complement:
            principal = self.resolve(Mention.of(mention.complement), create=create)
        elif len(mention.head) > 1:
            principal = self._voice_modifiers(mention, create=create)
        if principal.person is None:
            return BLOCKED
        gender = _GENDERED.get(mention.last)
        if principal.person.kind == "org" and gender in ("m", "f"):
            self.voiced[principal.person.id] = "f" if gender == "f" else "m"
        return Resolved(principal.person, "voice")

    def _voice_modifiers(self, mention: Mention, *, create: bool) -> Resolved:
        """`a Treasury spokeswoman`, `a Department for Transport spokesperson`: the words
        before the noun name the organisation (or person) spoken for."""
        lex = lexicon()
        mods = list(mention.head[:-1])
        while mods and not mods[-1].is_cap and not lex.org_kind(mods[-1].bare):
            mods.pop()  # "the Liberal Democrat housing spokesperson" -> Liberal Democrat
        if not mods:
            return BLOCKED
        kind = lex.org_kind(mods[-1].bare) or _proper_org_kind(mods)
        if kind is not None:
            return self._org(Mention.of(mods), kind, create=create)
        named = self._names(mods)
        if named and len(named) == len(mods):
            person, _ = self.memory.by_name(" ".join(t.bare for t in named), fuzzy=False)
            if person is not None:
                return Resolved(person, "voice")
        if not create:
            return BLOCKED
        org = self.memory.add(" ".join(t.bare for t in mods), kind="org", org_kind=None)
        return Resolved(org, "org")

    def _descriptor(self, mention: Mention) -> Resolved:
        """`the 54-year-old`, `the Swede`, `the retired postman`: known, or the entry's person."""
        lex = lexicon()
        head = mention.head[-1] if mention.head else None
        if head is None or mention.determiner not in ("the", None) or mention.possessor:
            return NOBODY
        if not (_AGE.match(head.lower) or lex.is_person_noun(head.bare)):
            return NOBODY
        text = " ".join(t.bare for t in mention.head)
        person = self.memory.by_descriptor(text)
        if person is None and mention.determiner == "the":
            # the entry's most recent person, preferring one who has spoken in the blog
            people = [p for p in self.local if p.kind == "person"]
            person = next((p for p in people if p.spoke), people[0] if people else None)
            if person is None and self.candidates:
                person = self.memory.add(self.candidates[0])
            if person is not None:
                self.memory.learn_descriptor(person, text)
        return Resolved(person, "descriptor") if person is not None else NOBODY


def _proper_org_kind(words: Sequence[Token]) -> str | None:
    """The kind of a capitalised organisation name with its head inside: `Ministry of Defence`,
    `Department for Transport`, `Federation of German Industries`."""
    lex = lexicon()
    if not words or not all(t.is_cap or t.lower in ("of", "for", "and") for t in words):
        return None
    return next((k for t in words if t.is_cap and (k := lex.org_kind(t.bare))), None)


def _org_name(mention: Mention) -> str:
    """An organisation's name as written, without its article: `finance ministry`."""
    words = [*mention.possessor, *mention.head]
    if mention.possessor and mention.possessor[0].lower in POSSESSIVE_PRONOUNS:
        words = list(mention.head)
    return " ".join(t.text for t in words)
