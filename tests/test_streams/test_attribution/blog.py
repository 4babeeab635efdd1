"""Invented live-blog entries run through the parse and attribute stages, for the tests."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from schemas.events import EntryHints, RawEntry, SpeakerRef
from streams.attribution.memory import SpeakerMemory
from streams.attribution.stage import Attribution, Trace, attribute
from streams.core.models import ParseState
from streams.pipeline.parse import parse

NOW = datetime(2025, 3, 12, 18, 0, tzinfo=UTC)
_HEADLINE = re.compile(r"^## (.+)\n+")


def run(
    *entries: str,
    memory: SpeakerMemory | None = None,
    min_confidence: float = 0.5,
    rules_only: bool = True,
    trace: Trace | None = None,
) -> tuple[list[Attribution], SpeakerMemory]:
    """Attribute `entries` in order as one blog; `## Text` on an entry's first line is its
    headline. Returns each entry's attribution and the final memory.

    By default this is the rule reader alone (`rules_only`), whose mechanisms the table tests
    pin one by one; the ranker that decides on top of it is tested with `rules_only=False`."""
    state = ParseState()
    memory = memory or SpeakerMemory()
    results: list[Attribution] = []
    for seq, text in enumerate(entries):
        headline = _HEADLINE.match(text)
        raw = RawEntry(
            blog_id="test-blog",
            source="test",
            seq=seq,
            fetched_at=NOW,
            raw=text[headline.end() :] if headline else text,
            content_type="markdown",
            hints=EntryHints(
                printed_time=f"{10 + seq // 60:02d}:{seq % 60:02d}",
                headline=headline.group(1) if headline else None,
                date=date(2025, 3, 12),
                timezone="Europe/London",
            ),
        )
        parsed, state = parse(raw, state)
        result, memory = attribute(
            parsed, memory, min_confidence=min_confidence, rules_only=rules_only, trace=trace
        )
        results.append(result)
    return results, memory


def surname(ref: SpeakerRef | None) -> str | None:
    """The last word of a speaker's name, as the scorer compares them."""
    return ref.name.split()[-1] if ref is not None else None


def speaker_of(result: Attribution, fragment: str) -> str | None:
    """The surname of the speaker of the one quote that contains `fragment`."""
    found = [q for q in result.quotes if fragment in q.text]
    assert len(found) == 1, f"{fragment!r} in {[q.text for q in result.quotes]}"
    return surname(found[0].speaker)


def last_speaker_of(*entries: str, fragment: str) -> str | None:
    """Run the entries; the speaker of the quote with `fragment` in the last one."""
    results, _ = run(*entries)
    return speaker_of(results[-1], fragment)


def speakers(result: Attribution) -> list[str | None]:
    return [surname(ref) for ref in result.speakers]
