"""The enrich stage: people, organisations, places and keywords of an entry."""

from __future__ import annotations

from datetime import UTC, date, datetime

from schemas.events import EnrichedEntry, EntryHints, RawEntry
from streams.attribution.memory import SpeakerMemory
from streams.attribution.stage import Attribution
from streams.attribution.voices import entry_text
from streams.core.models import Paragraph, ParsedEntry
from streams.pipeline.chain import BlogState, process
from streams.pipeline.enrich import enrich

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _run(*texts: str) -> list[EnrichedEntry]:
    state = BlogState()
    out = []
    for seq, text in enumerate(texts):
        raw = RawEntry(
            blog_id="b",
            source="t",
            seq=seq,
            fetched_at=NOW,
            raw=text,
            hints=EntryHints(date=date(2024, 5, 1), timezone="UTC"),
        )
        entry, state = process(raw, state)
        out.append(entry)
    return out


def _entities(entry: EnrichedEntry, kind: str) -> list[str]:
    return [e.text for e in entry.entities if e.type == kind]


class TestEnrich:
    def test_people_places_orgs(self) -> None:
        """Speakers, places (also misspelt) and organisations are tagged by type."""
        first, second = _run(
            "10:00 “The harbour stays open,” said Port Authority chief Ines Varga in Lisbon.",
            "10:05 Varga met the European Commission in Brusels. The Red Cross sent trucks.",
        )
        assert _entities(first, "person") == ["Ines Varga"]
        assert "Lisbon" in _entities(first, "place")
        assert "Ines Varga" in _entities(second, "person")
        assert {"Brussels"} <= set(_entities(second, "place"))
        assert {"European Commission", "Red Cross"} <= set(_entities(second, "org"))

    def test_org_word_is_not_a_person(self) -> None:
        """`the UN General Assembly` is an organisation, never a person called Assembly."""
        (entry,) = _run(
            "10:00 Varga complains that the UN General Assembly has condemned the port."
        )
        assert "Assembly" not in _entities(entry, "person")
        assert "UN General Assembly" in _entities(entry, "org")

    def test_surname_with_particles(self) -> None:
        """A known person with a several-word surname is tagged when only the surname appears."""
        _, later = _run(
            "10:00 “We are ready,” said Commission President Ursula von der Leyen.",
            "10:05 Talks with von der Leyen continue into the night.",
        )
        assert _entities(later, "person") == ["Ursula von der Leyen"]

    def test_known_people_named_by_surname_in_a_crowded_memory(self) -> None:
        """Among a long blog's many people, those whose surname (of one word or several) the
        text names are tagged, in the order the memory learned them; none of the memory's names
        is a keyword."""
        memory = SpeakerMemory()
        for n in range(150):
            memory.add(f"Filler Person{n:03d}x")
        for name in ("Ines Varga", "Ursula von der Leyen", "Tomas Brenner", "Ada Lind"):
            memory.add(name)
        entry = ParsedEntry(
            entry_id="e",
            blog_id="b",
            seq=0,
            published_at=NOW,
            printed_time="12:00",
            headline=None,
            paragraphs=(
                Paragraph(text="Brenner spoke after von der Leyen; Varga and Brenner left."),
            ),
        )
        enriched = enrich(entry, Attribution(), memory)
        assert _entities(enriched, "person") == [
            "Ines Varga",
            "Ursula von der Leyen",
            "Tomas Brenner",
        ]
        assert not {"brenner", "varga", "leyen"} & set(enriched.keywords)

    def test_keywords(self) -> None:
        """Keywords are content words by frequency, without names, speech verbs or stopwords."""
        (entry,) = _run(
            "10:00 Varga says the harbour tariff will rise. The tariff rise hits harbour "
            "fishermen, Varga says, and the tariff is final."
        )
        assert entry.keywords[:2] == ("tariff", "harbour")
        assert "says" not in entry.keywords
        assert "varga" not in entry.keywords


class TestVoices:
    def test_entry_carries_who_speaks_where(self) -> None:
        """The enriched entry carries its voices: the speaker's sentences, then the narrator's,
        as spans of the headline-and-body text alerts point into."""
        (entry,) = _run(
            "10:00 “The harbour stays open,” said Port Authority chief Ines Varga in Lisbon. "
            "Ships waited."
        )
        text = entry_text(entry)
        assert entry.voices is not None
        found = [
            (v.speaker.id if v.speaker else None, [text[s:e] for s, e in v.spans])
            for v in entry.voices
        ]
        assert found == [
            (
                "varga",
                ["“The harbour stays open,” said Port Authority chief Ines Varga in Lisbon."],
            ),
            (None, ["Ships waited."]),
        ]


class TestLanguage:
    def test_german_entry_has_german_keywords_and_language(self) -> None:
        """A German entry is tagged `de` (so `lang:de` filters find it) and its keywords leave
        out German function words."""
        text = (
            "14:00 Der Bürgermeister hat die Sanierung der Brücke angekündigt. Die Sanierung "
            "soll im Herbst beginnen, und die Brücke bleibt dann für drei Monate gesperrt."
        )
        (entry,) = _run(text)
        assert entry.language == "de"
        assert "sanierung" in entry.keywords
        assert not {"eine", "dann", "und", "soll"} & set(entry.keywords)
