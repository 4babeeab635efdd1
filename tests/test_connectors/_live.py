"""Test helpers for live sources: a loopback aiohttp server and a live-blog page that grows.

`LivePage` serves one of the fixture pages as it looked earlier (newest entries hidden), then
grows it, edits an entry and removes one, as a live blog does. It answers conditional requests
with 304 when `conditional` is on, and counts what it sent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from selectolax.lexbor import LexborHTMLParser as HTMLParser

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "connectors"


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Run `app` on 127.0.0.1 on a free port; yields the base URL."""
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@dataclass
class LivePage:
    """A fixture page shown as it grows: `hidden` entries (by document order) are not there yet,
    `edits` append a sentence to an entry's last paragraph (and its JSON-LD articleBody)."""

    html: str
    entry_css: str | None
    hidden: set[int] = field(default_factory=set)
    removed: set[int] = field(default_factory=set)
    edits: dict[int, str] = field(default_factory=dict)
    conditional: bool = True
    revision: int = 0
    statuses: list[int] = field(default_factory=list)
    user_agents: set[str] = field(default_factory=set)

    def change(self) -> None:
        self.revision += 1

    def reveal(self, index: int) -> None:
        self.hidden.discard(index)
        self.change()

    def edit(self, index: int, sentence: str) -> None:
        self.edits[index] = sentence
        self.change()

    def remove(self, index: int) -> None:
        self.removed.add(index)
        self.change()

    def render(self) -> str:
        tree = HTMLParser(self.html)
        gone = self.hidden | self.removed
        if self.entry_css:
            for i, node in enumerate(tree.css(self.entry_css)):
                if i in gone:
                    node.decompose()
                elif i in self.edits:
                    target = node.css("p")[-1]
                    target.insert_child(" " + self.edits[i])
        swaps: list[tuple[str, str]] = []
        for script in tree.css('script[type="application/ld+json"]'):
            text = script.text()
            data = json.loads(text)
            if self._edit_jsonld(data, gone):
                swaps.append((text, json.dumps(data, ensure_ascii=False)))
        html = tree.html or ""
        for old, new in swaps:
            html = html.replace(old, new)
        return html

    def _edit_jsonld(self, data: Any, gone: set[int]) -> bool:
        items = data if isinstance(data, list) else data.get("@graph", [data])
        for item in items:
            updates = item.get("liveBlogUpdate") if isinstance(item, dict) else None
            if not isinstance(updates, list):
                continue
            kept = []
            for i, update in enumerate(updates):
                if i in gone:
                    continue
                if i in self.edits:
                    update = dict(update)
                    first, _, rest = update["articleBody"].partition("\n")
                    update["articleBody"] = (
                        first + " " + self.edits[i] + ("\n" + rest if rest else "")
                    )
                kept.append(update)
            item["liveBlogUpdate"] = kept
            return True
        return False

    def app(self, path: str = "/live") -> web.Application:
        async def handler(request: web.Request) -> web.Response:
            self.user_agents.add(request.headers.get("User-Agent", ""))
            body = self.render()
            etag = '"' + hashlib.sha1(body.encode()).hexdigest()[:16] + '"'
            modified = format_datetime(_stamp(self.revision), usegmt=True)
            if self.conditional and (
                request.headers.get("If-None-Match") == etag
                or request.headers.get("If-Modified-Since") == modified
            ):
                self.statuses.append(304)
                return web.Response(status=304, headers={"ETag": etag})
            self.statuses.append(200)
            headers = {"ETag": etag, "Last-Modified": modified} if self.conditional else {}
            return web.Response(text=body, content_type="text/html", headers=headers)

        app = web.Application()
        app.router.add_get(path, handler)
        return app


def _stamp(revision: int) -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime(2025, 6, 18, 12, 0, tzinfo=UTC) + timedelta(minutes=revision)


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")
