"""Per-blog speaker memory: the people a blog has named, and who spoke last.

The attribute stage reads and returns it; in Kafka mode it lives in a changelog-backed Faust
table, so a restarted worker continues with the same memory. Everything here is learned from the
blog's own text, or preloaded from a user's knowledge file (`load_knowledge`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz

from schemas.events import Speaker, SpeakerRef
from schemas.exceptions import ConfigError

__all__ = ["Person", "SpeakerMemory", "fold", "load_knowledge"]

#: how many people the salience list keeps
_SALIENCE_DEPTH = 12
#: rapidfuzz ratio at which an unknown surname is taken for a known one ("Guiterres")
_FUZZY_MIN = 84.0


def fold(text: str) -> str:
    """Lower case without accents: the key names are compared by."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower().strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "person"


class Person(BaseModel):
    """One person of a blog."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    surname: str
    names: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    descriptors: list[str] = Field(default_factory=list)
    gender: Literal["m", "f"] | None = None
    mentions: int = 0
    quotes: int = 0
    spoke: bool = False

    def ref(self) -> SpeakerRef:
        return SpeakerRef(id=self.id, name=self.name)

    def keys(self) -> set[str]:
        """Every folded name this person answers to."""
        keys = {fold(self.surname), fold(self.name)}
        keys.update(fold(n) for n in self.names)
        keys.update(fold(a) for a in self.aliases)
        return keys


class SpeakerMemory(BaseModel):
    """The people of one blog and their order of salience (most salient first)."""

    model_config = ConfigDict(extra="forbid")

    persons: dict[str, Person] = Field(default_factory=dict)
    salience: list[str] = Field(default_factory=list)
    last_speakers: list[str] = Field(default_factory=list)

    # lookups ---------------------------------------------------------------------------------

    def by_name(self, name: str, *, fuzzy: bool = True) -> tuple[Person | None, bool]:
        """The person `name` refers to, and whether it took fuzzy matching to find them."""
        key = fold(name)
        if not key:
            return None, False
        last = key.split()[-1]
        exact = [p for p in self.persons.values() if key in p.keys()]  # noqa: SIM118 - Person.keys, not a dict
        if not exact:
            exact = [p for p in self.persons.values() if fold(p.surname) == last]
        if exact:
            return self._most_salient(exact), False
        if not fuzzy or len(last) < 4:
            return None, False
        best: Person | None = None
        best_score = 0.0
        for person in self.persons.values():
            for candidate in {fold(person.surname), *(fold(a) for a in person.aliases)}:
                if not candidate or candidate[0] != last[0]:
                    continue
                score = fuzz.ratio(last, candidate)
                if score > best_score:
                    best, best_score = person, score
        if best is not None and best_score >= _FUZZY_MIN:
            return best, True
        return None, False

    def by_role(self, role: str) -> Person | None:
        """The person whose learned role contains `role` (same head noun), most salient first."""
        words = fold(role).split()
        if not words:
            return None
        head = words[-1]
        found = []
        for person in self.persons.values():
            for known in person.roles:
                kw = known.split()
                if kw and kw[-1] == head and set(words) <= set(kw):
                    found.append(person)
                    break
        return self._most_salient(found) if found else None

    def by_descriptor(self, descriptor: str) -> Person | None:
        key = fold(descriptor)
        found = [p for p in self.persons.values() if key in p.descriptors]
        return self._most_salient(found) if found else None

    def most_salient(
        self, gender: str | None = None, exclude: set[str] | None = None
    ) -> Person | None:
        for pid in self.salience:
            person = self.persons.get(pid)
            if person is None or (exclude and pid in exclude):
                continue
            if gender is None or person.gender in (None, gender):
                return person
        return None

    def _most_salient(self, people: list[Person]) -> Person:
        rank = {pid: i for i, pid in enumerate(self.salience)}
        return min(people, key=lambda p: (rank.get(p.id, len(rank)), -p.mentions))

    # updates ---------------------------------------------------------------------------------

    def add(self, name: str, *, role: str | None = None, gender: str | None = None) -> Person:
        """The person called `name`, created if new; a fuller name becomes the canonical one."""
        tokens = name.split()
        person, _ = self.by_name(name, fuzzy=False)
        if person is None:
            pid = _slug(tokens[-1])
            if pid in self.persons:
                pid = _slug(name)
            n = 2
            base = pid
            while pid in self.persons:
                pid, n = f"{base}-{n}", n + 1
            person = Person(id=pid, name=name, surname=tokens[-1], names=[name])
            self.persons[pid] = person
        else:
            if name not in person.names:
                person.names.append(name)
            if len(tokens) > len(person.name.split()):
                person.name = name
        if role:
            self.learn_role(person, role)
        if gender in ("m", "f") and person.gender is None:
            person.gender = gender  # type: ignore[assignment]
        return person

    def learn_role(self, person: Person, role: str) -> None:
        key = fold(role)
        if key and key not in person.roles:
            person.roles.append(key)

    def learn_descriptor(self, person: Person, descriptor: str) -> None:
        key = fold(descriptor)
        if key and key not in person.descriptors:
            person.descriptors.append(key)

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
                quote_count=p.quotes,
            )
            for p in self.persons.values()
            if p.spoke
        ]


def load_knowledge(path: Path) -> SpeakerMemory:
    """A memory preloaded from a YAML knowledge file.

    The file is a list of people::

        - name: Maria Okafor
          aliases: [Okafor]
          roles: [housing minister, minister for housing]
          nationality: Nigerian
          descriptors: [the 54-year-old]
          gender: f
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
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ConfigError(f"{path}: item {i} needs a name")
        gender = item.get("gender")
        person = memory.add(item["name"], gender=gender if gender in ("m", "f") else None)
        for alias in item.get("aliases") or []:
            if str(alias) not in person.aliases:
                person.aliases.append(str(alias))
        for role in item.get("roles") or []:
            memory.learn_role(person, re.sub(r"^(the|a|an)\s+", "", str(role), flags=re.I))
        for desc in [*(item.get("descriptors") or []), item.get("nationality")]:
            if desc:
                memory.learn_descriptor(
                    person, re.sub(r"^(the|a|an)\s+", "", str(desc), flags=re.I)
                )
    return memory
