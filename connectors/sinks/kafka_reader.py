"""Reading an output topic without a consumer group: what `liveblog tail` and the tests use.

Every partition is assigned directly (no group, no commits), starting at the end of the topic or
at its beginning, and each record is validated at the edge against the model the topic carries.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import BaseModel

from connectors.kafka_admin import partition_count
from schemas.codec import MAX_RECORD_BYTES, decode
from schemas.events import Alert, DeadLetter, EnrichedEntry, Quote, RawEntry, Speaker
from schemas.exceptions import LiveblogError, SinkError
from streams.core.settings import Settings
from streams.core.topics import TopicKind, TopicNames, bootstrap_servers

__all__ = ["TOPIC_MODELS", "Received", "read_topic"]

log = structlog.get_logger(__name__)

TOPIC_MODELS: dict[TopicKind, type[BaseModel]] = {
    "raw": RawEntry,
    "entries": EnrichedEntry,
    "quotes": Quote,
    "speakers": Speaker,
    "alerts": Alert,
    "dead_letters": DeadLetter,
}

#: a validated record with where it came from, or the reason it did not validate
Received = tuple[BaseModel | None, int, int, str | None]


async def read_topic(
    settings: Settings,
    kind: TopicKind,
    *,
    from_beginning: bool = False,
    idle_timeout: float | None = None,
) -> AsyncGenerator[Received, None]:
    """(record, partition, offset, error) of each record as it arrives.

    Stops after `idle_timeout` seconds without a record (never when it is None). A record that
    does not validate is yielded as (None, partition, offset, reason): the caller decides.
    """
    topic = TopicNames.from_settings(settings).name(kind)
    model = TOPIC_MODELS[kind]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers(settings.broker),
        enable_auto_commit=False,
        group_id=None,
        max_partition_fetch_bytes=settings.max_fetch_bytes,
    )
    try:
        count = await partition_count(settings, topic)
        if not count:
            raise SinkError(f"topic {topic} does not exist (start a worker, or check the prefix)")
        await consumer.start()
        tps = [TopicPartition(topic, p) for p in range(count)]
        consumer.assign(tps)
        if from_beginning:
            await consumer.seek_to_beginning(*tps)
        else:
            await consumer.seek_to_end(*tps)
        while True:
            timeout_ms = int((idle_timeout if idle_timeout is not None else 1.0) * 1000)
            got = await consumer.getmany(timeout_ms=timeout_ms, max_records=500)
            if not got:
                if idle_timeout is not None:
                    return
                continue
            for records in got.values():
                for message in records:
                    value = message.value if message.value is not None else b""
                    try:
                        record: BaseModel = decode(model, value, limit=MAX_RECORD_BYTES)
                    except LiveblogError as exc:
                        yield None, message.partition, message.offset, str(exc)
                        continue
                    yield record, message.partition, message.offset, None
    except KafkaError as exc:
        raise SinkError(f"cannot read {topic} from {settings.broker}: {exc}") from exc
    finally:
        await consumer.stop()
