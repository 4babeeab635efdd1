"""The local broker keeps its data and port across stop/start, and a producer rides it out."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from connectors.kafka_admin import ensure_topics
from connectors.sources.kafka_producer import raw_entry_producer
from schemas.events import RawEntry
from streams.core.topics import TopicNames, bootstrap_servers
from tests.integration.kafka_support import kafka_script, make_settings, read_all

pytestmark = [pytest.mark.integration, pytest.mark.faults]

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _raw(seq: int) -> RawEntry:
    return RawEntry(blog_id="storm", source="t", seq=seq, fetched_at=NOW, raw=f"10:{seq:02d} Hi.")


class TestBrokerRestart:
    async def test_same_port_same_data_and_nothing_lost(self, own_broker: tuple[str, Path]) -> None:
        """Records produced before a stop are there after the start, on the same port; records
        sent while the broker is down are delivered once it is back (flush waits, none lost,
        none doubled); a topic nobody created is an error, never auto-created."""
        bootstrap, state = own_broker
        settings = make_settings(bootstrap, uuid.uuid4().hex[:12], partitions=2)
        settings = settings.model_copy(update={"produce_timeout": 120.0})
        await ensure_topics(settings)
        async with raw_entry_producer(settings) as producer:
            for seq in range(10):
                await producer.send(_raw(seq))
            await producer.flush()
            kafka_script("stop", state=state)
            for seq in range(10, 20):
                await producer.send(_raw(seq))
            again = await asyncio.to_thread(kafka_script, "start", state=state)
            assert again == bootstrap, "the broker came back on its port"
            await producer.flush()
        raws = await read_all(settings, "raw")
        seqs = sorted(r.seq for r in raws if isinstance(r, RawEntry))
        print(f"broker restart: {len(seqs)} of 20 records, lost {20 - len(set(seqs))}")
        assert seqs == list(range(20))

        missing = f"{TopicNames.from_settings(settings).raw}-never-created"
        plain = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers(settings.broker), request_timeout_ms=3000
        )
        await plain.start()
        try:
            with pytest.raises(KafkaError):
                await plain.send_and_wait(missing, b"x")
        finally:
            await plain.stop()
