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

from streams.attribution.context import EntryContext
from streams.attribution.language import language
from streams.attribution.lexicon import lexicon
from streams.attribution.memory import Gender, Person, SpeakerMemory, fold
from streams.attribution.methods import Method
from streams.attribution.tokens import DETERMINERS, POSSESSIVE_PRONOUNS, PRONOUNS, Token, name_runs

__all__ = ["BLOCKED", "NOBODY", "Mention", "Resolved", "Resolver", "first_name_title", "role_text"]

_AGE = re.compile(r"^\d{1,3}-year-old$")
_GENDERED = {"spokeswoman": "f", "spokesman": "m", "chairwoman": "f", "chairman": "m"}
#: people a phrase names whose words are not a speaker's: the reporter, the reader
_FIRST_PERSON = frozenset(["i", "we", "you", "me", "us", "our", "my", "your"])
_PRONOUN_WORDS = frozenset([*PRONOUNS, "it", *_FIRST_PERSON])
#: titles that go with a first name alone: "Sir Tobias", "Dame Helena"
_FIRST_NAME_TITLES = frozenset(["sir", "dame"])
#: articles before which one capitalised word is a common noun, not a name: "the Dutchman"
_ARTICLES = frozenset(["the", "a", "an"])


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
        if len(self.tokens) == 1 and self.tokens[0].lower in _PRONOUN_WORDS:
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
    """The role a phrase states, without bare honorifics: `EU trade commissioner`; an
    abbreviated title stands for its role (`Sen.` is a senator)."""
    lex = lexicon()
    kept = []
    for t in words:
        low = t.bare.lower().rstrip(".")
        if low in lex.title_roles:
            kept.append(lex.title_roles[low])  # "Gov. Raymond Oakes" is a governor
        elif low not in lex.titles or t.bare.lower() in lex.roles:
            kept.append(t.bare)
    return " ".join(kept)


