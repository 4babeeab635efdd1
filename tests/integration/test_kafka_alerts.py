"""Subscriptions, alerts and delivery on a real broker with a `liveblog worker` subprocess."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from connectors.kafka_admin import ensure_alert_topics, ensure_topics
from connectors.sinks.subscriptions import publish_subscription
from schemas.events import Alert, Subscription
from tests.conftest import SEED, free_port
from tests.integration.kafka_support import (
    CLI,
    WorkerProcess,
    collect,
    env_of,
    make_settings,
    read_all,
    run_cli,
)

pytestmark = pytest.mark.integration

TOKEN = "integration-token"


class WebWorker(WorkerProcess):
    """`liveblog worker` with its web app (page, feeds, subscriptions API) on `port`."""

    def __init__(self, settings: Any, log_path: Path, port: int) -> None:
        super().__init__(settings, log_path)
        self.port = port

    def start(self) -> WebWorker:
        self._log = self.log_path.open("ab")
        env = env_of(self.settings) | {
            "LIVEBLOG_WORKER_WEB": "1",
            "LIVEBLOG_WEB_PORT": str(self.port),
            "LIVEBLOG_API_TOKEN": TOKEN,
        }
        self.proc = subprocess.Popen(
            [CLI, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=self._log
        )
        return self


class TestKafkaAlerts:
    async def test_alerts_dedup_delivery_and_live_subscriptions(
        self,
        kafka_bootstrap: str,
        tmp_path: Path,
        receiver: tuple[int, list[dict[str, Any]]],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The worker alerts on the seed for a subscription on the compacted topic, delivers to
        the webhook, shows the alerts on its SSE feed, takes a new subscription from its API
        without a restart, and never repeats an alert when the seed is replayed again."""
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
        web_port = free_port()
        worker = WebWorker(settings, scratch / "worker.log", web_port).start()
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

            base = f"http://127.0.0.1:{web_port}"
            async with aiohttp.ClientSession() as http:
                async with asyncio.timeout(30):
                    events: list[str] = []
                    async with http.get(f"{base}/feeds/alerts?last_event_id=0") as resp:
                        async for raw in resp.content:
                            if raw.startswith(b"data: "):
                                events.append(raw.decode())
                            if len(events) == 3:
                                break
                assert all('"lavrov"' in e for e in events)
                body = {"id": "guterres", "filter": "speaker:guterres veto"}
                auth = {"Authorization": f"Bearer {TOKEN}"}
                async with http.post(f"{base}/api/subscriptions", json=body, headers=auth) as r:
                    assert r.status == 201, await r.text()
                # the worker's own book lists it once its matcher has it
                async with asyncio.timeout(30):
                    while True:
                        async with http.get(f"{base}/api/subscriptions", headers=auth) as r:
                            listed = await r.json()
                        ids = {x["id"] for x in listed}
                        if "guterres" in ids:
                            break
                        await asyncio.sleep(0.2)
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
