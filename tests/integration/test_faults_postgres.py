"""The PostgreSQL sink rides out a restart of PostgreSQL: still running, the database exact."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.kafka_admin import ensure_topics
from connectors.sinks.postgres import PostgresSink
from connectors.sinks.rows import TABLES
from tests.conftest import ROOT
from tests.integration.kafka_support import (
    CLI,
    env_of,
    make_settings,
    produce_records,
    rows_of,
    seed_records,
    until,
)

pytestmark = [pytest.mark.integration, pytest.mark.faults]

POSTGRES = str(ROOT / "scripts" / "postgres")
#: how long PostgreSQL stays down
DOWN_SECONDS = 10.0


def _pg(*args: str, state: Path) -> str:
    done = subprocess.run(
        [POSTGRES, *args, "--dir", str(state)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


@pytest.fixture(name="own_postgres")
def fixture_own_postgres() -> Iterator[tuple[str, Path]]:
    """A PostgreSQL server of this test alone (it is stopped and started): DSN and state dir."""
    state = Path(tempfile.mkdtemp(prefix="liveblog-fault-pg-"))
    try:
        yield _pg("start", state=state), state
    finally:
        subprocess.run([POSTGRES, "stop", "--dir", str(state)], capture_output=True, check=False)
        shutil.rmtree(state, ignore_errors=True)


class TestPostgresRestart:
    async def test_sink_rides_out_a_stopped_database(
        self, kafka_bootstrap: str, own_postgres: tuple[str, Path], tmp_path: Path
    ) -> None:
        """PostgreSQL is stopped for 10 s mid-stream and started on the same data and port: the
        `liveblog sink` process keeps running (retrying, reconnecting) and the database ends
        with exactly the rows of the stream, none lost, none doubled."""
        dsn, state = own_postgres
        port = dsn.rsplit(":", 1)[1].split("/", 1)[0]
        settings = make_settings(kafka_bootstrap, uuid.uuid4().hex[:12], partitions=2)
        await ensure_topics(settings)
        records = seed_records()
        half = len(records) // 2
        want = rows_of(records)
        log_path = tmp_path / "sink.log"
        with log_path.open("ab") as log:
            proc = subprocess.Popen(
                [CLI, "sink", "--db", dsn, "--log-format", "json"],
                env=env_of(settings, LIVEBLOG_SINK_BATCH_SIZE="20"),
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        checker = await PostgresSink.connect(dsn)

        def tail() -> str:
            return "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])

        async def entries() -> int:
            return int((await checker.counts())["entries"])

        try:
            await produce_records(settings, records[:half])
            await until(lambda: entries(), 60, "the sink wrote the first half", tail)
            await checker.close()
            _pg("stop", state=state)
            stopped = time.monotonic()
            await produce_records(settings, records[half:])

            def failed_writes() -> int:
                events = [json.loads(x) for x in log_path.read_text().splitlines() if x[:1] == "{"]
                return sum(1 for e in events if e.get("event") == "retrying")

            await until(lambda: failed_writes() >= 1, 60, "a failed write retried", tail)
            while time.monotonic() - stopped < DOWN_SECONDS:
                assert proc.poll() is None, f"the sink exited while PostgreSQL was down\n{tail()}"
                await asyncio.sleep(0.2)
            _pg("start", "--port", port, state=state)
            checker = await PostgresSink.connect(dsn)

            async def exact() -> bool:
                for table in ("entries", "quotes", "speakers", "dead_letters"):
                    cols = ", ".join(TABLES[table][0])
                    rows = await checker.query(f"SELECT {cols} FROM {table}")
                    if len(rows) != len(want.get(table, [])):
                        return False
                return True

            await until(exact, 120, "every row after the restart", tail)
            assert proc.poll() is None, "the sink is still running"
            for table in ("entries", "quotes", "speakers"):
                cols = ", ".join(TABLES[table][0])
                rows = await checker.query(f"SELECT {cols} FROM {table}")
                assert sorted(rows, key=repr) == want[table], table
            retries = failed_writes()
            print(
                f"postgres down {time.monotonic() - stopped:.1f} s; sink retries {retries}; "
                f"entries {len(want['entries'])}, quotes {len(want.get('quotes', []))}; "
                "lost 0, duplicates 0"
            )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            await checker.close()
