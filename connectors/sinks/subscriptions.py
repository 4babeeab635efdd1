"""The subscription book of Kafka mode: subscriptions written to the compacted subscriptions
topic (key: subscription id, value: the `Subscription` JSON, a tombstone deletes)."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from schemas.codec import encode
from schemas.events import Subscription
from schemas.exceptions import ConfigError
from streams.alerts.matching import Matcher
from streams.core.settings import Settings
from streams.core.topics import alert_topics, bootstrap_servers

__all__ = ["KafkaBook", "publish_subscription"]


async def publish_subscription(
    settings: Settings, subscription_id: str, subscription: Subscription | None
) -> None:
    """Put a subscription on the subscriptions topic (None: a tombstone that deletes it)."""
    topic, _ = alert_topics(settings)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers(settings.broker), acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        value = encode(subscription) if subscription is not None else None
        await producer.send_and_wait(topic, value=value, key=subscription_id.encode("utf-8"))
    except KafkaError as exc:
        raise ConfigError(f"cannot publish subscription {subscription_id!r}: {exc}") from exc
    finally:
        await producer.stop()


class KafkaBook:
    """The subscription book of Kafka mode: reads the local matcher, writes to the topic."""

    def __init__(self, settings: Settings, matcher: Matcher) -> None:
        self.settings = settings
        self.matcher = matcher

    def list(self) -> list[Subscription]:
        return sorted(self.matcher.subscriptions(), key=lambda s: s.id)

    def get(self, subscription_id: str) -> Subscription | None:
        return self.matcher.get(subscription_id)

    async def put(self, subscription: Subscription) -> None:
        await publish_subscription(self.settings, subscription.id, subscription)
        self.matcher.add(subscription)

    async def delete(self, subscription_id: str) -> bool:
        found = self.matcher.get(subscription_id) is not None
        await publish_subscription(self.settings, subscription_id, None)
        self.matcher.remove(subscription_id)
        return found
