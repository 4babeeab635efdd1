"""Order per blog on a real broker: several blogs interleaved over several partitions, two workers.

Each blog's entries cross midnight, so an entry processed out of order would also get the wrong
date (the parse stage's day shift follows the order it sees).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from aiokafka.partitioner import murmur2
from pydantic import BaseModel

from connectors.kafka_admin import ensure_topics
from connectors.sinks.kafka_reader import read_topic
from connectors.sources.kafka_producer import raw_entry_producer
from schemas.events import EnrichedEntry, EntryHints, RawEntry
from streams.core.settings import Settings
from streams.runtime.embedded.runner import EmbeddedRunner
from tests.integration.kafka_support import WorkerProcess, make_settings, wait_for_group

pytestmark = pytest.mark.integration

PARTITIONS = 4
PER_BLOG = 24
FETCHED = datetime(2024, 3, 9, 23, 0, tzinfo=UTC)
#: invented people of invented blogs: (blog, name, role)
PEOPLE = [
    ("ferry-strike", "Ilse Varga", "mayor"),
    ("dam-inquiry", "Tomas Brenner", "minister"),
    ("rail-budget", "Nadia Okoro", "treasurer"),
    ("storm-watch", "Pavel Lindqvist", "forecaster"),
    ("port-talks", "Sara Mendel", "negotiator"),
    ("school-vote", "Ruben Castell", "governor"),
]


def _text(i: int, name: str, role: str) -> str:
    when = (datetime(2024, 3, 9, 22, 30, tzinfo=UTC) + timedelta(minutes=5 * i)).strftime("%H:%M")
    if i % 3 == 0:
        return f"{when} The {role.title()} {name} spoke again. “Update {i} is ready,” {name} said."
    if i % 3 == 1:
        return f"{when} “Nothing changes before update {i + 1},” the {role} told reporters."
    return f"{when} Crowds gathered outside for the {i}th time tonight."


def _blog_raws(blog: str, name: str, role: str) -> list[RawEntry]:
    return [
        RawEntry(
            blog_id=blog,
            source="test",
            seq=i,
            fetched_at=FETCHED,
            raw=_text(i, name, role),
            hints=EntryHints(date=date(2024, 3, 9), timezone="Europe/Madrid"),
        )
        for i in range(PER_BLOG)
    ]


def _normal(entry: EnrichedEntry) -> dict[str, Any]:
    """An entry as JSON with its entities sorted (their order follows set iteration order)."""
    data: dict[str, Any] = json.loads(entry.model_dump_json())
    data["entities"] = sorted(data["entities"], key=lambda e: (e["type"], e["text"]))
    return data


def _embedded(raws: Sequence[RawEntry]) -> list[EnrichedEntry]:
    class _Keep:
        def __init__(self) -> None:
            self.records: list[BaseModel] = []

        def write(self, records: Sequence[BaseModel]) -> None:
            self.records.extend(records)

        def close(self) -> None:
            pass

    sink = _Keep()
    EmbeddedRunner([sink]).run(raws)
    return [r for r in sink.records if isinstance(r, EnrichedEntry)]


@pytest.fixture(name="two_workers")
def fixture_two_workers(kafka_bootstrap: str, tmp_path: Path) -> Iterator[Settings]:
    settings = make_settings(kafka_bootstrap, uuid.uuid4().hex[:12], partitions=PARTITIONS)
    asyncio.run(ensure_topics(settings))
    workers = [WorkerProcess(settings, tmp_path / f"worker-{n}.log").start() for n in range(2)]
    try:
        yield settings
    finally:
        for worker in workers:
            worker.stop()


class TestOrderPerBlog:
    async def test_interleaved_blogs_keep_their_order(self, two_workers: Settings) -> None:
        """Blogs produced interleaved over four partitions, processed by two workers: each
        blog's entries come out complete, once, in order, and equal to the embedded run."""
        settings = two_workers
        by_blog = {blog: _blog_raws(blog, name, role) for blog, name, role in PEOPLE}
        partitions = {murmur2(blog.encode()) % PARTITIONS for blog in by_blog}
        assert len(partitions) >= 2, "the blogs must spread over several partitions"
        await wait_for_group(settings, members=2)
        interleaved = [raws[i] for i in range(PER_BLOG) for raws in by_blog.values()]
        async with raw_entry_producer(settings) as producer:
            await producer.send_all(interleaved)

        total = len(interleaved)
        seen: list[tuple[EnrichedEntry, int]] = []

        async def read() -> None:
            async for record, partition, _, error in read_topic(
                settings, "entries", from_beginning=True
            ):
                assert isinstance(record, EnrichedEntry), error
                seen.append((record, partition))
                if len(seen) >= total:
                    return

        await asyncio.wait_for(read(), 120)
        await asyncio.sleep(1)
        assert len({e.entry_id for e, _ in seen}) == total
        assert len({p for _, p in seen}) >= 2
        for blog, raws in by_blog.items():
            got = [e for e, _ in seen if e.blog_id == blog]
            assert [e.seq for e in got] == list(range(PER_BLOG)), blog
            times = [e.published_at for e in got]
            assert all(a is not None and b is not None and a < b for a, b in pairwise(times))
            assert [_normal(e) for e in got] == [_normal(e) for e in _embedded(raws)], blog
        assert times[-1] is not None and times[-1].date() == date(2024, 3, 10)
