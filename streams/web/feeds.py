"""Real-time feeds of quotes and alerts: Server-Sent Events and a WebSocket twin.

    GET /feeds/quotes?filter=...&backlog=N     text/event-stream
    GET /feeds/alerts?subscription=ID
    GET /ws/quotes?filter=...&last_event_id=N  WebSocket, one JSON object per event
    GET /ws/alerts
    GET /feeds/entries?blog=ID                 each new version of an entry (the timeline)
    GET /ws/entries

`blog=ID` narrows any feed to one blog; `backlog=N` starts N events of that kind back.

Every event has the feed log's sequence number as its id. A client that reconnects with
`Last-Event-ID` (or `?last_event_id=`) is sent everything after it from storage, then the live
events; a comment line every `feed_heartbeat` seconds keeps proxies from closing an idle stream.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import WSMsgType, web

from connectors.sinks.feedlog import FeedEvent, FeedKind
from streams.web.context import QuoteFilter, WebContext, error, secure

__all__ = ["routes"]

_BATCH = 200
_MAX_BACKLOG = 1000


def _start(ctx: WebContext, request: web.Request, kind: FeedKind) -> int | web.Response:
    given = request.headers.get("Last-Event-ID") or request.query.get("last_event_id")
    try:
        if given:
            return max(int(given), 0)
        backlog = min(max(int(request.query.get("backlog", "0")), 0), _MAX_BACKLOG)
    except ValueError:
        return error(400, "Last-Event-ID and backlog are numbers")
    if not backlog:
        return ctx.feed.last_seq()
    return ctx.feed.last_of(kind, backlog)


async def _events(
    ctx: WebContext,
    kind: FeedKind,
    after: int,
    flt: QuoteFilter,
    subscription: str | None,
    blog: str | None = None,
) -> AsyncIterator[tuple[FeedEvent, dict[str, Any]] | None]:
    """Events after `after`, forever; None now and then as a heartbeat."""
    last = after
    while True:
        top = ctx.feed.last_seq()
        batch = ctx.feed.after(kind, last, _BATCH)
        for event in batch:
            last = event.seq
            data = event.data
            if blog is not None and data.get("blog_id") != blog:
                continue
            if kind == "quote":
                matches = flt.test(data, event.names, event.language)
                if matches is None:
                    continue
                data = {**data, "matches": [m.model_dump() for m in matches]}
            elif subscription and data.get("subscription_id") != subscription:
                continue
            yield event, data
        if len(batch) == _BATCH:
            await asyncio.sleep(0)
            continue
        # events of the other kind share the sequence: what was scanned is seen up to `top`
        last = max(last, top)
        if not await ctx.notifier.wait(last, ctx.settings.feed_heartbeat):
            yield None


def routes(ctx: WebContext) -> list[web.RouteDef]:
    """The feed routes bound to `ctx`."""

    def opened(request: web.Request, kind: FeedKind) -> tuple[int, QuoteFilter] | web.Response:
        if ctx.clients >= ctx.settings.feed_max_clients:
            return error(503, "too many open feeds")
        if (bad := QuoteFilter.check(request.query.get("filter"))) is not None:
            return bad
        start = _start(ctx, request, kind)
        if isinstance(start, web.Response):
            return start
        return start, QuoteFilter(request.query.get("filter"))

    async def sse(request: web.Request, kind: FeedKind) -> web.StreamResponse:
        found = opened(request, kind)
        if isinstance(found, web.Response):
            return found
        start, flt = found
        resp = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache, no-store",
                "X-Accel-Buffering": "no",
            }
        )
        secure(resp.headers)
        ctx.clients += 1
        try:
            await resp.prepare(request)
            await resp.write(b"retry: 2000\n\n")
            async for item in _events(ctx, kind, start, flt, *_scope(request)):
                if item is None:
                    await resp.write(b": heartbeat\n\n")
                    continue
                event, data = item
                body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                await resp.write(f"id: {event.seq}\nevent: {kind}\ndata: {body}\n\n".encode())
        except (ConnectionResetError, ConnectionError):
            pass
        finally:
            ctx.clients -= 1
        return resp

    async def ws(request: web.Request, kind: FeedKind) -> web.StreamResponse:
        found = opened(request, kind)
        if isinstance(found, web.Response):
            return found
        start, flt = found
        sock = web.WebSocketResponse(heartbeat=ctx.settings.feed_heartbeat, max_msg_size=4096)
        secure(sock.headers)
        ctx.clients += 1
        try:
            await sock.prepare(request)
            reader = asyncio.get_running_loop().create_task(_drain(sock))
            async for item in _events(ctx, kind, start, flt, *_scope(request)):
                if sock.closed:
                    break
                if item is None:
                    await sock.send_str('{"event":"heartbeat"}')
                    continue
                event, data = item
                await sock.send_str(
                    json.dumps({"id": event.seq, "event": kind, "data": data}, ensure_ascii=False)
                )
            reader.cancel()
        except (ConnectionResetError, ConnectionError):
            pass
        finally:
            ctx.clients -= 1
            await sock.close()
        return sock

    async def quotes_sse(request: web.Request) -> web.StreamResponse:
        return await sse(request, "quote")

    async def alerts_sse(request: web.Request) -> web.StreamResponse:
        return await sse(request, "alert")

    async def entries_sse(request: web.Request) -> web.StreamResponse:
        return await sse(request, "entry")

    async def entries_ws(request: web.Request) -> web.StreamResponse:
        return await ws(request, "entry")

    async def quotes_ws(request: web.Request) -> web.StreamResponse:
        return await ws(request, "quote")

    async def alerts_ws(request: web.Request) -> web.StreamResponse:
        return await ws(request, "alert")

    return [
        web.get("/feeds/quotes", quotes_sse),
        web.get("/feeds/alerts", alerts_sse),
        web.get("/feeds/entries", entries_sse),
        web.get("/ws/quotes", quotes_ws),
        web.get("/ws/entries", entries_ws),
        web.get("/ws/alerts", alerts_ws),
    ]


def _scope(request: web.Request) -> tuple[str | None, str | None]:
    """The `subscription` and `blog` a feed is narrowed to."""
    return request.query.get("subscription") or None, request.query.get("blog") or None


async def _drain(sock: web.WebSocketResponse) -> None:
    """Read (and drop) what the client sends, so pings and the close handshake are answered."""
    async for msg in sock:
        if msg.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
            break
