"""The topic sink's edge: records validated against their topic's kind, the rest dead-lettered."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import BaseModel
from structlog.testing import capture_logs

from connectors.sinks.consumer_sink import TopicSink, decode_record, open_sink
from schemas.codec import encode
from schemas.events import DeadLetter, EnrichedEntry, Quote, Speaker
from streams.core.settings import Settings
from streams.pipeline.deadletter import dead_letter

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


class TestSqliteOffTheLoop:
    async def test_a_locked_file_stalls_the_write_not_the_loop(self, tmp_path: Path) -> None:
        """While another process holds the SQLite file locked, the sink's write waits on a worker
        thread and the event loop (heartbeats) keeps running; once released, the write lands."""
        db = tmp_path / "sink.db"
        sink = await open_sink(str(db))
        holder = sqlite3.connect(str(db), timeout=1)
        holder.execute("BEGIN EXCLUSIVE")
        letter = dead_letter("sink", "a reason", b"payload", now=NOW)
        write = asyncio.create_task(sink.write([letter]))
        ticks = 0
        while ticks < 20:
            await asyncio.sleep(0.01)
            ticks += 1
        assert not write.done(), "the write waits for the lock"
        holder.rollback()
        holder.close()
        await asyncio.wait_for(write, 30)
        await sink.close()
        with sqlite3.connect(str(db)) as check:
            assert check.execute("SELECT COUNT(*) FROM dead_letters").fetchone()[0] == 1


class _NoSink:
    async def write(self, records: Sequence[BaseModel]) -> None:
        raise AssertionError("nothing is written")

    async def close(self) -> None:
        return None


class TestDefaultGroupWarning:
    """A sink on the default consumer group says so, once, naming the group and the database."""

    def test_default_group_warns_once(self) -> None:
        """Without --group or LIVEBLOG_SINK_GROUP, one warning names the group and database."""
        sink = TopicSink(Settings(app_id="news"), _NoSink(), database="postgresql://db1/live")
        with capture_logs() as logs:
            sink.warn_shared_group()
        warnings = [e for e in logs if e["log_level"] == "warning"]
        assert len(warnings) == 1
        assert warnings[0]["group"] == "news-sink"
        assert warnings[0]["database"] == "postgresql://db1/live"
        assert "default consumer group" in warnings[0]["event"]

    @pytest.mark.parametrize(
        ("settings", "group"),
        [(Settings(sink_group="archive"), None), (Settings(), "archive")],
        ids=["setting", "argument"],
    )
    def test_a_chosen_group_is_quiet(self, settings: Settings, group: str | None) -> None:
        """A group chosen by setting or argument is the operator's decision: no warning."""
        sink = TopicSink(settings, _NoSink(), group=group, database="liveblog.db")
        with capture_logs() as logs:
            sink.warn_shared_group()
        assert sink.group == "archive"
        assert logs == []
