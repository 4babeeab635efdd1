"""Matching quotes and entries against all subscriptions at once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from schemas.events import (
    EnrichedEntry,
    EntryHints,
    Match,
    Quote,
    RawEntry,
    Speaker,
    SpeakerRef,
    Subscription,
    Voice,
)
from schemas.exceptions import FilterSyntaxError
from streams.alerts.directory import SpeakerDirectory
from streams.alerts.matching import Matcher
from streams.attribution.voices import MemoryNames, entry_text, voices
from streams.pipeline.chain import BlogState, process

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
OKAFOR = SpeakerRef(id="okafor", name="Maria Okafor")
BELLO = SpeakerRef(id="bello", name="Tunde Bello")


def _quote(text: str, speaker: SpeakerRef | None, n: int = 0) -> Quote:
    return Quote(
        quote_id=f"q{n}",
        entry_id="e1",
        blog_id="city-live",
        published_at=WHEN,
        text=text,
        speaker=speaker,
        confidence=0.9,
        method="name",
    )


def _entry(body: str, quotes: tuple[Quote, ...] = (), headline: str | None = None) -> EnrichedEntry:
    speakers = tuple({q.speaker.id: q.speaker for q in quotes if q.speaker}.values())
    return EnrichedEntry(
        entry_id="e1",
        blog_id="city-live",
        seq=0,
        published_at=WHEN,
        printed_time="12:00",
        headline=headline,
        body=body,
        speakers=speakers,
        quotes=quotes,
        language="en",
    )


@pytest.fixture(name="matcher")
def fixture_matcher() -> Matcher:
    return Matcher(
        [
            Subscription(id="okafor-rent", filter="speaker:okafor (rent OR ceasefire)"),
            Subscription(id="bello-rent", filter="speaker:bello rent"),
            Subscription(id="any-cap", filter='"rent cap"'),
            Subscription(id="strike", filter="strike -speaker:okafor kind:entry"),
        ]
    )


class TestMatcher:
    def test_quote_hit_records_terms_and_offsets(self, matcher: Matcher) -> None:
        """A quote by the subscribed speaker with the word gives a hit with the term's offsets."""
        text = "We will bring in a rent cap this year."
        hits = matcher.match_entry(_entry(f"“{text}” Okafor said.", (_quote(text, OKAFOR),)))
        by_id = {h.subscription_id: h for h in hits}
        assert set(by_id) == {"okafor-rent", "any-cap"}
        hit = by_id["okafor-rent"]
        assert hit.document.quote_id == "q0"
        assert hit.speaker == OKAFOR
        assert [(m.term, text[m.start : m.end]) for m in hit.matches] == [("rent", "rent")]
        assert [text[m.start : m.end] for m in by_id["any-cap"].matches] == ["rent cap"]

    def test_other_speakers_words_do_not_match(self, matcher: Matcher) -> None:
        """The same word said by someone else does not match a `speaker:` subscription."""
        text = "The rent is too high."
        hits = matcher.match_entry(_entry(f"“{text}” Bello said.", (_quote(text, BELLO),)))
        assert [h.subscription_id for h in hits] == ["bello-rent"]

    def test_entry_needs_the_speakers_own_words(self, matcher: Matcher) -> None:
        """In an entry with two speakers, a word in one's sentence is not the other's."""
        body = (
            "Okafor said the budget was ready. Bello warned that the rent would rise. "
            "“We disagree,” said Okafor."
        )
        entry = _entry(body, (_quote("We disagree,", OKAFOR),))
        entry = entry.model_copy(update={"speakers": (OKAFOR, BELLO)})
        hits = matcher.match_entry(entry)
        assert [(h.subscription_id, h.document.kind) for h in hits] == [("bello-rent", "entry")]
        hit = hits[0]
        assert hit.speaker == BELLO
        assert [entry_text(entry)[m.start : m.end] for m in hit.matches] == ["rent"]

    def test_quote_hit_suppresses_the_entry_hit(self, matcher: Matcher) -> None:
        """An entry that matched a subscription through a quote gives no second hit for it."""
        text = "A ceasefire now."
        entry = _entry(
            f"“{text}” Okafor said. She called for a ceasefire.", (_quote(text, OKAFOR),)
        )
        hits = [h for h in matcher.match_entry(entry) if h.subscription_id == "okafor-rent"]
        assert [h.document.kind for h in hits] == ["quote"]

    def test_variants_and_case(self, matcher: Matcher) -> None:
        """Case, hyphens and plurals do not stop a match."""
        for word in ("Ceasefire", "cease-fire", "CEASEFIRES"):
            text = f"We want a {word}."
            hits = matcher.match_entry(_entry(f"“{text}” Okafor said.", (_quote(text, OKAFOR),)))
            assert [h.subscription_id for h in hits] == ["okafor-rent"], word

    def test_no_match_inside_words(self, matcher: Matcher) -> None:
        """A term matches whole words only."""
        text = "Parents and rentals."
        hits = matcher.match_entry(_entry(f"“{text}” Okafor said.", (_quote(text, OKAFOR),)))
        assert hits == []

    def test_exclusion_and_kind(self, matcher: Matcher) -> None:
        """`-speaker:` excludes that person's voice; kind:entry matches entries only."""
        hits = matcher.match_entry(_entry("Bus drivers went on strike this morning."))
        assert [(h.subscription_id, h.document.kind) for h in hits] == [("strike", "entry")]
        said = _entry("Okafor said the strike was illegal.")
        said = said.model_copy(update={"speakers": (OKAFOR,)})
        assert matcher.match_entry(said) == []

    def test_speaker_aliases_from_directory(self) -> None:
        """`speaker:` matches any name the pipeline resolved to the person."""
        directory = SpeakerDirectory()
        directory.learn(
            Speaker(id="okafor", blog_id="city-live", name="Maria Okafor", aliases=("Mama Rent",))
        )
        matcher = Matcher(
            [Subscription(id="alias", filter='speaker:"mama rent" budget')], directory=directory
        )
        text = "The budget is fair."
        hits = matcher.match_entry(_entry(f"“{text}” she said.", (_quote(text, OKAFOR),)))
        assert [h.subscription_id for h in hits] == ["alias"]

    def test_add_remove_and_bad_filter(self, matcher: Matcher) -> None:
        """Subscriptions come and go; a bad filter is refused on add."""
        assert matcher.remove("any-cap")
        assert not matcher.remove("any-cap")
        with pytest.raises(FilterSyntaxError):
            matcher.add(Subscription(id="bad", filter="rent OR"))
        assert "bad" not in matcher
        matcher.add(Subscription(id="cap2", filter="cap"))
        text = "A rent cap."
        hits = matcher.match_entry(_entry(f"“{text}” Okafor said.", (_quote(text, OKAFOR),)))
        assert {h.subscription_id for h in hits} == {"okafor-rent", "cap2"}

    def test_candidates_only_subscriptions_with_the_documents_keys(self) -> None:
        """Thousands of subscriptions on other words are never evaluated."""
        subs = [Subscription(id=f"s{i}", filter=f"word{i} OR other{i}") for i in range(2000)]
        matcher = Matcher([*subs, Subscription(id="hit", filter="tram")])
        doc = matcher.entry_document(_entry("The tram is late again."))
        occ = matcher.occurrences(doc.text)
        assert matcher.candidates(doc, occ) == {"hit"}

    @pytest.mark.parametrize(
        ("text", "places"),
        [
            ("The security council met.", ["security council"]),
            ("Security  Council, security\ncouncil.", ["Security  Council", "security\ncouncil"]),
            ("The security councils met; council security.", []),
            ("Cyber-security council-member.", ["security council"]),
            ("The security-council.", ["security-council"]),
            ("Asecurity council, security councilman.", []),
        ],
    )
    def test_phrase_of_words_as_whole_words(self, text: str, places: list[str]) -> None:
        """A phrase of words side by side matches where the words stand side by side as whole
        words (any case, any run of whitespace between them), nowhere else."""
        matcher = Matcher([Subscription(id="p", filter='"security council" OR "u.n. council"')])
        hits = matcher.match_entry(_entry(text))
        found = [text[m.start : m.end] for h in hits for m in h.matches]
        assert found == places

    def test_phrase_with_other_characters_by_the_automaton(self) -> None:
        """A phrase with characters other than words and spaces (`u.n.`) is found too, among
        phrases of words."""
        matcher = Matcher(
            [
                Subscription(id="un", filter='"U.N. council"'),
                Subscription(id="sc", filter='"security council"'),
            ]
        )
        text = "The U.N. council and the security council met."
        hits = matcher.match_entry(_entry(text))
        assert [(h.subscription_id, [text[m.start : m.end] for m in h.matches]) for h in hits] == [
            ("sc", ["security council"]),
            ("un", ["U.N. council"]),
        ]

    def test_matches_are_the_validated_models(self, matcher: Matcher) -> None:
        """The matches of a hit (built without validation) equal, hash and serialise like
        `Match` models validated from the same values."""
        text = "We will bring in a rent cap this year."
        hits = matcher.match_entry(_entry(f"“{text}” Okafor said.", (_quote(text, OKAFOR),)))
        matches = [m for h in hits for m in h.matches]
        assert matches
        for made in matches:
            valid = Match(term=made.term, start=made.start, end=made.end)
            assert made == valid
            assert hash(made) == hash(valid)
            assert made.model_dump_json() == valid.model_dump_json()
            assert made.model_fields_set == valid.model_fields_set
            with pytest.raises(ValidationError):
                made.start = 0  # type: ignore[misc]


