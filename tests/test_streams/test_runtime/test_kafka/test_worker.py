"""The worker's record handler and its Faust agent (in-memory channels and table, no broker)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from connectors.sources.files import BlogMeta, FileSource
from schemas.codec import decode, encode
from schemas.events import (
    Alert,
    DeadLetter,
    EnrichedEntry,
    EntryHints,
    Quote,
    RawEntry,
    Speaker,
    Subscription,
)
from schemas.exceptions import LiveblogError
from streams.attribution.memory import speaker_record
from streams.core.metrics import Metrics
from streams.core.settings import Settings
from streams.core.topics import TopicKind
from streams.runtime.embedded.runner import EmbeddedRunner
from streams.runtime.kafka.app import Runtime, create_app
from streams.runtime.kafka.worker import BlogCheckpoint, Outcome, RecordHandler
from tests.conftest import SEED

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
BLOG = "harbour-live"
TEXTS = (
    "10:00 Interior Minister Tomas Brenner visited the harbour. "
    "“The border stays open,” Brenner said.",
    "10:05 “We will not close it,” the minister told reporters.",
    "10:10 Rain is expected in the afternoon.",
)


def _raw(seq: int, text: str, *, blog: str = BLOG, tz: str = "Europe/London") -> RawEntry:
    return RawEntry(
        blog_id=blog,
        source="test",
        seq=seq,
        fetched_at=NOW,
        raw=text,
        hints=EntryHints(date=date(2024, 5, 1), timezone=tz),
    )


class _Store:
    """The state table as a dict: what the agent's table lookups see."""

    def __init__(self) -> None:
        self.data: dict[bytes, bytes] = {}

    def lookup(self, key: bytes) -> bytes | None:
        return self.data.get(key)

    def feed(self, handler: RecordHandler, raw: RawEntry, offset: int) -> Outcome:
        key = raw.blog_id.encode()
        outcome = handler.handle(key, encode(raw), partition=0, offset=offset, lookup=self.lookup)
        if outcome.checkpoint is not None:
            self.data[outcome.checkpoint[0]] = outcome.checkpoint[1]
        return outcome


def _values(outcome: Outcome, kind: TopicKind) -> list[dict[str, Any]]:
    return [json.loads(o.value) for o in outcome.outputs if o.kind == kind]


def _embedded(raws: Sequence[RawEntry]) -> list[EnrichedEntry]:
    class _Keep:
        def __init__(self) -> None:
            self.records: list[BaseModel] = []

        def write(self, records: Sequence[BaseModel]) -> None:
            self.records.extend(records)

        def close(self) -> None:
            pass

    sink = _Keep()
    EmbeddedRunner([sink], clock=lambda: NOW).run(raws)
    return [r for r in sink.records if isinstance(r, EnrichedEntry)]


@pytest.fixture(name="handler")
def fixture_handler() -> RecordHandler:
    return RecordHandler(clock=lambda: NOW, metrics=Metrics())


