"""The seed through a real broker: replay -> worker -> topics -> sinks equals the embedded run;
malformed records are dead-lettered; a client that is not ours (kcat) reads the topics.

One worker serves the whole module (Faust starts slowly on two cores), on its own uuid-named
topics and consumer group.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from connectors.kafka_admin import ensure_topics
from connectors.sinks.consumer_sink import TopicSink, open_sink
from connectors.sinks.postgres import PostgresSink
from connectors.sinks.rows import TABLES
from schemas.codec import MAX_RECORD_BYTES, encode
from schemas.events import DeadLetter, EnrichedEntry, EntryHints, Quote, RawEntry, Speaker
from streams.core.topics import bootstrap_servers
from tests.conftest import ROOT, SEED
from tests.integration.kafka_support import (
    WorkerProcess,
    collect,
    embedded_entries,
    fresh_database,
    make_settings,
    read_all,
    run_cli,
)

pytestmark = pytest.mark.integration

#: the raw topic of this module accepts records up to this size, so a 10 MB one reaches the worker
RAW_MAX_BYTES = 16 * 1024 * 1024
TEN_MB = 10 * 1024 * 1024
SEED_ENTRIES = 35
SEED_BLOG = "focus-guterres-lavrov"


@pytest.fixture(name="pipeline", scope="module")
def fixture_pipeline(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """Topics, one worker, and the seed replayed through `liveblog replay --broker`."""
    import uuid

    unique = uuid.uuid4().hex[:12]
    settings = make_settings(kafka_bootstrap, unique, partitions=3)
    asyncio.run(ensure_topics(settings, configs={"raw": {"max.message.bytes": str(RAW_MAX_BYTES)}}))
    tmp = tmp_path_factory.mktemp("pipeline")
    worker = WorkerProcess(settings, tmp / "worker.log").start()
    try:
        done = run_cli("replay", str(SEED), "--broker", settings.broker, settings=settings)
        assert done.returncode == 0, done.stderr
        yield {"settings": settings, "worker": worker, "tmp": tmp}
    finally:
        worker.stop()


@pytest.fixture(name="reference", scope="module")
def fixture_reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The embedded run of the seed: its entries (JSON) and its SQLite database."""
    tmp = tmp_path_factory.mktemp("embedded")
    db = tmp / "embedded.db"
    entries = embedded_entries(SEED, "--db", str(db), cwd=tmp)
    return {"entries": entries, "db": db}


def _sqlite_rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    cols = ", ".join(TABLES[table][0])
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute(f"SELECT {cols} FROM {table}"), key=repr)
    finally:
        conn.close()


async def _seed_entries(pipeline: dict[str, Any]) -> list[EnrichedEntry]:
    worker: WorkerProcess = pipeline["worker"]
    records = await collect(
        pipeline["settings"],
        "entries",
        SEED_ENTRIES,
        timeout=90,
        distinct="entry_id",
        where=lambda r: getattr(r, "blog_id", None) == SEED_BLOG,
        context=worker.tail(),
    )
    return [r for r in records if isinstance(r, EnrichedEntry)]