class TestVoices:
    def test_reported_speech_and_quotes(self) -> None:
        """Sentences with a speech frame or a quote belong to the speaker; the rest is narration."""
        body = (
            "According to Okafor, the plan is ready. The weather was fine. "
            "“It will work,” Bello replied."
        )
        entry = _entry(body, (_quote("It will work,", BELLO),))
        entry = entry.model_copy(update={"speakers": (OKAFOR, BELLO)})
        text = entry_text(entry)
        found = {
            (v.speaker.id if v.speaker else None): [text[s:e] for s, e in v.spans]
            for v in voices(entry, SpeakerDirectory())
        }
        assert found == {
            "okafor": ["According to Okafor, the plan is ready."],
            "bello": ["“It will work,” Bello replied."],
            None: ["The weather was fine."],
        }

    def test_carried_voices_are_the_ones_matched(self, matcher: Matcher) -> None:
        """An entry's own voices decide whose words a sentence is; one without voices (a record
        of schema version 1) has them worked out."""
        body = "Okafor said the rent would rise. The weather was fine."
        entry = _entry(body).model_copy(update={"speakers": (OKAFOR, BELLO)})
        assert entry.voices is None
        assert [h.subscription_id for h in matcher.match_entry(entry)] == ["okafor-rent"]
        carried = entry.model_copy(
            update={
                "voices": (
                    Voice(speaker=BELLO, spans=((0, 32),)),
                    Voice(speaker=None, spans=((33, 54),)),
                )
            }
        )
        hits = matcher.match_entry(carried)
        assert [(h.subscription_id, h.speaker) for h in hits] == [("bello-rent", BELLO)]

    def test_memory_names_are_the_directorys(self) -> None:
        """The names and roles the enrich stage reads voices with are those the matcher's
        directory learns from the same speaker memory."""
        state = BlogState()
        for seq, text in enumerate(
            [
                "10:00 “The harbour stays open,” said Port Authority chief Ines Varga.",
                "10:05 “Fares stay low,” Mayor Tomas Brandt told reporters.",
            ]
        ):
            raw = RawEntry(
                blog_id="b", source="t", seq=seq, fetched_at=WHEN, raw=text, hints=EntryHints()
            )
            _, state = process(raw, state)
        memory = state.memory
        assert {p.id for p in memory.persons.values() if p.roles}  # roles to compare
        directory = SpeakerDirectory()
        directory.learn_memory("b", memory)
        names = MemoryNames(memory)
        for person in memory.persons.values():
            ref = SpeakerRef(id=person.id, name=person.name)
            assert names.keys("b", ref) == directory.keys("b", ref)
            assert names.roles("b", person.id) == directory.roles("b", person.id)


class TestRecordFilter:
    def test_quotes_entries_and_alerts(self) -> None:
        """`record_filter` keeps the quotes, entries and alerts that pass the filter."""
        from schemas.events import Alert
        from streams.alerts.matching import record_filter

        keep = record_filter("speaker:okafor rent")
        quote = _quote("The rent cap works.", OKAFOR)
        assert keep(quote)
        assert not keep(_quote("The rent cap works.", BELLO))
        assert keep(_entry("“The rent cap works.” Okafor said.", (quote,)))
        alert = Alert(
            alert_id="a",
            subscription_id="s",
            blog_id="city-live",
            entry_id="e1",
            quote_id="q0",
            speaker=OKAFOR,
            text="The rent cap works.",
        )
        assert keep(alert)
        assert not keep(object())
