"""The per-blog speaker memory: lookups by name, misspelling, role, organisation and descriptor,
and the YAML knowledge file."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.exceptions import ConfigError
from streams.attribution.memory import SpeakerMemory, load_knowledge, split_name


@pytest.fixture(name="memory")
def fixture_memory() -> SpeakerMemory:
    """Two people and an organisation, as a blog would have learned them."""
    memory = SpeakerMemory()
    okafor = memory.add("Maria Okafor", role="minister for housing", gender="f")
    memory.learn_descriptor(okafor, "54-year-old")
    memory.add("Jan Lindqvist", role="EU trade commissioner", gender="m")
    memory.add("Westshire Police", kind="org", org_kind="police")
    return memory


class TestByName:
    @pytest.mark.parametrize(
        ("name", "expected", "fuzzy"),
        [
            ("Maria Okafor", "Maria Okafor", False),
            ("Okafor", "Maria Okafor", False),
            ("okafor", "Maria Okafor", False),
            ("M. Okafor", "Maria Okafor", False),
            ("Okafour", "Maria Okafor", True),
            ("Lindquist", "Jan Lindqvist", True),
            ("Lindqvst", "Jan Lindqvist", True),
            ("Ann Okafor", None, False),
            ("Ng", None, False),
            ("Olsen", None, False),
        ],
    )
    def test_lookup(
        self, memory: SpeakerMemory, name: str, expected: str | None, fuzzy: bool
    ) -> None:
        """Full name, surname, initial and misspelling find the person; others do not."""
        person, was_fuzzy = memory.by_name(name)
        assert (person.name if person else None, was_fuzzy) == (expected, fuzzy)

    @pytest.mark.parametrize(
        ("known", "word", "expected"),
        [
            (["Dana Kiro"], "Kir", "Dana Kiro"),
            (["Dana Kiro"], "Kro", None),  # not its beginning
            (["Dana Kiro", "Jon Kirk"], "Kir", None),  # two four-letter names begin so
            (["Dana Kiros"], "Kir", None),  # only a four-letter name is clipped by one
            (["Dana Kiro"], "Ki", None),
        ],
    )
    def test_clipped_short_name(self, known: list[str], word: str, expected: str | None) -> None:
        """A three-letter word is the one known four-letter surname it begins ("Kir" typed
        for "Kiro"), and nothing else."""
        memory = SpeakerMemory()
        for name in known:
            memory.add(name)
        person, fuzzy = memory.by_name(word)
        assert (person.name if person else None) == expected
        assert fuzzy is (expected is not None)

    def test_hyphenated_first_name_written_apart(self) -> None:
        """ "Jean Claude Reyes" is the "Jean-Claude Reyes" the blog knows, not a second person;
        "Paul Reyes" is somebody else."""
        memory = SpeakerMemory()
        known = memory.add("Jean-Claude Reyes")
        assert memory.add("Jean Claude Reyes") is known
        assert memory.add("Paul Reyes") is not known
        assert len(memory.persons) == 2

    def test_fuller_name_becomes_canonical(self) -> None:
        """A person first seen by surname takes the full name once the blog gives it."""
        memory = SpeakerMemory()
        memory.add("Okafor")
        person = memory.add("Maria Okafor")
        assert (len(memory.persons), person.name, person.surname) == (
            1,
            "Maria Okafor",
            "Okafor",
        )

    @pytest.mark.parametrize(
        ("name", "given", "surname"),
        [
            ("Annelie von der Heyde", ["Annelie"], "von der Heyde"),
            ("Joost de Vries", ["Joost"], "de Vries"),
            ("Hendrik ter Horst", ["Hendrik"], "ter Horst"),
            ("Khalid bin Rashed", ["Khalid"], "bin Rashed"),
            ("de Vries", [], "de Vries"),
            ("Van der Heyde", [], "Van der Heyde"),
            ("Al Corrigan", ["Al"], "Corrigan"),
            ("Maria Okafor", ["Maria"], "Okafor"),
        ],
    )
    def test_split_name(self, name: str, given: list[str], surname: str) -> None:
        """The surname is the last word with the lower-case particles before it."""
        assert split_name(name) == (given, surname)

    @pytest.mark.parametrize(
        ("full", "later"),
        [
            ("Annelie von der Heyde", "von der Heyde"),
            ("Annelie von der Heyde", "Von der Heyde"),
            ("Joost de Vries", "De Vries"),
            ("Marcos Inácio Teles da Cunha", "Teles da Cunha"),
        ],
    )
    def test_particle_surname_finds_the_person(self, full: str, later: str) -> None:
        """A name with particles is found again by its particle surname, however it opens."""
        memory = SpeakerMemory()
        person = memory.add(full)
        assert memory.by_name(later) == (person, False)

    def test_misspelling_never_creates_a_person(self, memory: SpeakerMemory) -> None:
        """Looking up a misspelt name does not add anyone."""
        memory.by_name("Okafour")
        assert len(memory.persons) == 3


class TestOtherLookups:
    @pytest.mark.parametrize(
        ("role", "expected"),
        [
            ("minister", "Maria Okafor"),
            ("housing minister", "Maria Okafor"),
            ("commissioner", "Jan Lindqvist"),
            ("trade commissioner", "Jan Lindqvist"),
            ("chancellor", None),
            ("finance minister", None),
        ],
    )
    def test_by_role(self, memory: SpeakerMemory, role: str, expected: str | None) -> None:
        """A role phrase finds the person whose learned role holds all its words."""
        person = memory.by_role(role)
        assert (person.name if person else None) == expected

    @pytest.mark.parametrize(("kind", "words"), [("police", []), ("police", ["Westshire"])])
    def test_by_org(self, memory: SpeakerMemory, kind: str, words: list[str]) -> None:
        """ "the force" and "Westshire police" find the organisation of that kind."""
        org = memory.by_org(kind, words)
        assert org is not None and org.id == "org-westshire-police"

    def test_by_descriptor(self, memory: SpeakerMemory) -> None:
        """A learned descriptor finds its person."""
        person = memory.by_descriptor("the 54-year-old")
        assert person is not None and person.surname == "Okafor"

    def test_salience(self, memory: SpeakerMemory) -> None:
        """The most recently promoted person of a fitting gender is the most salient."""
        for pid in ("okafor", "lindqvist"):
            memory.promote(memory.persons[pid])
        assert memory.most_salient().surname == "Lindqvist"  # type: ignore[union-attr]
        assert memory.most_salient("f").surname == "Okafor"  # type: ignore[union-attr]
        assert memory.most_salient(kind="org").surname == "Westshire Police"  # type: ignore[union-attr]


class TestLaterLookups:
    @pytest.mark.parametrize(
        ("descriptor", "expected"),
        [("engineer", "Anselm Okoro"), ("the chief engineer", "Anselm Okoro"), ("the port", None)],
    )
    def test_descriptor_by_head_noun(self, descriptor: str, expected: str | None) -> None:
        """ "the engineer" finds someone whose learned role or descriptor is about engineers."""
        memory = SpeakerMemory()
        memory.add("Anselm Okoro", role="chief engineer")
        memory.add("Lena Hartigan", role="chair of the port authority")
        person = memory.by_descriptor(descriptor)
        assert (person.name if person else None) == expected

    def test_first_name(self) -> None:
        """ "Dame Helena" is found by first name when one person has it."""
        memory = SpeakerMemory()
        memory.add("Helena Marsh")
        memory.add("Tobias Crane")
        assert memory.by_first_name("Helena") is memory.persons["marsh"]
        memory.add("Helena Brook")
        assert memory.by_first_name("Helena") is None


class TestClone:
    def test_clone_is_equal_and_independent(self, memory: SpeakerMemory) -> None:
        """A clone equals its original, and changing it (its people as it hands them out)
        leaves the original as it was."""
        memory.promote(memory.persons["okafor"])
        before = memory.model_dump()
        copy = memory.clone()
        assert copy == memory
        person = copy.person("okafor")
        assert person is not None
        copy.learn_role(person, "party chair")
        copy.add("Maria Adaeze Okafor")
        person.aliases.append("the housing czar")
        person.quotes += 1
        found, _ = copy.by_name("Lindqvist")
        assert found is not None
        found.spoke = True
        copy.promote(found)
        copy.last_speakers.append("lindqvist")
        copy.add("Tom Reid")
        assert memory.model_dump() == before
        assert copy.persons["okafor"].quotes == 1 and copy.persons["lindqvist"].spoke

    def test_original_changed_after_a_clone_leaves_the_clone(self, memory: SpeakerMemory) -> None:
        """Either side may go on changing: the original's changes after the copy are its own."""
        copy = memory.clone()
        before = copy.model_dump()
        found, _ = memory.by_name("Okafor")
        assert found is not None
        found.mentions += 5
        memory.learn_role(found, "party chair")
        memory.add_alias(found, "the housing czar")
        assert copy.model_dump() == before
        assert copy.by_name("the housing czar")[0] is None

    def test_a_clone_copies_only_the_people_it_hands_out(self, memory: SpeakerMemory) -> None:
        """The people an entry never touches stay shared (an entry costs the people it
        touches, not the blog's), and a person handed out twice is one and the same."""
        copy = memory.clone()
        found, _ = copy.by_name("Okafor")
        assert found is copy.person("okafor") is copy.persons["okafor"]
        assert found is not memory.persons["okafor"]
        untouched = [pid for pid in copy.persons if pid != "okafor"]
        assert untouched
        assert all(copy.persons[pid] is memory.persons[pid] for pid in untouched)


