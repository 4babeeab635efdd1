"""Kafka mode of subscriptions and alerts: a plugin of the Faust app (`create_app(plugins=...)`).

- Subscriptions live on the compacted topic `PREFIX.subscriptions` (key: subscription id, value:
  the `Subscription` JSON, a tombstone deletes). Every worker follows the whole topic with its
  own group-less consumer, so each one sees every change within a second, without a restart.
- The match agent reads the entries topic and sends each hit as a candidate alert to
  `PREFIX.alert-candidates`, keyed by subscription id.
- The admit agent reads the candidates (one subscription is always on one partition) and keeps
  each subscription's dedup and throttle state in the changelog-backed Faust table
  `alert-state`; admitted alerts and digests go to the alerts topic, and only once the broker
  has them is the new state written (a crash in between admits the candidate again rather than
  losing it). A timer sends a tick for subscriptions whose throttle window has folded alerts, so
  their digest goes out in time.
- The delivery agent reads the alerts topic and awaits `Delivery.deliver` for each alert (up to
  `DELIVERY_CONCURRENCY` alerts at once): the record is acknowledged, so its offset committable,
  only when every target has it or its dead letter (with the reason) is on the dead-letter topic.
  A worker killed during retries therefore leaves the alert uncommitted, and the next worker
  delivers it: at-least-once, the alert id telling a repeat apart.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from connectors.kafka_admin import ensure_alert_topics, partition_count
from connectors.sinks.delivery import Delivery
from connectors.sinks.subscriptions import KafkaBook
from schemas.codec import decode, encode
from schemas.events import Alert, DeadLetter, EnrichedEntry, Speaker, Subscription
from schemas.exceptions import LiveblogError, SchemaError
from streams.alerts.directory import SpeakerDirectory
from streams.alerts.matching import Matcher
from streams.alerts.policy import AlertPolicy, SubscriptionState, admit, alert_for, due
from streams.core.clock import Clock, system_clock
from streams.core.settings import Settings
from streams.core.topics import alert_topics, bootstrap_servers
from streams.runtime.kafka.offsets import FaustPositions
from streams.runtime.kafka.worker import REWIND_RETRY, RebalanceEnded

__all__ = [
    "SubscriptionFollower",
    "alert_plugin",
    "follow_topics",
]

log = structlog.get_logger(__name__)

STATE_TABLE = "alert-state"
#: alerts the delivery agent delivers at once (Faust commits only contiguous acknowledged offsets)
DELIVERY_CONCURRENCY = 8
#: an Alert on the candidates topic with this digest_count asks for the due digest only
_TICK = -1


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


def _state(raw: Any) -> SubscriptionState:
    if raw is None:
        return SubscriptionState()
    try:
        return SubscriptionState.model_validate_json(bytes(raw))
    except ValueError:
        return SubscriptionState()


def alert_plugin(
    clock: Clock = system_clock,
    delivery: Delivery | None = None,
    web: Callable[[Settings, Matcher], Awaitable[None]] | None = None,
) -> Callable[[Any], None]:
    """The plugin that adds subscriptions, alerts and delivery to a `streams.runtime.kafka.app`
    runtime; with `web` (`streams.web.kafka.serve_web`) and `settings.worker_web`, the page too.

    The web server is passed in rather than imported: the web app sits above the runtimes.
    """

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

        async def dead(record: DeadLetter) -> None:
            # awaited up to the broker's ack: the alert is acknowledged only after this
            key = (record.blog_id or "").encode("utf-8")
            sent = await outputs["dead_letters"].send(key=key, value=encode(record))
            await sent

        sender = delivery or Delivery(
            dead,
            attempts=settings.delivery_attempts,
            backoff=settings.delivery_backoff,
            timeout=settings.delivery_timeout,
            clock=clock,
            metrics=runtime.metrics,
        )

        async def follow_subscriptions() -> None:
            await ensure_alert_topics(settings)
            sender.start()
            await follower.run()

        app.task(follow_subscriptions)

        if settings.worker_web and web is not None:
            serve = web

            async def web_task() -> None:
                await serve(settings, matcher)

            app.task(web_task)

        async def learn_speakers(stream: Any) -> None:
            async for value in stream:
                with contextlib.suppress(LiveblogError):
                    matcher.directory.learn(decode(Speaker, value))

        learn_speakers = app.agent(outputs["speakers"], name="learn-speakers")(learn_speakers)

        async def match_entries(stream: Any) -> None:
            # entries matched before the subscriptions are loaded would miss their alerts
            await follower.ready.wait()
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
                alerts_topic = outputs["alerts"]
                sent = [
                    await alerts_topic.send(key=item.blog_id.encode("utf-8"), value=encode(item))
                    for item in out
                ]
                for future in sent:
                    await future
                # the dedup state follows the published alerts, never precedes them
                table[key] = state.model_dump_json().encode("utf-8")

        admit_alerts = app.agent(candidates, name="admit-alerts")(admit_alerts)

        async def deliver_alerts(stream: Any) -> None:
            # before the subscriptions are loaded every alert would look unsubscribed and be lost
            await follower.ready.wait()
            async for value in stream:
                try:
                    alert = decode(Alert, value)
                except SchemaError:
                    continue
                sub = matcher.get(alert.subscription_id)
                if sub is not None and sub.notify:
                    # acknowledged (on the next iteration) only once delivered or dead-lettered
                    await sender.deliver(alert, sub.notify)

        deliver_alerts = app.agent(
            outputs["alerts"], name="deliver-alerts", concurrency=DELIVERY_CONCURRENCY
        )(deliver_alerts)

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

        if not _in_memory(runtime):
            _rewind_alert_topics(app, [candidates_name, outputs["alerts"].get_topic_name()])

        runtime.extra["alerts"] = {
            "matcher": matcher,
            "follower": follower,
            "delivery": sender,
            "book": KafkaBook(settings, matcher),
            "table": table,
            "agents": (learn_speakers, match_entries, admit_alerts, deliver_alerts, digest_ticks),
        }

    return plugin


def _in_memory(runtime: Any) -> bool:
    """Whether the runtime's outputs are in-memory channels (tests), not Kafka topics."""
    return not hasattr(runtime.outputs["alerts"], "get_topic_name")


def _rewind_alert_topics(app: Any, topics: list[str]) -> None:
    """After each rebalance, seek the alert topics' partitions to where they resume.

    The same Faust gap the raw topic has (`worker.rewind_after_rebalance`): records fetched while
    a rebalance completes are dropped, and for a partition with no committed offset yet (a new
    group's first alerts, whose delivery was still pending when a worker died) Faust has nowhere
    to seek back to, so those alerts would never be delivered. Seeking to the committed offset,
    else the first record, reads them again: an alert may be delivered twice, never lost.
    """
    positions = FaustPositions(app)
    settled = asyncio.Event()
    app.sensors.add(RebalanceEnded(settled))
    done: dict[str, int | None] = {"generation": None}

    async def rewind() -> None:
        while True:
            await settled.wait()
            settled.clear()
            generation = positions.settled_generation()
            if generation is None or generation == done["generation"]:
                continue
            done["generation"] = generation
            try:
                for topic in topics:
                    for tp in positions.assigned(topic):
                        start = await positions.start_offset(tp)
                        log.info(
                            "alert partition sought to its resume offset after a rebalance",
                            topic=topic,
                            partition=tp.partition,
                            offset=start,
                        )
                        await positions.seek(tp, start, generation)
            except KafkaError as exc:
                log.warning("seek after rebalance failed", error=str(exc))
                done["generation"] = None
                await asyncio.sleep(REWIND_RETRY)
                settled.set()

    app.task(rewind)
