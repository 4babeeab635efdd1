"""Alerts survive a worker crash: webhook down, worker SIGKILLed during retries, both restarted."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from connectors.kafka_admin import ensure_alert_topics, ensure_topics
from connectors.sinks.subscriptions import publish_subscription
from schemas.events import Alert, DeadLetter, Subscription
from tests.conftest import SEED
from tests.integration.kafka_support import (
    CLI,
    WorkerProcess,
    collect,
    env_of,
    make_settings,
    read_all,
    run_cli,
)

pytestmark = [pytest.mark.integration, pytest.mark.faults]

_ALERT_ID = re.compile(r"alert: (\S+)")


class RetryingWorker(WorkerProcess):
    """`liveblog worker` that keeps retrying a dead webhook for minutes."""

    def start(self) -> RetryingWorker:
        self._log = self.log_path.open("ab")
        env = env_of(
            self.settings,
            LIVEBLOG_WORKER_DIR=str(self.log_path.parent / "faust"),
            LIVEBLOG_DELIVERY_ATTEMPTS="20",
            LIVEBLOG_DELIVERY_BACKOFF="0.5",
            LIVEBLOG_DELIVERY_TIMEOUT="2",
            LIVEBLOG_LOG_FORMAT="json",
        )
        self.proc = subprocess.Popen(
            [CLI, "worker"],
            env=env,
            cwd=self.log_path.parent,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        return self


def _log_events(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out


async def _until(
    check: Callable[[], bool], timeout: float, what: str, context: Callable[[], str]
) -> None:
    """Wait for a condition, polling it, at most `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            pytest.fail(f"not within {timeout} s: {what}\n{context()}")
        await asyncio.sleep(0.2)


class TestAlertsAcrossAWorkerCrash:
    async def test_every_alert_delivered_after_kill_during_retries(
        self, kafka_bootstrap: str
    ) -> None:
        """The webhook refuses connections, the worker retries each alert and is SIGKILLed in
        the middle; the webhook and a new worker start: every alert on the alerts topic reaches
        the webhook at least once, or is a dead letter with a reason; none is silently lost."""
        settings = make_settings(kafka_bootstrap, uuid.uuid4().hex[:12], partitions=2)
        await ensure_topics(settings)
        await ensure_alert_topics(settings)
        scratch = Path(tempfile.mkdtemp(prefix="liveblog-fault-alerts-"))
        held = socket.socket()
        held.bind(("127.0.0.1", 0))  # kept, not listening: the webhook is down, the port ours
        port = held.getsockname()[1]
        got: list[dict[str, Any]] = []

        async def hook(request: web.Request) -> web.Response:
            got.append(await request.json())
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post("/hook", hook)
        runner = web.AppRunner(app)
        await runner.setup()
        sub = Subscription(
            id="lavrov",
            filter="speaker:lavrov (veto OR ceasefire)",
            notify=(f"json://127.0.0.1:{port}/hook",),
        )
        await publish_subscription(settings, sub.id, sub)
        first = RetryingWorker(settings, scratch / "first.log").start()
        second: RetryingWorker | None = None
        try:
            done = await asyncio.to_thread(
                run_cli, "replay", str(SEED), "--broker", settings.broker, settings=settings
            )
            assert done.returncode == 0, done.stderr
            alerts = await collect(
                settings, "alerts", 3, timeout=120, distinct="alert_id", context=first.tail()
            )
            expected = {a.alert_id for a in alerts if isinstance(a, Alert)}

            def retrying() -> set[str]:
                # three failed tries (>= 1.5 s of backoff) each: well past the commit interval
                return {
                    str(e.get("alert_id"))
                    for e in _log_events(first.log_path)
                    if e.get("event") == "delivery failed, retrying" and e.get("attempt", 0) >= 3
                }

            await _until(lambda: expected <= retrying(), 120, "every alert in retries", first.tail)
            first.kill()
            assert got == []
            await web.SockSite(runner, held).start()
            second = RetryingWorker(settings, scratch / "second.log").start()

            def delivered() -> set[str]:
                return {m.group(1) for g in got if (m := _ALERT_ID.search(g.get("message", "")))}

            await _until(
                lambda: expected <= delivered(),
                120,
                "every alert delivered",
                lambda: f"{first.tail(60)}\n---\n{second.tail(80)}" if second else "",
            )
            letters = [
                d
                for d in await read_all(settings, "dead_letters", idle=1.0)
                if isinstance(d, DeadLetter) and d.stage == "delivery"
            ]
            print(
                f"alerts expected {len(expected)}, delivered {len(delivered() & expected)}, "
                f"webhook calls {len(got)}, dead letters {len(letters)}, lost 0"
            )
            assert delivered() == expected
            assert letters == []
        finally:
            first.stop()
            if second is not None:
                second.stop()
            await runner.cleanup()
            held.close()
            shutil.rmtree(scratch, ignore_errors=True)
