"""Every name the pipeline resolved to each person of a blog, for `speaker:` filters.

A quote carries its speaker's id and canonical name; the speaker memory knows more names for the
same person (surname, full name, aliases of a knowledge file, spellings it resolved). The
directory gathers them from `Speaker` records (or the memory itself) so that `speaker:` matches a
person by any of them, and keeps the roles that reported speech may name them by.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemas.events import Speaker, SpeakerRef
from streams.attribution.memory import SpeakerMemory
from streams.core.text import name_keys, normalize_term

__all__ = ["SpeakerDirectory", "name_keys"]

#: bounds, so that a hostile stream cannot grow the directory without limit
_MAX_PEOPLE = 100_000
_MAX_NAMES_EACH = 64


class SpeakerDirectory:
    """Names and roles of the people of each blog, learned from speaker records and quotes."""

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], set[str]] = {}
        self._roles: dict[tuple[str, str], set[str]] = {}
        self._keys: dict[tuple[str, str], frozenset[str]] = {}

    def _add(
        self, blog_id: str, person_id: str, names: Iterable[str], roles: Iterable[str]
    ) -> None:
        key = (blog_id, person_id)
        known = self._names.get(key)
        if known is None:
            if len(self._names) >= _MAX_PEOPLE:
                return
            known = self._names[key] = {person_id}
        before = len(known)
        for name in names:
            if len(known) < _MAX_NAMES_EACH and name:
                known.add(name)
        if len(known) != before:
            self._keys.pop(key, None)
        role_set = self._roles.setdefault(key, set())
        for role in roles:
            if len(role_set) < _MAX_NAMES_EACH and role:
                role_set.add(normalize_term(role))

    def learn(self, speaker: Speaker) -> None:
        """Take in a speaker record (name, aliases and roles)."""
        self._add(speaker.blog_id, speaker.id, [speaker.name, *speaker.aliases], speaker.roles)

    def learn_ref(self, blog_id: str, ref: SpeakerRef) -> None:
        """Take in the name a quote or an entry gives its speaker."""
        self._add(blog_id, ref.id, [ref.name], ())

    def learn_memory(self, blog_id: str, memory: SpeakerMemory) -> None:
        """Take in every person a blog's speaker memory knows."""
        for person in memory.persons.values():
            self._add(
                blog_id,
                person.id,
                [person.name, person.surname, *person.names, *person.aliases],
                person.roles,
            )

    def keys(self, blog_id: str, ref: SpeakerRef) -> frozenset[str]:
        """The folded names (and their words) `ref` answers to."""
        key = (blog_id, ref.id)
        cached = self._keys.get(key)
        if cached is not None and ref.name in self._names.get(key, ()):
            return cached
        self._add(blog_id, ref.id, [ref.name], ())
        found = name_keys(self._names.get(key, {ref.id, ref.name}))
        if key in self._names:
            self._keys[key] = found
        return found

    def roles(self, blog_id: str, person_id: str) -> frozenset[str]:
        """The folded roles the person was introduced with ("foreign minister", "un chief")."""
        return frozenset(self._roles.get((blog_id, person_id), ()))
