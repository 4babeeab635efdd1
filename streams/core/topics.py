"""The Kafka topics: names under one prefix, keys, partition counts, and creating them.

Every topic is keyed by the blog id (UTF-8 bytes), so all records of one blog land on one
partition and are processed in order. Values are compact UTF-8 JSON of the `schemas` models, so
any Kafka client reads them. Names only: creating topics and asking for partition counts is
`connectors.kafka_admin` (this module imports no Kafka client).

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
from dataclasses import dataclass
from typing import Literal

from schemas.exceptions import ConfigError
from streams.core.settings import Settings

__all__ = [
    "TOPIC_KINDS",
    "TopicKind",
    "TopicNames",
    "alert_topics",
    "bootstrap_servers",
]

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


def alert_topics(settings: Settings) -> tuple[str, str]:
    """(subscriptions topic, candidates topic) of this deployment."""
    return f"{settings.topic_prefix}.subscriptions", f"{settings.topic_prefix}.alert-candidates"
