"""An entry as the reader sees it: paragraphs read once, and the mentions pronouns look back on."""

from __future__ import annotations

import pytest

from streams.attribution.context import EntryContext, Paragraph, first_word
from streams.attribution.memory import SpeakerMemory
from streams.attribution.tokens import name_runs, tokenize

TEXTS = [
    "“We are ready.” Okafor said so twice. Lindqvist (pictured) said it was “final”, and left.",
    "Dr. Obi and Ursula von der Lahn met U.S. officials at 3 p.m. on Monday. Nobody spoke.",
    "In a statement, the Housebuilders' Alliance said: “We welcome it. Every word.” It left.",
]


class TestParagraph:
    @pytest.mark.parametrize("text", TEXTS)
    def test_sentences_are_slices_of_the_paragraph(self, text: str) -> None:
        """Each sentence's tokens and name runs are those of tokenising the sentence alone."""
        para = Paragraph.of(text, "text")
        for start, end in para.bounds:
            tokens, runs = para.sentence(start, end)
            alone = tokenize(text[start:end], para.quotes, offset=start)
            assert (tokens, runs) == (alone, name_runs(alone))

    def test_first_word(self) -> None:
        """A sentence opens with its first word after marks; a quotation first means none."""
        assert first_word(tokenize("– Engineer admits", []), 0) == 1
        para = Paragraph.of(TEXTS[0], "text")
        assert first_word(para.tokens, 0) == -1


class TestEntryContext:
    def _context(self, *texts: str) -> tuple[EntryContext, SpeakerMemory]:
        memory = SpeakerMemory()
        context = EntryContext()
        context.paragraphs = [Paragraph.of(t, "text") for t in texts]
        return context, memory

    def test_mentions_before_a_point_most_recent_sentence_first(self) -> None:
        """Mentions after the point are left out; the rest come grouped by sentence, latest
        sentence first."""
        context, memory = self._context("A. B. C.")
        okafor, lindqvist, reid = (memory.add(n) for n in ("Maria Okafor", "Jan Lindqvist", "Reid"))
        context.enter(0, 0, 10)
        context.touch(okafor, 2)
        context.enter(0, 10, 20)
        context.touch(lindqvist, 12, subject=True)
        context.touch(reid, 18)
        groups = context.before(15)
        assert [[s.person.surname for s in g if s.person] for g in groups] == [
            ["Lindqvist"],
            ["Okafor"],
        ]
        assert groups[0][0].subject

    def test_mid_sentence_capitals(self) -> None:
        """Words capitalised only because they open a sentence do not count."""
        context, _ = self._context("Brannock said nothing. Allies of Kell agree.", "Brannock left.")
        assert context.mid_caps() == frozenset(["Kell"])

    def test_people_of_the_entry(self) -> None:
        """The entry's people are the known persons it names anywhere, in order."""
        context, memory = self._context("Later, Okafor and Reid left.", "Lindqvist stayed.")
        for name in ("Jan Lindqvist", "Maria Okafor", "Tom Reid"):
            memory.add(name)
        memory.add("Westshire Police", kind="org")
        assert [p.surname for p in context.people(memory)] == ["Okafor", "Reid", "Lindqvist"]
