"""The worker's agent: raw records in, entries, quotes, speakers, alerts and dead letters out.

`RecordHandler` is the whole logic and knows nothing of Kafka: it validates one raw record at the
edge, runs `streams.pipeline.process` with the blog's state and returns what to publish and the
blog's new checkpoint. The agent registered by `register` is the thin loop around it: read the
blog's checkpoint, publish the outputs, and once the broker has them all (acks=all) write the
checkpoint to the table, and so to its changelog, and acknowledge the record
(`streams.runtime.kafka.inflight`).

That order makes redelivery safe (at-least-once). A record redelivered after a crash is either
processed again from the state before it, giving the same records with the same ids (the sinks
upsert by id), or, when the crash came after a checkpoint covering it (its own, or a newer one of
its blog: `InFlight` writes a busy blog's newest only) reached the changelog, skipped: the
checkpoint holds the source partition and offset it covers, and the outputs of every record it
covers were delivered before it was written.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from aiokafka.errors import KafkaError
from faust.sensors import Sensor
from faust.types import TopicT
from pydantic import BaseModel, ConfigDict, Field

from schemas.codec import MAX_RECORD_BYTES, decode, encode
from schemas.events import MAX_RAW_CHARS, Alert, DeadLetter, EnrichedEntry, Quote, RawEntry, Speaker
from schemas.exceptions import LiveblogError, PayloadTooLarge, SchemaError, StageError
from streams.attribution.memory import SpeakerMemory, speaker_fields, speaker_record
from streams.attribution.stage import DEFAULT_MIN_CONFIDENCE
from streams.core.clock import Clock, system_clock
from streams.core.metrics import Metrics
from streams.core.topics import TopicKind
from streams.pipeline.chain import BlogState, Extra, process
from streams.pipeline.deadletter import dead_letter
from streams.runtime.kafka.inflight import Changelog, InFlight
from streams.runtime.kafka.offsets import FaustPositions, OffsetCursor

__all__ = [
    "AGENT_NAME",
    "BlogCheckpoint",
    "Outcome",
    "Output",
    "RecordHandler",
    "register",
]

log = structlog.get_logger(__name__)

AGENT_NAME = "liveblog.process_raw"
#: blogs whose last state (checkpoint, speaker records) the worker keeps as objects
KEEP_BLOGS = 1024
#: seconds before a rewind that failed while the assignment stayed the same is tried again
REWIND_RETRY = 0.5


class RebalanceEnded(Sensor):
    """Sets `event` each time a rebalance is fully over, recovery included.

    `Sensor.on_rebalance_end` is Faust's public hook for that moment: `App.on_rebalance_end` calls
    it after the recovery sought the stream partitions to their committed offsets and resumed the
    flow (`faust/tables/recovery.py`). The signal `App.on_rebalance_complete` is not used because
    it is sent before that seek and resume, so a seek made on it would run before Faust's own and
    before the flow resumes (see faust-streaming/faust#216 and PR #217 on that ordering).
    """

    def __init__(self, event: asyncio.Event) -> None:
        super().__init__()
        self.event = event

    def on_rebalance_end(self, app: Any, state: Any) -> None:
        self.event.set()


class BlogCheckpoint(BaseModel):
    """A blog's state and the source record it covers: the value of the state table."""

    model_config = ConfigDict(extra="forbid")

    partition: int = Field(ge=0)
    offset: int = Field(ge=0)
    state: BlogState


@dataclass(frozen=True, slots=True)
class Output:
    """One record to publish: the topic kind, the key (blog id) and the JSON value."""

    kind: TopicKind
    key: bytes | None
    value: bytes


@dataclass(slots=True)
class Outcome:
    """What one raw record gave."""

    outputs: list[Output] = field(default_factory=list)
    #: (table key, the blog's new checkpoint) to write once the outputs are delivered; kept as a
    #: model, so that it is serialized only when it is written (`InFlight` writes the newest of
    #: a blog's delivered checkpoints) and the blog's next record reads it without parsing JSON
    state: tuple[bytes, BlogCheckpoint] | None = None
    entry: EnrichedEntry | None = None
    dead_letters: list[DeadLetter] = field(default_factory=list)
    skipped: bool = False

    @property
    def checkpoint(self) -> tuple[bytes, bytes] | None:
        """(table key, table value): the checkpoint as the table stores it."""
        if self.state is None:
            return None
        key, checkpoint = self.state
        return key, dump_checkpoint(checkpoint)

    def summary(self) -> dict[str, Any]:
        """A small description for logs and the agent's results."""
        return {
            "entry_id": self.entry.entry_id if self.entry else None,
            "outputs": [o.kind for o in self.outputs],
            "dead_letters": [d.stage for d in self.dead_letters],
            "skipped": self.skipped,
        }


def dump_checkpoint(checkpoint: BlogCheckpoint) -> bytes:
    """The table value of a checkpoint: compact JSON."""
    return checkpoint.model_dump_json().encode("utf-8")


#: what a checkpoint lookup gives: the stored bytes, or the model when the worker still has it
Stored = bytes | BlogCheckpoint


_ROUTES: dict[type[BaseModel], TopicKind] = {
    EnrichedEntry: "entries",
    Quote: "quotes",
    Speaker: "speakers",
    Alert: "alerts",
    DeadLetter: "dead_letters",
}


class RecordHandler:
    """Validate one raw record, run the stages on it with its blog's state, say what to publish."""

    def __init__(
        self,
        *,
        clock: Clock = system_clock,
        memory: SpeakerMemory | None = None,
        extras: Sequence[Extra] = (),
        metrics: Metrics | None = None,
        max_record_bytes: int = MAX_RECORD_BYTES,
        max_entry_chars: int = MAX_RAW_CHARS,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    ) -> None:
        self.clock = clock
        self.max_entry_chars = max_entry_chars
        self.min_confidence = min_confidence
        self.initial_memory = memory or SpeakerMemory()
        self.extras = list(extras)
        self.metrics = metrics or Metrics()
        self.max_record_bytes = max_record_bytes
        #: by blog key: the speaker memory after the blog's last entry and, by person id, the
        #: fields and speaker record of each person who spoke
        self._speakers: dict[
            bytes, tuple[SpeakerMemory, dict[str, tuple[tuple[object, ...], Speaker]]]
        ] = {}

    def initial_state(self) -> BlogState:
        return BlogState(memory=self.initial_memory.model_copy(deep=True))

    def handle(
        self,
        key: bytes | None,
        value: bytes | None,
        *,
        partition: int,
        offset: int,
        lookup: Callable[[bytes], Stored | None],
    ) -> Outcome:
        """One raw record of `partition` at `offset`; `lookup` reads a blog's stored checkpoint
        (its bytes, or the model itself when the caller kept it)."""
        payload = value if value is not None else b""
        with self.metrics.timed("decode"):
            try:
                raw = self._validate(key, payload)
            except LiveblogError as exc:
                return self._dead(key, "decode", str(exc), payload, None)
        self.metrics.count_out("decode")
        structlog.contextvars.bind_contextvars(blog_id=raw.blog_id)
        blog_key = raw.blog_id.encode("utf-8")
        stored = lookup(blog_key)
        checkpoint = _load(stored)
        covered = checkpoint is not None and checkpoint.partition == partition
        if checkpoint is not None and covered and offset <= checkpoint.offset:
            self.metrics.replays_skipped.inc()
            log.info("redelivered record skipped", covered_to=checkpoint.offset)
            return Outcome(skipped=True)
        state = checkpoint.state if checkpoint is not None else self.initial_state()
        with self.metrics.timed("process"):
            try:
                entry, new_state = process(raw, state, min_confidence=self.min_confidence)
            except StageError as exc:
                return self._dead(blog_key, exc.stage, str(exc), payload, raw.blog_id)
        self.metrics.count_out("process")
        structlog.contextvars.bind_contextvars(entry_id=entry.entry_id)
        records: list[BaseModel] = [entry, *entry.quotes]
        records.extend(self._changed_speakers(blog_key, raw.blog_id, state, new_state))
        outcome = Outcome(entry=entry)
        for extra in self.extras:
            try:
                records.extend(extra(entry))
            except LiveblogError as exc:
                outcome.dead_letters.append(self._letter("extra", str(exc), payload, raw.blog_id))
        for record in records:
            kind = _ROUTES.get(type(record))
            if kind is None:
                reason = f"no topic carries {type(record).__name__} records"
                outcome.dead_letters.append(self._letter("extra", reason, payload, raw.blog_id))
                continue
            encoded = encode(record)
            if len(encoded) > self.max_record_bytes:
                reason = (
                    f"{type(record).__name__} of {len(encoded)} bytes is over the "
                    f"{self.max_record_bytes}-byte record limit"
                )
                outcome.dead_letters.append(self._letter("publish", reason, payload, raw.blog_id))
                continue
            outcome.outputs.append(Output(kind, blog_key, encoded))
        outcome.outputs.extend(
            Output("dead_letters", blog_key, encode(letter)) for letter in outcome.dead_letters
        )
        for letter in outcome.dead_letters:
            self.metrics.dead_letters.labels(letter.stage).inc()
            log.warning("dead letter", stage=letter.stage, reason=letter.reason)
        outcome.state = (
            blog_key,
            BlogCheckpoint(partition=partition, offset=offset, state=new_state),
        )
        log.debug("entry processed", quotes=len(entry.quotes), outputs=len(outcome.outputs))
        return outcome

    def _changed_speakers(
        self, blog_key: bytes, blog_id: str, before: BlogState, after: BlogState
    ) -> list[Speaker]:
        """The blog's speaker records that are new or differ after an entry.

        The records before the entry were those after the blog's previous entry, when its state
        is that very object (the agent keeps the checkpoints it wrote): kept for the blogs seen
        last, they are not built twice. A record is built only for a person whose fields
        (`speaker_fields`) changed: equal fields give an equal record, and most people of a blog
        are the same after an entry as before it: the very same objects, shared by the two
        memories, whose fields are not even compared.
        """
        kept = self._speakers.pop(blog_key, None)
        if kept is not None and kept[0] is before.memory:
            old = kept[1]
        else:
            old = {
                p.id: (speaker_fields(p), speaker_record(p, blog_id))
                for p in before.memory.persons.values()
                if p.spoke
            }
        now: dict[str, tuple[tuple[object, ...], Speaker]] = {}
        changed: list[Speaker] = []
        shared = before.memory.persons
        for person in after.memory.persons.values():
            if not person.spoke:
                continue
            found = old.get(person.id)
            if found is not None and person is shared.get(person.id):
                # the very person of the memory before: the entry did not touch them (the
                # memory copies a person on write, `SpeakerMemory.clone`)
                now[person.id] = found
                continue
            fields = speaker_fields(person)
            if found is not None and found[0] == fields:
                now[person.id] = found
                continue
            record = speaker_record(person, blog_id)
            now[person.id] = (fields, record)
            if found is None or found[1] != record:
                changed.append(record)
        self._speakers[blog_key] = (after.memory, now)
        while len(self._speakers) > KEEP_BLOGS:
            del self._speakers[next(iter(self._speakers))]
        return changed

    def _validate(self, key: bytes | None, payload: bytes) -> RawEntry:
        raw = decode(RawEntry, payload, limit=self.max_record_bytes)
        if len(raw.raw) > self.max_entry_chars:
            # refused before parse, attribution and enrichment spend time on it
            raise PayloadTooLarge(
                f"entry of {len(raw.raw)} characters is over the {self.max_entry_chars}-character "
                "limit (LIVEBLOG_MAX_ENTRY_CHARS)",
                size=len(raw.raw),
                limit=self.max_entry_chars,
            )
        if key != raw.blog_id.encode("utf-8"):
            shown = key.decode("utf-8", "backslashreplace")[:200] if key is not None else None
            raise SchemaError(
                f"record key {shown!r} is not its blog id {raw.blog_id!r}: raw entries must be "
                "keyed by blog id"
            )
        return raw

    def _letter(self, stage: str, reason: str, payload: bytes, blog_id: str | None) -> DeadLetter:
        return dead_letter(stage, reason, payload, now=self.clock(), blog_id=blog_id)

    def _dead(
        self, key: bytes | None, stage: str, reason: str, payload: bytes, blog_id: str | None
    ) -> Outcome:
        letter = self._letter(stage, reason, payload, blog_id)
        self.metrics.dead_letters.labels(stage).inc()
        log.warning("dead letter", stage=stage, reason=reason, size=len(payload))
        if isinstance(key, bytes) and len(key) > 1000:
            key = None
        return Outcome(outputs=[Output("dead_letters", key, encode(letter))], dead_letters=[letter])


def _load(stored: Stored | None) -> BlogCheckpoint | None:
    if stored is None or isinstance(stored, BlogCheckpoint):
        return stored
    return BlogCheckpoint.model_validate_json(stored)


Publish = Callable[[Output], Awaitable[Awaitable[Any]]]


async def _publisher(
    app: Any, outputs: Mapping[TopicKind, Any], table: Any
) -> tuple[Publish, Changelog | None]:
    """How the agent sends an output, and a checkpoint to the table's changelog: straight to the
    app's producer for Kafka topics.

    `Topic.send` wraps every record in Faust's pending and future messages, sensor calls and a
    debug line before it reaches the same producer; with several records per entry that was a
    large part of the worker's transport cost. `ProducerT.send` (public, the driver's own) takes
    the topic name, key and value and returns aiokafka's delivery future, which `InFlight` awaits.
    The key alone picks the partition (the default murmur2 partitioner), as with `Topic.send`.

    A checkpoint goes the same way, to the partition of the source record it covers, where
    `Collection.send_changelog` went through `Topic.send_soon` and Faust's producer buffer. Faust
    flushes the producer (its buffer and aiokafka's) before it commits offsets either way, so an
    acknowledged record's checkpoint is on the broker before its offset is committed. What the
    buffer's callback did, `Collection._on_changelog_sent`, records the changelog offset for a
    persistent store; the memory store (`app.faust_app`) keeps none.

    Channels (agent tests without a broker) keep `Channel.send` and `send_changelog`.
    """
    if not all(isinstance(topic, TopicT) for topic in outputs.values()):

        async def to_channel(out: Output) -> Awaitable[Any]:
            sent: Awaitable[Any] = await outputs[out.kind].send(key=out.key, value=out.value)
            return sent

        return to_channel, None
    names = {kind: topic.get_topic_name() for kind, topic in outputs.items()}
    changelog_name = table.changelog_topic.get_topic_name()
    producer = await app.maybe_start_producer()

    async def to_topic(out: Output) -> Awaitable[Any]:
        sent: Awaitable[Any] = await producer.send(
            names[out.kind], out.key, out.value, None, None, None
        )
        return sent

    async def to_changelog(partition: int, key: bytes, value: bytes) -> Awaitable[Any]:
        sent: Awaitable[Any] = await producer.send(
            changelog_name, key, value, partition, None, None
        )
        return sent

    return to_topic, to_changelog


def register(
    app: Any,
    source: Any,
    outputs: Mapping[TopicKind, Any],
    table: Any,
    handler: RecordHandler,
    *,
    positions: FaustPositions | None = None,
) -> Any:
    """Register the raw-entry agent on a Faust `app`; returns the agent.

    `source` is the raw topic (or a channel in tests), `outputs` the topic or channel of each kind,
    `table` the Faust table of blog checkpoints (raw bytes keys and values), `positions` the
    running consumer's positions for the order guard (None in tests without a broker).
    """
    metrics = handler.metrics
    cursor = OffsetCursor()
    source_topic: str | None = getattr(source, "get_topic_name", lambda: None)()
    rewound: dict[str, int | None] = {"generation": None}
    settled = asyncio.Event()

    async def admit(event: Any, inflight: InFlight) -> bool:
        """Whether to process the event; on a hole in the offsets, seek back to it."""
        if positions is None:
            return True
        message = event.message
        tp = message.tp
        generation = positions.generation()
        if cursor.generation != generation:
            # a rebalance: what is in flight belongs to the old assignment
            await inflight.drain()
            inflight.latest.clear()
            cursor.reset(generation)
        if not cursor.known(tp):
            cursor.start(tp, await positions.start_offset(tp))
        verdict = cursor.admit(tp, message.offset)
        if verdict == "release":
            # the consumer's re-read began past the expected offset: those records are gone
            restarted = positions.restarted(tp)
            if restarted is not None and restarted > cursor.expected(tp):
                log.warning(
                    "records deleted before they were read",
                    expected=cursor.expected(tp),
                    resumed_at=restarted,
                )
                cursor.sought(tp, restarted)
                verdict = cursor.admit(tp, message.offset)
        if verdict == "process":
            return True
        if verdict == "seek":
            expected = cursor.expected(tp)
            metrics.gaps.inc()
            log.warning("records skipped by the consumer, seeking back", expected=expected)
            try:
                sought = await positions.seek(tp, expected, generation)
            except KafkaError as exc:
                if positions.generation() == generation:
                    raise
                # the partition was revoked under the seek: the new generation starts afresh
                log.warning("seek back failed in a rebalance", error=str(exc))
                sought = None
            if sought is not None and sought > expected:
                log.warning("records deleted before they were read", resumed_at=sought)
                cursor.sought(tp, sought)
        # Released, not acknowledged: its offset stays uncommitted until it is processed. Faust
        # has no public "release without commit": `Event.ack()` would add the offset to the
        # committable ones, and a message neither acked nor flagged stays in the consumer's
        # unacked set, which `Consumer.wait_empty()` waits on at the next rebalance forever (the
        # hang of faust-streaming/faust#133, robinhood/faust#402; manual acks around rebalances:
        # faust-streaming/faust#527). Setting the flag lets `_clean_unacked_messages` drop it
        # without committing its offset. tests/.../test_faust_internals.py pins this behaviour.
        message.acked = True
        return False

    async def rewind_after_rebalance() -> None:
        """Once a rebalance is over, seek each source partition to where it must resume.

        Faust seeks only to committed offsets above 0, after it resumed the partitions: records
        it fetched and dropped while the tables recovered are lost for a partition without one,
        and when they were its last records no later one shows the hole to the gap guard, so the
        worker would wait forever. Seeking to the committed offset (else the first record) once
        the generation is settled reads them again; those already processed are skipped by their
        blog's checkpoint, and the records before the committed offset are all acknowledged.
        """
        if positions is None or source_topic is None:
            return
        generation = positions.settled_generation()
        if generation is None or generation == rewound["generation"]:
            return
        rewound["generation"] = generation
        try:
            for tp in positions.assigned(source_topic):
                start = await positions.start_offset(tp)
                log.info(
                    "source partition sought to its resume offset after a rebalance",
                    partition=tp.partition,
                    offset=start,
                    generation=generation,
                )
                if await positions.seek(tp, start, generation) is None:
                    log.info("rewind overtaken by a rebalance", generation=generation)
                    return
        except KafkaError as exc:
            # the assignment changed under us: a new generation comes and is handled then
            log.warning("seek after rebalance failed", error=str(exc))
            if positions.generation() == generation:
                rewound["generation"] = None
                await asyncio.sleep(REWIND_RETRY)
                settled.set()

    async def process_raw(stream: Any) -> AsyncIterator[dict[str, Any]]:
        publish, changelog = await _publisher(app, outputs, table)
        inflight = InFlight(
            table,
            metrics,
            on_error=app.crash,
            encode=dump_checkpoint,
            keep=KEEP_BLOGS,
            changelog=changelog,
        )
        try:
            async for event in stream.noack().events():
                message = event.message
                structlog.contextvars.clear_contextvars()
                structlog.contextvars.bind_contextvars(
                    topic=message.topic, partition=message.partition, offset=message.offset
                )
                if not await admit(event, inflight):
                    continue
                outcome = handler.handle(
                    message.key,
                    message.value,
                    partition=message.partition,
                    offset=message.offset,
                    lookup=inflight.lookup,
                )
                with metrics.timed("publish"):
                    futures = [await publish(out) for out in outcome.outputs]
                metrics.count_out("publish", len(futures))
                # the checkpoint is written and the record acknowledged once these are delivered
                await inflight.add(event, message.partition, futures, outcome.state)
                if positions is not None:
                    highwater = positions.highwater(message.tp)
                    metrics.set_lag(message.topic, message.partition, highwater, message.offset)
                yield outcome.summary()
            await inflight.drain()
        finally:
            inflight.close()
            structlog.contextvars.clear_contextvars()

    if positions is not None and source_topic is not None:
        # woken by Faust at the end of each rebalance rather than polling `app.rebalancing`
        app.sensors.add(RebalanceEnded(settled))

        async def rewind_on_rebalance_end() -> None:
            while True:
                await settled.wait()
                settled.clear()
                await rewind_after_rebalance()

        app.task(rewind_on_rebalance_end)
    return app.agent(source, name=AGENT_NAME)(process_raw)