class Resolver:
    """Resolves mentions to people against the memory and the entry's own context."""

    def __init__(self, memory: SpeakerMemory) -> None:
        self.memory = memory
        self.context = EntryContext()
        self.voiced: dict[str, Gender] = {}  # org id -> gender of the spokesperson heard
        self.candidates: list[str] = []  # full names that opened a sentence, most recent first
        self.unnamed: set[str] = set()  # role nouns of unnamed people: "a senior official"
        self.speakers: list[Person] = []  # who has spoken in this entry so far

    @property
    def local(self) -> list[Person]:
        """This entry's people, most recent first."""
        return self.context.local

    @property
    def mentioned(self) -> list[Person]:
        """This entry's people in the order they were first mentioned."""
        return self.context.mentioned

    # salience ----------------------------------------------------------------------------------

    def touch(
        self, person: Person, at: int | None = None, *, subject: bool = False, owner: bool = False
    ) -> None:
        """`person` was just named (at offset `at` of the sentence being read): they become the
        most recent of this entry (`owner`: as the owner of the subject, "Okonjo's partner")."""
        self.context.touch(person, at, subject=subject, owner=owner)

    def salient(self, gender: str | None, at: int | None = None) -> Person | None:
        """The person a he/she at offset `at` refers to: of the entry's people mentioned before
        it, those of the most recent sentence that has one of `gender` or of unknown gender
        (known gender first, then the clause's subject, then the later mention; a full name
        that opened the sentence becomes a person this way); else the blog's most salient
        fitting person."""
        for sentence in self.context.before(at):
            fits = [s for s in sentence if s.person is None or self._fits(s.person, gender)]
            if fits:
                # "Okonjo's partner Ferrante went off. His …": the owner is not the referent
                fits = [s for s in fits if not s.owner] or fits
                best = max(fits, key=lambda s: (self._known(s.person, gender), s.subject, s.at))
                if best.person is not None:
                    return best.person
                person = self.memory.add(best.name, gender=gender)  # "Naomi Okafor put it …"
                self.context.adopt(best.name, person)
                return person
        return self.memory.most_salient(gender)

    def _known(self, person: Person | None, gender: str | None) -> bool:
        return person is not None and self._gender(person) == gender

    def _fits(self, person: Person, gender: str | None) -> bool:
        unknown = person.kind == "person" and person.gender is None
        return unknown or (gender is not None and self._gender(person) == gender)

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
            return self.pronoun(mention.pronoun, mention.tokens[0].start)
        if mention.possessor and mention.possessor[0].lower in _FIRST_PERSON:
            return BLOCKED  # "our correspondent"
        if mention.last in lexicon().voices:
            return self._voice(mention, create=create)
        return self._noun_phrase(mention, create=create)

    def pronoun(self, word: str, at: int | None = None) -> Resolved:
        """he/she to the most salient person of that gender; it/they to an organisation."""
        if word in _FIRST_PERSON:
            return BLOCKED
        if word in ("it", "they", "their", "its"):
            org = next((p for p in self.local if p.kind == "org"), None)
            return Resolved(org, "pronoun") if org is not None else BLOCKED
        gender = PRONOUNS.get(word) or POSSESSIVE_PRONOUNS.get(word)
        person = self.salient(gender, at)
        return Resolved(person, "pronoun") if person is not None else NOBODY

    def _noun_phrase(self, mention: Mention, *, create: bool) -> Resolved:
        lex = lexicon()
        roles, rest, gender = _role_split(mention.head)
        names = self._names(rest)
        if len(names) == 1 and not roles and self._common_noun(names[0], mention):
            names = []  # "Engineer admits …", "the Dutchman": a common noun, not a name
        org_kind = lex.org_kind(mention.last)
        if not (names and roles):  # "Senate Majority Leader Ray Castellano" is a person
            org_kind = org_kind or _proper_org_kind(mention.head)
        if names and not org_kind:
            return self._named(mention, roles, names, gender, create=create)
        if org_kind:
            return self._org(mention, org_kind, create=create)
        if roles and mention.last in lex.roles:
            person = self.memory.by_role(role_text(roles)) or self._local_role(mention.last)
            if person is not None:
                return Resolved(person, "role")
            holder = self._role_holder(mention, roles) if create else None
            return Resolved(holder, "role_guess") if holder is not None else BLOCKED
        if lex.is_group(mention.last):
            return BLOCKED  # "Ministers have been promising …", "Critics said …"
        return self._descriptor(mention)

    @staticmethod
    def _names(words: Sequence[Token]) -> list[Token]:
        """The name the words end with: `Sinead Costello` in "head coach Sinead Costello" and
        in "Chartered surveyor Sinead Costello"; none in "the Green politician", where a common
        noun follows the capitalised word."""
        for start, end in name_runs(words):
            if all(t.is_cap or not t.is_word for t in words[end:]):
                return list(words[start:end])
        return []

    def _local_role(self, head: str) -> Person | None:
        """ "the association president": the one person of this entry holding that role noun."""
        found = [p for p in self.local if any(head in role.split() for role in p.roles)]
        return found[0] if len(found) == 1 else None

    def known_role(self, mention: Mention) -> Person | None:
        """The person a definite role phrase ("the transport secretary") names by a learned
        role, found without creating or guessing anybody."""
        if mention.determiner not in ("the", None) or mention.pronoun or mention.possessor:
            return None
        roles, rest, _ = _role_split(mention.head)
        if not roles or rest or mention.last not in lexicon().roles:
            return None
        return self.memory.by_role(role_text(roles)) or self._local_role(mention.last)

    def _role_holder(self, mention: Mention, roles: Sequence[Token]) -> Person | None:
        """ "the minister said" when no learned role holds the word: the one person of the
        entry mentioned before it (in a headline: named anywhere in the entry) who has a
        learned role whose words, with the descriptors, hold the phrase's other role words
        ("transport" in "the transport minister"); nobody when there are none or several, or
        when the entry spoke of an unnamed one before ("a senior official … the official")."""
        if mention.determiner in ("a", "an"):
            self.unnamed.add(mention.last)  # "a minister said": somebody unnamed
            return None
        if mention.determiner not in ("the", None) or mention.last in self.unnamed:
            return None
        wanted = set(fold(role_text(roles)).split()[:-1])
        before = self.context.before(mention.tokens[0].start)
        seen = [m.person for group in before for m in group if m.person is not None]
        if self.context.in_headline():
            seen += self.context.people(self.memory)
        people = {p.id: p for p in seen}
        found = [
            p
            for p in people.values()
            if p.kind == "person" and p.roles and wanted <= _known_words(p)
        ]
        return found[0] if len(found) == 1 else None

    def _common_noun(self, tok: Token, mention: Mention) -> bool:
        """A capitalised common noun for a person (`Engineer`, `Pensioner`, or a word that ends
        someone's learned role or descriptor: `Surveyor` for a "chartered surveyor"), or any
        one capitalised word after an article ("the Dutchman", "the Gaffer"), that is nobody's
        name in this blog."""
        low = tok.bare.lower()
        common = (
            mention.determiner in _ARTICLES
            or low in lexicon().person_nouns
            or self.memory.by_descriptor(low) is not None
        )
        return common and self.memory.by_name(tok.bare, fuzzy=False)[0] is None

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
        if person is None and len(names) == 1 and roles and first_name_title(roles[-1]):
            person = self.memory.by_first_name(name)  # "Dame Helena" for Helena Marsh
        if person is None and len(names) > 1:
            # "Okafor Lagos": a known surname followed by more capitalised words
            for tok in names[:-1]:
                person, _ = self.memory.by_name(tok.bare, fuzzy=False)
                if person is not None:
                    return Resolved(person, "name")
        if person is None and not create:
            return NOBODY
        if person is None and len(names) == 1 and not roles and not self._name_evidence(names[0]):
            return BLOCKED  # "Engineer said …": a capitalised word only because it opens
        if person is not None and person.kind == "org":
            return Resolved(person, "org")
        if person is None or (not fuzzy and len(names) > 1):
            person = self.memory.add(name)  # new, or a fuller form that becomes canonical
        role = role_text(roles)
        if role and mention.head and roles[-1].bare.lower() in lexicon().roles:
            self.memory.learn_role(person, role)
        self.memory.learn_gender(person, gender)
        return Resolved(person, "fuzzy" if fuzzy else "name")

    def _name_evidence(self, tok: Token) -> bool:
        """Whether a new one-word name is one: it does not open its sentence, the entry also
        writes it capitalised mid-sentence, or it is no ordinary word ("McAllister signs off:")."""
        return (
            not self.context.initial(tok)
            or tok.bare in self.context.mid_caps()
            or not language("en").is_common_word(tok.bare)
        )

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
                self.pronoun(owner.tokens[0].lower, owner.tokens[0].start)
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
        """`the 54-year-old`, `the Swede`, `the retired postman`: known, or the entry's person
        (in a headline, "Pensioner tells of …", the one person the entry names)."""
        lex = lexicon()
        head = mention.head[-1] if mention.head else None
        if head is not None and _unnamed(mention) and lex.is_person_noun(head.bare):
            return BLOCKED  # "a teacher said", "one protester shouted": somebody unnamed
        if head is None or mention.determiner not in ("the", None) or mention.possessor:
            return NOBODY
        if not (_AGE.match(head.lower) or lex.is_person_noun(head.bare)):
            return NOBODY
        text = " ".join(t.bare for t in mention.head)
        gender = _national_gender(head.bare)
        person = self.memory.by_descriptor(text)
        if person is None and mention.determiner == "the":
            # the entry's most recent person, preferring one who has spoken in the blog
            people = [p for p in self.local if p.kind == "person" and _fits(p, gender)]
            spoken = [p for p in people if p.spoke or p in self.speakers]
            person = spoken[0] if spoken else people[0] if people else None
            if person is None and self.candidates:
                person = self.memory.add(self.candidates[0])
            if person is None and head.bare in lex.demonyms:
                person = self.memory.most_salient(gender)  # "the Dutchman": the blog's one
            if person is not None:
                self.memory.learn_descriptor(person, text)
                self.memory.learn_gender(person, gender)
        if person is None and mention.determiner is None and self.context.in_headline():
            # "Pensioner tells of …": the one person the entry names
            people = self.context.people(self.memory)
            person = people[0] if len(people) == 1 else None
        return Resolved(person, "descriptor") if person is not None else NOBODY


