"""Processes killed at the edges: `liveblog sink` and `liveblog connect` SIGKILLed mid-stream and
restarted lose nothing and leave no duplicate behind (each case prints its figures)."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import uuid
from pathlib import Path
from typing import IO

import pytest
from selectolax.lexbor import LexborHTMLParser

from connectors.kafka_admin import ensure_topics
from connectors.sinks.rows import TABLES
from schemas.events import RawEntry
from tests.integration.kafka_support import (
    CLI,
    env_of,
    make_settings,
    produce_records,
    read_all,
    rows_of,
    seed_records,
    until,
)
from tests.test_connectors._live import LivePage, fixture_text, serve

pytestmark = [pytest.mark.integration, pytest.mark.faults]


class _Process:
    """A `liveblog` subprocess with its stderr in a file; SIGKILL or a clean stop."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log: IO[bytes] = log_path.open("ab")
        self.proc = subprocess.Popen(
            [CLI, *args], env=env, stdout=subprocess.DEVNULL, stderr=self._log
        )

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()

    def events(self) -> list[dict[str, object]]:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def tail(self) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])


def _key_of(table: str, row: tuple[object, ...]) -> tuple[object, ...]:
    """A row's primary key, the row in the column order of `TABLES`."""
    cols, primary = TABLES[table][0], TABLES[table][1]
    return tuple(row[cols.index(c)] for c in primary)


def _keys(db: Path, table: str) -> list[tuple[object, ...]]:
    """The primary key of every row of `table`."""
    key = ", ".join(TABLES[table][1])
    conn = sqlite3.connect(db)
    try:
        return [tuple(row) for row in conn.execute(f"SELECT {key} FROM {table}")]
    except sqlite3.OperationalError:
        return []  # not created yet
    finally:
        conn.close()


class TestSinkKilled:
    async def test_sink_sigkilled_mid_stream_then_restarted(
        self, kafka_bootstrap: str, tmp_path: Path
    ) -> None:
        """`liveblog sink` SIGKILLed after part of the stream was written (and part of it
        committed), then started again on the same group: the database ends with every entry,
        quote and speaker of the stream, none lost, none twice; the sink, on the default group,
        warned about it at start."""
        settings = make_settings(kafka_bootstrap, uuid.uuid4().hex[:12], partitions=2)
        await ensure_topics(settings)
        records = seed_records()
        want = {t: {_key_of(t, row) for row in rows} for t, rows in rows_of(records).items()}
        half = len(records) // 2
        db = tmp_path / "sink.db"
        args = ["sink", "--db", str(db), "--log-format", "json"]
        env = env_of(settings, LIVEBLOG_SINK_BATCH_SIZE="20")
        first = _Process(args, env, tmp_path / "sink-1.log")
        second: _Process | None = None
        try:
            await produce_records(settings, records[:half])
            await until(lambda: _keys(db, "entries"), 60, "the first sink wrote", first.tail)
            first.kill()
            written_before = len(_keys(db, "entries"))
            await produce_records(settings, records[half:])
            second = _Process(args, env, tmp_path / "sink-2.log")

            def complete() -> bool:
                return all(len(set(_keys(db, t))) >= len(ids) for t, ids in want.items())

            await until(complete, 120, "every row after the restart", second.tail)
        finally:
            first.stop()
            if second is not None:
                second.stop()
        figures = []
        for table, ids in want.items():
            got = _keys(db, table)
            lost, duplicates = len(ids - set(got)), len(got) - len(set(got))
            figures.append(f"{table} {len(got)}/{len(ids)} lost {lost} duplicates {duplicates}")
            assert (lost, duplicates) == (0, 0), table
            assert set(got) == ids, f"{table}: rows nobody sent"
        warned = [
            e
            for e in first.events()
            if e.get("level") == "warning" and "default consumer group" in str(e["event"])
        ]
        assert len(warned) == 1 and warned[0]["group"] == f"{settings.app_id}-sink"
        print(f"sink SIGKILL after {written_before} entries written: " + "; ".join(figures))


class TestConnectorKilled:
    async def test_connect_sigkilled_then_restarted_resumes_its_cursor(
        self, kafka_bootstrap: str, tmp_path: Path
    ) -> None:
        """`liveblog connect http` producing to Kafka is SIGKILLed after its cursor was saved,
        the page grows, the connector starts again on the same cursor store: the raw topic holds
        every entry of the page once (the restarted connector emits only the new ones)."""
        settings = make_settings(kafka_bootstrap, uuid.uuid4().hex[:12], partitions=2)
        await ensure_topics(settings)
        page = LivePage(fixture_text("block-id-time.html"), "div.blocks > article.block")
        total = len(LexborHTMLParser(page.html).css(page.entry_css or ""))
        assert total >= 4
        first_part = total // 2
        page.hidden = set(range(first_part, total))
        state = tmp_path / "cursors.db"
        env = env_of(settings)
        first: _Process | None = None
        second: _Process | None = None
        async with serve(page.app()) as base:
            args = [
                "connect",
                "http",
                f"{base}/live",
                "--blog",
                "storm",
                "--interval",
                "0.2",
                "--tz",
                "Europe/London",
                "--state",
                str(state),
                "--broker",
                settings.broker,
            ]
            try:
                first = _Process(args, env, tmp_path / "connect-1.log")

                async def raw_seqs() -> list[int]:
                    raws = await read_all(settings, "raw", idle=0.5)
                    return [r.seq for r in raws if isinstance(r, RawEntry)]

                async def first_emitted() -> bool:
                    return len(await raw_seqs()) >= first_part

                await until(first_emitted, 60, "the first entries on the topic", first.tail)
                # a poll after the one that emitted: the cursor was saved before it
                served = len(page.statuses)
                await until(lambda: len(page.statuses) > served, 30, "another poll", first.tail)
                first.kill()
                for index in range(first_part, total):
                    page.reveal(index)
                second = _Process(args, env, tmp_path / "connect-2.log")

                async def all_emitted() -> bool:
                    return len(set(await raw_seqs())) >= total

                await until(all_emitted, 60, "every entry after the restart", second.tail)
            finally:
                for proc in (first, second):
                    if proc is not None:
                        proc.stop()
        seqs = await raw_seqs()
        lost, twice = total - len(set(seqs)), len(seqs) - len(set(seqs))
        print(
            f"connect SIGKILL after {first_part} of {total} entries: raw records {len(seqs)}, "
            f"lost {lost}, emitted twice {twice}"
        )
        assert sorted(seqs) == list(range(total)), "every entry once, same seqs"
