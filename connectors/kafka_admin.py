"""Creating the Kafka topics and asking for their partition counts (aiokafka's admin client).

Shared by the producer, the reader, the workers and the CLI, so it sits in `connectors` (which
every runtime may import) rather than in a runtime.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from schemas.exceptions import ConfigError
from streams.core.retry import retrying
from streams.core.settings import Settings
from streams.core.topics import TOPIC_KINDS, TopicKind, TopicNames, alert_topics, bootstrap_servers

__all__ = ["ensure_alert_topics", "ensure_topics", "partition_count"]

log = structlog.get_logger(__name__)


async def ensure_topics(
    settings: Settings,
    *,
    configs: Mapping[TopicKind, Mapping[str, str]] | None = None,
    kinds: Sequence[TopicKind] = TOPIC_KINDS,
    timeout_ms: int = 30_000,
) -> dict[TopicKind, int]:
    """Create the missing topics with `settings.partitions`; return the partition counts.

    Topics are created explicitly because a broker that auto-creates topics gives them its default
    partition count, which would break the co-partitioning of the raw topic and the state table.
    An existing keyed topic with another partition count is a `ConfigError`.
    """
    names = TopicNames.from_settings(settings)
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers(settings.broker), request_timeout_ms=timeout_ms
    )
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        new = [
            NewTopic(
                names.name(kind),
                settings.partitions,
                settings.replication,
                topic_configs=dict((configs or {}).get(kind, {})),
            )
            for kind in kinds
            if names.name(kind) not in existing
        ]
        if new:
            try:
                response = await admin.create_topics(new, timeout_ms=timeout_ms)
            except TopicAlreadyExistsError:
                response = None
            for topic, code, message in getattr(response, "topic_errors", ()):
                # 36: created meanwhile by another worker
                if code not in (0, 36):
                    raise ConfigError(f"cannot create topic {topic}: error {code} {message}")
            log.info("topics created", topics=[t.name for t in new])
        counts = await _described(admin, [names.name(kind) for kind in kinds], timeout_ms)
    except KafkaError as exc:
        raise ConfigError(f"Kafka at {settings.broker} is not usable: {exc}") from exc
    finally:
        await admin.close()
    out: dict[TopicKind, int] = {}
    for kind in kinds:
        count = counts.get(names.name(kind), 0)
        if count != settings.partitions:
            raise ConfigError(
                f"topic {names.name(kind)} has {count} partitions, settings say "
                f"{settings.partitions}: every keyed topic needs the same count"
            )
        out[kind] = count
    return out


class _NotDescribedYet(Exception):
    """A topic just created is not in the broker's metadata with its partitions yet."""


async def _described(
    admin: AIOKafkaAdminClient, topics: list[str], timeout_ms: int
) -> dict[str, int]:
    """The topics' partition counts, once the broker's metadata shows each with partitions (a
    topic created a moment ago can be described with none on a busy broker), or, past the
    timeout, as they are."""
    counts: dict[str, int] = {}
    try:
        async for attempt in retrying(
            "topics",
            on=_NotDescribedYet,
            timeout=timeout_ms / 1000,
            wait_initial=0.05,
            wait_max=1.0,
        ):
            with attempt:
                counts = await _partition_counts(admin, topics)
                if any(not counts.get(topic) for topic in topics):
                    raise _NotDescribedYet
    except _NotDescribedYet:
        pass  # the caller names the topic and its count
    return counts


async def _partition_counts(admin: AIOKafkaAdminClient, topics: list[str]) -> dict[str, int]:
    described = await admin.describe_topics(topics)
    return {item["topic"]: len(item.get("partitions") or ()) for item in described}


async def partition_count(settings: Settings, topic: str, *, timeout_ms: int = 30_000) -> int:
    """Partitions of `topic`, 0 when it does not exist (it is not created by asking)."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers(settings.broker), request_timeout_ms=timeout_ms
    )
    try:
        await admin.start()
        if topic not in set(await admin.list_topics()):
            return 0
        return (await _partition_counts(admin, [topic])).get(topic, 0)
    except KafkaError as exc:
        raise ConfigError(f"Kafka at {settings.broker} is not usable: {exc}") from exc
    finally:
        await admin.close()


async def ensure_alert_topics(settings: Settings, *, timeout_ms: int = 30_000) -> None:
    """Create the compacted subscriptions topic and the candidates topic when missing."""
    subs, candidates = alert_topics(settings)
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers(settings.broker), request_timeout_ms=timeout_ms
    )
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        new = []
        if subs not in existing:
            new.append(
                NewTopic(subs, 1, settings.replication, topic_configs={"cleanup.policy": "compact"})
            )
        if candidates not in existing:
            new.append(NewTopic(candidates, settings.partitions, settings.replication))
        if new:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new, timeout_ms=timeout_ms)
    except KafkaError as exc:
        raise ConfigError(f"Kafka at {settings.broker} is not usable: {exc}") from exc
    finally:
        await admin.close()
