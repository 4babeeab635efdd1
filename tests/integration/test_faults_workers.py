"""Workers under faults: a third worker joining and leaving mid-run, and the broker stopped and
started under a running worker. The worker output is complete and the sink exact (lost 0,
duplicates 0) in each case, and each prints its figures."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.kafka_admin import ensure_topics
from connectors.sinks.consumer_sink import TopicSink, open_sink
from connectors.sources.files import FileSource
from connectors.sources.kafka_producer import raw_entry_producer
from schemas.events import EnrichedEntry, RawEntry
from streams.cli.replay import build_meta
from streams.core.settings import Settings
from tests.conftest import SEED
from tests.integration.kafka_support import (
    WorkerProcess,
    collect,
    kafka_script,
    make_settings,
    wait_for_group,
)

pytestmark = [pytest.mark.integration, pytest.mark.faults]

FETCHED = datetime(2022, 4, 26, 15, 0, tzinfo=UTC)


def _raws(blog: str) -> list[RawEntry]:
    meta = build_meta(SEED, blog=blog, date=None, tz=None, order=None)
    source = FileSource(SEED, meta, max_bytes=10**7, max_entry_chars=10**6, fetched_at=FETCHED)
    return [source.to_raw(block, seq) for seq, block in enumerate(source.blocks())]


async def _produce(settings: Settings, raws: list[RawEntry]) -> None:
    async with raw_entry_producer(settings) as producer:
        for raw in raws:
            await producer.send(raw)
        await producer.flush()


async def _sink_figures(settings: Settings, want: set[str], db: Path) -> tuple[int, int, int]:
    """Entries the sink wrote from the entries topic: (rows, lost, duplicate ids)."""
    sink = await open_sink(str(db))
    try:
        await TopicSink(settings, sink, group=f"{settings.app_id}-sink").run(idle_exit=3)
    finally:
        await sink.close()
    conn = sqlite3.connect(db)
    try:
        ids = [row[0] for row in conn.execute("SELECT entry_id FROM entries")]
    finally:
        conn.close()
    return len(ids), len(want - set(ids)), len(ids) - len(set(ids))


def _distinct_and_same(records: list[object]) -> set[str]:
    """The entry ids of the worker's output; every copy of an entry is the same record."""
    copies: dict[str, str] = {}
    for record in records:
        assert isinstance(record, EnrichedEntry)
        text = record.model_dump_json()
        assert copies.setdefault(record.entry_id, text) == text, "a copy differs"
    return set(copies)


class TestThirdWorker:
    async def test_a_third_worker_joins_and_leaves_mid_run(
        self, kafka_bootstrap: str, tmp_path: Path
    ) -> None:
        """Two workers run; a third joins (the group rebalances to three), then leaves (back to
        two), with entries produced before, during and after: every entry comes out, copies are
        identical, and the sink holds each entry once."""
        settings = make_settings(kafka_bootstrap, uuid.uuid4().hex[:12], partitions=3)
        await ensure_topics(settings)
        stream = [raw for blog in ("three-a", "three-b") for raw in _raws(blog)]
        thirds = [stream[: len(stream) // 3], stream[len(stream) // 3 : 2 * len(stream) // 3]]
        thirds.append(stream[2 * len(stream) // 3 :])
        workers = [WorkerProcess(settings, tmp_path / f"worker-{n}.log") for n in (1, 2, 3)]
        try:
            workers[0].start()
            workers[1].start()
            await wait_for_group(settings, 2)
            await _produce(settings, thirds[0])
            workers[2].start()
            await wait_for_group(settings, 3)
            await _produce(settings, thirds[1])
            workers[2].stop()
            await wait_for_group(settings, 2)
            await _produce(settings, thirds[2])
            records = await collect(
                settings,
                "entries",
                len(stream),
                timeout=120,
                distinct="entry_id",
                context=workers[0].tail() + "\n" + workers[1].tail(),
            )
        finally:
            for worker in workers:
                worker.stop()
        ids = _distinct_and_same(list(records))
        assert len(ids) == len(stream)
        rows, lost, duplicates = await _sink_figures(settings, ids, tmp_path / "sink.db")
        print(
            f"third worker joined and left: {len(stream)} entries, {len(records)} records on "
            f"the topic; sink {rows} rows, lost {lost}, duplicates {duplicates}"
        )
        assert (rows, lost, duplicates) == (len(stream), 0, 0)


class TestBrokerRestartUnderWorker:
    async def test_worker_rides_out_a_broker_stop_and_start(
        self, own_broker: tuple[str, Path], tmp_path: Path
    ) -> None:
        """The broker is stopped and started (same port, same data) while a worker runs, with
        entries produced before and after: the worker's output is complete, copies identical,
        and the sink holds each entry once."""
        bootstrap, state = own_broker
        settings = make_settings(bootstrap, uuid.uuid4().hex[:12], partitions=2)
        await ensure_topics(settings)
        stream = _raws("restart-a")
        half = len(stream) // 2
        worker = WorkerProcess(settings, tmp_path / "worker.log")
        try:
            worker.start()
            await wait_for_group(settings, 1)
            await _produce(settings, stream[:half])
            await collect(
                settings, "entries", 1, timeout=60, distinct="entry_id", context=worker.tail()
            )
            await asyncio.to_thread(kafka_script, "stop", state=state)
            again = await asyncio.to_thread(kafka_script, "start", state=state)
            assert again == bootstrap, "the broker came back on its port"
            assert worker.proc is not None and worker.proc.poll() is None, worker.tail()
            await _produce(settings, stream[half:])
            records = await collect(
                settings,
                "entries",
                len(stream),
                timeout=180,
                distinct="entry_id",
                context=worker.tail(),
            )
        finally:
            worker.stop()
        ids = _distinct_and_same(list(records))
        assert len(ids) == len(stream)
        rows, lost, duplicates = await _sink_figures(settings, ids, tmp_path / "sink.db")
        print(
            f"broker stop/start under a worker: {len(stream)} entries, {len(records)} records "
            f"on the topic; sink {rows} rows, lost {lost}, duplicates {duplicates}"
        )
        assert (rows, lost, duplicates) == (len(stream), 0, 0)
