"""The name index of a speaker memory: its people by folded name, surname and first letter.

`SpeakerMemory.by_name` used to scan every person of a blog for each name it looked up (the
attribute and enrich stages look up some twenty names an entry); the index finds the same people,
in the same order, so ties are broken as before. It holds person ids only, so a clone of the
memory can share it until either changes a name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streams.core.text import fold

if TYPE_CHECKING:
    from streams.attribution.memory import Person

__all__ = ["NameIndex"]


class NameIndex:
    """Where a memory's people are found by name, kept beside `SpeakerMemory.persons`.

    Every bucket lists ids in the order of `persons`, so a lookup sees the people a scan would,
    in the order it would: folded name or alias -> people (any kind), folded surname -> people
    (any kind), first letter of a person's surname or alias -> people (kind `person`), with the
    folded surname and aliases (the spellings a misspelling is compared with) of each. A clone
    shares its original's index until either one changes it (`shared`).
    """

    __slots__ = ("initials", "keys", "order", "placed", "shared", "surnames", "top")

    def __init__(self) -> None:
        self.keys: dict[str, tuple[str, ...]] = {}
        self.surnames: dict[str, tuple[str, ...]] = {}
        self.initials: dict[str, tuple[str, ...]] = {}
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
        return index

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

    def drop(self, pid: str) -> None:
        """Forget the person `pid`."""
        if pid in self.order:
            self._remove(pid)
            del self.order[pid], self.placed[pid]

    def _remove(self, pid: str) -> None:
        keys, surname, spellings = self.placed[pid]
        for key in keys:
            self._delete(self.keys, key, pid)
        self._delete(self.surnames, surname, pid)
        for letter in {c[0] for c in spellings}:
            self._delete(self.initials, letter, pid)

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
