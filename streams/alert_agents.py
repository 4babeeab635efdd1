"""Kafka mode of subscriptions and alerts: a plugin of the Faust app (`create_app(plugins=...)`).

- Subscriptions live on the compacted topic `PREFIX.subscriptions` (key: subscription id, value:
  the `Subscription` JSON, a tombstone deletes). Every worker follows the whole topic with its
  own group-less consumer, so each one sees every change within a second, without a restart.
- The match agent reads the entries topic and sends each hit as a candidate alert to
  `PREFIX.alert-candidates`, keyed by subscription id.
- The admit agent reads the candidates (one subscription is always on one partition) and keeps
  each subscription's dedup and throttle state in the changelog-backed Faust table
  `alert-state`; admitted alerts and digests go to the alerts topic. A timer sends a tick for
  subscriptions whose throttle window has folded alerts, so their digest goes out in time.
- The delivery agent reads the alerts topic and hands each alert to the `Delivery` worker; a
  target that keeps failing sends the alert to the dead-letter topic with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from connectors.delivery import Delivery
from schemas.codec import decode, encode
from schemas.events import Alert, DeadLetter, EnrichedEntry, Speaker, Subscription
from schemas.exceptions import ConfigError, LiveblogError, SchemaError
from streams.alerts import AlertPolicy, SubscriptionState, admit, alert_for, due
from streams.clock import Clock, system_clock
from streams.directory import SpeakerDirectory
from streams.matching import Matcher
from streams.settings import Settings
from streams.topics import bootstrap_servers, partition_count

__all__ = [
    "KafkaBook",
    "SubscriptionFollower",
    "alert_plugin",
    "alert_topics",
    "ensure_alert_topics",
    "follow_topics",
    "publish_subscription",
    "serve_web",
]

log = structlog.get_logger(__name__)

STATE_TABLE = "alert-state"
#: an Alert on the candidates topic with this digest_count asks for the due digest only
_TICK = -1


def alert_topics(settings: Settings) -> tuple[str, str]:
    """(subscriptions topic, candidates topic) of this deployment."""
    return f"{settings.topic_prefix}.subscriptions", f"{settings.topic_prefix}.alert-candidates"


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


class SubscriptionFollower:
    """Follows the whole compacted subscriptions topic and keeps a matcher in step with it."""

    def __init__(self, settings: Settings, matcher: Matcher) -> None:
        self.settings = settings
        self.matcher = matcher
        self.ready = asyncio.Event()

    def apply(self, key: bytes | None, value: bytes | None) -> None:
        if key is None:
            return
        sub_id = key.decode("utf-8", errors="replace")
        if value is None:
            self.matcher.remove(sub_id)
            log.info("subscription removed", subscription_id=sub_id)
            return
        try:
            sub = decode(Subscription, value)
            self.matcher.add(sub)
            log.info("subscription updated", subscription_id=sub_id)
        except LiveblogError as exc:
            log.warning("subscription record skipped", subscription_id=sub_id, reason=str(exc))

    async def run(self) -> None:
        topic, _ = alert_topics(self.settings)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers(self.settings.broker),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            count = 0
            while not count:
                count = await partition_count(self.settings, topic)
                if not count:
                    await asyncio.sleep(1)
            tps = [TopicPartition(topic, p) for p in range(count)]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            if all(v == 0 for v in ends.values()):
                self.ready.set()
            while True:
                batch = await consumer.getmany(timeout_ms=500, max_records=500)
                for records in batch.values():
                    for record in records:
                        self.apply(record.key, record.value)
                if not self.ready.is_set():
                    caught_up = True
                    for tp in tps:
                        caught_up = caught_up and await consumer.position(tp) >= ends[tp]
                    if caught_up:
                        self.ready.set()
                        log.info("subscriptions loaded", count=len(self.matcher))
        finally:
            await consumer.stop()


async def follow_topics(
    settings: Settings, topics: list[str], on_record: Callable[[bytes], None]
) -> None:
    """Read every partition of `topics` from the start, forever, without a consumer group."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers(settings.broker),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        tps: list[TopicPartition] = []
        for topic in topics:
            count = 0
            while not count:
                count = await partition_count(settings, topic)
                if not count:
                    await asyncio.sleep(1)
            tps.extend(TopicPartition(topic, p) for p in range(count))
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            for records in batch.values():
                for record in records:
                    if record.value is not None:
                        on_record(record.value)
    finally:
        await consumer.stop()


async def serve_web(settings: Settings, matcher: Matcher) -> None:
    """The page, feeds and API on this worker: subscriptions from the topic, a local feed log
    filled from the quotes and alerts topics."""
    from connectors.feedlog import FeedLog, FeedSink
    from schemas.codec import decode_any
    from streams.web import Notifier, WebContext, build_app, running

    path = settings.feed_db or settings.worker_dir / f"{settings.app_id}-feed.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    feed = FeedLog(path)
    notifier = Notifier()
    sink = FeedSink(feed, matcher.directory, on_append=notifier.bump)

    def on_record(value: bytes) -> None:
        try:
            sink.write([decode_any(value)])
        except LiveblogError as exc:
            log.warning("feed record skipped", reason=str(exc))

    names = [f"{settings.topic_prefix}.quotes", f"{settings.topic_prefix}.alerts"]
    history = settings.db if "://" not in settings.db else None  # a `liveblog sink` SQLite file
    ctx = WebContext(settings, feed, notifier, KafkaBook(settings, matcher), history)
    follower = asyncio.get_running_loop().create_task(follow_topics(settings, names, on_record))
    try:
        async with running(build_app(ctx), settings.web_host, settings.web_port) as port:
            log.info("serving", host=settings.web_host, port=port)
            await asyncio.Event().wait()
    finally:
        follower.cancel()
        feed.close()


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


