"""The raw-entry producer: connectors push entries onto the raw topic, keyed by blog id.

An idempotent aiokafka producer with acks=all: a retried send never writes a record twice.
`send` queues a record and keeps its delivery future; `flush` waits for every queued future and
raises `SinkError` when the broker refused or never took any of them (aiokafka's own `flush()`
returns normally for a failed batch). A caller therefore moves its cursor only after `flush`
returned. Records are validated models, encoded as UTF-8 JSON; a dead letter a source made (an
oversized block) goes to the dead-letter topic.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from schemas.codec import MAX_RECORD_BYTES, encode
from schemas.events import DeadLetter, RawEntry
from schemas.exceptions import SinkError
from streams.core.settings import Settings
from streams.core.topics import TopicNames, bootstrap_servers

__all__ = ["ProduceStats", "RawEntryProducer", "raw_entry_producer"]

log = structlog.get_logger(__name__)


@dataclass
class ProduceStats:
    entries: int = 0
    dead_letters: int = 0


class RawEntryProducer:
    """Sends raw entries (and a source's dead letters) to their topics, keyed by blog id."""

    def __init__(
        self, producer: AIOKafkaProducer, names: TopicNames, *, max_pending: int = 10_000
    ) -> None:
        self.producer = producer
        self.names = names
        self.stats = ProduceStats()
        self.max_pending = max_pending
        #: delivery futures of records sent since the last flush
        self._pending: list[asyncio.Future[Any]] = []

    async def send(self, item: RawEntry | DeadLetter) -> None:
        """Queue one record; `flush` (or leaving the context) waits until the broker has it."""
        key: bytes | None
        if isinstance(item, RawEntry):
            topic, key = self.names.raw, item.blog_id.encode("utf-8")
            self.stats.entries += 1
        else:
            topic = self.names.dead_letters
            key = item.blog_id.encode("utf-8") if item.blog_id else None
            self.stats.dead_letters += 1
        try:
            future = await self.producer.send(topic, encode(item), key=key)
        except KafkaError as exc:
            raise SinkError(f"cannot send to {topic}: {exc}") from exc
        self._pending.append(future)
        if len(self._pending) >= self.max_pending:
            await self.flush()

    async def send_all(
        self, items: Iterable[RawEntry | DeadLetter], delays: Iterable[float] | None = None
    ) -> ProduceStats:
        """Send every record, waiting `delay` seconds before each one when delays are given."""
        if delays is None:
            for item in items:
                await self.send(item)
        else:
            for item, delay in zip(items, delays, strict=False):
                if delay > 0:
                    await self.flush()
                    await asyncio.sleep(delay)
                await self.send(item)
        await self.flush()
        return self.stats

    async def flush(self) -> None:
        """Wait until the broker has every record sent so far; `SinkError` when it refused one
        (or the delivery timeout passed): then none of them may be taken as delivered."""
        pending, self._pending = self._pending, []
        try:
            await self.producer.flush()
        except KafkaError as exc:
            raise SinkError(f"cannot deliver to Kafka: {exc}") from exc
        results = await asyncio.gather(*pending, return_exceptions=True)
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            log.error("records not delivered", failed=len(failed), sent=len(results))
            raise SinkError(
                f"Kafka did not take {len(failed)} of {len(results)} records: {failed[0]!r}"
            ) from failed[0]


@asynccontextmanager
async def raw_entry_producer(
    settings: Settings, *, max_request_size: int = MAX_RECORD_BYTES + 65_536
) -> AsyncIterator[RawEntryProducer]:
    """An idempotent (acks=all) producer for the raw topic of `settings`; flushed on exit."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers(settings.broker),
        client_id=f"{settings.app_id}-producer",
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_request_size=max_request_size,
        # a batch the broker has not taken by then fails its futures, so `flush` raises
        request_timeout_ms=int(settings.produce_timeout * 1000),
    )
    try:
        await producer.start()
    except KafkaError as exc:
        await producer.stop()
        raise SinkError(f"cannot reach Kafka at {settings.broker}: {exc}") from exc
    wrapper = RawEntryProducer(producer, TopicNames.from_settings(settings))
    try:
        yield wrapper
        await wrapper.flush()
    finally:
        await producer.stop()
        log.info(
            "producer closed",
            entries=wrapper.stats.entries,
            dead_letters=wrapper.stats.dead_letters,
        )
