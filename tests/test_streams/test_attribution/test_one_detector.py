"""One speech detector: the rule reader's frames and the alert matcher's voices ask the same
`speech_cue`, so they agree on which sentences report someone's speech."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas.events import EnrichedEntry, SpeakerRef
from streams.alerts.directory import SpeakerDirectory
from streams.attribution.memory import SpeakerMemory
from streams.attribution.quotes import find_quotes
from streams.attribution.speech import speech_cue
from streams.attribution.tokens import tokenize
from streams.attribution.voices import voices

OKAFOR = SpeakerRef(id="okafor", name="Maria Okafor")

SENTENCES = [
    ("Okafor defended the plan on Monday.", False),
    ("Okafor spoke about the plan on Monday.", True),
    ("Okafor speaks about the plan on Monday.", True),
    ("Okafor said the plan would pass.", True),
    ("According to Okafor, the plan will pass.", True),
    ("Okafor spoke with the mayor on Monday.", False),
]


def _detects(text: str) -> bool:
    tokens = tokenize(text, find_quotes(text))
    return any(speech_cue(tokens, k) is not None for k in range(len(tokens)))


def _voiced(text: str) -> bool:
    entry = EnrichedEntry(
        entry_id="e",
        blog_id="b",
        seq=0,
        published_at=datetime(2025, 1, 1, tzinfo=UTC),
        printed_time="12:00",
        headline=None,
        body=text,
        speakers=(OKAFOR,),
        quotes=(),
        language="en",
    )
    memory = SpeakerMemory()
    memory.add("Maria Okafor")
    directory = SpeakerDirectory()
    directory.learn_memory("b", memory)
    return any(v.speaker == OKAFOR for v in voices(entry, directory))


class TestOneDetector:
    @pytest.mark.parametrize(("text", "speech"), SENTENCES)
    def test_frames_and_voices_agree(self, text: str, speech: bool) -> None:
        """The same sentences report speech for the stage's detector and for the voices."""
        assert _detects(text) is speech
        assert _voiced(text) is speech
