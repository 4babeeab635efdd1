"""Quotations without a frame: continuity, the entry's speaker, the previous entry's speaker."""

from __future__ import annotations

import pytest

from tests.test_streams.test_attribution.blog import run, speaker_of, speakers

OKAFOR = (
    "Maria Okafor, the minister for housing, arrived at the conference centre shortly after nine."
)
LINDQVIST = "EU trade commissioner Jan Lindqvist is also in the room, sitting in the front row."
BOTH = f"{OKAFOR} {LINDQVIST}"


class TestContinuity:
    @pytest.mark.parametrize(
        ("entry", "fragment", "speaker", "method"),
        [
            ("“First,” Okafor said. “Second.”", "Second", "Okafor", "continuity"),
            (
                "“We act,” Lindqvist said. Talks resume on Monday. “We talk.”",
                "We talk",
                "Lindqvist",
                "continuity",
            ),
            (
                "It is about “fairness”. “I have said so all along,” Okafor says.",
                "fairness",
                "Okafor",
                "continuity",
            ),
            (
                "Okafor recalled the 2019 deal. But it was “directly sabotaged”.",
                "sabotaged",
                "Okafor",
                "entry",
            ),
        ],
    )
    def test_unframed_quote_takes_its_neighbour(
        self, entry: str, fragment: str, speaker: str, method: str
    ) -> None:
        """An unframed quote next to a quote of X, or in an entry reporting X, is X's."""
        results, _ = run(BOTH, entry)
        quote = next(q for q in results[-1].quotes if fragment in q.text)
        assert (quote.speaker.name.split()[-1] if quote.speaker else None, quote.method) == (
            speaker,
            method,
        )

    def test_other_speaker_in_between(self) -> None:
        """After "Y replied that …", an unframed quote is Y's, not the earlier X's."""
        entry = "“No,” Okafor said. Lindqvist replied that he disagreed. “Completely.”"
        results, _ = run(BOTH, entry)
        assert speaker_of(results[-1], "Completely") == "Lindqvist"


class TestPreviousEntry:
    def test_standalone_quote_goes_to_the_previous_entry_speaker(self) -> None:
        """A lone quotation in an entry with no speaker continues the previous entry's."""
        results, _ = run(
            BOTH,
            "“We are ready,” Okafor said.",
            "The UN is ready to help with aid. “It is a tragedy there.”",
        )
        quote = results[-1].quotes[0]
        assert (speaker_of(results[-1], "tragedy"), quote.method) == ("Okafor", "salience")
        assert speakers(results[-1]) == ["Okafor"]

    def test_embedded_quote_is_not_continued(self) -> None:
        """A quotation inside a scene-setting sentence gets no speaker from the entry before."""
        results, _ = run(
            BOTH,
            "“We are ready,” Okafor said.",
            "Some protesters hold placards reading “Fields not flats”.",
        )
        assert speaker_of(results[-1], "Fields") is None
        assert speakers(results[-1]) == []

    def test_no_speaker_entries(self) -> None:
        """Sport commentary and scene-setting name players but carry nobody's words."""
        results, _ = run(
            "“We are ready,” said Tomasz Wierzbicki, the Rovers manager.",
            "GOAL! Harbour City 1-0 Rovers. Okonkwo curls it into the top corner from 25 yards.",
            "Yellow card for Okonkwo, who has a few words for the referee.",
            "The Rovers fans are in fine voice. “We'll be back” rings around the away end.",
        )
        assert [speakers(r) for r in results[1:]] == [[], [], []]
        assert [q.speaker for q in results[-1].quotes] == [None]

    def test_previous_speaker_needs_the_very_last_entry(self) -> None:
        """An entry without speakers in between breaks the thread."""
        results, _ = run(
            BOTH,
            "“We are ready,” Okafor said.",
            "Delegates have broken for lunch.",
            "“It is a tragedy there.”",
        )
        assert speaker_of(results[-1], "tragedy") is None
