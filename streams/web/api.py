"""The HTTP API: subscriptions (bearer token), quote history (paged), filter check, entries.

POST   /api/subscriptions          {"id", "filter", "notify": [...]}  -> 201
GET    /api/subscriptions          -> [...]   (notify URLs redacted)
GET    /api/subscriptions/{id}
DELETE /api/subscriptions/{id}     -> 204 | 404
GET    /api/quotes?filter=&since=&blog=&limit=&cursor=   quote history (the feed log)
GET    /api/filters/check?filter=  -> {"ok": true} | 400 problem {"detail", "position"}
GET    /api/entries?blog=&cursor=&limit=, /api/entries/{entry_id}
GET    /api/blogs                  each blog: source, counts, last change, errors, polls
GET    /api/speakers?blog=         speakers with their quote counts
GET    /api/alerts?limit=          newest alerts with their delivery state

Everything is read from the feed log, which the session that writes (embedded replay, connect)
or the store mirror (`serve` over a SQLite or PostgreSQL sink) fills, so it answers the same
over any store. Errors are `application/problem+json`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web

from connectors.sinks.delivery import redact
from schemas.events import Subscription
from schemas.exceptions import ConfigError, FilterSyntaxError
from streams.alerts.subscriptions import validate_subscription
from streams.core.clock import system_clock
from streams.web.context import QuoteFilter, WebContext, error, json_response

__all__ = ["blog_status", "entry_data", "latest_entries", "recent_alerts", "routes"]

MAX_BODY = 64 * 1024
#: rows of the quotes table one history request reads at most
_SCAN = 5000
_MAX_LIMIT = 500


def _public(sub: Subscription) -> dict[str, Any]:
    data = sub.model_dump(mode="json", exclude={"schema_version", "event"})
    data["notify"] = [redact(u) for u in sub.notify]
    return data


def routes(ctx: WebContext) -> list[web.RouteDef]:
    """The API routes bound to `ctx`."""

    async def list_subs(request: web.Request) -> web.Response:
        if (denied := ctx.authorised(request)) is not None:
            return denied
        if ctx.book is None:
            return error(503, "no subscriptions here")
        return json_response([_public(s) for s in ctx.book.list()])

    async def get_sub(request: web.Request) -> web.Response:
        if (denied := ctx.authorised(request)) is not None:
            return denied
        sub = ctx.book.get(request.match_info["sid"]) if ctx.book else None
        if sub is None:
            return error(404, "no such subscription")
        return json_response(_public(sub))

    async def create_sub(request: web.Request) -> web.Response:
        if (denied := ctx.authorised(request)) is not None:
            return denied
        if ctx.book is None:
            return error(503, "no subscriptions here")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return error(413, f"body over {MAX_BODY} bytes")
        raw = await request.content.read(MAX_BODY + 1)
        if len(raw) > MAX_BODY:
            return error(413, f"body over {MAX_BODY} bytes")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return error(400, f"body is not JSON: {exc}")
        try:
            sub = validate_subscription(data, now=system_clock())
        except FilterSyntaxError as exc:
            return error(400, str(exc).splitlines()[0], position=exc.position, field="filter")
        except ConfigError as exc:
            return error(400, str(exc))
        await ctx.book.put(sub)
        return json_response(_public(sub), 201)

    async def delete_sub(request: web.Request) -> web.Response:
        if (denied := ctx.authorised(request)) is not None:
            return denied
        if ctx.book is None or not await ctx.book.delete(request.match_info["sid"]):
            return error(404, "no such subscription")
        return web.Response(status=204)

    async def check_filter(request: web.Request) -> web.Response:
        bad = QuoteFilter.check(request.query.get("filter"))
        return bad if bad is not None else json_response({"ok": True})

    async def quotes(request: web.Request) -> web.Response:
        q = request.query
        if (bad := QuoteFilter.check(q.get("filter"))) is not None:
            return bad
        flt = QuoteFilter(q.get("filter"))
        try:
            limit = min(max(int(q.get("limit", "100")), 1), _MAX_LIMIT)
            cursor = max(int(q.get("cursor", "0")), 0)
            since = datetime.fromisoformat(q["since"]) if q.get("since") else None
        except ValueError as exc:
            return error(400, f"bad parameter: {exc}")
        if since is not None and since.tzinfo is None:
            return error(400, "since needs a time zone, e.g. 2024-05-01T12:00:00+00:00")
        blog = q.get("blog") or None
        out: list[dict[str, Any]] = []
        last = cursor
        batch = ctx.feed.after("quote", cursor, _SCAN)
        for event in batch:
            last = event.seq
            data = event.data
            if blog is not None and data.get("blog_id") != blog:
                continue
            pub = data.get("published_at")
            if since is not None and (not pub or datetime.fromisoformat(pub) < since):
                continue
            matches = flt.test(data, event.names, event.language)
            if matches is None:
                continue
            out.append(
                {**data, "matches": [m.model_dump() for m in matches], "event_id": event.seq}
            )
            if len(out) >= limit:
                break
        more = len(out) >= limit or len(batch) >= _SCAN
        return json_response({"quotes": out, "next_cursor": last if more else None})

    async def entries(request: web.Request) -> web.Response:
        try:
            limit = min(max(int(request.query.get("limit", "100")), 1), _MAX_LIMIT)
            cursor = max(int(request.query.get("cursor", "0")), 0)
        except ValueError as exc:
            return error(400, f"bad parameter: {exc}")
        found, last = latest_entries(ctx, cursor, limit, request.query.get("blog") or None)
        return json_response({"entries": found, "next_cursor": last})

    async def entry(request: web.Request) -> web.Response:
        data = entry_data(ctx, request.match_info["eid"])
        if data is None:
            return error(404, "no such entry")
        return json_response(data)

    async def blogs(request: web.Request) -> web.Response:
        return json_response({"blogs": blog_status(ctx)})

    async def speakers(request: web.Request) -> web.Response:
        blog = request.query.get("blog") or None
        sql = (
            "SELECT blog_id, json_extract(data, '$.speaker.id'), "
            "json_extract(data, '$.speaker.name'), COUNT(*) FROM feed_events "
            "WHERE kind = 'quote' AND json_extract(data, '$.speaker.id') IS NOT NULL "
            "AND (? IS NULL OR blog_id = ?) GROUP BY 1, 2 ORDER BY 4 DESC, 3"
        )
        rows = ctx.feed.conn.execute(sql, (blog, blog)).fetchall()
        return json_response(
            {"speakers": [{"blog_id": b, "id": i, "name": n, "quotes": c} for b, i, n, c in rows]}
        )

    async def alerts(request: web.Request) -> web.Response:
        try:
            limit = min(max(int(request.query.get("limit", "50")), 1), _MAX_LIMIT)
        except ValueError as exc:
            return error(400, f"bad parameter: {exc}")
        return json_response({"alerts": recent_alerts(ctx, limit)})

    return [
        web.get("/api/subscriptions", list_subs),
        web.post("/api/subscriptions", create_sub),
        web.get("/api/subscriptions/{sid}", get_sub),
        web.delete("/api/subscriptions/{sid}", delete_sub),
        web.get("/api/filters/check", check_filter),
        web.get("/api/quotes", quotes),
        web.get("/api/entries", entries),
        web.get("/api/entries/{eid}", entry),
        web.get("/api/blogs", blogs),
        web.get("/api/speakers", speakers),
        web.get("/api/alerts", alerts),
    ]


def entry_data(ctx: WebContext, entry_id: str) -> dict[str, Any] | None:
    """The newest logged version of an entry."""
    row = ctx.feed.conn.execute(
        "SELECT data FROM feed_events WHERE kind = 'entry' AND "
        "json_extract(data, '$.entry_id') = ? ORDER BY seq DESC LIMIT 1",
        (entry_id,),
    ).fetchone()
    if row is None:
        return None
    data: dict[str, Any] = json.loads(row[0])
    return data


def latest_entries(
    ctx: WebContext, cursor: int, limit: int, blog: str | None
) -> tuple[list[dict[str, Any]], int | None]:
    """Entries logged after `cursor` (each in its newest version), oldest first, and the
    cursor of the next page (None at the end)."""
    rows = ctx.feed.conn.execute(
        "SELECT seq, data FROM feed_events WHERE kind = 'entry' AND seq > ? "
        "AND (? IS NULL OR blog_id = ?) ORDER BY seq LIMIT ?",
        (cursor, blog, blog, limit),
    ).fetchall()
    out = [{**json.loads(d), "event_id": int(s)} for s, d in rows]
    return out, (int(rows[-1][0]) if len(rows) >= limit else None)


def blog_status(ctx: WebContext) -> list[dict[str, Any]]:
    """Each blog of the log: its source, counts, newest entry, last change, errors, polls."""
    rows = ctx.feed.conn.execute(
        "SELECT blog_id, COUNT(DISTINCT json_extract(data, '$.entry_id')), "
        "MAX(json_extract(data, '$.published_at')), MAX(seq) FROM feed_events "
        "WHERE kind = 'entry' GROUP BY blog_id ORDER BY MAX(seq) DESC"
    ).fetchall()
    quotes = dict(
        ctx.feed.conn.execute(
            "SELECT blog_id, COUNT(*) FROM feed_events WHERE kind = 'quote' GROUP BY blog_id"
        ).fetchall()
    )
    errors = ctx.errors()
    polled = {str(s.get("blog_id")): s for s in ctx.sources()}
    out: list[dict[str, Any]] = []
    for blog, count, newest, last in rows:
        src = ctx.feed.conn.execute(
            "SELECT json_extract(data, '$.source') FROM feed_events WHERE seq = ?", (last,)
        ).fetchone()
        dead, dead_at, reason = errors.get(blog, (0, None, None))
        item: dict[str, Any] = {
            "blog_id": blog,
            "source": str((src or [""])[0] or ""),
            "entries": int(count),
            "quotes": int(quotes.get(blog, 0)),
            "last_published": newest,
            "last_change": int(last),
            "dead_letters": dead,
            "last_error": reason,
            "last_error_at": dead_at,
        }
        item.update(polled.pop(blog, {}))
        out.append(item)
    for blog, status in polled.items():  # polled, nothing logged yet
        out.append(
            {
                "blog_id": blog,
                "source": "",
                "entries": 0,
                "quotes": 0,
                "last_published": None,
                "last_change": 0,
                **status,
            }
        )
    return out


def recent_alerts(ctx: WebContext, limit: int) -> list[dict[str, Any]]:
    """The newest alerts, newest first, each with the state of its delivery."""
    failed: dict[str, str] = {}
    for (data,) in ctx.feed.conn.execute("SELECT data FROM feed_events WHERE kind = 'delivery'"):
        got = json.loads(data)
        failed[str(got.get("alert_id"))] = str(got.get("reason") or "")
    rows = ctx.feed.conn.execute(
        "SELECT seq, data FROM feed_events WHERE kind = 'alert' ORDER BY seq DESC LIMIT ?",
        (limit,),
    ).fetchall()
    out = []
    for seq, data in rows:
        alert = json.loads(data)
        out.append({**alert, "delivery": delivery_of(ctx, alert, failed), "event_id": int(seq)})
    return out


def delivery_of(ctx: WebContext, alert: dict[str, Any], failed: dict[str, str]) -> dict[str, Any]:
    """failed (with the reason), no-target (the subscription notifies nobody) or ok."""
    if str(alert.get("alert_id")) in failed:
        return {"state": "failed", "reason": failed[str(alert.get("alert_id"))]}
    sub = ctx.book.get(str(alert.get("subscription_id"))) if ctx.book is not None else None
    if sub is not None and not sub.notify:
        return {"state": "no-target", "reason": None}
    return {"state": "ok", "reason": None}
