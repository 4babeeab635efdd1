"""What the Kafka and PostgreSQL integration tests share: settings on uuid-named topics, worker
processes, producing, reading topics to a count, fresh databases, the embedded reference run."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.errors import KafkaError
from pydantic import BaseModel

from connectors.sinks.kafka_reader import read_topic
from connectors.sources.files import BlogMeta, FileSource
from schemas.codec import encode
from schemas.events import DeadLetter, EnrichedEntry, Speaker
from streams.core.settings import Settings
from streams.core.topics import TopicKind, TopicNames, bootstrap_servers
from streams.runtime.embedded.runner import EmbeddedRunner
from tests.conftest import ROOT, SEED

CLI = str(Path(sys.executable).parent / "liveblog")

#: the fetch time of the seed's records in `seed_records`
SEED_FETCHED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

#: settings every test worker gets: quick rejoin after a kill, frequent commits
_FAST = {"session_timeout": 6.0, "commit_interval": 0.5}


def make_settings(bootstrap: str, unique: str, *, partitions: int = 3, **more: Any) -> Settings:
    """Settings of one test: its own topic prefix and app id (= consumer group)."""
    values: dict[str, Any] = {
        "broker": f"kafka://{bootstrap}",
        "topic_prefix": f"it-{unique}",
        "app_id": f"it-{unique}",
        "partitions": partitions,
        **_FAST,
        **more,
    }
    return Settings(**values)


def env_of(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that gives a `liveblog` subprocess these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")}
    for name in ("broker", "topic_prefix", "app_id", "partitions", "session_timeout"):
        env[f"LIVEBLOG_{name.upper()}"] = str(getattr(settings, name))
    env["LIVEBLOG_COMMIT_INTERVAL"] = str(settings.commit_interval)
    env["LIVEBLOG_LOG_LEVEL"] = os.environ.get("IT_WORKER_LOG_LEVEL", "INFO")
    env.update(extra)
    return env


class WorkerProcess:
    """`liveblog worker` in a subprocess, its logs in a file."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> WorkerProcess:
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [CLI, "worker"],
            env=env_of(self.settings, LIVEBLOG_WORKER_DIR=str(self.log_path.parent / "faust")),
            cwd=self.log_path.parent,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, no final commit, no flush."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._close_log()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


async def group_members(settings: Settings, group: str | None = None) -> list[int]:
    """Raw-topic partitions assigned to each member of the worker group (none when unstable)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers(settings.broker))
    await admin.start()
    try:
        responses = await admin.describe_consumer_groups([group or settings.app_id])
    finally:
        await admin.close()
    out: list[int] = []
    for response in responses:
        for described in response.to_object()["groups"]:
            if described["state"] != "Stable":
                return []
            for member in described["members"]:
                assigned = ConsumerProtocolMemberAssignment.decode(member["member_assignment"])
                out.append(
                    sum(
                        len(p)
                        for t, p in assigned.assignment
                        if t == f"{settings.topic_prefix}.raw-entries"
                    )
                )
    return out


async def wait_for_group(settings: Settings, members: int, timeout: float = 90.0) -> None:
    """Until the worker group is stable with `members` members that all hold partitions."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen: list[int] = []
    while loop.time() < deadline:
        try:
            seen = await group_members(settings)
        except KafkaError:  # a fresh broker has no group coordinator for a moment
            seen = []
        if len(seen) == members and all(seen):
            return
        await asyncio.sleep(0.5)
    pytest.fail(f"group {settings.app_id} not stable with {members} members: {seen}")


async def collect(
    settings: Settings,
    kind: TopicKind,
    count: int,
    *,
    timeout: float = 60.0,
    distinct: str | None = None,
    where: Callable[[BaseModel], bool] | None = None,
    context: str = "",
) -> list[BaseModel]:
    """Records of a topic from its beginning until `count` (distinct by field) have arrived.

    `where` keeps only the records it accepts."""
    out: list[BaseModel] = []
    keys: set[Any] = set()

    async def read() -> None:
        async for record, _, _, error in read_topic(settings, kind, from_beginning=True):
            assert record is not None, error
            if where is not None and not where(record):
                continue
            out.append(record)
            keys.add(getattr(record, distinct) if distinct else len(out))
            if len(keys) >= count:
                return

    try:
        await asyncio.wait_for(read(), timeout)
    except TimeoutError:
        pytest.fail(f"{kind}: {len(keys)} of {count} records in {timeout} s\n{context}")
    return out


async def read_all(settings: Settings, kind: TopicKind, *, idle: float = 2.0) -> list[BaseModel]:
    """Every record of a topic, from its beginning until none came for `idle` seconds."""
    out: list[BaseModel] = []
    async for record, _, _, error in read_topic(
        settings, kind, from_beginning=True, idle_timeout=idle
    ):
        assert record is not None, error
        out.append(record)
    return out


def embedded_entries(path: Path, *extra: str, cwd: Path) -> list[dict[str, Any]]:
    """`liveblog replay PATH --output -` (the embedded pipeline): its entries as dicts."""
    done = subprocess.run(
        [CLI, "replay", str(path), "--output", "-", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def run_cli(
    *args: str, settings: Settings, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env_of(settings),
        check=False,
    )


@asynccontextmanager
async def fresh_database(dsn: str, name: str) -> AsyncIterator[str]:
    """A new empty PostgreSQL database on the server of `dsn`, dropped afterwards."""
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(dsn)
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def rows_of(records: Sequence[BaseModel]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows records map to, by table and sorted: what every SQL sink must hold."""
    from connectors.sinks.rows import group

    return {table: sorted(values, key=repr) for table, values in group(records).items()}


def seed_records() -> list[BaseModel]:
    """What the embedded run of the seed gives its sinks."""
    out: list[BaseModel] = []

    class _Keep:
        def write(self, records: Sequence[BaseModel]) -> None:
            out.extend(records)

        def close(self) -> None:
            return None

    source = FileSource(
        SEED, BlogMeta("seed"), max_bytes=10**7, max_entry_chars=10**6, fetched_at=SEED_FETCHED
    )
    EmbeddedRunner([_Keep()], batch_size=50).run(source)
    return out


async def produce_records(settings: Settings, records: Sequence[BaseModel]) -> None:
    """Send records to their topics (entries, speakers, dead letters), each acknowledged."""
    names = TopicNames.from_settings(settings)
    kinds: dict[type[BaseModel], TopicKind] = {
        EnrichedEntry: "entries",
        Speaker: "speakers",
        DeadLetter: "dead_letters",
    }
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers(settings.broker), acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        futures = []
        for record in records:
            key = str(getattr(record, "blog_id", "") or "seed").encode()
            topic = names.name(kinds[type(record)])
            futures.append(await producer.send(topic, encode(record), key=key))
        for future in futures:
            await future
    finally:
        await producer.stop()


async def until(
    check: Callable[[], Any], timeout: float, what: str, context: Callable[[], str]
) -> None:
    """Wait for an (async) condition, polling it, at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if asyncio.iscoroutine(got):
            got = await got
        if got:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}\n{context()}")
        await asyncio.sleep(0.2)


KAFKA = str(ROOT / "scripts" / "kafka")


def kafka_script(*args: str, state: Path) -> str:
    """`scripts/kafka ARGS --dir STATE`: its last line of output (the bootstrap on start)."""
    done = subprocess.run(
        [KAFKA, *args, "--dir", str(state)], capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
