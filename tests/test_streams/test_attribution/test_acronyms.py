"""Short forms an entry defines for organisations: "the Coastal Defence Forces (CDF)"."""

from __future__ import annotations

import pytest

from streams.attribution.acronyms import learn_acronyms
from streams.attribution.language import language
from streams.attribution.memory import SpeakerMemory
from tests.test_streams.test_attribution.test_ranker_cases import speaker


def _learned(
    text: str, lang: str = "en", memory: SpeakerMemory | None = None
) -> dict[str, list[str]]:
    memory = memory or SpeakerMemory()
    learn_acronyms([text], language(lang), memory)
    return {p.name: p.aliases for p in memory.persons.values()}


class TestLearning:
    @pytest.mark.parametrize(
        ("text", "lang", "name", "short"),
        [
            ("The Coastal Defence Forces (CDF) said so.", "en", "Coastal Defence Forces", "CDF"),
            # an organisation word decides even when the name opens with a given name
            ("The Jordan Coast Forces (JCF) said so.", "en", "Jordan Coast Forces", "JCF"),
            (
                "A report by the Office for Harbour Safety (OHS) found faults.",
                "en",
                "Office for Harbour Safety",
                "OHS",
            ),
            # initials that do not spell it (a short form from another language), but an
            # organisation word
            (
                "The Lowland Organisation for Applied Research (TNL) said so.",
                "en",
                "Lowland Organisation for Applied Research",
                "TNL",
            ),
            (
                "Das Bundesamt für Küstenschutz (BfK) warnte am Montag.",
                "de",
                "Bundesamt für Küstenschutz",
                "BfK",
            ),
        ],
    )
    def test_organisation_takes_its_short_form(
        self, text: str, lang: str, name: str, short: str
    ) -> None:
        assert _learned(text, lang).get(name) == [short]

    @pytest.mark.parametrize(
        ("text", "lang"),
        [
            ("Finance minister Anna Roth (SPD) said it was fine.", "de"),
            ("Tom Hill (R) voted against it.", "en"),
            ("The internal energy market (IEM) stays open.", "en"),
            ("LOWDHAM (AP) — The storm hit at dawn.", "en"),
        ],
    )
    def test_people_places_and_common_nouns_take_none(self, text: str, lang: str) -> None:
        """A person's party, a lower-case phrase or a dateline is no organisation's name."""
        assert all(not aliases for aliases in _learned(text, lang).values())

    def test_a_known_person_is_no_organisation(self) -> None:
        memory = SpeakerMemory()
        memory.add("Dana Reyes")
        _learned("Dana Reyes (DR) spoke first.", memory=memory)
        assert [p.kind for p in memory.persons.values()] == ["person"]


class TestAttribution:
    def test_short_form_speaks_under_the_full_name(self) -> None:
        """`the CDF said`, `a CDF spokesman said` credit the Coastal Defence Forces."""
        first = (
            "The Coastal Defence Forces (CDF) said on Monday that the strike had hit a depot. "
            "“The target was a weapons store,” the CDF said in a statement."
        )
        assert speaker(first, fragment="weapons store") == "Coastal Defence Forces"
        assert (
            speaker(first, "“We acted lawfully,” a CDF spokesman said.", fragment="lawfully")
            == "Coastal Defence Forces"
        )
