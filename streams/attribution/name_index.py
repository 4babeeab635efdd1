"""The name index of a speaker memory: its people by folded name, surname and first letter,
and by the words of their full names, roles and descriptors.

`SpeakerMemory.by_name` used to scan every person of a blog for each name it looked up (the
attribute and enrich stages look up some twenty names an entry), and the lookups by role and
descriptor still did: a blog's memory holds up to 200 people, so an entry late in a long blog
cost twice one early. The index finds the same people, in the same order, so ties are broken as
before. It holds person ids only, so a clone of the memory can share it until either changes a
name, role or descriptor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from streams.core.text import fold

if TYPE_CHECKING:
    from streams.attribution.memory import Person

__all__ = ["NameForms", "NameIndex", "head"]

_OWNED = re.compile(r"\s(?:of|for|to|at|in)\s")


@lru_cache(maxsize=8192)
def head(phrase: str) -> str:
    """The noun a role or descriptor is about: `president` in "president of the federation"."""
    words = _OWNED.split(phrase, maxsplit=1)[0].split()
    return words[-1] if words else ""


#: a person's keys in the trait buckets: words of a full name, descriptors, words of roles,
#: words of roles and descriptors, heads of roles and descriptors, the first word of a folded
#: surname of several words
_Traits = tuple[
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
]


def _keys(words: Iterable[str]) -> tuple[str, ...]:
    """Distinct keys as a tuple (a third the size of a frozenset: every blog's index holds
    six per person)."""
    return tuple(dict.fromkeys(words))


def _traits(person: Person) -> _Traits:
    surname = fold(person.surname)
    full = _keys([*fold(person.name).split(), surname]) if len(person.name.split()) > 1 else ()
    role_words = _keys(w for r in person.roles for w in r.split())
    words = _keys([*role_words, *(w for d in person.descriptors for w in d.split())])
    heads = _keys(head(p) for p in [*person.descriptors, *person.roles])
    first = (surname.split(" ")[0],) if " " in surname else ()
    return full, _keys(person.descriptors), role_words, words, heads, first


class NameIndex:
    """Where a memory's people are found by name, kept beside `SpeakerMemory.persons`.

    Every bucket lists ids in the order of `persons`, so a lookup sees the people a scan would,
    in the order it would: folded name or alias -> people (any kind), folded surname -> people
    (any kind), first letter of a person's surname or alias -> people (kind `person`), with the
    folded surname and aliases (the spellings a misspelling is compared with) of each. A clone
    shares its original's index until either one changes it (`shared`).
    """

    __slots__ = (
        "descriptors",
        "full",
        "heads",
        "initials",
        "keys",
        "order",
        "placed",
        "role_words",
        "shared",
        "surname_starts",
        "surnames",
        "top",
        "traits",
        "words",
    )

    def __init__(self) -> None:
        self.keys: dict[str, tuple[str, ...]] = {}
        self.surnames: dict[str, tuple[str, ...]] = {}
        self.initials: dict[str, tuple[str, ...]] = {}
        #: word of the folded name, or the folded surname, of someone with a full name -> ids
        self.full: dict[str, tuple[str, ...]] = {}
        #: learned descriptor -> ids; word of a role -> ids; word of a role or descriptor -> ids;
        #: head of a role or descriptor ("engineer" of "chief engineer") -> ids
        self.descriptors: dict[str, tuple[str, ...]] = {}
        self.role_words: dict[str, tuple[str, ...]] = {}
        self.words: dict[str, tuple[str, ...]] = {}
        self.heads: dict[str, tuple[str, ...]] = {}
        #: first word of a folded surname of several words -> ids
        self.surname_starts: dict[str, tuple[str, ...]] = {}
        #: each indexed person's keys in those six
        self.traits: dict[str, _Traits] = {}
        #: each indexed person's place in `persons`; their keys, folded surname and spellings
        self.order: dict[str, int] = {}
        self.placed: dict[str, tuple[frozenset[str], str, frozenset[str]]] = {}
        self.top = 0
        self.shared = False

    @classmethod
    def build(cls, persons: dict[str, Person]) -> NameIndex:
        index = cls()
        for person in persons.values():
            index.put(person)
        return index

    def copy(self) -> NameIndex:
        index = NameIndex()
        index.keys, index.surnames = dict(self.keys), dict(self.surnames)
        index.initials, index.order = dict(self.initials), dict(self.order)
        index.placed, index.top = dict(self.placed), self.top
        index.full, index.descriptors = dict(self.full), dict(self.descriptors)
        index.role_words, index.words = dict(self.role_words), dict(self.words)
        index.heads, index.traits = dict(self.heads), dict(self.traits)
        index.surname_starts = dict(self.surname_starts)
        return index

    def _trait_buckets(self) -> tuple[dict[str, tuple[str, ...]], ...]:
        return (
            self.full,
            self.descriptors,
            self.role_words,
            self.words,
            self.heads,
            self.surname_starts,
        )

    def put(self, person: Person) -> None:
        """Index `person` (again, after a change of names) at their place."""
        pid = person.id
        if pid in self.order:
            self._remove(pid)
        else:
            self.order[pid] = self.top
            self.top += 1
        surname = fold(person.surname)
        spellings = (
            frozenset(c for c in {surname, *(fold(a) for a in person.aliases)} if c)
            if person.kind == "person"
            else frozenset()
        )
        keys = person.keys()
        self.placed[pid] = (keys, surname, spellings)
        for key in keys:
            self._insert(self.keys, key, pid)
        self._insert(self.surnames, surname, pid)
        for letter in {c[0] for c in spellings}:
            self._insert(self.initials, letter, pid)
        traits = self.traits[pid] = _traits(person)
        for buckets, keys_of in zip(self._trait_buckets(), traits, strict=True):
            for key in keys_of:
                self._insert(buckets, key, pid)

    def drop(self, pid: str) -> None:
        """Forget the person `pid`."""
        if pid in self.order:
            self._remove(pid)
            del self.order[pid], self.placed[pid], self.traits[pid]

    def _remove(self, pid: str) -> None:
        keys, surname, spellings = self.placed[pid]
        for key in keys:
            self._delete(self.keys, key, pid)
        self._delete(self.surnames, surname, pid)
        for letter in {c[0] for c in spellings}:
            self._delete(self.initials, letter, pid)
        for buckets, keys_of in zip(self._trait_buckets(), self.traits[pid], strict=True):
            for key in keys_of:
                self._delete(buckets, key, pid)

    def _insert(self, buckets: dict[str, tuple[str, ...]], key: str, pid: str) -> None:
        bucket = buckets.get(key, ())
        if bucket and self.order[bucket[-1]] > self.order[pid]:
            buckets[key] = tuple(sorted((*bucket, pid), key=self.order.__getitem__))
        else:
            buckets[key] = (*bucket, pid)

    @staticmethod
    def _delete(buckets: dict[str, tuple[str, ...]], key: str, pid: str) -> None:
        bucket = tuple(p for p in buckets.get(key, ()) if p != pid)
        if bucket:
            buckets[key] = bucket
        else:
            buckets.pop(key, None)

    def with_key(self, key: str, persons: dict[str, Person]) -> list[Person]:
        return [persons[pid] for pid in self.keys.get(key, ())]

    def with_surname(
        self, persons: dict[str, Person], words: list[str], surname: str
    ) -> list[Person]:
        """The people (kind `person`) whose folded surname is `surname` (that of the folded
        `words`) or their last word."""
        pids = self.surnames.get(words[-1], ())
        if surname != words[-1] and surname in self.surnames:
            both = {*pids, *self.surnames[surname]}
            pids = tuple(sorted(both, key=self.order.__getitem__))
        return [p for pid in pids if (p := persons[pid]).kind == "person"]

    def with_all(self, buckets: dict[str, tuple[str, ...]], keys: set[str]) -> list[str]:
        """The ids under every one of `keys` in `buckets`, in the order of `persons`."""
        found: set[str] | None = None
        for key in keys:
            ids = buckets.get(key, ())
            found = set(ids) if found is None else found & set(ids)
            if not found:
                return []
        return sorted(found or (), key=self.order.__getitem__)


class NameForms:
    """The folded names (any of a person's `names`) and surnames of a memory's people, not
    their aliases: `word in forms` looks the word up in the index's keys, then asks the few
    people under it."""

    __slots__ = ("_index", "_persons")

    def __init__(self, index: NameIndex, persons: Mapping[str, Person]) -> None:
        self._index = index
        self._persons = persons

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        index = self._index
        for pid in index.keys.get(word, ()):
            if word == index.placed[pid][1]:
                return True
            if any(fold(n) == word for n in self._persons[pid].names):
                return True
        return False