class TestKnowledgeFile:
    def test_load(self, tmp_path: Path) -> None:
        """People and organisations load with aliases, roles, nationality and gender."""
        path = tmp_path / "k.yaml"
        path.write_text(
            "- name: Maria Okafor\n"
            "  aliases: [the housing czar]\n"
            "  roles: [the minister for housing]\n"
            "  nationality: Nigerian\n"
            "  descriptors: [the 54-year-old]\n"
            "  gender: female\n"
            "- name: Finance Ministry\n"
            "  kind: org\n",
            encoding="utf-8",
        )
        memory = load_knowledge(path)
        okafor = memory.persons["okafor"]
        assert (okafor.aliases, okafor.roles, okafor.gender) == (
            ["housing czar"],
            ["minister for housing"],
            "f",
        )
        assert okafor.descriptors == ["54-year-old", "nigerian"]
        org = memory.persons["org-finance-ministry"]
        assert (org.kind, org.org_kind) == ("org", "ministry")

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("name: [unclosed", "cannot read"),
            ("just a string", "expected a list"),
            ("- aliases: [x]", "needs a name"),
            ("- name: X\n  kind: robot", "kind must be"),
            ("- name: X\n  gender: q", "gender must be"),
            ("- name: X\n  roles: {a: b}", "roles must be"),
        ],
    )
    def test_bad_file_is_a_clear_error(self, tmp_path: Path, content: str, message: str) -> None:
        """A malformed knowledge file raises a ConfigError that says what is wrong."""
        path = tmp_path / "bad.yaml"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_knowledge(path)

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is a ConfigError, not a traceback."""
        with pytest.raises(ConfigError, match="cannot read"):
            load_knowledge(tmp_path / "nope.yaml")


class TestSpeakerKind:
    def test_speaker_records_carry_their_kind(self) -> None:
        """A speaking organisation is a speaker of kind `org`, a person of kind `person`."""
        memory = SpeakerMemory()
        org = memory.add("Coastal Weather Agency", kind="org", org_kind="agency")
        person = memory.add("Maria Okafor")
        org.spoke = person.spoke = True
        kinds = {s.name: s.kind for s in memory.speakers("b")}
        assert kinds == {"Coastal Weather Agency": "org", "Maria Okafor": "person"}
