"""Per-blog speaker memory: the people (and organisations) a blog has named, and who spoke last.

The attribute stage reads and returns it; in Kafka mode it lives in a changelog-backed Faust
table, so a restarted worker continues with the same memory. Everything here is learned from the
blog's own text, or preloaded from a user's knowledge file (`load_knowledge`).

An organisation that speaks ("a Treasury spokeswoman said", "the finance ministry said") is kept
like a person with `kind="org"`, an id starting with `org-`, and its name as the blog writes it
without the article ("Treasury", "finance ministry"); `org_kind` is the kind of body its head noun
names (`police` for "Westshire Police"), so that "the force" finds it again.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from schemas.events import Speaker, SpeakerRef
from schemas.exceptions import ConfigError
from streams.attribution.lexicon import PARTICLES, lexicon
from streams.core.text import fold

__all__ = ["Gender", "Kind", "Person", "SpeakerMemory", "fold", "load_knowledge", "split_name"]

Gender = Literal["m", "f"]
Kind = Literal["person", "org"]

#: how many people the salience list keeps
_SALIENCE_DEPTH = 12
#: rapidfuzz ratio at which an unknown surname is taken for a known one ("Okafour")
_FUZZY_MIN = 84.0
#: names at least this long also match a known one at one edit ("Nwoso" for "Nwosu")
_ONE_EDIT_MIN_LEN = 5
#: first names this similar are the same ("Sergei" and "Sergey")
_FIRST_NAME_MIN = 75.0
_ARTICLE = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE_END = re.compile(r"(?<=\w)[’']s$")
_OWNED = re.compile(r"\s(?:of|for|to|at|in)\s")
_GENDERS: dict[str, Gender] = {"m": "m", "male": "m", "man": "m", "f": "f", "female": "f"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "person"


def _first_names_agree(a: str, b: str) -> bool:
    a, b = a.rstrip("."), b.rstrip(".")
    if len(a) == 1 or len(b) == 1:
        return a[:1] == b[:1]  # an initial: J. Lindqvist
    return a == b or fuzz.ratio(a, b) >= _FIRST_NAME_MIN


class Person(BaseModel):
    """One person (or speaking organisation) of a blog."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    surname: str
    names: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    descriptors: list[str] = Field(default_factory=list)
    gender: Gender | None = None
    kind: Kind = "person"
    org_kind: str | None = None
    mentions: int = 0
    quotes: int = 0
    spoke: bool = False

    def ref(self) -> SpeakerRef:
        return SpeakerRef(id=self.id, name=self.name)

    def keys(self) -> frozenset[str]:
        """Every folded name this person answers to."""
        return _name_keys(self.surname, self.name, tuple(self.names), tuple(self.aliases))

    def clone(self) -> Person:
        """A copy whose lists can change without changing this person."""
        return self.model_copy(update={field: list(getattr(self, field)) for field in _LISTS})

    def first_names(self) -> set[str]:
        return {fold(n).split()[0] for n in [self.name, *self.names] if len(n.split()) > 1}


#: the list fields of a person, copied by `Person.clone`
_LISTS = ("names", "aliases", "roles", "descriptors")


@lru_cache(maxsize=8192)
def _name_keys(
    surname: str, name: str, names: tuple[str, ...], aliases: tuple[str, ...]
) -> frozenset[str]:
    return frozenset(fold(n) for n in (surname, name, *names, *aliases))