class TestRecordHandler:
    def test_entry_fans_out_to_its_topics(self, handler: RecordHandler) -> None:
        """A valid record gives its entry, one record per quote and the changed speakers."""
        outcome = _Store().feed(handler, _raw(0, TEXTS[0]), offset=7)
        assert outcome.entry is not None
        assert [o.kind for o in outcome.outputs] == ["entries", "quotes", "speakers"]
        assert {o.key for o in outcome.outputs} == {BLOG.encode()}
        entry = decode(EnrichedEntry, outcome.outputs[0].value)
        quote = decode(Quote, outcome.outputs[1].value)
        speaker = decode(Speaker, outcome.outputs[2].value)
        assert quote == entry.quotes[0]
        assert quote.speaker is not None
        assert speaker.id == quote.speaker.id
        assert speaker.blog_id == BLOG

    def test_checkpoint_records_source_position(self, handler: RecordHandler) -> None:
        """The checkpoint names the partition and offset its state covers."""
        outcome = handler.handle(
            BLOG.encode(), encode(_raw(0, TEXTS[0])), partition=3, offset=41, lookup=lambda k: None
        )
        assert outcome.checkpoint is not None
        key, value = outcome.checkpoint
        checkpoint = BlogCheckpoint.model_validate_json(value)
        assert key == BLOG.encode()
        assert (checkpoint.partition, checkpoint.offset) == (3, 41)
        assert checkpoint.state.memory.persons

    def test_state_carries_over_like_embedded(self, handler: RecordHandler) -> None:
        """Entries processed one by one through the stored checkpoint equal the embedded run."""
        store = _Store()
        raws = [_raw(i, t) for i, t in enumerate(TEXTS)]
        got = [store.feed(handler, raw, offset=i).entry for i, raw in enumerate(raws)]
        assert got == _embedded(raws)

    def test_a_kept_checkpoint_reads_like_its_bytes(self, handler: RecordHandler) -> None:
        """A lookup may give the checkpoint model itself (the agent keeps the ones it wrote):
        the outputs are the same as from its JSON, and the model is not changed."""
        first = _Store().feed(handler, _raw(0, TEXTS[0]), offset=0)
        assert first.state is not None and first.checkpoint is not None
        key, kept = first.state
        before = kept.model_dump_json()
        from_model = handler.handle(
            key, encode(_raw(1, TEXTS[1])), partition=0, offset=1, lookup=lambda k: kept
        )
        stored = first.checkpoint[1]
        from_bytes = handler.handle(
            key, encode(_raw(1, TEXTS[1])), partition=0, offset=1, lookup=lambda k: stored
        )
        assert from_model.outputs == from_bytes.outputs
        assert from_model.checkpoint == from_bytes.checkpoint
        assert kept.model_dump_json() == before

    def test_speaker_records_are_those_of_people_who_changed(self, handler: RecordHandler) -> None:
        """Over the seed, with each checkpoint kept as a model (as the agent keeps the ones it
        wrote), the speaker records after each entry are exactly those of the people whose
        record is new or differs from theirs before the entry, in the memory's order."""
        meta = BlogMeta(BLOG, date(2022, 4, 26), "Europe/Berlin")
        source = FileSource(SEED, meta, max_bytes=10**7, max_entry_chars=10**6, fetched_at=NOW)
        kept: BlogCheckpoint | None = None
        sent = 0
        for offset, raw in enumerate(source):
            before = kept.state.memory if kept is not None else None
            records = (
                {p.id: speaker_record(p, BLOG) for p in before.persons.values() if p.spoke}
                if before is not None
                else {}
            )
            outcome = handler.handle(
                BLOG.encode(),
                encode(raw),
                partition=0,
                offset=offset,
                lookup=lambda k, kept=kept: kept,  # type: ignore[misc]
            )
            assert outcome.state is not None
            kept = outcome.state[1]
            want = [
                speaker_record(p, BLOG).model_dump(mode="json")
                for p in kept.state.memory.persons.values()
                if p.spoke and records.get(p.id) != speaker_record(p, BLOG)
            ]
            assert _values(outcome, "speakers") == want, offset
            sent += len(want)
        assert sent > 0

    def test_unchanged_speakers_are_not_sent_again(self, handler: RecordHandler) -> None:
        """An entry that changes no speaker's record publishes no speaker record."""
        store = _Store()
        for i, text in enumerate(TEXTS[:2]):
            store.feed(handler, _raw(i, text), offset=i)
        outcome = store.feed(handler, _raw(2, TEXTS[2]), offset=2)
        assert [o.kind for o in outcome.outputs] == ["entries"]

    @pytest.mark.parametrize(
        ("value", "key", "reason"),
        [
            (b"{not json", BLOG.encode(), "Invalid JSON"),
            (b'{"event": "raw_entry", "blog_id": "x"}', b"x", "Field required"),
            (b'{"a": "\xff\xfe"}', BLOG.encode(), "not UTF-8"),
            (b"x" * 5000, BLOG.encode(), "over the 4096-byte limit"),
            (None, BLOG.encode(), "Invalid JSON"),
            (encode(_raw(0, TEXTS[0])), b"another-blog", "not its blog id"),
            (encode(_raw(0, TEXTS[0])), None, "not its blog id"),
        ],
        ids=["not-json", "schema", "invalid-utf8", "too-large", "empty", "wrong-key", "no-key"],
    )
    def test_invalid_record_is_dead_lettered(
        self, value: bytes | None, key: bytes | None, reason: str
    ) -> None:
        """A record that fails validation becomes one dead letter with the reason and payload."""
        handler = RecordHandler(clock=lambda: NOW, metrics=Metrics(), max_record_bytes=4096)
        outcome = handler.handle(key, value, partition=0, offset=0, lookup=lambda k: None)
        assert [o.kind for o in outcome.outputs] == ["dead_letters"]
        assert outcome.checkpoint is None
        letter = decode(DeadLetter, outcome.outputs[0].value)
        assert letter.stage == "decode"
        assert reason in letter.reason
        assert letter.payload_size == len(value or b"")
        assert letter.payload == (value or b"").decode("utf-8", "backslashreplace")[:65536]
        assert handler.metrics.value("liveblog_dead_letters_total", stage="decode") == 1

    def test_newer_schema_version_is_dead_lettered(self, handler: RecordHandler) -> None:
        """A raw record of a schema version this release does not know is refused, not read."""
        value = encode(_raw(0, TEXTS[0])).replace(b'"schema_version":1', b'"schema_version":99')
        assert b'"schema_version":99' in value
        outcome = handler.handle(BLOG.encode(), value, partition=0, offset=0, lookup=lambda k: None)
        [letter] = [decode(DeadLetter, o.value) for o in outcome.outputs]
        assert letter.stage == "decode"
        assert "schema_version 99 is not one this release reads" in letter.reason
        assert outcome.entry is None and outcome.checkpoint is None

    def test_entry_over_max_entry_chars_is_dead_lettered_before_the_stages(self) -> None:
        """An entry over LIVEBLOG_MAX_ENTRY_CHARS is refused at decode: no stage runs on it."""
        handler = RecordHandler(clock=lambda: NOW, metrics=Metrics(), max_entry_chars=200)
        raw = _raw(0, "10:00 " + "Words words. " * 40)
        outcome = handler.handle(
            BLOG.encode(), encode(raw), partition=0, offset=0, lookup=lambda k: None
        )
        [letter] = [decode(DeadLetter, o.value) for o in outcome.outputs]
        assert letter.stage == "decode"
        assert "over the 200-character limit" in letter.reason
        assert handler.metrics.value("liveblog_records_in_total", stage="process") == 0

    def test_stage_failure_is_dead_lettered_and_stream_goes_on(
        self, handler: RecordHandler
    ) -> None:
        """A stage failure is a dead letter naming its stage; the blog's next record goes on."""
        store = _Store()
        bad = store.feed(handler, _raw(0, "10:00 Words.", tz="Mars/Base"), offset=0)
        good = store.feed(handler, _raw(1, TEXTS[0]), offset=1)
        letter = decode(DeadLetter, bad.outputs[0].value)
        assert (letter.stage, letter.blog_id) == ("parse", BLOG)
        assert '"seq":0' in letter.payload
        assert bad.outputs[0].key == BLOG.encode()
        assert good.entry is not None

    def test_redelivered_record_is_skipped(self, handler: RecordHandler) -> None:
        """A record at or before the checkpoint's offset on its partition changes nothing."""
        store = _Store()
        store.feed(handler, _raw(0, TEXTS[0]), offset=5)
        before = dict(store.data)
        outcome = store.feed(handler, _raw(0, TEXTS[0]), offset=5)
        assert outcome.skipped
        assert outcome.outputs == []
        assert store.data == before
        assert handler.metrics.value("liveblog_replays_skipped_total") == 1

    def test_reprocessing_from_earlier_state_gives_same_records(
        self, handler: RecordHandler
    ) -> None:
        """Processing a record again from the state before it gives byte-identical outputs."""
        store = _Store()
        store.feed(handler, _raw(0, TEXTS[0]), offset=0)
        earlier = dict(store.data)
        first = store.feed(handler, _raw(1, TEXTS[1]), offset=1)
        store.data = earlier
        again = store.feed(handler, _raw(1, TEXTS[1]), offset=1)
        assert again.outputs == first.outputs

    def test_extras_route_alerts_and_dead_letter_failures(self) -> None:
        """An extra's alerts go to the alerts topic; a failing extra becomes a dead letter."""

        def alert(entry: EnrichedEntry) -> list[BaseModel]:
            return [
                Alert(
                    alert_id=f"a-{entry.entry_id}",
                    subscription_id="harbour",
                    blog_id=entry.blog_id,
                    entry_id=entry.entry_id,
                    text=entry.body,
                )
            ]

        def broken(entry: EnrichedEntry) -> list[BaseModel]:
            raise LiveblogError("matcher unavailable")

        def unroutable(entry: EnrichedEntry) -> list[BaseModel]:
            return [Subscription(id="s", filter="x")]

        handler = RecordHandler(clock=lambda: NOW, extras=[alert, broken, unroutable])
        outcome = _Store().feed(handler, _raw(0, TEXTS[0]), offset=0)
        kinds = [o.kind for o in outcome.outputs]
        assert kinds.count("entries") == 1
        assert kinds.count("alerts") == 1
        assert [d.stage for d in outcome.dead_letters] == ["extra", "extra"]
        assert outcome.checkpoint is not None

    def test_output_over_the_record_limit_is_dead_lettered(self) -> None:
        """An entry too large to publish becomes a dead letter instead of stopping the worker."""
        handler = RecordHandler(clock=lambda: NOW, max_record_bytes=900)
        outcome = _Store().feed(handler, _raw(0, TEXTS[0] + " More words." * 40), offset=0)
        assert "entries" not in [o.kind for o in outcome.outputs]
        assert "publish" in [d.stage for d in outcome.dead_letters]


