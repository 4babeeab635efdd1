"""The speaker memory's name index: every lookup (by name, role, descriptor) finds what a scan
of all people finds.

The reference below is the scan the index replaced; random memories are built, changed and
queried through both, and must agree person for person (and so in the order ties are broken).
"""

from __future__ import annotations

import random
import re

import pytest
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from streams.attribution.memory import Person, SpeakerMemory, fold, split_name

_GIVEN = ["Maria", "Mária", "Jan", "Tom", "Ann", "J.", "M.", "Sergei", "Sergey", "Luiz", "Lula"]
_SURNAMES = [
    "Okafor",
    "Okafour",
    "Okafr",
    "Lindqvist",
    "Lindquist",
    "von der Heyde",
    "de Vries",
    "De Vries",
    "da Silva",
    "Nwosu",
    "Nwoso",
    "Ng",
    "Olsen",
    "Olson",
    "Fairweather",
    "Müller",
    "Muller",
]
_ORGS = ["Westshire Police", "Treasury", "Finance Ministry", "Bank of England", "Okafor Group"]
_ALIASES = ["the housing czar", "Okafor", "Nwosu", "Big Tom", "Lindqvist"]
_ROLES = [
    "minister for housing",
    "housing minister",
    "chief engineer",
    "engineer",
    "party chair",
    "president of the federation",
    "spokeswoman",
]
_DESCRIPTORS = ["54-year-old", "labour mp", "veteran striker", "nigerian", "spd politician"]


def _scan_by_name(memory: SpeakerMemory, name: str, fuzzy: bool) -> tuple[Person | None, bool]:
    """`SpeakerMemory.by_name` as a scan of every person (the code the index replaced)."""
    key = fold(name)
    if not key:
        return None, False
    words = key.split()
    people = list(memory.persons.values())
    exact = [p for p in people if key in p.keys()]  # noqa: SIM118 - Person.keys, not a dict
    if not exact:
        exact = [p for p in people if _scan_surname_match(p, words)]
    if exact:
        rank = {pid: i for i, pid in enumerate(memory.salience)}
        return min(exact, key=lambda p: (rank.get(p.id, len(rank)), -p.mentions)), False
    if not fuzzy or len(words[-1]) < 4 or any(fold(p.surname) == words[-1] for p in people):
        return None, False
    found = _scan_fuzzy(people, words[-1])
    return (found, True) if found is not None else (None, False)


def _scan_salient(memory: SpeakerMemory, found: list[Person]) -> str | None:
    if not found:
        return None
    rank = {pid: i for i, pid in enumerate(memory.salience)}
    return min(found, key=lambda p: (rank.get(p.id, len(rank)), -p.mentions)).id


def _words(phrases: list[str]) -> set[str]:
    return {w for phrase in phrases for w in phrase.split()}


def _scan_by_role(memory: SpeakerMemory, role: str) -> str | None:
    """`SpeakerMemory.by_role` as the scan of every person it was."""
    words = fold(role).split()
    if not words:
        return None
    found = [
        p
        for p in memory.persons.values()
        if words[-1] in _words(p.roles) and set(words) <= _words(p.roles) | _words(p.descriptors)
    ]
    return _scan_salient(memory, found)


def _scan_by_descriptor(memory: SpeakerMemory, descriptor: str) -> str | None:
    """`SpeakerMemory.by_descriptor` as the scan of every person it was."""
    key = fold(re.sub(r"^(the|a|an)\s+", "", descriptor, flags=re.IGNORECASE))
    people = list(memory.persons.values())
    found = [p for p in people if key in p.descriptors]
    modifiers = set(key.split()[:-1])
    if not found and modifiers:
        found = [p for p in people if modifiers <= _words(p.descriptors) | _words(p.roles)]
    if not found and key:
        last = key.split()[-1]

        def head(phrase: str) -> str:
            words = re.split(r"\s(?:of|for|to|at|in)\s", phrase, maxsplit=1)[0].split()
            return words[-1] if words else ""

        found = [p for p in people if any(head(d) == last for d in [*p.descriptors, *p.roles])]
    return _scan_salient(memory, found)


def _scan_surname_match(person: Person, words: list[str]) -> bool:
    from streams.attribution.memory import _surname_match

    return _surname_match(person, words)


def _scan_fuzzy(people: list[Person], word: str) -> Person | None:
    best: list[Person] = []
    best_score = 0.0
    for person in people:
        if person.kind != "person":
            continue
        for candidate in {fold(person.surname), *(fold(a) for a in person.aliases)}:
            if not candidate or candidate[0] != word[0]:
                continue
            score = fuzz.ratio(word, candidate)
            close = (
                min(len(word), len(candidate)) >= 5 and Levenshtein.distance(word, candidate) <= 1
            )
            if score < 84.0 and not close:
                continue
            if score > best_score:
                best, best_score = [person], score
            elif score == best_score and person not in best:
                best.append(person)
    return best[0] if len(best) == 1 else None


def _random_name(rng: random.Random) -> str:
    surname = rng.choice(_SURNAMES)
    roll = rng.random()
    if roll < 0.3:
        return surname
    if roll < 0.4:
        return f"{rng.choice(_GIVEN)} {rng.choice(_GIVEN)} {surname}"
    return f"{rng.choice(_GIVEN)} {surname}"


