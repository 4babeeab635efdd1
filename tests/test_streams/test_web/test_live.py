"""The embedded live session: alerts to the table, the alert lines and delivery, never blocking."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
import structlog
from pydantic import BaseModel

from connectors.sinks.sqlite import SqliteSink
from schemas.events import Alert, Subscription
from streams.core.clock import fixed_clock
from streams.core.settings import Settings
from streams.web.live import LiveOptions, LiveSession
from tests.conftest import free_port
from tests.test_streams.livedata import NOW, items, write_blog


@pytest.fixture(autouse=True)
def fixture_fresh_logging() -> None:
    """structlog as by default, whatever an earlier CLI test configured (its stderr is gone)."""
    structlog.reset_defaults()


class TestLiveSession:
    async def test_dead_target_does_not_hold_up_processing(self, tmp_path: Path) -> None:
        """With the webhook down, every entry is processed, alerts are stored and printed, and
        the alerts end up dead-lettered after their retries."""
        blog = write_blog(tmp_path)
        db = str(tmp_path / "live.db")
        lines = tmp_path / "alerts.jsonl"
        dead_url = f"json://127.0.0.1:{free_port()}/hook"
        settings = Settings(db=db, delivery_attempts=3, delivery_backoff=0.3, delivery_timeout=2)
        options = LiveOptions(
            subscriptions=[
                Subscription(id="okafor-rent", filter="speaker:okafor rent", notify=(dead_url,))
            ],
            alerts_out=str(lines),
            db=db,
        )
        session = LiveSession(settings, [SqliteSink(db)], options, clock=fixed_clock(NOW))
        session.delivery.start()
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        stats = await session.process(lambda: items(blog), [0.0] * 8)
        took = loop.time() - t0
        assert stats.entries == 8
        assert took < 0.9  # less than the retries' backoff: processing did not wait for them
        assert await session.delivery.drain(30)
        await session.delivery.stop()
        session.close()
        out = [json.loads(line) for line in lines.read_text().splitlines()]
        assert [o["subscription_id"] for o in out] == ["okafor-rent"] * 2
        assert set(out[0]) == {
            "alert_id",
            "subscription_id",
            "blog_id",
            "quote_id",
            "speaker",
            "text",
            "url",
            "matches",
            "published_at",
        }
        assert out[0]["text"] and out[0]["alert_id"]
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == 2
        reasons = [r for (r,) in conn.execute("SELECT reason FROM dead_letters")]
        assert len(reasons) == 2
        assert all("failed after 3 attempts" in r for r in reasons)

    async def test_restart_does_not_alert_again(self, tmp_path: Path) -> None:
        """A second replay into the same database finds the alerts already sent."""
        blog = write_blog(tmp_path)
        db = str(tmp_path / "live.db")
        subs = [Subscription(id="bello", filter="speaker:bello")]
        counts = []
        for _ in range(2):
            session = LiveSession(
                Settings(db=db), [SqliteSink(db)], LiveOptions(subscriptions=subs, db=db)
            )
            alerts: list[BaseModel] = []
            session.runner.on_record = alerts.append
            await session.process(lambda: items(blog), [0.0] * 8)
            session.close()
            counts.append(sum(isinstance(r, Alert) for r in alerts))
        assert counts[0] >= 3
        assert counts[1] == 0
