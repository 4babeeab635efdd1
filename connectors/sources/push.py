"""Push ingest: entries posted to `POST /ingest/{blog_id}` or piped to `liveblog connect stdin`.

A body is JSON (one entry object, a list of them, or `{"entries": [...]}`) or text. An entry
object has one of `text`, `markdown` or `html`, and optionally `id`, `headline`, `time` (ISO 8601
with offset), `printed_time`, `date`, `url`, `timezone`, `language`. Text (`text/plain`,
`text/markdown`) is cut into entries at printed times the way saved blogs are; text without a
printed time is one entry. The same cursor as for polled pages decides what is new or changed,
so posting an entry twice emits it once and posting it with other text emits version 2.

Entries are diffed against a copy of the blog's cursor, under the blog's lock; the copy replaces
the cursor (and is saved) only after `emit` returned, so a push whose emit failed (HTTP 503) is
accepted as new again when the client retries.

The aiohttp handler checks the bearer token (`Settings.api_token`) in constant time, bounds the
body, and answers 202 with what it accepted; `ingest_app()` is an app to mount on a web server.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hmac
import json
import re
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

import structlog
from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from connectors.sources.blocks import Block, detect_newest_first, split_blocks
from connectors.sources.cursor import CursorStore, EntryCursor, to_raw_entries
from connectors.sources.http.extract.body import BodyPart, body_parts, render_parts, text_parts
from connectors.sources.http.extract.entry import entry_text
from connectors.sources.http.extract.model import ExtractedEntry
from connectors.sources.polling import Emit
from schemas.exceptions import PayloadTooLarge, SchemaError, SinkError
from streams.core.clock import Clock, system_clock
from streams.core.settings import Settings
from streams.core.timefmt import leading_time

__all__ = [
    "INGEST_ROUTE",
    "PushIngest",
    "PushItem",
    "TextStream",
    "entries_from_json",
    "entries_from_text",
    "ingest_app",
]

log = structlog.get_logger(__name__)

INGEST_ROUTE = "/ingest/{blog_id}"
_MAX_ITEMS = 1000
_BLOG_ID = r"^[A-Za-z0-9_.:-]{1,200}$"


class PushItem(BaseModel):
    """One pushed entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str | None, Field(max_length=500)] = None
    text: str | None = None
    markdown: str | None = None
    html: str | None = None
    headline: Annotated[str | None, Field(max_length=2000)] = None
    time: AwareDatetime | None = None
    printed_time: Annotated[str | None, Field(max_length=100)] = None
    date: dt.date | None = None
    url: Annotated[str | None, Field(max_length=2000)] = None
    timezone: Annotated[str | None, Field(max_length=64)] = None
    language: Annotated[str | None, Field(max_length=35)] = None

    @model_validator(mode="after")
    def _one_body(self) -> PushItem:
        given = [k for k in ("text", "markdown", "html") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("an entry needs exactly one of text, markdown or html")
        return self

    def entry(self) -> ExtractedEntry:
        if self.html is not None:
            root = HTMLParser(f"<div>{self.html}</div>").css_first("div")
            parts = body_parts(root) if root is not None else []
        else:
            parts = text_parts(self.text if self.text is not None else self.markdown or "")
        headline = " ".join(self.headline.split()) if self.headline else None
        return ExtractedEntry(
            body_html=render_parts(parts),
            text=entry_text(headline, parts),
            block_id=self.id,
            headline=headline,
            time=self.time,
            printed_time=self.printed_time,
            date=self.date,
            url=self.url,
            sources={"body": "push"},
        )


def entries_from_json(data: Any) -> list[ExtractedEntry]:
    """Entries of a JSON body: an object, a list, or `{"entries": [...]}`; `SchemaError` names the
    first invalid item."""
    if isinstance(data, dict) and isinstance(data.get("entries"), list):
        data = data["entries"]
    items = data if isinstance(data, list) else [data]
    if len(items) > _MAX_ITEMS:
        raise PayloadTooLarge(
            f"{len(items)} entries in one request; at most {_MAX_ITEMS}",
            size=len(items),
            limit=_MAX_ITEMS,
        )
    out: list[ExtractedEntry] = []
    for i, item in enumerate(items):
        try:
            out.append(PushItem.model_validate(item).entry())
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "entry"
            raise SchemaError(f"entry {i}: {where}: {first['msg']}") from exc
    return out


def entries_from_text(
    text: str, *, day: date | None = None, newest_first: bool | None = None
) -> list[ExtractedEntry]:
    """Entries of a text body, oldest first: cut at printed times, else the whole text. The
    order of the text is detected from its times unless `newest_first` says it."""
    _, blocks = split_blocks(text)
    if not blocks:
        whole = text_parts(text)
        if not whole:
            return []
        return [ExtractedEntry(render_parts(whole), entry_text(None, whole), date=day)]
    if detect_newest_first(blocks) if newest_first is None else newest_first:
        blocks = list(reversed(blocks))
    return [_block_entry(block, day) for block in blocks]


def _block_entry(block: Block, day: date | None) -> ExtractedEntry:
    parts: list[BodyPart] = text_parts("\n".join(block.paragraphs))
    return ExtractedEntry(
        body_html=render_parts(parts),
        text=entry_text(block.headline, parts),
        headline=block.headline,
        printed_time=block.time.printed,
        date=block.time.day or day,
        sources={"body": "push:text", "time": "push:printed"},
    )


class TextStream:
    """Text arriving line by line (a pipe) cut into entries as soon as each is complete: an entry
    ends where the next printed time starts (a short headline line above it goes with it), at a
    line of `---`, or at the end of the input. Entries are taken to arrive oldest first."""

    def __init__(self, *, day: date | None = None) -> None:
        self.day = day
        self.lines: list[str] = []
        self.headline: str | None = None

    def feed(self, line: str) -> list[ExtractedEntry]:
        stripped = line.strip()
        if stripped == "---":
            return self.close()
        starts = leading_time(stripped) is not None and not stripped.startswith(">")
        if starts and any(leading_time(x.strip()) for x in self.lines):
            paragraphs = [x for x in self.lines if x.strip()]
            headline: str | None = None
            if paragraphs and _headline_like(paragraphs[-1]):
                last = len(self.lines) - 1 - self.lines[::-1].index(paragraphs[-1])
                headline = self.lines[last].strip()
                self.lines = self.lines[:last]
            out = self.close()
            self.headline = headline
            self.lines = [line]
            return out
        self.lines.append(line)
        return []

    def close(self) -> list[ExtractedEntry]:
        text = "\n".join(self.lines)
        headline, self.headline = self.headline, None
        self.lines = []
        if not text.strip():
            return []
        _, blocks = split_blocks(text)
        if not blocks:
            return entries_from_text(text, day=self.day)
        out = [_block_entry(b, self.day) for b in blocks]
        if headline and out[0].headline is None:
            first = out[0]
            out[0] = dataclasses.replace(first, headline=headline, text=f"{headline}\n{first.text}")
        return out


def _headline_like(line: str) -> bool:
    if leading_time(line.strip()) is not None:
        return False
    core = line.strip().rstrip("\"'”’»›*_ \u00a0")
    return 0 < len(core) <= 200 and core[-1] not in ".!…:;," and not core.startswith(">")


class PushIngest:
    """Accepts pushed entries per blog and hands the new and changed ones to `emit`."""

    def __init__(
        self,
        settings: Settings,
        emit: Emit,
        *,
        clock: Clock = system_clock,
        store: CursorStore | None = None,
        max_bytes: int = 1_048_576,
        timezone: str | None = None,
    ) -> None:
        self.token = settings.api_token.get_secret_value() if settings.api_token else None
        self.emit = emit
        self.clock = clock
        self.store = store
        self.max_bytes = max_bytes
        self.timezone = timezone
        self.cursors: dict[str, EntryCursor] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    def cursor(self, blog_id: str) -> EntryCursor:
        if blog_id not in self.cursors:
            cursor = EntryCursor()
            if self.store is not None:
                cursor.resume(self.store.load(f"push:{blog_id}"))
            self.cursors[blog_id] = cursor
        return self.cursors[blog_id]

    async def accept(
        self, blog_id: str, entries: Sequence[ExtractedEntry], *, source: str = "push"
    ) -> dict[str, Any]:
        """Emit what is new or changed among `entries`; the counts as a JSON-ready dict. The
        blog's cursor moves only once `emit` returned: when it raises, nothing is recorded."""
        async with self.locks.setdefault(blog_id, asyncio.Lock()):
            cursor = self.cursor(blog_id).fork()
            diff = cursor.diff(list(entries), complete=False)
            raws = to_raw_entries(
                diff,
                cursor,
                blog_id=blog_id,
                source=source,
                fetched_at=self.clock(),
                timezone=self.timezone,
            )
            if raws:
                await self.emit(raws)
            self.cursors[blog_id] = cursor
            if self.store is not None:
                self.store.save(f"push:{blog_id}", cursor.snapshot())
        return {
            "blog_id": blog_id,
            "accepted": len(entries),
            "new": sum(1 for c in diff.changes if c.kind == "new"),
            "changed": sum(1 for c in diff.changes if c.kind == "changed"),
            "unchanged": diff.unchanged,
            "seq": [r.seq for r in raws],
        }

    def _authorised(self, request: web.Request) -> bool:
        if self.token is None:
            return False
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not given:
            return False
        return hmac.compare_digest(given.strip().encode(), self.token.encode())

    async def _body(self, request: web.Request) -> bytes:
        declared = request.content_length
        if declared is not None and declared > self.max_bytes:
            raise PayloadTooLarge(
                f"body of {declared} bytes is over the {self.max_bytes}-byte limit",
                size=declared,
                limit=self.max_bytes,
            )
        chunks: list[bytes] = []
        size = 0
        while chunk := await request.content.read(65_536):
            size += len(chunk)
            if size > self.max_bytes:
                raise PayloadTooLarge(
                    f"body over the {self.max_bytes}-byte limit", size=size, limit=self.max_bytes
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def handle(self, request: web.Request) -> web.Response:
        """`POST /ingest/{blog_id}`."""
        if self.token is None:
            return _error(503, "push ingest is off: set LIVEBLOG_API_TOKEN")
        if not self._authorised(request):
            return _error(401, "a valid bearer token is required", bearer=True)
        blog_id = request.match_info.get("blog_id", "")
        if not _valid_blog(blog_id):
            return _error(400, "blog id: 1-200 letters, digits and . _ : -")
        try:
            body = await self._body(request)
            text = body.decode("utf-8")
            if request.content_type == "application/json":
                entries = entries_from_json(json.loads(text))
            elif request.content_type in ("text/plain", "text/markdown", ""):
                entries = entries_from_text(text)
            elif request.content_type == "text/html":
                entries = entries_from_json({"html": text})
            else:
                return _error(415, "send application/json, text/plain, text/markdown or text/html")
        except PayloadTooLarge as exc:
            return _error(413, str(exc))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _error(400, f"body is not UTF-8 JSON or text: {exc}")
        except SchemaError as exc:
            return _error(422, str(exc))
        if not entries:
            return _error(422, "no entry in the body")
        try:
            result = await self.accept(blog_id, entries)
        except SinkError as exc:
            log.error("push not delivered", blog_id=blog_id, reason=str(exc))
            return _error(503, f"not delivered, nothing recorded; retry: {exc}", retry=True)
        log.info("push accepted", **{k: v for k, v in result.items() if k != "seq"})
        return web.json_response(result, status=202)

    def routes(self) -> list[web.RouteDef]:
        """The route to add to another aiohttp app."""
        return [web.post(INGEST_ROUTE, self.handle)]


def _valid_blog(blog_id: str) -> bool:
    return re.fullmatch(_BLOG_ID, blog_id) is not None


def _error(status: int, message: str, *, bearer: bool = False, retry: bool = False) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="liveblog"'} if bearer else {}
    if retry:
        headers["Retry-After"] = "5"
    return web.json_response({"error": message}, status=status, headers=headers)


def ingest_app(ingest: PushIngest) -> web.Application:
    """A stand-alone aiohttp app serving `POST /ingest/{blog_id}`."""
    app = web.Application(client_max_size=ingest.max_bytes + 1024)
    app.add_routes(ingest.routes())
    return app
