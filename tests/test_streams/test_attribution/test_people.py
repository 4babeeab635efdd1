"""People introduced in the text: names with roles, titles, ages, affiliations and genders."""

from __future__ import annotations

import pytest

from tests.test_streams.test_attribution.blog import run


def _person(*entries: str, surname: str) -> tuple[str, list[str], list[str], str | None]:
    _, memory = run(*entries)
    (person,) = [p for p in memory.persons.values() if p.surname == surname]
    return person.name, person.roles, person.descriptors, person.gender


class TestIntroductions:
    @pytest.mark.parametrize(
        ("entry", "surname", "name", "role"),
        [
            (
                "Gov. Raymond Oakes ordered an independent review.",
                "Oakes",
                "Raymond Oakes",
                "governor",
            ),
            (
                "Sen. Maria Delgado walked out of the hearing.",
                "Delgado",
                "Maria Delgado",
                "senator",
            ),
            (
                "EU trade commissioner Jan Lindqvist arrived early.",
                "Lindqvist",
                "Jan Lindqvist",
                "eu trade commissioner",
            ),
            (
                "The housing secretary, Ruth Adebayo, will speak at noon.",
                "Adebayo",
                "Ruth Adebayo",
                "housing secretary",
            ),
            (
                "Tom Fairweather, the shadow housing secretary, has responded.",
                "Fairweather",
                "Tom Fairweather",
                "shadow housing secretary",
            ),
            (
                "Mark Ellery, the leader of Westshire county council, declared an emergency.",
                "Ellery",
                "Mark Ellery",
                "leader of westshire county council",
            ),
            (
                "The general secretary of the rail union, Siobhan O'Rourke, was on the picket.",
                "O'Rourke",
                "Siobhan O'Rourke",
                "general secretary of the rail union",
            ),
            (
                "Castlebridge manager Tomasz Wierzbicki was in a good mood.",
                "Wierzbicki",
                "Tomasz Wierzbicki",
                "castlebridge manager",
            ),
            (
                "Canada's international trade minister, Anaïs Tremblay, was more cautious.",
                "Tremblay",
                "Anaïs Tremblay",
                "international trade minister",
            ),
            (
                "**Gwen Oduya KC**, counsel to the inquiry, put it to the witness that he knew.",
                "Oduya",
                "Gwen Oduya",
                "counsel to the inquiry",
            ),
            (
                "The chair of the hearing, Dame Helena Marsh, opened the session.",
                "Marsh",
                "Helena Marsh",
                "chair of the hearing",
            ),
            (
                "The port's chief engineer, Anselm Okoro, was recalled.",
                "Okoro",
                "Anselm Okoro",
                "chief engineer",
            ),
        ],
    )
    def test_role_and_name(self, entry: str, surname: str, name: str, role: str) -> None:
        """A role before or after a name is learned with the person's full name."""
        got_name, roles, _, _ = _person(entry, surname=surname)
        assert (got_name, roles) == (name, [role])

    @pytest.mark.parametrize(
        ("entry", "surname", "descriptor"),
        [
            ("Derek Holt, 67, said the water came in fast.", "Holt", "67-year-old"),
            ("Finance Minister Katrin Vogel (FDP) rejected new debt.", "Vogel", "fdp"),
            (
                "Kyle Benn, the Castlebridge substitute, scored the winner.",
                "Benn",
                "castlebridge substitute",
            ),
            (
                "Chartered surveyor Idris Penhale gave evidence this morning.",
                "Penhale",
                "chartered surveyor",
            ),
            ("The retired postman, Derek Aske, was rescued by boat.", "Aske", "retired postman"),
        ],
    )
    def test_age_affiliation_and_descriptor(
        self, entry: str, surname: str, descriptor: str
    ) -> None:
        """An age, a party in brackets or a descriptive apposition is remembered."""
        _, _, descriptors, _ = _person(entry, surname=surname)
        assert descriptors == [descriptor]

    @pytest.mark.parametrize(
        "entry",
        [
            "Around 200 people gathered in Parliament Square this morning.",
            "Pictures from Marlow Quay show the high street under water.",
            "The match kicks off at Harbour City's ground at three.",
        ],
    )
    def test_places_are_not_people(self, entry: str) -> None:
        """Capitalised places and things mentioned in passing create nobody."""
        _, memory = run(entry)
        assert memory.persons == {}

    def test_title_with_a_first_name_is_the_known_person(self) -> None:
        """ "Dame Helena" and "Sir Tobias" are the known people with those first names."""
        _, memory = run(
            "The chair, Dame Helena Marsh, and counsel for the operator, Sir Tobias Crane, sat.",
            "Dame Helena thanked Sir Tobias for his patience.",
        )
        assert sorted(p.name for p in memory.persons.values()) == ["Helena Marsh", "Tobias Crane"]

    def test_titled_surname_is_a_person(self) -> None:
        """`Sen. Maria Delgado` and `Mrs Shah` introduce people by their titles."""
        _, memory = run("Sen. Maria Delgado and Mrs Shah were both in the gallery.")
        assert sorted(p.name for p in memory.persons.values()) == ["Maria Delgado", "Shah"]


class TestGender:
    @pytest.mark.parametrize(
        ("entries", "surname", "gender"),
        [
            (("Ms Tremblay arrived late.",), "Tremblay", "f"),
            (("Mr Reid arrived late.",), "Reid", "m"),
            (
                ("Ruth Adebayo, the housing secretary, arrived.", "Adebayo is on her feet now."),
                "Adebayo",
                "f",
            ),
            (
                ("Jan Lindqvist, the commissioner, arrived.", "Lindqvist said his team was ready."),
                "Lindqvist",
                "m",
            ),
            (("Derek Holt has lived in the village all his life.",), "Holt", "m"),
        ],
    )
    def test_gender_from_titles_and_pronouns(
        self, entries: tuple[str, ...], surname: str, gender: str
    ) -> None:
        """A title, or a pronoun in a sentence naming only that person, gives a gender."""
        *_, got = _person(*entries, surname=surname)
        assert got == gender

    def test_two_people_in_a_sentence_teach_nothing(self) -> None:
        """With two people in the sentence, "her" could be either: no gender is learned."""
        *_, gender = _person(
            "Ruth Adebayo, the housing secretary, arrived.",
            "Tom Fairweather, the shadow housing secretary, arrived.",
            "Adebayo thanked Fairweather for her invitation.",
            surname="Fairweather",
        )
        assert gender is None

    def test_known_gender_is_never_overwritten(self) -> None:
        """A gender learned once stays, whatever a later sentence suggests."""
        *_, gender = _person("Mr Reid arrived late.", "Reid is on her side.", surname="Reid")
        assert gender == "m"
