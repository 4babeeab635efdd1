"""A worker SIGKILLed mid-stream and restarted: nothing lost, nothing duplicated in the sinks, and
the speaker memory restored from the table's changelog (attribution equals the uninterrupted run).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.kafka_admin import ensure_topics
from connectors.sinks.consumer_sink import TopicSink, open_sink
from connectors.sinks.kafka_reader import read_topic
from connectors.sinks.rows import TABLES
from connectors.sources.files import FileSource
from connectors.sources.kafka_producer import raw_entry_producer
from schemas.events import EnrichedEntry, RawEntry
from streams.cli.replay import build_meta
from streams.core.settings import Settings
from tests.conftest import SEED
from tests.integration.kafka_support import (
    WorkerProcess,
    collect,
    embedded_entries,
    make_settings,
)

pytestmark = pytest.mark.integration

BLOGS = ("seed-a", "seed-b", "seed-c", "seed-d")
FETCHED = datetime(2022, 4, 26, 15, 0, tzinfo=UTC)
#: seconds between two produced records: the stream lasts about two seconds
PACE = 0.015
KILL_AFTER = 50


def _raws(blog: str) -> list[RawEntry]:
    meta = build_meta(SEED, blog=blog, date=None, tz=None, order=None)
    source = FileSource(SEED, meta, max_bytes=10**7, max_entry_chars=10**6, fetched_at=FETCHED)
    return [source.to_raw(block, seq) for seq, block in enumerate(source.blocks())]


def _rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    cols = ", ".join(TABLES[table][0])
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute(f"SELECT {cols} FROM {table}"), key=repr)
    finally:
        conn.close()


@pytest.fixture(name="settings")
def fixture_settings(kafka_bootstrap: str) -> Settings:
    settings = make_settings(kafka_bootstrap, uuid.uuid4().hex[:12], partitions=2)
    asyncio.run(ensure_topics(settings))
    return settings


@pytest.fixture(name="reference")
def fixture_reference(tmp_path: Path) -> Iterator[Path]:
    """The uninterrupted (embedded) run of every blog, in one SQLite database."""
    db = tmp_path / "reference.db"
    for blog in BLOGS:
        embedded_entries(SEED, "--blog", blog, "--db", str(db), cwd=tmp_path)
    yield db


class TestWorkerKilledMidStream:
    async def test_restart_loses_and_duplicates_nothing(
        self, settings: Settings, reference: Path, tmp_path: Path
    ) -> None:
        """SIGKILL after part of a paced stream, restart: the topics hold every entry (copies
        identical), and the sink's entries, quotes and speakers equal the uninterrupted run."""
        per_blog = [_raws(blog) for blog in BLOGS]
        stream = [raws[i] for i in range(len(per_blog[0])) for raws in per_blog]
        first = WorkerProcess(settings, tmp_path / "worker-1.log").start()
        second = WorkerProcess(settings, tmp_path / "worker-2.log")
        killed_at: list[int] = []
        try:

            async def produce() -> None:
                async with raw_entry_producer(settings) as producer:
                    await producer.send_all(stream, [PACE] * len(stream))

            async def kill_mid_stream() -> None:
                seen: set[str] = set()
                async for record, _, _, _ in read_topic(settings, "entries", from_beginning=True):
                    assert isinstance(record, EnrichedEntry)
                    seen.add(record.entry_id)
                    if len(seen) >= KILL_AFTER:
                        break
                first.kill()
                killed_at.append(len(seen))
                second.start()

            await asyncio.wait_for(asyncio.gather(produce(), kill_mid_stream()), 120)
            records = await collect(
                settings,
                "entries",
                len(stream),
                timeout=120,
                distinct="entry_id",
                context=second.tail(),
            )
        finally:
            first.stop()
            second.stop()
        assert killed_at and killed_at[0] < len(stream)

        copies: dict[str, str] = {}
        for record in records:
            assert isinstance(record, EnrichedEntry)
            text = record.model_dump_json()
            assert copies.setdefault(record.entry_id, text) == text, "a copy differs"
        want_ids = {row[0] for row in _rows(reference, "entries")}
        assert set(copies) == want_ids

        db = tmp_path / "sink.db"
        sink = await open_sink(str(db))
        try:
            await TopicSink(settings, sink, group=f"{settings.app_id}-sink").run(idle_exit=3)
        finally:
            await sink.close()
        for table in ("entries", "quotes", "speakers"):
            assert _rows(db, table) == _rows(reference, table), table
        attributed = [json.loads(row[-1]) for row in _rows(db, "entries")]
        assert sum(q["speaker"] is not None for e in attributed for q in e["quotes"]) > 0
