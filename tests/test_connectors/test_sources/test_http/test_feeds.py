"""RSS and Atom feeds as live sources."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from aiohttp import web

from connectors.sources.http.feeds import extract_feed, feed_extractor
from connectors.sources.http.poller import HttpPoller
from schemas.exceptions import RetryLater, SourceError
from streams.core.clock import fixed_clock
from tests.test_connectors._live import FIXTURES, serve

NOW = datetime(2025, 6, 18, 14, 0, tzinfo=UTC)


class TestExtractFeed:
    @pytest.mark.parametrize(
        ("name", "count", "newest_id", "newest_time", "headline"),
        [
            (
                "live-updates.rss",
                3,
                "block-68529a7c8f08e1b2c3d4e5f7",
                "2025-06-18T13:05:00+00:00",
                "Mayor says evacuation centres are full",
            ),
            (
                "live-updates.atom",
                2,
                "tag:courier.example,2025-03-11:post-4478",
                "2025-03-11T15:41:00-04:00",
                "Park: Eastgate library is a red line",
            ),
        ],
    )
    def test_items_become_entries(
        self, name: str, count: int, newest_id: str, newest_time: str, headline: str
    ) -> None:
        """Each item is an entry with its id, published time, title and content, oldest first."""
        extraction = extract_feed((FIXTURES / name).read_bytes(), fetched_at=NOW, tz=UTC)
        assert len(extraction.entries) == count
        newest = extraction.entries[-1]
        assert newest.block_id == newest_id
        assert newest.time == datetime.fromisoformat(newest_time)
        assert newest.headline == headline
        assert "<blockquote>" in newest.body_html
        assert newest.sources["time"] == "feed:published"

    def test_not_a_feed(self) -> None:
        """A page that is not a feed is a SourceError, not an empty success."""
        with pytest.raises(SourceError):
            extract_feed(b"<html><body><p>hello</p></body></html>", fetched_at=NOW, tz=UTC)


class TestFeedPolling:
    async def test_new_items_once(self) -> None:
        """A feed polled twice emits its items once; a new item arrives on the next poll."""
        body = (FIXTURES / "live-updates.atom").read_text(encoding="utf-8")
        state = {"body": body}

        async def handler(_: web.Request) -> web.Response:
            return web.Response(text=state["body"], content_type="application/atom+xml")

        app = web.Application()
        app.router.add_get("/feed", handler)
        async with serve(app) as base, httpx.AsyncClient() as client:
            poller = HttpPoller(
                f"{base}/feed",
                "budget",
                client=client,
                interval=0.2,
                extractor=feed_extractor(),
                clock=fixed_clock(NOW),
                kind="feed",
            )
            first = await poller.next_item()
            again = await poller.next_item()
            state["body"] = body.replace(
                "<entry>",
                "<entry><title>Vote passes</title><id>tag:courier.example,2025-03-11:post-4479</id>"
                "<published>2025-03-11T16:10:00-04:00</published>"
                "<summary>The budget passes 4-1.</summary></entry><entry>",
                1,
            )
            third = await poller.next_item()
            state["body"] = "<html>maintenance</html>"
            with pytest.raises(RetryLater):
                await poller.next_item()
        assert [r.hints.headline for r in first] == [
            "Recess",
            "Park: Eastgate library is a red line",
        ]
        assert again == []
        assert [r.hints.headline for r in third] == ["Vote passes"]
        assert third[0].source.startswith("feed:")
