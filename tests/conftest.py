"""Shared fixtures: the real services the integration tiers need, found in a fixed order.

Kafka: an externally given bootstrap server (LIVEBLOG_TEST_BOOTSTRAP, as `make test` sets it), else
the local jar broker (`scripts/kafka start`), else testcontainers when a Docker engine answers, else
fail in CI (never a silent skip there) and skip elsewhere. PostgreSQL: LIVEBLOG_TEST_POSTGRES, else
`scripts/postgres start`, with the same rules.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "focus-guterres-lavrov.txt"
GOLD = ROOT / "seeds" / "gold" / "focus-guterres-lavrov.json"


def _unavailable(what: str) -> None:
    message = f"{what} is not available: run `make services` (or `make test`) first"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _script(name: str) -> str | None:
    try:
        done = subprocess.run(
            [str(ROOT / "scripts" / name), "start"],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.strip().splitlines()
    return lines[-1].strip() if lines else None


@pytest.fixture(name="kafka_bootstrap", scope="session")
def fixture_kafka_bootstrap() -> Iterator[str]:
    """host:port of a real Kafka broker."""
    given = os.environ.get("LIVEBLOG_TEST_BOOTSTRAP")
    if given:
        yield given.removeprefix("kafka://")
        return
    if shutil.which("java"):
        found = _script("kafka")
        if found:
            yield found
            return
    try:
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer() as kafka:
            yield kafka.get_bootstrap_server()
            return
    except Exception:
        pass
    _unavailable("a Kafka broker")


@pytest.fixture(name="postgres_dsn", scope="session")
def fixture_postgres_dsn() -> str:
    """DSN of a real PostgreSQL database."""
    given = os.environ.get("LIVEBLOG_TEST_POSTGRES") or _script("postgres")
    if not given:
        _unavailable("PostgreSQL")
    assert given is not None
    return given


@pytest.fixture(name="unique")
def fixture_unique() -> str:
    """A fresh id for topics, groups and databases of one test."""
    return uuid.uuid4().hex[:12]


def free_port() -> int:
    """A loopback port nothing listens on right now, for a port a subprocess must bind itself;
    in-process servers bind port 0 and keep their socket instead."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(name="receiver")
async def fixture_receiver() -> AsyncIterator[tuple[int, list[dict[str, Any]]]]:
    """A webhook receiver on 127.0.0.1 that keeps every JSON body it is sent."""
    got: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        got.append(await request.json())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    # port 0 and the bound socket kept: no window in which another process takes the port
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    await web.SockSite(runner, sock).start()
    yield port, got
    await runner.cleanup()
    sock.close()
