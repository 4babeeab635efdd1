"""Small hand-made records that several test modules share."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas.events import EnrichedEntry, Quote, SpeakerRef

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def entry_version(version: int, quotes: list[str], *, entry_id: str = "e1") -> EnrichedEntry:
    """Version `version` of one entry holding one attributed quote per text in `quotes`."""
    return EnrichedEntry(
        entry_id=entry_id,
        blog_id="b",
        seq=0,
        published_at=NOW,
        printed_time="12:00",
        headline=None,
        body="text",
        version=version,
        quotes=tuple(
            Quote(
                quote_id=f"q-{t}",
                entry_id=entry_id,
                blog_id="b",
                published_at=NOW,
                text=t,
                speaker=SpeakerRef(id="x", name="X"),
                confidence=0.9,
                method="name",
            )
            for t in quotes
        ),
    )