class TestSeedThroughKafka:
    async def test_entries_topic_equals_embedded(
        self, pipeline: dict[str, Any], reference: dict[str, Any]
    ) -> None:
        """Every entry on the entries topic equals the embedded run's, id for id, in order."""
        entries = await _seed_entries(pipeline)
        got = [json.loads(e.model_dump_json()) for e in entries]
        assert got == reference["entries"]

    async def test_quotes_topic_equals_embedded(
        self, pipeline: dict[str, Any], reference: dict[str, Any]
    ) -> None:
        """The quotes topic holds each quote of the embedded run once, with the same speaker."""
        await _seed_entries(pipeline)
        want = [q for e in reference["entries"] for q in e["quotes"]]
        quotes = await collect(
            pipeline["settings"],
            "quotes",
            len(want),
            timeout=30,
            where=lambda r: getattr(r, "blog_id", None) == SEED_BLOG,
        )
        assert [json.loads(q.model_dump_json()) for q in quotes] == want

    async def test_sinks_equal_embedded(
        self, pipeline: dict[str, Any], reference: dict[str, Any], postgres_dsn: str
    ) -> None:
        """`liveblog sink` into SQLite and into PostgreSQL gives the embedded run's rows."""
        settings = pipeline["settings"]
        await _seed_entries(pipeline)
        lite = pipeline["tmp"] / "kafka.db"
        name = f"kafka_sink_{settings.app_id.replace('-', '_')}"
        async with fresh_database(postgres_dsn, name) as dsn:
            done = await asyncio.gather(
                asyncio.to_thread(
                    run_cli, "sink", "--db", str(lite), "--until-idle", "3", settings=settings
                ),
                asyncio.to_thread(
                    run_cli,
                    "sink",
                    "--db",
                    dsn,
                    "--group",
                    f"{settings.app_id}-pg",
                    "--until-idle",
                    "3",
                    settings=settings,
                ),
            )
            for result in done:
                assert result.returncode == 0, result.stderr
            pg = await PostgresSink.connect(dsn)
            try:
                for table in ("entries", "quotes", "speakers"):
                    want = _sqlite_rows(reference["db"], table)
                    assert want, table
                    assert _sqlite_rows(lite, table) == want, table
                    cols = ", ".join(TABLES[table][0])
                    got = sorted(await pg.query(f"SELECT {cols} FROM {table}"), key=repr)
                    assert got == want, table
            finally:
                await pg.close()

    async def test_speakers_topic_ends_with_the_memory(
        self, pipeline: dict[str, Any], reference: dict[str, Any]
    ) -> None:
        """The last record of each speaker on the speakers topic is the embedded run's row."""
        await _seed_entries(pipeline)
        want = _sqlite_rows(reference["db"], "speakers")
        records = await read_all(pipeline["settings"], "speakers")
        last: dict[str, Speaker] = {}
        for record in records:
            assert isinstance(record, Speaker)
            last[record.id] = record
        assert sorted((s.id, s.name, s.quote_count) for s in last.values()) == sorted(
            (row[1], row[2], row[7]) for row in want
        )


class TestForeignClients:
    async def test_kcat_reads_quotes_as_json(
        self, pipeline: dict[str, Any], reference: dict[str, Any]
    ) -> None:
        """Debian's kcat (librdkafka) reads the quotes topic; every value is a valid Quote."""
        await _seed_entries(pipeline)
        want = sum(len(e["quotes"]) for e in reference["entries"])
        await collect(pipeline["settings"], "quotes", want, timeout=30)
        found = subprocess.run(
            [str(ROOT / "scripts" / "ensure-tools"), "kcat"],
            capture_output=True,
            text=True,
            check=True,
        )
        kcat = found.stdout.strip().split(": ", 1)[1]
        settings = pipeline["settings"]
        done = subprocess.run(
            [
                kcat,
                "-b",
                bootstrap_servers(settings.broker)[0],
                "-C",
                "-t",
                f"{settings.topic_prefix}.quotes",
                "-o",
                "beginning",
                "-e",
                "-q",
                "-f",
                "%k\t%s\n",
            ],
            capture_output=True,
            timeout=60,
            check=True,
        )
        lines = done.stdout.decode("utf-8").splitlines()
        assert len(lines) == want
        for line in lines:
            key, value = line.split("\t", 1)
            quote = Quote.model_validate(json.loads(value))
            assert key == quote.blog_id

    def test_tail_prints_a_speakers_quotes(self, pipeline: dict[str, Any]) -> None:
        """`liveblog tail quotes --speaker NAME --json --max N` prints N of their quotes."""
        asyncio.run(_seed_entries(pipeline))
        done = run_cli(
            "tail",
            "quotes",
            "--speaker",
            "lavrov",
            "--from-beginning",
            "--max",
            "3",
            "--json",
            "--timeout",
            "20",
            settings=pipeline["settings"],
        )
        assert done.returncode == 0, done.stderr
        quotes = [Quote.model_validate_json(line) for line in done.stdout.splitlines()]
        assert len(quotes) == 3
        assert all(q.speaker is not None and q.speaker.id == "lavrov" for q in quotes)


def _raw(seq: int, text: str, blog: str) -> RawEntry:
    from datetime import UTC, date, datetime

    return RawEntry(
        blog_id=blog,
        source="test",
        seq=seq,
        fetched_at=datetime(2024, 5, 1, 12, tzinfo=UTC),
        raw=text,
        hints=EntryHints(date=date(2024, 5, 1), timezone="Europe/London"),
    )


