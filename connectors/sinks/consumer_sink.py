"""`liveblog sink`: a consumer group that writes the topics into SQLite or PostgreSQL, batched.

It reads the entries (which carry their quotes), speakers, alerts and dead-letter topics, validates
each record at the edge, and writes a batch in one transaction before it commits the batch's
offsets: at-least-once, and every write is an upsert by id, so a redelivered batch changes
nothing. Speakers reach the database from the speakers topic, where the worker publishes a
speaker's record whenever it changes. A record that does not validate is stored as a dead letter
(stage `sink`); a failed write (the database restarting) is retried with backoff and jitter for
up to `sink_retry_timeout` seconds (`streams.core.retry`), reconnecting as needed, then the sink
stops without committing. A commit refused after a rebalance is logged and skipped: the new
owner of those partitions rewrites the batch, and upserts make that harmless. Several sinks of
one group share the partitions: right for scaling out one database, wrong for two databases
(each would get part of the stream). A sink left on the default group says so at start, with its
group and database, in one warning.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from pydantic import BaseModel

from connectors.sinks.postgres import PostgresSink, is_postgres_url
from connectors.sinks.sqlite import SqliteSink
from schemas.codec import MAX_RECORD_BYTES, decode_any
from schemas.events import Alert, DeadLetter, EnrichedEntry, Speaker
from schemas.exceptions import LiveblogError, SchemaError, SinkError
from streams.core.clock import Clock, system_clock
from streams.core.metrics import Metrics
from streams.core.retry import retrying
from streams.core.settings import Settings
from streams.core.topics import TopicKind, TopicNames, bootstrap_servers
from streams.pipeline.deadletter import dead_letter

__all__ = ["SINK_TOPICS", "AsyncSink", "SinkStats", "TopicSink", "decode_record", "open_sink"]

log = structlog.get_logger(__name__)

#: what the sink consumes, and the record kind each topic must hold
SINK_TOPICS: dict[TopicKind, type[BaseModel]] = {
    "entries": EnrichedEntry,
    "speakers": Speaker,
    "alerts": Alert,
    "dead_letters": DeadLetter,
}


def decode_record(want: type[BaseModel], topic: str, value: bytes, now: datetime) -> BaseModel:
    """A record of `topic` validated as `want`; anything else becomes a dead letter (stage sink)."""
    try:
        record = decode_any(value, limit=MAX_RECORD_BYTES)
        if not isinstance(record, want):
            raise SchemaError(f"{topic} holds {want.__name__} records only")
    except LiveblogError as exc:
        return dead_letter("sink", f"{topic}: {exc}", value, now=now)
    return record


class AsyncSink(Protocol):
    async def write(self, records: Sequence[BaseModel]) -> None: ...

    async def close(self) -> None: ...


class _SqliteAsync:
    """The SQLite sink behind the async interface. Its writes run on a worker thread, one at a
    time: a file locked by another process (busy timeout 30 s) then stalls only the write, not
    the event loop and the consumer's heartbeats."""

    def __init__(self, sink: SqliteSink) -> None:
        self.sink = sink

    async def write(self, records: Sequence[BaseModel]) -> None:
        await asyncio.to_thread(self.sink.write, records)

    async def close(self) -> None:
        self.sink.close()


async def open_sink(db: str) -> AsyncSink:
    """A PostgreSQL sink for a postgresql:// URL, else a SQLite file (path or sqlite:///path)."""
    if is_postgres_url(db):
        return await PostgresSink.connect(db)
    return _SqliteAsync(SqliteSink(db.removeprefix("sqlite:///"), threaded=True))