def _random_memory(rng: random.Random, steps: int) -> SpeakerMemory:
    """A memory grown by random additions, aliases, promotions, mentions and evictions."""
    memory = SpeakerMemory()
    for _ in range(steps):
        roll = rng.random()
        if roll < 0.55:
            memory.add(_random_name(rng), gender=rng.choice([None, "m", "f"]))
        elif roll < 0.65:
            org = rng.choice(_ORGS)
            memory.add(org, kind="org", org_kind=org.split()[-1].lower())
        elif memory.persons and roll < 0.72:
            memory.add_alias(rng.choice(list(memory.persons.values())), rng.choice(_ALIASES))
        elif memory.persons and roll < 0.76:
            memory.learn_role(rng.choice(list(memory.persons.values())), rng.choice(_ROLES))
        elif memory.persons and roll < 0.80:
            person = rng.choice(list(memory.persons.values()))
            memory.learn_descriptor(person, rng.choice(_DESCRIPTORS))
        elif memory.persons and roll < 0.85:
            memory.promote(rng.choice(list(memory.persons.values())))
        elif memory.persons and roll < 0.95:
            rng.choice(list(memory.persons.values())).mentions += rng.randint(0, 2)
        elif roll < 0.98:
            memory = memory.clone()
        elif memory.persons:
            memory.forget(rng.choice(list(memory.persons)))
    return memory


def _queries(rng: random.Random) -> list[str]:
    names = [_random_name(rng) for _ in range(40)]
    misspelt = ["Okaforrr", "Okafoor", "Okaf", "Lindqvistian", "Lindkvist", "Nwosuu", "Olssen"]
    return [*names, *_ORGS, *_ALIASES, *_SURNAMES, *misspelt, "", "  ", "okafor", "Xavier"]


class TestIndexAgreesWithScan:
    @pytest.mark.parametrize("seed", range(40))
    def test_by_name(self, seed: int) -> None:
        """On a random memory, every name finds the same person (or nobody) as the scan."""
        rng = random.Random(seed)
        memory = _random_memory(rng, rng.randint(1, 120))
        for name in _queries(rng):
            for fuzzy in (True, False):
                got, was_fuzzy = memory.by_name(name, fuzzy=fuzzy)
                want, want_fuzzy = _scan_by_name(memory, name, fuzzy)
                assert (got is want, was_fuzzy) == (True, want_fuzzy), (name, fuzzy)

    @pytest.mark.parametrize("seed", range(40))
    def test_by_role_and_descriptor(self, seed: int) -> None:
        """On a random memory, every role and descriptor (and the words and heads of them)
        finds the same person (or nobody) as the scan, also after a clone changes them."""
        rng = random.Random(seed)
        memory = _random_memory(rng, rng.randint(1, 120))
        phrases = [*_ROLES, *_DESCRIPTORS, *_words(_ROLES), *_words(_DESCRIPTORS)]
        queries = [*phrases, *(f"the {p}" for p in phrases), "SPD chief", "chief", "", "the"]
        for _ in range(2):
            for query in queries:
                got = memory.by_role(query)
                assert (got.id if got else None) == _scan_by_role(memory, query), query
                got = memory.by_descriptor(query)
                assert (got.id if got else None) == _scan_by_descriptor(memory, query), query
            memory = memory.clone()
            for person in rng.sample(list(memory.persons.values()), min(5, len(memory.persons))):
                memory.learn_role(person, rng.choice(_ROLES))
                memory.learn_descriptor(person, rng.choice(_DESCRIPTORS))

    @pytest.mark.parametrize("seed", range(10))
    def test_clone_and_original_stay_apart(self, seed: int) -> None:
        """A clone changed after the copy and its unchanged original each find their own people."""
        rng = random.Random(seed)
        original = _random_memory(rng, 60)
        before = original.model_dump()
        copy = original.clone()
        for _ in range(30):
            copy.add(_random_name(rng))
            if copy.persons and rng.random() < 0.2:
                copy.add_alias(rng.choice(list(copy.persons.values())), rng.choice(_ALIASES))
        assert original.model_dump() == before
        for memory in (original, copy):
            for name in _queries(rng):
                got, _ = memory.by_name(name)
                assert got is _scan_by_name(memory, name, True)[0], name

    def test_a_memory_read_from_json_is_indexed(self) -> None:
        """A memory restored from its JSON (a checkpoint) finds people as the original does."""
        rng = random.Random(7)
        memory = _random_memory(rng, 80)
        restored = SpeakerMemory.model_validate_json(memory.model_dump_json())
        assert restored == memory
        for name in _queries(rng):
            got, _ = restored.by_name(name)
            want, _ = memory.by_name(name)
            assert (got.id if got else None) == (want.id if want else None), name

    def test_reindex_after_a_change_by_hand(self) -> None:
        """A name given to a person by hand is found once the memory is told (`reindex`)."""
        memory = SpeakerMemory()
        person = memory.add("Maria Okafor")
        assert memory.by_name("Okafor") == (person, False)
        person.aliases.append("the housing czar")
        memory.reindex(person)
        assert memory.by_name("the housing czar") == (person, False)


def test_split_name_is_the_surname_rule() -> None:
    """The index files people under the surname `split_name` gives."""
    assert split_name("maria von der heyde")[1] == "von der heyde"
