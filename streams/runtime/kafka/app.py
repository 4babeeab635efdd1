"""The Faust app factory: wiring only, built from the one `Settings` object.

`create_app(settings)` makes the app (memory store, raw serializers, partitions from settings),
its topics, the changelog-backed table of blog checkpoints and the agent of
`streams.runtime.kafka.worker`.
Other components add their agents and tables through `plugins`, callables that receive the
`Runtime` before the worker starts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import faust
from aiokafka.partitioner import DefaultPartitioner, murmur2

from streams.attribution.memory import SpeakerMemory
from streams.core.clock import Clock, system_clock
from streams.core.metrics import Metrics
from streams.core.settings import Settings
from streams.core.topics import TOPIC_KINDS, TopicKind, TopicNames, bootstrap_servers
from streams.pipeline.chain import Extra
from streams.runtime.kafka.offsets import FaustPositions, SeekFilter
from streams.runtime.kafka.worker import RecordHandler, register

__all__ = [
    "STATE_TABLE",
    "KeyPartitioner",
    "Plugin",
    "Runtime",
    "create_app",
    "faust_app",
    "faust_worker",
]

#: the table of blog checkpoints; its changelog topic is `{app_id}-blog-state-changelog`
STATE_TABLE = "blog-state"


class KeyPartitioner:
    """The producer's partitioner: aiokafka's default (murmur2 of the key, as the Java client
    and Kafka Streams), with the hash of the keys used last remembered.

    aiokafka's `murmur2` is pure Python and ran for every record sent; an entry's outputs and
    checkpoint all have its blog id as key, so most hashes were of a key hashed just before.
    The partition is the same as with `DefaultPartitioner`; records without a key are left to it.
    """

    def __init__(self, keep: int = 4096) -> None:
        self.keep = keep
        self._hashes: dict[bytes, int] = {}
        self._default = DefaultPartitioner()

    def __call__(self, key: Any, all_partitions: list[int], available: list[int]) -> int:
        if type(key) is not bytes:
            return int(self._default(key, all_partitions, available))
        found = self._hashes.get(key)
        if found is None:
            if len(self._hashes) >= self.keep:
                self._hashes.clear()
            found = self._hashes[key] = murmur2(key) & 0x7FFFFFFF
        return all_partitions[found % len(all_partitions)]


@dataclass
class Runtime:
    """A built Faust app with the handles its agents and tests need."""

    app: Any
    settings: Settings
    names: TopicNames
    source: Any
    outputs: dict[TopicKind, Any]
    table: Any
    agent: Any
    handler: RecordHandler
    metrics: Metrics
    extra: dict[str, Any] = field(default_factory=dict)


Plugin = Callable[[Runtime], None]


def faust_app(settings: Settings) -> Any:
    """A bare Faust app configured from `settings` (the benchmark's passthrough uses it too).

    Its record scheduler is `SeekFilter` (Faust's round robin, plus what makes the order guard's
    seeks hold while the fetcher runs: `streams.runtime.kafka.offsets`)."""
    session = settings.session_timeout
    datadir = settings.worker_dir / settings.app_id
    datadir.parent.mkdir(parents=True, exist_ok=True)
    return faust.App(
        settings.app_id,
        broker=";".join(f"kafka://{s}" for s in bootstrap_servers(settings.broker)),
        store="memory://",
        datadir=str(datadir),
        autodiscover=False,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication,
        key_serializer="raw",
        value_serializer="raw",
        web_enabled=False,
        producer_acks=-1,
        producer_partitioner=KeyPartitioner(),
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=session,
        broker_heartbeat_interval=min(3.0, session / 4),
        broker_commit_interval=settings.commit_interval,
        consumer_max_fetch_size=settings.max_fetch_bytes,
        ConsumerScheduler=SeekFilter,
    )


def faust_worker(app: Any, **options: Any) -> Any:
    """A `faust.Worker` for `app` (options as `faust.Worker` takes them), without its spinner.

    The terminal spinner of `faust.Worker` sets the root logger to DEBUG and adds a handler that
    spins on every record (`Worker._setup_spinner_handler`); it is finished once the worker has
    started, but the root level stays DEBUG, so every debug line of Faust and aiokafka (one per
    record sent) was formatted into a `LogRecord` and then dropped by the level of our handler.
    With no spinner the root logger keeps the level of the logging config.
    """
    worker = faust.Worker(app, **options)
    worker.spinner = None
    return worker


def create_app(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    memory: SpeakerMemory | None = None,
    extras: Sequence[Extra] = (),
    metrics: Metrics | None = None,
    plugins: Sequence[Plugin] = (),
    in_memory: bool = False,
) -> Runtime:
    """The worker's Faust app; `in_memory` sends outputs to in-process channels (agent tests)."""
    names = TopicNames.from_settings(settings)
    app = faust_app(settings)

    def topic(kind: TopicKind) -> Any:
        return app.topic(
            names.name(kind),
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=settings.partitions,
            replicas=settings.replication,
        )

    source = topic("raw")
    outputs: dict[TopicKind, Any]
    if in_memory:
        outputs = {kind: app.channel() for kind in TOPIC_KINDS if kind != "raw"}
    else:
        outputs = {kind: topic(kind) for kind in TOPIC_KINDS if kind != "raw"}
    table = app.Table(
        STATE_TABLE,
        default=None,
        partitions=settings.partitions,
        key_type=bytes,
        value_type=bytes,
    )
    # declares the changelog topic now, so recovery reads it on the first assignment
    _ = table.changelog_topic
    metrics = metrics or Metrics()
    handler = RecordHandler(
        clock=clock,
        memory=memory,
        extras=extras,
        metrics=metrics,
        max_entry_chars=settings.max_entry_chars,
        min_confidence=settings.min_confidence,
    )
    positions = None if in_memory else FaustPositions(app)
    agent = register(app, source, outputs, table, handler, positions=positions)
    runtime = Runtime(app, settings, names, source, outputs, table, agent, handler, metrics)
    for plugin in plugins:
        plugin(runtime)
    return runtime