class SpeakerMemory(BaseModel):
    """The people of one blog and their order of salience (most salient first)."""

    model_config = ConfigDict(extra="forbid")

    persons: dict[str, Person] = Field(default_factory=dict)
    salience: list[str] = Field(default_factory=list)
    last_speakers: list[str] = Field(default_factory=list)

    def clone(self) -> SpeakerMemory:
        """A copy the attribute stage may change while this memory stays as it is (cheaper than
        a deep copy: the fields are strings, numbers and lists of strings)."""
        return self.model_copy(
            update={
                "persons": {pid: p.clone() for pid, p in self.persons.items()},
                "salience": list(self.salience),
                "last_speakers": list(self.last_speakers),
            }
        )

    # lookups ---------------------------------------------------------------------------------

    def by_name(self, name: str, *, fuzzy: bool = True) -> tuple[Person | None, bool]:
        """The person `name` refers to, and whether it took fuzzy matching to find them.

        A full name whose first name differs from every known form ("Ann Fairweather" when only
        "Tom Fairweather" is known) is somebody else; a misspelt surname ("Okafour") is the
        known person when it is one edit away or close by rapidfuzz ratio.
        """
        key = fold(name)
        if not key:
            return None, False
        words = key.split()
        exact = [p for p in self.persons.values() if key in p.keys()]  # noqa: SIM118 - Person.keys, not a dict
        if not exact:
            exact = [p for p in self.persons.values() if _surname_match(p, words)]
        if exact:
            return self._most_salient(exact), False
        if not fuzzy or len(words[-1]) < 4 or self._has_surname(words[-1]):
            return None, False  # a known surname with another first name is somebody else
        found = self._fuzzy(words[-1])
        return (found, True) if found is not None else (None, False)

    def by_first_name(self, name: str) -> Person | None:
        """The one person whose first name is `name` ("Dame Helena", "Sir Tobias")."""
        key = fold(name)
        found = [p for p in self.persons.values() if p.kind == "person" and key in p.first_names()]
        return found[0] if len(found) == 1 else None

    def _has_surname(self, word: str) -> bool:
        return any(fold(p.surname) == word for p in self.persons.values())

    def _fuzzy(self, word: str) -> Person | None:
        best: list[Person] = []
        best_score = 0.0
        for person in self.persons.values():
            if person.kind != "person":
                continue
            for candidate in {fold(person.surname), *(fold(a) for a in person.aliases)}:
                if not candidate or candidate[0] != word[0]:
                    continue
                score = fuzz.ratio(word, candidate)
                close = (
                    min(len(word), len(candidate)) >= _ONE_EDIT_MIN_LEN
                    and Levenshtein.distance(word, candidate) <= 1
                )
                if score < _FUZZY_MIN and not close:
                    continue
                if score > best_score:
                    best, best_score = [person], score
                elif score == best_score and person not in best:
                    best.append(person)
        return best[0] if len(best) == 1 else None

    def by_role(self, role: str) -> Person | None:
        """The person whose learned role holds every word of `role`, most salient first."""
        words = fold(role).split()
        if not words:
            return None
        wanted = set(words)
        found = []
        for person in self.persons.values():
            known = {w for r in person.roles for w in r.split()}
            if words[-1] in known and wanted <= known | _descriptor_words(person):
                found.append(person)
        return self._most_salient(found) if found else None

    def by_org(self, org_kind: str, words: list[str]) -> Person | None:
        """The organisation of this kind whose name holds all of `words` ("the agency")."""
        wanted = {fold(w) for w in words}
        found = [
            p
            for p in self.persons.values()
            if p.kind == "org" and p.org_kind == org_kind and wanted <= set(fold(p.name).split())
        ]
        return self._most_salient(found) if found else None

    def by_descriptor(self, descriptor: str) -> Person | None:
        """The person a descriptor names: learned as is ("54-year-old"), or whose learned
        words hold its modifiers ("SPD politician" for someone introduced as "(SPD)")."""
        key = fold(_ARTICLE.sub("", descriptor))
        found = [p for p in self.persons.values() if key in p.descriptors]
        modifiers = set(key.split()[:-1])
        if not found and modifiers:
            found = [
                p
                for p in self.persons.values()
                if modifiers <= _descriptor_words(p) | {w for r in p.roles for w in r.split()}
            ]
        if not found and key:
            # "the engineer" for a "chief engineer": a learned descriptor or role with that head
            head = key.split()[-1]
            found = [
                p
                for p in self.persons.values()
                if any(_head(d) == head for d in [*p.descriptors, *p.roles])
            ]
        return self._most_salient(found) if found else None

    def most_salient(
        self, gender: str | None = None, kind: Kind | None = "person"
    ) -> Person | None:
        """The most salient person of `gender` (unknown gender fits any), or organisation.

        Someone never named in the blog (preloaded from a knowledge file) is found only when
        they are the one such person.
        """

        def fits(person: Person) -> bool:
            kind_ok = kind is None or person.kind == kind
            return kind_ok and (gender is None or person.gender in (None, gender))

        for pid in self.salience:
            person = self.persons.get(pid)
            if person is not None and fits(person):
                return person
        unnamed = [p for p in self.persons.values() if p.id not in self.salience and fits(p)]
        return unnamed[0] if len(unnamed) == 1 else None

    def _most_salient(self, people: list[Person]) -> Person:
        rank = {pid: i for i, pid in enumerate(self.salience)}
        return min(people, key=lambda p: (rank.get(p.id, len(rank)), -p.mentions))

    # updates ---------------------------------------------------------------------------------

    def add(
        self,
        name: str,
        *,
        role: str | None = None,
        gender: str | None = None,
        kind: Kind = "person",
        org_kind: str | None = None,
    ) -> Person:
        """The person called `name`, created if new; a fuller name becomes the canonical one.
        A possessive ending is no part of a name ("Bank of England’s" is the Bank of England)."""
        name = _POSSESSIVE_END.sub("", " ".join(name.split())) or name
        person = self._existing(name, kind)
        if person is None:
            person = self._create(name, kind, org_kind)
        else:
            if name not in person.names:
                person.names.append(name)
            if kind == "person" and len(name.split()) > len(person.name.split()):
                person.name = name
        if role:
            self.learn_role(person, role)
        self.learn_gender(person, gender)
        return person

    def _existing(self, name: str, kind: Kind) -> Person | None:
        if kind == "org":
            key = fold(name)
            return next((p for p in self.persons.values() if key in p.keys()), None)  # noqa: SIM118 - Person.keys, not a dict
        person, _ = self.by_name(name, fuzzy=False)
        return person if person is not None and person.kind == "person" else None

    def _create(self, name: str, kind: Kind, org_kind: str | None) -> Person:
        surname = name if kind == "org" else split_name(name)[1]
        base = f"org-{_slug(name)}" if kind == "org" else _slug(surname)
        pid = base if base not in self.persons else _slug(name)
        n = 2
        while pid in self.persons:
            pid, n = f"{base}-{n}", n + 1
        person = Person(id=pid, name=name, surname=surname, names=[name], kind=kind)
        person.org_kind = org_kind
        self.persons[pid] = person
        return person

    def learn_role(self, person: Person, role: str) -> None:
        key = fold(_ARTICLE.sub("", role))
        if key and key not in person.roles:
            person.roles.append(key)

    def learn_descriptor(self, person: Person, descriptor: str) -> None:
        key = fold(_ARTICLE.sub("", descriptor))
        if key and key not in person.descriptors:
            person.descriptors.append(key)

    def learn_gender(self, person: Person, gender: str | None) -> None:
        """Set a gender the text makes clear; a known gender is never overwritten."""
        value = _GENDERS.get(gender or "")
        if value is not None and person.gender is None and person.kind == "person":
            person.gender = value

    def promote(self, person: Person) -> None:
        """Make `person` the most salient."""
        if person.id in self.salience:
            self.salience.remove(person.id)
        self.salience.insert(0, person.id)
        del self.salience[_SALIENCE_DEPTH:]

    def speakers(self, blog_id: str) -> list[Speaker]:
        """The people who spoke, as speaker records for the sinks."""
        return [
            Speaker(
                id=p.id,
                blog_id=blog_id,
                name=p.name,
                aliases=tuple(sorted({*p.names, *p.aliases, p.surname} - {p.name})),
                roles=tuple(p.roles),
                descriptors=tuple(p.descriptors),
                gender=p.gender,
                kind=p.kind,
                quote_count=p.quotes,
            )
            for p in self.persons.values()
            if p.spoke
        ]


