"""The probes of the Kafka runtime: a worker logs "ready" at INFO once it has started, and its
metrics port answers `/readyz` 200 from then on, `/healthz` and `/metrics` too."""

from __future__ import annotations

import asyncio
import json
import subprocess
import urllib.request
import uuid
from pathlib import Path

import pytest

from connectors.kafka_admin import ensure_topics
from tests.integration.kafka_support import CLI, env_of, make_settings

pytestmark = pytest.mark.integration


async def _ready_line(log: Path, proc: subprocess.Popen[bytes]) -> dict[str, object]:
    async with asyncio.timeout(90):
        while True:
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("{") and json.loads(line).get("event") == "ready":
                    found: dict[str, object] = json.loads(line)
                    return found
            assert proc.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            await asyncio.sleep(0.2)


class TestWorkerProbes:
    async def test_ready_line_and_readyz(self, kafka_bootstrap: str, tmp_path: Path) -> None:
        """A worker with `--metrics-port 0` says "ready" at INFO with the port it bound, and that
        port answers `/readyz`, `/healthz` and `/metrics`."""
        settings = make_settings(kafka_bootstrap, uuid.uuid4().hex[:12], partitions=1)
        await ensure_topics(settings)
        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [CLI, "worker", "--metrics-port", "0"],
                env=env_of(settings, LIVEBLOG_WORKER_DIR=str(tmp_path / "faust")),
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=out,
            )
            try:
                ready = await _ready_line(log, proc)
                assert ready["level"] == "info"
                port = ready["metrics_port"]
                assert isinstance(port, int) and port > 0
                base = f"http://127.0.0.1:{port}"
                for path in ("/readyz", "/healthz"):
                    with urllib.request.urlopen(base + path, timeout=5) as resp:
                        assert resp.status == 200
                with urllib.request.urlopen(base + "/metrics", timeout=5) as resp:
                    assert b"liveblog_records_in" in resp.read()
            finally:
                proc.terminate()
                proc.wait(timeout=30)
