"""SSE and WebSocket feeds during a paced replay: live delivery, heartbeats, resume."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp

from schemas.events import Subscription
from tests.test_streams.livedata import QUOTES
from tests.test_streams.test_web.serving import replayed, serving


async def _events(
    resp: aiohttp.ClientResponse, *, until_heartbeat: bool, count: int | None = None
) -> list[tuple[int, str, dict[str, Any]]]:
    """Read SSE events until `count` of them, or until the first heartbeat after some."""
    out: list[tuple[int, str, dict[str, Any]]] = []
    event: dict[str, str] = {}
    async with asyncio.timeout(20):
        async for raw in resp.content:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith(": heartbeat") and until_heartbeat:
                return out
            if not line:
                if "data" in event:
                    out.append((int(event["id"]), event["event"], json.loads(event["data"])))
                    if count is not None and len(out) >= count:
                        return out
                event = {}
                continue
            key, _, value = line.partition(": ")
            event[key] = value
    return out


class TestSse:
    async def test_live_then_resume_with_last_event_id(self, tmp_path: Path) -> None:
        """Quotes arrive while the replay runs; after a disconnect, Last-Event-ID gets the rest
        from storage and none is missed or repeated."""
        async with (
            serving(tmp_path, delays=[0.25] * 8, feed_heartbeat=0.5) as (url, session),
            aiohttp.ClientSession() as http,
        ):
            async with http.get(f"{url}/feeds/quotes") as resp:
                assert resp.status == 200
                assert resp.headers["Content-Type"].startswith("text/event-stream")
                first = await _events(resp, until_heartbeat=False, count=3)
                produced_then = session.runner.stats.entries
            assert produced_then < 8  # received as produced, before the replay ended
            await replayed(session)
            last = first[-1][0]
            async with http.get(f"{url}/feeds/quotes", headers={"Last-Event-ID": str(last)}) as r:
                rest = await _events(r, until_heartbeat=True)
            assert session.feed is not None
            stored = [e.data["quote_id"] for e in session.feed.after("quote", 0, 1000)]
            got = [d["quote_id"] for _, _, d in first + rest]
            assert got == stored
            assert len(stored) == QUOTES
            ids = [i for i, _, _ in first + rest]
            assert ids == sorted(set(ids))

    async def test_filter_and_heartbeat(self, tmp_path: Path) -> None:
        """`?filter=` keeps matching quotes (with their matches); idle feeds get heartbeats."""
        async with (
            serving(tmp_path, feed_heartbeat=0.2) as (url, session),
            aiohttp.ClientSession() as http,
        ):
            await replayed(session)
            params = {"filter": "speaker:okafor rent", "last_event_id": "0"}
            async with http.get(f"{url}/feeds/quotes", params=params) as resp:
                got = await _events(resp, until_heartbeat=True)
            texts = [d["text"] for _, _, d in got]
            assert texts == ["A rent cap protects families", "The rent cap starts in June"]
            assert got[0][2]["matches"] == [{"term": "rent", "start": 2, "end": 6}]
            async with http.get(f"{url}/feeds/quotes", params={"filter": "rent OR"}) as bad:
                assert bad.status == 400
                assert (await bad.json())["position"] == 7

    async def test_alerts_feed(self, tmp_path: Path) -> None:
        """Alerts of the subscriptions appear on /feeds/alerts."""
        subs = [Subscription(id="tram", filter="tram")]
        async with (
            serving(tmp_path, subscriptions=subs, feed_heartbeat=0.2) as (url, session),
            aiohttp.ClientSession() as http,
        ):
            await replayed(session)
            async with http.get(f"{url}/feeds/alerts", params={"last_event_id": "0"}) as resp:
                got = await _events(resp, until_heartbeat=True)
            assert [(k, d["subscription_id"]) for _, k, d in got] == [("alert", "tram")]


class TestWebSocket:
    async def test_twin_sends_the_same_events(self, tmp_path: Path) -> None:
        """The WebSocket feed sends the quotes as JSON with the same ids, then heartbeats."""
        async with (
            serving(tmp_path, feed_heartbeat=0.2) as (url, session),
            aiohttp.ClientSession() as http,
        ):
            await replayed(session)
            got: list[dict[str, Any]] = []
            async with http.ws_connect(f"{url}/ws/quotes?last_event_id=0") as ws:
                async with asyncio.timeout(10):
                    async for msg in ws:
                        data = json.loads(msg.data)
                        if data["event"] == "heartbeat":
                            break
                        got.append(data)
            assert len(got) == QUOTES
            assert all(g["event"] == "quote" for g in got)
            assert [g["id"] for g in got] == sorted(g["id"] for g in got)
