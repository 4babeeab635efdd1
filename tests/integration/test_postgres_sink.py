"""The PostgreSQL sink on a real server: rows as in SQLite, idempotent, versioned, migrated."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from pydantic import BaseModel

from connectors.sinks.postgres import PostgresSink
from connectors.sinks.rows import TABLES
from connectors.sinks.sqlite import SqliteSink
from connectors.sources.files import BlogMeta, FileSource
from schemas.events import DeadLetter
from streams.runtime.embedded.runner import EmbeddedRunner
from tests.conftest import SEED
from tests.integration.kafka_support import fresh_database
from tests.records import entry_version

pytestmark = pytest.mark.integration

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class _Keep:
    def __init__(self) -> None:
        self.records: list[BaseModel] = []

    def write(self, records: Sequence[BaseModel]) -> None:
        self.records.extend(records)

    def close(self) -> None:
        pass


def _seed_batches() -> list[list[BaseModel]]:
    """The embedded run of the seed, as the batches its sinks received."""
    source = FileSource(
        SEED, BlogMeta("seed"), max_bytes=10**7, max_entry_chars=10**6, fetched_at=NOW
    )
    batches: list[list[BaseModel]] = []

    class _Batches(_Keep):
        def write(self, records: Sequence[BaseModel]) -> None:
            batches.append(list(records))

    EmbeddedRunner([_Batches()], batch_size=10).run(source)
    return batches


async def _table(sink: PostgresSink, table: str) -> list[tuple[Any, ...]]:
    cols = ", ".join(TABLES[table][0])
    return sorted(await sink.query(f"SELECT {cols} FROM {table}"), key=repr)


@pytest.fixture(name="database")
async def fixture_database(postgres_dsn: str, unique: str) -> Any:
    async with fresh_database(postgres_dsn, f"pg_sink_{unique}") as dsn:
        yield dsn


class TestPostgresSink:
    async def test_same_rows_as_sqlite(self, database: str, tmp_path: Path) -> None:
        """The seed's records give PostgreSQL exactly the rows SQLite holds, table by table."""
        batches = _seed_batches()
        lite = SqliteSink(tmp_path / "seed.db")
        sink = await PostgresSink.connect(database)
        try:
            for batch in batches:
                lite.write(batch)
                await sink.write(batch)
            for table in TABLES:
                cols = ", ".join(TABLES[table][0])
                want = sorted(lite.query(f"SELECT {cols} FROM {table}"), key=repr)
                assert await _table(sink, table) == want, table
            counts = await sink.counts()
            assert counts["entries"] == 35
            assert counts["speakers"] >= 2
        finally:
            lite.close()
            await sink.close()

    async def test_replay_changes_nothing(self, database: str) -> None:
        """Writing every batch a second time leaves every row as it was."""
        batches = _seed_batches()
        sink = await PostgresSink.connect(database)
        try:
            for batch in batches:
                await sink.write(batch)
            first = {t: await _table(sink, t) for t in TABLES}
            for batch in batches:
                await sink.write(batch)
            assert {t: await _table(sink, t) for t in TABLES} == first
        finally:
            await sink.close()

    async def test_new_version_replaces_quotes(self, database: str) -> None:
        """An edited entry replaces the older version and the quotes it no longer has."""
        sink = await PostgresSink.connect(database)
        try:
            await sink.write([entry_version(1, ["a", "b"])])
            await sink.write([entry_version(2, ["b", "c"])])
            assert await sink.query("SELECT version FROM entries") == [(2,)]
            assert sorted(r[0] for r in await sink.query("SELECT text FROM quotes")) == ["b", "c"]
        finally:
            await sink.close()

    async def test_older_version_never_wins(self, database: str) -> None:
        """A late redelivery of version 1 does not overwrite version 2, in or across batches."""
        sink = await PostgresSink.connect(database)
        try:
            await sink.write([entry_version(2, ["new"])])
            await sink.write([entry_version(1, ["old"])])
            assert await sink.query("SELECT version FROM entries") == [(2,)]
            assert [r[0] for r in await sink.query("SELECT text FROM quotes")] == ["new"]
        finally:
            await sink.close()

    async def test_schema_is_migrated_at_start(self, database: str) -> None:
        """A table from an older release gains the columns it lacks; its rows are kept."""
        conn = await asyncpg.connect(database)
        try:
            await conn.execute(
                "CREATE TABLE dead_letters (dead_letter_id TEXT PRIMARY KEY, stage TEXT)"
            )
            await conn.execute("INSERT INTO dead_letters VALUES ('old', 'parse')")
        finally:
            await conn.close()
        sink = await PostgresSink.connect(database)
        try:
            letter = DeadLetter(
                dead_letter_id="new",
                stage="validate",
                reason="not JSON",
                payload="{",
                payload_size=1,
                truncated=True,
                created_at=NOW,
            )
            await sink.write([letter])
            rows = await sink.query("SELECT dead_letter_id, truncated FROM dead_letters")
            assert sorted(rows, key=repr) == [("new", 1), ("old", None)]
        finally:
            await sink.close()

    async def test_concurrent_start_ups(self, database: str) -> None:
        """Several sinks starting at once all create or find the same schema without error."""
        sinks = await asyncio.gather(*(PostgresSink.connect(database) for _ in range(4)))
        try:
            assert {tuple(sorted((await s.counts()).items())) for s in sinks} == {
                tuple(sorted((t, 0) for t in TABLES))
            }
        finally:
            for sink in sinks:
                await sink.close()