DEAD_BLOG = "dead-letter-blog"
MALFORMED = {
    "not-json": b"12:00 this is not JSON {",
    "schema": json.dumps({"event": "raw_entry", "blog_id": DEAD_BLOG, "seq": "x"}).encode(),
    "10mb": b'{"raw": "' + b"a" * TEN_MB + b'"}',
    "utf8": b'{"blog_id": "' + DEAD_BLOG.encode() + b'", "raw": "caf\xe9 \xff"}',
}


@pytest.fixture(name="malformed", scope="module")
def fixture_malformed(pipeline: dict[str, Any]) -> dict[str, bytes]:
    """The malformed records, then a valid one, produced onto the raw topic of the module."""
    settings = pipeline["settings"]
    topic = f"{settings.topic_prefix}.raw-entries"
    after = _raw(0, "09:15 The harbour reopened at dawn, officials said.", DEAD_BLOG)

    async def produce() -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers(settings.broker),
            enable_idempotence=True,
            acks="all",
            max_request_size=RAW_MAX_BYTES,
        )
        await producer.start()
        try:
            for value in MALFORMED.values():
                await producer.send_and_wait(topic, value, key=DEAD_BLOG.encode())
            await producer.send_and_wait(topic, encode(after), key=DEAD_BLOG.encode())
        finally:
            await producer.stop()

    asyncio.run(produce())
    return MALFORMED


class TestDeadLetters:
    async def test_malformed_records_land_in_dead_letters(
        self, pipeline: dict[str, Any], malformed: dict[str, bytes]
    ) -> None:
        """Not JSON, wrong schema, 10 MB and invalid UTF-8 are dead-lettered with their reason;
        the record after them is processed."""
        settings = pipeline["settings"]
        sizes = {len(v) for v in malformed.values()}
        letters = await collect(
            settings,
            "dead_letters",
            len(malformed),
            timeout=60,
            distinct="payload_size",
            where=lambda r: getattr(r, "payload_size", None) in sizes,
        )
        by_size = {r.payload_size: r for r in letters if isinstance(r, DeadLetter)}
        reasons = {name: by_size[len(value)] for name, value in malformed.items()}
        assert all(letter.stage == "decode" for letter in reasons.values())
        assert "Invalid JSON" in reasons["not-json"].reason
        assert "seq" in reasons["schema"].reason
        assert f"over the {MAX_RECORD_BYTES}-byte limit" in reasons["10mb"].reason
        assert reasons["10mb"].truncated
        assert "not UTF-8" in reasons["utf8"].reason
        assert "\\xff" in reasons["utf8"].payload
        assert reasons["schema"].payload == malformed["schema"].decode()
        after = await collect(
            settings,
            "entries",
            1,
            timeout=60,
            where=lambda r: getattr(r, "blog_id", "") == DEAD_BLOG,
        )
        assert isinstance(after[0], EnrichedEntry)
        assert after[0].body.startswith("The harbour reopened")

    async def test_sink_stores_dead_letters(
        self, pipeline: dict[str, Any], malformed: dict[str, bytes], tmp_path: Path
    ) -> None:
        """The sink writes the dead letters it reads into their table, with stage and reason."""
        settings = pipeline["settings"]
        await collect(settings, "dead_letters", len(malformed), timeout=60)
        sink = await open_sink(str(tmp_path / "letters.db"))
        try:
            stats = await TopicSink(settings, sink, group=f"{settings.app_id}-letters").run(
                idle_exit=2
            )
        finally:
            await sink.close()
        rows = _sqlite_rows(tmp_path / "letters.db", "dead_letters")
        assert len(rows) >= 4
        assert {row[1] for row in rows} == {"decode"}
        assert stats.invalid == 0

    async def test_default_broker_refuses_ten_megabytes(self, pipeline: dict[str, Any]) -> None:
        """On a topic with the broker's default limit (about 1 MiB) a 10 MB record is refused
        at produce time: it never reaches a worker, the producer gets the error."""
        settings = pipeline["settings"]
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers(settings.broker), max_request_size=RAW_MAX_BYTES
        )
        await producer.start()
        try:
            with pytest.raises(KafkaError) as caught:
                await producer.send_and_wait(
                    f"{settings.topic_prefix}.dead-letters", b"x" * TEN_MB, key=b"too-big"
                )
        finally:
            await producer.stop()
        assert (
            "MessageSizeTooLarge" in type(caught.value).__name__
            or "too large" in str(caught.value).lower()
        )