def _head(phrase: str) -> str:
    """The noun a role or descriptor is about: `president` in "president of the federation"."""
    words = _OWNED.split(phrase, maxsplit=1)[0].split()
    return words[-1] if words else ""


def _descriptor_words(person: Person) -> set[str]:
    return {w for d in person.descriptors for w in d.split()}


def split_name(name: str) -> tuple[list[str], str]:
    """A person's given names and surname: the last word with the lower-case particles before
    it (`von der Leyen` in "Ursula von der Leyen", `de Groot`); "de Groot" and "De la Cruz" are
    surnames alone ("Al Gore" is not: a capitalised particle counts only before another)."""
    words = name.split()
    k = len(words) - 1
    while k > 0 and words[k - 1] in PARTICLES:
        k -= 1
    if k == 1 and words[0].lower() in PARTICLES and len(words) > 2:
        k = 0  # "De la Cruz": a capitalised particle that opens the sentence
    return words[:k], " ".join(words[k:])


def _surname_match(person: Person, words: list[str]) -> bool:
    if person.kind != "person":
        return False
    given, surname = split_name(" ".join(words))
    if fold(person.surname) not in (surname, words[-1]):
        return False
    if fold(person.surname) != surname:
        given = words[:-1]
    if not given:
        return True
    known = person.first_names()
    if any(_first_names_agree(given[0], k) for k in known) or not known:
        return True
    # "Lula da Silva" for "Luiz Inácio Lula da Silva": a given name other than the first
    return given[0] in _given_names(person)


