"""The speaker memory's name index: every lookup finds what a scan of all people finds.

The reference below is the scan the index replaced; random memories are built, changed and
queried through both, and must agree person for person (and so in the order ties are broken).
"""

from __future__ import annotations

import random

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