@pytest.fixture(name="runtime")
def fixture_runtime() -> Runtime:
    settings = Settings(app_id="unit-agents", topic_prefix="unit", partitions=2)
    runtime = create_app(settings, clock=lambda: NOW, in_memory=True)
    runtime.app.finalize()
    return runtime


async def _drain(channel: Any, expected: int) -> list[Any]:
    """The `expected` events (each waited for up to 10 s, however busy the machine), then any
    extra one already queued: a surplus shows, a slow agent is not mistaken for a missing one."""
    out = [await channel.get(timeout=10.0) for _ in range(expected)]
    while True:
        try:
            event = await channel.get(timeout=0.05)
        except TimeoutError:
            return out
        out.append(event)


class TestAgent:
    async def test_agent_publishes_and_checkpoints(self, runtime: Runtime) -> None:
        """The agent publishes what each record gives and keeps the checkpoint in its table."""
        readers = {kind: ch.clone(is_iterator=True) for kind, ch in runtime.outputs.items()}
        raws = [_raw(i, t) for i, t in enumerate(TEXTS)]
        async with runtime.agent.test_context() as agent:
            for raw in raws:
                await agent.put(encode(raw), key=BLOG.encode())
            entries = [
                decode(EnrichedEntry, e.value) for e in await _drain(readers["entries"], len(raws))
            ]
            quotes = await _drain(readers["quotes"], sum(len(e.quotes) for e in entries))
            checkpoint = BlogCheckpoint.model_validate_json(runtime.table[BLOG.encode()])
        assert entries == _embedded(raws)
        assert len(quotes) == sum(len(e.quotes) for e in entries)
        assert {q.key for q in quotes} == {BLOG.encode()}
        assert checkpoint.offset == len(raws) - 1

    async def test_bad_record_does_not_stop_the_stream(self, runtime: Runtime) -> None:
        """A malformed record goes to the dead letters and the next record is processed."""
        readers = {kind: ch.clone(is_iterator=True) for kind, ch in runtime.outputs.items()}
        async with runtime.agent.test_context() as agent:
            await agent.put(b"\xff not json", key=BLOG.encode())
            await agent.put(encode(_raw(0, TEXTS[0])), key=BLOG.encode())
            letters = await _drain(readers["dead_letters"], 1)
            entries = await _drain(readers["entries"], 1)
            results = dict(agent.results)
        assert [decode(DeadLetter, e.value).stage for e in letters] == ["decode"]
        assert len(entries) == 1
        assert results[0]["dead_letters"] == ["decode"]
        assert results[1]["entry_id"] == decode(EnrichedEntry, entries[0].value).entry_id

    async def test_restored_table_continues_the_memory(self, runtime: Runtime) -> None:
        """With the table holding a blog's checkpoint, the next entry is attributed from it."""
        store = _Store()
        handler = RecordHandler(clock=lambda: NOW)
        store.feed(handler, _raw(0, TEXTS[0]), offset=0)
        raws = [_raw(i, t) for i, t in enumerate(TEXTS[:2])]
        readers = {kind: ch.clone(is_iterator=True) for kind, ch in runtime.outputs.items()}
        async with runtime.agent.test_context() as agent:
            runtime.table.data[BLOG.encode()] = store.data[BLOG.encode()]
            await agent.put(encode(raws[0]), key=BLOG.encode())  # offset 0: covered, skipped
            await agent.put(encode(raws[1]), key=BLOG.encode())
            entries = [decode(EnrichedEntry, e.value) for e in await _drain(readers["entries"], 1)]
            await asyncio.sleep(0)
        assert entries == _embedded(raws)[1:]
