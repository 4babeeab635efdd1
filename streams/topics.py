"""The Kafka topics: names under one prefix, keys, partition counts, and creating them.

Every topic is keyed by the blog id (UTF-8 bytes), so all records of one blog land on one
partition and are processed in order. Values are compact UTF-8 JSON of the `schemas` models, so
any Kafka client reads them. This module imports no Faust: the producer, the sink and the `tail`
command use it too.

=============  ==================  ================================================
kind           name                value
=============  ==================  ================================================
raw            PREFIX.raw-entries  `RawEntry` (connectors produce it)
entries        PREFIX.entries      `EnrichedEntry` (its quotes inside)
quotes         PREFIX.quotes       `Quote`, one record per quotation (fan-out)
speakers       PREFIX.speakers     `Speaker`, whenever a speaker's record changes
alerts         PREFIX.alerts       `Alert`
dead_letters   PREFIX.dead-letters `DeadLetter` (stage, reason, original payload)
=============  ==================  ================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from schemas.exceptions import ConfigError
from streams.settings import Settings

__all__ = [
    "TOPIC_KINDS",
    "TopicKind",
    "TopicNames",
    "bootstrap_servers",
    "ensure_topics",
    "partition_count",
]

log = structlog.get_logger(__name__)

TopicKind = Literal["raw", "entries", "quotes", "speakers", "alerts", "dead_letters"]
TOPIC_KINDS: tuple[TopicKind, ...] = (
    "raw",
    "entries",
    "quotes",
    "speakers",
    "alerts",
    "dead_letters",
)
_SUFFIX: dict[TopicKind, str] = {
    "raw": "raw-entries",
    "entries": "entries",
    "quotes": "quotes",
    "speakers": "speakers",
    "alerts": "alerts",
    "dead_letters": "dead-letters",
}


#: Kafka's rule for topic names, and their 249-character limit less the longest suffix
_LEGAL = re.compile(r"[A-Za-z0-9._-]+")
_MAX_PREFIX = 249 - len(".dead-letters")


@dataclass(frozen=True, slots=True)
class TopicNames:
    """The topic names of one deployment (one prefix)."""

    prefix: str

    def __post_init__(self) -> None:
        if not _LEGAL.fullmatch(self.prefix) or len(self.prefix) > _MAX_PREFIX:
            raise ConfigError(
                f"topic prefix must be 1 to {_MAX_PREFIX} ASCII letters, digits, '.', '_' or '-': "
                f"{self.prefix!r}"
            )

    def name(self, kind: TopicKind) -> str:
        return f"{self.prefix}.{_SUFFIX[kind]}"

    @property
    def raw(self) -> str:
        return self.name("raw")

    @property
    def entries(self) -> str:
        return self.name("entries")

    @property
    def quotes(self) -> str:
        return self.name("quotes")

    @property
    def speakers(self) -> str:
        return self.name("speakers")

    @property
    def alerts(self) -> str:
        return self.name("alerts")

    @property
    def dead_letters(self) -> str:
        return self.name("dead_letters")

    def all(self) -> dict[TopicKind, str]:
        return {kind: self.name(kind) for kind in TOPIC_KINDS}

    @classmethod
    def from_settings(cls, settings: Settings) -> TopicNames:
        return cls(settings.topic_prefix)


def bootstrap_servers(broker: str) -> list[str]:
    """`kafka://h1:9092;kafka://h2:9092` (Faust's form) or `h1:9092,h2:9092` as host:port items."""
    out = []
    for part in broker.replace(";", ",").split(","):
        item = part.strip()
        if "://" in item:
            scheme, item = item.split("://", 1)
            if scheme != "kafka":
                raise ConfigError(f"broker URL must be kafka://HOST:PORT, got {part.strip()!r}")
        item = item.rstrip("/")
        if item:
            host, sep, port = item.rpartition(":")
            if not sep or not host or not port.isdigit():
                raise ConfigError(f"broker must be HOST:PORT, got {part.strip()!r}")
            out.append(item)
    if not out:
        raise ConfigError("no Kafka broker given")
    return out


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
        counts = await _partition_counts(admin, [names.name(kind) for kind in kinds])
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
