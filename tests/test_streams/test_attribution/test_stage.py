"""The attribution stage: confidence and method on every quote, the threshold, purity, and
robustness on arbitrary text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.sources.files import FileSource
from schemas.events import EntryHints, RawEntry
from streams.attribution.memory import SpeakerMemory, load_knowledge
from streams.attribution.methods import CONFIDENCE
from streams.attribution.stage import DEFAULT_MIN_CONFIDENCE, Trace, attribute
from streams.cli.replay import build_meta
from streams.core.models import Paragraph, ParsedEntry
from streams.core.settings import Settings
from streams.pipeline.chain import BlogState, process
from tests.conftest import ROOT, SEED
from tests.test_streams.test_attribution.blog import NOW, run, speaker_of

BLOGS = [SEED, *sorted((ROOT / "tests" / "fixtures" / "blogs").glob("*.txt"))]

OKAFOR = (
    "Maria Okafor, the minister for housing, arrived at the conference centre shortly after nine."
)
SALIENCE = (OKAFOR, "“We are ready,” Okafor said.", "Aid is on its way. “It is a tragedy there.”")


class TestConfidence:
    def test_every_quote_has_method_and_confidence(self) -> None:
        """Each quote carries the method that found its speaker and that method's confidence."""
        results, _ = run(OKAFOR, "“Yes,” Okafor said. “No,” she added. Critics call it “a sham”.")
        got = [(q.method, q.confidence) for q in results[-1].quotes]
        assert got == [("name", 0.95), ("pronoun", 0.8), ("none", 0.0)]

    def test_methods_table_is_ordered(self) -> None:
        """Explicit evidence is worth more than continuity, which is worth more than salience."""
        assert CONFIDENCE["name"] > CONFIDENCE["pronoun"] > CONFIDENCE["continuity"]
        assert CONFIDENCE["continuity"] > CONFIDENCE["entry"] > CONFIDENCE["salience"]
        assert CONFIDENCE["role"] > CONFIDENCE["entry"] > CONFIDENCE["role_guess"]
        assert CONFIDENCE["role_guess"] > CONFIDENCE["salience"]
        assert CONFIDENCE["salience"] > DEFAULT_MIN_CONFIDENCE > CONFIDENCE["none"]

    @pytest.mark.parametrize(("threshold", "speaker"), [(0.5, "Okafor"), (0.6, None)])
    def test_threshold_nulls_weak_speakers(self, threshold: float, speaker: str | None) -> None:
        """Below `min_confidence` a quote keeps its method and confidence but has no speaker."""
        results, _ = run(*SALIENCE, min_confidence=threshold)
        quote = results[-1].quotes[0]
        assert speaker_of(results[-1], "tragedy") == speaker
        assert (quote.method, quote.confidence) == ("salience", 0.55)

    def test_speaker_below_threshold_is_not_an_entry_speaker(self) -> None:
        """A speaker dropped by the threshold is not listed among the entry's speakers."""
        results, _ = run(*SALIENCE, min_confidence=0.6)
        assert results[-1].speakers == []

    def test_pipeline_passes_the_threshold(self) -> None:
        """`process` hands `min_confidence` (from `Settings`) down to the attribute stage."""
        state = BlogState()
        threshold = Settings(min_confidence=0.9).min_confidence
        for seq, text in enumerate(SALIENCE):
            raw = RawEntry(
                blog_id="b",
                source="test",
                seq=seq,
                fetched_at=NOW,
                raw=text,
                hints=EntryHints(printed_time=f"10:0{seq}"),
            )
            entry, state = process(raw, state, min_confidence=threshold)
        assert [q.speaker for q in entry.quotes] == [None]


class TestEntrySpeakers:
    def test_quote_threshold_does_not_change_the_entry_speakers(self) -> None:
        """The entry-speaker model reads each quotation's best candidate and its share before
        calibration and threshold, as it was trained: `min_confidence` nulls quotations only."""
        entries = (
            OKAFOR,
            "“We are ready,” Okafor said.",
            "Okafor is in Lowdham. “It is a relief.”",
        )
        low, _ = run(*entries, rules_only=False, min_confidence=0.0)
        high, _ = run(*entries, rules_only=False, min_confidence=0.99)
        assert [q.speaker for q in high[-1].quotes] == [None]
        assert [q.speaker.name for q in low[-1].quotes if q.speaker] == ["Maria Okafor"]
        assert [s.name for s in high[-1].speakers] == [s.name for s in low[-1].speakers]


class TestCandidateFeatures:
    def test_organisation_names_are_not_flagged_as_word_salad(self) -> None:
        """An organisation's name is made of ordinary words ("Office for Harbour Safety"): the
        flags that expose a garbled person's name ("Limit Reyes") are for people only."""
        trace = Trace()
        run(
            "The Office for Harbour Safety warned on Monday. “The quay is unsafe,” the office "
            "said.",
            rules_only=False,
            trace=trace,
        )
        ((_, _, cands),) = trace.quotes
        by_name = {c.person.name: c.features for c in cands}
        office = by_name["Office for Harbour Safety"]
        assert not {"common_word_name", "function_word_name", "common_first_word"} & set(office)


