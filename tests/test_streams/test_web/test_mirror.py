"""The store mirror: what a sink wrote reaches the feed log once, in order, across restarts."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from connectors.sinks.feedlog import FeedLog
from connectors.sinks.sqlite import SqliteSink
from schemas.events import Alert, EnrichedEntry
from streams.pipeline.deadletter import dead_letter
from streams.runtime.embedded.runner import EmbeddedRunner
from streams.web.mirror import Mirror, SqliteReader
from streams.web.notifier import Notifier
from tests.test_streams.livedata import NOW, items, write_blog


@pytest.fixture(name="store")
def fixture_store(tmp_path: Path) -> tuple[str, list[EnrichedEntry]]:
    """A SQLite sink database with the invented blog's eight entries, as a sink writes it."""
    db = str(tmp_path / "sink.db")
    sink = SqliteSink(db)
    seen: list[EnrichedEntry] = []
    runner = EmbeddedRunner(
        [sink], on_record=lambda r: seen.append(r) if isinstance(r, EnrichedEntry) else None
    )
    for item in items(write_blog(tmp_path)):
        runner.handle(item)
    runner.flush()
    runner.close()
    return db, seen


class TestMirror:
    async def test_new_rows_once_in_order(
        self, store: tuple[str, list[EnrichedEntry]], tmp_path: Path
    ) -> None:
        """Entries (oldest first) and their quotes are logged once; a second look adds nothing;
        the notifier is told the last event id."""
        db, entries = store
        feed = FeedLog(tmp_path / "feed.db")
        notifier = Notifier()
        mirror = Mirror(SqliteReader(db), feed, notifier)
        added = await mirror.sync()
        quotes = sum(len(e.quotes) for e in entries)
        assert added == len(entries) + quotes
        assert await mirror.sync() == 0
        assert notifier.version == feed.last_seq() == added
        logged = [e.data["entry_id"] for e in feed.after("entry", 0)]
        by_time = sorted(entries, key=lambda e: (e.published_at is None, e.published_at))
        assert logged == [e.entry_id for e in by_time]
        assert {e.data["quote_id"] for e in feed.after("quote", 0)} == {
            q.quote_id for e in entries for q in e.quotes
        }
        okafor = [
            e for e in feed.after("quote", 0) if (e.data["speaker"] or {}).get("id") == "okafor"
        ]
        assert okafor and all("okafor" in e.names for e in okafor)

    async def test_edits_alerts_failures_and_restart(
        self, store: tuple[str, list[EnrichedEntry]], tmp_path: Path
    ) -> None:
        """A newer version of an entry, an alert and a failed delivery each add one event; a
        restarted mirror over the same feed log adds nothing it had."""
        db, entries = store
        feed = FeedLog(tmp_path / "feed.db")
        await Mirror(SqliteReader(db), feed, Notifier()).sync()
        first = entries[0]
        edited = first.model_copy(update={"version": 2, "body": first.body + " Updated."})
        alert = Alert(
            alert_id="a1", subscription_id="s", blog_id=first.blog_id, entry_id=first.entry_id,
            text="x <b>y</b>",
        )  # fmt: skip
        failed = dead_letter(
            "delivery", "delivery to json://h/… failed", alert.model_dump_json(), now=NOW,
            blog_id=first.blog_id,
        )  # fmt: skip
        sink = SqliteSink(db)
        sink.write([edited, alert, failed])
        sink.close()
        mirror = Mirror(SqliteReader(db), feed, Notifier())
        assert await mirror.sync() == 3
        (entry,) = [e for e in feed.after("entry", 0) if e.data["version"] == 2]
        assert entry.data["body"].endswith("Updated.")
        (got,) = feed.after("alert", 0)
        assert got.data["text"] == "x <b>y</b>"
        (delivery,) = feed.after("delivery", 0)
        assert delivery.data == {"alert_id": "a1", "reason": "delivery to json://h/… failed"}
        assert mirror.errors_by_blog[first.blog_id][0] == 1
        again = Mirror(SqliteReader(db), feed, Notifier())
        assert await again.sync() == 0

    async def test_store_not_there_yet(self, tmp_path: Path) -> None:
        """Over a database nobody created yet the mirror is not ready and says why; once a sink
        creates it, the mirror becomes ready and logs what it holds."""
        feed = FeedLog(tmp_path / "feed.db")
        later = tmp_path / "later.db"
        mirror = Mirror(SqliteReader(str(later)), feed, Notifier(), interval=0.05)
        task = asyncio.create_task(mirror.run())
        try:
            async with asyncio.timeout(10):
                while mirror.error is None:
                    await asyncio.sleep(0.02)
            assert not mirror.ready and str(later) in mirror.error
            sink = SqliteSink(later)
            runner = EmbeddedRunner([sink])
            for item in items(write_blog(tmp_path)):
                runner.handle(item)
            runner.close()
            async with asyncio.timeout(10):
                while not (mirror.ready and feed.last_seq()):
                    await asyncio.sleep(0.02)
            assert mirror.error is None and len(feed.after("entry", 0)) == 8
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
