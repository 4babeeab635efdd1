"""The speaker memory stays small however long a blog runs: it keeps at most `limit` learned
people, forgetting the ones mentioned least recently, and short lists per person."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from streams.attribution.memory import (
    DEFAULT_LIMIT,
    SpeakerMemory,
    load_knowledge,
    starting_memory,
)
from streams.core.settings import Settings
from tests.test_streams.test_attribution.blog import run

_SYLLABLES = ["ka", "lo", "mi", "ren", "sto", "vi", "dar", "nu", "bel", "or", "ast", "qu"]


def _names(count: int, seed: int = 0) -> list[str]:
    """`count` different invented full names."""
    rng = random.Random(seed)
    names: set[str] = set()
    while len(names) < count:
        given = "".join(rng.choice(_SYLLABLES) for _ in range(2)).capitalize()
        surname = "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()
        names.add(f"{given} {surname}")
    return sorted(names)


def _entry(memory: SpeakerMemory, names: list[str]) -> SpeakerMemory:
    """What one entry does to the memory: a working copy that learns and promotes `names`."""
    working = memory.clone()
    people = [working.add(name, role="spokesperson") for name in names]
    for person in people:
        person.mentions += 1
        working.promote(person)
    working.last_speakers = [people[-1].id]
    return working


class TestLimit:
    def test_a_long_blog_keeps_the_memory_bounded(self) -> None:
        """Over 10,000 entries naming new people, people and checkpoint size stay flat."""
        names = _names(2_000)
        memory = SpeakerMemory(limit=20)
        sizes = []
        for n in range(10_000):
            memory = _entry(memory, [names[n % len(names)], names[(7 * n + 3) % len(names)]])
            assert len(memory.persons) <= 20 + 2  # compacted at the start of each entry
            if n % 1_000 == 999:
                sizes.append(len(memory.model_dump_json()))
        assert max(sizes) <= 1.1 * min(sizes)

    def test_default_limit(self) -> None:
        """A memory keeps 200 learned people unless told otherwise, as the settings say."""
        assert SpeakerMemory().limit == DEFAULT_LIMIT == Settings().max_speakers == 200

    def test_starting_memory_takes_the_limit(self, tmp_path: Path) -> None:
        """Every blog's starting memory, with or without a knowledge file, has the set limit."""
        path = tmp_path / "k.yaml"
        path.write_text("- name: Maria Okafor\n", encoding="utf-8")
        assert starting_memory(None, limit=7) == SpeakerMemory(limit=7)
        known = starting_memory(path, limit=7)
        assert known.limit == 7
        assert [p.known for p in known.persons.values()] == [True]

    def test_forgets_the_least_recently_mentioned(self) -> None:
        """Beyond the limit, the people promoted longest ago go first."""
        names = _names(8)
        memory = SpeakerMemory(limit=5)
        for name in names:
            memory = _entry(memory, [name])
        memory = _entry(memory, [names[0]])  # mentioned again: recent
        memory = memory.clone()
        kept = {p.name for p in memory.persons.values()}
        assert kept == {names[0], *names[4:]}

    def test_keeps_recent_speakers(self) -> None:
        """After a long run of entries the recent speakers are still known by surname."""
        names = _names(500, seed=1)
        memory = SpeakerMemory(limit=40)
        for name in names:
            memory = _entry(memory, [name])
        memory = memory.clone()
        for name in names[-40:]:
            person, _ = memory.by_name(name.split()[-1])
            assert person is not None and person.name == name
        assert memory.by_name(names[0])[0] is None

    def test_salient_people_and_last_speakers_stay(self) -> None:
        """The salience list and the last speakers are never forgotten, however old."""
        names = _names(30, seed=2)
        memory = SpeakerMemory(limit=3)
        for name in names:
            memory.add(name)
        memory.promote(memory.by_name(names[0])[0])  # type: ignore[arg-type]
        memory.last_speakers = [memory.by_name(names[1])[0].id]  # type: ignore[union-attr]
        memory.compact()
        assert {p.name for p in memory.persons.values()} == {names[0], names[1], names[29]}

    def test_knowledge_file_people_stay_and_do_not_count(self, tmp_path: Path) -> None:
        """People from the knowledge file are never forgotten and come on top of the limit."""
        path = tmp_path / "k.yaml"
        path.write_text("".join(f"- name: {n}\n" for n in _names(5, seed=3)), encoding="utf-8")
        memory = load_knowledge(path, limit=4)
        for name in _names(20, seed=4):
            memory = _entry(memory, [name])
        memory = memory.clone()
        assert sum(p.known for p in memory.persons.values()) == 5
        assert sum(not p.known for p in memory.persons.values()) == 4

    def test_lists_per_person_are_bounded(self) -> None:
        """One person learns at most 24 names, aliases, roles and descriptors each."""
        memory = SpeakerMemory()
        person = memory.add("Maria Okafor")
        for n in range(100):
            memory.learn_role(person, f"role {n}")
            memory.learn_descriptor(person, f"descriptor {n}")
            memory.add_alias(person, f"alias {n}")
        assert (len(person.roles), len(person.descriptors), len(person.aliases)) == (24, 24, 24)
        assert person.roles[0] == "role 0"

    def test_someone_forgotten_starts_afresh(self) -> None:
        """A person forgotten and named again is learned again, under the same id."""
        names = _names(10, seed=5)
        memory = SpeakerMemory(limit=2)
        first = memory.add(names[0]).id
        for name in names[1:]:
            memory = _entry(memory, [name])
        memory = memory.clone()
        assert first not in memory.persons
        assert memory.add(names[0]).id == first

    @pytest.mark.parametrize("limit", [1, 10])
    def test_lookups_after_compaction_agree_with_a_fresh_memory(self, limit: int) -> None:
        """The name index follows the forgetting: a compacted memory finds exactly what the
        same memory restored from JSON (indexed afresh) finds."""
        names = _names(60, seed=6)
        memory = SpeakerMemory(limit=limit)
        for name in names:
            memory = _entry(memory, [name])
        memory = memory.clone()
        restored = SpeakerMemory.model_validate_json(memory.model_dump_json())
        for name in names:
            for form in (name, name.split()[-1]):
                got, want = memory.by_name(form)[0], restored.by_name(form)[0]
                assert (got.id if got else None) == (want.id if want else None)


class TestLimitInTheStage:
    def test_a_long_blog_through_the_attribute_stage(self) -> None:
        """Entries quoting ever new people through the stage keep the memory bounded, and the
        latest speakers are still found."""
        names = _names(120, seed=8)
        entries = [f"“We will rebuild,” said {name}, the mayor." for name in names]
        results, memory = run(*entries, memory=SpeakerMemory(limit=20))
        assert len(memory.persons) <= 20 + 1
        assert results[-1].quotes[0].speaker is not None
        assert results[-1].quotes[0].speaker.name == names[-1]
        assert memory.by_name(names[-2].split()[-1])[0] is not None