class TestPurity:
    def test_memory_passed_in_is_unchanged(self) -> None:
        """The stage returns a new memory and leaves the one it was given as it was."""
        _, before = run(OKAFOR)
        snapshot = before.model_dump()
        entry = ParsedEntry(
            entry_id="e",
            blog_id="b",
            seq=1,
            published_at=NOW,
            printed_time="10:01",
            headline=None,
            paragraphs=(Paragraph(text="“Yes,” Okafor said."),),
        )
        _, after = attribute(entry, before)
        assert before.model_dump() == snapshot
        assert after.persons["okafor"].spoke

    @pytest.mark.parametrize("path", BLOGS, ids=lambda p: p.stem)
    def test_every_state_of_a_blog_stays_as_it_was(self, path: Path) -> None:
        """Each entry's new state shares the people it did not touch with the state before it
        (`SpeakerMemory.clone`): over a whole blog, no state changes after it was made, and the
        entries are those of a replay in which every state is a deep copy of the one before."""
        meta = build_meta(path, blog=None, date=None, tz=None, order=None)
        raws = list(FileSource(path, meta, max_bytes=10**7, max_entry_chars=10**6, fetched_at=NOW))
        state = BlogState()
        states: list[tuple[BlogState, str]] = []
        shared: list[str] = []
        for raw in raws:
            entry, state = process(raw, state)
            states.append((state, state.model_dump_json()))
            shared.append(entry.model_dump_json())
        assert [s.model_dump_json() for s, _ in states] == [dump for _, dump in states]
        state = BlogState()
        copied: list[str] = []
        for raw in raws:
            entry, state = process(raw, state.model_copy(deep=True))
            copied.append(entry.model_dump_json())
        assert shared == copied


class TestKnowledgeFile:
    @pytest.fixture(name="knowledge")
    def fixture_knowledge(self, tmp_path: Path) -> SpeakerMemory:
        """A knowledge file with a person (aliases, role, nationality) and an organisation."""
        path = tmp_path / "speakers.yaml"
        path.write_text(
            "people:\n"
            "  - name: Maria Okafor\n"
            "    aliases: [the housing czar]\n"
            "    roles: [minister for housing]\n"
            "    nationality: Nigerian\n"
            "    gender: f\n"
            "  - name: Housing Federation\n"
            "    kind: org\n",
            encoding="utf-8",
        )
        return load_knowledge(path)

    @pytest.mark.parametrize(
        ("entry", "speaker"),
        [
            ("“Yes,” the Nigerian said.", "Okafor"),
            ("“Yes,” said the housing minister.", "Okafor"),
            ("“Yes,” she said.", "Okafor"),
            ("“Yes,” the federation said.", "Federation"),
        ],
    )
    def test_known_people_are_found_without_introduction(
        self, knowledge: SpeakerMemory, entry: str, speaker: str
    ) -> None:
        """People in the knowledge file are found by descriptor, role and pronoun at once."""
        results, _ = run(entry, memory=knowledge)
        assert speaker_of(results[-1], "Yes") == speaker


@st.composite
def _live_text(draw: st.DrawFn) -> str:
    """Text made of live-blog pieces (names, verbs, marks) mixed with arbitrary characters."""
    pieces = st.sampled_from(
        [
            "Okafor",
            "said",
            "says",
            "she",
            "he",
            "the minister",
            "according to",
            ":",
            "“",
            "”",
            "‘",
            "’",
            '"',
            "'",
            ",",
            ".",
            "Q:",
            "A:",
            "> ",
            "\n\n",
            "— Name (@x)",
            "Ms",
            "its",
            "A spokeswoman for",
            "the 54-year-old",
            "asked",
            "and",
            "Lindqvist's",
            "of the",
        ]
    )
    parts = draw(st.lists(st.one_of(pieces, st.text(max_size=12)), max_size=40))
    return " ".join(parts)


class TestRobustness:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=_live_text(), headline=st.one_of(st.none(), _live_text()))
    def test_attribution_never_raises(self, text: str, headline: str | None) -> None:
        """Any text, live-blog-like or not, is attributed without an exception."""
        paragraphs = tuple(
            Paragraph(text=p, quote_block=p.startswith(">")) for p in text.split("\n\n") if p
        )
        entry = ParsedEntry(
            entry_id="e",
            blog_id="b",
            seq=0,
            published_at=None,
            printed_time=None,
            headline=headline or None,
            paragraphs=paragraphs,
        )
        result, memory = attribute(entry, SpeakerMemory())
        for quote in result.quotes:
            assert 0.0 <= quote.confidence <= 1.0
            assert quote.speaker is None or quote.speaker.id in memory.persons