@dataclass
class SinkStats:
    batches: int = 0
    records: int = 0
    invalid: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class TopicSink:
    """Consumes the output topics of `settings` and writes them to `sink` in batches."""

    def __init__(
        self,
        settings: Settings,
        sink: AsyncSink,
        *,
        group: str | None = None,
        database: str = "?",
        metrics: Metrics | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.settings = settings
        self.sink = sink
        self.group = group or settings.sink_group or f"{settings.app_id}-sink"
        self.default_group = not (group or settings.sink_group)
        self.database = database
        self.metrics = metrics or Metrics()
        self.clock = clock
        names = TopicNames.from_settings(settings)
        self.kinds = {names.name(kind): model for kind, model in SINK_TOPICS.items()}
        self.stats = SinkStats()

    def warn_shared_group(self) -> None:
        """One warning when this sink is on the default group, which every sink started without
        `--group` joins: two of them writing different databases split the partitions."""
        if self.default_group:
            log.warning(
                "sink on the default consumer group: every sink started without --group shares "
                "its partitions, so a second database would get only part of the stream; give "
                "each database its own group (--group or LIVEBLOG_SINK_GROUP)",
                group=self.group,
                database=self.database,
            )

    def _consumer(self) -> AIOKafkaConsumer:
        session_ms = int(self.settings.session_timeout * 1000)
        return AIOKafkaConsumer(
            *self.kinds,
            bootstrap_servers=bootstrap_servers(self.settings.broker),
            group_id=self.group,
            client_id=f"{self.group}-consumer",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=session_ms,
            heartbeat_interval_ms=min(3000, session_ms // 4),
            max_partition_fetch_bytes=self.settings.max_fetch_bytes,
        )

    async def run(
        self, *, stop: asyncio.Event | None = None, idle_exit: float | None = None
    ) -> SinkStats:
        """Consume until `stop` is set, or until no record came for `idle_exit` seconds."""
        stop = stop or asyncio.Event()
        self.warn_shared_group()
        consumer = self._consumer()
        try:
            await consumer.start()
        except KafkaError as exc:
            await consumer.stop()
            raise SinkError(f"cannot reach Kafka at {self.settings.broker}: {exc}") from exc
        log.info("sink started", group=self.group, topics=sorted(self.kinds))
        last = time.monotonic()
        try:
            while not stop.is_set():
                batch = await self._collect(consumer, stop)
                if not batch:
                    if idle_exit is not None and time.monotonic() - last >= idle_exit:
                        break
                    continue
                last = time.monotonic()
                await self._write(self._decode(batch))
                try:
                    await consumer.commit()
                except CommitFailedError as exc:
                    # a rebalance took the partitions: their new owner rewrites the batch
                    log.warning(
                        "commit refused after a rebalance; batch left to the new owner",
                        reason=str(exc)[:300],
                    )
                    continue
                self._lag(consumer, batch)
        finally:
            await consumer.stop()
            log.info("sink stopped", records=self.stats.records, batches=self.stats.batches)
        return self.stats

    async def _collect(
        self, consumer: AIOKafkaConsumer, stop: asyncio.Event
    ) -> list[ConsumerRecord[bytes, bytes]]:
        """Up to `sink_batch_size` records, waiting at most `sink_batch_seconds` to fill up."""
        size = self.settings.sink_batch_size
        deadline = time.monotonic() + self.settings.sink_batch_seconds
        out: list[ConsumerRecord[bytes, bytes]] = []
        while len(out) < size and not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            got = await consumer.getmany(timeout_ms=int(left * 1000), max_records=size - len(out))
            for records in got.values():
                out.extend(records)
            if out and not got:
                break
        return out

    def _decode(self, batch: list[ConsumerRecord[bytes, bytes]]) -> list[BaseModel]:
        records: list[BaseModel] = []
        for message in batch:
            self.metrics.records_in.labels("sink").inc()
            value = message.value if message.value is not None else b""
            record = decode_record(self.kinds[message.topic], message.topic, value, self.clock())
            if isinstance(record, DeadLetter) and record.stage == "sink":
                self.stats.invalid += 1
                self.metrics.dead_letters.labels("sink").inc()
                log.warning(
                    "invalid record stored as a dead letter",
                    topic=message.topic,
                    partition=message.partition,
                    offset=message.offset,
                    reason=record.reason,
                )
            records.append(record)
        return records

    async def _write(self, records: list[BaseModel]) -> None:
        async for attempt in retrying(
            "sink",
            on=SinkError,
            metrics=self.metrics,
            timeout=self.settings.sink_retry_timeout,
        ):
            with attempt:
                start = time.perf_counter()
                await self.sink.write(records)
                self.metrics.latency.labels("sink").observe(time.perf_counter() - start)
        self.metrics.records_out.labels("sink").inc(len(records))
        self.stats.batches += 1
        self.stats.records += len(records)
        for record in records:
            kind = str(getattr(record, "event", type(record).__name__))
            self.stats.by_kind[kind] = self.stats.by_kind.get(kind, 0) + 1

    def _lag(self, consumer: AIOKafkaConsumer, batch: list[ConsumerRecord[bytes, bytes]]) -> None:
        last: dict[TopicPartition, int] = {}
        for message in batch:
            last[TopicPartition(message.topic, message.partition)] = message.offset
        for tp, offset in last.items():
            self.metrics.set_lag(tp.topic, tp.partition, consumer.highwater(tp), offset)
