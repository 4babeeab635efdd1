"""The HTTP API: subscriptions (bearer token), quote history (paged), filter check, entries.

POST   /api/subscriptions          {"id", "filter", "notify": [...]}  -> 201
GET    /api/subscriptions          -> [...]   (notify URLs redacted)
GET    /api/subscriptions/{id}
DELETE /api/subscriptions/{id}     -> 204 | 404
GET    /api/quotes?filter=&since=&limit=&cursor=   history from the sink database
GET    /api/filters/check?filter=  -> {"ok": true} | 400 {"error", "position"}
GET    /api/entries/{entry_id}
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from aiohttp import web

from connectors.sinks.delivery import redact
from schemas.events import Subscription
from schemas.exceptions import ConfigError, FilterSyntaxError
from streams.alerts.directory import name_keys
from streams.alerts.subscriptions import validate_subscription
from streams.core.clock import system_clock
from streams.web.context import QuoteFilter, WebContext, error, json_response

__all__ = ["routes"]

MAX_BODY = 64 * 1024
#: rows of the quotes table one history request reads at most
_SCAN = 5000
_MAX_LIMIT = 500


def _public(sub: Subscription) -> dict[str, Any]:
    data = sub.model_dump(mode="json", exclude={"schema_version", "event"})
    data["notify"] = [redact(u) for u in sub.notify]
    return data


def _db(ctx: WebContext) -> sqlite3.Connection | None:
    if not ctx.db or "://" in ctx.db:
        return None
    conn: sqlite3.Connection | None = ctx.extra.get("history")
    if conn is None:
        try:
            conn = sqlite3.connect(f"file:{ctx.db}?mode=ro", uri=True, check_same_thread=False)
        except sqlite3.Error:
            return None
        ctx.extra["history"] = conn
    return conn


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
        conn = _db(ctx)
        if conn is None:
            return error(503, "no sink database to read history from")
        try:
            rows = list(
                conn.execute(
                    "SELECT q.rowid, q.quote_id, q.entry_id, q.blog_id, q.published_at, q.text, "
                    "q.speaker_id, q.speaker_name, q.kind, q.confidence, e.language, s.aliases "
                    "FROM quotes q LEFT JOIN entries e ON e.entry_id = q.entry_id "
                    "LEFT JOIN speakers s ON s.blog_id = q.blog_id AND s.id = q.speaker_id "
                    "WHERE q.rowid > ? ORDER BY q.rowid LIMIT ?",
                    (cursor, _SCAN),
                )
            )
        except sqlite3.Error as exc:
            return error(503, f"history is not readable: {exc}")
        out: list[dict[str, Any]] = []
        last = cursor
        for rowid, qid, eid, blog, pub, text, sid, sname, kind, conf, lang, aliases in rows:
            last = rowid
            if since is not None and (not pub or datetime.fromisoformat(pub) < since):
                continue
            speaker = {"id": sid, "name": sname} if sid else None
            data = {
                "quote_id": qid,
                "entry_id": eid,
                "blog_id": blog,
                "published_at": pub,
                "text": text,
                "speaker": speaker,
                "kind": kind,
                "confidence": conf,
            }
            names = frozenset(json.loads(aliases or "[]")) if sid else frozenset()
            matches = flt.test(data, name_keys(names), lang)
            if matches is None:
                continue
            data["matches"] = [m.model_dump() for m in matches]
            out.append(data)
            if len(out) >= limit:
                break
        more = len(out) >= limit or len(rows) >= _SCAN
        return json_response({"quotes": out, "next_cursor": last if more else None})

    async def entry(request: web.Request) -> web.Response:
        conn = _db(ctx)
        if conn is None:
            return error(503, "no sink database")
        row = conn.execute(
            "SELECT data FROM entries WHERE entry_id = ?", (request.match_info["eid"],)
        ).fetchone()
        if row is None:
            return error(404, "no such entry")
        return json_response(json.loads(row[0]))

    return [
        web.get("/api/subscriptions", list_subs),
        web.post("/api/subscriptions", create_sub),
        web.get("/api/subscriptions/{sid}", get_sub),
        web.delete("/api/subscriptions/{sid}", delete_sub),
        web.get("/api/filters/check", check_filter),
        web.get("/api/quotes", quotes),
        web.get("/api/entries/{eid}", entry),
    ]
