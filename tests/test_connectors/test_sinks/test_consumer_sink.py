"""The topic sink's edge: records validated against their topic's kind, the rest dead-lettered."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.sinks.consumer_sink import decode_record, open_sink
from schemas.codec import encode
from schemas.events import DeadLetter, EnrichedEntry, Quote, Speaker

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ENTRY = EnrichedEntry(
    entry_id="e1",
    blog_id="b",
    seq=0,
    published_at=NOW,
    printed_time="12:00",
    headline=None,
    body="The ferry runs again.",
)
QUOTE = Quote(
    quote_id="q1",
    entry_id="e1",
    blog_id="b",
    published_at=NOW,
    text="It runs",
    speaker=None,
    confidence=0.0,
    method="none",
)


class TestDecodeRecord:
    def test_valid_record_of_the_topic_kind(self) -> None:
        """A record of the kind the topic carries comes back as that model."""
        assert decode_record(EnrichedEntry, "p.entries", encode(ENTRY), NOW) == ENTRY

    @pytest.mark.parametrize(
        ("value", "reason"),
        [
            (encode(QUOTE), "holds EnrichedEntry records only"),
            (b"{oops", "Invalid JSON"),
            (b"\xff\xfe", "not UTF-8"),
            (b"", "Invalid JSON"),
        ],
        ids=["wrong-kind", "not-json", "not-utf8", "empty"],
    )
    def test_anything_else_is_a_dead_letter(self, value: bytes, reason: str) -> None:
        """A record the topic should not hold becomes a dead letter of stage `sink`."""
        letter = decode_record(EnrichedEntry, "p.entries", value, NOW)
        assert isinstance(letter, DeadLetter)
        assert letter.stage == "sink"
        assert reason in letter.reason
        assert letter.reason.startswith("p.entries: ")
        assert letter.payload_size == len(value)


class TestOpenSink:
    @pytest.mark.parametrize("form", ["{path}", "sqlite:///{path}"])
    async def test_sqlite_paths(self, tmp_path: Path, form: str) -> None:
        """A path or a sqlite:/// URL opens a SQLite sink that writes and closes."""
        path = tmp_path / "s.db"
        sink = await open_sink(form.format(path=path))
        await sink.write([ENTRY, Speaker(id="x", blog_id="b", name="X")])
        await sink.close()
        assert path.exists()
