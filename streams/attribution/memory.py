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
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from schemas.events import Speaker, SpeakerRef
from schemas.exceptions import ConfigError
from streams.attribution.lexicon import PARTICLES, lexicon
from streams.attribution.name_index import NameForms, NameIndex
from streams.core.text import fold

__all__ = [
    "DEFAULT_LIMIT",
    "Gender",
    "Kind",
    "Person",
    "SpeakerMemory",
    "fold",
    "load_knowledge",
    "speaker_fields",
    "speaker_record",
    "split_name",
    "starting_memory",
]

Gender = Literal["m", "f"]
Kind = Literal["person", "org"]

#: how many people the salience list keeps
_SALIENCE_DEPTH = 12
#: how many learned people a blog's memory keeps by default (`Settings.max_speakers`)
DEFAULT_LIMIT = 200
#: how many names, aliases, roles and descriptors one person keeps (the first learned)
_LIST_DEPTH = 24
#: rapidfuzz ratio at which an unknown surname is taken for a known one ("Okafour")
_FUZZY_MIN = 84.0
#: names at least this long also match a known one at one edit ("Nwoso" for "Nwosu")
_ONE_EDIT_MIN_LEN = 5
#: first names this similar are the same ("Sergei" and "Sergey")
_FIRST_NAME_MIN = 75.0
_ARTICLE = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE_END = re.compile(r"(?<=\w)[’']s$")
_GENDERS: dict[str, Gender] = {"m": "m", "male": "m", "man": "m", "f": "f", "female": "f"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "person"


def _first_names_agree(a: str, b: str) -> bool:
    a, b = a.rstrip("."), b.rstrip(".")
    if len(a) == 1 or len(b) == 1:
        return a[:1] == b[:1]  # an initial: J. Lindqvist
    if ("-" in a) != ("-" in b) and a.split("-")[0] == b.split("-")[0]:
        return True  # "Jean Claude" written for "Jean-Claude"
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
    #: the memory's clock when this person was last promoted (mentioned or heard)
    seen: int = 0
    #: preloaded from a knowledge file: never forgotten to keep the memory small
    known: bool = False

    def __eq__(self, other: object) -> bool:
        """Equal fields (pydantic's own comparison, without its generic checks: people are
        compared often, as members of lists)."""
        if self is other:
            return True
        if not isinstance(other, Person):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    def ref(self) -> SpeakerRef:
        return SpeakerRef(id=self.id, name=self.name)

    def keys(self) -> frozenset[str]:
        """Every folded name this person answers to."""
        return _name_keys(self.surname, self.name, tuple(self.names), tuple(self.aliases))

    def clone(self) -> Person:
        """A copy whose lists can change without changing this person (what `model_copy` does,
        without its generic path: a memory copies each person it hands out after a clone)."""
        values = dict(self.__dict__)
        for field in _LISTS:
            values[field] = list(values[field])
        copy = _new_object(Person)
        _set_attribute(copy, "__dict__", values)
        _set_attribute(copy, "__pydantic_fields_set__", set(self.__pydantic_fields_set__))
        _set_attribute(copy, "__pydantic_extra__", None)
        _set_attribute(copy, "__pydantic_private__", None)
        return copy

    def first_names(self) -> set[str]:
        return {fold(n).split()[0] for n in [self.name, *self.names] if len(n.split()) > 1}


#: the list fields of a person, copied by `Person.clone`
_LISTS = ("names", "aliases", "roles", "descriptors")
_new_object = object.__new__
_set_attribute = object.__setattr__


@lru_cache(maxsize=8192)
def _name_keys(
    surname: str, name: str, names: tuple[str, ...], aliases: tuple[str, ...]
) -> frozenset[str]:
    return frozenset(fold(n) for n in (surname, name, *names, *aliases))


class SpeakerMemory(BaseModel):
    """The people of one blog and their order of salience (most salient first).

    Lookups by name, role and descriptor go through an index (`NameIndex`) kept beside `persons`;
    change a person's names, roles and descriptors through the memory (`add`, `add_alias`,
    `learn_role`, `learn_descriptor`), or call `reindex` after changing them by hand.

    A clone shares its people with its original until one of them hands a person out (`clone`):
    take people from the memory's lookups, `add` or `person`, never from `persons` itself, to
    change them.
    """

    model_config = ConfigDict(extra="forbid")

    persons: dict[str, Person] = Field(default_factory=dict)
    salience: list[str] = Field(default_factory=list)
    last_speakers: list[str] = Field(default_factory=list)
    #: learned people kept at most (`compact`); people from a knowledge file come on top
    limit: int = Field(DEFAULT_LIMIT, ge=1)
    #: counts promotions: a person's `seen` is the count at their latest
    clock: int = 0

    #: the name index, built on the first lookup and shared with clones until either changes
    _index: NameIndex | None = PrivateAttr(default=None)
    #: since this memory was cloned or last cloned from, the ids of the people it copied for
    #: itself; every other `Person` in `persons` is shared with the other memory, and copied
    #: before it is handed out (None: no person is shared)
    _owned: set[str] | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        """Equal fields (the index is no part of the value)."""
        if not isinstance(other, SpeakerMemory):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    def clone(self) -> SpeakerMemory:
        """A copy the attribute stage may change while this memory stays as it is, compacted to
        its `limit` of people.

        Copy on write: the two share every `Person` until one of them hands that person out
        (a lookup, `add`, `person`), which copies it first (`Person.clone`), so an entry costs
        the people it touches rather than everyone the blog has named. Both sides copy, so
        either may go on changing."""
        copy = self.model_copy(
            update={
                "persons": dict(self.persons),
                "salience": list(self.salience),
                "last_speakers": list(self.last_speakers),
            }
        )
        index = self._lookup_index()
        index.shared = True
        copy._index = index
        self._private()["_owned"] = set()
        copy._private()["_owned"] = set()
        if len(copy.persons) > copy.limit:
            copy.compact()
        return copy

    def person(self, pid: str) -> Person | None:
        """The person `pid`, this memory's own (to read or change)."""
        person = self.persons.get(pid)
        return self._own(person) if person is not None else None

    def _private(self) -> dict[str, object]:
        # pydantic's private store, read directly: its attribute hook costs more than the
        # lookups it serves (the store is a dict with every private attribute as a key)
        private = self.__pydantic_private__
        assert private is not None
        return private

    def _own(self, person: Person) -> Person:
        """`person` as this memory's own: a person shared with a clone (or the original of
        one) is copied into `persons` first, so changing it changes only this memory."""
        owned = self._private()["_owned"]
        if owned is None:
            return person
        assert isinstance(owned, set)
        pid = person.id
        current = self.persons.get(pid)
        if current is None:
            return person  # not (or no longer) one of this memory's people
        if pid in owned:
            return current  # this memory's own, even for a copy of it handed out before
        copy = current.clone()
        self.persons[pid] = copy
        owned.add(pid)
        return copy

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
        index = self._lookup_index()
        words = key.split()
        exact = index.with_key(key, self.persons)
        if not exact:
            surname = split_name(" ".join(words))[1] if len(words) > 1 else key
            same = index.with_surname(self.persons, words, surname)
            exact = [p for p in same if _surname_match(p, words)]
        if exact:
            return self._most_salient(exact), False
        if not fuzzy or len(words[-1]) < 3 or words[-1] in index.surnames:
            return None, False  # a known surname with another first name is somebody else
        if len(words[-1]) == 3:
            found = self._clipped(index, words[-1])
        else:
            found = self._fuzzy(index, words[-1])
        return (self._own(found), True) if found is not None else (None, False)

    def by_first_name(self, name: str) -> Person | None:
        """The one person whose first name is `name` ("Dame Helena", "Sir Tobias")."""
        key = fold(name)
        found = [p for p in self.persons.values() if p.kind == "person" and key in p.first_names()]
        return self._own(found[0]) if len(found) == 1 else None

    def reindex(self, person: Person | None = None) -> None:
        """Bring the name index up to date after `person`'s names (or anyone's) were changed
        other than through the memory's own methods."""
        if person is None or self._index is None:
            self._index = None
        else:
            self._writable_index().put(person)

    def _lookup_index(self) -> NameIndex:
        # read from pydantic's private store directly: its attribute hook costs more than the
        # lookup (the index is private, so the store is a dict with its key)
        private = self.__pydantic_private__
        assert private is not None
        index: NameIndex | None = private["_index"]
        if index is None or len(index.order) != len(self.persons):
            index = private["_index"] = NameIndex.build(self.persons)
        return index

    def _writable_index(self) -> NameIndex:
        index = self._lookup_index()
        if index.shared:
            index = self._index = index.copy()
        return index

    def _clipped(self, index: NameIndex, word: str) -> Person | None:
        """The one person a three-letter word is the clipped name of: a four-letter surname it
        begins ("Kir" for a "Kiro" typed in haste); shorter words match nothing."""
        found = {
            pid
            for pid in index.initials.get(word[0], ())
            for candidate in index.placed[pid][2]
            if len(candidate) == 4 and candidate.startswith(word)
        }
        return self.persons[found.pop()] if len(found) == 1 else None

    def _fuzzy(self, index: NameIndex, word: str) -> Person | None:
        best: list[str] = []
        best_score = 0.0
        for pid in index.initials.get(word[0], ()):
            for candidate in index.placed[pid][2]:
                if candidate[0] != word[0]:
                    continue
                apart = abs(len(word) - len(candidate))
                if apart > 1 and 100.0 * (1 - apart / (len(word) + len(candidate))) < _FUZZY_MIN:
                    continue  # neither close enough by ratio (its upper bound) nor one edit away
                score = fuzz.ratio(word, candidate)
                close = (
                    min(len(word), len(candidate)) >= _ONE_EDIT_MIN_LEN
                    and Levenshtein.distance(word, candidate) <= 1
                )
                if score < _FUZZY_MIN and not close:
                    continue
                if score > best_score:
                    best, best_score = [pid], score
                elif score == best_score and pid not in best:
                    best.append(pid)
        return self.persons[best[0]] if len(best) == 1 else None

    def by_role(self, role: str) -> Person | None:
        """The person whose learned role holds every word of `role`, most salient first."""
        words = fold(role).split()
        if not words:
            return None
        wanted = set(words)
        index = self._lookup_index()
        found = [
            self.persons[pid]
            for pid in index.role_words.get(words[-1], ())
            if wanted.issubset(index.traits[pid][3])  # the words of their roles and descriptors
        ]
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
        index = self._lookup_index()
        ids: Sequence[str] = index.descriptors.get(key, ())
        modifiers = set(key.split()[:-1])
        if not ids and modifiers:
            ids = index.with_all(index.words, modifiers)  # words of their roles and descriptors
        if not ids and key:
            # "the engineer" for a "chief engineer": a learned descriptor or role with that head
            ids = index.heads.get(key.split()[-1], ())
        return self._most_salient([self.persons[pid] for pid in ids]) if ids else None

    def full_name_ids(self) -> Mapping[str, tuple[str, ...]]:
        """Each word of the name (and the surname) of everyone with a full name -> their ids, in
        the order of `persons` (read it again after a change: it is the memory's own index)."""
        return self._lookup_index().full

    def with_surname_in(self, words: Iterable[str]) -> list[str]:
        """The ids of the people whose folded surname, or its first word, is one of `words`
        (folded), in the order of `persons`: those a text of these words may name."""
        index = self._lookup_index()
        found = {
            pid
            for word in words
            for pid in (*index.surnames.get(word, ()), *index.surname_starts.get(word, ()))
        }
        return sorted(found, key=index.order.__getitem__) if len(found) > 1 else list(found)

    def name_forms(self) -> NameForms:
        """The folded names and surnames of everyone (not their aliases), to ask `in` of."""
        return NameForms(self._lookup_index(), self.persons)

    def descriptor_ids(self) -> Mapping[str, tuple[str, ...]]:
        """Each learned descriptor -> the ids of the people it describes, in the order of
        `persons` (read it again after a change: it is the memory's own index)."""
        return self._lookup_index().descriptors

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
                return self._own(person)
        unnamed = [p for p in self.persons.values() if p.id not in self.salience and fits(p)]
        return self._own(unnamed[0]) if len(unnamed) == 1 else None

    def _most_salient(self, people: list[Person]) -> Person:
        """The most salient of `people` (this memory's own)."""
        if len(people) == 1:
            return self._own(people[0])
        rank = {pid: i for i, pid in enumerate(self.salience)}
        return self._own(min(people, key=lambda p: (rank.get(p.id, len(rank)), -p.mentions)))

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
            changed = False
            if name not in person.names and len(person.names) < _LIST_DEPTH:
                person.names.append(name)
                changed = True
            if kind == "person" and len(name.split()) > len(person.name.split()):
                person.name = name
                changed = True
            if changed:
                self._writable_index().put(person)
        if role:
            self.learn_role(person, role)
        self.learn_gender(person, gender)
        return person

    def _existing(self, name: str, kind: Kind) -> Person | None:
        if kind == "org":
            found = self._lookup_index().with_key(fold(name), self.persons)
            return self._own(found[0]) if found else None
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
        index = self._writable_index()
        self.persons[pid] = person
        owned = self._private()["_owned"]
        if isinstance(owned, set):
            owned.add(pid)  # a new person is nobody else's
        index.put(person)
        return person

    def add_alias(self, person: Person, alias: str) -> None:
        """Another name `person` answers to ("the housing czar"), without the article."""
        person = self._own(person)
        alias = _ARTICLE.sub("", alias.strip())
        if alias and alias not in person.aliases and len(person.aliases) < _LIST_DEPTH:
            person.aliases.append(alias)
            self._writable_index().put(person)

    def learn_role(self, person: Person, role: str) -> None:
        person = self._own(person)
        key = fold(_ARTICLE.sub("", role))
        if key and key not in person.roles and len(person.roles) < _LIST_DEPTH:
            person.roles.append(key)
            self._writable_index().put(person)

    def learn_descriptor(self, person: Person, descriptor: str) -> None:
        person = self._own(person)
        key = fold(_ARTICLE.sub("", descriptor))
        if key and key not in person.descriptors and len(person.descriptors) < _LIST_DEPTH:
            person.descriptors.append(key)
            self._writable_index().put(person)

    def learn_gender(self, person: Person, gender: str | None) -> None:
        """Set a gender the text makes clear; a known gender is never overwritten."""
        person = self._own(person)
        value = _GENDERS.get(gender or "")
        if value is not None and person.gender is None and person.kind == "person":
            person.gender = value

    def promote(self, person: Person) -> None:
        """Make `person` the most salient."""
        person = self._own(person)
        if person.id in self.salience:
            self.salience.remove(person.id)
        self.salience.insert(0, person.id)
        del self.salience[_SALIENCE_DEPTH:]
        self.clock += 1
        person.seen = self.clock

    def forget(self, pid: str) -> None:
        """Drop the person `pid` from the memory."""
        if pid in self.persons:
            self._writable_index().drop(pid)
            del self.persons[pid]
        if pid in self.salience:
            self.salience.remove(pid)
        if pid in self.last_speakers:
            self.last_speakers.remove(pid)

    def compact(self) -> None:
        """Keep at most `limit` learned people: forget the ones promoted least recently (the
        earliest learned first among equals); the salient ones and the last speakers only when
        the limit is smaller than they are many; people from a knowledge file never. A blog's
        state (and its checkpoint) so stays small however long the blog runs; someone forgotten
        and named again starts afresh."""
        learned = [p for p in self.persons.values() if not p.known]
        excess = len(learned) - self.limit
        if excess <= 0:
            return
        keep = {*self.salience, *self.last_speakers}
        order = {pid: i for i, pid in enumerate(self.persons)}
        stale = sorted(learned, key=lambda p: (p.id in keep, p.seen, order[p.id]))
        for person in stale[:excess]:
            self.forget(person.id)

    def speakers(self, blog_id: str) -> list[Speaker]:
        """The people who spoke, as speaker records for the sinks."""
        return [speaker_record(p, blog_id) for p in self.persons.values() if p.spoke]


def speaker_record(person: Person, blog_id: str) -> Speaker:
    """A person who spoke as the speaker record of a blog."""
    return Speaker(
        id=person.id,
        blog_id=blog_id,
        name=person.name,
        aliases=tuple(sorted({*person.names, *person.aliases, person.surname} - {person.name})),
        roles=tuple(person.roles),
        descriptors=tuple(person.descriptors),
        gender=person.gender,
        kind=person.kind,
        quote_count=person.quotes,
    )


def speaker_fields(person: Person) -> tuple[object, ...]:
    """Everything a person's speaker record is made of: people with equal fields (of one blog)
    have equal records, and comparing these is much cheaper than building the records."""
    return (
        person.id,
        person.name,
        person.surname,
        tuple(person.names),
        tuple(person.aliases),
        tuple(person.roles),
        tuple(person.descriptors),
        person.gender,
        person.kind,
        person.quotes,
    )


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


def starting_memory(path: Path | None, *, limit: int = DEFAULT_LIMIT) -> SpeakerMemory:
    """The memory every blog starts from: the knowledge file's people (`path`), or nobody;
    `limit` is `Settings.max_speakers`."""
    return load_knowledge(path, limit=limit) if path is not None else SpeakerMemory(limit=limit)


def load_knowledge(path: Path, *, limit: int = DEFAULT_LIMIT) -> SpeakerMemory:
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
    memory = SpeakerMemory(limit=limit)
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
    person.known = True
    for alias in _strings(item, "aliases", where):
        memory.add_alias(person, alias)
    for role in _strings(item, "roles", where):
        memory.learn_role(person, role)
    for desc in [*_strings(item, "descriptors", where), *_strings(item, "nationality", where)]:
        memory.learn_descriptor(person, desc)


def _org_kind(name: str) -> str | None:
    words = name.split()
    return lexicon().org_kind(words[-1]) if words else None