def _unnamed(mention: Mention) -> bool:
    """An indefinite phrase: "a teacher", "one protester", "another resident"."""
    return mention.determiner in ("a", "an", "one", "another")


def _national_gender(word: str) -> Gender | None:
    """The gender a national's noun gives: `Dutchwoman` f, `Frenchman` m."""
    if word not in lexicon().demonyms:
        return None
    return "f" if word.endswith("woman") else "m" if word.endswith("man") else None


def _fits(person: Person, gender: Gender | None) -> bool:
    return gender is None or person.gender in (None, gender)


def first_name_title(tok: Token) -> bool:
    """A title written before a first name: `Sir`, `Dame`."""
    return tok.bare.lower() in _FIRST_NAME_TITLES


def _known_words(person: Person) -> set[str]:
    return {w for text in [*person.roles, *person.descriptors] for w in text.split()}


def _proper_org_kind(words: Sequence[Token]) -> str | None:
    """The kind of a capitalised organisation name with its head inside: `Ministry of Defence`,
    `Department for Transport`, `Federation of German Industries`."""
    lex = lexicon()
    if not words or not all(t.is_cap or t.lower in ("of", "for", "and") for t in words):
        return None
    return next((k for t in words if t.is_cap and (k := lex.org_kind(t.bare))), None)


def _org_name(mention: Mention) -> str:
    """An organisation's name as written, without its article: `finance ministry`,
    `Canada's finance ministry`; a common noun that owns it loses its apostrophe
    (`families campaign group` for "the families' campaign group", `Families group` for the
    headline "Families' group welcomes …")."""
    if mention.possessor and mention.possessor[0].lower in POSSESSIVE_PRONOUNS:
        return " ".join(t.text for t in mention.head)
    proper = all(t.is_cap for t in mention.head)  # "Housebuilders' Alliance" as it is
    owner = [t.bare if _common_possessive(t) and not proper else t.text for t in mention.possessor]
    return " ".join([*owner, *(t.text for t in mention.head)])


def _common_possessive(tok: Token) -> bool:
    """`families'`, `Families'`, `union's`: a common noun's possessive (`Canada's` is a name's)."""
    return tok.possessive and (not tok.is_cap or tok.text.endswith(("s'", "s’")))