def _state(raw: Any) -> SubscriptionState:
    if raw is None:
        return SubscriptionState()
    try:
        return SubscriptionState.model_validate_json(bytes(raw))
    except ValueError:
        return SubscriptionState()


def alert_plugin(
    clock: Clock = system_clock, delivery: Delivery | None = None
) -> Callable[[Any], None]:
    """The plugin that adds subscriptions, alerts and delivery to a `streams.app` runtime."""

    def plugin(runtime: Any) -> None:
        app = runtime.app
        settings: Settings = runtime.settings
        matcher = Matcher(directory=SpeakerDirectory())
        follower = SubscriptionFollower(settings, matcher)
        _, candidates_name = alert_topics(settings)
        candidates = app.topic(
            candidates_name,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=settings.partitions,
            replicas=settings.replication,
        )
        table = app.Table(
            STATE_TABLE,
            default=None,
            partitions=settings.partitions,
            key_type=bytes,
            value_type=bytes,
        )
        _ = table.changelog_topic
        policy = AlertPolicy(limit=settings.alert_limit, window=settings.alert_window)
        outputs = runtime.outputs
        pending: set[asyncio.Task[Any]] = set()

        def dead(record: DeadLetter) -> None:
            key = (record.blog_id or "").encode("utf-8")
            task = asyncio.get_running_loop().create_task(
                outputs["dead_letters"].send(key=key, value=encode(record))
            )
            pending.add(task)
            task.add_done_callback(pending.discard)

        sender = delivery or Delivery(
            dead,
            attempts=settings.delivery_attempts,
            backoff=settings.delivery_backoff,
            timeout=settings.delivery_timeout,
            clock=clock,
        )

        async def follow_subscriptions() -> None:
            await ensure_alert_topics(settings)
            sender.start()
            await follower.run()

        app.task(follow_subscriptions)

        if settings.worker_web:

            async def web() -> None:
                await serve_web(settings, matcher)

            app.task(web)

        async def learn_speakers(stream: Any) -> None:
            async for value in stream:
                with contextlib.suppress(LiveblogError):
                    matcher.directory.learn(decode(Speaker, value))

        learn_speakers = app.agent(outputs["speakers"], name="learn-speakers")(learn_speakers)

        async def match_entries(stream: Any) -> None:
            async for value in stream:
                try:
                    entry = decode(EnrichedEntry, value)
                except SchemaError as exc:
                    log.warning("entry record skipped", reason=str(exc))
                    continue
                now = clock()
                for hit in matcher.match_entry(entry):
                    await candidates.send(
                        key=hit.subscription_id.encode("utf-8"),
                        value=encode(alert_for(hit, now=now)),
                    )

        match_entries = app.agent(outputs["entries"], name="match-entries")(match_entries)

        async def admit_alerts(stream: Any) -> None:
            async for event in stream.events():
                key = event.key
                try:
                    alert = decode(Alert, event.value)
                except SchemaError as exc:
                    log.warning("candidate record skipped", reason=str(exc))
                    continue
                state = _state(table.get(key))
                now = clock()
                if alert.digest_count == _TICK:
                    out, state = due(alert.subscription_id, state, now, policy)
                else:
                    out, state = admit(alert, state, now, policy)
                table[key] = state.model_dump_json().encode("utf-8")
                for item in out:
                    await outputs["alerts"].send(
                        key=item.blog_id.encode("utf-8"), value=encode(item)
                    )

        admit_alerts = app.agent(candidates, name="admit-alerts")(admit_alerts)

        async def deliver_alerts(stream: Any) -> None:
            async for value in stream:
                try:
                    alert = decode(Alert, value)
                except SchemaError:
                    continue
                sub = matcher.get(alert.subscription_id)
                if sub is not None and sub.notify:
                    sender.submit(alert, sub.notify)  # never waits

        deliver_alerts = app.agent(outputs["alerts"], name="deliver-alerts")(deliver_alerts)

        async def digest_ticks() -> None:
            now = clock()
            for key, raw in list(table.items()):
                state = _state(raw)
                start = state.window_start
                if state.folded and start and now - start >= timedelta(seconds=policy.window):
                    sub_id = bytes(key).decode("utf-8", errors="replace")
                    tick = Alert(
                        alert_id=f"tick-{sub_id}",
                        subscription_id=sub_id,
                        blog_id="-",
                        entry_id="-",
                        text="",
                        digest_count=_TICK,
                        created_at=now,
                    )
                    await candidates.send(key=bytes(key), value=encode(tick))

        digest_ticks = app.timer(interval=max(policy.window / 4, 1.0))(digest_ticks)

        runtime.extra["alerts"] = {
            "matcher": matcher,
            "follower": follower,
            "delivery": sender,
            "book": KafkaBook(settings, matcher),
            "table": table,
            "agents": (learn_speakers, match_entries, admit_alerts, deliver_alerts, digest_ticks),
        }

    return plugin
