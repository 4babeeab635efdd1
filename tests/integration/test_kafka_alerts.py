"""Subscriptions, alerts and delivery on a real broker with a `liveblog worker` subprocess."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from schemas.events import Alert, Subscription
from streams.alert_agents import ensure_alert_topics, publish_subscription
from streams.topics import ensure_topics
from tests.conftest import SEED
from tests.integration.kafka_support import (
    WorkerProcess,
    collect,
    make_settings,
    read_all,
    run_cli,
)

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(name="receiver")
async def fixture_receiver() -> AsyncIterator[tuple[int, list[dict[str, Any]]]]:
    """A webhook receiver on 127.0.0.1."""
    got: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        got.append(await request.json())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield port, got
    await runner.cleanup()


class TestKafkaAlerts:
    async def test_alerts_dedup_delivery_and_live_subscriptions(
        self,
        kafka_bootstrap: str,
        tmp_path: Path,
        receiver: tuple[int, list[dict[str, Any]]],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The worker alerts on the seed for a subscription on the compacted topic, delivers to
        the webhook, takes a new subscription without a restart, and never repeats an alert
        when the seed is replayed again."""
        port, got = receiver
        settings = make_settings(kafka_bootstrap, uuid.uuid4().hex[:12], partitions=2)
        await ensure_topics(settings)
        await ensure_alert_topics(settings)
        lavrov = Subscription(
            id="lavrov",
            filter="speaker:lavrov (veto OR ceasefire)",
            notify=(f"json://127.0.0.1:{port}/hook",),
        )
        await publish_subscription(settings, lavrov.id, lavrov)
        # the worker's Faust scratch directory (it follows TMPDIR), of this test alone and out
        # of pytest's temporary tree, which concurrent pytest runs prune
        scratch = Path(tempfile.mkdtemp(prefix="liveblog-alerts-"))
        monkeypatch.setenv("TMPDIR", str(scratch))
        (scratch / "liveblog-worker").mkdir()
        worker = WorkerProcess(settings, scratch / "worker.log").start()
        try:
            done = await asyncio.to_thread(
                run_cli, "replay", str(SEED), "--broker", settings.broker, settings=settings
            )
            assert done.returncode == 0, done.stderr
            alerts = await collect(
                settings,
                "alerts",
                3,
                timeout=120,
                distinct="alert_id",
                context=worker.tail(),
            )
            assert {a.subscription_id for a in alerts if isinstance(a, Alert)} == {"lavrov"}
            async with asyncio.timeout(60):
                while len(got) < 3:
                    await asyncio.sleep(0.5)
            assert all("lavrov" in g["title"] for g in got)

            guterres = Subscription(id="guterres", filter="speaker:guterres veto")
            await publish_subscription(settings, guterres.id, guterres)
            await asyncio.sleep(3)  # the worker's follower picks it up within a second
            done = await asyncio.to_thread(
                run_cli, "replay", str(SEED), "--broker", settings.broker, settings=settings
            )
            assert done.returncode == 0, done.stderr
            await collect(
                settings,
                "alerts",
                1,
                timeout=120,
                where=lambda r: getattr(r, "subscription_id", None) == "guterres",
                context=worker.tail(),
            )
            everything = await read_all(settings, "alerts", idle=5.0)
            ids = [a.alert_id for a in everything if isinstance(a, Alert)]
            assert len(ids) == len(set(ids)) == 4
            assert len(got) == 3
            tailed = await asyncio.to_thread(
                run_cli,
                "tail",
                "quotes",
                "--filter",
                "speaker:lavrov veto",
                "--from-beginning",
                "--timeout",
                "3",
                "--json",
                settings=settings,
            )
            assert tailed.returncode == 0, tailed.stderr
            quotes = [json.loads(line) for line in tailed.stdout.splitlines()]
            assert quotes
            assert {q["speaker"]["id"] for q in quotes} == {"lavrov"}
            assert all("veto" in q["text"].lower() for q in quotes)
        finally:
            worker.stop()
            shutil.rmtree(scratch, ignore_errors=True)