def _given_names(person: Person) -> set[str]:
    return {w for n in [person.name, *person.names] for w in split_name(fold(n))[0]}


def load_knowledge(path: Path) -> SpeakerMemory:
    """A memory preloaded from a YAML knowledge file.

    The file is a list of people (or a mapping with a `people` list)::

        - name: Maria Okafor
          aliases: [Okafor]
          roles: [housing minister, minister for housing]
          nationality: Nigerian
          descriptors: [the 54-year-old]
          gender: f
        - name: Finance Ministry
          kind: org
          aliases: [the ministry]
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read knowledge file: {exc}") from exc
    items = data.get("people", data) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ConfigError(f"{path}: expected a list of people")
    memory = SpeakerMemory()
    for i, item in enumerate(items):
        _load_person(memory, item, f"{path}: item {i}")
    return memory


def _strings(item: dict[str, object], key: str, where: str) -> list[str]:
    value = item.get(key)
    if value is None:
        return []
    if isinstance(value, str | int | float):
        return [str(value)]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v) for v in value]
    raise ConfigError(f"{where}: {key} must be a string or a list of strings")


def _load_person(memory: SpeakerMemory, item: object, where: str) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise ConfigError(f"{where} needs a name")
    name = " ".join(str(item["name"]).split())
    if not name:
        raise ConfigError(f"{where} needs a name")
    kind = item.get("kind", "person")
    if kind not in ("person", "org"):
        raise ConfigError(f"{where}: kind must be person or org, not {kind!r}")
    gender = item.get("gender")
    if gender is not None and str(gender).lower() not in _GENDERS:
        raise ConfigError(f"{where}: gender must be m or f, not {gender!r}")
    org_kind = _org_kind(name) if kind == "org" else None
    person = memory.add(
        name, gender=str(gender).lower() if gender else None, kind=kind, org_kind=org_kind
    )
    for alias in _strings(item, "aliases", where):
        alias = _ARTICLE.sub("", alias.strip())
        if alias and alias not in person.aliases:
            person.aliases.append(alias)
    for role in _strings(item, "roles", where):
        memory.learn_role(person, role)
    for desc in [*_strings(item, "descriptors", where), *_strings(item, "nationality", where)]:
        memory.learn_descriptor(person, desc)


def _org_kind(name: str) -> str | None:
    words = name.split()
    return lexicon().org_kind(words[-1]) if words else None
